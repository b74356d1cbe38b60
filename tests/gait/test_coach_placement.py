"""A personal baseline is fitted only from walks with the sensor at the placement of the walk it judges: each
placement has its own stride-length model and calibration factor. Pain, pain-free walks and the target's relaxation
stay the walker's, whatever the sensor (exact numbers worked out by hand in the comments)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from gait.coach import CoachingPlan, CoachSettings, PainReport, StrideJudge, plan_coaching
from gait.types import Placement
from tests.gait.coach_helpers import DAY_S, HEIGHT_M, NOW_S, line_walk, strides_at

SETTINGS = CoachSettings(enabled=True)
PAIN = [PainReport(reported_at_s=NOW_S - 3600.0, pain_0_10=5)]


def walks_at(placement: Placement, length_m: float, n: int, *, start_day: float) -> list:
    """``n`` walks with the sensor at ``placement``, one a day from ``start_day`` days ago back: 120 strides each of
    ``length_m`` at 120 steps/min (walk ids: the placement's initial and the walk's number)."""
    return [
        line_walk(
            NOW_S - (start_day + i) * DAY_S,
            np.full(120, 120.0),
            intercept_m=length_m,
            slope_m_per_spm=0.0,
            placement=placement,
            walk_id=f"{placement.value[0]}{i}",
        )
        for i in range(n)
    ]


def pocket_walks(n: int = 3, *, start_day: float = 10.0) -> list:
    """Pocket-phone walks of 1.60 m strides."""
    return walks_at(Placement.POCKET, 1.60, n, start_day=start_day)


def back_walks(n: int, *, start_day: float = 20.0) -> list:
    """Lower-back walks of 1.20 m strides: the same walker, another model's lengths."""
    return walks_at(Placement.LOWER_BACK, 1.20, n, start_day=start_day)


def mixed_plan(history: list) -> CoachingPlan:
    """The plan of earlier versions: one baseline from the same walks, whatever their placement."""
    unplaced = [replace(w, placement=None) for w in history]
    return plan_coaching(unplaced, PAIN, SETTINGS, body_height_m=HEIGHT_M, now_s=NOW_S)


def test_a_pocket_baseline_is_not_used_for_a_lower_back_walk() -> None:
    history = pocket_walks(3) + back_walks(2)
    # the mixed baseline of earlier versions: the 360 pocket strides (1.60 m) outnumber the 240 lower-back ones
    mixed = mixed_plan(history)
    assert mixed.baseline.source == "personal" and mixed.baseline.stride_length_m(120.0) == pytest.approx(1.60)
    old = StrideJudge(mixed, SETTINGS)
    assert [old(s) for s in strides_at([1.20] * 30)] == [(pytest.approx(1.44), False)] * 30  # 0.9 x 1.60: silent

    plan = plan_coaching(history, PAIN, SETTINGS, body_height_m=HEIGHT_M, now_s=NOW_S, placement=Placement.LOWER_BACK)
    assert plan.baseline.source == "population" and plan.baseline.placement is Placement.LOWER_BACK
    assert plan.judged_against == "this walk's first 20 strides"
    assert plan.own_level_why == "there is no baseline of yours for a lower-back sensor yet"
    judge = StrideJudge(plan, SETTINGS)
    verdicts = [judge(s) for s in strides_at([1.20] * 30)]
    # the walk's own level: 1.20 m; the target 10 % below, 1.08 m; 1.20 > 1.08 + 0.05: every judged stride flagged
    assert verdicts[:20] == [(None, None)] * 20
    assert verdicts[20:] == [(pytest.approx(1.08), True)] * 10
    said = judge.describe()
    assert said.startswith(
        "There is no baseline of yours for a lower-back sensor yet, so strides were compared with this walk's first "
        "20 strides: they set this walk's level at 1.20 m at 120 steps/min"
    ), said
    baseline = next(r for r in plan.reasons if r.startswith("Baseline"))
    assert baseline.startswith("Baseline for a lower-back sensor: none of your own yet; population default")
    # the 2 lower-back walks are counted, not the pocket ones
    assert "needs 3 pain-free walks with the sensor there" in baseline and "so far 2 walks, 240 strides" in baseline
    assert "shorter than each walk's own level (no baseline of yours for a lower-back sensor yet)" in plan.reasons[1]


