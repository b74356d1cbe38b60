"""Compatibility check against the real exports in ../shared/data/dev (skipped when that folder is absent).

Every file either loads with plausible properties or is refused with a message that says why it cannot be used.
Run with ``-s`` to see the table: rate, duration, gravity, units and the analysis summary.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pytest

import ingest
from gait.consts import GRAVITY_MS2
from gait.gps import track_distance_m
from gait.types import Placement
from gait.validate import MIN_ACCEPTED_RATE_HZ
from ingest import IngestError
from ingest.archive import open_bundle
from ingest.phyphox import read_gps

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "dev"
pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared data not present at {SHARED} (a fresh clone has none)"),
]

#: Inputs that cannot be used, with the reason the reader must give (every other input must load).
REFUSED = {
    "phone_exports/phyphox_acceleration_without_g_iphone": "gravity_missing",
    "phone_exports/phyphox_acceleration_without_g_iphone/dj_WalkingRawData.csv": "gravity_missing",
    "phone_exports/phyphox_acceleration_without_g_iphone/Raw Data.csv": "gravity_missing",
    "phone_exports/phyphox_linear_acc_plus_gps_walks/rimputus": "gravity_missing",
    "phone_exports/phyphox_linear_acc_plus_gps_walks/t2koan07": "gravity_missing",
    "phone_exports/androsensor_walking/walking1.csv": "rate_too_low",
    "phone_exports/apple_health_export_ios12/export.xml": "summary_export",
    "phone_exports/phyphox_linear_acc_plus_gps_walks/rimputus/Accelerometer.csv": "gravity_missing",
    "phone_exports/phyphox_linear_acc_plus_gps_walks/t2koan07/Accelerometer.csv": "gravity_missing",
    "phone_exports/phyphox_linear_acc_plus_gps_walks/rimputus/Location.csv": "missing_columns",
    "phone_exports/phyphox_linear_acc_plus_gps_walks/t2koan07/Location.csv": "missing_columns",
    "phone_exports/phyphox_misc_adtngrha/Linear Acceleration.csv": "gravity_missing",
    # Its Gyroscope.csv header says deg/s (edited, SOURCE.txt) over phyphox's rad/s values: gravity's direction turns
    # 57 times as fast as those values read in deg/s, so the unit is refused, with the factor, as g under m/s^2 is.
    "phone_exports/phyphox_misc_adtngrha": "gyro_units_look_like_rad",
    "phone_exports/phyphox_misc_adtngrha/Gyroscope.csv": "missing_columns",
    "phone_exports/phyphox_acc_gyro_dfb_lab/Gyroscope.csv": "missing_columns",
    "phone_exports/phyphox_acc_gyro_dfb_lab/Gyroscope_2.csv": "missing_columns",
    # Two phyphox recordings side by side (Accelerometer.csv, Accelerometer_2.csv...): each file loads on its own.
    "phone_exports/phyphox_acc_gyro_dfb_lab": "several_recordings",
    # Three unrelated edited CSVs in one folder: each loads on its own, the folder is ambiguous.
    "phone_exports/sensor_logger_android_header_edited": "ambiguous",
}


def _is_export_folder(path: Path) -> bool:
    names = {p.name for p in path.iterdir()}
    return bool(names & {"Metadata.csv", "meta", "Location.csv", "Gyroscope.csv", "TotalAcceleration.csv"})


def inputs() -> list[str]:
    """Export folders as a whole, plus every loose CSV, zip and XML one by one (except inside Sensor Logger
    folders and phyphox ``meta/``, whose files are parts of one recording)."""
    if not SHARED.is_dir():
        return []
    found: list[str] = []
    for top in ("phone_exports", "ble_sensor_exports", "gaitpy_demo_geneactiv_lumbar"):
        for path in sorted((SHARED / top).rglob("*")):
            rel = path.relative_to(SHARED).as_posix()
            if path.is_dir():
                if _is_export_folder(path):
                    found.append(rel)
                continue
            part_of_export = (path.parent / "Metadata.csv").exists() or path.parent.name == "meta"
            if path.suffix in (".zip", ".xml", ".csv") and not part_of_export and "features" not in path.name:
                found.append(rel)
    oxford = SHARED / "oxford_step_counter" / "optimisation" / "data"
    found += [p.relative_to(SHARED).as_posix() for p in sorted(oxford.glob("*/accelerometer.csv.gz"))[:4]]
    return found


def _analysis_summary(rec: ingest.Recording) -> str:  # type: ignore[name-defined]
    try:
        analysis = importlib.import_module("gait.analysis")
    except ImportError:
        return "(gait.analysis not available yet)"
    result = analysis.analyze(rec, placement=rec.placement or Placement.POCKET)
    summary = result.summary if isinstance(result.summary, dict) else result.summary()
    keys = ("steps", "cadence_spm", "stride_length_m", "distance_m")
    text = " ".join(f"{k}={summary.get(k)!s:.6}" for k in keys)
    return text + (f" reason={result.reason}" if result.reason else "")


@pytest.mark.parametrize("rel", inputs())
def test_real_export(rel: str) -> None:
    path = SHARED / rel
    try:
        rec = ingest.load(path)
    except IngestError as exc:
        print(f"\nREFUSED {rel}: [{exc.reason}] {exc}")
        assert rel in REFUSED, f"{rel} should load but was refused: {exc}"
        assert exc.reason == REFUSED[rel]
        return
    assert rel not in REFUSED, f"{rel} should be refused with {REFUSED[rel]}"
    src = rec.source
    norm = np.linalg.norm(rec.acc_ms2, axis=1)
    gravity = bool(abs(np.median(norm) - GRAVITY_MS2) < 1.5)
    print(
        f"\nLOADED  {rel}: {src['format']} {src['rate_hz']:.1f} Hz, {rec.duration_s:.1f} s, gravity={gravity}, "
        f"units={src.get('units')}, gyro={rec.gyr_dps is not None}, gps={rec.gps is not None}\n"
        f"        analysis: {_analysis_summary(rec)}"
    )
    assert gravity, f"{rel}: median |a| {np.median(norm):.2f} m/s^2 is not gravity"
    assert src["rate_hz"] >= MIN_ACCEPTED_RATE_HZ  # 20 Hz, less a nominal 20 Hz logger's clock jitter
    assert rec.duration_s > 1.0


def test_apple_health_sample_summarises() -> None:
    summary = ingest.read_apple_health(SHARED / "phone_exports/apple_health_export_ios12/export.xml")
    assert summary.record_counts["StepCount"] == 1588
    assert summary.record_counts["DistanceWalkingRunning"] == 1587
    # Apple's own per-interval step length on this phone is about 0.6-0.7 m (SOURCE.txt: 0.69 m for one record).
    lengths = [d.step_length_m for d in summary.days if d.step_length_m is not None and d.steps > 1000]
    assert lengths and 0.5 < float(np.median(lengths)) < 0.8
    print(f"\nHEALTH  {len(summary.days)} days, {len(summary.walks)} walks, median step {np.median(lengths):.2f} m")


@pytest.mark.parametrize(("walk", "path_m"), [("rimputus", 1004.0), ("t2koan07", 985.0)])
def test_phyphox_gps_track_of_the_finnish_walks(walk: str, path_m: float) -> None:
    # SOURCE.txt: raw haversine path length about 1004 m and 985 m; their acceleration lacks gravity, but the
    # GPS track alone must still read right.
    track = read_gps(open_bundle(SHARED / "phone_exports/phyphox_linear_acc_plus_gps_walks" / walk))
    assert track is not None
    dist = track_distance_m(track)
    print(f"\nGPS     {walk}: {len(track.time_s)} fixes, {dist:.0f} m raw path over {track.time_s[-1]:.0f} s")
    assert dist == pytest.approx(path_m, rel=0.02)


def test_real_geneactiv_file_is_dated_in_its_own_zone() -> None:
    # Its rows start 2019-08-06 10:25:50 on the device's clock, and its header says 'Time Zone,GMT -04'.
    rec = ingest.load(SHARED / "gaitpy_demo_geneactiv_lumbar" / "demo_data.csv", placement="lower_back")
    assert rec.source["started_at"] == "2019-08-06T10:25:50-04:00"


def test_real_geneactiv_file_says_where_it_was_worn() -> None:
    # Its header says 'Device Location Code,back' (gaitpy's lumbar demo): lower back unless the user says otherwise.
    path = SHARED / "gaitpy_demo_geneactiv_lumbar" / "demo_data.csv"
    assert ingest.load(path).placement == Placement.LOWER_BACK
    assert ingest.load(path, placement="waist").placement == Placement.WAIST


def test_a_phone_analysed_as_lower_back_is_not_trusted_for_coaching() -> None:
    # A Sensor Logger iPhone recording whose gyroscope turns at 386 deg/s (95th percentile) while walking: a phone on
    # a limb, not a sensor on the lower back. Chosen "lower back" by mistake, its pendulum lengths must not coach.
    from gait.analysis import analyze

    rec = ingest.load(SHARED / "phone_exports" / "sensor_logger_ios_v1.10.4" / "2022-09-26_15-32-56")
    result = analyze(rec, placement="lower_back", body_height_m=1.75)
    trusted = [s for s in result.strides if s.confidence >= 0.6]
    assert len(result.strides) >= 100
    assert len(trusted) <= 0.1 * len(result.strides)
    assert any(n.startswith("placement check") for n in result.notes)
