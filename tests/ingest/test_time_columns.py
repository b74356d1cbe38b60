"""Time columns as people's loggers and spreadsheets write them: date-and-time stamps in other forms than ISO 8601
(day first, month first with AM/PM, German), a time column whose name declares a unit its data contradicts, and a
sensor's own clock beside the phone's date and time (Polar Sensor Logger).

Every file is the real sample walk (``oxford_phone_in_hand.csv``, 100 Hz) with its time column rewritten by pandas.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ingest
from ingest import IngestError
from service.cli import main
from service.pipeline import recording_start_epoch_s
from service.uploads import dashboard_wording
from tests.ingest.test_physics_toolbox_sensorlog import local_zone  # noqa: F401 (a fixture: TZ America/New_York)
from tests.sample_data import SAMPLES_DIR

IN_HAND = SAMPLES_DIR / "oxford_phone_in_hand.csv"


@pytest.fixture(scope="module")
def walk() -> pd.DataFrame:
    return pd.read_csv(IN_HAND)


def stamped(
    walk: pd.DataFrame,
    path: Path,
    fmt: str,
    *,
    start: str = "2026-11-25 14:03:07",
    column: str = "timestamp",
    sep: str = ",",
    decimal: str = ".",
    suffix: str = "",
) -> Path:
    """The walk with its time column written as date and time in ``fmt`` (strftime), from ``start``."""
    stamps = pd.Timestamp(start) + pd.to_timedelta(walk["time_s"], unit="s")
    table = walk.drop(columns="time_s")
    table.insert(0, column, stamps.dt.strftime(fmt) + suffix)
    table.to_csv(path, index=False, sep=sep, decimal=decimal)
    return path


def local_epoch_s(text: str) -> float:
    """A date and time without zone in this computer's zone, to the second, as Unix seconds."""
    return datetime.fromisoformat(text).astimezone().timestamp()


FORMS = {
    "day-first": ("%d/%m/%Y %H:%M:%S.%f", ",", "."),
    "month-first-12-hour": ("%m/%d/%Y %I:%M:%S.%f %p", ",", "."),
    "year-first-slashes": ("%Y/%m/%d %H:%M:%S.%f", ",", "."),
    "german": ("%d.%m.%Y %H:%M:%S,%f", ";", ","),
}


@pytest.mark.parametrize("form", FORMS, ids=list(FORMS))
@pytest.mark.usefixtures("local_zone")
def test_date_time_stamps_in_common_forms_time_and_date_the_walk(walk: pd.DataFrame, tmp_path: Path, form: str) -> None:
    fmt, sep, decimal = FORMS[form]
    # the 25th: a first field above 12 settles day first against month first
    path = stamped(walk, tmp_path / "walk.csv", fmt, sep=sep, decimal=decimal)
    rec = ingest.load(path)
    np.testing.assert_allclose(rec.time_s, walk["time_s"].to_numpy(), atol=1e-6)
    np.testing.assert_allclose(rec.acc_ms2, walk.iloc[:, 1:].to_numpy(), atol=1e-9)
    # a date and time without zone is the phone's local time, read in this computer's zone (New York here)
    assert rec.source["started_at"] == "2026-11-25T14:03:07-05:00"
    assert "notes" not in rec.source


def test_iso_stamps_with_z_are_dated_in_utc(walk: pd.DataFrame, tmp_path: Path) -> None:
    path = stamped(walk, tmp_path / "walk.csv", "%Y-%m-%dT%H:%M:%S.%f", suffix="Z")
    rec = ingest.load(path)
    assert rec.source["start_epoch_s"] == pd.Timestamp("2026-11-25T14:03:07Z").timestamp()
    np.testing.assert_allclose(rec.time_s - rec.time_s[0], walk["time_s"].to_numpy(), atol=2e-6)  # Unix s


def test_dates_that_read_both_ways_time_the_walk_but_do_not_date_it(walk: pd.DataFrame, tmp_path: Path) -> None:
    # a walk within one day: every row on 05/11, which is 5 November or 11 May
    path = stamped(walk, tmp_path / "walk.csv", "%d/%m/%Y %H:%M:%S.%f", start="2026-11-05 14:03:07")
    rec = ingest.load(path)
    np.testing.assert_allclose(rec.time_s, walk["time_s"].to_numpy(), atol=1e-6)
    assert recording_start_epoch_s(rec.source) is None  # dated at upload, or as the walker says
    (note,) = rec.source["notes"]
    assert "'timestamp'" in note and "5 November 2026 (day first) or 11 May 2026 (month first)" in note
    assert "YYYY-MM-DD" in note and "--date-order dmy|mdy" in note
    # the dashboard cannot take the option: its words say how to convert the file with it
    assert "gait convert --date-order dmy|mdy and upload the converted file" in dashboard_wording(note)


