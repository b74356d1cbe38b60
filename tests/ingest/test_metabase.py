"""A MetaBase session (one CSV per sensor, zipped or in a folder) read as one recording."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import ingest
from gait.analysis import analyze
from ingest import IngestError
from ingest.metabase import device_of
from tests.ingest import exports as ex
from tests.sample_data import Sample, sample

EPOC0_MS = 1659731173153  # 2022-08-05 20:26:13.153 UTC
GYR_LAG_S = 0.003  # the gyroscope samples 3 ms after the accelerometer, as two sensors stamped on their own do
MAC = "C5:E7:A3:B1:F2:D0"
KEPT = slice(4, -2)  # the accelerometer's samples within the gyroscope's span
ACC_HEADER = "epoc (ms),timestamp (-0500),elapsed (s),x-axis (g),y-axis (g),z-axis (g)"
GYR_HEADER = "epoc (ms),timestamp (-0500),elapsed (s),x-axis (deg/s),y-axis (deg/s),z-axis (deg/s)"


def _name(sensor: str, mac: str = MAC) -> str:
    return f"MetaWear_2022-08-05T16.26.13.153_{mac}_{sensor}_100.000Hz_1.4.5.csv"


def _metabase_csv(header: str, time_s: np.ndarray, xyz: np.ndarray) -> str:
    """A MetaBase file: epoch ms, local time text, elapsed s from the file's first row, three axes."""
    epoc_ms = EPOC0_MS + np.round(time_s * 1000).astype(np.int64)
    rows = [header]
    for ms, v in zip(epoc_ms.tolist(), xyz.tolist(), strict=True):
        rows.append(f"{ms},2022-08-05T15.26.13.153,{(ms - epoc_ms[0]) / 1000:.3f},{v[0]:.5f},{v[1]:.5f},{v[2]:.5f}")
    return "\n".join(rows) + "\n"


def _foot() -> Sample:
    return sample("gaitmap_left_foot")


def _gyr_rows(s: Sample) -> tuple[np.ndarray, np.ndarray]:
    """The gyroscope as its own sensor samples it: ``GYR_LAG_S`` after each accelerometer sample, starting three
    samples later and stopping two earlier than the accelerometer (physically the source's, interpolated)."""
    rec = s.recording
    t = rec.time_s[3:-2] + GYR_LAG_S
    return t, np.column_stack([np.interp(t, rec.time_s, rec.gyr_dps[:, i]) for i in range(3)])


def _session(s: Sample, **extra: str) -> dict[str, str]:
    rec = s.recording
    gyr_t, gyr = _gyr_rows(s)
    return {
        _name("Accelerometer"): _metabase_csv(ACC_HEADER, rec.time_s, rec.acc_ms2 / ex.G),
        _name("Gyroscope"): _metabase_csv(GYR_HEADER, gyr_t, gyr),
        **extra,
    }


@pytest.mark.parametrize("as_zip", [True, False])
def test_accelerometer_and_gyroscope_files_read_as_one_recording(tmp_path: Path, as_zip: bool) -> None:
    s = _foot()
    path = ex.write_files(tmp_path / "session", _session(s), as_zip=as_zip)
    assert ingest.detect_format(ingest.archive.open_bundle(path)) == "metawear"
    rec = ingest.load(path, placement="foot")
    src = s.recording
    assert rec.source["format"] == "metawear"
    assert rec.source["has_gyroscope"] and rec.source["gyr_file"] == _name("Gyroscope")
    assert rec.source["device_address"] == MAC
    assert rec.source["start_epoch_s"] == pytest.approx(EPOC0_MS / 1000, abs=1e-3)
    # on the accelerometer's time axis, cut to where the gyroscope runs (from 3 samples and 3 ms in, to 2 samples
    # less 3 ms from the end)
    assert rec.time_s[0] == pytest.approx(src.time_s[4], abs=1e-3) and len(rec.time_s) == len(src.time_s) - 6
    truth = src.gyr_dps[KEPT]
    gyr_t, gyr = _gyr_rows(s)

    def rms_from_truth(gyr_dps: np.ndarray) -> float:
        return float(np.sqrt(np.mean((gyr_dps - truth) ** 2)))

    # the source's gyroscope within interpolation error: that of interpolating the gyroscope's own rows, at their
    # true times, onto the accelerometer's (a foot's sharp turns at 205 Hz: about 8 % of its RMS), and ms stamps
    interpolated = np.column_stack([np.interp(src.time_s[KEPT], gyr_t, gyr[:, i]) for i in range(3)])
    assert rms_from_truth(rec.gyr_dps) < 1.05 * rms_from_truth(interpolated)
    # ms stamps move a sample by up to 0.5 ms: about 1 deg/s RMS here
    assert float(np.sqrt(np.mean((rec.gyr_dps - interpolated) ** 2))) < 0.02 * float(np.sqrt(np.mean(truth**2)))
    # lined up by 'epoc', not by each file's own 'elapsed' (which would shift the gyroscope by 3 samples and 3 ms)
    by_elapsed = np.column_stack([np.interp(rec.time_s, gyr_t - gyr_t[0], gyr[:, i]) for i in range(3)])
    assert rms_from_truth(rec.gyr_dps) < 0.3 * rms_from_truth(by_elapsed)
    np.testing.assert_allclose(rec.acc_ms2, src.acc_ms2[KEPT], atol=1e-4 * ex.G)


