"""Uploads that the ingest layer must refuse or label honestly: nothing half-true is stored."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from gait.consts import GRAVITY_MS2
from service.store import Store
from tests.ingest.test_apple_health import export as health_export
from tests.ingest.test_apple_health import walk_records
from tests.service.conftest import count_rows

SAMPLE = Path(__file__).resolve().parents[2] / "sample_recordings" / "mobgap_lower_back_daily_living.csv"


def post(client: TestClient, name: str, content: bytes):
    return client.post("/api/uploads", files={"file": (name, content, "text/csv")}, data={"placement": "lower_back"})


@pytest.mark.parametrize(("factor", "fragment"), [(1000.0 / GRAVITY_MS2, "milli-g"), (1.0 / GRAVITY_MS2, "units of g")])
def test_a_recording_in_milli_g_or_g_is_refused_and_nothing_stored(
    client: TestClient, store: Store, factor: float, fragment: str
) -> None:
    # Before, a milli-g file was analysed as m/s^2 (stride length 4 m) and stored as a complete walk.
    lines = SAMPLE.read_text().splitlines()[:1501]
    rows = np.array([line.split(",") for line in lines[1:]], dtype=float)
    rows[:, 1:4] *= factor
    body = lines[0] + "\n" + "\n".join(",".join(f"{v:.6g}" for v in row) for row in rows) + "\n"
    r = post(client, "mg.csv", body.encode())
    assert 400 <= r.status_code < 500, r.text
    assert fragment in r.json()["detail"] and "multiply the acceleration columns" in r.json()["detail"]
    assert count_rows(store, "walks") == 0


def test_an_apple_health_walk_has_no_invented_cadence(client: TestClient) -> None:
    # Health holds step counts per interval: steps / duration (pauses included) is not a cadence.
    r = post(client, "export.xml", health_export(walk_records()).encode())
    assert r.status_code == 201, r.text
    summary = r.json()["walks"][0]["summary"]
    assert summary["steps"] == 1100 and summary["cadence_spm"] is None


WALK_ROWS = 6000
"""The sample's first minute: 36 steps, enough to be stored as a walk (its first 15 s hold 8)."""


def test_a_cut_off_upload_keeps_its_rows_and_its_walk_says_what_was_dropped(client: TestClient) -> None:
    lines = SAMPLE.read_text().splitlines()[: WALK_ROWS + 1]
    body = "\n".join(lines)
    r = post(client, "cut.csv", body[: body.rfind(",")].encode())  # the last line lost its last value
    assert r.status_code == 201, r.text
    detail = client.get(f"/api/walks/{r.json()['walks'][0]['id']}").json()
    assert any(f"(line {WALK_ROWS + 1}) was incomplete" in note and "dropped" in note for note in detail["notes"])


def test_an_upload_with_a_few_empty_cells_keeps_its_walk_and_says_which_rows_were_dropped(client: TestClient) -> None:
    lines = SAMPLE.read_text().splitlines()[: WALK_ROWS + 1]
    for row in range(50, WALK_ROWS, 100):  # 1 % of the rows lose their vertical acceleration
        lines[row] = lines[row].rsplit(",", 4)[0] + ",," + ",".join(lines[row].rsplit(",", 3)[1:])
    r = post(client, "gaps.csv", "\n".join(lines).encode())
    assert r.status_code == 201, r.text
    detail = client.get(f"/api/walks/{r.json()['walks'][0]['id']}").json()
    assert any("dropped 60 rows with a missing" in n and "first on line 51" in n for n in detail["notes"])


@pytest.mark.parametrize("name", ["walk.bin", "walk.gt3x", "walk.cwa"])
def test_a_device_binary_upload_is_refused_naming_its_format_and_nothing_stored(
    client: TestClient, store: Store, name: str
) -> None:
    from tests.ingest.test_raw_device_files import FILES

    content, what, how = FILES[name]
    r = post(client, name, content)
    assert 400 <= r.status_code < 500, r.text
    assert f"this is {what}" in r.json()["detail"] and how in r.json()["detail"]
    assert count_rows(store, "walks") == 0


def test_a_file_name_in_any_script_names_the_walk_and_the_messages_as_the_user_wrote_it(
    client: TestClient, store: Store
) -> None:
    # Before, "Spaziergang Müller.csv" made a walk "Spaziergang M_ller" and a refusal spoke of "_n_c_d_ w_lk _.csv".
    body = "\n".join(SAMPLE.read_text().splitlines()[: WALK_ROWS + 1]).encode()
    r = post(client, "Spaziergang Müller.csv", body)
    assert r.status_code == 201, r.text
    assert r.json()["walks"][0]["name"] == "Spaziergang Müller"
    again = post(client, "ünïcødé wålk 🚶.csv", body)
    assert again.status_code == 409 and again.json()["detail"].startswith("ünïcødé wålk 🚶.csv: "), again.text
    # a path never reaches the name; the readers name the file as the user did
    r = post(client, "../../etc/Łódź walk.csv", b"time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2\n")
    assert r.status_code == 422 and r.json()["detail"].startswith("Łódź walk.csv: "), r.text
    assert count_rows(store, "walks") == 1


def test_an_apple_health_zip_with_a_watchs_electrocardiograms_is_read_from_its_export_xml(
    client: TestClient, tmp_path: Path
) -> None:
    # Before, the ECG CSV in its sub-folder was taken for the recording: "missing columns ... found 'Name'".
    import zipfile

    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("apple_health_export/export.xml", health_export(walk_records()))
        zf.writestr("apple_health_export/export_cda.xml", "<x/>")
        zf.writestr("apple_health_export/workout-routes/route_2019-05-16_8.09am.gpx", "<gpx/>")
        zf.writestr(
            "apple_health_export/electrocardiograms/ecg_2019-05-16.csv",
            "Name,Jane Doe\nRecorded Date,2019-05-16 08:00:00 +0200\nSample Rate,512 hertz\n\n-12.5\n-11.9\n-10.2\n",
        )
    r = client.post("/api/uploads", files={"file": ("export.zip", path.read_bytes(), "application/zip")})
    assert r.status_code == 201, r.text
    assert r.json()["walks"][0]["summary"]["steps"] == 1100
