"""The candidate recall bound of bench.ic_candidates on hand-computed cases and a synthetic walk."""

from __future__ import annotations

import doctest

import numpy as np

from bench import ic_candidates
from bench.datasets import RefRecording
from bench.ic_candidates import bound_counts, candidate_sources, trunk_signals
from gait.tracker import GaitTracker
from gait.types import Chunk, Placement, Recording, StepEvent
from tests.gait.synthetic import walk_signal


def test_docstring_examples() -> None:
    failures, tried = doctest.testmod(ic_candidates, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried >= 5
    assert failures == 0


def test_current_candidates_are_the_trackers_contacts_on_a_regular_walk() -> None:
    # In a steady walk the bout rules keep every peak, so the replica of the peak test (on the whole signal) must
    # find exactly the contacts the streaming tracker emits: one per step of the 1.8 Hz walk.
    t, acc = walk_signal(step_hz=1.8, walk_s=20.0, tilt_deg=20.0)
    tracker = GaitTracker(placement="lower_back")
    steps = [e.t_s for e in tracker.update(Chunk(t, acc)) + tracker.finish() if isinstance(e, StepEvent)]
    ref = RefRecording(
        name="synthetic",
        dataset="none",
        placement=Placement.LOWER_BACK,
        recording=Recording(time_s=t, acc_ms2=acc),
        ref_ic_s=np.array(steps),
        ref_strides=[],
        ref_bouts=[],
        walking_spans=[(3.0, 23.0)],
    )
    current = candidate_sources(trunk_signals(ref))["current"]
    current = current[(current > 3.0) & (current < 23.0)]
    steps = [s for s in steps if 3.0 < s < 23.0]
    assert 34 <= len(steps) <= 37  # 20 s at 1.8 steps/s
    assert len(current) == len(steps)
    np.testing.assert_allclose(current, steps, atol=0.011)
    assert bound_counts(np.array(steps), current, ref.walking_spans) == (len(steps), 0, 0)
