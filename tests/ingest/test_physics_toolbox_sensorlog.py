"""Physics Toolbox Sensor Suite and SensorLog exports, written from real sample recordings in each app's layout.

No real export of either app was available: the layouts (header names, time formats, units, signs) come from public
code that reads them (see ingest/csv_formats.py and ingest/sensorlog.py). Each fixture is a real recording from
``sample_recordings/`` converted to the app's units, sign, header and time format, printed at the app's precision;
the reader must give back the source's samples within that precision, and ``gait analyze`` the same steps.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

import ingest
from gait.analysis import analyze
from gait.consts import GRAVITY_MS2
from gait.types import Recording
from ingest import IngestError
from service.cli import main
from tests.sample_data import SAMPLES_DIR

G = GRAVITY_MS2
LOWER_BACK = SAMPLES_DIR / "mobgap_lower_back_daily_living.csv"  # 100 Hz, acc + gyro, 86 steps
IN_HAND = SAMPLES_DIR / "oxford_phone_in_hand.csv"  # irregular ~100 Hz, acc only


def source(path: Path) -> Recording:
    return ingest.load(path)


def fmt(values: np.ndarray, decimals: int, decimal: str) -> list[str]:
    text = [f"{v:.{decimals}f}" for v in values.tolist()]
    return [t.replace(".", decimal) for t in text] if decimal != "." else text


def write_rows(path: Path, header: list[str], columns: list[list[str]], sep: str, trailing: bool = False) -> Path:
    end = sep if trailing else ""
    lines = [sep.join(header) + end] + [sep.join(row) + end for row in zip(*columns, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def time_of_day(seconds: np.ndarray) -> list[str]:
    """Physics Toolbox (Android): 'HH:MM:SS:mmm', starting again at 00 after midnight."""
    ms = np.round(seconds * 1000).astype(np.int64) % (86_400 * 1000)
    return [f"{m // 3_600_000:02d}:{m // 60_000 % 60:02d}:{m // 1000 % 60:02d}:{m % 1000:03d}" for m in ms.tolist()]


def wall_clock(start: datetime, seconds: np.ndarray, *, digits: int = 4, zone: str = "") -> list[str]:
    """'2018-10-03 17:23:55.4640' (Physics Toolbox iOS, 4 digits) or SensorLog's 'YYYY-MM-DD HH:MM:SS.fff +0200'."""
    out = []
    for s in np.round(seconds, digits).tolist():
        when = start + timedelta(seconds=s)
        out.append(when.strftime("%Y-%m-%d %H:%M:%S.%f")[: 20 + digits] + zone)
    return out


def physics_toolbox(
    rec: Recording,
    path: Path,
    *,
    clock: str = "relative",
    sep: str = ",",
    gyro: bool = False,
    ios: bool = False,
    start_s: float = 0.0,
) -> Path:
    """Physics Toolbox g-Force Meter (acc only) or Multi Record (with wx, wy, wz and further columns)."""
    decimal = "," if sep == ";" else "."
    g = (-rec.acc_ms2 if ios else rec.acc_ms2) / G  # the iOS app passes Core Motion's sign on
    t = rec.time_s + start_s
    if clock == "relative":
        times = fmt(t, 6, decimal)
    elif clock == "time_of_day":
        times = time_of_day(t)
    else:
        times = wall_clock(datetime(2018, 10, 3, 17, 23, 55), rec.time_s)
    cols = [times] + [fmt(g[:, i], 4, decimal) for i in range(3)]
    header = ["time", "gFx", "gFy", "gFz"]
    if gyro:
        assert rec.gyr_dps is not None
        cols += [fmt(np.radians(rec.gyr_dps[:, i]), 4, decimal) for i in range(3)]
        cols += [fmt(np.full(len(t), v), 2, decimal) for v in (44.1, -12.3, 5.0, 1013.2, 180.0, 2.0, -3.0)]
        header += ["wx", "wy", "wz", "Bx", "By", "Bz", "p", "Azimuth", "Pitch", "Roll"]
        cols += [fmt(np.zeros(len(t)), 1, decimal)] * 3
        header += ["Latitude", "Longitude", "Speed (m/s)"]
    else:
        cols.append(fmt(np.linalg.norm(g, axis=1), 4, decimal))
        header.append("gFTotal" if ios else "TgF")
    return write_rows(path, header, cols, sep, trailing=sep == ";")