def test_a_lower_back_baseline_is_not_used_for_a_pocket_walk() -> None:
    # the reverse: a lower-back baseline (1.20 m) judging a phone that reads the walker's strides 17 % longer
    history = back_walks(3) + pocket_walks(1)
    mixed = mixed_plan(history)
    old = StrideJudge(mixed, SETTINGS)
    assert [old(s)[1] for s in strides_at([1.40] * 30)] == [True] * 30  # 1.40 > 0.9 x 1.20 + 0.05: every stride
    plan = plan_coaching(history, PAIN, SETTINGS, body_height_m=HEIGHT_M, now_s=NOW_S, placement=Placement.POCKET)
    assert plan.baseline.source == "population"
    judge = StrideJudge(plan, SETTINGS)
    verdicts = [judge(s) for s in strides_at([1.40] * 30)]
    # its own level 1.40 m: target 1.26 m, 1.40 > 1.31: flagged only after the 20 strides that set the level
    assert verdicts[:20] == [(None, None)] * 20 and verdicts[20:] == [(pytest.approx(1.26), True)] * 10
    assert judge.describe().startswith("There is no baseline of yours for a pocket sensor yet, so strides were")


def test_the_same_placements_baseline_is_still_used() -> None:
    history = pocket_walks(3) + back_walks(3)
    for placement, usual_m in ((Placement.POCKET, 1.60), (Placement.LOWER_BACK, 1.20)):
        plan = plan_coaching(history, PAIN, SETTINGS, body_height_m=HEIGHT_M, now_s=NOW_S, placement=placement)
        assert plan.baseline.source == "personal" and plan.baseline.placement is placement
        assert plan.baseline.n_walks == 3 and plan.baseline.n_strides == 360
        assert plan.baseline.stride_length_m(120.0) == pytest.approx(usual_m)
        judge = StrideJudge(plan, SETTINGS)
        # judged from the first stride against 0.9 x the placement's own usual stride
        assert judge(strides_at([usual_m])[0]) == (pytest.approx(0.9 * usual_m), True)
        assert judge.no_target_note is None
        where = placement.value.replace("_", "-")
        assert judge.describe() == (
            f"Strides compared with your usual strides (your personal baseline for a {where} sensor); the target "
            "10 % below them."
        )
        assert next(r for r in plan.reasons if r.startswith("Baseline")).startswith(
            f"Baseline for a {where} sensor: personal: {usual_m:.2f} m at 120 steps/min"
        )
        assert "Target: 10 % shorter than your baseline for a " + where + " sensor (" in plan.reasons[1]


def test_pain_free_walks_and_the_relaxation_count_every_placement() -> None:
    # pain 14 days ago, then 3 pocket walks and 3 lower-back walks: 6 pain-free walks whatever the sensor, so the
    # reduction is 10 % x (1 - min(14/28, 6/12)) = 5 % for either placement's walks
    pain = [PainReport(reported_at_s=NOW_S - 14 * DAY_S, pain_0_10=5)]
    history = pocket_walks(3, start_day=1.0) + back_walks(3, start_day=5.0)
    plans = [
        plan_coaching(history, pain, SETTINGS, body_height_m=HEIGHT_M, now_s=NOW_S, placement=p)
        for p in (Placement.POCKET, Placement.LOWER_BACK, Placement.FOOT, None)
    ]
    assert {p.pain_free_walks_since_pain for p in plans} == {6}
    assert [p.reduction for p in plans] == [pytest.approx(0.05)] * 4
    # a pain report naming a lower-back walk makes it painful for every plan (and leaves the lower-back baseline
    # with 2 walks)
    named = [*pain, PainReport(reported_at_s=NOW_S - 4 * DAY_S, pain_0_10=3, walk_id="l0")]
    back = plan_coaching(history, named, SETTINGS, body_height_m=HEIGHT_M, now_s=NOW_S, placement=Placement.LOWER_BACK)
    pocket = plan_coaching(history, named, SETTINGS, body_height_m=HEIGHT_M, now_s=NOW_S, placement=Placement.POCKET)
    assert back.baseline.source == "population" and pocket.baseline.source == "personal"
    # the latest report restarts the relaxation: the 3 pocket walks after it (days 1-3) count, for both plans
    assert back.pain_free_walks_since_pain == pocket.pain_free_walks_since_pain == 3


def test_the_dashboards_plan_describes_each_placement_the_walker_uses() -> None:
    history = pocket_walks(3) + back_walks(2)
    plan = plan_coaching(
        history,
        PAIN,
        SETTINGS,
        body_height_m=HEIGHT_M,
        now_s=NOW_S,
        placement=Placement.POCKET,
        also_for=[Placement.LOWER_BACK, Placement.POCKET, Placement.CHEST],
    )
    baselines = [r for r in plan.reasons if r.startswith("Baseline")]
    assert [b.split(":")[0] for b in baselines] == [
        "Baseline for a pocket sensor",
        "Baseline for a lower-back sensor",
        "Baseline for a chest sensor",
    ]
    assert baselines[0].startswith("Baseline for a pocket sensor: personal: 1.60 m at 120 steps/min")
    assert "none of your own yet" in baselines[1] and "so far 2 walks, 240 strides" in baselines[1]
    assert baselines[2] == (
        "Baseline for a chest sensor: none: it has no stride-length model (cadence only), so no stride of its walks "
        "has a target or is judged."
    )
    # the rule of a walk's own level is said once, for the lower-back walks; the target is the pocket baseline's
    assert sum(r.startswith("Until then each walk sets its own level") for r in plan.reasons) == 1
    assert plan.baseline.source == "personal" and plan.target_stride_m(120.0) == pytest.approx(1.44)
    assert [b["placement"] for b in plan.to_dict()["other_baselines"]] == ["lower_back", "chest"]
    assert plan.to_dict()["placement"] == "pocket"


