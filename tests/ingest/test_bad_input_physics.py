"""Issue 2 "Bad input" on real data: units, gravity, time units, order and line numbers, each told apart by
physics or by the file's own lines, and each message saying what is wrong and what to do.

The variants are made from the real lower-back sample recording (sample_recordings/, 100 Hz, with gyroscope),
written as gait CSV the way a user's tool would have written them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import ingest
from gait.consts import GAIT_CSV_ACC_COLS, GAIT_CSV_GYR_COLS, GAIT_CSV_TIME_COL, GRAVITY_MS2
from ingest import IngestError

SAMPLE = Path(__file__).resolve().parents[2] / "sample_recordings" / "mobgap_lower_back_daily_living.csv"
HEADER = ",".join((GAIT_CSV_TIME_COL, *GAIT_CSV_ACC_COLS, *GAIT_CSV_GYR_COLS))
N_ROWS = 1250  # 12.5 s of walking and standing: enough for every check, quick to write


@pytest.fixture(scope="module")
def real() -> np.ndarray:
    """Time, acceleration (m/s^2 with gravity) and gyroscope of the first 12.5 s of the sample, one row each."""
    return np.loadtxt(SAMPLE, delimiter=",", skiprows=1, max_rows=N_ROWS)


def write(tmp_path: Path, rows: np.ndarray | list[str], name: str = "rec.csv") -> Path:
    lines = rows if isinstance(rows, list) else [",".join(f"{v:.6g}" for v in row) for row in rows]
    path = tmp_path / name
    path.write_text(HEADER + "\n" + "\n".join(lines) + "\n")
    return path


def refused(path: Path) -> IngestError:
    with pytest.raises(IngestError) as err:
        ingest.load(path)
    return err.value


def scaled_acc(real: np.ndarray, factor: float) -> np.ndarray:
    out = real.copy()
    out[:, 1:4] *= factor
    return out


def test_the_unaltered_recording_loads(real: np.ndarray, tmp_path: Path) -> None:
    rec = ingest.load(write(tmp_path, real))
    assert rec.n_samples == N_ROWS


# --- item 1: gravity removed, in any unit, is not mistaken for g ---------------------------------------------------


@pytest.mark.parametrize("unit_factor", [1.0, 1.0 / GRAVITY_MS2], ids=["m/s^2", "g"])
def test_mean_removed_acceleration_is_linear_acceleration_not_g(
    real: np.ndarray, tmp_path: Path, unit_factor: float
) -> None:
    # A tool that removed gravity by subtracting the recording's mean: its median magnitude (about 1.2 m/s^2)
    # looked like g to a magnitude test, and multiplying by 9.81 as told gave garbage.
    linear = real.copy()
    linear[:, 1:4] = (real[:, 1:4] - real[:, 1:4].mean(axis=0)) * unit_factor
    err = refused(write(tmp_path, linear))
    assert err.reason == "gravity_missing"
    assert "linear acceleration (gravity removed)" in str(err)
    assert "export the raw accelerometer including gravity" in str(err)
    assert "multiply" not in str(err)


def test_gravity_removed_by_sensor_fusion_is_linear_acceleration(real: np.ndarray, tmp_path: Path) -> None:
    # A phone's own linear acceleration: gravity tracked and subtracted continuously (here with a 2-s mean).
    linear = real.copy()
    kernel = np.ones(200) / 200
    gravity = np.column_stack([np.convolve(real[:, i], kernel, mode="same") for i in (1, 2, 3)])
    linear[:, 1:4] = real[:, 1:4] - gravity
    err = refused(write(tmp_path, linear))
    assert err.reason == "gravity_missing" and "gravity removed" in str(err)


# --- item 2: g and milli-g where m/s^2 is declared ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("factor", "reason", "advice"),
    [
        (1.0 / GRAVITY_MS2, "units_look_like_g", "multiply the acceleration columns by 9.80665"),
        (1000.0 / GRAVITY_MS2, "units_look_like_mg", "multiply the acceleration columns by 0.00980665"),
    ],
    ids=["g", "milli-g"],
)
def test_g_and_milli_g_are_detected_and_named(
    real: np.ndarray, tmp_path: Path, factor: float, reason: str, advice: str
) -> None:
    err = refused(write(tmp_path, scaled_acc(real, factor)))
    assert err.reason == reason
    assert advice in str(err)
    # Following the advice gives the original recording back.
    fixed = scaled_acc(real, factor)
    fixed[:, 1:4] *= float(advice.rsplit(" ", 1)[1])
    assert ingest.load(write(tmp_path, fixed, "fixed.csv")).n_samples == N_ROWS


@pytest.mark.parametrize("factor", [0.5, 3.0, 30.0])
def test_acceleration_of_no_plausible_unit_is_refused(real: np.ndarray, tmp_path: Path, factor: float) -> None:
    # Gravity would read 4.9, 29 or 294 m/s^2: no unit makes that gravity (m/s^2 8-16, g 0.8-1.6, milli-g).
    err = refused(write(tmp_path, scaled_acc(real, factor)))
    assert err.reason == "implausible_acceleration"
    assert "check the unit and scale" in str(err)


def test_a_foot_sensor_with_gravity_is_accepted() -> None:
    # A foot's swing adds centripetal acceleration that does not average out (about 11-13 m/s^2 of mean).
    path = SAMPLE.parent / "gaitmap_left_foot.csv"
    assert ingest.load(path).n_samples > 1000


def test_acceleration_that_is_zero_throughout_is_refused(real: np.ndarray, tmp_path: Path) -> None:
    err = refused(write(tmp_path, scaled_acc(real, 0.0)))
    assert err.reason == "no_signal" and "recorded nothing" in str(err)


# --- item 3: time in milli-, micro-, nanoseconds in the time_s column ---------------------------------------------


@pytest.mark.parametrize(
    ("per_s", "unit", "divide"),
    [(1e3, "milliseconds", "1000"), (1e6, "microseconds", "1000000"), (1e9, "nanoseconds", "1000000000")],
)
def test_time_in_smaller_units_is_detected(
    real: np.ndarray, tmp_path: Path, per_s: float, unit: str, divide: str
) -> None:
    rows = real.copy()
    rows[:, 0] = np.round(rows[:, 0] * per_s)
    err = refused(write(tmp_path, [f"{int(r[0])}," + ",".join(f"{v:.6g}" for v in r[1:]) for r in rows]))
    assert err.reason == "time_not_seconds"
    assert f"time looks like {unit}: divide the time column by {divide}" in str(err)
    assert "a 100 Hz recording of 12.5 s" in str(err)
    assert "record again" not in str(err)


def test_a_genuinely_slow_log_is_still_called_too_slow(real: np.ndarray, tmp_path: Path) -> None:
    err = refused(write(tmp_path, real[::10]))  # 10 Hz in seconds
    assert err.reason == "rate_too_low" and "10.0 Hz" in str(err)
    err = refused(write(tmp_path, real[::50]))  # 2 Hz, as AndroSensor logs by default: not milliseconds
    assert err.reason == "rate_too_low"


# --- item 4: reversed time, truncated last row --------------------------------------------------------------------


def test_fully_reversed_time_is_refused_naming_the_lines(real: np.ndarray, tmp_path: Path) -> None:
    err = refused(write(tmp_path, real[::-1]))
    assert err.reason == "time_backwards"
    assert "line 2" in str(err) and f"line {N_ROWS + 1}" in str(err)
    assert "reverse order" in str(err) and "sort them by time" in str(err)


def test_a_reversed_stretch_is_refused_naming_its_first_line(real: np.ndarray, tmp_path: Path) -> None:
    rows = real.copy()
    rows[400:700] = rows[400:700][::-1]  # 3 s of rows in reverse order, each step back only 10 ms
    err = refused(write(tmp_path, rows))
    assert err.reason == "time_backwards"
    assert "on line 403 through line 701" in str(err)  # data rows 401-699 fall, file lines 403-701


def test_truncated_last_row_is_dropped_and_said(real: np.ndarray, tmp_path: Path) -> None:
    path = write(tmp_path, real)
    text = path.read_text().rstrip("\n")
    path.write_text(text[: text.rfind(",", 0, text.rfind(",") - 10)])  # the last line loses its last values
    rec = ingest.load(path)
    assert rec.n_samples == N_ROWS - 1
    assert any(f"line {N_ROWS + 1}" in n and "incomplete" in n and "dropped" in n for n in rec.source["notes"])


# --- item 5: one convention for positions: the line number an editor shows ----------------------------------------


def test_nan_names_its_line(real: np.ndarray, tmp_path: Path) -> None:
    rows = real.copy()
    rows[100:200, 1] = np.nan  # data rows 100-199 are file lines 102-201
    err = refused(write(tmp_path, rows))
    assert err.reason == "non_finite"
    assert "100 row(s)" in str(err) and "first on line 102" in str(err)


def dropped_note(path: Path) -> str:
    """The note of a recording that loads with rows dropped for a missing value."""
    notes = ingest.load(path).source.get("notes", [])
    found = [n for n in notes if "with a missing or non-finite value" in n]
    assert len(found) == 1, notes
    return found[0]


def test_infinite_time_names_its_line(real: np.ndarray, tmp_path: Path) -> None:
    lines = [",".join(f"{v:.6g}" for v in row) for row in real]
    lines[600] = "inf" + lines[600][lines[600].index(",") :]
    assert "first on line 602 (time)" in dropped_note(write(tmp_path, lines))


def test_time_jump_back_names_its_line(real: np.ndarray, tmp_path: Path) -> None:
    rows = real.copy()
    rows[600:, 0] -= 3.0  # data row 600 (file line 602) goes back 2.99 s
    err = refused(write(tmp_path, rows))
    assert err.reason == "time_backwards"
    assert "on line 602 (" in str(err) and "through" not in str(err)


def test_a_jump_back_after_a_dropped_row_names_its_own_line(real: np.ndarray, tmp_path: Path) -> None:
    rows = real.copy()
    rows[10, 2] = np.nan  # dropped: the rows after it must still be named by their file line
    rows[600:, 0] -= 3.0
    err = refused(write(tmp_path, rows))
    assert err.reason == "time_backwards" and "on line 602 (" in str(err)


# --- values19 #1: a few empty cells are samples lost, not a broken file ----------------------------------------------

HAND = SAMPLE.parent / "oxford_phone_in_hand.csv"


def hand_with_empty_cells(tmp_path: Path, rows: np.ndarray) -> Path:
    """The real in-hand phone walk with acc_y emptied on the given data rows (file line = row + 2)."""
    lines = HAND.read_text().splitlines()
    for row in rows:
        fields = lines[row + 1].split(",")
        fields[2] = ""
        lines[row + 1] = ",".join(fields)
    path = tmp_path / "hand.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_one_percent_of_rows_with_an_empty_cell_are_dropped_and_said(tmp_path: Path) -> None:
    n_rows = len(HAND.read_text().splitlines()) - 1
    rows = np.sort(np.random.default_rng(1).choice(np.arange(1, n_rows - 1), size=n_rows // 100, replace=False))
    rec = ingest.load(hand_with_empty_cells(tmp_path, rows))
    assert rec.n_samples == n_rows - len(rows)
    note = next(n for n in rec.source["notes"] if "missing or non-finite" in n)
    assert f"dropped {len(rows)} rows" in note and f"first on line {rows[0] + 2} (a sensor value)" in note


def test_more_than_five_percent_of_rows_missing_a_value_are_refused(tmp_path: Path) -> None:
    rows = np.arange(5, 14000, 15)  # one row in 15: 6.7 %, each alone
    err = refused(hand_with_empty_cells(tmp_path, rows))
    assert err.reason == "non_finite"
    assert f"{len(rows)} row(s) have a missing" in str(err) and "more than 5% of the" in str(err)
    assert "remove or interpolate those rows" in str(err)


@pytest.mark.parametrize(("n_missing", "loads"), [(40, True), (60, False)])
def test_a_run_of_missing_rows_is_dropped_only_up_to_the_gap_a_walk_bridges(
    tmp_path: Path, n_missing: int, loads: bool
) -> None:
    rows = np.arange(3000, 3000 + n_missing)  # the hand walk logs at 100 Hz: 0.41 s or 0.61 s without samples
    path = hand_with_empty_cells(tmp_path, rows)
    if loads:
        assert f"dropped {n_missing} rows" in dropped_note(path)
    else:
        err = refused(path)
        assert err.reason == "non_finite"
        assert f"{n_missing} rows in a row from line 3002 leave 0.6" in str(err) and "than the 0.5 s" in str(err)


def test_duplicate_time_names_both_lines(real: np.ndarray, tmp_path: Path) -> None:
    rows = real.copy()
    rows[1::2, 0] = rows[0::2, 0]  # time rounded to 50 Hz steps: every other row repeats the one before
    err = refused(write(tmp_path, rows))
    assert err.reason == "duplicate_time"
    assert "(line 2 and line 3)" in str(err) and "6 decimals" in str(err)


def test_text_in_a_number_column_names_its_line(real: np.ndarray, tmp_path: Path) -> None:
    lines = [",".join(f"{v:.6g}" for v in row) for row in real]
    lines[399] = "3.99,abc,def,ghi,1,2,3"  # file line 401
    err = refused(write(tmp_path, lines))
    assert err.reason == "non_numeric" and "'abc' on line 401" in str(err)


def test_line_numbers_count_blank_lines(real: np.ndarray, tmp_path: Path) -> None:
    lines = [",".join(f"{v:.6g}" for v in row) for row in real]
    lines[50:50] = ["", ""]  # two blank lines after data row 49: data row 100 is now on line 104
    rows = np.array(lines[100].split(","), dtype=float)
    lines[102] = ",".join(["nan", *(f"{v:.6g}" for v in rows[1:])])
    assert "first on line 104" in dropped_note(write(tmp_path, lines))


def test_generic_csv_uses_the_same_line_numbers(real: np.ndarray, tmp_path: Path) -> None:
    rows = real.copy()
    rows[100, 2] = np.nan
    path = tmp_path / "generic.csv"
    lines = [",".join(f"{v:.6g}" for v in row[:4]) for row in rows]
    path.write_text("time (s),ax (m/s^2),ay (m/s^2),az (m/s^2)\n" + "\n".join(lines) + "\n")
    assert "first on line 102" in dropped_note(path)
