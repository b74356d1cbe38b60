"""Side scoring of bench.side on hand-built cases (no shared data needed)."""

from __future__ import annotations

import numpy as np

from bench.datasets import RefRecording
from bench.side import SideCounts, score_sides, sides_from_evidence
from gait.types import Placement, Recording


def _ref() -> RefRecording:
    ic_s = np.array([1.0, 1.5, 2.0, 2.5, 3.0, 3.5])
    time_s = np.arange(0.0, 5.0, 0.01)
    acc = np.tile([0.0, 0.0, 9.81], (len(time_s), 1))
    return RefRecording(
        name="hand-built",
        dataset="synthetic",
        placement=Placement.LOWER_BACK,
        recording=Recording(time_s=time_s, acc_ms2=acc),
        ref_ic_s=ic_s,
        ref_strides=[],
        ref_bouts=[],
        walking_spans=[(1.0, 3.5)],
        ref_ic_side=np.array(["left", "right", "left", "right", "", "right"]),
        turns_s=[(3.3, 3.6)],  # widened by 0.5 s: 2.8-4.1 s
    )


def test_score_counts_matched_contacts_by_outcome_straight_and_in_turns() -> None:
    ref = _ref()
    # 0.9 s: matched to 1.0 (left, given right: wrong); 1.52 s: right (right); 2.1 s: None; 2.5 s: right (right);
    # 3.0 s: the reference has no side (left out); 3.45 s: right, in the turn; 4.2 s: outside the span.
    det_s = np.array([0.9, 1.52, 2.1, 2.5, 3.0, 3.45, 4.2])
    score = score_sides(ref, det_s, ["right", "right", None, "right", "left", "right", "left"])
    assert (score.straight.correct, score.straight.wrong, score.straight.none) == (2, 1, 1)
    assert (score.turn.correct, score.turn.wrong, score.turn.none) == (1, 0, 0)
    assert score.all.n == 5
    assert score.all.accuracy == 3 / 4


def test_counts_shares_and_accuracy() -> None:
    counts = SideCounts(correct=6, wrong=2, none=2)
    assert counts.shares() == (0.6, 0.2, 0.2)
    assert counts.accuracy == 0.75
    assert np.isnan(SideCounts().accuracy)


def test_a_vote_gives_a_run_one_alternating_assignment() -> None:
    ic_s = np.array([0.0, 0.5, 1.0, 1.5, 5.0, 5.5])  # two runs (a 3.5 s pause)
    evidence = np.array([1.0, -1.0, -1.0, -1.0, -1.0, np.nan])
    assert sides_from_evidence(ic_s, evidence, vote=False) == ["left", "right", "right", "right", "right", None]
    # first run: +1 +1 -1 +1 for "first is left" -> left, right, left, right; second run: the first is right.
    assert sides_from_evidence(ic_s, evidence, vote=True) == ["left", "right", "left", "right", "right", "left"]
