"""An upload of each supported format through the API (files built by the ingest tests' writers)."""

from __future__ import annotations

import gzip
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

import ingest
from gait.types import Recording
from tests.ingest import exports as ex
from tests.ingest import test_metabase as tm
from tests.ingest.test_apple_health import export as health_export
from tests.ingest.test_apple_health import walk_records
from tests.ingest.test_csv_formats import androsensor
from tests.ingest.test_physics_toolbox_sensorlog import START, physics_toolbox, sensorlog
from tests.service.conftest import synthetic_walk

CADENCE_SPM = 108.0  # synthetic_walk's default: 1.8 steps/s


def walking_signal(rate_hz: float = 100.0) -> ex.Signal:
    rec = synthetic_walk(duration_s=40.0, rate_hz=rate_hz)
    gyr = np.column_stack([10 * np.sin(np.pi * 1.8 * rec.time_s)] * 3)
    return ex.Signal(time_s=rec.time_s, acc_ms2=rec.acc_ms2, gyr_dps=gyr)


def build(fmt: str, tmp_path: Path) -> Path:
    sig = walking_signal(50.0 if fmt == "geneactiv" else 100.0)
    if fmt == "sensor_logger":
        return ex.write_files(tmp_path / "2026-01-01_10-00-00", ex.sensor_logger_android(sig), as_zip=True)
    if fmt == "phyphox":
        xyz_abs = np.column_stack([sig.acc_ms2, np.linalg.norm(sig.acc_ms2, axis=1)])
        files = {"Raw Data.csv": ex.phyphox_csv(sig.time_s, xyz_abs, [*ex.RAW_WITH_G, "Absolute acceleration (m/s^2)"])}
        return ex.write_files(tmp_path / "phyphox", files, as_zip=True)
    path = tmp_path / f"{fmt}.csv"
    if fmt == "androsensor":
        path.write_text(androsensor(sig), encoding="utf-8")
    elif fmt == "metawear":
        path = tmp_path / "MetaWear_Accelerometer.csv"
        rows = ["epoc (ms),timestamp (-0500),elapsed (s),x-axis (g),y-axis (g),z-axis (g)"]
        for t, a in zip(sig.time_s.tolist(), (sig.acc_ms2 / ex.G).tolist(), strict=True):
            rows.append(f"{1659731173153 + round(t * 1000)},2022-08-05T15.26.13.153,{t:.3f},{a[0]},{a[1]},{a[2]}")
        path.write_text("\n".join(rows) + "\n")
    elif fmt == "geneactiv":
        head = ["Device Type,GENEActiv", "Device Model,1.1", "Measurement Frequency,50.0 Hz", "Units,g"] + [""] * 20
        rows = []
        for i, a in enumerate((sig.acc_ms2 / ex.G).tolist()):
            ms = i * 20
            stamp = f"2019-08-06 10:{25 + ms // 60000:02d}:{(ms // 1000) % 60:02d}:{ms % 1000:03d}"
            rows.append(f"{stamp},{a[0]:.6f},{a[1]:.6f},{a[2]:.6f},0,0,31.6")
        path.write_bytes(("\r\n".join(head + rows) + "\r\n").encode())
    elif fmt == "oxford":
        path = tmp_path / "accelerometer.csv.gz"
        ns = 1023881009780408 + np.round(sig.time_s * 1e9).astype(np.int64)
        rows = [f"{n},3,{a[0]},{a[1]},{a[2]}" for n, a in zip(ns.tolist(), sig.acc_ms2.tolist(), strict=True)]
        path.write_bytes(gzip.compress(("\n".join(rows) + "\n").encode()))
    elif fmt in ("gait_csv", "generic_csv"):
        ingest.write_gait_csv(ingest.load(build("metawear", tmp_path)), path)
        if fmt == "generic_csv":
            text = path.read_text().replace("acc_x_ms2,acc_y_ms2,acc_z_ms2", "ax (m/s^2),ay (m/s^2),az (m/s^2)")
            path.write_text(text.replace("time_s", "time (s)", 1))
    elif fmt == "physics_toolbox":  # Multi Record with a time of day, as the Android app writes it
        physics_toolbox(Recording(sig.time_s, sig.acc_ms2, sig.gyr_dps), path, gyro=True, clock="time_of_day")
    elif fmt == "sensorlog":  # gyroscope stamped 4 ms after the accelerometer
        sensorlog(Recording(sig.time_s, sig.acc_ms2, sig.gyr_dps), path, gyro_lag_s=0.004)
    elif fmt == "apple_health":
        path = tmp_path / "export.xml"
        path.write_text(health_export(walk_records()))
    return path


