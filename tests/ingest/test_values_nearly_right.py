"""Sensor values that are nearly right, on real walks (sample_recordings/): a header unit the data contradicts is
refused naming both units; a gyroscope whose unit only an app's convention gives is read in the unit its turning
shows, with a note."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import ingest
from gait.consts import GRAVITY_MS2
from ingest import IngestError
from tests.ingest import exports as ex

SAMPLES = Path(__file__).resolve().parents[2] / "sample_recordings"
N_ROWS = 2000  # 10 s of the foot walk at 204.8 Hz: strides and their turning, quick to write


@pytest.fixture(scope="module")
def foot() -> np.ndarray:
    """Time, acceleration (m/s^2 with gravity) and gyroscope (deg/s) of the real gaitmap left-foot walk."""
    return np.loadtxt(SAMPLES / "gaitmap_left_foot.csv", delimiter=",", skiprows=1, max_rows=N_ROWS)


def write_table(tmp_path: Path, header: str, rows: np.ndarray, name: str = "rec.csv") -> Path:
    path = tmp_path / name
    path.write_text(header + "\n" + "\n".join(",".join(f"{v:.6g}" for v in row) for row in rows) + "\n")
    return path


def refused(path: Path, **kwargs: str) -> IngestError:
    with pytest.raises(IngestError) as err:
        ingest.load(path, **kwargs)
    return err.value


# --- a declared acceleration unit the data contradicts ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "factor", "said", "found", "fits"),
    [
        ("time_s,acc_x_g,acc_y_g,acc_z_g", 1.0, "g", "m/s^2", "ms2"),
        ("elapsed (s),x-axis (g),y-axis (g),z-axis (g)", 1.0, "g", "m/s^2", "ms2"),
        ("time (s),ax (m/s^2),ay (m/s^2),az (m/s^2)", 1.0 / GRAVITY_MS2, "m/s^2", "g", "g"),
        ("time_s,acc_x_mg,acc_y_mg,acc_z_mg", 1.0 / GRAVITY_MS2, "milli-g", "g", "g"),
    ],
    ids=["suffix g holds m/s^2", "metawear (g) holds m/s^2", "(m/s^2) holds g", "mg holds g"],
)
def test_a_header_unit_the_gravity_contradicts_is_refused_naming_both(
    foot: np.ndarray, tmp_path: Path, header: str, factor: float, said: str, found: str, fits: str
) -> None:
    rows = foot[:, :4].copy()
    rows[:, 1:4] *= factor
    err = refused(write_table(tmp_path, header, rows))
    assert err.reason == f"units_look_like_{fits}"
    text = str(err)
    assert f"the header says the acceleration is in {said}, but its gravity reads" in text
    assert f"as {found} does" in text and f"rename the columns acc_x_{fits}, acc_y_{fits}, acc_z_{fits}" in text
    assert "which fits no unit" not in text


def test_gravity_in_the_declared_unit_loads(foot: np.ndarray, tmp_path: Path) -> None:
    rows = foot[:, :4].copy()
    rows[:, 1:4] /= GRAVITY_MS2
    rec = ingest.load(write_table(tmp_path, "time_s,acc_x_g,acc_y_g,acc_z_g", rows))
    assert np.allclose(rec.acc_ms2, foot[:, 1:4], atol=1e-4)


def test_an_acc_unit_flag_the_gravity_contradicts_names_the_flag(foot: np.ndarray, tmp_path: Path) -> None:
    err = refused(write_table(tmp_path, "time,x,y,z", foot[:, :4]), acc_unit="g")
    assert err.reason == "units_look_like_ms2"
    assert "--acc-unit says the acceleration is in g, but its gravity reads" in str(err)
    assert "pass --acc-unit ms2" in str(err)


# --- a gyroscope whose unit only the app's convention gives ----------------------------------------------------------


def foot_signal(foot: np.ndarray) -> ex.Signal:
    return ex.Signal(time_s=foot[:, 0], acc_ms2=foot[:, 1:4], gyr_dps=foot[:, 4:7])


def gyro_notes(rec) -> list[str]:
    return [n for n in rec.source.get("notes", []) if "gyroscope read as" in n]


@pytest.mark.parametrize("gyro_in", ["rad/s", "deg/s"])
def test_a_sensor_logger_gyroscope_is_read_in_the_unit_its_turning_shows(
    foot: np.ndarray, tmp_path: Path, gyro_in: str
) -> None:
    sig = foot_signal(foot)
    files = ex.sensor_logger_android(sig, gps=False)
    if gyro_in == "deg/s":  # a logger that kept the gyroscope in deg/s under Sensor Logger's unit-less columns
        files["Gyroscope.csv"] = ex.sl_axis_csv(sig.time_s, sig.gyr_dps)
    rec = ingest.load(ex.write_files(tmp_path / "export", files, as_zip=True))
    assert rec.gyr_dps is not None
    assert np.allclose(rec.gyr_dps, sig.gyr_dps, rtol=1e-4, atol=1e-3)
    notes = gyro_notes(rec)
    if gyro_in == "rad/s":
        assert notes == []  # the convention holds: nothing to say
    else:
        assert len(notes) == 1
        assert (
            "Gyroscope.csv: gyroscope read as deg/s: the file names no unit and its turning matches deg/s" in notes[0]
        )


def test_a_physics_toolbox_gyroscope_in_deg_per_s_is_read_so_with_a_note(foot: np.ndarray, tmp_path: Path) -> None:
    g = foot[:, 1:4] / GRAVITY_MS2
    rows = np.column_stack([foot[:, 0], g, foot[:, 4:7]])  # wx, wy, wz hold deg/s where the app writes rad/s
    rec = ingest.load(write_table(tmp_path, "time,gFx,gFy,gFz,wx,wy,wz", rows), format="physics_toolbox")
    assert np.allclose(rec.gyr_dps, foot[:, 4:7], rtol=1e-4, atol=1e-3)
    assert any("gyroscope read as deg/s: the file names no unit" in n for n in gyro_notes(rec))


def test_a_gyroscope_too_still_to_tell_keeps_the_convention_silently(tmp_path: Path) -> None:
    sig = ex.signal(duration_s=10.0)
    still = ex.Signal(
        time_s=sig.time_s, acc_ms2=np.tile([0.0, 0.0, GRAVITY_MS2], (len(sig.time_s), 1)), gyr_dps=sig.gyr_dps
    )
    files = ex.sensor_logger_android(still, gps=False)
    rec = ingest.load(ex.write_files(tmp_path / "export", files, as_zip=True))
    assert np.allclose(rec.gyr_dps, sig.gyr_dps, rtol=1e-4, atol=1e-3) and gyro_notes(rec) == []


def test_a_phyphox_stream_with_a_missing_value_drops_its_row_and_says_so(foot: np.ndarray, tmp_path: Path) -> None:
    acc = foot[:, 1:4].copy()
    acc[500, 1] = np.nan  # phyphox writes a lost value as NaN; data row 500 is file line 502
    files = {"Raw Data.csv": ex.phyphox_csv(foot[:, 0], acc, ex.RAW_WITH_G)}
    rec = ingest.load(ex.write_files(tmp_path / "phyphox", files, as_zip=True))
    assert rec.n_samples == N_ROWS - 1
    assert any("Raw Data.csv: dropped 1 row with a missing" in n and "line 502" in n for n in rec.source["notes"])