@pytest.mark.parametrize(("order", "day"), [("dmy", "2026-11-05"), ("mdy", "2026-05-11")])
@pytest.mark.usefixtures("local_zone")
def test_the_date_order_given_dates_a_walk_whose_dates_read_both_ways(
    walk: pd.DataFrame, tmp_path: Path, order: str, day: str
) -> None:
    path = stamped(walk, tmp_path / "walk.csv", "%d/%m/%Y %H:%M:%S.%f", start="2026-11-05 14:03:07")
    rec = ingest.load(path, date_order=order)
    assert recording_start_epoch_s(rec.source) == local_epoch_s(f"{day} 14:03:07")
    assert "notes" not in rec.source


@pytest.mark.usefixtures("local_zone")
def test_a_date_the_same_both_ways_dates_the_walk(walk: pd.DataFrame, tmp_path: Path) -> None:
    path = stamped(walk, tmp_path / "walk.csv", "%m/%d/%Y %H:%M:%S.%f", start="2026-05-05 09:00:00")
    rec = ingest.load(path)
    assert recording_start_epoch_s(rec.source) == local_epoch_s("2026-05-05 09:00:00")
    assert "notes" not in rec.source


def test_a_date_order_the_dates_contradict_is_refused(walk: pd.DataFrame, tmp_path: Path) -> None:
    path = stamped(walk, tmp_path / "walk.csv", "%d/%m/%Y %H:%M:%S.%f")  # 25/11/2026
    with pytest.raises(IngestError) as err:
        ingest.load(path, date_order="mdy")
    assert err.value.reason == "date_order"
    assert "not written month first: '25/11/2026 14:03:07.000000'" in str(err.value)
    assert "--date-order dmy" in str(err.value)


def test_a_time_column_of_unread_stamps_is_named_with_its_value_and_the_forms_read(
    walk: pd.DataFrame, tmp_path: Path
) -> None:
    table = walk.drop(columns="time_s")
    table.insert(0, "time", "Nov 5th 2pm")
    table.to_csv(path := tmp_path / "walk.csv", index=False)
    with pytest.raises(IngestError) as err:
        ingest.load(path)
    message = str(err.value)
    assert err.value.reason == "unreadable_time"
    assert "the time column 'time' holds 'Nov 5th 2pm'" in message
    assert "05/11/2026 14:03:07.123 (day first)" in message and "11/05/2026 02:03:07.123 PM (month first)" in message


@pytest.mark.parametrize(
    ("scale", "unit", "apart", "right"), [(1.0, "s", "10 us", "s"), (1e6, "us", "10 s", "us")], ids=["s", "us"]
)
def test_a_time_column_named_in_ms_holding_another_unit_is_refused_naming_it(
    walk: pd.DataFrame, tmp_path: Path, scale: float, unit: str, apart: str, right: str
) -> None:
    table = walk.rename(columns={"time_s": "time_ms"})
    table["time_ms"] *= scale
    table.to_csv(path := tmp_path / "walk.csv", index=False)
    with pytest.raises(IngestError) as err:
        ingest.load(path)
    assert err.value.reason == "time_unit_contradicted"
    assert str(err.value) == (
        f"walk.csv: the time column 'time_ms' is named in ms, but its median step {0.01 * scale:g} would mean samples "
        f"{apart} apart; in {right} it is 100 Hz: rename the column time_{right} (command line: or pass --time-unit "
        f"{right})"
    )
    # the unit given wins over the name
    rec = ingest.load(path, time_unit=unit)
    np.testing.assert_allclose(rec.time_s, walk["time_s"].to_numpy(), atol=1e-6)


def polar_acc(walk: pd.DataFrame, path: Path, *, phone_step: float = 1.0) -> Path:
    """A Polar Sensor Logger H10 ACC export of the walk: ';'-separated, the phone's local date and time (ms), the
    sensor's clock in ns since 2000-01-01 (its first value ~7.5e17 in 2023), acceleration in mg (100 Hz, one of
    the H10's 25/50/100/200 Hz). ``phone_step``: how fast the phone's stamps run against the sensor's."""
    time_s = walk["time_s"]
    phone = pd.Timestamp("2023-10-12 10:10:10.123") + pd.to_timedelta(time_s * phone_step, unit="s")
    mg = (walk[["acc_x_ms2", "acc_y_ms2", "acc_z_ms2"]] / 9.80665 * 1000.0).round().astype(int)
    table = pd.DataFrame(
        {
            "Phone timestamp": phone.dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3],
            "sensor timestamp [ns]": 749_816_000_000_000_000 + (time_s * 1e9).round().astype("int64"),
            "X [mg]": mg["acc_x_ms2"],
            "Y [mg]": mg["acc_y_ms2"],
            "Z [mg]": mg["acc_z_ms2"],
        }
    )
    table.to_csv(path, sep=";", index=False)
    return path