@pytest.mark.parametrize("fmt", [f.name for f in ingest.list_formats()])
def test_upload_each_supported_format(client: TestClient, tmp_path: Path, fmt: str) -> None:
    path = build(fmt, tmp_path)
    with path.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": "lower_back"})
    assert r.status_code == 201, r.text
    walks = r.json()["walks"]
    assert walks and all(w["format"] == fmt for w in walks)
    summary = walks[0]["summary"]
    if fmt == "apple_health":
        # 1100 steps and 0.77 km over a 10-minute walk, as the Health records say.
        assert summary["steps"] == 1100 and summary["distance_m"] == pytest.approx(770.0)
        assert walks[0]["reason"] and summary["strides"] is None
    else:
        assert summary["cadence_spm"] == pytest.approx(CADENCE_SPM, abs=1.5)
        assert summary["strides"] > 20


def test_a_sensorlog_upload_is_dated_by_its_logging_time(client: TestClient, tmp_path: Path) -> None:
    path = build("sensorlog", tmp_path)
    with path.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": "lower_back"})
    assert r.status_code == 201, r.text
    walk = r.json()["walks"][0]
    # 'loggingTime(txt)' 2024-05-01 10:00:01.123 +0200 is 08:00:01.123 UTC (the upload happens in 2026)
    started = datetime.fromisoformat(walk["started_at"])
    assert abs(started.timestamp() - START.timestamp()) < 1.0


SHARED_DEV = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "dev"
GENEACTIV_LUMBAR = SHARED_DEV / "gaitpy_demo_geneactiv_lumbar" / "demo_data.csv"


@pytest.mark.skipif(not GENEACTIV_LUMBAR.is_file(), reason="shared data not present (a fresh clone has none)")
def test_an_upload_whose_header_names_an_unmodelled_place_is_asked_for_it(client: TestClient, tmp_path: Path) -> None:
    path = tmp_path / "ankle.csv"
    path.write_bytes(
        GENEACTIV_LUMBAR.read_bytes().replace(b"Device Location Code,back", b"Device Location Code,right ankle")
    )
    assert client.patch("/api/profile", json={"changes": {"placement": "lower_back"}}).status_code == 200
    with path.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (path.name, fh)})
    assert r.status_code == 422, r.text
    said = r.json()["detail"]
    assert "ankle.csv: the file's header says the sensor was worn on the 'right ankle'" in said, said
    assert 'choose the nearest under "Where was the sensor worn?"' in said and "nothing was stored" in said
    assert client.get("/api/walks").json() == []
    with path.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": "foot"})
    assert r.status_code == 201 and r.json()["walks"][0]["placement"] == "foot", r.text


def test_an_upload_of_a_polar_sensor_logger_file_is_dated_by_the_phone(client: TestClient, tmp_path: Path) -> None:
    from tests.ingest.test_time_columns import IN_HAND, local_epoch_s, polar_acc

    walk = pd.read_csv(IN_HAND)
    polar = polar_acc(walk, tmp_path / "Polar_H10_A1B2C3D4_20231012_101010_ACC.txt")
    with polar.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (polar.name, fh)}, data={"placement": "hand"})
    assert r.status_code == 201, r.text
    # dated by the phone's local date and time beside the sensor's clock, not at the upload
    started = datetime.fromisoformat(r.json()["walks"][0]["started_at"])
    assert abs(started.timestamp() - local_epoch_s("2023-10-12 10:10:10")) < 1.0


