"""phyphox exports: classic and per-sensor files, separators and decimal commas, gravity from data, pauses, GPS."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import ingest
from ingest import IngestError
from tests.ingest import exports as ex


@pytest.mark.parametrize(("sep", "decimal"), [(",", "."), ("\t", "."), (";", ","), ("\t", ",")])
def test_classic_raw_data_in_every_csv_mode(tmp_path: Path, sep: str, decimal: str) -> None:
    sig = ex.signal()
    header = [*ex.RAW_WITH_G, "Absolute acceleration (m/s^2)"]
    xyz_abs = np.column_stack([sig.acc_ms2, np.linalg.norm(sig.acc_ms2, axis=1)])
    files = {"Raw Data.csv": ex.phyphox_csv(sig.time_s, xyz_abs, header, sep=sep, decimal=decimal)}
    rec = ingest.load(ex.write_files(tmp_path / "exp", files, as_zip=True))
    assert rec.source["format"] == "phyphox"
    np.testing.assert_allclose(rec.acc_ms2, sig.acc_ms2, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(rec.time_s, sig.time_s, atol=1e-9)


def test_per_sensor_with_gravity_and_gyroscope(tmp_path: Path) -> None:
    sig = ex.signal()
    files = {
        "Accelerometer.csv": ex.phyphox_csv(sig.time_s, sig.acc_ms2, ex.PER_SENSOR_ACC),
        "Gyroscope.csv": ex.phyphox_csv(sig.time_s, np.radians(sig.gyr_dps), ex.PER_SENSOR_GYR),
    }
    rec = ingest.load(ex.write_files(tmp_path / "exp", files, as_zip=False))
    np.testing.assert_allclose(rec.acc_ms2, sig.acc_ms2, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(rec.gyr_dps, sig.gyr_dps, rtol=1e-7, atol=1e-6)


def test_gyroscope_in_deg_per_s_header(tmp_path: Path) -> None:
    sig = ex.signal()
    header = ["Time (s)", "Gyroscope x (deg/s)", "Gyroscope y (deg/s)", "Gyroscope z (deg/s)"]
    files = {
        "Accelerometer.csv": ex.phyphox_csv(sig.time_s, sig.acc_ms2, ex.PER_SENSOR_ACC),
        "Gyroscope.csv": ex.phyphox_csv(sig.time_s, sig.gyr_dps, header),
    }
    rec = ingest.load(ex.write_files(tmp_path / "exp", files, as_zip=True))
    np.testing.assert_allclose(rec.gyr_dps, sig.gyr_dps, rtol=1e-8, atol=1e-8)


def test_same_header_without_gravity_is_detected_from_data(tmp_path: Path) -> None:
    # Real per-sensor 'Accelerometer.csv' files used 'X (m/s^2)' for linear acceleration too.
    sig = ex.signal()
    linear = sig.acc_ms2 - [0, 0, ex.G]
    files = {"Accelerometer.csv": ex.phyphox_csv(sig.time_s, linear * 4, ex.PER_SENSOR_ACC)}
    with pytest.raises(IngestError, match="Acceleration with g") as err:
        ingest.load(ex.write_files(tmp_path / "exp", files, as_zip=True))
    assert err.value.reason == "gravity_missing"


def test_classic_linear_export_is_refused(tmp_path: Path) -> None:
    sig = ex.signal()
    path = tmp_path / "Raw Data.csv"
    path.write_text(ex.phyphox_csv(sig.time_s, sig.acc_ms2 - [0, 0, ex.G], ex.RAW_LINEAR))
    with pytest.raises(IngestError, match="no gravity"):
        ingest.load(path)


def test_linear_plus_gravity_is_reconstructed(tmp_path: Path) -> None:
    sig = ex.signal()
    gravity = np.tile([0.0, 0.0, ex.G], (len(sig.time_s), 1))
    files = {
        "Linear Acceleration.csv": ex.phyphox_csv(sig.time_s, sig.acc_ms2 - gravity, ex.PER_SENSOR_ACC),
        "Gravity.csv": ex.phyphox_csv(sig.time_s, gravity, ex.PER_SENSOR_ACC),
    }
    rec = ingest.load(ex.write_files(tmp_path / "exp", files, as_zip=True))
    np.testing.assert_allclose(rec.acc_ms2, sig.acc_ms2, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("export", ["csv_zip", "excel"])
def test_pauses_become_gaps_of_real_time(tmp_path: Path, export: str) -> None:
    # Experiment time runs 0..5 s without a jump, but the user paused 30 s at t = 2 s (wall clock).
    sig = ex.signal(duration_s=5)
    events = [
        ("START", 0.0, 1.7e9),
        ("PAUSE", 2.0, 1.7e9 + 2.0),
        ("START", 2.0, 1.7e9 + 32.0),
        ("PAUSE", 5.0, 1.7e9 + 35),
    ]
    files = {
        "Raw Data.csv": ex.phyphox_csv(sig.time_s, sig.acc_ms2, ex.RAW_WITH_G),
        "meta/time.csv": ex.phyphox_time_csv(events),
        "meta/device.csv": '"property","value"\n"version","1.1.13"\n"deviceModel","iPhone12,1"\n',
    }
    # the Excel export (the app's first choice) holds meta/ in its sheets "Metadata Time" and "Metadata Device"
    written = ex.write_files(tmp_path / "exp", files, as_zip=True)
    rec = ingest.load(written if export == "csv_zip" else ex.phyphox_workbook(files, tmp_path / "exp.xlsx"))
    assert rec.source["start_epoch_s"] == pytest.approx(1.7e9)
    expected = np.where(sig.time_s >= 2.0, sig.time_s + 30.0, sig.time_s)
    np.testing.assert_allclose(rec.time_s, expected, atol=1e-6)
    assert rec.source["pauses"] == [pytest.approx({"start_s": 2.0, "duration_s": 30.0})]
    # said, so the walk's page tells why its clock shows half a minute more than its samples cover
    assert any(
        "the recording was paused once (30 s at 0:02); the pause is kept as a gap" in n for n in rec.source["notes"]
    )
    assert rec.source["app_version"] == "1.1.13"
    assert rec.source["device"] == "iPhone12,1"


def test_location_becomes_gps_track(tmp_path: Path) -> None:
    sig = ex.signal(duration_s=5)
    t = np.arange(6.0)
    loc = np.column_stack(
        [
            np.full(6, 60.0),
            24.8 + t * 1e-5,
            np.full(6, 70.0),
            np.full(6, np.nan),
            np.full(6, np.nan),
            np.full(6, 3.0),
            np.full(6, 5.0),
        ]
    )
    loc[0, 0] = np.nan  # no fix yet: dropped, not invented
    files = {
        "Accelerometer.csv": ex.phyphox_csv(sig.time_s, sig.acc_ms2, ex.PER_SENSOR_ACC),
        "Location.csv": ex.phyphox_csv(t, loc, ex.PHYPHOX_LOCATION),
    }
    rec = ingest.load(ex.write_files(tmp_path / "exp", files, as_zip=True))
    assert rec.gps is not None
    np.testing.assert_allclose(rec.gps.time_s, t[1:])
    np.testing.assert_allclose(rec.gps.accuracy_m, 3.0)


def test_one_csv_with_a_time_column_per_sensor(tmp_path: Path) -> None:
    # Multi-sensor experiments: "Time (s)",acc x,y,z,"Time (s)",gyro x,y,z; the gyroscope buffer is shorter.
    sig = ex.signal()
    n_gyr = len(sig.time_s) - 7
    t_gyr = sig.time_s[:n_gyr] + 0.004
    header = [*ex.RAW_WITH_G, "Time (s)", "Gyroscope x (rad/s)", "Gyroscope y (rad/s)", "Gyroscope z (rad/s)"]
    rows = ['"' + '","'.join(header) + '"']
    gyr = np.radians(sig.gyr_dps)
    for i, t in enumerate(sig.time_s.tolist()):
        acc = ",".join(str(v) for v in (t, *sig.acc_ms2[i].tolist()))
        rest = ",".join(str(v) for v in (t_gyr[i], *gyr[i].tolist())) if i < n_gyr else ",,,"
        rows.append(f"{acc},{rest}")
    files = {"Raw Data.csv": "\n".join(rows) + "\n"}
    rec = ingest.load(ex.write_files(tmp_path / "exp", files, as_zip=True))
    assert rec.gyr_dps is not None
    inside = (sig.time_s >= t_gyr[0]) & (sig.time_s <= t_gyr[-1])
    np.testing.assert_allclose(rec.time_s, sig.time_s[inside])
    np.testing.assert_allclose(rec.acc_ms2, sig.acc_ms2[inside])
    expected = np.column_stack([np.interp(rec.time_s, t_gyr, sig.gyr_dps[:n_gyr, k]) for k in range(3)])
    np.testing.assert_allclose(rec.gyr_dps, expected, atol=1e-9)


@pytest.mark.parametrize("as_zip", [False, True])
def test_two_recordings_side_by_side_are_refused_with_the_list(tmp_path: Path, as_zip: bool) -> None:
    """Accelerometer.csv + Gyroscope.csv beside Accelerometer_2.csv + Gyroscope_2.csv: not the first one silently."""
    sig = ex.signal()
    acc = ex.phyphox_csv(sig.time_s, sig.acc_ms2, ex.PER_SENSOR_ACC)
    gyr = ex.phyphox_csv(sig.time_s, np.radians(sig.gyr_dps), ex.PER_SENSOR_GYR)
    files = {"Accelerometer.csv": acc, "Gyroscope.csv": gyr, "Accelerometer_2.csv": acc, "Gyroscope_2.csv": gyr}
    with pytest.raises(IngestError) as err:
        ingest.load(ex.write_files(tmp_path / "exp", files, as_zip=as_zip))
    assert err.value.reason == "several_recordings"
    message = str(err.value)
    assert "2 recordings" in message
    assert "Accelerometer.csv + Gyroscope.csv; Accelerometer_2.csv + Gyroscope_2.csv" in message
    assert "Accelerometer_2.csv (its gyroscope is then left out)" in message  # how to take the other one


def test_one_recording_with_numbered_names_is_not_taken_for_two(tmp_path: Path) -> None:
    sig = ex.signal()
    files = {
        "Accelerometer_2.csv": ex.phyphox_csv(sig.time_s, sig.acc_ms2, ex.PER_SENSOR_ACC),
        "Gyroscope_2.csv": ex.phyphox_csv(sig.time_s, np.radians(sig.gyr_dps), ex.PER_SENSOR_GYR),
    }
    rec = ingest.load(ex.write_files(tmp_path / "exp", files, as_zip=False))
    np.testing.assert_allclose(rec.gyr_dps, sig.gyr_dps, rtol=1e-7, atol=1e-6)
