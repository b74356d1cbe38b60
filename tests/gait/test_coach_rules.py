"""Unit tests with exact answers for every coaching rule (settings, baseline, relax, flags, pain, cues)."""

from __future__ import annotations

import pickle
from dataclasses import replace

import numpy as np
import pytest

from gait.coach import (
    MILE_M,
    NOT_MEDICAL_ADVICE,
    TIPS,
    Coach,
    CoachSettings,
    CueKind,
    PainOnset,
    PainReport,
    WalkRecord,
    estimate_pain_onset,
    fit_baseline,
    flag_overlong,
    plan_coaching,
    population_baseline,
    recommend_walk_length,
    relaxed_reduction,
)
from gait.coach.plan import reasons_read_now
from gait.errors import GaitError
from gait.types import BoutEvent, StepEvent, StrideEvent
from tests.gait.coach_helpers import (
    BASE_120_M,
    DAY_S,
    HEIGHT_M,
    LONG_M,
    NOW_S,
    SHORT_M,
    active_plan,
    line_walk,
    personal_plan,
    strides_at,
)

# ---------------------------------------------------------------- settings


def test_settings_defaults_are_modest_and_opt_in() -> None:
    s = CoachSettings()
    assert (s.enabled, s.reduction, s.cue_k, s.cue_n, s.relax_days) == (False, 0.10, 3, 5, 28.0)


@pytest.mark.parametrize("reduction", [0.0, 0.02, 0.25, -0.1, float("nan")])
def test_settings_refuse_reduction_outside_safe_range(reduction: float) -> None:
    with pytest.raises(GaitError, match="reduction") as err:
        CoachSettings(reduction=reduction)
    assert err.value.reason == "bad_coach_setting"


@pytest.mark.parametrize("reduction", [0.03, 0.10, 0.20])
def test_settings_accept_reduction_at_the_limits(reduction: float) -> None:
    assert CoachSettings(reduction=reduction).reduction == reduction


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cue_k": 6, "cue_n": 5},
        {"cue_k": True},
        {"release_max_flagged": 3},
        {"reminder_interval_s": 30.0},
        {"tolerance_m": -0.01},
        {"min_confidence": 1.5},
        {"enabled": "yes"},
        {"walk_fraction_of_onset": 1.0},
    ],
)
def test_settings_refuse_inconsistent_values(kwargs: dict) -> None:
    with pytest.raises(GaitError):
        CoachSettings(**kwargs)


def test_settings_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        CoachSettings(True)  # type: ignore[misc]


def test_settings_mapping_round_trip_and_unknown_names() -> None:
    s = CoachSettings(enabled=True, reduction=0.15)
    assert CoachSettings.from_mapping(s.to_dict()) == s
    with pytest.raises(GaitError, match=r"unknown coach setting.*reducton"):
        CoachSettings.from_mapping({"reducton": 0.1})


# ---------------------------------------------------------------- records


@pytest.mark.parametrize("pain", [-1, 11, 2.5, True, "5"])
def test_pain_report_refuses_scores_outside_0_10(pain: object) -> None:
    with pytest.raises(GaitError, match="pain_0_10"):
        PainReport(reported_at_s=NOW_S, pain_0_10=pain)  # type: ignore[arg-type]


def test_pain_report_refuses_negative_onset() -> None:
    with pytest.raises(GaitError, match="onset_distance_m"):
        PainReport(reported_at_s=NOW_S, pain_0_10=3, onset_distance_m=-5.0)


def test_walk_record_checks_lengths_and_copies() -> None:
    with pytest.raises(GaitError, match="one value per stride"):
        WalkRecord(NOW_S, np.ones(3), np.full(2, 100.0), np.ones(3), 3.0, True)
    length = np.array([1.0, np.nan])
    walk = WalkRecord(NOW_S, length, np.array([100.0, 110.0]), np.array([0.9, 0.2]), 1.0, True)
    length[0] = 5.0
    assert walk.stride_length_m[0] == 1.0
    with pytest.raises(ValueError):
        walk.stride_length_m[0] = 2.0


def test_walk_record_distance_counts_overlapping_strides_once() -> None:
    overlapping = [StrideEvent(0.5 * i, 0.5 * i + 1.0, 1.2, 120.0, 1.2, 0.9, "test") for i in range(10)]
    walk = WalkRecord.from_strides(overlapping, started_at_s=NOW_S, pain_free=True)
    assert walk.distance_m == pytest.approx(1.2 + 9 * 0.6)


def test_walk_record_from_strides_sums_known_lengths() -> None:
    walk = WalkRecord.from_strides(strides_at([1.2, None, 1.3]), started_at_s=NOW_S, pain_free=True)
    assert walk.distance_m == pytest.approx(2.5)
    assert np.isnan(walk.stride_length_m[1])
    assert list(walk.cadence_spm) == [120.0, 120.0, 120.0]


# ---------------------------------------------------------------- baseline


def test_population_baseline_from_height() -> None:
    b = population_baseline(1.75)
    assert b.source == "population"
    assert b.description == "population default from height 1.75 m"
    assert b.stride_length_m(110.0) == pytest.approx(2 * 0.0035 * 1.75 * 110.0)
    # held constant outside 98-130 steps/min, never extrapolated
    assert b.stride_length_m(80.0) == pytest.approx(2 * 0.0035 * 1.75 * 98.0)
    assert b.stride_length_m(145.0) == pytest.approx(2 * 0.0035 * 1.75 * 130.0)
    np.testing.assert_allclose(b.stride_length_m(np.array([98.0, 120.0])), [1.2005, 1.47])


def test_population_baseline_without_height_says_it_assumed_one() -> None:
    b = population_baseline(None)
    assert b.body_height_m == 1.70
    assert "assumed" in b.description


@pytest.mark.parametrize("height", [175.0, 0.5, True])
def test_population_baseline_refuses_implausible_height(height: float) -> None:
    with pytest.raises(GaitError, match="metres"):
        population_baseline(height)


def _spread_walks(n_walks: int = 3, n_strides: int = 50, **kw: object) -> list[WalkRecord]:
    return [line_walk(NOW_S - (i + 1) * DAY_S, np.linspace(95.0, 125.0, n_strides), **kw) for i in range(n_walks)]


def test_personal_baseline_recovers_an_exact_line() -> None:
    b = fit_baseline(_spread_walks(), CoachSettings(), body_height_m=HEIGHT_M, now_s=NOW_S)
    assert b.source == "personal"
    assert (b.n_walks, b.n_strides) == (3, 150)
    assert b.slope_m_per_spm == pytest.approx(0.01)
    assert b.intercept_m == pytest.approx(0.3)
    assert b.cadence_min_spm == pytest.approx(np.percentile(np.tile(np.linspace(95, 125, 50), 3), 5))
    assert b.stride_length_m(110.0) == pytest.approx(1.4)
    assert b.description.startswith("personal: 1.40 m at 110 steps/min, +1.0 cm per step/min")


