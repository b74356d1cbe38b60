"""Builders shared by the coaching tests (synthetic strides, walks and plans with exact numbers)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gait.coach import CoachingPlan, CoachSettings, PainReport, WalkRecord, plan_coaching
from gait.types import StrideEvent

DAY_S = 86400.0
NOW_S = 1_800_000_000.0  # a fixed "now" (2027-01-15): plans never read a clock
HEIGHT_M = 1.75
# Population baseline at 120 steps/min for 1.75 m: 2 x 0.0035 x 1.75 x 120 = 1.47 m; the default 10 % target is
# 1.323 m and strides longer than 1.373 m (target + 0.05 m) are overlong.
BASE_120_M = 1.47
LONG_M = 1.50
SHORT_M = 1.20


def strides_at(
    lengths_m: Sequence[float | None],
    *,
    t0_s: float = 0.0,
    duration_s: float = 1.0,
    confidence: float | Sequence[float] = 0.9,
) -> list[StrideEvent]:
    """Consecutive strides of one foot each ``duration_s`` long (cadence 120 / duration), back to back."""
    conf = np.broadcast_to(np.asarray(confidence, dtype=float), (len(lengths_m),))
    out = []
    for i, length in enumerate(lengths_m):
        start = t0_s + i * duration_s
        out.append(
            StrideEvent(
                start_s=start,
                end_s=start + duration_s,
                length_m=length,
                cadence_spm=120.0 / duration_s,
                speed_mps=None if length is None else length / duration_s,
                confidence=float(conf[i]),
                method="test",
            )
        )
    return out


def line_walk(
    started_at_s: float,
    cadence_spm: np.ndarray,
    *,
    intercept_m: float = 0.3,
    slope_m_per_spm: float = 0.01,
    pain_free: bool = True,
    coached: bool = False,
    confidence: float = 0.9,
    walk_id: str | None = None,
    walking_time_s: float = 600.0,
    placement: str | None = None,
) -> WalkRecord:
    """A walk whose strides lie exactly on stride = intercept + slope x cadence (a 10-minute walk by default)."""
    cadence = np.asarray(cadence_spm, dtype=float)
    length = intercept_m + slope_m_per_spm * cadence
    return WalkRecord(
        started_at_s=started_at_s,
        stride_length_m=length,
        cadence_spm=cadence,
        confidence=np.full(len(cadence), confidence),
        distance_m=float(length.sum()),
        pain_free=pain_free,
        coached=coached,
        walk_id=walk_id,
        walking_time_s=walking_time_s,
        placement=placement,
    )


def active_plan(settings: CoachSettings, *, reports: Sequence[PainReport] = ()) -> CoachingPlan:
    """A plan with the population baseline (1.75 m) and pain reported an hour ago: full reduction, active."""
    pain = [PainReport(reported_at_s=NOW_S - 3600.0, pain_0_10=5), *reports]
    plan = plan_coaching([], pain, settings, body_height_m=HEIGHT_M, now_s=NOW_S)
    assert plan.active == settings.enabled
    return plan


def personal_plan(settings: CoachSettings, *, reports: Sequence[PainReport] = ()) -> CoachingPlan:
    """A plan with a personal baseline of exactly 1.47 m (the population one at 120 steps/min for 1.75 m: three
    pain-free 10-minute walks ten days ago, 120 strides each of 1.47 m at 120 steps/min) and pain reported an hour
    ago: full reduction, active. Strides are judged from the first one (no walk level to wait for)."""
    walks = [
        line_walk(NOW_S - (10 + i) * DAY_S, np.full(120, 120.0), intercept_m=BASE_120_M, slope_m_per_spm=0.0)
        for i in range(3)
    ]
    pain = [PainReport(reported_at_s=NOW_S - 3600.0, pain_0_10=5), *reports]
    plan = plan_coaching(walks, pain, settings, body_height_m=HEIGHT_M, now_s=NOW_S)
    assert plan.baseline.source == "personal" and plan.baseline.stride_length_m(120.0) == BASE_120_M
    assert plan.active == settings.enabled
    return plan
