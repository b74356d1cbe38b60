"""Single-file formats: AndroSensor, MetaWear, GENEActiv, Oxford, generic CSV and gait CSV."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import numpy as np
import pytest

import ingest
from gait.types import Placement, Recording
from ingest import IngestError
from ingest.csv_formats import wall_clock_start
from tests.ingest import exports as ex

ANDRO_HEADER = (
    "ACCELEROMETER X (m/s²);ACCELEROMETER Y (m/s²);ACCELEROMETER Z (m/s²);GRAVITY X (m/s²);GRAVITY Y (m/s²);"
    "GRAVITY Z (m/s²);LINEAR ACCELERATION X (m/s²);LINEAR ACCELERATION Y (m/s²);LINEAR ACCELERATION Z (m/s²);"
    "GYROSCOPE X (rad/s);GYROSCOPE Y (rad/s);GYROSCOPE Z (rad/s);LOCATION Latitude : ;LOCATION Longitude : ;"
    "LOCATION Accuracy ( m);Time since start in ms ;YYYY-MO-DD HH-MI-SS_SSS"
)


def androsensor(sig: ex.Signal) -> str:
    rows = [ANDRO_HEADER]
    for t, a, g in zip(sig.time_s.tolist(), sig.acc_ms2.tolist(), np.radians(sig.gyr_dps).tolist(), strict=True):
        grav = "0;0;9.81"
        lin = f"{a[0]};{a[1]};{a[2] - 9.81}"
        rows.append(
            f"{a[0]};{a[1]};{a[2]};{grav};{lin};{g[0]};{g[1]};{g[2]};35.9;-83.9;5.0;{round(t * 1000)};2022-10-02"
        )
    return "\n".join(rows) + "\n"


def test_androsensor_fast_log_loads(tmp_path: Path) -> None:
    sig = ex.signal(rate_hz=50)
    path = tmp_path / "walk.csv"
    path.write_text(androsensor(sig), encoding="utf-8")
    rec = ingest.load(path)
    assert rec.source["format"] == "androsensor"
    np.testing.assert_allclose(rec.acc_ms2, sig.acc_ms2, atol=1e-9)  # ACCELEROMETER, not GRAVITY or LINEAR
    np.testing.assert_allclose(rec.gyr_dps, sig.gyr_dps, atol=1e-6)
    np.testing.assert_allclose(rec.time_s, sig.time_s, atol=1e-9)
    assert rec.gps is not None
    np.testing.assert_allclose(rec.gps.lat_deg, 35.9)
    np.testing.assert_allclose(rec.gps.accuracy_m, 5.0)


def test_androsensor_is_dated_by_its_wall_clock_in_this_computers_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # AndroSensor's last column is the phone's local time without a zone: read in the computer's zone.
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        sig = ex.signal(rate_hz=50)
        text = androsensor(sig).replace(";2022-10-02\n", ";2022-10-02 18:09:00:359\n", 1)
        path = tmp_path / "walk.csv"
        path.write_text(text, encoding="utf-8")
        rec = ingest.load(path)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert rec.source["started_at"] == "2022-10-02T18:09:00-04:00"


def _load_in_new_york(path: Path, monkeypatch: pytest.MonkeyPatch) -> Recording:
    """``path`` loaded on a computer set to New York's zone."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        return ingest.load(path)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


