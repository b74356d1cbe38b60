"""Findings of a QA pass by a tester acting as a new user: each variant is made from a real recording
(sample_recordings/) and written to tmp_path the way a user's tool would have written it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import ingest
from gait.analysis import analyze
from gait.types import Placement
from ingest import IngestError

SAMPLES = Path(__file__).resolve().parents[2] / "sample_recordings"
FOOT = SAMPLES / "gaitmap_left_foot.csv"
BACK = SAMPLES / "mobgap_lower_back_daily_living.csv"
RAD = np.pi / 180.0


@pytest.fixture(scope="module")
def foot() -> np.ndarray:
    """Time, acceleration (m/s^2) and gyroscope (deg/s) of a real left-foot recording, one row per sample."""
    return np.loadtxt(FOOT, delimiter=",", skiprows=1)


@pytest.fixture(scope="module")
def back() -> np.ndarray:
    """The first 30 s of a real lower-back recording (100 Hz), as ``foot``."""
    return np.loadtxt(BACK, delimiter=",", skiprows=1, max_rows=3000)


def write(path: Path, header: str, rows: np.ndarray | list[str]) -> Path:
    lines = rows if isinstance(rows, list) else [",".join(f"{v:.7g}" for v in row) for row in rows]
    path.write_text(header + "\n" + "\n".join(lines) + "\n")
    return path


def in_rad(rows: np.ndarray) -> np.ndarray:
    out = rows.copy()
    out[:, 4:7] *= RAD
    return out


GAIT_HEADER = "time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2,gyr_x_{u},gyr_y_{u},gyr_z_{u}"


# --- finding 2: a gyroscope in rad/s under a deg/s header is told by physics ---------------------------------------


@pytest.mark.parametrize("which", ["foot", "back"])
def test_rad_per_s_in_dps_columns_is_refused_with_the_factor(
    which: str, foot: np.ndarray, back: np.ndarray, tmp_path: Path
) -> None:
    rows = {"foot": foot, "back": back}[which]
    path = write(tmp_path / "rec.csv", GAIT_HEADER.format(u="dps"), in_rad(rows))
    with pytest.raises(IngestError) as err:
        ingest.load(path)
    assert err.value.reason == "gyro_units_look_like_rad"
    assert "rad/s" in str(err.value) and "57.3" in str(err.value)


@pytest.mark.parametrize("which", ["foot", "back"])
def test_the_same_recording_in_deg_per_s_loads(which: str, foot: np.ndarray, back: np.ndarray, tmp_path: Path) -> None:
    rows = {"foot": foot, "back": back}[which]
    rec = ingest.load(write(tmp_path / "rec.csv", GAIT_HEADER.format(u="dps"), rows))
    # read as written: deg/s under a deg/s header, neither refused nor rescaled (a rad/s reading would be 57.3x)
    assert rec.gyr_dps is not None and rec.gyr_dps.shape == (len(rows), 3)
    np.testing.assert_allclose(rec.gyr_dps, rows[:, 4:7], rtol=1e-6, atol=1e-9)


def test_generic_gyroscope_without_unit_is_read_by_how_the_accelerometer_turns(
    back: np.ndarray, tmp_path: Path
) -> None:
    # A lower back turns by tens of deg/s: below the old size rule's 20, so its size alone cannot tell the unit.
    header = "time,ax,ay,az,gx,gy,gz"
    for rows, unit, factor in ((back, "deg/s", 1.0), (in_rad(back), "rad/s", 1.0 / RAD)):
        rec = ingest.load(write(tmp_path / f"{unit[:3]}.csv", header, rows))
        assert rec.gyr_dps is not None
        np.testing.assert_allclose(rec.gyr_dps, rows[:, 4:7] * factor, rtol=1e-5, atol=1e-3)
        assert any(f"read as {unit} from how the accelerometer turns" in n for n in rec.source["notes"])


# --- finding 3: gyroscope columns with a unit in their name are read --------------------------------------------


@pytest.mark.parametrize("suffix", ["rads", "rad_s"])
def test_gait_csv_reads_gyroscope_columns_in_rad_per_s(suffix: str, foot: np.ndarray, tmp_path: Path) -> None:
    rec = ingest.load(write(tmp_path / "rec.csv", GAIT_HEADER.format(u=suffix), in_rad(foot)))
    assert rec.gyr_dps is not None
    np.testing.assert_allclose(rec.gyr_dps, foot[:, 4:7], rtol=1e-5, atol=1e-3)
    result = analyze(rec, placement=Placement.FOOT)
    assert result.summary["stride_length_m"] is not None


def test_unread_columns_are_named_and_the_foot_note_does_not_blame_the_sensor(foot: np.ndarray, tmp_path: Path) -> None:
    rec = ingest.load(write(tmp_path / "rec.csv", GAIT_HEADER.format(u="radps"), foot))
    assert rec.gyr_dps is None
    assert any("column(s) not read: gyr_x_radps, gyr_y_radps, gyr_z_radps" in n for n in rec.source["notes"])
    notes = " ".join(analyze(rec, placement=Placement.FOOT).notes)
    assert "this recording has none" not in notes and "gyr_x_rads" in notes


# --- finding 6: an isolated duplicated time stamp is a logger glitch, merged with a note -------------------------


def test_a_few_duplicated_time_stamps_are_merged_with_a_note(back: np.ndarray, tmp_path: Path) -> None:
    rows = back.copy()
    rows[1001, 0] = rows[1000, 0]  # data rows 1000 and 1001 (file lines 1002, 1003) share a stamp, values differ
    rows[2001, 0] = rows[2000, 0]
    rec = ingest.load(write(tmp_path / "rec.csv", GAIT_HEADER.format(u="dps"), rows))
    assert rec.n_samples == len(rows) - 2
    i = int(np.flatnonzero(rec.time_s == rows[1000, 0])[0])
    np.testing.assert_allclose(rec.acc_ms2[i], rows[1000:1002, 1:4].mean(axis=0), rtol=1e-6)
    assert any("2 time stamps repeated" in n and "line 1002 and line 1003" in n for n in rec.source["notes"])


def test_a_rounded_time_axis_is_still_refused(back: np.ndarray, tmp_path: Path) -> None:
    rows = back.copy()
    rows[:, 0] = np.round(rows[:, 0], 1)  # 100 Hz stamps rounded to 0.1 s: ten rows per stamp
    with pytest.raises(IngestError) as err:
        ingest.load(write(tmp_path / "rec.csv", GAIT_HEADER.format(u="dps"), rows))
    assert err.value.reason == "duplicate_time" and "lost its resolution" in str(err.value)


# --- findings 4 and 10: folders, zips and parts of an export say what to load instead -----------------------------

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "dev"
SENSOR_LOGGER_IOS = SHARED / "phone_exports" / "sensor_logger_ios_v1.10.4"
OXFORD_TRIAL = SHARED / "oxford_step_counter" / "optimisation" / "data" / "Nexus_Jamie_Hard_InHand_1"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="shared data not present")


def copy_export(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True)
    for f in src.iterdir():
        if f.is_file():
            (dst / f.name).write_bytes(f.read_bytes())
    return dst


@needs_shared
@pytest.mark.parametrize("part", ["Accelerometer.csv", "Gravity.csv"])
def test_one_part_of_a_sensor_logger_export_points_at_the_folder(part: str, tmp_path: Path) -> None:
    folder = copy_export(SENSOR_LOGGER_IOS / "2022-09-16_11-15-46", tmp_path / "2022-09-16_11-15-46")
    with pytest.raises(IngestError) as err:
        ingest.load(folder / part)
    text = str(err.value)
    assert "analyse the export's folder (2022-09-16_11-15-46)" in text and "AccelerometerUncalibrated.csv" in text
    assert "record again" not in text
    assert ingest.load(folder).n_samples > 0  # the folder itself does load


@needs_shared
def test_a_folder_of_recordings_and_zips_names_each(tmp_path: Path) -> None:
    parent = tmp_path / "exports"
    copy_export(SENSOR_LOGGER_IOS / "2022-09-16_11-15-46", parent / "walk_a")
    copy_export(SENSOR_LOGGER_IOS / "2022-09-16_11-15-46", parent / "walk_b")
    zipped = SENSOR_LOGGER_IOS / "2022-09-09_13-14-55.zip"
    (parent / "c.zip").write_bytes(zipped.read_bytes())
    with pytest.raises(IngestError) as err:
        ingest.load(parent)
    assert err.value.reason == "several_recordings"
    assert "walk_a, walk_b, c.zip" in str(err.value)
    (tmp_path / "zips").mkdir()
    for name in ("a.zip", "b.zip"):
        (tmp_path / "zips" / name).write_bytes(zipped.read_bytes())
    with pytest.raises(IngestError) as err:
        ingest.load(tmp_path / "zips")
    assert "holds 2 zipped recordings (a.zip, b.zip)" in str(err.value) and "unzip" not in str(err.value)


@needs_shared
@pytest.mark.parametrize("fmt", [None, "oxford"])
def test_an_oxford_trial_folder_loads_its_accelerometer(fmt: str | None, tmp_path: Path) -> None:
    folder = copy_export(OXFORD_TRIAL, tmp_path / "trial")
    rec = ingest.load(folder, format=fmt)
    assert rec.source["format"] == "oxford" and rec.source["file"].endswith("accelerometer.csv.gz")


def test_a_dangling_link_in_a_folder_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "walk.csv").write_bytes(FOOT.read_bytes())
    (tmp_path / "SingletonCookie").symlink_to(tmp_path / "gone")
    assert ingest.load(tmp_path).n_samples > 0


# --- finding 12 ---------------------------------------------------------------------------------------------------


def test_a_binary_file_says_what_to_load_instead(tmp_path: Path) -> None:
    path = tmp_path / "junk.csv"
    path.write_bytes(b"\x00\x01\x02\x03" * 100)
    with pytest.raises(IngestError) as err:
        ingest.load(path)
    assert "export the recording from the sensor app as CSV" in str(err.value) and "gait formats" in str(err.value)


# --- finding 8: a sample counter instead of time says how to add the time ------------------------------------------


@pytest.mark.parametrize("counter", ["samples", "", "PacketCounter"])
def test_a_sample_counter_says_to_add_a_time_column(counter: str, back: np.ndarray, tmp_path: Path) -> None:
    rows = [f"{i},{r[1]:.6g},{r[2]:.6g},{r[3]:.6g}" for i, r in enumerate(back)]
    path = write(tmp_path / "rec.csv", f"{counter},acc_x,acc_y,acc_z", rows)
    with pytest.raises(IngestError) as err:
        ingest.load(path)
    assert err.value.reason == "missing_columns"
    # an unnamed column is pandas' index: named as such, not as the column ''
    named = f"the column {counter!r}" if counter else "the unnamed index column"
    assert f"{named} counts samples" in str(err.value) and "time_s = sample number /" in str(err.value)