def test_personal_baseline_is_robust_to_a_few_wild_strides() -> None:
    walks = _spread_walks()
    w = walks[0]
    wild = w.stride_length_m.copy()
    wild[::10] = 2.4  # 5 mis-detected strides per walk
    walks[0] = WalkRecord(w.started_at_s, wild, w.cadence_spm, w.confidence, w.distance_m, True, walking_time_s=600.0)
    b = fit_baseline(walks, CoachSettings(), body_height_m=HEIGHT_M, now_s=NOW_S)
    assert b.stride_length_m(110.0) == pytest.approx(1.4, abs=0.01)


def test_personal_baseline_with_narrow_cadences_keeps_the_walk_ratio() -> None:
    walks = [
        line_walk(NOW_S - DAY_S * (i + 1), np.linspace(109.0, 111.0, 50), intercept_m=0.0, slope_m_per_spm=0.012)
        for i in range(3)
    ]
    b = fit_baseline(walks, CoachSettings(), body_height_m=HEIGHT_M, now_s=NOW_S)
    assert (b.source, b.intercept_m) == ("personal", 0.0)
    assert b.slope_m_per_spm == pytest.approx(0.012)
    assert "in proportion to cadence" in b.description


def test_personal_baseline_with_an_implausible_slope_keeps_the_walk_ratio() -> None:
    # stride length tripling from 95 to 125 steps/min (+5 cm per step/min) is a broken estimate, not a walker
    walks = _spread_walks(intercept_m=-4.3, slope_m_per_spm=0.05)
    b = fit_baseline(walks, CoachSettings(), body_height_m=HEIGHT_M, now_s=NOW_S)
    assert (b.source, b.intercept_m) == ("personal", 0.0)
    lengths = np.concatenate([w.stride_length_m for w in walks])
    cadences = np.concatenate([w.cadence_spm for w in walks])
    assert b.slope_m_per_spm == pytest.approx(np.median(lengths / cadences))


def test_too_little_history_uses_population_default_and_says_why() -> None:
    b = fit_baseline(_spread_walks(n_walks=2), CoachSettings(), body_height_m=HEIGHT_M, now_s=NOW_S)
    assert b.source == "population"
    assert b.description == (
        "population default from height 1.75 m; a personal baseline needs 3 pain-free walks (of 2 minutes' walking "
        "or more) with 100 confident strides; so far 2 walks, 100 strides"
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"pain_free": False},  # pain changes gait (Smith et al.)
        {"coached": True},  # deliberately shortened strides
        {"confidence": 0.2},  # unreliable estimates
    ],
)
def test_baseline_ignores_painful_coached_and_unreliable_walks(bad: dict) -> None:
    clean = _spread_walks()
    polluted = clean + _spread_walks(n_walks=5, intercept_m=0.9, **bad)
    expected = fit_baseline(clean, CoachSettings(), body_height_m=HEIGHT_M, now_s=NOW_S)
    got = fit_baseline(polluted, CoachSettings(), body_height_m=HEIGHT_M, now_s=NOW_S)
    assert got == expected


def test_baseline_ignores_walks_outside_the_window_and_in_the_future() -> None:
    clean = _spread_walks()
    old = [line_walk(NOW_S - 200 * DAY_S, np.linspace(95, 125, 50), intercept_m=0.9) for _ in range(3)]
    future = [line_walk(NOW_S + DAY_S, np.linspace(95, 125, 50), intercept_m=0.9) for _ in range(3)]
    s = CoachSettings()
    assert fit_baseline(clean + old + future, s, body_height_m=HEIGHT_M, now_s=NOW_S) == fit_baseline(
        clean, s, body_height_m=HEIGHT_M, now_s=NOW_S
    )


# ---------------------------------------------------------------- plan: activation and relaxation


@pytest.mark.parametrize(
    ("days", "walks", "expected"),
    [(0.0, 0, 0.10), (14.0, 6, 0.05), (28.0, 3, 0.075), (7.0, 12, 0.075), (40.0, 20, 0.0), (100.0, 100, 0.0)],
)
def test_relaxed_reduction_is_linear_in_the_slower_of_time_and_walks(days: float, walks: int, expected: float) -> None:
    got = relaxed_reduction(0.10, days_since_pain=days, pain_free_walks=walks, relax_days=28.0, relax_walks=12)
    assert got == pytest.approx(expected)


def _walks_after(t0_s: float, n: int, **kw: object) -> list[WalkRecord]:
    return [line_walk(t0_s + (i + 1) * 3600.0, np.linspace(100.0, 120.0, 10), **kw) for i in range(n)]


def test_pain_turns_coaching_on_with_full_reduction() -> None:
    s = CoachSettings(enabled=True)
    plan = plan_coaching([], [PainReport(NOW_S - 2 * DAY_S, 6)], s, body_height_m=HEIGHT_M, now_s=NOW_S)
    assert plan.active and plan.reduction == pytest.approx(0.10)
    assert plan.target_stride_m(120.0) == pytest.approx(BASE_120_M * 0.9)
    np.testing.assert_allclose(plan.target_stride_m(np.array([120.0, 98.0])), [1.323, 1.2005 * 0.9])
    assert plan.reasons[0] == "Stride coaching is switched on and active: back pain 6/10 reported 2 days ago."
    assert "Baseline: none of your own yet; population default from height 1.75 m" in plan.reasons[2]
    # the target is not cut from "your baseline" while there is none of the walker's own
    assert "shorter than each walk's own level (no baseline of yours yet)" in plan.reasons[1], plan.reasons[1]
    # the population line is not the walker's level: no target in metres cut from it, the walk's own level instead
    assert plan.reasons[3].startswith("Until then each walk sets its own level: its first 20 trusted walking strides")
    assert "10 % below that level at their cadence plus 0.05 m tolerance" in plan.reasons[3]
    assert not any(r.startswith("At 114 steps/min") for r in plan.reasons)
    personal = personal_plan(s)
    assert "At 120 steps/min: baseline 1.47 m, target 1.32 m; strides longer than 1.37 m" in personal.reasons[3]
    assert not any("each walk sets its own level" in r for r in personal.reasons)


@pytest.mark.parametrize(
    ("seconds_ago", "wording"),
    [
        (5.0, "just now"),
        (59.0, "just now"),
        (60.0, "1 minute ago"),
        (25 * 60.0, "25 minutes ago"),
        (3 * 3600.0, "3 hours ago"),
    ],
)
def test_a_fresh_pain_report_is_said_to_be_just_now_or_minutes_old(seconds_ago: float, wording: str) -> None:
    s = CoachSettings(enabled=True)
    plan = plan_coaching([], [PainReport(NOW_S - seconds_ago, 5)], s, body_height_m=HEIGHT_M, now_s=NOW_S)
    assert plan.reasons[0] == f"Stride coaching is switched on and active: back pain 5/10 reported {wording}."


