"""Scenarios on the real recordings in sample_recordings/: their measured reference strides (and, at the end,
the strides our own tracker finds) go through the coaching plan and the streaming coach."""

from __future__ import annotations

import pickle
from itertools import pairwise

import numpy as np
import pytest

from gait.analysis import analyze
from gait.coach import (
    Coach,
    CoachSettings,
    Cue,
    CueKind,
    PainReport,
    StrideJudge,
    WalkRecord,
    flag_overlong,
    plan_coaching,
)
from gait.coach.baseline import trusted_strides
from gait.types import BoutEvent, StrideEvent
from tests.gait.coach_helpers import DAY_S, NOW_S
from tests.sample_data import Sample, sample


def reference_strides(s: Sample, *, confidence: float | list[float] = 1.0, shift_s: float = 0.0) -> list[StrideEvent]:
    """The sample's measured strides as StrideEvents, in the order a tracker would emit them (by end time)."""
    conf = np.broadcast_to(np.asarray(confidence, dtype=float), (len(s.strides),))
    out = []
    for (start, end, length), c in zip(s.strides, conf, strict=True):
        known = None if not np.isfinite(length) else float(length)
        speed = None if known is None else known / (end - start)
        out.append(StrideEvent(start + shift_s, end + shift_s, known, 120.0 / (end - start), speed, float(c), "ref"))
    return sorted(out, key=lambda e: e.end_s)


def laps(s: Sample, n: int, **kw: object) -> list[StrideEvent]:
    """The sample's walk repeated ``n`` times back to back (a longer walk of the same person)."""
    one = reference_strides(s)
    lap_s = one[-1].end_s - one[0].start_s + 0.5
    out: list[StrideEvent] = []
    for i in range(n):
        out += reference_strides(s, shift_s=i * lap_s, **kw)
    return out


def feed(coach: Coach, events: list) -> list[Cue]:
    return [c for ev in events for c in coach.update(ev)]


DAILY_WALK_S = 600.0


def history(n_walks: int, *, start_day: float) -> list[WalkRecord]:
    """Pain-free daily walks of the gaitmap walker (the right-foot recording), one per day from ``start_day``.

    The lab recording is a short sample of the walker's strides; each record stands for a 10-minute daily walk
    (a walk for the coach needs 2 minutes of walking)."""
    strides = reference_strides(sample("gaitmap_right_foot"))
    return [
        WalkRecord.from_strides(
            strides, started_at_s=NOW_S + (start_day + i) * DAY_S, pain_free=True, walking_time_s=DAILY_WALK_S
        )
        for i in range(n_walks)
    ]


SETTINGS = CoachSettings(enabled=True)


def test_walk_longer_than_the_target_gets_flagged_strides_and_rate_limited_cues() -> None:
    # 4 pain-free walks give a personal baseline; pain yesterday sets the target 10 % below it.
    plan = plan_coaching(
        history(4, start_day=-10), [PainReport(NOW_S - DAY_S, 5)], SETTINGS, body_height_m=None, now_s=NOW_S
    )
    assert plan.active and plan.baseline.source == "personal" and plan.baseline.n_walks == 4
    walk = laps(sample("gaitmap_left_foot"), 8)  # the same walker's usual strides, about 4.5 minutes
    flags = flag_overlong(walk, plan.target_stride_m, tolerance_m=SETTINGS.tolerance_m)
    # usual strides are ~10 % above a target 10 % below the usual: nearly all overlong; the slow turn is not (its
    # reference row spans two strides over a hole in the labelled strides and has no length: nothing to flag)
    assert sum(f is True for f in flags) >= 0.8 * len(walk)
    turns = [i for i, s in enumerate(walk) if s.cadence_spm < 60.0]
    assert turns and all(flags[i] is not True for i in turns)

    coach = Coach(plan, SETTINGS)
    cues = feed(coach, walk)
    t = [c.t_s for c in cues if c.kind == CueKind.SHORTEN_STRIDE]
    duration_s = walk[-1].end_s - walk[0].start_s
    assert t[0] == walk[2].end_s  # the third overlong stride of the walk
    assert len(t) >= 2 and all(b - a >= SETTINGS.min_cue_interval_s for a, b in pairwise(t))
    assert len(t) <= 1 + duration_s / SETTINGS.min_cue_interval_s
    assert coach.summary()["overlong_strides"] == sum(f is True for f in flags)
    assert "where your target is" in cues[0].reason


