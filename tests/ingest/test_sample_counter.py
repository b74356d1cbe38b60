"""Lab recordings timed by a sample counter (or by their row order) and a sampling rate, given or stated in the file.

Real files from ../shared/data/dev (skipped when absent): mobgap's data_csv copies ('samples' at 100 Hz, acc in g,
gyr in deg/s, checked against the same trial's data.mat), gaitmap's MS-patient foot sensor ('index' at 102.4 Hz),
IPOL's Xsens files ('Acquisition frequency: 100 Hz' over a 'PacketCounter' that skips lost packets).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

import ingest
from gait.consts import GRAVITY_MS2
from ingest import IngestError
from service.uploads import dashboard_wording

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "dev"
MOBGAP = SHARED / "mobgap_lab" / "example_data"
MOBGAP_CSV = MOBGAP / "data_csv" / "HA" / "001" / "TimeMeasure1_Test5_Trial1.csv"
GAITMAP = SHARED / "gaitmap_example"
IPOL = SHARED / "ipol_healthy_gait" / "GaitData" / "1-3_lb.txt.gz"
shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared data not present at {SHARED}")


def _mobgap_mat() -> dict:
    scipy_io = pytest.importorskip("scipy.io")
    mat = scipy_io.loadmat(MOBGAP / "data" / "lab" / "HA" / "001" / "data.mat", simplify_cells=True)
    return mat["data"]["TimeMeasure1"]["Test5"]["Trial1"]["SU"]["LowerBack"]


@shared
def test_mobgap_csv_without_a_rate_names_the_option_and_the_column_to_add() -> None:
    with pytest.raises(IngestError) as err:
        ingest.load(MOBGAP_CSV)
    text = str(err.value)
    assert err.value.reason == "missing_columns"
    assert "'samples' counts samples" in text and "time_s = sample number / sampling rate" in text
    assert "command line: or pass --rate-hz <Hz>" in text
    # the upload form has no such option: the dashboard says to convert the file with it, or to add the column
    shown = dashboard_wording(text)
    assert "add a column time_s" in shown and "gait convert --rate-hz <Hz> and upload the converted file" in shown


@shared
def test_mobgap_csv_at_its_rate_matches_the_trials_matlab_file() -> None:
    """The CSV copy holds acceleration in g and the gyroscope in deg/s (its README, SOURCE.txt): read so, its samples
    are the data.mat's (acc in g, gyr in deg/s, unix time stamps at 100 Hz)."""
    rec = ingest.load(MOBGAP_CSV, rate_hz=100.0)
    mat = _mobgap_mat()
    stamps = np.asarray(mat["Timestamp"], dtype=float)
    assert rec.n_samples == len(stamps)
    np.testing.assert_allclose(rec.time_s, stamps - stamps[0], atol=1e-3)
    np.testing.assert_allclose(rec.acc_ms2 / GRAVITY_MS2, mat["Acc"], atol=1e-3)  # g, not m/s^2
    assert rec.gyr_dps is not None
    np.testing.assert_allclose(rec.gyr_dps, mat["Gyr"], atol=1e-6)  # deg/s, not rad/s
    assert rec.source["rate_hz"] == pytest.approx(100.0)
    assert "'samples' at 100 Hz" in rec.source["time_unit"]


@shared
def test_gaitmap_foot_sensor_is_timed_by_its_unnamed_index() -> None:
    """pandas' unnamed row index (0, 1, 2 ...) numbers the samples; SOURCE.txt: 400 Hz, 100,000 samples, acc in m/s^2
    with gravity, gyr in deg/s."""
    rec = ingest.load(GAITMAP / "aligned_data_with_mag_l_walks.csv.gz", rate_hz=400.0)
    assert rec.n_samples == 100_000 and rec.duration_s == pytest.approx(99_999 / 400.0)
    assert rec.source["acc_unit"].startswith("ms2") and rec.source["gyr_unit"] == "deg"
    assert rec.source["time_unit"] == "the unnamed index column at 400 Hz (as given)"


def test_a_named_counter_is_used_before_an_unnamed_row_index(tmp_path: Path) -> None:
    """gaitmap's MS files hold both (',index,acc_x...': 0, 23000); the named one keeps a lost sample's gap."""
    rows = [f"{row},{23000 + n},0.1,0.2,9.8" for row, n in enumerate([*range(150), *range(151, 300)])]
    path = tmp_path / "ms.csv"
    path.write_text(",index,acc_x,acc_y,acc_z\n" + "\n".join(rows) + "\n")
    rec = ingest.load(path, rate_hz=100.0)
    assert rec.n_samples == 299 and rec.duration_s == pytest.approx(2.99)
    assert any("'index' skips 1 sample number(s) in 1 place(s)" in n for n in rec.source["notes"])