SENSORLOG_HEADER = [
    "loggingTime(txt)",
    "loggingSample(N)",
    "locationTimestamp_since1970(s)",
    "locationLatitude(WGS84)",
    "locationLongitude(WGS84)",
    "accelerometerTimestamp_sinceReboot(s)",
    "accelerometerAccelerationX(G)",
    "accelerometerAccelerationY(G)",
    "accelerometerAccelerationZ(G)",
    "gyroTimestamp_sinceReboot(s)",
    "gyroRotationX(rad/s)",
    "gyroRotationY(rad/s)",
    "gyroRotationZ(rad/s)",
    "motionTimestamp_sinceReboot(s)",
    "motionUserAccelerationX(G)",
    "motionUserAccelerationY(G)",
    "motionUserAccelerationZ(G)",
    "motionGravityX(G)",
    "motionGravityY(G)",
    "motionGravityZ(G)",
]
BOOT_S = 62_608.0  # the phone's clock since reboot at the first sample
START = datetime(2024, 5, 1, 8, 0, 1, 123000, tzinfo=UTC)  # written as 10:00:01.123 +0200


def sensorlog(rec: Recording, path: Path, *, gyro: bool = True, gyro_lag_s: float = 0.0, sep: str = ",") -> Path:
    """SensorLog rows: Core Motion's raw accelerometer in g with Apple's sign, gyroscope in rad/s on its own stamps
    (``gyro_lag_s`` later than the accelerometer's, as two sensors sampled apart), user acceleration and gravity."""
    n = len(rec.time_s)
    raw_g = -rec.acc_ms2 / G
    t_acc = BOOT_S + rec.time_s
    logging = wall_clock(START.replace(tzinfo=None) + timedelta(hours=2), rec.time_s, digits=3, zone=" +0200")
    gravity = np.tile(raw_g.mean(axis=0), (n, 1))
    cols = [logging, [str(i) for i in range(n)], fmt(1714550401.0 + rec.time_s, 3, "."), ["47.3"] * n, ["8.5"] * n]
    cols += [fmt(t_acc, 6, ".")] + [fmt(raw_g[:, i], 6, ".") for i in range(3)]
    header = list(SENSORLOG_HEADER)
    if gyro:
        assert rec.gyr_dps is not None
        # the gyroscope's own samples, at its own (slightly later) times: values interpolated there from the source
        t_g = rec.time_s + gyro_lag_s
        w = np.column_stack([np.interp(t_g, rec.time_s, rec.gyr_dps[:, i]) for i in range(3)])
        cols += [fmt(BOOT_S + t_g, 6, ".")] + [fmt(np.radians(w[:, i]), 6, ".") for i in range(3)]
    else:
        header = [h for h in header if not h.startswith("gyro")]
    cols += [fmt(t_acc, 6, ".")] + [fmt((raw_g - gravity)[:, i], 6, ".") for i in range(3)]
    cols += [fmt(gravity[:, i], 6, ".") for i in range(3)]
    return write_rows(path, header, cols, sep)


def steps_of(path: Path, capsys: pytest.CaptureFixture[str]) -> np.ndarray:
    assert main(["analyze", str(path), "--placement", "lower_back", "--json", "-"]) == 0
    return np.array([s["t_s"] for s in json.loads(capsys.readouterr().out)["steps"]])


def assert_same_sides(path: Path) -> None:
    """Left and right as on the source: acceleration and gyroscope in one convention (a sign flip of one swaps every
    side). A contact the printed precision leaves undecided (None) on one side only is not a contradiction."""
    ours = [s.side for s in analyze(ingest.load(path, placement="lower_back")).steps]
    theirs = [s.side for s in analyze(ingest.load(LOWER_BACK, placement="lower_back")).steps]
    assert len(ours) == len(theirs)
    decided = [(a, b) for a, b in zip(ours, theirs, strict=True) if a is not None and b is not None]
    assert len(decided) >= 0.8 * sum(b is not None for b in theirs) and {"left", "right"} <= set(ours)
    assert all(a == b for a, b in decided)