@pytest.mark.parametrize(
    ("seconds_before", "wording"),
    [(30.0, "just before this walk"), (3 * 60.0, "3 minutes before this walk"), (2 * DAY_S, "2 days before this walk")],
)
def test_a_walks_plan_says_when_the_pain_was_reported_relative_to_the_walk(seconds_before: float, wording: str) -> None:
    # QA16: a walk's "Coaching at the time" kept "reported 3 minutes ago", stale a day later; kept with the walk, the
    # time is said relative to it, and read at once (the dashboard's plan now) relative to now
    s = CoachSettings(enabled=True)
    pain = [PainReport(NOW_S - seconds_before, 5)]
    walk_plan = plan_coaching([], pain, s, body_height_m=HEIGHT_M, now_s=NOW_S, before="this walk")
    assert walk_plan.reasons[0] == f"Stride coaching is switched on and active: back pain 5/10 reported {wording}."
    assert not any(" ago" in r for r in walk_plan.reasons), walk_plan.reasons
    now_plan = plan_coaching([], pain, s, body_height_m=HEIGHT_M, now_s=NOW_S)
    assert now_plan.reasons[0].endswith(" ago.") or now_plan.reasons[0].endswith("reported just now.")


def test_a_plan_stored_with_ago_reads_relative_to_its_walk() -> None:
    stored = [
        "Stride coaching is switched on and active: back pain 3/10 reported 3 minutes ago.",
        "Stride coaching is on: back pain 6/10 reported 1 day ago.",
        "Stride coaching is switched on and active: back pain 4/10 reported just now.",
    ]
    assert reasons_read_now(stored, enabled_now=True) == [
        "Stride coaching is switched on and active: back pain 3/10 reported 3 minutes before this walk.",
        "Stride coaching is switched on and active: back pain 6/10 reported 1 day before this walk.",
        "Stride coaching is switched on and active: back pain 4/10 reported just before this walk.",
    ]
    # an upload without a start time was judged by the plan of its upload
    assert reasons_read_now(stored[:1], enabled_now=True, before="this walk was uploaded") == [
        "Stride coaching is switched on and active: back pain 3/10 reported 3 minutes before this walk was uploaded."
    ]


def test_pain_free_walks_relax_the_target_and_new_pain_tightens_it() -> None:
    s = CoachSettings(enabled=True)
    pain_t = NOW_S - 14 * DAY_S
    before = _walks_after(pain_t - DAY_S, 5)  # walks before the pain do not count
    after = _walks_after(pain_t, 6)
    plan = plan_coaching(before + after, [PainReport(pain_t, 4)], s, body_height_m=HEIGHT_M, now_s=NOW_S)
    assert (plan.active, plan.pain_free_walks_since_pain) == (True, 6)
    assert plan.reduction == pytest.approx(0.05)
    assert plan.baseline.source == "personal"  # 11 pain-free walks of 10 strides on stride = 0.3 + 0.01 x cadence
    assert plan.target_stride_m(120.0) == pytest.approx(1.5 * 0.95)
    assert (
        "Target: 5 % shorter" in plan.reasons[1]
        and "so far 14 days and 6 pain-free walks since that report" in plan.reasons[1]
    )

    again = plan_coaching(
        before + after, [PainReport(pain_t, 4), PainReport(NOW_S - 60.0, 3)], s, body_height_m=HEIGHT_M, now_s=NOW_S
    )
    assert again.reduction == pytest.approx(0.10)


def test_fully_relaxed_plan_is_inactive_and_says_so() -> None:
    s = CoachSettings(enabled=True)
    pain_t = NOW_S - 30 * DAY_S
    plan = plan_coaching(_walks_after(pain_t, 12), [PainReport(pain_t, 4)], s, body_height_m=HEIGHT_M, now_s=NOW_S)
    assert (plan.active, plan.reduction) == (False, 0.0)
    assert plan.target_stride_m(120.0) == pytest.approx(1.5)  # the personal baseline itself
    assert plan.reasons[0].startswith(
        "Stride coaching is switched on but inactive, relaxed back to your baseline: 30 days and 12 pain-free"
    )


def test_a_walk_named_by_a_pain_report_is_not_pain_free() -> None:
    s = CoachSettings(enabled=True)
    pain_t = NOW_S - 14 * DAY_S
    walks = _walks_after(pain_t, 6)
    walks[0] = line_walk(walks[0].started_at_s, np.linspace(100.0, 120.0, 10), walk_id="w0")
    reports = [PainReport(pain_t, 4), PainReport(pain_t - DAY_S, 2, walk_id="w0")]
    plan = plan_coaching(walks, reports, s, body_height_m=HEIGHT_M, now_s=NOW_S)
    assert plan.pain_free_walks_since_pain == 5


@pytest.mark.parametrize(
    ("settings", "reports", "says"),
    [
        (CoachSettings(enabled=False), [PainReport(NOW_S - DAY_S, 7)], "opt-in"),
        (CoachSettings(enabled=True), [], "no back pain"),
        (CoachSettings(enabled=True), [PainReport(NOW_S - DAY_S, 0)], "no back pain"),  # 0 = no pain
        (CoachSettings(enabled=True), [PainReport(NOW_S - 100 * DAY_S, 8)], "no back pain"),  # not recent
        (CoachSettings(enabled=True), [PainReport(NOW_S + DAY_S, 8)], "no back pain"),  # after now
    ],
)
def test_coaching_stays_off(settings: CoachSettings, reports: list[PainReport], says: str) -> None:
    plan = plan_coaching([], reports, settings, body_height_m=HEIGHT_M, now_s=NOW_S)
    assert (plan.active, plan.reduction) == (False, 0.0)
    assert says in plan.reasons[0]


def test_plan_to_dict_has_the_target_and_reasons() -> None:
    plan = active_plan(CoachSettings(enabled=True))
    d = plan.to_dict()
    assert d["active"] is True and d["baseline"]["source"] == "population"
    assert d["target_stride_m_at_reference"] == pytest.approx(2 * 0.0035 * 1.75 * 114 * 0.9)
    assert d["reasons"] == list(plan.reasons)


# ---------------------------------------------------------------- flags


def test_flag_overlong_fixed_target_exact_boundary() -> None:
    strides = strides_at([1.5, 1.5000001, 1.0, None, 1.9])
    strides[4] = StrideEvent(4.0, 5.0, 1.9, 120.0, 1.9, 0.49, "test")
    flags = flag_overlong(strides, 1.25, tolerance_m=0.25, min_confidence=0.5)
    assert flags == [False, True, False, None, None]


def test_a_stride_of_unknown_confidence_is_never_flagged() -> None:
    # "unreliable estimates are never flagged": a NaN confidence is no confidence of 0.6 or more, however long the
    # stride (a bare `confidence < min_confidence` would let it through, as NaN compares False to everything)
    strides = [StrideEvent(0.0, 1.0, 1.9, 120.0, 1.9, float("nan"), "test")]
    assert flag_overlong(strides, 1.25, tolerance_m=0.05, min_confidence=0.6) == [None]


def test_flags_are_plain_bools_for_numpy_scalars() -> None:
    s = StrideEvent(np.float64(0.0), np.float64(1.0), np.float64(1.9), np.float64(120.0), None, np.float64(0.9), "t")
    assert flag_overlong([s], 1.25, tolerance_m=0.25)[0] is True
    settings = CoachSettings(enabled=True)
    coach = Coach(personal_plan(settings), settings)
    cues = _feed(coach, [replace(s, start_s=s.start_s + i, end_s=s.end_s + i) for i in range(3)])
    assert len(cues) == 1 and type(cues[0].t_s) is float and type(coach.distance_m) is float