@pytest.mark.usefixtures("local_zone")
def test_polar_sensor_logger_is_timed_by_the_sensor_and_dated_by_the_phone(walk: pd.DataFrame, tmp_path: Path) -> None:
    path = polar_acc(walk, tmp_path / "Polar_H10_A1B2C3D4_20231012_101010_ACC.txt")
    assert path.read_text().splitlines()[0] == "Phone timestamp;sensor timestamp [ns];X [mg];Y [mg];Z [mg]"
    rec = ingest.load(path)
    assert rec.source["time_unit"] == "ns" and rec.source["acc_unit"] == "mg"
    np.testing.assert_allclose(rec.time_s, walk["time_s"].to_numpy(), atol=1e-6)
    # the phone's local time, read in this computer's zone, as AndroSensor's
    assert rec.source["started_at"] == "2023-10-12T10:10:10-04:00"
    assert recording_start_epoch_s(rec.source) == local_epoch_s("2023-10-12 10:10:10")


def test_a_phone_clock_that_does_not_run_with_the_sensor_dates_nothing(walk: pd.DataFrame, tmp_path: Path) -> None:
    # stamps 2 % slower than the samples: not the same samples' times
    rec = ingest.load(polar_acc(walk, tmp_path / "polar.txt", phone_step=0.98))
    assert recording_start_epoch_s(rec.source) is None