def test_an_upload_whose_dates_read_both_ways_is_analysed_and_dated_as_given(
    client: TestClient, tmp_path: Path
) -> None:
    from tests.ingest.test_time_columns import IN_HAND, stamped

    walk = pd.read_csv(IN_HAND)
    both_ways = stamped(walk, tmp_path / "walk.csv", "%d/%m/%Y %H:%M:%S.%f", start="2026-11-05 14:03:07")
    given = "2026-11-05T14:03:07+01:00"
    with both_ways.open("rb") as fh:
        r = client.post(
            "/api/uploads", files={"file": (both_ways.name, fh)}, data={"placement": "hand", "started_at": given}
        )
    assert r.status_code == 201, r.text
    stored = r.json()["walks"][0]
    # analysed all the same, dated as the walker says ("When did you walk?"), with the note in the dashboard's words
    assert stored["summary"]["steps"] > 200
    assert datetime.fromisoformat(stored["started_at"]) == datetime.fromisoformat(given)
    said = " ".join(client.get(f"/api/walks/{stored['id']}").json()["notes"])
    assert "5 November 2026 (day first) or 11 May 2026 (month first)" in said
    assert "gait convert --date-order dmy|mdy and upload the converted file" in said


def test_an_upload_whose_time_column_is_named_in_the_wrong_unit_is_refused_storing_nothing(
    client: TestClient, tmp_path: Path
) -> None:
    from tests.ingest.test_time_columns import IN_HAND

    pd.read_csv(IN_HAND).rename(columns={"time_s": "time_ms"}).to_csv(path := tmp_path / "walk.csv", index=False)
    with path.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": "hand"})
    assert r.status_code == 422, r.text
    said = r.json()["detail"]
    assert "'time_ms' is named in ms, but its median step 0.01 would mean samples 10 us apart" in said
    assert "rename the column time_s" in said and "gait convert --time-unit s" in said
    assert client.get("/api/walks").json() == []


def test_a_metabase_session_zip_uploads_as_one_walk(client: TestClient, tmp_path: Path) -> None:
    foot = tm._foot()
    path = ex.write_files(tmp_path / "session", tm._session(foot), as_zip=True)
    with path.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": "foot"})
    assert r.status_code == 201, r.text
    (walk,) = r.json()["walks"]
    assert walk["format"] == "metawear" and walk["summary"]["strides"] == 31  # as gait analyze of its gait CSV
    # dated by the accelerometer's first 'epoc (ms)': 2022-08-05 20:26:13 UTC
    assert datetime.fromisoformat(walk["started_at"]).timestamp() == pytest.approx(tm.EPOC0_MS / 1000, abs=1.0)


def test_a_metabase_zip_of_two_devices_stores_nothing(client: TestClient, tmp_path: Path) -> None:
    files = tm._session(tm._foot())
    files[tm._name("Accelerometer", "D1:02:03:04:05:06")] = files[tm._name("Accelerometer")]
    path = ex.write_files(tmp_path / "session", files, as_zip=True)
    with path.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": "foot"})
    assert r.status_code == 422, r.text
    said = r.json()["detail"]
    assert "holds the MetaBase files of 2 devices (C5:E7:A3:B1:F2:D0: " in said and "one device's" in said, said
    assert client.get("/api/walks").json() == []


def uploaded_one_after_the_other(client: TestClient, *paths: Path) -> dict[str, dict]:
    """Each of ``paths`` (the same recording in two formats) uploaded, then deleted before the next is (it would be
    refused as the same walk): the walks stored, by file suffix."""
    walks = {}
    for path in paths:
        with path.open("rb") as fh:
            r = client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": "lower_back"})
        assert r.status_code == 201, r.text
        (walks[path.suffix],) = r.json()["walks"]
        assert client.delete(f"/api/walks/{walks[path.suffix]['id']}").status_code in (200, 204)
    return walks