def test_flag_overlong_with_a_cadence_dependent_target() -> None:
    strides = strides_at([1.3, 1.3], duration_s=1.0) + strides_at([1.3], t0_s=2.0, duration_s=1.25)  # 120, 96 spm
    flags = flag_overlong(strides, lambda cad: cad / 100.0, tolerance_m=0.0)
    assert flags == [True, True, True]  # 1.3 > 1.2 and 1.3 > 0.96
    assert flag_overlong(strides, lambda cad: cad / 100.0 + 0.2, tolerance_m=0.0) == [False, False, True]


@pytest.mark.parametrize("target", [0.0, -1.0, float("nan")])
def test_flag_overlong_refuses_a_bad_target(target: float) -> None:
    with pytest.raises(GaitError, match="target stride length"):
        flag_overlong(strides_at([1.0]), target)


# ---------------------------------------------------------------- point of pain


def test_pain_at_three_miles_recommends_two_and_a_half() -> None:
    onset = estimate_pain_onset([PainReport(NOW_S, 5, onset_distance_m=3 * MILE_M)])
    assert onset is not None and onset.n_distance_reports == 1
    rec = recommend_walk_length(onset)
    assert rec.walk_length_m == pytest.approx(2.5 * MILE_M)
    assert rec.reason == (
        "Back pain usually starts about 4.8 km (3.0 mi) into a walk (1 walk). Plan walks of about 4.0 km "
        "(2.5 mi), 83 % of that, so they end before it starts."
    )


def test_usual_onset_is_a_reported_distance_the_shortest_until_five_reports() -> None:
    # 50 m and 2.2 km: a walker recognises 50 m; an interpolated 588 m is a distance nobody reported
    onset = estimate_pain_onset([PainReport(NOW_S, 4, onset_distance_m=2200.0), PainReport(NOW_S, 5, 50.0)])
    assert onset is not None and onset.distance_m == 50.0
    assert "the shortest of 2 walks" in onset.description
    # from five reports the lower quartile: sorted 1, 2, 3, 4, 5 km, a quarter of the way up is the 2nd
    five = [PainReport(NOW_S, 4, onset_distance_m=d) for d in (5000.0, 1000.0, 4000.0, 2000.0, 3000.0)]
    onset = estimate_pain_onset(five)
    assert onset is not None and onset.distance_m == 2000.0
    assert "lower quartile of 5 walks" in onset.description


def test_repeated_reports_of_one_walk_never_move_the_usual_onset() -> None:
    # QA19a #8: five walks with pain at 100-180 m (lower quartile 120 m); the first walk's report saved three times
    walks = [
        PainReport(NOW_S, 5, onset_distance_m=d, walk_id=f"w{i}")
        for i, d in enumerate((100.0, 120.0, 140.0, 160.0, 180.0))
    ]
    once = estimate_pain_onset(walks)
    assert once is not None and (once.distance_m, once.n_distance_reports) == (120.0, 5)
    repeated = estimate_pain_onset([*walks, walks[0], walks[0]])
    assert repeated == once and "lower quartile of 5 walks" in repeated.description
    # a walk's later, earlier onset replaces its first (its earliest counts), distance and time each
    corrected = estimate_pain_onset(
        [*walks, PainReport(NOW_S, 5, onset_distance_m=50.0, onset_time_s=40.0, walk_id="w1")]
    )
    assert corrected is not None and corrected.distances_m == (50.0, 100.0, 140.0, 160.0, 180.0)
    assert (corrected.time_s, corrected.n_time_reports) == (40.0, 1)
    # reports naming no walk are each a walk of their own
    loose = estimate_pain_onset([PainReport(NOW_S, 5, onset_distance_m=90.0)] * 2)
    assert loose is not None and loose.n_distance_reports == 2


def test_usual_onset_is_the_lower_quartile_of_recent_painful_reports() -> None:
    reports = [PainReport(NOW_S - i * DAY_S, 4, onset_distance_m=d) for i, d in enumerate([7000, 4000, 6000, 5000])]
    reports += [
        PainReport(NOW_S, 0, onset_distance_m=100.0),  # no pain: ignored
        PainReport(NOW_S - 200 * DAY_S, 6, onset_distance_m=200.0),  # too old: ignored
        PainReport(NOW_S, 6),  # no distance: ignored
    ]
    onset = estimate_pain_onset(reports, now_s=NOW_S, lookback_days=90.0)
    assert onset is not None
    # four reports: the shortest (a quarter of the way up, rounded down)
    assert (onset.distance_m, onset.n_distance_reports, onset.time_s) == (4000.0, 4, None)
    assert onset.distances_m == (4000.0, 5000.0, 6000.0, 7000.0)
    assert recommend_walk_length(onset).walk_length_m == pytest.approx(4000.0 * 5 / 6)


def test_a_report_scoring_exactly_the_least_pain_counts_and_one_below_does_not() -> None:
    # min_pain_0_10: "reports with at least this pain score count as pain"
    assert estimate_pain_onset([PainReport(NOW_S, 2, onset_distance_m=800.0)], min_pain_0_10=2) is not None
    assert estimate_pain_onset([PainReport(NOW_S, 1, onset_distance_m=800.0)], min_pain_0_10=2) is None
    onset = estimate_pain_onset(
        [PainReport(NOW_S, 1, onset_distance_m=800.0), PainReport(NOW_S, 0, onset_distance_m=300.0)]
    )  # the default least pain, 1: the score-0 report (no pain) teaches nothing
    assert onset is not None and onset.distances_m == (800.0,)


def test_reports_after_now_do_not_count_towards_the_usual_onset() -> None:
    # only reports from lookback_days before now_s up to now_s count: a walk's plan is made from the pain reported
    # before it started, never from a report made after it
    earlier = PainReport(NOW_S - 5 * DAY_S, 5, onset_distance_m=3000.0)
    later = PainReport(NOW_S + DAY_S, 5, onset_distance_m=1000.0)
    onset = estimate_pain_onset([earlier, later], now_s=NOW_S, lookback_days=90.0)
    assert onset is not None and onset.distances_m == (3000.0,)
    assert estimate_pain_onset([later], now_s=NOW_S, lookback_days=90.0) is None


def test_onset_time_only_gives_a_walk_time() -> None:
    onset = estimate_pain_onset([PainReport(NOW_S, 3, onset_time_s=1800.0)])
    assert onset is not None
    rec = recommend_walk_length(onset, fraction=0.8)
    assert (rec.walk_length_m, rec.walk_time_s) == (None, 1440.0)
    assert "about 24 min" in rec.reason and "about 30 min into a walk" in rec.reason


def test_no_onset_without_distance_or_time() -> None:
    assert estimate_pain_onset([PainReport(NOW_S, 5)]) is None
    assert estimate_pain_onset([]) is None


def test_recommendation_refuses_a_fraction_that_would_not_end_before_pain() -> None:
    with pytest.raises(GaitError, match="fraction"):
        recommend_walk_length(PainOnset(1000.0, None, 1, 0), fraction=1.0)