def test_a_chest_walk_has_no_target_and_says_why() -> None:
    plan = plan_coaching(
        pocket_walks(3), PAIN, SETTINGS, body_height_m=HEIGHT_M, now_s=NOW_S, placement=Placement.CHEST
    )
    judge = StrideJudge(plan, SETTINGS)
    assert {judge(s) for s in strides_at([None] * 30)} == {(None, None)}
    note = "No target: a chest sensor has no stride-length model (cadence only), so no stride is judged."
    assert judge.no_target_note == note
    assert judge.describe() == (
        "No target: a chest sensor has no stride-length model (cadence only), so no stride of this walk was "
        "compared with a target."
    )
    assert not any(r.startswith("Until then each walk sets its own level") for r in plan.reasons)


def test_the_live_note_gives_the_real_reason_while_the_level_forms() -> None:
    plan = plan_coaching(pocket_walks(3), PAIN, SETTINGS, body_height_m=HEIGHT_M, now_s=NOW_S, placement="foot")
    judge = StrideJudge(plan, SETTINGS)
    for s in strides_at([1.30] * 12):
        judge(s)
    assert judge.no_target_note == (
        "No target yet: this walk's first 20 strides (trusted ones) set this walk's level, as there is no baseline "
        "of yours for a foot sensor yet (12 of 20 so far)."
    )
    for s in strides_at([1.30] * 8):
        judge(s)
    assert judge.scale == pytest.approx(1.30 / 1.47)
    assert judge.no_target_note == (
        "No target for this stride: it completed the 20 trusted strides that set this walk's level, as there is no "
        "baseline of yours for a foot sensor yet; the strides after it get a target."
    )
    # too few trusted strides: the walk's page says that, with the placement's reason
    short = StrideJudge(plan, SETTINGS)
    for s in strides_at([1.30] * 7):
        short(s)
    assert short.describe() == (
        "There is no baseline of yours for a foot sensor yet, and this walk had 7 trusted walking strides, fewer "
        "than the 20 that set a walk's own level: no stride was compared with a target."
    )


def test_the_live_note_says_at_once_that_an_uncalibrated_phone_can_set_no_level() -> None:
    # no pocket baseline (only lower-back walks): the walk would set its own level, but a phone's lengths start at
    # 0.35 without a calibration factor, under the 0.6 the coach trusts: no level can ever be set (QA coachwords #2)
    plan = plan_coaching([], PAIN, SETTINGS, body_height_m=HEIGHT_M, now_s=NOW_S, placement="pocket")
    judge = StrideJudge(plan, SETTINGS)
    judge(strides_at([1.30], confidence=0.35)[0])
    note = judge.target_note(calibrated=False, height_known=True)
    assert note is not None and note.startswith(
        "No target on this walk, as its lengths are not trusted: a pocket sensor's stride lengths have "
        "confidence 0.35 without a calibration factor (below the 0.60 the coach needs). Calibrate its factor"
    )
    assert note.endswith(", then your next walks with it get a target.")
    # calibrated, the phone's lengths can be trusted: the level forms as usual
    assert judge.target_note(calibrated=True, height_known=True) == judge.no_target_note
    assert judge.no_target_note.endswith("(0 of 20 so far).")


def test_the_live_note_says_why_after_20_strides_with_none_trusted() -> None:
    plan = plan_coaching([], PAIN, SETTINGS, body_height_m=HEIGHT_M, now_s=NOW_S, placement="foot")
    judge = StrideJudge(plan, SETTINGS)
    for s in strides_at([1.30] * 19, confidence=0.3):
        judge(s)
    assert judge.no_target_note.endswith("(0 of 20 so far).")
    judge(strides_at([1.30], confidence=0.3)[0])
    assert judge.no_target_note == (
        "No target yet: none of this walk's 20 strides so far had a length the coach trusts (confidence 0.60 or "
        "more), and this walk's first 20 strides (trusted ones) set this walk's level, as there is no baseline of "
        "yours for a foot sensor yet."
    )
