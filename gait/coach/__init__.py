"""Back-pain stride coaching: personal targets, overstride cues and the distance where pain starts.

Pure logic (numpy/scipy, no I/O, no clock: every time is a parameter), used alike by live walks and uploaded
walks. See docs/COACHING.md for the rules in plain words and the evidence behind them.

Typical use::

    settings = CoachSettings(enabled=True)
    plan = plan_coaching(walks, pain_reports, settings, body_height_m=1.75, now_s=now, placement="pocket")
    coach = Coach(plan, settings)
    for event in tracker_events:
        for cue in coach.update(event):
            ...
    judge = StrideJudge(plan, settings)  # an upload's strides, one at a time in order
    verdicts = [judge(stride) for stride in strides]  # (target_m, overlong) each
"""

from gait.coach.baseline import (
    POPULATION_CADENCE_RANGE_SPM,
    POPULATION_WALK_RATIO_PER_HEIGHT,
    StrideBaseline,
    fit_baseline,
    population_baseline,
)
from gait.coach.flags import flag_overlong, stride_flag
from gait.coach.judge import Judgement, StrideJudge
from gait.coach.pain import ONSET_QUANTILE, PainOnset, Recommendation, estimate_pain_onset, recommend_walk_length
from gait.coach.plan import CoachingPlan, counted_walks, plan_coaching, relaxed_reduction
from gait.coach.records import PainReport, WalkRecord
from gait.coach.settings import (
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_REDUCTION,
    DEFAULT_TOLERANCE_M,
    REDUCTION_RANGE,
    WALK_FRACTION_OF_ONSET,
    WALK_LEVEL_STRIDES,
    CoachSettings,
)
from gait.coach.stream import Coach, CoachState, Cue, CueKind
from gait.coach.text import MILE_M, NOT_MEDICAL_ADVICE, TIPS, Tip, format_distance

__all__ = [
    "DEFAULT_MIN_CONFIDENCE",
    "DEFAULT_REDUCTION",
    "DEFAULT_TOLERANCE_M",
    "MILE_M",
    "NOT_MEDICAL_ADVICE",
    "ONSET_QUANTILE",
    "POPULATION_CADENCE_RANGE_SPM",
    "POPULATION_WALK_RATIO_PER_HEIGHT",
    "REDUCTION_RANGE",
    "TIPS",
    "WALK_FRACTION_OF_ONSET",
    "WALK_LEVEL_STRIDES",
    "Coach",
    "CoachSettings",
    "CoachState",
    "CoachingPlan",
    "Cue",
    "CueKind",
    "Judgement",
    "PainOnset",
    "PainReport",
    "Recommendation",
    "StrideBaseline",
    "StrideJudge",
    "Tip",
    "WalkRecord",
    "counted_walks",
    "estimate_pain_onset",
    "fit_baseline",
    "flag_overlong",
    "format_distance",
    "plan_coaching",
    "population_baseline",
    "recommend_walk_length",
    "relaxed_reduction",
    "stride_flag",
]