def test_pain_free_history_relaxes_the_target_until_coaching_stops() -> None:
    walk = laps(sample("gaitmap_left_foot"), 8)
    pain = [PainReport(NOW_S, 5)]
    before = history(4, start_day=-10)
    flagged, n_cues, reductions = [], [], []
    for day in (1, 7, 14, 21, 28):
        # one coached, pain-free walk a day since the pain: they relax the target but stay out of the baseline
        after = [
            WalkRecord.from_strides(
                walk[:10],
                started_at_s=NOW_S + (d - 0.5) * DAY_S,
                pain_free=True,
                coached=True,
                walking_time_s=DAILY_WALK_S,
            )
            for d in range(1, day + 1)
        ]
        plan = plan_coaching(before + after, pain, SETTINGS, body_height_m=None, now_s=NOW_S + day * DAY_S)
        reductions.append(plan.reduction)
        flagged.append(sum(f is True for f in flag_overlong(walk, plan.target_stride_m)))
        n_cues.append(len(feed(Coach(plan, SETTINGS), walk)))
    # progress = min(days / 28, walks / 12) = days / 28 with one walk a day
    np.testing.assert_allclose(reductions, [0.1 * (1 - d / 28) for d in (1, 7, 14, 21, 28)], atol=1e-12)
    assert all(a >= b for a, b in pairwise(flagged)) and flagged[0] > flagged[-1]
    assert all(a >= b for a, b in pairwise(n_cues)) and n_cues[0] >= 2 and n_cues[-1] == 0


