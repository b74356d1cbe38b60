"""A CSV holding several sensors' columns under two header lines (gaitmap's 'sensor' line over its 'axis' line): one
sensor is read, picked by name; without one, or with a wrong one, the refusal names the sensors and the option.

Real files from ../shared/data/dev/gaitmap_example (skipped when absent), read independently with pandas' two-level
header as gaitmap's own loader (gaitmap_example_data_loader_reference.py) reads them: index = sample number.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ingest
from ingest import IngestError

GAITMAP = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "dev" / "gaitmap_example"
FOOT_SAMPLE = Path(__file__).resolve().parents[2] / "sample_recordings" / "gaitmap_left_foot.csv"
pytestmark = pytest.mark.skipif(not GAITMAP.is_dir(), reason=f"shared data not present at {GAITMAP}")
AXES = ("x", "y", "z")


@pytest.mark.parametrize(
    ("name", "rate_hz", "sensor"),
    [
        ("imu_sample.csv", 204.8, "left_sensor"),
        ("imu_sample.csv", 204.8, "right_sensor"),
        ("imu_sample_not_rotated.csv", 204.8, "right_sensor"),
        ("imu_sample_ic_stride.csv", 102.4, "left_sensor"),
    ],
)
def test_each_sensor_reads_its_own_columns(name: str, rate_hz: float, sensor: str) -> None:
    """Interleaved ('left,right,left,right...': imu_sample) or in blocks (imu_sample_not_rotated): the sensor's own."""
    frame = pd.read_csv(GAITMAP / name, header=[0, 1], index_col=0)[sensor]
    rec = ingest.load(GAITMAP / name, sensor=sensor, rate_hz=rate_hz)
    assert rec.n_samples == len(frame)
    np.testing.assert_allclose(rec.time_s, (frame.index - frame.index[0]) / rate_hz, atol=1e-9)
    # gaitmap's SOURCE.txt: acceleration in m/s^2 with gravity, gyroscope in deg/s
    np.testing.assert_allclose(rec.acc_ms2, frame[[f"acc_{a}" for a in AXES]].to_numpy(), rtol=1e-12)
    assert rec.gyr_dps is not None
    np.testing.assert_allclose(rec.gyr_dps, frame[[f"gyr_{a}" for a in AXES]].to_numpy(), rtol=1e-12)
    assert rec.source["sensor"] == sensor
    assert rec.source["time_unit"] == f"the unnamed index column at {rate_hz:g} Hz (as given)"


def test_a_sensor_name_in_another_case_picks_that_sensor() -> None:
    rec = ingest.load(GAITMAP / "imu_sample.csv", sensor=" Right_Sensor", rate_hz=204.8)
    right = pd.read_csv(GAITMAP / "imu_sample.csv", header=[0, 1], index_col=0)["right_sensor"]
    assert rec.source["sensor"] == "right_sensor"
    np.testing.assert_allclose(rec.acc_ms2[:, 0], right["acc_x"].to_numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    ("name", "rate_hz"),  # the rates of gaitmap's documentation (SOURCE.txt, gaitmap.example_data)
    [("imu_sample.csv", "204.8"), ("imu_sample_not_rotated.csv", "204.8"), ("imu_sample_ic_stride.csv", "102.4")],
)
def test_without_a_sensor_the_refusal_names_them_and_the_option_to_add(name: str, rate_hz: str) -> None:
    with pytest.raises(IngestError) as err:
        ingest.load(GAITMAP / name)
    text = str(err.value)
    assert err.value.reason == "sensor_not_chosen"
    assert "2 sensors (left_sensor, right_sensor)" in text
    assert "add --sensor left_sensor or --sensor right_sensor" in text
    # no time column (an index of sample numbers) and no rate given: the rate is needed too, and said so; gaitmap's
    # own example files: the rate its documentation gives (QA9: "--rate-hz <Hz>" left the walker guessing)
    assert f"--rate-hz {rate_hz}, " in text and "the file has no time column" in text
    assert f"gaitmap's documentation gives it for its example {name}" in text


def test_a_file_not_recognisably_gaitmaps_says_where_to_find_its_rate(tmp_path: Path) -> None:
    mine = tmp_path / "my_shoes.csv"
    shutil.copy(GAITMAP / "imu_sample.csv", mine)
    with pytest.raises(IngestError) as err:
        ingest.load(mine)
    text = str(err.value)
    assert "--rate-hz <Hz>, the sensors' sampling rate" in text and "gaitmap" not in text
    assert "the sensor's or the data set's documentation gives it" in text


def test_with_the_rate_given_the_refusal_asks_for_the_sensor_only() -> None:
    with pytest.raises(IngestError) as err:
        ingest.load(GAITMAP / "imu_sample.csv", rate_hz=204.8)
    assert "add --sensor left_sensor or --sensor right_sensor" in str(err.value)
    assert "--rate-hz" not in str(err.value)


def test_a_sensor_picked_without_a_rate_says_the_rate_is_needed() -> None:
    with pytest.raises(IngestError) as err:
        ingest.load(GAITMAP / "imu_sample.csv", sensor="left_sensor")
    text = str(err.value)
    assert err.value.reason == "missing_columns"
    assert "the unnamed index column counts samples" in text and "pass --rate-hz <Hz>" in text
    # the other sensor's columns are not offered as found
    assert "right_sensor" not in text and "'acc_x', 'acc_y', 'acc_z'" in text


def test_a_stair_file_timed_in_seconds_says_to_name_its_index_as_the_time() -> None:
    """The stair files' unnamed index holds seconds (SOURCE.txt): no sample number, said so, with what to write."""
    with pytest.raises(IngestError) as err:
        ingest.load(GAITMAP / "imu_sample_healthy_stair_up.csv", sensor="left_sensor", rate_hz=204.8)
    assert "the unnamed index column holds 0.00488281, not a sample number" in str(err.value)
    assert "name it with its unit (e.g. time_s" in str(err.value)


@pytest.mark.parametrize("wrong", ["left", "sensor", "left_sensors"])
def test_a_wrong_sensor_name_lists_the_right_ones(wrong: str) -> None:
    with pytest.raises(IngestError) as err:
        ingest.load(GAITMAP / "imu_sample.csv", sensor=wrong, rate_hz=204.8)
    text = str(err.value)
    assert err.value.reason == "unknown_sensor"
    assert f"no sensor {wrong!r}" in text and "add --sensor left_sensor or --sensor right_sensor" in text


def test_a_sensor_given_for_a_one_sensor_file_is_not_used_and_said() -> None:
    plain, given = ingest.load(FOOT_SAMPLE), ingest.load(FOOT_SAMPLE, sensor="right_sensor")
    np.testing.assert_array_equal(given.acc_ms2, plain.acc_ms2)
    assert "sensor" not in given.source
    assert any("the sensor given ('right_sensor') is not used" in n for n in given.source["notes"])
