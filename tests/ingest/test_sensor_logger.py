"""Sensor Logger exports: gravity-inclusive acceleration chosen right, z,y,x order, units, signs, metadata, GPS."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import ingest
from ingest import IngestError
from tests.ingest import exports as ex


@pytest.mark.parametrize("as_zip", [True, False])
def test_android_total_acceleration_zip_and_folder(tmp_path: Path, as_zip: bool) -> None:
    sig = ex.signal()
    path = ex.write_files(tmp_path / "2024-01-01_10-00-00", ex.sensor_logger_android(sig), as_zip=as_zip)
    rec = ingest.load(path)
    assert rec.source["format"] == "sensor_logger"
    assert rec.source["acc_source"] == "TotalAcceleration.csv"
    np.testing.assert_allclose(rec.time_s, sig.time_s, atol=1e-6)
    np.testing.assert_allclose(rec.acc_ms2, sig.acc_ms2, atol=1e-9)  # x, y, z back in order from z, y, x
    np.testing.assert_allclose(rec.gyr_dps, sig.gyr_dps, atol=1e-6)  # rad/s -> deg/s
    assert rec.source["app_version"] == "1.60.0"
    assert rec.source["device"] == "SM-S721B"
    assert rec.source["rate_hz"] == pytest.approx(100.0, rel=1e-6)
    assert rec.gps is not None and len(rec.gps.time_s) == 5
    np.testing.assert_allclose(rec.gps.lon_deg, 25.0 + rec.gps.time_s * 1e-5, atol=1e-9)
    np.testing.assert_allclose(rec.gps.accuracy_m, 4.0)


def test_achieved_rate_not_requested(tmp_path: Path) -> None:
    # Metadata asks for 10 ms; the phone delivered 16 ms (62.5 Hz), as the real Android 1.60.0 export did.
    sig = ex.signal(rate_hz=62.5)
    rec = ingest.load(ex.write_files(tmp_path / "r", ex.sensor_logger_android(sig), as_zip=True))
    assert rec.source["rate_hz"] == pytest.approx(62.5, rel=1e-6)
    assert rec.source["requested_rate_ms"] == "10|10"


def test_ios_uncalibrated_in_g_is_scaled_and_negated(tmp_path: Path) -> None:
    sig = ex.signal()
    rec = ingest.load(ex.write_files(tmp_path / "r", ex.sensor_logger_ios(sig, kind="uncalibrated"), as_zip=True))
    assert rec.source["acc_source"] == "AccelerometerUncalibrated.csv"
    assert rec.source["sign_convention"] == "ios_negated"
    np.testing.assert_allclose(rec.acc_ms2, sig.acc_ms2, atol=1e-9)
    assert rec.acc_ms2[:, 2].mean() > 9.0  # gravity points up, as on Android


def test_ios_accelerometer_plus_gravity(tmp_path: Path) -> None:
    sig = ex.signal()
    rec = ingest.load(ex.write_files(tmp_path / "r", ex.sensor_logger_ios(sig, kind="gravity"), as_zip=False))
    assert rec.source["acc_source"] == "Accelerometer.csv+Gravity.csv"
    np.testing.assert_allclose(rec.acc_ms2, sig.acc_ms2, atol=1e-9)


def test_android_accelerometer_plus_gravity_keeps_sign(tmp_path: Path) -> None:
    sig = ex.signal()
    files = ex.sensor_logger_android(sig, gps=False)
    del files["TotalAcceleration.csv"]
    files["Gravity.csv"] = ex.sl_axis_csv(sig.time_s, np.tile([0.0, 0.0, ex.G], (len(sig.time_s), 1)))
    rec = ingest.load(ex.write_files(tmp_path / "r", files, as_zip=True))
    np.testing.assert_allclose(rec.acc_ms2, sig.acc_ms2, atol=1e-9)


@pytest.mark.parametrize("generation", sorted(ex.SL_METADATA))
def test_every_metadata_generation(tmp_path: Path, generation: str) -> None:
    sig = ex.signal(duration_s=2)
    files = ex.sensor_logger_android(sig, metadata=generation, gps=False)
    if generation.startswith("ios"):
        files = ex.sensor_logger_ios(sig, kind="uncalibrated")
        files["Metadata.csv"] = "\n".join(ex.SL_METADATA[generation]) + "\n"
    rec = ingest.load(ex.write_files(tmp_path / "r", files, as_zip=True))
    assert rec.source["app_version"] == generation.split("_")[1]
    assert rec.source["platform"] == generation.split("_")[0]


def test_linear_accelerometer_only_is_refused(tmp_path: Path) -> None:
    sig = ex.signal()
    files = ex.sensor_logger_android(sig, gps=False)
    del files["TotalAcceleration.csv"]
    with pytest.raises(IngestError, match="without gravity") as err:
        ingest.load(ex.write_files(tmp_path / "r", files, as_zip=True))
    assert err.value.reason == "gravity_missing"


def test_files_nested_in_a_folder_inside_the_zip(tmp_path: Path) -> None:
    sig = ex.signal(duration_s=2)
    files = {f"2024-01-01_10-00-00/{k}": v for k, v in ex.sensor_logger_android(sig, gps=False).items()}
    files["__MACOSX/._TotalAcceleration.csv"] = b"\x00\x05junk"
    rec = ingest.load(ex.write_files(tmp_path / "r", files, as_zip=True))
    np.testing.assert_allclose(rec.acc_ms2, sig.acc_ms2, atol=1e-9)


def test_single_total_acceleration_csv(tmp_path: Path) -> None:
    sig = ex.signal(duration_s=2)
    path = tmp_path / "TotalAcceleration.csv"
    path.write_text(ex.sl_axis_csv(sig.time_s, sig.acc_ms2))
    rec = ingest.load(path)
    assert rec.source["format"] == "sensor_logger"
    np.testing.assert_allclose(rec.acc_ms2, sig.acc_ms2, atol=1e-9)
    assert rec.gyr_dps is None


def test_accelerometer_plus_gravity_without_metadata_asks_for_it_for_a_foot(tmp_path: Path) -> None:
    # elsewhere the sign does not matter and Android's is taken with a note (tests/ingest/test_qa19_phone_exports.py)
    sig = ex.signal()
    files = ex.sensor_logger_ios(sig, kind="gravity")
    del files["Metadata.csv"]
    with pytest.raises(IngestError, match=r"include Metadata\.csv") as err:
        ingest.load(ex.write_files(tmp_path / "r", files, as_zip=True), placement="foot")
    assert err.value.reason == "unknown_platform"