def test_low_confidence_strides_never_cue() -> None:
    plan = plan_coaching(
        history(4, start_day=-10), [PainReport(NOW_S - DAY_S, 5)], SETTINGS, body_height_m=None, now_s=NOW_S
    )
    s = sample("gaitmap_left_foot")
    unsure = laps(s, 8, confidence=0.3)
    assert set(flag_overlong(unsure, plan.target_stride_m)) == {None}
    assert feed(Coach(plan, SETTINGS), unsure) == []
    # every other stride unsure: cues come only on the confident overlong ones
    mixed = laps(s, 8, confidence=[0.3, 0.9] * (len(s.strides) // 2) + [0.3] * (len(s.strides) % 2))
    coach = Coach(plan, SETTINGS)
    triggers = [ev for ev in mixed for _ in coach.update(ev)]
    assert triggers and all(ev.confidence == 0.9 for ev in triggers)


def test_daily_living_bouts_cue_only_inside_walking_and_near_the_point_of_pain() -> None:
    s = sample("mobgap_lower_back_daily_living")
    strides = reference_strides(s)
    # pain usually starts 18 m in -> walk 15 m; both feet's strides overlap on a trunk sensor (counted once)
    reports = [PainReport(NOW_S - DAY_S, 4, onset_distance_m=18.0)]
    cfg = CoachSettings(enabled=True, min_cue_interval_s=10.0, reminder_interval_s=20.0)
    plan = plan_coaching([], reports, cfg, body_height_m=s.reference["body_height_m"], now_s=NOW_S)
    assert (
        plan.baseline.description
        == "population default from height 1.59 m; " + plan.baseline.description.split("; ", 1)[1]
    )
    coach = Coach(plan, cfg)
    cues = feed(coach, strides)
    assert cues
    for cue in cues:
        assert any(a <= cue.t_s <= b for a, b, _ in s.bouts), cue
    near = [c for c in cues if c.kind == CueKind.NEAR_PAIN_DISTANCE]
    assert len(near) == 1 and "back pain usually starts about 18 m" in near[0].reason
    # distance walked: per reference bout, its steps (contacts - 1) times half its mean stride length
    ics = s.initial_contacts_s
    expected = 0.0
    for a, b, _ in s.bouts:
        inside = [x.length_m for x in strides if x.length_m is not None and a <= x.start_s <= b]
        expected += 0.5 * float(np.mean(inside)) * (np.count_nonzero((ics >= a) & (ics <= b)) - 1)
    assert coach.distance_m == pytest.approx(expected, rel=0.1)


def _tracker_events(name: str) -> tuple[list[StrideEvent | BoutEvent], object]:
    s = sample(name)
    result = analyze(s.recording, placement=s.placement, body_height_m=s.reference["body_height_m"])
    events: list[StrideEvent | BoutEvent] = [*result.strides, *result.bouts]
    # a bout is emitted once it has ended, after its strides
    events.sort(key=lambda e: (e.end_s, isinstance(e, BoutEvent)))
    return events, result


@pytest.mark.parametrize(
    ("name", "cues_expected"),
    [
        # a foot sensor measures this walker's usual strides (about 1.38 m at 110 steps/min) reliably; with pain
        # the target is 10 % below the walk's own level (its first 20 strides): most later strides are overlong
        ("gaitmap_left_foot", True),
        ("mobgap_lower_back_daily_living", None),
        # phone strides rest on an uncalibrated model (low confidence): never judged, never cued
        ("oxford_phone_in_hand", False),
        ("oxford_phone_in_bag", False),
    ],
)
def test_tracker_strides_through_the_coach(name: str, cues_expected: bool | None) -> None:
    events, result = _tracker_events(name)
    strides = [e for e in events if isinstance(e, StrideEvent)]
    assert strides, result.reason
    cfg = CoachSettings(enabled=True, min_cue_interval_s=10.0, reminder_interval_s=20.0)
    body_height_m = sample(name).reference["body_height_m"]
    plan = plan_coaching([], [PainReport(NOW_S - DAY_S, 5)], cfg, body_height_m=body_height_m, now_s=NOW_S)
    coach = Coach(plan, cfg)
    half = len(events) // 2
    cues = feed(coach, events[:half])
    coach = pickle.loads(pickle.dumps(coach))  # a live session may be persisted mid-walk
    cues += feed(coach, events[half:])
    assert cues == feed(Coach(plan, cfg), events)

    # an upload's judge, fed the same strides in the same order, flags what the live coach counted (non-walking
    # strides are judged too, but never counted towards a cue)
    judge = StrideJudge(plan, cfg)
    flags = [judge(st)[1] for st in strides]
    walking = [f for st, f in zip(strides, flags, strict=True) if 60.0 <= st.cadence_spm <= 150.0]
    assert coach.summary()["overlong_strides"] == sum(f is True for f in walking)
    # no personal baseline: the walk's first 20 trusted strides set its level and are not judged
    first = [
        i
        for i, st in enumerate(strides)
        if trusted_strides(np.nan if st.length_m is None else st.length_m, st.confidence, st.cadence_spm, 0.6)
    ]
    if len(first) >= 20:
        assert {flags[i] for i in first[:20]} == {None} and {flags[i] for i in first[20:]} <= {True, False}
    by_end = {}
    for st, f in zip(strides, flags, strict=True):
        by_end.setdefault(st.end_s, []).append((st, f))
    if cues_expected is not None:
        assert bool(cues) is cues_expected
    if cues_expected is False:
        assert set(flags) == {None}
    for cue in cues:
        if cue.kind == CueKind.SHORTEN_STRIDE:
            # the triggering stride is confident and overlong, and lies inside a bout the tracker found
            assert any(f is True and st.confidence >= cfg.min_confidence for st, f in by_end[cue.t_s])
        assert any(b.start_s <= cue.t_s <= b.end_s for b in result.bouts), cue