def test_plan_carries_the_recommendation() -> None:
    reports = [PainReport(NOW_S - DAY_S, 5, onset_distance_m=3 * MILE_M)]
    plan = plan_coaching([], reports, CoachSettings(enabled=True), body_height_m=HEIGHT_M, now_s=NOW_S)
    assert plan.recommendation is not None and plan.recommendation.walk_length_m == pytest.approx(2.5 * MILE_M)
    assert plan.reasons[-1] == plan.recommendation.reason


# ---------------------------------------------------------------- streaming coach


def _feed(coach: Coach, events: list) -> list:
    return [cue for ev in events for cue in coach.update(ev)]


def test_first_cue_on_the_third_flagged_stride_then_reminders_every_180_s() -> None:
    s = CoachSettings(enabled=True)
    cues = _feed(Coach(personal_plan(s), s), strides_at([LONG_M] * 400))
    assert [c.t_s for c in cues] == [3.0, 183.0, 363.0]
    assert {c.kind for c in cues} == {CueKind.SHORTEN_STRIDE}
    assert cues[0].message == "Shorten your stride: take shorter, quicker steps."
    assert cues[0].reason == (
        "3 of your last 3 strides were longer than 1.37 m; the last one 1.50 m at 120 steps/min, where your target "
        "is 1.32 m (10 % below your usual strides, 1.47 m at this cadence) plus 0.05 m tolerance."
    )


def test_k_of_n_needs_three_flagged_among_the_last_five() -> None:
    s = CoachSettings(enabled=True)
    pattern = [SHORT_M, LONG_M, SHORT_M, LONG_M, SHORT_M, SHORT_M, SHORT_M, LONG_M, SHORT_M, LONG_M]
    assert _feed(Coach(personal_plan(s), s), strides_at(pattern)) == []  # never 3 of 5
    pattern[2] = LONG_M  # strides 2, 3, 4 (1-based) flagged -> cue at the end of stride 4
    assert [c.t_s for c in _feed(Coach(personal_plan(s), s), strides_at(pattern))] == [4.0]


def test_hysteresis_holds_the_episode_until_at_most_one_of_five_is_flagged() -> None:
    s = CoachSettings(enabled=True)
    # episode starts at t=3; 2 of 5 flagged keeps it (no new cue at 65 s although 60 s passed);
    # 4 short strides end it; a new episode may cue once 60 s have passed since the last cue.
    keep = [LONG_M] * 3 + [SHORT_M, SHORT_M, SHORT_M, LONG_M, LONG_M] * 20
    ended = [SHORT_M] * 4 + [LONG_M] * 3
    cues = _feed(Coach(personal_plan(s), s), strides_at(keep + ended))
    assert [c.t_s for c in cues] == [3.0, 110.0]


def test_a_new_episode_waits_for_the_minimum_interval() -> None:
    s = CoachSettings(enabled=True)
    seq = [LONG_M] * 3 + [SHORT_M] * 5 + [LONG_M] * 60
    assert [c.t_s for c in _feed(Coach(personal_plan(s), s), strides_at(seq))] == [3.0, 63.0]


def test_no_cue_before_the_third_stride_of_a_run_and_gaps_start_a_new_run() -> None:
    s = CoachSettings(enabled=True, min_cue_interval_s=5.0, reminder_interval_s=5.0)
    coach = Coach(personal_plan(s), s)
    first = strides_at([LONG_M] * 2)
    second = strides_at([LONG_M] * 2, t0_s=4.5)  # 2.5 s gap: a new run
    third = strides_at([LONG_M], t0_s=6.5)  # contiguous: 3rd stride of the run
    assert _feed(coach, first + second) == []
    assert [c.t_s for c in _feed(coach, third)] == [7.5]


def test_a_bout_end_resets_the_run() -> None:
    s = CoachSettings(enabled=True)
    coach = Coach(personal_plan(s), s)
    events = [*strides_at([LONG_M] * 2), BoutEvent(0.0, 2.0, 5), *strides_at([LONG_M] * 2, t0_s=2.0)]
    assert _feed(coach, events) == []
    assert [c.t_s for c in coach.update(strides_at([LONG_M], t0_s=4.0)[0])] == [5.0]


def test_non_walking_cadence_breaks_the_run() -> None:
    s = CoachSettings(enabled=True)
    coach = Coach(personal_plan(s), s)
    slow = StrideEvent(2.0, 6.0, 2.0, 30.0, 0.5, 0.9, "test")  # 30 steps/min: not walking
    assert _feed(coach, [*strides_at([LONG_M] * 2), slow, *strides_at([LONG_M] * 2, t0_s=6.0)]) == []
    assert coach.distance_m == pytest.approx(4 * LONG_M + 2.0)  # the slow stride still covers ground


def test_low_confidence_or_unknown_lengths_never_cue() -> None:
    s = CoachSettings(enabled=True)
    assert _feed(Coach(personal_plan(s), s), strides_at([LONG_M] * 100, confidence=0.49)) == []
    assert _feed(Coach(personal_plan(s), s), strides_at([None] * 100)) == []
    # unreliable strides count as not flagged: 2 confident of 5 is not enough
    conf = [0.9, 0.1, 0.9, 0.1, 0.1] * 20
    assert _feed(Coach(personal_plan(s), s), strides_at([LONG_M] * 100, confidence=conf)) == []


def test_inactive_plan_never_cues_to_shorten() -> None:
    s = CoachSettings(enabled=True)
    plan = plan_coaching([], [], s, body_height_m=HEIGHT_M, now_s=NOW_S)
    assert not plan.active
    coach = Coach(plan, s)
    assert _feed(coach, strides_at([2.0] * 100)) == []
    assert coach.summary() == {
        "strides": 100,
        "overlong_strides": 0,
        "cues": 0,
        "distance_m": pytest.approx(200.0),
        "distance_trusted": True,
    }


def test_near_pain_cue_fires_once_when_the_recommended_distance_is_reached() -> None:
    s = CoachSettings(enabled=True)
    plan = personal_plan(s, reports=[PainReport(NOW_S - DAY_S, 4, onset_distance_m=12.0)])  # walk 10 m
    coach = Coach(plan, s)
    cues = _feed(coach, strides_at([SHORT_M] * 30))
    assert [(c.t_s, c.kind) for c in cues] == [(9.0, CueKind.NEAR_PAIN_DISTANCE)]  # 9 x 1.2 m = 10.8 m >= 10 m
    assert (
        cues[0].reason
        == "You have walked 11 m (0.01 mi); back pain usually starts about 12 m (0.01 mi) into a walk (1 walk)."
    )


def test_near_pain_uses_baseline_lengths_for_unknown_strides_and_external_distance() -> None:
    s = CoachSettings(enabled=True)
    plan = personal_plan(s, reports=[PainReport(NOW_S - DAY_S, 4, onset_distance_m=6000.0)])  # walk 5000 m
    coach = Coach(plan, s)
    assert _feed(coach, strides_at([None] * 3)) == []
    assert coach.distance_m == pytest.approx(3 * BASE_120_M)
    coach.set_distance_m(5000.0)
    cues = coach.update(strides_at([None], t0_s=3.0)[0])
    assert [c.kind for c in cues] == [CueKind.NEAR_PAIN_DISTANCE]
    assert cues[0].reason.startswith("You have walked 5.0 km (3.1 mi); back pain usually starts about 6.0 km")


