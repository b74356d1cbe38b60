"""Findings of a fifth QA pass on what refused uploads say: one file of a Sensor Logger export, and the walk a
same-walk refusal names (when it was uploaded or imported; a sample walk held in a longer file)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.store import Store
from tests.service.conftest import count_rows

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "dev"
WITHOUT_GRAVITY = SHARED / "phone_exports" / "sensor_logger_ios_v1.10.4" / "2022-09-26_15-32-56"
"""An iOS export whose gravity-inclusive acceleration is only in AccelerometerUncalibrated.csv."""
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared dev data not found at {SHARED}")


def _post(client: TestClient, path: Path, placement: str, name: str | None = None):
    with path.open("rb") as fh:
        return client.post("/api/uploads", files={"file": (name or path.name, fh)}, data={"placement": placement})


# --- finding 4: one file of a Sensor Logger export says what the command line says, in the dashboard's words -------


@pytest.mark.shared
@needs_shared
@pytest.mark.parametrize("part", ["Gyroscope.csv", "Accelerometer.csv"])
def test_one_file_of_a_sensor_logger_export_says_which_to_upload(client: TestClient, store: Store, part: str) -> None:
    r = _post(client, WITHOUT_GRAVITY / part, "pocket")
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert detail.startswith(f"{part}: this file is one part of a Sensor Logger export"), detail
    assert "upload the export's folder zipped, or its TotalAcceleration.csv (Android) or " in detail
    assert "AccelerometerUncalibrated.csv (iOS) on its own" in detail
    assert "record again" not in detail and "analyse" not in detail  # the dashboard cannot open a folder
    if part != "Accelerometer.csv":
        assert "Accelerometer.csv" not in detail.replace("AccelerometerUncalibrated.csv", "")
    assert count_rows(store, "walks") == 0
    # what it says works: the export's AccelerometerUncalibrated.csv uploaded on its own is stored
    ok = _post(client, WITHOUT_GRAVITY / "AccelerometerUncalibrated.csv", "pocket")
    assert ok.status_code == 201, ok.text


# --- finding 7: a refusal dates an undated walk by its upload or import, and a sample held in a file is held -------

SAMPLES = Path(__file__).resolve().parents[2] / "sample_recordings"


def _minute(iso: str) -> str:
    return iso[:16].replace("T", " ") + " UTC"


def _gait_csv(path: Path, *parts: Path, gap_s: float = 2.0) -> Path:
    """The acceleration of the gait CSVs ``parts`` one after the other (each from where the last ended plus
    ``gap_s``; their header and rows as the sample files have them), as a joined export would be."""
    lines, start_s = ["time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2"], 0.0
    for part in parts:
        rows = [line.split(",") for line in part.read_text().splitlines()[1:]]
        lines += [f"{start_s + float(t):.6f},{x},{y},{z}" for t, x, y, z, *_ in rows]
        start_s += float(rows[-1][0]) + gap_s
    path.write_text("\n".join(lines) + "\n")
    return path


def _first_part(path: Path, src: Path, share: float) -> Path:
    lines = src.read_text().splitlines()
    path.write_text("\n".join(lines[: int(len(lines) * share)]) + "\n")
    return path


def test_an_undated_walk_is_named_with_its_upload_time(client: TestClient, tmp_path: Path) -> None:
    whole = SAMPLES / "oxford_phone_back_pocket.csv"  # from 0 s: dated when uploaded
    stored = _post(client, whole, "pocket", name="long36min.csv")
    assert stored.status_code == 201, stored.text
    (walk,) = stored.json()["walks"]
    assert _minute(walk["started_at"]) != _minute(walk["created_at"])  # backdated by its duration (minutes)
    r = _post(client, _first_part(tmp_path / "first part.csv", whole, 0.6), "pocket")
    assert r.status_code == 409, r.text
    detail = r.json()["detail"]
    assert f'walk {walk["id"]} "long36min" (uploaded {_minute(walk["created_at"])})' in detail, detail
    assert _minute(walk["started_at"]) not in detail


def test_a_sample_walk_is_named_with_its_import_and_a_file_holding_it_is_told_so(
    client: TestClient, store: Store, tmp_path: Path
) -> None:
    from service.demo import import_samples

    import_samples(store, SAMPLES)
    (sample,) = [
        w for w in client.get("/api/walks", params={"limit": 100}).json() if w["name"] == "oxford_phone_in_bag"
    ]
    placement, imported = sample["placement"], f"(imported with the samples {_minute(sample['created_at'])})"
    rows = count_rows(store, "walks")

    holding = _gait_csv(
        tmp_path / "joined.csv", SAMPLES / "oxford_phone_back_pocket.csv", SAMPLES / "oxford_phone_in_bag.csv"
    )
    r = _post(client, holding, placement)
    assert r.status_code == 409, r.text
    detail = r.json()["detail"]
    assert detail.startswith(
        f'joined.csv: this recording holds the sample walk {sample["id"]} "oxford_phone_in_bag" {imported}'
    ), detail
    assert "this is the sample recording" not in detail and "uploaded" not in detail

    r = _post(client, _first_part(tmp_path / "cut.csv", SAMPLES / "oxford_phone_in_bag.csv", 0.6), placement)
    assert r.status_code == 409, r.text
    detail = r.json()["detail"]
    assert detail.startswith(
        f'cut.csv: this is a part of the sample walk {sample["id"]} "oxford_phone_in_bag" {imported}'
    ), detail

    r = _post(client, SAMPLES / "oxford_phone_in_bag.csv", placement, name="copy.csv")
    assert r.status_code == 409, r.text
    detail = r.json()["detail"]
    assert detail.startswith(f"copy.csv: this is the sample recording already shown as walk {sample['id']}"), detail
    assert imported in detail
    assert count_rows(store, "walks") == rows