def test_an_upload_of_phyphox_s_excel_export_is_analysed_as_its_csv_export(client: TestClient, tmp_path: Path) -> None:
    csv_zip = build("phyphox", tmp_path)
    sig = walking_signal()
    xyz_abs = np.column_stack([sig.acc_ms2, np.linalg.norm(sig.acc_ms2, axis=1)])
    header = [*ex.RAW_WITH_G, "Absolute acceleration (m/s^2)"]
    # the walk is dated by its Metadata Time sheet, as by the CSV export's meta/time.csv
    events = [("START", 0.0, 1.7e9), ("PAUSE", float(sig.time_s[-1]), 1.7e9 + float(sig.time_s[-1]))]
    files = {"Raw Data.csv": ex.phyphox_csv(sig.time_s, xyz_abs, header), "meta/time.csv": ex.phyphox_time_csv(events)}
    book = ex.phyphox_workbook(files, tmp_path / "Acceleration with g 2023-11-14 22-13-20.xlsx")
    walks = uploaded_one_after_the_other(client, csv_zip, book)
    assert walks[".xlsx"]["format"] == "phyphox"
    # named as its CSV zip is, without the file's extension
    assert walks[".xlsx"]["name"] == "Acceleration with g 2023-11-14 22-13-20"
    assert walks[".xlsx"]["summary"] == walks[".zip"]["summary"]
    assert datetime.fromisoformat(walks[".xlsx"]["started_at"]).timestamp() == pytest.approx(1.7e9, abs=1.0)


def test_an_upload_of_sensor_logger_s_json_export_is_analysed_as_its_csv_export(
    client: TestClient, tmp_path: Path
) -> None:
    files = ex.sensor_logger_android(walking_signal())
    csv_zip = ex.write_files(tmp_path / "2026-01-01_10-00-00", files, as_zip=True)
    as_json = tmp_path / "2026-01-01_10-00-00.json"
    as_json.write_text(ex.sensor_logger_json(files))
    walks = uploaded_one_after_the_other(client, csv_zip, as_json)
    assert walks[".json"]["format"] == "sensor_logger"
    assert walks[".json"]["summary"] == walks[".zip"]["summary"]
    assert walks[".json"]["started_at"] == walks[".zip"]["started_at"]


def test_an_upload_of_sensor_logger_s_sqlite_export_is_analysed_as_its_csv_export(
    client: TestClient, tmp_path: Path
) -> None:
    files = ex.sensor_logger_android(walking_signal())
    csv_zip = ex.write_files(tmp_path / "2026-01-01_10-00-00", files, as_zip=True)
    db = ex.sensor_logger_sqlite(files, tmp_path / "2026-01-01_10-00-00.sqlite")
    walks = uploaded_one_after_the_other(client, csv_zip, db)
    assert walks[".sqlite"]["format"] == "sensor_logger"
    assert walks[".sqlite"]["name"] == "2026-01-01_10-00-00"  # named as its CSV zip is
    assert walks[".sqlite"]["summary"] == walks[".zip"]["summary"]
    assert walks[".sqlite"]["started_at"] == walks[".zip"]["started_at"]


def test_an_upload_of_a_cut_off_sqlite_export_is_refused_and_stores_nothing(client: TestClient, tmp_path: Path) -> None:
    db = ex.sensor_logger_sqlite(ex.sensor_logger_android(walking_signal()), tmp_path / "walk.sqlite")
    with db.open("rb") as fh:
        data = fh.read()
    r = client.post("/api/uploads", files={"file": ("walk.sqlite", data[: len(data) // 3])})
    assert r.status_code == 422, r.text
    assert r.json()["detail"].startswith("walk.sqlite: this SQLite database cannot be read"), r.text
    assert client.get("/api/walks").json() == []