def test_overlapping_strides_of_both_feet_count_once_toward_distance() -> None:
    s = CoachSettings(enabled=True)
    coach = Coach(personal_plan(s), s)
    # a trunk sensor: contacts every 0.5 s, each starting a 1 s stride of 1.2 m -> 0.6 m per contact
    overlapping = [StrideEvent(0.5 * i, 0.5 * i + 1.0, 1.2, 120.0, 1.2, 0.9, "test") for i in range(10)]
    _feed(coach, overlapping)
    assert coach.distance_m == pytest.approx(1.2 + 9 * 0.6)


def test_near_pain_by_time_into_the_walk() -> None:
    s = CoachSettings(enabled=True)
    plan = personal_plan(s, reports=[PainReport(NOW_S - DAY_S, 4, onset_time_s=60.0)])  # walk 50 s
    cues = _feed(Coach(plan, s), strides_at([SHORT_M] * 100))
    assert [c.t_s for c in cues] == [50.0]


def test_disabled_coach_is_silent_even_near_pain() -> None:
    s = CoachSettings(enabled=False)
    plan = plan_coaching(
        [], [PainReport(NOW_S - DAY_S, 4, onset_distance_m=5.0)], s, body_height_m=HEIGHT_M, now_s=NOW_S
    )
    assert _feed(Coach(plan, s), strides_at([LONG_M] * 50)) == []


def test_coach_refuses_out_of_order_and_unknown_events() -> None:
    s = CoachSettings(enabled=True)
    coach = Coach(personal_plan(s), s)
    coach.update(strides_at([1.0], t0_s=10.0)[0])
    with pytest.raises(GaitError, match="order") as err:
        coach.update(strides_at([1.0], t0_s=5.0)[0])
    assert err.value.reason == "events_out_of_order"
    with pytest.raises(GaitError, match="StrideEvent"):
        coach.update("stride")  # type: ignore[arg-type]
    assert coach.update(StepEvent(12.0, "left")) == []


def test_coach_pickles_mid_walk_and_resumes_identically() -> None:
    s = CoachSettings(enabled=True, min_cue_interval_s=10.0, reminder_interval_s=20.0)
    events = strides_at(([LONG_M] * 7 + [SHORT_M] * 5) * 10)
    whole = _feed(Coach(personal_plan(s), s), events)
    coach = Coach(personal_plan(s), s)
    head = _feed(coach, events[:40])
    resumed = pickle.loads(pickle.dumps(coach))
    assert head + _feed(resumed, events[40:]) == whole
    assert len(whole) >= 4


def test_cue_to_dict() -> None:
    s = CoachSettings(enabled=True)
    cue = _feed(Coach(personal_plan(s), s), strides_at([LONG_M] * 3))[0]
    assert cue.to_dict()["kind"] == "shorten_stride" and cue.to_dict()["t_s"] == 3.0


# ---------------------------------------------------------------- words


def test_tips_and_disclaimer_cover_the_source_material() -> None:
    keys = {t.key for t in TIPS}
    assert {"glute_bridges", "hip_flexor_stretch", "shorter_quicker_steps"} <= keys
    assert NOT_MEDICAL_ADVICE.startswith("Not medical advice.")


def test_only_walks_of_two_minutes_walking_count_for_baseline_relax_and_point_of_pain() -> None:
    s = CoachSettings(enabled=True)
    pain_t = NOW_S - 14 * DAY_S
    # standing recordings and a 16 m shuffle after the pain: not walks, so the target does not relax
    not_walks = [
        line_walk(pain_t + (i + 1) * 3600.0, np.linspace(100.0, 120.0, 10), walking_time_s=t, walk_id=f"s{i}")
        for i, t in enumerate([0.0, 0.0, 14.0, 119.0])
    ]
    plan = plan_coaching(not_walks, [PainReport(pain_t, 4)], s, body_height_m=HEIGHT_M, now_s=NOW_S)
    assert plan.pain_free_walks_since_pain == 0
    assert plan.reduction == pytest.approx(s.reduction)  # 14 days, but no walking: nothing relaxed
    assert "a walk counts when it holds at least 2 minutes of walking" in " ".join(plan.reasons)
    # the same records with 2 minutes of walking count
    walks = [line_walk(w.started_at_s, w.cadence_spm, walking_time_s=120.0) for w in not_walks]
    plan = plan_coaching(walks, [PainReport(pain_t, 4)], s, body_height_m=HEIGHT_M, now_s=NOW_S)
    assert plan.pain_free_walks_since_pain == 4
    # baseline: three long-strided pain-free records that are not walks never make a personal baseline
    history = [line_walk(NOW_S - (i + 1) * DAY_S, np.linspace(95.0, 125.0, 200), walking_time_s=60.0) for i in range(3)]
    assert plan_coaching(history, [], s, body_height_m=HEIGHT_M, now_s=NOW_S).baseline.source == "population"
    history = [line_walk(w.started_at_s, w.cadence_spm) for w in history]
    assert plan_coaching(history, [], s, body_height_m=HEIGHT_M, now_s=NOW_S).baseline.source == "personal"
    # point of pain: a report on a recording that is not a walk counts as pain and its onset (which the recording
    # reached) is where the pain started, as on a walk
    reports = [PainReport(NOW_S - DAY_S, 5, onset_distance_m=10.0, walk_id="s2")]
    for history in (not_walks, walks):
        plan = plan_coaching(history, reports, s, body_height_m=HEIGHT_M, now_s=NOW_S)
        assert plan.active and plan.onset is not None and plan.onset.distance_m == 10.0


def test_walk_record_from_strides_counts_walking_time_once() -> None:
    # overlapping strides of the two feet (trunk sensor) cover 0-3 s, a pause, then 10-11 s
    strides = [
        *strides_at([1.2, 1.2], duration_s=1.5),
        *strides_at([1.2], t0_s=0.75, duration_s=1.5),
        *strides_at([1.2], t0_s=10.0),
    ]
    walk = WalkRecord.from_strides(strides, started_at_s=NOW_S, pain_free=True)
    assert walk.walking_time_s == pytest.approx(4.0)
    assert not walk.is_walk


def _short_walk(started_at_s: float, walk_id: str, *, walking_time_s: float, distance_m: float) -> WalkRecord:
    """A walk of ``walking_time_s`` seconds' walking and ``distance_m`` metres (strides at 120 steps/min)."""
    n = int(walking_time_s)  # one stride a second
    lengths = np.full(n, distance_m / n)
    return WalkRecord(
        started_at_s=started_at_s,
        stride_length_m=lengths,
        cadence_spm=np.full(n, 120.0),
        confidence=np.full(n, 0.9),
        distance_m=distance_m,
        pain_free=True,
        walk_id=walk_id,
        walking_time_s=walking_time_s,
    )