@pytest.mark.parametrize(
    ("start_utc", "started_at"),
    [
        # 01:58 EST, the second pass of the hour that comes twice: the phone's clock runs on past 02:00 without a
        # step back, which from 01:58 EDT (the first pass) it would not have
        ("2026-11-01T06:58:00Z", "2026-11-01T01:58:00-05:00"),
        # 01:58 EDT, the first pass: the clock goes back at 02:00 to 01:00
        ("2026-11-01T05:58:00Z", "2026-11-01T01:58:00-04:00"),
        # within the repeated hour throughout: either pass fits; read as the first
        ("2026-11-01T06:30:00Z", "2026-11-01T01:30:00-04:00"),
    ],
    ids=["second-pass-into-2am", "first-pass-back-at-2am", "within-the-hour"],
)
def test_androsensor_starting_in_the_hour_that_comes_twice_is_dated_by_the_pass_its_clock_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start_utc: str, started_at: str
) -> None:
    import pandas as pd

    sig = ex.signal(duration_s=180.0, rate_hz=25)
    # every row's wall clock as the phone showed it in New York, milliseconds after ':' as AndroSensor writes them
    clock = (pd.Timestamp(start_utc) + pd.to_timedelta(sig.time_s, unit="s")).tz_convert("America/New_York")
    stamps = clock.strftime("%Y-%m-%d %H:%M:%S:%f").str[:-3]
    rows = androsensor(sig).splitlines()
    text = "\n".join(
        [rows[0]] + [f"{row.removesuffix('2022-10-02')}{stamp}" for row, stamp in zip(rows[1:], stamps, strict=True)]
    )
    assert text.count(";2026-11-01 01:") + text.count(";2026-11-01 02:") == len(rows) - 1
    path = tmp_path / "walk.csv"
    path.write_text(text + "\n", encoding="utf-8")
    rec = _load_in_new_york(path, monkeypatch)
    assert rec.source["started_at"] == started_at


