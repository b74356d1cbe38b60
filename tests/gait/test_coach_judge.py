"""The StrideJudge: strides judged one at a time against the walker's usual strides or, without a personal baseline,
against the walk's own first 20 trusted strides (exact numbers worked out by hand in the comments)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from gait.coach import (
    WALK_LEVEL_STRIDES,
    Coach,
    CoachSettings,
    CueKind,
    StrideJudge,
    WalkRecord,
    flag_overlong,
    plan_coaching,
)
from gait.errors import GaitError
from gait.types import StrideEvent
from tests.gait.coach_helpers import DAY_S, HEIGHT_M, NOW_S, active_plan, line_walk, personal_plan, strides_at

SETTINGS = CoachSettings(enabled=True)
POP_PER_SPM = 2 * 0.0035 * HEIGHT_M  # 0.01225 m per step/min: 1.47 m at 120, 1.3475 m at 110, 1.225 m at 100


def test_the_constant_is_twenty() -> None:
    assert WALK_LEVEL_STRIDES == 20


def test_nothing_is_judged_before_twenty_trusted_strides_then_the_walks_level_sets_the_target() -> None:
    judge = StrideJudge(active_plan(SETTINGS), SETTINGS)
    assert judge.basis == "this walk's first 20 strides"
    # 1.20 m at 120 steps/min sits 18 % below the population line (1.47 m); its target was 1.323 m (nothing flagged)
    verdicts = [judge(s) for s in strides_at([1.20] * 25)]
    assert verdicts[:20] == [(None, None)] * 20
    assert judge.scale == pytest.approx(1.20 / 1.47)
    # from the 21st on: target 10 % below the walk's own 1.20 m = 1.08 m; 1.20 > 1.08 + 0.05: overlong
    for target_m, overlong in verdicts[20:]:
        assert target_m == pytest.approx(1.08) and overlong is True
    assert (judge.n_strides, judge.n_judged, judge.n_flagged) == (25, 5, 5)


def test_untrusted_strides_do_not_count_towards_the_level() -> None:
    judge = StrideJudge(active_plan(SETTINGS), SETTINGS)
    untrusted = [
        StrideEvent(0.0, 1.0, 1.20, 120.0, 1.2, 0.59, "t"),  # confidence below 0.6
        StrideEvent(0.0, 1.0, None, 120.0, None, 0.9, "t"),  # no length
        StrideEvent(0.0, 1.0, float("nan"), 120.0, None, 0.9, "t"),  # not a number
        StrideEvent(0.0, 1.0, 2.6, 120.0, 2.6, 0.9, "t"),  # beyond 2.5 m: an estimation failure
        StrideEvent(0.0, 1.0, 0.15, 120.0, 0.15, 0.9, "t"),  # below 0.2 m
        StrideEvent(0.0, 4.0, 1.20, 30.0, 0.3, 0.9, "t"),  # 30 steps/min: not walking
    ]
    trusted = strides_at([1.30] * 19)
    for s in untrusted * 5 + trusted:
        assert judge(s) == (None, None)
    assert judge.scale is None and len(judge.level_ratios) == 19
    assert judge(strides_at([1.30])[0]) == (None, None)  # the 20th trusted stride sets the level, unjudged itself
    assert judge.scale == pytest.approx(1.30 / 1.47)
    target_m, overlong = judge(untrusted[0])  # later untrusted strides get the target but no verdict
    assert target_m == pytest.approx(0.9 * 1.30) and overlong is None


def test_the_level_is_the_median_ratio_to_the_population_line_at_each_cadence() -> None:
    judge = StrideJudge(active_plan(SETTINGS), SETTINGS)
    # 15 strides at 90 % of the population line (8 at 100, 7 at 120 steps/min) and 5 wild ones at 2.4 m
    strides = [StrideEvent(i, i + 1.2, 0.9 * 1.225, 100.0, 1.0, 0.9, "t") for i in range(8)]
    strides += [StrideEvent(8 + i, 9 + i, 0.9 * 1.47, 120.0, 1.3, 0.9, "t") for i in range(7)]
    strides += [StrideEvent(15 + i, 16 + i, 2.4, 120.0, 2.4, 0.9, "t") for i in range(5)]
    assert [judge(s) for s in strides] == [(None, None)] * 20
    assert judge.scale == pytest.approx(0.9)  # the mean ratio would be about 1.08: the wild strides do not move it
    # at 110 steps/min the walk's usual stride is 0.9 x 1.3475 = 1.21275 m, its target 10 % below: 1.091475 m
    verdict = judge.judge(StrideEvent(20.0, 21.1, 1.15, 110.0, 1.0, 0.9, "t"))
    assert verdict.usual_m == pytest.approx(1.21275) and verdict.target_m == pytest.approx(1.091475)
    assert verdict.overlong is True  # 1.15 > 1.091475 + 0.05
    assert judge(StrideEvent(21.0, 22.1, 1.14, 110.0, 1.0, 0.9, "t")) == (pytest.approx(1.091475), False)


def test_a_personal_baseline_judges_from_the_first_stride_as_before() -> None:
    plan = personal_plan(SETTINGS)
    judge = StrideJudge(plan, SETTINGS)
    assert judge.basis == "your usual strides"
    strides = strides_at([1.50, 1.30, None, 1.40, 1.38, 1.37, 1.0], confidence=[0.9, 0.9, 0.9, 0.5, 0.9, 0.9, 0.9])
    verdicts = [judge(s) for s in strides]
    # the personal target 1.323 m: overlong above 1.373 m, no verdict without a length or below 0.6 confidence
    assert [v[1] for v in verdicts] == [True, False, None, None, True, False, False]
    assert [v[1] for v in verdicts] == flag_overlong(strides, plan.target_stride_m)
    assert all(v[0] == pytest.approx(1.323) for v in verdicts)
    assert judge.level_ratios == [] and judge.scale is None


def test_an_inactive_plan_gives_the_usual_stride_and_no_verdict() -> None:
    plan = plan_coaching([], [], SETTINGS, body_height_m=HEIGHT_M, now_s=NOW_S)
    assert not plan.active
    judge = StrideJudge(plan, SETTINGS)
    verdicts = [judge(s) for s in strides_at([1.60] * 22)]
    # the walk's usual stride (1.60 m) once its level is set: the band a walk's page draws, nothing flagged
    assert verdicts[:20] == [(None, None)] * 20 and verdicts[20:] == [(pytest.approx(1.60), None)] * 2
    # nothing was compared with a target: the sentence says the level was set, and that nothing was flagged
    said = judge.describe()
    assert "coaching was inactive, so no stride was flagged" in said and "compared" not in said, said
    assert said.startswith("There is no personal baseline yet, so this walk's first 20 strides (trusted ones) set")


def test_the_judge_pickles_mid_walk_and_resumes_identically() -> None:
    plan = active_plan(SETTINGS)
    lengths = list(np.random.default_rng(3).normal(1.3, 0.08, 60))
    strides = strides_at(lengths, confidence=[0.9, 0.9, 0.3] * 20)
    whole = StrideJudge(plan, SETTINGS)
    expected = [whole(s) for s in strides]
    judge = StrideJudge(plan, SETTINGS)
    head = [judge(s) for s in strides[:17]]  # before the level is set: the ratios so far must survive
    resumed = pickle.loads(pickle.dumps(judge))
    assert resumed == judge and resumed is not judge
    assert head + [resumed(s) for s in strides[17:]] == expected
    assert resumed == whole and any(v[1] is True for v in expected) and any(v[1] is False for v in expected)


def test_the_judge_refuses_what_is_not_a_plan() -> None:
    with pytest.raises(GaitError, match="CoachingPlan"):
        StrideJudge("plan", SETTINGS)  # type: ignore[arg-type]


def test_the_walks_coaching_description_names_the_level_and_its_numbers() -> None:
    judge = StrideJudge(active_plan(SETTINGS), SETTINGS)
    assert "had 0 trusted walking strides, fewer than the 20" in judge.describe()
    for s in strides_at([1.20] * 21):
        judge(s)
    text = judge.describe()
    # 1.20 / 1.47 = 0.816, 18 % below the population line; quoted at the cadence the walk's strides had (120
    # steps/min), where the level is the walker's own 1.20 m, not at a reference cadence they never walked at
    assert "compared with this walk's first 20 strides" in text
    assert "level at 1.20 m at 120 steps/min (18 % below the population default for 1.75 m" in text
    assert "the target was 10 % below it" in text
    assert "your personal baseline" in StrideJudge(personal_plan(SETTINGS), SETTINGS).describe()


def test_a_walk_whose_twentieth_trusted_stride_is_its_last_says_none_was_left_to_compare() -> None:
    # QA17 #12: the level is set, but by the walk's last stride: no stride was compared with a target, and the
    # sentence must not say strides were compared "from the stride after them on"
    for plan in (active_plan(SETTINGS), plan_coaching([], [], SETTINGS, body_height_m=HEIGHT_M, now_s=NOW_S)):
        judge = StrideJudge(plan, SETTINGS)
        assert [judge(s) for s in strides_at([1.20] * 20)] == [(None, None)] * 20
        assert judge.scale == pytest.approx(1.20 / 1.47) and judge.strides_after_level == 0
        said = judge.describe()
        assert said.startswith("There is no personal baseline yet, so this walk's first 20 strides (trusted ones) set")
        assert "level at 1.20 m at 120 steps/min" in said
        assert said.endswith(
            "; the last of them was the walk's last stride, so no stride was left to compare with a target."
        )
        assert "strides were compared" not in said and "from the stride after them on" not in said
        assert judge.compared_with is None
    # strides after the level, none of them trusted: none compared either, and it says why
    judge = StrideJudge(active_plan(SETTINGS), SETTINGS)
    for s in strides_at([1.20] * 20) + strides_at([1.20] * 3, confidence=0.3):
        judge(s)
    said = judge.describe()
    assert judge.strides_after_level == 3 and judge.n_judged == 0
    assert said.endswith(
        "the target was 10 % below it, but no stride after them had a trusted length, so none was compared with it."
    ), said
    # one trusted stride after them: compared, as before
    judge(strides_at([1.20])[0])
    assert "so strides were compared with this walk's first 20 strides" in judge.describe()
    assert judge.compared_with == "this walk's first 20 strides"


def test_live_coach_cues_only_after_the_walks_level_and_says_against_what() -> None:
    cfg = CoachSettings(enabled=True)
    coach = Coach(active_plan(cfg), cfg)
    # 1.50 m strides: above the population target too (1.373 m), so the old coach cued at the 3rd stride
    cues = [c for s in strides_at([1.50] * 30) for c in coach.update(s)]
    assert [(c.t_s, c.kind) for c in cues] == [(23.0, CueKind.SHORTEN_STRIDE)]  # 3 judged strides after 20
    assert cues[0].reason == (
        "3 of your last 5 strides were longer than 1.40 m; the last one 1.50 m at 120 steps/min, where your target "
        "is 1.35 m (10 % below this walk's first 20 strides, 1.50 m at this cadence) plus 0.05 m tolerance."
    )
    assert coach.summary()["overlong_strides"] == 10
    assert coach.last_judgement is not None and coach.last_judgement.target_m == pytest.approx(1.35)


def _low_confidence_walk(day: float) -> WalkRecord:
    return line_walk(NOW_S - day * DAY_S, np.full(200, 110.0), confidence=0.35)


def test_the_plan_says_plainly_when_recent_walks_never_had_trusted_lengths() -> None:
    walks = [_low_confidence_walk(d) for d in (1, 2, 3, 4, 5, 6)]
    plan = plan_coaching(walks, [], SETTINGS, body_height_m=HEIGHT_M, now_s=NOW_S)
    said = [r for r in plan.reasons if r.startswith("None of your last 5 walks had a stride length")]
    assert len(said) == 1
    assert "a personal baseline cannot form" in said[0] and "lower back or on a shoe" in said[0]
    assert "calibrate" in said[0]
    one = plan_coaching(walks[:1], [], SETTINGS, body_height_m=HEIGHT_M, now_s=NOW_S)
    assert any(r.startswith("Your last walk had no stride length") for r in one.reasons)
    # one trusted walk among the last five: a baseline can still form, nothing to say
    trusted = [line_walk(NOW_S - 0.5 * DAY_S, np.full(200, 110.0)), *walks]
    assert not any(
        "cannot form" in r for r in plan_coaching(trusted, [], SETTINGS, body_height_m=1.75, now_s=NOW_S).reasons
    )
    # a trusted walk older than the last five does not help
    older = [*walks, line_walk(NOW_S - 9 * DAY_S, np.full(200, 110.0))]
    assert any("cannot form" in r for r in plan_coaching(older, [], SETTINGS, body_height_m=1.75, now_s=NOW_S).reasons)
    assert not any("cannot form" in r for r in plan_coaching([], [], SETTINGS, body_height_m=1.75, now_s=NOW_S).reasons)


def test_the_untrusted_walks_advice_counts_the_judged_placement_and_leaves_out_what_is_done() -> None:
    phones = [line_walk(NOW_S - d * DAY_S, np.full(200, 110.0), confidence=0.35, placement="pocket") for d in (1, 2)]
    back = line_walk(NOW_S - 3 * DAY_S, np.full(200, 110.0), placement="lower_back")
    # the last walks are untrusted phone walks, but the lower-back walk judged has its own trusted history
    plan = plan_coaching([*phones, back], [], SETTINGS, body_height_m=HEIGHT_M, now_s=NOW_S, placement="lower_back")
    assert not [r for r in plan.reasons if "measured confidently enough" in r]
    phone_plan = plan_coaching([*phones, back], [], SETTINGS, body_height_m=None, now_s=NOW_S, placement="pocket")
    said = [r for r in phone_plan.reasons if "measured confidently enough" in r]
    assert len(said) == 1 and said[0].startswith("None of your last 2 walks with a pocket sensor had")
    assert "body height" not in said[0]  # a height does not lift a phone's lengths
    waist = [line_walk(NOW_S - DAY_S, np.full(200, 110.0), confidence=0.5, placement="waist")]
    waist_plan = plan_coaching(waist, [], SETTINGS, body_height_m=None, now_s=NOW_S, placement="waist")
    said = [r for r in waist_plan.reasons if "measured confidently enough" in r]
    assert len(said) == 1 and said[0].startswith("Your last walk with a waist sensor had no stride length")
    assert "give your body height" not in said[0]  # at the waist only a calibration walk makes lengths trusted
    low = [line_walk(NOW_S - DAY_S, np.full(200, 110.0), confidence=0.5, placement="lower_back")]
    with_height = plan_coaching(low, [], SETTINGS, body_height_m=HEIGHT_M, now_s=NOW_S, placement="lower_back")
    said = [r for r in with_height.reasons if "measured confidently enough" in r]
    assert len(said) == 1 and said[0].endswith(
        "To get stride coaching, wear the sensor on a shoe or calibrate your stride length with a walk of known "
        "distance (at least 100 m at your usual pace: \u201cCalibrate: this walk was \u2026 m\u201d on a walk's "
        "page, or gait calibrate)."  # QA19a #11: the dashboard's way too, as docs/COACHING.md says
    )
    without = plan_coaching(low, [], SETTINGS, body_height_m=None, now_s=NOW_S, placement="lower_back")
    assert any("give your body height in your profile" in r for r in without.reasons)


def test_the_calibration_advice_names_the_calibration_walk_constant(monkeypatch: pytest.MonkeyPatch) -> None:
    """The words name :data:`gait.stride_length.CALIBRATION_WALK_GOOD_M`, written without a trailing ".0", so the
    advice cannot drift from the threshold the calibration checks."""
    from gait import stride_length
    from gait.coach.judge import untrusted_lengths_why
    from gait.types import Placement

    def advice() -> str:
        why = untrusted_lengths_why(Placement.WAIST, calibrated=False, height_known=True, min_confidence=0.6)
        assert why is not None
        return why

    assert "at least 100 m at your usual pace" in advice()
    monkeypatch.setattr(stride_length, "CALIBRATION_WALK_GOOD_M", 150.0)
    assert "at least 150 m at your usual pace" in advice() and "100 m" not in advice()
    monkeypatch.setattr(stride_length, "CALIBRATION_WALK_GOOD_M", 120.5)
    assert "at least 120.5 m at your usual pace" in advice()