def test_walks_that_follow_a_short_walk_length_plan_count_as_pain_free_walks() -> None:
    s = CoachSettings(enabled=True)
    pain_t = NOW_S - 3 * DAY_S
    # pain 100 m / 100 s into a 10-minute walk: the plan is walks of about 83 m or 83 s, shorter than 2 minutes
    # (a walker at 1 m/s, for whom the two onsets are one point of the walk and the plan's 83 m take 83 s)
    painful = line_walk(pain_t - 900.0, np.full(600, 110.0), walk_id="w42")
    painful = replace(painful, distance_m=painful.walking_time_s * 1.0)
    report = PainReport(pain_t, 4, onset_distance_m=100.0, onset_time_s=100.0, walk_id="w42")
    followed = [
        _short_walk(pain_t + (i + 1) * DAY_S / 2, f"f{i}", walking_time_s=90.0, distance_m=95.0) for i in range(3)
    ]
    plan = plan_coaching([painful, *followed], [report], s, body_height_m=HEIGHT_M, now_s=NOW_S)
    assert plan.recommendation is not None and plan.recommendation.walk_length_m == pytest.approx(500.0 / 6.0)
    # the three walks did what the plan said: they count, and the target has started to relax
    assert plan.pain_free_walks_since_pain == 3
    assert plan.reduction < s.reduction
    assert "counts as a pain-free walk" in plan.recommendation.reason
    # ending a little early still follows "about 83 m" (90 % of it); much shorter does not
    almost = [replace(w, distance_m=76.0, walking_time_s=76.0) for w in followed]
    assert (
        plan_coaching([painful, *almost], [report], s, body_height_m=HEIGHT_M, now_s=NOW_S).pain_free_walks_since_pain
        == 3
    )
    half = [replace(w, distance_m=50.0, walking_time_s=70.0) for w in followed]
    assert (
        plan_coaching([painful, *half], [report], s, body_height_m=HEIGHT_M, now_s=NOW_S).pain_free_walks_since_pain
        == 0
    )
    # the same walks before any plan existed (no pain report yet) were not walks, but a report on one still gives
    # the point of pain: the walk reached it
    early = [replace(w, started_at_s=pain_t - 5 * DAY_S + i * 3600.0) for i, w in enumerate(followed)]
    later = PainReport(pain_t - 4 * DAY_S, 5, onset_distance_m=60.0, walk_id="f0")
    plan = plan_coaching(early, [later], s, body_height_m=HEIGHT_M, now_s=NOW_S)
    assert plan.onset is not None and plan.onset.distance_m == 60.0
    # a plan-following walk that still hurt teaches its earlier onset: the plan shortens
    hurt = PainReport(followed[0].started_at_s + 600.0, 5, onset_distance_m=60.0, walk_id="f0")
    plan = plan_coaching([painful, *followed], [report, hurt], s, body_height_m=HEIGHT_M, now_s=NOW_S)
    assert plan.onset is not None and plan.onset.distance_m == 60.0
    assert plan.pain_free_walks_since_pain == 2  # f1, f2 after the report on f0


def test_standing_and_a_few_steps_never_count_even_with_a_very_short_plan() -> None:
    s = CoachSettings(enabled=True)
    pain_t = NOW_S - 3 * DAY_S
    painful = line_walk(pain_t - 900.0, np.full(600, 110.0), walk_id="w1")
    # pain after 30 s / 30 m: the plan (25 s, 25 m) is below what can be told from a few steps
    report = PainReport(pain_t, 6, onset_distance_m=30.0, onset_time_s=30.0, walk_id="w1")
    steps = [_short_walk(pain_t + (i + 1) * 3600.0, f"s{i}", walking_time_s=40.0, distance_m=35.0) for i in range(4)]
    standing = [replace(w, walk_id=f"t{i}", walking_time_s=0.0, distance_m=0.0) for i, w in enumerate(steps)]
    plan = plan_coaching([painful, *steps, *standing], [report], s, body_height_m=HEIGHT_M, now_s=NOW_S)
    assert plan.pain_free_walks_since_pain == 0 and plan.reduction == pytest.approx(s.reduction)
    # the plan says so instead of promising walks that never count
    assert plan.recommendation is not None
    assert "cannot count as pain-free walks" in plan.recommendation.reason
    assert "doctor or physiotherapist" in plan.recommendation.reason


@pytest.mark.parametrize(
    ("distances_m", "times_s"),
    [
        ([40.0], []),  # distance only: a plan of 33 m, under the 75 m a minute's walking covers
        ([], [30.0]),  # time only: 25 s
        ([150.0], [30.0]),  # QA: 125 m from one report, 25 s from another
        ([30.0], [600.0]),  # 25 m, and 8 min 20 s from another
    ],
)
def test_a_plan_under_a_minute_in_any_measure_says_it_cannot_count(distances_m, times_s) -> None:
    s = CoachSettings(enabled=True)
    reports = [PainReport(NOW_S - DAY_S, 4, onset_distance_m=d) for d in distances_m]
    reports += [PainReport(NOW_S - DAY_S + 60.0, 4, onset_time_s=t) for t in times_s]
    plan = plan_coaching([], reports, s, body_height_m=HEIGHT_M, now_s=NOW_S)
    assert plan.recommendation is not None
    reason = plan.recommendation.reason
    assert "cannot count as pain-free walks" in reason and "doctor or physiotherapist" in reason
    assert "counts as a pain-free walk" not in reason


def test_a_plan_of_a_minute_or_more_in_both_measures_still_counts_short_walks() -> None:
    # 100 m / 100 s of pain: 83 m and 83 s, above the floor (75 m, 60 s) in both: such walks count (COACHING.md)
    s = CoachSettings(enabled=True)
    reports = [PainReport(NOW_S - DAY_S, 4, onset_distance_m=100.0), PainReport(NOW_S - DAY_S, 4, onset_time_s=100.0)]
    reason = plan_coaching([], reports, s, body_height_m=HEIGHT_M, now_s=NOW_S).recommendation.reason
    assert "counts as a pain-free walk" in reason and "cannot count" not in reason


def _paced_walk(started_at_s: float, speed_mps: float, walk_id: str = "p") -> WalkRecord:
    """A walk of 5 minutes' walking at ``speed_mps``."""
    return _short_walk(started_at_s, walk_id, walking_time_s=300.0, distance_m=300.0 * speed_mps)


def _distance_and_time_plan(walks: list[WalkRecord], onset_m: float, onset_s: float):
    reports = [
        PainReport(NOW_S - DAY_S, 4, onset_distance_m=onset_m),
        PainReport(NOW_S - DAY_S + 60.0, 4, onset_time_s=onset_s),
    ]
    plan = plan_coaching(walks, reports, CoachSettings(enabled=True), body_height_m=HEIGHT_M, now_s=NOW_S)
    assert plan.recommendation is not None
    return plan.recommendation


