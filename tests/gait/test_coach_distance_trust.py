"""The prompt near the usual point of pain rests only on a distance the product trusts (QA19a #12).

An uncalibrated phone's strides (confidence 0.35) or a wrist sensor's (no length: the baseline stands in) give a
distance that is a guess: the prompt then comes by walking time at the usual pace, or not at all, and never says
"You have walked 84 m" as a fact.
"""

from __future__ import annotations

import numpy as np
import pytest

from gait.coach import Coach, CoachSettings, CueKind, PainReport, plan_coaching
from tests.gait.coach_helpers import DAY_S, HEIGHT_M, NOW_S, line_walk, strides_at

ONSET_M = 100.0  # pain usually 100 m in -> plan walks of 83.3 m
PHONE_CONFIDENCE = 0.35  # an uncalibrated phone's strides (gait.confidence.method_confidence)


def _plan(history: list | None = None) -> tuple:
    settings = CoachSettings(enabled=True)
    reports = [PainReport(NOW_S - DAY_S, 5, onset_distance_m=ONSET_M)]
    plan = plan_coaching(history or [], reports, settings, body_height_m=HEIGHT_M, now_s=NOW_S, placement="pocket")
    assert plan.recommendation is not None and plan.recommendation.walk_length_m == pytest.approx(ONSET_M * 5 / 6)
    return plan, settings


def _paced_history() -> list:
    """Three trusted walks of 150 s: 150 strides of 1.3 m each (195 m) -> a usual pace of 1.3 m/s."""
    return [
        line_walk(
            NOW_S - (5 + i) * DAY_S, np.full(150, 110.0), intercept_m=1.3, slope_m_per_spm=0.0, walking_time_s=150.0
        )
        for i in range(3)
    ]


def _feed(coach: Coach, strides: list) -> list:
    return [cue for s in strides for cue in coach.update(s)]


@pytest.mark.parametrize("length_m", [1.3, None], ids=["uncalibrated phone", "no length model"])
def test_an_untrusted_distance_without_a_usual_pace_gives_no_prompt_and_says_why(length_m: float | None) -> None:
    plan, settings = _plan()
    assert plan.recommendation.pace is None
    coach = Coach(plan, settings)
    # 200 strides of 1.3 m (or the baseline's length) are well past the 83 m plan, by the sensor's guess
    cues = _feed(coach, strides_at([length_m] * 200, confidence=PHONE_CONFIDENCE if length_m else 0.0))
    assert coach.distance_m > 150.0
    assert [c for c in cues if c.kind == CueKind.NEAR_PAIN_DISTANCE] == []
    assert not coach.distance_trusted and coach.summary()["distance_trusted"] is False
    note = coach.distance_cue_note
    assert note is not None and note.startswith("No prompt near your usual point of pain on this walk")
    assert "not trusted" in note and "83 m" in note


def test_an_untrusted_distance_with_a_usual_pace_prompts_by_walking_time_never_stating_the_distance() -> None:
    plan, settings = _plan(_paced_history())
    rec = plan.recommendation
    assert rec.pace is not None and rec.pace.speed_mps == pytest.approx(1.3)
    coach = Coach(plan, settings)
    # 2 m strides by the phone's guess: 83 m after 42 strides, but 83.3 m at 1.3 m/s is 64 s of walking
    cues = _feed(coach, strides_at([2.0] * 200, confidence=PHONE_CONFIDENCE))
    near = [c for c in cues if c.kind == CueKind.NEAR_PAIN_DISTANCE]
    assert [c.t_s for c in near] == [pytest.approx(np.ceil(rec.walk_length_m / 1.3))]
    assert near[0].reason.startswith("You have walked for 1 min 5 s, about 83 m (0.05 mi) at your usual pace")
    assert "You have walked 1" not in near[0].reason  # the guessed 130 m is never said as walked
    assert coach.distance_cue_note.startswith("The prompt near your usual point of pain comes after about 1 min 4 s")


def test_trusted_strides_prompt_at_the_distance() -> None:
    plan, settings = _plan(_paced_history())
    coach = Coach(plan, settings)
    cues = _feed(coach, strides_at([2.0] * 200, confidence=0.9))
    near = [c for c in cues if c.kind == CueKind.NEAR_PAIN_DISTANCE]
    assert [c.t_s for c in near] == [42.0]  # 42 x 2 m = 84 m >= 83.3 m
    assert near[0].reason.startswith("You have walked 84 m")
    assert coach.distance_trusted and coach.distance_cue_note is None


def test_a_distance_summed_from_untrusted_strides_is_no_better_than_the_strides() -> None:
    """The live service hands the coach the walk's running summary distance, a sum of the same model strides."""
    plan, settings = _plan()
    coach = Coach(plan, settings)
    cues = []
    for i, s in enumerate(strides_at([1.3] * 200, confidence=PHONE_CONFIDENCE)):
        coach.set_distance_m(1.3 * (i + 1), from_strides=True)
        cues += coach.update(s)
    assert cues == [] and coach.distance_cue_note is not None
    # a foot pod's odometer or GPS is a measured distance: it is trusted whatever the strides' confidence
    coach = Coach(plan, settings)
    coach.set_distance_m(90.0)
    cues = _feed(coach, strides_at([1.3] * 3, confidence=PHONE_CONFIDENCE))
    assert [c.kind for c in cues] == [CueKind.NEAR_PAIN_DISTANCE]
    assert cues[0].reason.startswith("You have walked 90 m")


def test_with_coaching_switched_off_the_plan_says_nothing_of_counting_pain_free_walks() -> None:
    # QA19a #14: pain-free walks only relax a stride target; switched off, the counting rule is noise
    reports = [PainReport(NOW_S - DAY_S, 5, onset_distance_m=ONSET_M)]
    on, off = (
        plan_coaching([], reports, CoachSettings(enabled=e), body_height_m=HEIGHT_M, now_s=NOW_S) for e in (True, False)
    )
    assert "counts as a pain-free walk" in on.recommendation.reason
    assert off.recommendation.walk_length_m == on.recommendation.walk_length_m
    assert "pain-free" not in off.recommendation.reason
    assert off.recommendation.reason.endswith("so they end before it starts.")
    # a plan under a minute of walking: the doctor's advice stays, the counting does not
    early = [PainReport(NOW_S - DAY_S, 5, onset_time_s=40.0)]
    off = plan_coaching([], early, CoachSettings(enabled=False), body_height_m=HEIGHT_M, now_s=NOW_S)
    assert off.recommendation.reason.endswith(
        "Back pain that starts this early into a walk is worth discussing with a doctor or physiotherapist."
    )
    assert "count" not in off.recommendation.reason