def test_a_session_zip_gives_the_strides_of_its_gait_csv(tmp_path: Path) -> None:
    s = _foot()
    path = ex.write_files(tmp_path / "session", _session(s), as_zip=True)
    heights = {"body_height_m": s.recording.body_height_m, "sensor_height_m": s.recording.sensor_height_m}
    rec = dataclasses.replace(ingest.load(path, placement="foot"), **heights)
    from_zip = analyze(rec, placement=s.placement, sensor_side=s.side).strides
    from_csv = analyze(s.recording, placement=s.placement, sensor_side=s.side).strides
    assert len(from_zip) == len(from_csv) > 10
    np.testing.assert_allclose([x.start_s for x in from_zip], [x.start_s for x in from_csv], atol=0.011)
    np.testing.assert_allclose([x.length_m for x in from_zip], [x.length_m for x in from_csv], atol=0.02)


def test_other_sensors_files_are_left_out_with_a_note(tmp_path: Path) -> None:
    s = _foot()
    t = s.recording.time_s[::10]
    extra = {
        _name("Magnetometer"): _metabase_csv(
            "epoc (ms),timestamp (-0500),elapsed (s),x-axis (T),y-axis (T),z-axis (T)", t, np.ones((len(t), 3))
        ),
        # sensor fusion's linear acceleration is headed in g as the accelerometer is: its name tells it apart
        _name("Linear Acceleration"): _metabase_csv(ACC_HEADER, t, np.zeros((len(t), 3))),
    }
    rec = ingest.load(ex.write_files(tmp_path / "session", _session(s, **extra), as_zip=True), placement="foot")
    assert rec.source["has_gyroscope"]
    np.testing.assert_allclose(rec.acc_ms2, s.recording.acc_ms2[KEPT], atol=1e-4 * ex.G)
    (note,) = [n for n in rec.source["notes"] if "left out" in n]
    assert _name("Magnetometer") in note and _name("Linear Acceleration") in note
    assert "only a MetaBase session's Accelerometer and Gyroscope files are read" in note


def test_two_devices_are_refused_naming_them(tmp_path: Path) -> None:
    s = _foot()
    files = _session(s)
    other = "D1:02:03:04:05:06"
    files[_name("Accelerometer", other)] = files[_name("Accelerometer")]
    path = ex.write_files(tmp_path / "session", files, as_zip=True)
    with pytest.raises(IngestError, match=rf"MetaBase files of 2 devices \({MAC}: .*; {other}: .*one device's") as err:
        ingest.load(path, placement="foot")
    assert err.value.reason == "several_devices"


def test_a_gyroscope_only_session_is_refused(tmp_path: Path) -> None:
    files = {k: v for k, v in _session(_foot()).items() if "Gyroscope" in k}
    path = ex.write_files(tmp_path / "session", files, as_zip=True)
    with pytest.raises(IngestError, match=r"has no accelerometer file.*upload the session's Accelerometer") as err:
        ingest.load(path, placement="foot")
    assert err.value.reason == "missing_columns"


def test_device_of_reads_both_address_forms() -> None:
    assert device_of("walk_Sensor 2_2023-05-31T12.29.37.734_CCA00625B61F_Gyroscope_100.000Hz_1.3.6.csv") == (
        "CC:A0:06:25:B6:1F"
    )
    assert device_of(_name("Accelerometer")) == MAC
    assert device_of("Accelerometer.csv") is None


def test_a_gyroscope_of_another_time_is_left_out_with_a_note(tmp_path: Path) -> None:
    s = _foot()
    files = _session(s)
    gyr_t, gyr = _gyr_rows(s)
    files[_name("Gyroscope")] = _metabase_csv(GYR_HEADER, gyr_t + 3600.0, gyr)  # logged an hour later
    rec = ingest.load(ex.write_files(tmp_path / "session", files, as_zip=True), placement="foot")
    assert not rec.source["has_gyroscope"] and len(rec.time_s) == len(s.recording.time_s)
    assert any("covers too little of the accelerometer's 38.7 s" in n for n in rec.source["notes"])


def test_a_session_zipped_with_another_recording_is_refused_naming_it(tmp_path: Path) -> None:
    """A gait CSV beside the session is a recording of its own: the walker says which one is meant, as for any zip
    of several recordings (it was left out with a note, the walk analysed being perhaps not the one meant)."""
    files = _session(_foot())
    files["my_walk.csv"] = b"time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2\n0,0,0,9.8\n0.01,0,0,9.8\n"
    path = ex.write_files(tmp_path / "session", files, as_zip=True)
    with pytest.raises(IngestError, match=r"several recordings .*my_walk\.csv.*one recording at a time") as err:
        ingest.load(path, placement="foot")
    assert err.value.reason == "several_recordings"