@pytest.mark.parametrize(
    "damage",
    ["cut-mid-field", "cut-in-its-stamp", "stamp-unreadable", "stamp-empty", "crlf-and-blank-lines", "quoted"],
)
def test_androsensor_in_the_hour_that_comes_twice_is_dated_by_its_clock_when_its_last_line_has_no_stamp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    """QA31: a last line cut off while copying (before or inside its stamp) or a stamp left unreadable: the line
    before tells the pass (01:58 EST, the second: its clock runs on past 02:00), not the first pass by default."""
    import pandas as pd

    sig = ex.signal(duration_s=180.0, rate_hz=25)
    clock = (pd.Timestamp("2026-11-01T06:58:00Z") + pd.to_timedelta(sig.time_s, unit="s")).tz_convert(
        "America/New_York"
    )
    stamps = clock.strftime("%Y-%m-%d %H:%M:%S:%f").str[:-3]
    rows = androsensor(sig).splitlines()
    lines = [f"{row.removesuffix('2022-10-02')}{stamp}" for row, stamp in zip(rows[1:], stamps, strict=True)]
    if damage == "cut-mid-field":
        lines[-1] = lines[-1][: len(lines[-1]) // 2]
    elif damage == "cut-in-its-stamp":
        lines[-1] = lines[-1][:-10]  # '2026-11-01 02:0'
    elif damage in ("stamp-unreadable", "stamp-empty"):
        lines[-1] = lines[-1].rsplit(";", 1)[0] + (";n/a" if damage == "stamp-unreadable" else ";")
    elif damage == "quoted":
        lines = [";".join(f'"{f}"' for f in line.split(";")) for line in lines]
    newline = "\r\n" if damage == "crlf-and-blank-lines" else "\n"
    text = newline.join([rows[0], *lines]) + newline + (newline * 3 if damage == "crlf-and-blank-lines" else "")
    path = tmp_path / "walk.csv"
    path.write_text(text, encoding="utf-8", newline="")
    rec = _load_in_new_york(path, monkeypatch)
    assert rec.source["started_at"] == "2026-11-01T01:58:00-05:00"


def test_androsensor_two_hertz_log_says_why(tmp_path: Path) -> None:
    sig = ex.signal(duration_s=60, rate_hz=2)
    path = tmp_path / "walk.csv"
    path.write_text(androsensor(sig), encoding="utf-8")
    with pytest.raises(IngestError, match=r"AndroSensor logged this file at 2\.0 Hz.*recording interval") as err:
        ingest.load(path)
    assert err.value.reason == "rate_too_low"


def test_metawear_in_g(tmp_path: Path) -> None:
    sig = ex.signal()
    rows = ["epoc (ms),timestamp (-0500),elapsed (s),x-axis (g),y-axis (g),z-axis (g)"]
    for t, a in zip(sig.time_s.tolist(), (sig.acc_ms2 / ex.G).tolist(), strict=True):
        rows.append(f"{1659731173153 + round(t * 1000)},2022-08-05T15.26.13.153,{t:.3f},{a[0]},{a[1]},{a[2]}")
    path = tmp_path / "Accelerometer.csv"
    path.write_text("\n".join(rows) + "\n")
    rec = ingest.load(path, placement="lower_back")
    assert rec.source["format"] == "metawear"
    assert rec.placement is Placement.LOWER_BACK
    np.testing.assert_allclose(rec.acc_ms2, sig.acc_ms2, atol=1e-9)
    # its 'epoc (ms)' column dates the recording (2022-08-05 20:26:13 UTC), though time runs from 'elapsed (s)'
    assert rec.source["start_epoch_s"] == pytest.approx(1659731173.153, abs=1e-3)


@pytest.mark.parametrize(
    ("header", "first", "epoch_s"),
    [
        ("epoch_ms,acc_x_ms2,acc_y_ms2,acc_z_ms2", "1700000000000", 1_700_000_000.0),
        ("epoch,acc_x_ms2,acc_y_ms2,acc_z_ms2", "1700000000", 1_700_000_000.0),
        # the time column itself holds Unix seconds (its unit declared, or from its 10 ms sample spacing)
        ("time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2", "1700000000", 1_700_000_000.0),
        ("timestamp,acc_x_ms2,acc_y_ms2,acc_z_ms2", "1700000000", 1_700_000_000.0),
        ("time_ms,acc_x_ms2,acc_y_ms2,acc_z_ms2", "1700000000000", 1_700_000_000.0),
        ("epoch_ms,acc_x_ms2,acc_y_ms2,acc_z_ms2", "123456", None),  # since boot: no date
        ("time_ms,acc_x_ms2,acc_y_ms2,acc_z_ms2", "1700000000", None),  # 19.7 days since boot in ms: no date
        ("timestamp,acc_x_ms2,acc_y_ms2,acc_z_ms2", "5000", None),  # seconds since some start
    ],
)
def test_a_time_column_named_as_an_epoch_dates_the_recording(
    tmp_path: Path, header: str, first: str, epoch_s: float | None
) -> None:
    sig = ex.signal()
    scale = 1000.0 if header.startswith(("epoch_ms", "time_ms")) else 1.0
    rows = [header] + [
        f"{float(first) + round(t * 1000) / 1000 * scale:.3f},{a[0]},{a[1]},{a[2]}"
        for t, a in zip(sig.time_s.tolist(), sig.acc_ms2.tolist(), strict=True)
    ]
    path = tmp_path / "walk.csv"
    path.write_text("\n".join(rows) + "\n")
    rec = ingest.load(path, placement="lower_back")
    assert rec.source.get("start_epoch_s") == (None if epoch_s is None else pytest.approx(epoch_s, abs=1e-3))


@pytest.mark.parametrize(
    ("clock_start", "per_s", "epoch_s"),
    [
        (1_729_260_574_556_450_300, 1e9, 1_729_260_574.556),  # Sensor Logger's epoch ns, renamed 'Timestamp'
        (1_729_260_574_556, 1e3, 1_729_260_574.556),  # epoch ms
        (1_200_000_000_000, 1e9, None),  # 20 minutes since boot in ns: as ms it reads 2008 but runs 1000x too long
    ],
)
def test_a_second_clock_column_beside_the_time_column_dates_the_recording(
    tmp_path: Path, clock_start: int, per_s: float, epoch_s: float | None
) -> None:
    """Sensor Logger's TotalAcceleration.csv with its header edited: 'Timestamp,seconds_elapsed,...'."""
    sig = ex.signal()
    rows = ["Timestamp,seconds_elapsed,AccelerationZ,AccelerationY,AccelerationX"] + [
        f"{clock_start + round(t * per_s)},{t + 0.05:.6f},{a[2]},{a[1]},{a[0]}"
        for t, a in zip(sig.time_s.tolist(), sig.acc_ms2.tolist(), strict=True)
    ]
    path = tmp_path / "TotalAcceleration.csv"
    path.write_text("\n".join(rows) + "\n")
    rec = ingest.load(path, placement="pocket")
    assert rec.time_s[0] == 0.0 and rec.n_samples == len(sig.time_s)  # timed by seconds_elapsed as before
    assert rec.source.get("start_epoch_s") == (None if epoch_s is None else pytest.approx(epoch_s, abs=1e-3))


def test_geneactiv_with_padded_header(tmp_path: Path) -> None:
    sig = ex.signal(rate_hz=50)
    head = ["Device Type,GENEActiv           ", "Device Model,1.1", "Measurement Frequency,50.0 Hz"]
    head += ["Subject Notes," + "\x00" * 40, "Units,g"] + [""] * 20
    rows = []
    for i, a in enumerate((sig.acc_ms2 / ex.G).tolist()):
        ms = i * 20
        rows.append(f"2019-08-06 10:25:{50 + ms // 1000:02d}:{ms % 1000:03d},{a[0]:.6f},{a[1]:.6f},{a[2]:.6f},0,0,31.6")
    path = tmp_path / "demo.csv"
    path.write_bytes(("\r\n".join(head + rows) + "\r\n").encode())
    rec = ingest.load(path)
    assert rec.source["format"] == "geneactiv"
    assert rec.placement is None  # no 'Device Location Code' line: the user or the profile says where
    np.testing.assert_allclose(rec.time_s, sig.time_s, atol=1e-9)
    np.testing.assert_allclose(rec.acc_ms2, sig.acc_ms2, atol=1e-5)


@pytest.mark.parametrize(
    ("stamp", "zone", "iso"),
    [
        ("2019-08-06 10:25:45:000", "GMT +05:30", "2019-08-06T10:25:45+05:30"),
        ("2019-08-06 10:25:45.5", "GMT", "2019-08-06T10:25:45+00:00"),
        ("2019-02-30 10:25:45:000", "GMT", None),  # no such day
        ("2019-08-06", "GMT", None),  # a date alone is no start time
    ],
)
def test_wall_clock_stamps(stamp: str, zone: str, iso: str | None) -> None:
    assert wall_clock_start(stamp, zone) == iso


def test_oxford_raw_accelerometer_gz(tmp_path: Path) -> None:
    sig = ex.signal(rate_hz=200)
    ns = 1023881009780408 + np.round(sig.time_s * 1e9).astype(np.int64)
    rows = [f"{n},3,{a[0]},{a[1]},{a[2]}" for n, a in zip(ns.tolist(), sig.acc_ms2.tolist(), strict=True)]
    path = tmp_path / "accelerometer.csv.gz"
    path.write_bytes(gzip.compress(("\n".join(rows) + "\n").encode()))
    rec = ingest.load(path)
    assert rec.source["format"] == "oxford"
    np.testing.assert_allclose(rec.acc_ms2, sig.acc_ms2, atol=1e-9)
    np.testing.assert_allclose(rec.time_s, sig.time_s, atol=1e-6)


@pytest.mark.parametrize(
    ("header", "scale", "time_scale", "kwargs"),
    [
        ("time_s,acc_x_g,acc_y_g,acc_z_g", 1 / ex.G, 1.0, {}),
        ("Time (ms),Accel X (m/s^2),Accel Y (m/s^2),Accel Z (m/s^2)", 1.0, 1000.0, {}),
        ("timestamp,ax,ay,az", 1 / ex.G, 1.0, {}),  # units from the data (|a| about 1 -> g), time from its spacing
        ("t,x,y,z", 1 / ex.G, 1000.0, {"acc_unit": "g", "time_unit": "ms"}),
        ("Date;Timestamp;AccelerationX;AccelerationY;AccelerationZ;Label", 1.0, 1.0, {}),
    ],
)
def test_generic_csv_units(tmp_path: Path, header: str, scale: float, time_scale: float, kwargs: dict) -> None:
    sig = ex.signal()
    sep = ";" if ";" in header else ","
    rows = [header]
    for t, a in zip((sig.time_s * time_scale).tolist(), (sig.acc_ms2 * scale).tolist(), strict=True):
        vals = [str(t), str(a[0]), str(a[1]), str(a[2])]
        if header.startswith("Date"):
            vals = ["2024-10-17 19:22:22", str(1729182142.5 + t), *vals[1:], ""]
        rows.append(sep.join(vals))
    path = tmp_path / "any.csv"
    path.write_text("\n".join(rows) + "\n")
    rec = ingest.load(path, **kwargs)
    assert rec.source["format"] == "generic_csv"
    np.testing.assert_allclose(rec.acc_ms2, sig.acc_ms2, atol=1e-6)
    np.testing.assert_allclose(rec.time_s, sig.time_s, atol=1e-6)
    # a unit taken from the data's size is said, so a wrong guess can be put right; a named one is not
    guessed = [n for n in rec.source.get("notes", []) if "names no acceleration unit" in n]
    if header.startswith(("timestamp", "Date")):  # no unit in the header and none given
        unit = "g" if scale != 1.0 else "m/s^2"
        assert len(guessed) == 1 and f"read as {unit} from the data" in guessed[0], guessed
    else:
        assert guessed == []


def test_generic_csv_with_gyroscope_in_rad_guessed(tmp_path: Path) -> None:
    sig = ex.signal()
    rows = ["time_s,acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z"]
    gyr = np.radians(sig.gyr_dps)
    for t, a, g in zip(sig.time_s.tolist(), sig.acc_ms2.tolist(), gyr.tolist(), strict=True):
        rows.append(",".join(str(v) for v in (t, *a, *g)))
    path = tmp_path / "any.csv"
    path.write_text("\n".join(rows) + "\n")
    rec = ingest.load(path)
    np.testing.assert_allclose(rec.gyr_dps, sig.gyr_dps, atol=1e-6)
    assert rec.source["gyr_unit"] == "rad"


def test_gait_csv_round_trip(tmp_path: Path) -> None:
    sig = ex.signal()
    rec = Recording(time_s=sig.time_s + 12345.678, acc_ms2=sig.acc_ms2, gyr_dps=sig.gyr_dps)
    path = tmp_path / "out.csv"
    ingest.write_gait_csv(rec, path)
    back = ingest.load(path)
    assert back.source["format"] == "gait_csv"
    np.testing.assert_allclose(back.time_s, rec.time_s, atol=1e-6)  # long time axes keep microseconds
    np.testing.assert_allclose(back.acc_ms2, rec.acc_ms2, rtol=1e-5)
    np.testing.assert_allclose(back.gyr_dps, rec.gyr_dps, rtol=1e-5, atol=1e-4)
    assert ingest.read_gait_csv(path).n_samples == rec.n_samples
    assert not list(tmp_path.glob("*.tmp"))


def test_generic_time_since_boot_in_ns_is_not_taken_for_an_epoch(tmp_path: Path) -> None:
    # 1.02e15 looks like epoch microseconds by magnitude, but 5e6 steps only make sense as 5 ms in ns.
    sig = ex.signal(rate_hz=200)
    ns = 1023881009780408 + np.round(sig.time_s * 1e9).astype(np.int64)
    rows = [
        "timestamp,x,y,z",
        *(f"{n},{a[0]},{a[1]},{a[2]}" for n, a in zip(ns.tolist(), sig.acc_ms2.tolist(), strict=True)),
    ]
    path = tmp_path / "boot.csv"
    path.write_text("\n".join(rows) + "\n")
    rec = ingest.load(path)
    assert rec.source["rate_hz"] == pytest.approx(200.0, rel=1e-6)
    assert rec.source["time_unit"].startswith("ns")
