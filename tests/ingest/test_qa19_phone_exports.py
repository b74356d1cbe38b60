"""QA19b findings on phone-app exports we mishandled (#1, #3, #4, #12, #15), each on a real export of
../shared/data/dev or a variant of it derived here: a Sensor Logger axis file renamed, an export without Metadata.csv,
the Apple Watch's WristMotion.csv, SensorLog's motion-only columns and generic linear + gravity columns."""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

import ingest
from gait.consts import GRAVITY_MS2
from gait.types import Placement, Recording
from ingest import IngestError

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "dev"
PHONE = SHARED / "phone_exports"
ANDROID = PHONE / "sensor_logger_android_v1.60.0" / "recording_1"
"""A real Android export: TotalAcceleration, linear Accelerometer, AccelerometerUncalibrated, Gyroscope, Metadata."""
IOS = PHONE / "sensor_logger_ios_v1.10.4" / "2022-09-16_11-15-46"
"""A real iOS export with Accelerometer (user acceleration) + Gravity, AccelerometerUncalibrated (g), Gyroscope."""

pytestmark = [pytest.mark.shared, pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared data not at {SHARED}")]


def _columns(path: Path) -> dict[str, np.ndarray]:
    """A CSV's columns by name, as floats (Sensor Logger's epoch ns kept exact as int64 in 'time')."""
    rows = list(csv.reader(io.StringIO(path.read_text())))
    cols = {name: np.array([r[i] for r in rows[1:]]) for i, name in enumerate(rows[0])}
    return {k: (v.astype(np.int64) if k == "time" else v.astype(np.float64)) for k, v in cols.items()}


# --- finding 1: an unedited Sensor Logger axis file is known by its header, whatever its name --------------------


@pytest.mark.parametrize("name", ["TotalAcceleration (1).csv", "walk_2026-06-18.csv", "TotalAcceleration.csv.gz"])
def test_a_renamed_total_acceleration_is_sensor_loggers(tmp_path: Path, name: str) -> None:
    original = ingest.load(ANDROID / "TotalAcceleration.csv")
    raw = (ANDROID / "TotalAcceleration.csv").read_bytes()
    path = tmp_path / name
    path.write_bytes(gzip.compress(raw) if name.endswith(".gz") else raw)
    rec = ingest.load(path)
    assert rec.source["format"] == "sensor_logger" and ingest.is_phone_recording(rec)  # so: pocket, not lower back
    assert rec.source["acc_source"] == "TotalAcceleration.csv"
    np.testing.assert_array_equal(rec.acc_ms2, original.acc_ms2)
    np.testing.assert_array_equal(rec.time_s, original.time_s)
    assert any("read as Sensor Logger's TotalAcceleration.csv" in n for n in rec.source["notes"])


def test_a_renamed_ios_uncalibrated_file_is_read_as_one(tmp_path: Path) -> None:
    # in g: only iOS's AccelerometerUncalibrated.csv is; the same scaling and sign as under its own name
    original = ingest.load(IOS / "AccelerometerUncalibrated.csv")
    path = tmp_path / "my walk.csv"
    path.write_bytes((IOS / "AccelerometerUncalibrated.csv").read_bytes())
    rec = ingest.load(path)
    assert rec.source["acc_source"] == "AccelerometerUncalibrated.csv"
    np.testing.assert_array_equal(rec.acc_ms2, original.acc_ms2)
    assert np.linalg.norm(rec.acc_ms2.mean(axis=0)) == pytest.approx(GRAVITY_MS2, rel=0.05)


def test_a_renamed_file_without_gravity_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "walk.csv"
    path.write_bytes((ANDROID / "Accelerometer.csv").read_bytes())  # linear acceleration: no gravity
    with pytest.raises(IngestError, match="one part of a Sensor Logger export") as err:
        ingest.load(path)
    assert err.value.reason == "gravity_missing"


def test_an_xyz_table_not_headed_as_sensor_loggers_stays_generic(tmp_path: Path) -> None:
    # the header edited by its owner (the shared file) is a generic CSV, as before
    edited = PHONE / "sensor_logger_android_header_edited" / "Longwalking.csv"
    assert ingest.detect_format(ingest.archive.open_bundle(edited)) == "generic_csv"
    lines = (ANDROID / "TotalAcceleration.csv").read_text().splitlines()
    path = tmp_path / "walk.csv"
    path.write_text("\n".join(["time,seconds_elapsed,x,y,z", *lines[1:]]) + "\n")  # not the app's z,y,x order
    assert ingest.load(path).source["format"] == "generic_csv"


# --- finding 12: Accelerometer + Gravity without Metadata.csv -----------------------------------------------------


def _lin_grav_zip(tmp_path: Path, *, metadata: bool) -> Path:
    path = tmp_path / ("with_meta.zip" if metadata else "without_meta.zip")
    with zipfile.ZipFile(path, "w") as zf:
        for name in ("Accelerometer.csv", "Gravity.csv", "Gyroscope.csv") + (("Metadata.csv",) if metadata else ()):
            zf.write(IOS / name, name)
    return path


def test_accelerometer_plus_gravity_without_metadata_is_read_with_a_note(tmp_path: Path) -> None:
    with_meta = ingest.load(_lin_grav_zip(tmp_path, metadata=True))
    rec = ingest.load(_lin_grav_zip(tmp_path, metadata=False))
    # the platform unknown, Android's sign is taken: the whole vector negated against the iOS reading, so the
    # vertical (found from the data) and everything along it are the same
    np.testing.assert_allclose(rec.acc_ms2, -with_meta.acc_ms2, atol=1e-12)
    np.testing.assert_allclose(rec.time_s, with_meta.time_s)
    assert rec.source["sign_convention"] == "android"
    assert any("Metadata.csv is missing" in n and "Android's sign" in n for n in rec.source["notes"])


def test_accelerometer_plus_gravity_without_metadata_is_refused_for_a_foot(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"include Metadata\.csv") as err:
        ingest.load(_lin_grav_zip(tmp_path, metadata=False), placement="foot")
    assert err.value.reason == "unknown_platform"


# --- finding 15: Sensor Logger's Apple Watch file, WristMotion.csv ------------------------------------------------

WATCH_META = (
    "version,device name,recording time,platform,appVersion,device id,sensors,sampleRateMs,standardisation\n"
    "3,iPhone 12 mini,2022-09-16_11-15-46,ios,1.40.0,abc,WristMotion|Annotation,10|,{std}\n"
)


def _wrist_motion(*, standardised: bool) -> str:
    """WristMotion.csv in the layout public loaders of Sensor Logger's watch export read, its samples the real iOS
    export's: user acceleration and gravity in g with Apple's sign (standardisation off), or in m/s^2 with Android's
    sign (on); the gyroscope in rad/s."""
    acc, grav, gyr = (_columns(IOS / f) for f in ("Accelerometer.csv", "Gravity.csv", "Gyroscope.csv"))
    assert np.array_equal(acc["time"], grav["time"]) and np.array_equal(acc["time"], gyr["time"])
    scale = -1.0 if standardised else 1.0 / GRAVITY_MS2
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    axes = ("X", "Y", "Z")
    writer.writerow(
        ["time", "seconds_elapsed"]
        + [f"rotationRate{a}" for a in axes]
        + [f"gravity{a}" for a in axes]
        + [f"acceleration{a}" for a in axes]
        + [f"quaternion{a}" for a in "WXYZ"]
    )
    for i in range(len(acc["time"])):
        writer.writerow(
            [acc["time"][i], acc["seconds_elapsed"][i]]
            + [gyr[a.lower()][i] for a in axes]
            + [grav[a.lower()][i] * scale for a in axes]
            + [acc[a.lower()][i] * scale for a in axes]
            + [1.0, 0.0, 0.0, 0.0]
        )
    return out.getvalue()


@pytest.mark.parametrize("standardised", [False, True])
def test_watch_only_export_is_read_as_a_wrist_recording(tmp_path: Path, standardised: bool) -> None:
    phone = ingest.load(_lin_grav_zip(tmp_path, metadata=True))  # the same samples as the phone's export reads them
    path = tmp_path / "watch.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("WristMotion.csv", _wrist_motion(standardised=standardised))
        zf.writestr("Metadata.csv", WATCH_META.format(std=str(standardised).lower()))
        zf.writestr("Annotation.csv", "")
    rec = ingest.load(path)
    assert rec.placement is Placement.WRIST and rec.source["device"] == "Apple Watch"
    np.testing.assert_allclose(rec.acc_ms2, phone.acc_ms2, atol=1e-9)
    np.testing.assert_allclose(rec.gyr_dps, phone.gyr_dps, atol=1e-9)
    assert ingest.load(path, placement="hand").placement is Placement.HAND  # the walker's word wins


def test_wrist_motion_csv_alone_without_metadata(tmp_path: Path) -> None:
    phone = ingest.load(_lin_grav_zip(tmp_path, metadata=True))
    path = tmp_path / "WristMotion (2).csv"
    path.write_text(_wrist_motion(standardised=False))
    rec = ingest.load(path)
    # no Metadata.csv: the unit from gravity's size (1 g), Apple's sign
    np.testing.assert_allclose(rec.acc_ms2, phone.acc_ms2, atol=1e-9)
    assert rec.placement is Placement.WRIST
    assert any("Apple Watch" in n for n in rec.source["notes"])


def test_watch_file_beside_the_phones_files_is_named_as_not_used(tmp_path: Path) -> None:
    path = tmp_path / "both.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name in ("TotalAcceleration.csv", "Metadata.csv"):
            zf.write(ANDROID / name, name)
        zf.writestr("WristMotion.csv", _wrist_motion(standardised=False))
    rec = ingest.load(path)
    assert rec.source["acc_source"] == "TotalAcceleration.csv" and rec.placement is None
    assert any("WristMotion.csv (the Apple Watch's motion) was not used" in n for n in rec.source["notes"])


# --- finding 4: a generic CSV with linear acceleration and gravity columns, no total ------------------------------

LAB = PHONE / "phyphox_acc_gyro_dfb_lab" / "Accelerometer.csv"
"""A real phyphox walk: acceleration with gravity in m/s^2 (about 50 Hz)."""


def _split(rec: Recording) -> tuple[np.ndarray, np.ndarray]:
    """Gravity (a 2 s moving mean, as a logger's gravity sensor low-passes) and the rest: linear acceleration."""
    k = round(2.0 * rec.source["rate_hz"])
    kernel = np.ones(k) / k
    gravity = np.column_stack([np.convolve(rec.acc_ms2[:, i], kernel, mode="same") for i in range(3)])
    return rec.acc_ms2 - gravity, gravity


def _table(path: Path, header: list[str], columns: list[np.ndarray]) -> Path:
    rows = np.column_stack(columns)
    path.write_text(",".join(header) + "\n" + "\n".join(",".join(repr(float(v)) for v in r) for r in rows) + "\n")
    return path


def test_linear_plus_gravity_columns_are_summed(tmp_path: Path) -> None:
    lab = ingest.load(LAB)
    linear, gravity = _split(lab)
    header = ["time", *(f"linear_acc_{a}" for a in "xyz"), *(f"gravity_{a}" for a in "xyz")]
    rec = ingest.load(_table(tmp_path / "android_logger.csv", header, [lab.time_s, linear, gravity]))
    np.testing.assert_allclose(rec.acc_ms2, lab.acc_ms2, atol=1e-9)
    assert any("plus the gravity ('gravity_x'" in n for n in rec.source["notes"])


def test_gravity_free_acceleration_beside_gravity_columns_gets_them_added(tmp_path: Path) -> None:
    # an iOS Core Motion logger's layout: accX.. = userAcceleration in g, gravX.. = gravity in g (Apple's sign)
    lab = ingest.load(LAB)
    linear, gravity = _split(lab)
    header = ["timestamp", "accX", "accY", "accZ", "gravX", "gravY", "gravZ", "label"]
    epoch_s = 1_714_642_867.25 + lab.time_s
    cols = [epoch_s, -linear / GRAVITY_MS2, -gravity / GRAVITY_MS2, np.zeros(len(epoch_s))]
    rec = ingest.load(_table(tmp_path / "ios_logger.csv", header, cols))
    np.testing.assert_allclose(rec.acc_ms2, -lab.acc_ms2, atol=1e-9)
    assert rec.source["acc_unit"].startswith("g")


def test_acceleration_with_gravity_beside_gravity_columns_is_kept(tmp_path: Path) -> None:
    lab = ingest.load(LAB)
    _, gravity = _split(lab)
    header = ["time_s", "acc_x", "acc_y", "acc_z", "gravity_x", "gravity_y", "gravity_z"]
    rec = ingest.load(_table(tmp_path / "total_and_gravity.csv", header, [lab.time_s, lab.acc_ms2, gravity]))
    np.testing.assert_allclose(rec.acc_ms2, lab.acc_ms2, atol=1e-9)  # gravity not added twice


def test_linear_acceleration_alone_is_named(tmp_path: Path) -> None:
    lab = ingest.load(LAB)
    linear, _ = _split(lab)
    header = ["time", *(f"linear_acc_{a}" for a in "xyz")]
    with pytest.raises(IngestError, match=r"linear acceleration only \('linear_acc_x'") as err:
        ingest.load(_table(tmp_path / "linear.csv", header, [lab.time_s, linear]))
    assert err.value.reason == "gravity_missing"