@pytest.fixture(scope="module")
def lower_back() -> Recording:
    return source(LOWER_BACK)


@pytest.fixture(scope="module")
def in_hand() -> Recording:
    return source(IN_HAND)


@pytest.fixture
def local_zone() -> Iterator[None]:
    import os

    old = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


# --- Physics Toolbox Sensor Suite -----------------------------------------------------------------------------------

ACC_TOL_MS2 = 0.5e-4 * G + 1e-9  # g printed with 4 decimals
GYR_TOL_DPS = np.degrees(0.5e-4) + 1e-9  # rad/s printed with 4 decimals


@pytest.mark.parametrize("sep", [",", ";"], ids=["comma", "semicolon-decimal-comma"])
def test_g_force_meter_reads_the_source_samples_and_steps(
    in_hand: Recording, tmp_path: Path, sep: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = physics_toolbox(in_hand, tmp_path / "gforce.csv", sep=sep)
    assert ingest.detect_format(ingest.archive.open_bundle(path)) == "physics_toolbox"
    rec = ingest.load(path)
    assert rec.source["format"] == "physics_toolbox" and rec.gyr_dps is None
    np.testing.assert_allclose(rec.time_s, in_hand.time_s, atol=0.5e-6 + 1e-12)
    np.testing.assert_allclose(rec.acc_ms2, in_hand.acc_ms2, atol=ACC_TOL_MS2)  # g -> m/s^2, Android sign kept
    assert rec.source.get("start_epoch_s") is None and rec.source.get("started_at") is None  # seconds from start
    np.testing.assert_allclose(steps_of(path, capsys), steps_of(IN_HAND, capsys), atol=1e-6)


@pytest.mark.parametrize("sep", [",", ";"], ids=["comma", "semicolon-decimal-comma"])
def test_time_of_day_across_midnight_is_one_time_axis_and_no_date(
    in_hand: Recording, tmp_path: Path, sep: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # 'HH:MM:SS:mmm' starting a minute before midnight: 23:59:00:000 ... 00:01:29:9xx
    path = physics_toolbox(in_hand, tmp_path / "clock.csv", clock="time_of_day", sep=sep, start_s=86_400.0 - 60.0)
    text = path.read_text()
    assert f"\n23:59:00:000{sep}" in text and "\n00:00:00:" in text
    rec = ingest.load(path)
    np.testing.assert_allclose(rec.time_s, in_hand.time_s, atol=0.5e-3 + 1e-9)  # milliseconds
    np.testing.assert_allclose(rec.acc_ms2, in_hand.acc_ms2, atol=ACC_TOL_MS2)
    # a time of day is not a date: the recording stays undated (dated at upload, as other undated files)
    assert rec.source.get("start_epoch_s") is None and rec.source.get("started_at") is None
    np.testing.assert_allclose(steps_of(path, capsys), steps_of(IN_HAND, capsys), atol=1e-3)


def test_ios_g_force_meter_is_negated_to_android_sign_and_dated_in_local_time(
    in_hand: Recording, tmp_path: Path, local_zone: None
) -> None:
    path = physics_toolbox(in_hand, tmp_path / "sensor.csv", clock="wall", ios=True)
    assert path.read_text().startswith("time,gFx,gFy,gFz,gFTotal\n2018-10-03 17:23:55.0000,")
    rec = ingest.load(path)
    assert rec.source["sign"] == "ios_negated"
    np.testing.assert_allclose(rec.acc_ms2, in_hand.acc_ms2, atol=ACC_TOL_MS2)
    np.testing.assert_allclose(rec.time_s, in_hand.time_s, atol=0.5e-4 + 1e-9)  # 4 digits of seconds
    # the phone's local time without zone, read in this computer's zone (America/New_York here), as AndroSensor
    assert rec.source["started_at"] == "2018-10-03T17:23:55-04:00"


def test_multi_record_reads_the_gyroscope_in_rad_s_and_gives_the_same_steps_and_sides(
    lower_back: Recording, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = physics_toolbox(lower_back, tmp_path / "multi.csv", gyro=True, clock="time_of_day", start_s=9 * 3600.0)
    rec = ingest.load(path)
    assert rec.gyr_dps is not None and rec.source["gyr_unit"] == "rad"
    np.testing.assert_allclose(rec.acc_ms2, lower_back.acc_ms2, atol=ACC_TOL_MS2)
    np.testing.assert_allclose(rec.gyr_dps, lower_back.gyr_dps, atol=GYR_TOL_DPS)  # rad/s -> deg/s
    np.testing.assert_allclose(steps_of(path, capsys), steps_of(LOWER_BACK, capsys), atol=1e-6)
    assert_same_sides(path)


@pytest.mark.parametrize("sep", [",", ";"], ids=["comma", "semicolon"])
def test_linear_accelerometer_is_refused_with_what_to_record(in_hand: Recording, tmp_path: Path, sep: str) -> None:
    # The Linear Accelerometer subtracts gravity (here: a 2-s running mean, as sensor fusion tracks it).
    kernel = np.ones(200) / 200
    gravity = np.column_stack([np.convolve(in_hand.acc_ms2[:, i], kernel, mode="same") for i in range(3)])
    lin = in_hand.acc_ms2 - gravity
    decimal = "," if sep == ";" else "."
    cols = [fmt(in_hand.time_s, 6, decimal)] + [fmt(lin[:, i], 4, decimal) for i in range(3)]
    cols.append(fmt(np.linalg.norm(lin, axis=1), 4, decimal))
    path = write_rows(tmp_path / "linear.csv", ["time", "ax", "ay", "az", "aT"], cols, sep)
    with pytest.raises(IngestError) as err:
        ingest.load(path)
    assert err.value.reason == "gravity_missing"
    message = str(err.value)
    assert "gravity removed" in message and "g-Force Meter" in message and "Multi Record" in message


# --- SensorLog ------------------------------------------------------------------------------------------------------


def test_sensorlog_raw_accelerometer_and_gyroscope_on_their_own_time_stamps(
    lower_back: Recording, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The gyroscope is stamped 4 ms after the accelerometer on every row (two sensors, sampled apart).
    path = sensorlog(lower_back, tmp_path / "2024-05-01_10_00_01_my_iOS_device.csv", gyro_lag_s=0.004)
    assert ingest.detect_format(ingest.archive.open_bundle(path)) == "sensorlog"
    rec = ingest.load(path)
    assert rec.source["format"] == "sensorlog" and rec.source["sign"] == "ios_negated"
    # the first accelerometer sample precedes the gyroscope's first: left out (and said); the rest are the source's
    assert len(rec.time_s) == len(lower_back.time_s) - 1 and rec.source["notes"]
    np.testing.assert_allclose(rec.time_s, lower_back.time_s[1:], atol=0.5e-6 + 1e-9)
    np.testing.assert_allclose(rec.acc_ms2, lower_back.acc_ms2[1:], atol=0.5e-6 * G + 1e-9)  # Apple sign undone
    # the gyroscope, resampled onto the accelerometer's times: the source's within a linear interpolation's error
    assert rec.gyr_dps is not None
    err_dps = np.abs(rec.gyr_dps - lower_back.gyr_dps[1:])
    assert np.percentile(err_dps, 99) < 2.0 and np.median(err_dps) < 0.2
    assert rec.source["start_epoch_s"] == pytest.approx(START.timestamp(), abs=1e-6)  # '10:00:01.123 +0200'
    np.testing.assert_allclose(steps_of(path, capsys), steps_of(LOWER_BACK, capsys), atol=1e-6)
    assert_same_sides(path)


@pytest.mark.parametrize("sep", [",", ";"], ids=["comma", "semicolon"])
def test_sensorlog_without_gyroscope_columns(
    lower_back: Recording, tmp_path: Path, sep: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = sensorlog(lower_back, tmp_path / "acc_only.csv", gyro=False, sep=sep)
    rec = ingest.load(path)
    assert rec.gyr_dps is None and rec.source["has_gyroscope"] is False
    np.testing.assert_allclose(rec.time_s, lower_back.time_s, atol=0.5e-6 + 1e-9)
    np.testing.assert_allclose(rec.acc_ms2, lower_back.acc_ms2, atol=0.5e-6 * G + 1e-9)
    np.testing.assert_allclose(steps_of(path, capsys), steps_of(LOWER_BACK, capsys), atol=1e-6)


def _without(path: Path, prefixes: tuple[str, ...]) -> Path:
    """The SensorLog file at ``path`` without the columns whose names start with ``prefixes`` (sensors not logged)."""
    lines = path.read_text().splitlines()
    drop = [i for i, h in enumerate(lines[0].split(",")) if h.startswith(prefixes)]
    path.write_text("\n".join(",".join(f for i, f in enumerate(x.split(",")) if i not in drop) for x in lines))
    return path


def test_sensorlog_with_motion_only_is_user_acceleration_plus_gravity(
    lower_back: Recording, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # QA19b #3: Core Motion's device motion logged without the raw accelerometer: userAcceleration + gravity is it
    full = sensorlog(lower_back, tmp_path / "full.csv", gyro=False)
    path = _without(sensorlog(lower_back, tmp_path / "motion.csv", gyro=False), ("accelerometer",))
    rec = ingest.load(path)
    assert rec.source["acc_source"] == "motionUserAcceleration+motionGravity"
    np.testing.assert_allclose(rec.time_s, lower_back.time_s, atol=0.5e-6 + 1e-9)
    np.testing.assert_allclose(rec.acc_ms2, lower_back.acc_ms2, atol=2 * 0.5e-6 * G + 1e-9)  # two rounded terms
    assert rec.source["start_epoch_s"] == ingest.load(full).source["start_epoch_s"]
    np.testing.assert_allclose(steps_of(path, capsys), steps_of(full, capsys), atol=1e-6)


def test_sensorlog_with_only_user_acceleration_is_refused(lower_back: Recording, tmp_path: Path) -> None:
    path = _without(sensorlog(lower_back, tmp_path / "user.csv", gyro=False), ("accelerometer", "motionGravity"))
    with pytest.raises(IngestError, match=r"motionUserAcceleration \(gravity removed\) but no motionGravity") as err:
        ingest.load(path)
    assert err.value.reason == "gravity_missing"


def test_gait_formats_lists_both(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["formats"]) == 0
    out = capsys.readouterr().out
    assert "physics_toolbox" in out and "sensorlog" in out and "no real export checked" in out


# --- generic CSV: time stamps written as text -----------------------------------------------------------------------


def test_generic_csv_with_iso_date_times_and_offset_is_read_and_dated(in_hand: Recording, tmp_path: Path) -> None:
    # Any logger writing ISO-8601 stamps with their offset: one time axis, and the recording dated exactly.
    stamps = [
        (START + timedelta(seconds=s)).astimezone(timezone(timedelta(hours=2))).isoformat(timespec="microseconds")
        for s in in_hand.time_s.tolist()
    ]
    cols = [stamps] + [fmt(in_hand.acc_ms2[:, i], 6, ".") for i in range(3)]
    path = write_rows(tmp_path / "log.csv", ["timestamp", "acc_x_ms2", "acc_y_ms2", "acc_z_ms2"], cols, ",")
    rec = ingest.load(path)
    assert rec.source["format"] == "generic_csv" and rec.source["time_unit"] == "date and time"
    np.testing.assert_allclose(rec.time_s, in_hand.time_s, atol=1e-6)
    np.testing.assert_allclose(rec.acc_ms2, in_hand.acc_ms2, atol=0.5e-6 + 1e-9)
    assert rec.source["start_epoch_s"] == pytest.approx(START.timestamp(), abs=1e-6)
