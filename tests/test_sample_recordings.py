"""The real sample recordings: regression snapshots of the whole output, and checks against their references.

The snapshot guards against unintended change (refresh deliberately with ``pytest --update-snapshots``); the
reference checks guard accuracy with floors a little below the figures measured when they were written.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench import metrics
from gait.analysis import Analysis, analyze
from tests.sample_data import Sample, samples

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
ALL = samples()

# name prefix -> (min IC F1, max step count error, max bout cadence error spm, max stride length MAE m)
FLOORS: dict[str, tuple[float, float, float | None, float | None]] = {
    "mobgap_lower_back_straight_walk": (0.97, 0.02, 2.0, 0.12),
    "mobgap_lower_back_daily_living": (0.75, 0.10, None, None),
    "gaitmap_": (0.95, 0.05, 4.0, 0.10),
    "oxford_": (0.95, 0.05, 5.0, None),
}


def _analyse(sample: Sample) -> Analysis:
    ref = sample.reference
    return analyze(
        sample.load(),
        placement=sample.placement,
        body_height_m=ref["body_height_m"],
        sensor_height_m=ref["sensor_height_m"],
        sensor_side=ref["side"],  # the shoe a foot sensor was on (None elsewhere)
    )


def test_there_are_samples_for_each_placement_family() -> None:
    placements = {s.placement.value for s in ALL}
    assert {"lower_back", "foot"} <= placements and placements - {"lower_back", "foot"}


@pytest.mark.parametrize("sample", ALL, ids=lambda s: s.name)
def test_output_matches_the_snapshot(sample: Sample, request: pytest.FixtureRequest) -> None:
    doc = json.loads(json.dumps(_analyse(sample).to_dict()))
    path = SNAPSHOTS / f"{sample.name}.json"
    if request.config.getoption("--update-snapshots"):
        path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    assert path.exists(), f"no snapshot for {sample.name}: run pytest --update-snapshots once and review it"
    # Numbers may move in their last rounded digit with another numpy/scipy build; anything more is a change.
    assert doc == _approx(json.loads(path.read_text(encoding="utf-8")))


def _approx(value):
    if isinstance(value, dict):
        return {k: _approx(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_approx(v) for v in value]
    if isinstance(value, float):
        return pytest.approx(value, abs=2e-3)
    return value


@pytest.mark.parametrize("sample", ALL, ids=lambda s: s.name)
def test_accuracy_against_the_reference(sample: Sample) -> None:
    floors = next(v for k, v in FLOORS.items() if sample.name.startswith(k))
    min_f1, max_count_err, max_cadence_err, max_sl_mae = floors
    result = _analyse(sample)
    ref = sample.reference["reference"]
    detected = np.array([s.t_s for s in result.steps])
    score = metrics.score_ics(sample.initial_contacts_s, detected, ref["walking_spans"])
    f1 = 2 * score.n_match / (score.n_ref + score.n_det)
    assert f1 >= min_f1
    assert metrics.step_count_error(sample.initial_contacts_s, detected, ref["walking_spans"]) <= max_count_err
    if max_cadence_err is not None:
        bouts = [(b["start_s"], b["end_s"], b["cadence_spm"]) for b in ref["bouts"]]
        errors = [abs(r - d) for r, d in metrics.cadence_errors(bouts, detected, ref["steps_per_ic_interval"])]
        assert max(errors) <= max_cadence_err
    if max_sl_mae is not None:
        matches = metrics.match_strides(sample.strides, [(s.start_s, s.end_s, s.length_m) for s in result.strides])
        summary = metrics.summarize_strides(matches)
        assert summary.coverage >= 0.8 and summary.mae_m <= max_sl_mae


@pytest.mark.parametrize("sample", ALL, ids=lambda s: s.name)
def test_the_sensor_mounted_another_way_gives_the_same_walk(sample: Sample) -> None:
    """Any orientation: the vertical comes from gravity, lengths and confidences from rotation-free quantities, so a
    sensor clipped on turned (a phone upside down in a pocket, a shoe pod on its side) sees the same steps and
    strides."""
    from scipy.spatial.transform import Rotation

    recording = sample.load()
    turn = Rotation.from_rotvec(np.deg2rad([70.0, -120.0, 35.0]))  # sensor frame of the same walk, mounted turned
    turned = type(recording)(
        time_s=recording.time_s,
        acc_ms2=turn.apply(recording.acc_ms2),
        gyr_dps=None if recording.gyr_dps is None else turn.apply(recording.gyr_dps),
        placement=recording.placement,
        body_height_m=recording.body_height_m,
        sensor_height_m=recording.sensor_height_m,
        source=recording.source,
    )
    plain = _analyse(sample)
    rotated = analyze(
        turned,
        placement=sample.placement,
        body_height_m=sample.reference["body_height_m"],
        sensor_height_m=sample.reference["sensor_height_m"],
        sensor_side=sample.reference["side"],
    )
    assert len(plain.steps) >= 10
    assert [s.t_s for s in rotated.steps] == pytest.approx([s.t_s for s in plain.steps], abs=1e-6)
    assert [s.length_m for s in rotated.strides] == pytest.approx([s.length_m for s in plain.strides], rel=1e-3)
    # and the same confidences: the turn check reads the gyroscope about each step's own vertical
    assert [s.confidence for s in rotated.strides] == [s.confidence for s in plain.strides]