@shared
def test_ipol_file_is_timed_by_its_counter_at_the_rate_its_first_line_states() -> None:
    rec = ingest.load(IPOL)
    with gzip.open(IPOL, "rt") as f:
        assert f.readline().strip() == "Acquisition frequency: 100 Hz"
        table = np.loadtxt(f, delimiter="\t", skiprows=1)
    counter = table[:, 0]
    lost = int(np.sum(np.diff(counter) - 1))
    assert lost > 0  # the Awinda radio dropped packets: times must follow the counter, not the row order
    assert rec.n_samples == len(counter)
    assert rec.duration_s == pytest.approx((counter[-1] - counter[0]) / 100.0)
    # SOURCE.txt: acceleration in m/s^2 with gravity, gyroscope in rad/s
    np.testing.assert_allclose(rec.acc_ms2, table[:, 1:4], rtol=1e-9)
    assert rec.gyr_dps is not None
    np.testing.assert_allclose(rec.gyr_dps, np.degrees(table[:, 4:7]), rtol=1e-9)
    notes = " ".join(rec.source["notes"])
    assert "'Acquisition frequency: 100 Hz'" in notes and "--rate-hz" in notes
    assert f"skips {lost} sample number(s)" in notes


@shared
def test_a_16_bit_counter_that_wraps_is_counted_on_across_the_wrap(tmp_path: Path) -> None:
    # The Xsens PacketCounter is 16 bits: a recording of more than 65,536 packets (11 min at 100 Hz) starts again
    # from 0. The IPOL file rewritten as if its counter had started 700 packets before the wrap (its lost packets
    # kept, one of them may fall on the wrap) must read exactly as the file itself.
    with gzip.open(IPOL, "rt") as f:
        first, header = f.readline(), f.readline()
        table = np.loadtxt(f, delimiter="\t")
    wrapped = table.copy()
    wrapped[:, 0] = (table[:, 0] + 65536 - 700) % 65536
    assert np.any(np.diff(wrapped[:, 0]) < 0)  # the counter does wrap in the file written
    path = tmp_path / "1-3_lb_wrapped.txt"
    lines = ["\t".join(f"{v:.6f}" if j else f"{v:.1f}" for j, v in enumerate(row)) for row in wrapped]
    path.write_text(first + header + "\n".join(lines) + "\n")
    rec, plain = ingest.load(path), ingest.load(IPOL)
    np.testing.assert_allclose(rec.time_s, plain.time_s, atol=1e-9)
    np.testing.assert_allclose(rec.acc_ms2, plain.acc_ms2, atol=1e-6)
    assert any("wraps around 1 time(s) (at 65,536" in n for n in rec.source["notes"]), rec.source["notes"]


@shared
def test_a_rate_given_over_the_stated_one_is_used_and_the_difference_said() -> None:
    rec = ingest.load(IPOL, rate_hz=50.0)
    stated = ingest.load(IPOL)
    assert rec.duration_s == pytest.approx(2 * stated.duration_s)
    assert any("states 100 Hz" in n and "read at 50 Hz" in n for n in rec.source["notes"])


def test_rows_without_a_counter_are_timed_by_their_order(tmp_path: Path) -> None:
    rows = "".join(f"{0.1 * np.sin(i / 7):.4f},{0.2:.4f},{9.81 + np.cos(i / 5):.4f}\n" for i in range(400))
    path = tmp_path / "rows.csv"
    path.write_text("acc_x_ms2,acc_y_ms2,acc_z_ms2\n" + rows)
    with pytest.raises(IngestError) as err:
        ingest.load(path)
    assert "time_s = row number / sampling rate" in str(err.value) and "--rate-hz" in str(err.value)
    rec = ingest.load(path, rate_hz=50.0)
    assert rec.n_samples == 400 and rec.duration_s == pytest.approx(399 / 50.0)
    assert "row order at 50 Hz" in rec.source["time_unit"]


def test_a_counter_with_fractions_is_no_sample_number(tmp_path: Path) -> None:
    path = tmp_path / "frac.csv"
    path.write_text("index,acc_x,acc_y,acc_z\n" + "".join(f"{i * 0.005},0.1,0.2,9.8\n" for i in range(300)))
    with pytest.raises(IngestError) as err:
        ingest.load(path, rate_hz=200.0)
    assert "not a sample number" in str(err.value) and "time_s" in str(err.value)


def test_a_rate_given_for_a_timed_file_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / "timed.csv"
    path.write_text("time_s,acc_x,acc_y,acc_z\n" + "".join(f"{i / 100},0.1,0.2,9.8\n" for i in range(300)))
    rec = ingest.load(path, rate_hz=25.0)
    assert rec.duration_s == pytest.approx(2.99)
    assert any("25 Hz) is not used" in n and "'time_s'" in n for n in rec.source["notes"])