def test_a_distance_and_a_time_onset_plan_the_one_a_walk_reaches_first_at_the_usual_pace() -> None:
    # QA: 250 m and 90 s gave "about 208 m (0.13 mi) or about 1 min 15 s": at 1 m/s 208 m take 3 min 28 s, past
    # the 90 s onset. At the walker's pace the 90 s come first (at 90 m): the walk is planned by time
    slow = [_paced_walk(NOW_S - (3 + i) * DAY_S, speed, f"s{i}") for i, speed in enumerate((0.9, 1.0, 1.2))]
    rec = _distance_and_time_plan(slow, 250.0, 90.0)
    assert rec.pace is not None and rec.pace.speed_mps == pytest.approx(1.0) and rec.pace.n_walks == 3
    assert (rec.ends_by, rec.planned_time_s) == ("time", pytest.approx(75.0))
    assert rec.planned_length_m == pytest.approx(75.0)
    assert "Plan walks of about 1 min 15 s, about 75 m (0.05 mi) at your usual pace" in rec.reason
    assert "or about" not in rec.reason.split("Plan walks")[1] and "208 m" not in rec.reason
    assert "3.6 km/h (2.2 mph), the median of 3 recent walks" in rec.reason
    # 1 min 15 s is shorter than two minutes: true here, and such walks count
    assert "though shorter than the usual 2 minutes" in rec.reason
    # a quick walker reaches the 250 m first (after 1 min 43 s): the walk is planned by distance, 208 m
    quick = [_paced_walk(NOW_S - 3 * DAY_S, 2.43, "q")]
    rec = _distance_and_time_plan(quick, 250.0, 300.0)
    assert rec.ends_by == "distance" and rec.planned_length_m == pytest.approx(250.0 * 5 / 6)
    assert rec.planned_time_s == pytest.approx(250.0 * 5 / 6 / 2.43)
    assert "Plan walks of about 208 m (0.13 mi), about 1 min 26 s at your usual pace" in rec.reason


def test_the_shorter_than_two_minutes_note_holds_only_where_the_planned_walk_is() -> None:
    # 140 m -> a plan of 117 m, under the 150 m a walk of unknown walking time needs; at this walker's 0.8 m/s the
    # 140 m come before the 300 s onset, and the planned 117 m take 146 s: a walk of the usual kind, no note
    slow = [_paced_walk(NOW_S - 3 * DAY_S, 0.8)]
    rec = _distance_and_time_plan(slow, 140.0, 300.0)
    assert rec.ends_by == "distance" and rec.planned_time_s == pytest.approx(140.0 * 5 / 6 / 0.8)
    assert "shorter than the usual" not in rec.reason and "cannot count" not in rec.reason
    # without a pace, 117 m can only be judged as a distance: shorter than 150 m, the note stays
    rec = _distance_and_time_plan([], 140.0, 300.0)
    assert rec.pace is None and rec.ends_by is None and rec.planned_time_s is None
    assert "though shorter than the usual 2 minutes" in rec.reason


def test_without_a_usual_pace_a_distance_and_a_time_plan_ends_at_whichever_comes_first() -> None:
    rec = _distance_and_time_plan([], 250.0, 90.0)
    assert rec.reason.split(". ", 1)[1].startswith(
        "Plan walks that end at about 208 m (0.13 mi) or after about 1 min 15 s, whichever comes first: 83 % of each"
    )


def test_the_usual_pace_rests_on_recent_walks_of_two_minutes_with_plausible_paces() -> None:
    from gait.coach.pain import usual_pace

    walks = [
        _paced_walk(NOW_S - 3 * DAY_S, 1.2, "a"),
        _paced_walk(NOW_S - 4 * DAY_S, 1.4, "b"),
        _paced_walk(NOW_S - 5 * DAY_S, 9.0, "implausible"),  # a distance from lengths nobody calibrated
        _paced_walk(NOW_S - 400 * DAY_S, 0.5, "old"),  # outside the window
        _paced_walk(NOW_S + DAY_S, 0.5, "later"),  # after the plan's time
        _short_walk(NOW_S - DAY_S, "short", walking_time_s=60.0, distance_m=30.0),  # not a walk
    ]
    pace = usual_pace(walks, now_s=NOW_S, window_days=180.0)
    assert pace is not None and (pace.speed_mps, pace.n_walks) == (pytest.approx(1.3), 2)
    assert usual_pace(walks[2:], now_s=NOW_S, window_days=180.0) is None


def test_an_onset_of_zero_from_an_older_store_teaches_no_point_of_pain() -> None:
    # the service refuses onset 0 now; a store from before may hold one: it counts as pain, gives no "0 s" plan
    s = CoachSettings(enabled=True)
    zero = PainReport(NOW_S - DAY_S, 4, onset_time_s=0.0)
    far = PainReport(NOW_S - DAY_S, 4, onset_distance_m=900.0)
    plan = plan_coaching([], [zero, far], s, body_height_m=HEIGHT_M, now_s=NOW_S)
    assert plan.recommendation is not None
    assert plan.recommendation.walk_time_s is None and plan.recommendation.walk_length_m == pytest.approx(750.0)
    plan = plan_coaching([], [zero], s, body_height_m=HEIGHT_M, now_s=NOW_S)
    assert plan.recommendation is None and plan.reduction == pytest.approx(s.reduction)  # still pain: coached


def test_an_onset_on_a_short_walk_gives_a_recommendation() -> None:
    # QA: 72 s of walking, 104 m, pain at 90 m: the walker stopped at the pain; the onset must be learnt
    s = CoachSettings(enabled=True)
    short = _short_walk(NOW_S - 2 * DAY_S, "1", walking_time_s=72.0, distance_m=104.0)
    assert not short.is_walk
    report = PainReport(NOW_S - 2 * DAY_S + 80.0, 5, onset_distance_m=90.0, walk_id="1")
    plan = plan_coaching([short], [report], s, body_height_m=HEIGHT_M, now_s=NOW_S)
    assert plan.onset is not None and plan.onset.distance_m == 90.0
    assert plan.recommendation is not None and plan.recommendation.walk_length_m == pytest.approx(75.0)
    # it still does not count as a pain-free walk (it was painful, and too short to relax the target anyway)
    assert plan.pain_free_walks_since_pain == 0


def test_deleting_one_report_never_turns_off_another_reports_onset() -> None:
    # report 1 (pain at 100 m on a long walk) gives a plan of about 83 m; walk 20 (90 s, 95 m) follows it and hurts at
    # 80 m (report 2). Without report 1, walk 20 is a short walk, but report 2's onset is still where the pain started.
    s = CoachSettings(enabled=True)
    pain_t = NOW_S - 5 * DAY_S
    long_walk = line_walk(pain_t - 900.0, np.full(600, 110.0), walk_id="10")
    report1 = PainReport(pain_t, 4, onset_distance_m=100.0, walk_id="10")
    walk20 = _short_walk(pain_t + DAY_S, "20", walking_time_s=90.0, distance_m=95.0)
    report2 = PainReport(pain_t + DAY_S + 100.0, 5, onset_distance_m=80.0, walk_id="20")
    both = plan_coaching([long_walk, walk20], [report1, report2], s, body_height_m=HEIGHT_M, now_s=NOW_S)
    assert both.onset is not None and both.onset.distances_m == (80.0, 100.0)
    alone = plan_coaching([long_walk, walk20], [report2], s, body_height_m=HEIGHT_M, now_s=NOW_S)
    assert alone.onset is not None and alone.onset.distances_m == (80.0,)
    assert alone.recommendation is not None
