"""`--sensor` on the commands that read a file: one sensor of a CSV holding several (gaitmap's imu_sample.csv, left and
right shoe), checked against the file's hand-labelled and motion-capture reference; its side when it names one.

Real files from ../shared/data/dev/gaitmap_example (skipped when absent): imu_sample.csv (2 x 20 m walk, 204.8 Hz,
no time column), stride_events_sample.csv (Vicon-derived gait events per stride, IMU sample index) and
stride_borders_sample.csv (hand-labelled stride borders).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ingest.gait_csv import read_gait_csv
from service.cli import main

GAITMAP = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "dev" / "gaitmap_example"
IMU = GAITMAP / "imu_sample.csv"
RATE_HZ = 204.8  # gaitmap_example_data_loader_reference.py: get_healthy_example_imu_data
pytestmark = pytest.mark.skipif(not GAITMAP.is_dir(), reason=f"shared data not present at {GAITMAP}")
MATCH_S = 0.1
"""A detected contact within this of a reference initial contact is the same one."""


def reference_contacts_s(foot: str) -> np.ndarray:
    """The Vicon initial contacts of one foot's reference strides, in seconds on the IMU's time axis."""
    events = pd.read_csv(GAITMAP / "stride_events_sample.csv")
    return events.loc[events["foot"] == foot, "ic"].to_numpy() / RATE_HZ


def reference_stride_s(foot: str) -> float:
    """Median duration of one foot's hand-labelled strides."""
    borders = pd.read_csv(GAITMAP / "stride_borders_sample.csv")
    own = borders[borders["foot"] == foot]
    return float(np.median((own["end"] - own["start"]).to_numpy() / RATE_HZ))


def _analyse(capsys: pytest.CaptureFixture[str], *options: str) -> dict:
    assert main(["analyze", str(IMU), "--no-profile", "--rate-hz", str(RATE_HZ), *options, "--json", "-"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("foot", ["left", "right"])
def test_each_shoe_sensor_finds_its_reference_contacts_and_carries_its_side(foot: str, capsys) -> None:
    doc = _analyse(capsys, "--sensor", f"{foot}_sensor", "--placement", "foot")
    steps_s = np.array([s["t_s"] for s in doc["steps"]])
    reference = reference_contacts_s(foot)
    assert len(reference) == {"left": 28, "right": 29}[foot]  # SOURCE.txt
    missed = [t for t in reference if np.min(np.abs(steps_s - t)) > MATCH_S]
    assert not missed, f"reference contacts without a detected step: {missed}"
    # within the reference's span, no more than one contact it left out (the left foot's turn stride) or one extra
    within = steps_s[(steps_s > reference[0] - MATCH_S) & (steps_s < reference[-1] + MATCH_S)]
    assert len(reference) <= len(within) <= len(reference) + 1
    assert {s["side"] for s in doc["steps"]} == {foot} and {s["side"] for s in doc["strides"]} == {foot}
    stride_s = np.median([s["end_s"] - s["start_s"] for s in doc["strides"]])
    assert stride_s == pytest.approx(reference_stride_s(foot), rel=0.03)


def test_a_sensor_named_by_side_gives_no_side_at_another_placement(capsys) -> None:
    # only a foot sensor is on one shoe: at the lower back the name says nothing (a side there would be refused), the
    # steps' sides are the trunk's own laterality, both feet's
    doc = _analyse(capsys, "--sensor", "left_sensor", "--placement", "lower_back")
    assert doc["steps"] and {s["side"] for s in doc["steps"]} != {"left"}


def test_an_explicit_side_is_kept_over_the_sensors_name(capsys) -> None:
    doc = _analyse(capsys, "--sensor", "left_sensor", "--placement", "foot", "--side", "right")
    assert {s["side"] for s in doc["steps"]} == {"right"}


@pytest.mark.parametrize("command", [["analyze"], ["calibrate", "--distance-m", "40", "--dry-run"]])
def test_without_a_sensor_the_refusal_names_the_option_to_add(command: list[str], tmp_path: Path, capsys) -> None:
    args = [command[0], str(IMU), *command[1:], "--placement", "foot", "--data-dir", str(tmp_path)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "2 sensors (left_sensor, right_sensor)" in err and "add --sensor left_sensor or --sensor right_sensor" in err
    assert f"--rate-hz {RATE_HZ:g}, " in err and "Traceback" not in err  # gaitmap's documented rate (QA9)
    assert main([*args, "--sensor", "right_sensor", "--rate-hz", str(RATE_HZ)]) == 0


def test_a_wrong_sensor_name_lists_the_right_ones(capsys) -> None:
    assert main(["analyze", str(IMU), "--sensor", "left", "--rate-hz", str(RATE_HZ)]) == 2
    err = capsys.readouterr().err
    assert "no sensor 'left'" in err and "add --sensor left_sensor or --sensor right_sensor" in err
    assert "Traceback" not in err


def test_convert_writes_the_chosen_sensors_columns(tmp_path: Path, capsys) -> None:
    out = tmp_path / "right.csv"
    assert main(["convert", str(IMU), str(out), "--sensor", "right_sensor", "--rate-hz", str(RATE_HZ)]) == 0
    right = pd.read_csv(IMU, header=[0, 1], index_col=0)["right_sensor"]
    written = read_gait_csv(out)
    np.testing.assert_allclose(written.acc_ms2, right[["acc_x", "acc_y", "acc_z"]].to_numpy(), rtol=1e-5, atol=1e-5)
    assert written.gyr_dps is not None
    np.testing.assert_allclose(written.gyr_dps, right[["gyr_x", "gyr_y", "gyr_z"]].to_numpy(), rtol=1e-5, atol=1e-5)
    assert written.duration_s == pytest.approx((len(right) - 1) / RATE_HZ, abs=1e-5)
