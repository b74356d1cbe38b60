"""Real phone and sensor exports from ../shared/data/dev uploaded through the API (skipped when absent).

Folders are zipped into a temporary file first, as a user would before uploading; nothing is copied into the repo.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.store import Store
from tests.service.conftest import count_rows

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "dev"
EXPORTS = [
    "phone_exports/sensor_logger_android_v1.26.0/2023-11-24_07-25-54.zip",
    "phone_exports/sensor_logger_ios_v1.10.4/2022-09-09_13-14-55.zip",
    "phone_exports/sensor_logger_android_v1.60.0/recording_1",
    "phone_exports/phyphox_acc_gyro_dfb_lab",
    "phone_exports/phyphox_acceleration_without_g_iphone",
    "phone_exports/androsensor_walking/walking1.csv",
    "phone_exports/apple_health_export_ios12/export.xml",
    "ble_sensor_exports/metawear_metamotion_lumbar_chenliseu",
]

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared dev data not found at {SHARED}"),
]


@pytest.mark.parametrize("relpath", EXPORTS)
def test_real_export_upload_is_stored_or_refused_cleanly(
    client: TestClient, store: Store, tmp_path: Path, relpath: str
) -> None:
    src = SHARED / relpath
    if not src.exists():
        pytest.skip(f"{relpath} is not in the shared data")
    path = Path(shutil.make_archive(str(tmp_path / src.name), "zip", src)) if src.is_dir() else src
    with path.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": "pocket"})
    assert r.status_code in (201, 422), r.text
    if r.status_code == 422:
        assert len(r.json()["detail"]) > 20 and count_rows(store, "walks") == 0
    else:
        walks = r.json()["walks"]
        assert walks and count_rows(store, "walks") == len(walks)


@pytest.mark.parametrize(
    ("relpath", "day"),
    [
        # 'Timestamp' (epoch ns) beside 'seconds_elapsed': a Sensor Logger export whose header the user edited
        ("phone_exports/sensor_logger_android_header_edited/TotalAcceleration.csv", "2024-10-18"),
        ("phone_exports/sensor_logger_android_header_edited/walking4_other_ios_app.csv", "2024-10-17"),
    ],
)
def test_a_real_export_with_a_clock_column_is_dated_by_it(client: TestClient, relpath: str, day: str) -> None:
    src = SHARED / relpath
    if not src.exists():
        pytest.skip(f"{relpath} is not in the shared data")
    with src.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (src.name, fh)}, data={"placement": "pocket"})
    assert r.status_code == 201, r.text  # the second one: a 20 Hz logger whose clock jitters (median 19.9 Hz)
    walk = r.json()["walks"][0]
    assert walk["source"]["started_at_from"] == "recording" and walk["started_at"].startswith(day)


def test_apple_health_walks_are_named_at_their_start_in_this_computers_time(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # QA18 #10: named in UTC, a New York walker's evening walk ("2019-06-14 17:56:53 -0400") was "export 2019-06-14
    # 21:56" beside the dashboard's "Jun 14, 2019, 05:56 PM"
    import time
    from datetime import UTC, datetime

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        with (SHARED / EXPORTS[6]).open("rb") as fh:
            r = client.post("/api/uploads", files={"file": ("export.xml", fh, "text/xml")})
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert r.status_code == 201, r.text
    walks = r.json()["walks"]
    assert any(w["name"] == "export 2019-06-14 17:56" for w in walks), [w["name"] for w in walks]
    for w in walks:  # each name is its start in New York's time (summer: UTC-4)
        start = datetime.fromisoformat(w["started_at"]).timestamp() - 4 * 3600
        assert w["name"] == f"export {datetime.fromtimestamp(start, UTC):%Y-%m-%d %H:%M}", w