def test_gait_analyze_reads_and_dates_polar_and_day_first_files(
    walk: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    polar = polar_acc(walk, tmp_path / "Polar_H10_A1B2C3D4_20231012_101010_ACC.txt")
    assert main(["analyze", str(polar), "--placement", "hand", "--json", "-"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["steps"] > 200 and doc["time_origin"].startswith("2023-10-12T")
    both_ways = stamped(walk, tmp_path / "walk.csv", "%d/%m/%Y %H:%M:%S.%f", start="2026-11-05 14:03:07")
    assert main(["analyze", str(both_ways), "--placement", "hand", "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["time_origin"] is None
    assert main(["analyze", str(both_ways), "--placement", "hand", "--date-order", "mdy", "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["time_origin"].startswith("2026-05-11T")


def test_gait_analyze_refuses_a_time_column_named_in_the_wrong_unit_unless_the_unit_is_given(
    walk: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    walk.rename(columns={"time_s": "time_ms"}).to_csv(path := tmp_path / "walk.csv", index=False)
    assert main(["analyze", str(path), "--placement", "hand"]) == 2
    err = capsys.readouterr().err
    assert "in s it is 100 Hz: rename the column time_s (command line: or pass --time-unit s)" in err
    assert "Traceback" not in err
    assert main(["analyze", str(path), "--placement", "hand", "--time-unit", "s", "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["duration_s"] == pytest.approx(145.36, abs=0.01)


SPLIT_FORMS = {
    "iso-date": ("%Y-%m-%d", "%H:%M:%S.%f"),
    "day-first": ("%d/%m/%Y", "%H:%M:%S.%f"),
    "physics-toolbox-clock": ("%d.%m.%Y", "%H:%M:%S:%f"),  # milliseconds after a colon
}


@pytest.mark.parametrize("form", SPLIT_FORMS, ids=list(SPLIT_FORMS))
@pytest.mark.usefixtures("local_zone")
def test_a_date_column_beside_a_time_of_day_dates_the_walk_across_midnight(
    walk: pd.DataFrame, tmp_path: Path, form: str
) -> None:
    """QA: a file with separate Date and Time columns was read by its time of day alone: undated, its date dropped
    without a word. The walk starts a minute before midnight, so its date turns over while it runs."""
    date_fmt, time_fmt = SPLIT_FORMS[form]
    stamps = pd.Timestamp("2026-11-25 23:59:00") + pd.to_timedelta(walk["time_s"], unit="s")
    table = walk.drop(columns="time_s")
    table.insert(0, "Time", stamps.dt.strftime(time_fmt))
    table.insert(0, "Date", stamps.dt.strftime(date_fmt))
    table.to_csv(path := tmp_path / "walk.csv", index=False)
    assert walk["time_s"].iloc[-1] > 60.0  # the walk does run past midnight
    rec = ingest.load(path)
    np.testing.assert_allclose(rec.time_s, walk["time_s"].to_numpy(), atol=2e-3)
    assert rec.source["started_at"] == "2026-11-25T23:59:00-05:00"


def test_an_ambiguous_date_column_beside_a_time_is_named_and_settled_by_date_order(
    walk: pd.DataFrame, tmp_path: Path
) -> None:
    """Dates such as 05/11/2026 in a Date column beside the time: undated with a note naming both columns, until
    --date-order says which way they are written."""
    stamps = pd.Timestamp("2026-11-05 14:03:07") + pd.to_timedelta(walk["time_s"], unit="s")
    table = walk.drop(columns="time_s")
    table.insert(0, "Time", stamps.dt.strftime("%H:%M:%S.%f"))
    table.insert(0, "Date", stamps.dt.strftime("%d/%m/%Y"))
    table.to_csv(path := tmp_path / "walk.csv", index=False)
    rec = ingest.load(path)
    assert rec.source["started_at"] is None
    assert any("the column 'Date + Time'" in note and "--date-order" in note for note in rec.source["notes"])
    assert recording_start_epoch_s(ingest.load(path, date_order="dmy").source) == pytest.approx(
        datetime(2026, 11, 5, 14, 3, 7).astimezone().timestamp()
    )


def _local_stamps(walk: pd.DataFrame, path: Path, start_utc: str, zone: str) -> Path:
    """The walk stamped with the local date and time a clock in ``zone`` showed from ``start_utc``, without zone."""
    stamps = (pd.Timestamp(start_utc) + pd.to_timedelta(walk["time_s"], unit="s")).dt.tz_convert(zone)
    table = walk.drop(columns="time_s")
    table.insert(0, "timestamp", stamps.dt.strftime("%Y-%m-%d %H:%M:%S.%f"))
    table.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("start_utc", "local_start", "clock"),
    [
        # 01:59 EDT on 1 November: at 02:00 the clocks go back to 01:00 (the stamps read an hour back)
        ("2026-11-01T05:59:00Z", "2026-11-01T01:59:00-04:00", ("01:59:59", "01:00:00")),
        # 01:59 EST on 8 March: at 02:00 the clocks go forward to 03:00 (the stamps read an hour on)
        ("2026-03-08T06:59:00Z", "2026-03-08T01:59:00-05:00", ("01:59:59", "03:00:00")),
    ],
    ids=["clocks-go-back", "clocks-go-forward"],
)
@pytest.mark.usefixtures("local_zone")
def test_a_walk_through_a_clock_change_keeps_its_own_length(
    walk: pd.DataFrame, tmp_path: Path, start_utc: str, local_start: str, clock: tuple[str, str]
) -> None:
    path = _local_stamps(walk, tmp_path / "night walk.csv", start_utc, "America/New_York")
    text = path.read_text()
    assert all(f" {t}" in text for t in clock)  # the file's stamps do change clock time
    rec = ingest.load(path)
    np.testing.assert_allclose(rec.time_s, walk["time_s"].to_numpy(), atol=1e-5)  # 145 s, not 145 s ± 1 h
    assert rec.source["started_at"] == local_start


@pytest.mark.parametrize(
    ("start_utc", "local_start"),
    [
        # 01:58 EST, the hour's second pass: the walk runs to 02:00:25 without a step back, which from 01:58 EDT
        # (the first pass) would have gone back to 01:00 at 02:00: the stamps say which pass it was
        ("2026-11-01T06:58:00Z", "2026-11-01T01:58:00-05:00"),
        # 01:58 EDT, the first pass: the stamps go back at 02:00 (to 01:00), as from the first pass they do
        ("2026-11-01T05:58:00Z", "2026-11-01T01:58:00-04:00"),
        # 01:30 EST within the repeated hour throughout: either pass fits; read as the first (an hour early)
        ("2026-11-01T06:30:00Z", "2026-11-01T01:30:00-04:00"),
    ],
    ids=["second-pass-into-2am", "first-pass-back-at-2am", "within-the-hour"],
)
@pytest.mark.usefixtures("local_zone")
def test_a_walk_starting_in_the_hour_that_comes_twice_is_dated_by_the_pass_its_stamps_show(
    walk: pd.DataFrame, tmp_path: Path, start_utc: str, local_start: str
) -> None:
    path = _local_stamps(walk, tmp_path / "night walk.csv", start_utc, "America/New_York")
    rec = ingest.load(path)
    np.testing.assert_allclose(rec.time_s, walk["time_s"].to_numpy(), atol=1e-5)
    assert rec.source["started_at"] == local_start


@pytest.mark.usefixtures("local_zone")
def test_time_going_back_an_hour_on_another_night_is_still_refused(walk: pd.DataFrame, tmp_path: Path) -> None:
    # the same stamps a week later: no clock change then, so the step back is the file's own fault
    back = walk.copy()
    back.loc[back.index >= len(back) // 2, "time_s"] -= 3600.0
    path = stamped(back, tmp_path / "walk.csv", "%Y-%m-%d %H:%M:%S.%f", start="2026-11-08 01:58:00")
    with pytest.raises(IngestError) as err:
        ingest.load(path)
    assert "back" in str(err.value), str(err.value)
