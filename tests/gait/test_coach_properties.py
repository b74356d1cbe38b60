"""Property tests of the streaming coach: for ANY event sequence cues stay rare, fall inside walking, never rest
on unreliable strides, and a coach pickled mid-stream resumes with identical cues."""

from __future__ import annotations

import math
import pickle
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from gait.coach import Coach, CoachSettings, Cue, CueKind, PainReport
from gait.consts import TYPICAL_CADENCE_SPM
from gait.types import BoutEvent, StrideEvent
from tests.gait.coach_helpers import DAY_S, NOW_S, active_plan

SETTINGS = (
    CoachSettings(enabled=True),
    CoachSettings(enabled=True, min_cue_interval_s=5.0, reminder_interval_s=5.0, min_bout_strides=1),
    CoachSettings(enabled=True, cue_k=1, cue_n=1, release_max_flagged=0, min_cue_interval_s=10.0),
)

stride_item = st.tuples(
    st.one_of(st.floats(-0.6, 0.3), st.floats(-0.6, 4.0)),  # gap after the previous stride's end (< 0: overlap)
    st.one_of(st.floats(0.8, 1.6), st.floats(0.3, 4.0)),  # duration: mostly walking (75-150 steps/min), not always
    st.one_of(st.floats(1.4, 2.0), st.none(), st.floats(0.8, 2.0)),  # the flag threshold at 120 spm is 1.373 m
    st.one_of(st.floats(0.5, 1.0), st.floats(0.0, 1.0)),  # confidence
)
segment = st.tuples(
    st.floats(0.0, 12.0),  # pause before the segment
    st.booleans(),  # the tracker reports the end of a bout before it
    st.lists(stride_item, max_size=60),
)
events_strategy = st.lists(segment, max_size=6)


def build(segments: list[tuple]) -> list[StrideEvent | BoutEvent]:
    """Turn drawn segments into a time-ordered event stream of strides and bout ends."""
    out: list[StrideEvent | BoutEvent] = []
    end = 0.0
    for pause, bout_end, strides in segments:
        if bout_end:
            out.append(BoutEvent(max(0.0, end - 5.0), end, 5))
        end += pause
        for gap, duration, length, conf in strides:
            start = max(0.0, end + gap)
            end = max(end, start + duration)  # strides never end before the previous one
            speed = None if length is None else length / (end - start)
            out.append(StrideEvent(start, end, length, 120.0 / (end - start), speed, conf, "test"))
    return out


def plan_for(cfg: CoachSettings):
    # pain usually starts 30 m in -> walk 25 m: near-pain cues happen within the generated walks
    return active_plan(cfg, reports=[PainReport(NOW_S - DAY_S, 4, onset_distance_m=30.0)])


def run(cfg: CoachSettings, events: list) -> list[Cue]:
    coach = Coach(plan_for(cfg), cfg)
    return [c for ev in events for c in coach.update(ev)]


def walking_ends(events: list, cfg: CoachSettings) -> set[float]:
    """End times of strides that are at least the min_bout_strides-th of a run of walking strides, counted
    directly from the definition: walking cadence, each starting within bout_gap_s of the previous stride's
    end, no bout end in between."""
    ends: set[float] = set()
    run_len, prev_end = 0, None
    lo, hi = TYPICAL_CADENCE_SPM
    for ev in events:
        if isinstance(ev, BoutEvent):
            run_len = 0
            continue
        contiguous = prev_end is not None and ev.start_s - prev_end <= cfg.bout_gap_s
        prev_end = ev.end_s
        if not lo <= ev.cadence_spm <= hi:
            run_len = 0
            continue
        run_len = run_len + 1 if contiguous else 1
        if run_len >= cfg.min_bout_strides:
            ends.add(ev.end_s)
    return ends


@settings(max_examples=150, deadline=None)
@given(items=events_strategy, which=st.integers(0, len(SETTINGS) - 1))
def test_cues_are_rare_and_only_inside_walking(items: list, which: int) -> None:
    cfg = SETTINGS[which]
    events = build(items)
    cues = run(cfg, events)
    shorten = [c.t_s for c in cues if c.kind == CueKind.SHORTEN_STRIDE]
    assert all(b - a >= cfg.min_cue_interval_s for a, b in pairwise(shorten))
    assert sum(c.kind == CueKind.NEAR_PAIN_DISTANCE for c in cues) <= 1
    # hence per minute: at most floor(60 / interval) + 1 stride cues and one near-pain cue
    for t in shorten:
        in_minute = sum(t <= u < t + 60.0 for u in shorten)
        assert in_minute <= math.floor(60.0 / cfg.min_cue_interval_s) + 1
    walking = walking_ends(events, cfg)
    assert all(c.t_s in walking for c in cues)


@settings(max_examples=150, deadline=None)
@given(items=events_strategy, which=st.integers(0, len(SETTINGS) - 1))
def test_stride_cues_rest_on_a_confident_overlong_stride(items: list, which: int) -> None:
    cfg = SETTINGS[which]
    events = build(items)
    plan = plan_for(cfg)
    coach = Coach(plan, cfg)
    for ev in events:
        for cue in coach.update(ev):
            assert cue.t_s == ev.end_s
            if cue.kind != CueKind.SHORTEN_STRIDE:
                continue
            assert ev.confidence >= cfg.min_confidence
            assert ev.length_m is not None
            assert ev.length_m > plan.target_stride_m(ev.cadence_spm) + cfg.tolerance_m


@settings(max_examples=100, deadline=None)
@given(items=events_strategy, which=st.integers(0, len(SETTINGS) - 1))
def test_low_confidence_strides_never_cue(items: list, which: int) -> None:
    cfg = SETTINGS[which]
    events = [
        StrideEvent(e.start_s, e.end_s, e.length_m, e.cadence_spm, e.speed_mps, e.confidence * 0.499, e.method)
        if isinstance(e, StrideEvent)
        else e
        for e in build(items)
    ]
    assert all(c.kind != CueKind.SHORTEN_STRIDE for c in run(cfg, events))


@settings(max_examples=100, deadline=None)
@given(items=events_strategy, which=st.integers(0, len(SETTINGS) - 1), split=st.floats(0.0, 1.0))
def test_pickling_mid_stream_resumes_with_identical_cues(items: list, which: int, split: float) -> None:
    cfg = SETTINGS[which]
    events = build(items)
    cut = int(split * len(events))
    coach = Coach(plan_for(cfg), cfg)
    head = [c for ev in events[:cut] for c in coach.update(ev)]
    resumed: Coach = pickle.loads(pickle.dumps(coach))
    tail = [c for ev in events[cut:] for c in resumed.update(ev)]
    assert head + tail == run(cfg, events)
    assert resumed.summary() == Coach.summary(_finished(cfg, events))


def _finished(cfg: CoachSettings, events: list) -> Coach:
    coach = Coach(plan_for(cfg), cfg)
    for ev in events:
        coach.update(ev)
    return coach
