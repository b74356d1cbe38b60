"""Judging strides one at a time against the walker's level: their usual strides, or this walk's own first strides.

With a personal baseline a stride's target is the plan's (the baseline at its cadence x (1 - reduction)). Without
one the plan's baseline is the population default, which ignores who the walker is and how the sensor's
stride-length model is scaled for them: a walker whose estimated strides sit 12 % off it was asked to walk 22 %
shorter (or was never flagged at all). So, without a personal baseline, the walk's first
:data:`~gait.coach.settings.WALK_LEVEL_STRIDES` trusted walking strides set the walk's own level,

    scale = median(length / population stride at the stride's cadence),

no stride being judged before that (no target, no verdict); from then on the target is
scale x population stride x (1 - reduction), and strides are flagged with the usual tolerance. The population line
only gives how stride length changes with cadence; the walk gives the level.

A :class:`StrideJudge` holds one walk's state (plain data: it pickles and compares), so it must see the walk's
strides once each, in stride order: the order the tracker emits them (``analyze(...).strides``, a live walk's
events, a stored walk's strides by index).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from gait.coach.baseline import trusted_strides
from gait.coach.flags import stride_flag
from gait.coach.plan import CoachingPlan
from gait.coach.settings import WALK_LEVEL_STRIDES, CoachSettings
from gait.coach.text import calibrate_ways, format_percent, plural, sensor_words
from gait.confidence import method_confidence
from gait.errors import GaitError
from gait.types import Placement, StrideEvent


@dataclass(frozen=True)
class Judgement:
    """What the judge said about one stride.

    Attributes
    ----------
    target_m
        The target at the stride's cadence (the usual stride x (1 - reduction)); None while there is no level to cut
        it from (a walk without a personal baseline, before its first trusted strides set its level).
    overlong
        True / False when the stride was judged; None when it was not (no target yet, coaching inactive, a length
        that is unknown or not trusted).
    usual_m
        The walker's usual stride at this cadence that the target is cut from (None with ``target_m``).
    """

    target_m: float | None
    overlong: bool | None
    usual_m: float | None


NOT_JUDGED = Judgement(None, None, None)


@dataclass
class StrideJudge:
    """Judges one walk's strides one at a time, in stride order (see the module docstring).

    Parameters
    ----------
    plan
        The plan in force for the walk (its baseline, reduction and whether it is active).
    settings
        Tolerance and confidence threshold.

    Attributes
    ----------
    level_ratios
        Length / population stride of the walk's trusted walking strides so far (at most
        :data:`WALK_LEVEL_STRIDES`; only without a personal baseline).
    level_cadences_spm
        The cadences of those strides (the walk's level is quoted at their median).
    scale
        Median of ``level_ratios`` once there are :data:`WALK_LEVEL_STRIDES` of them, else None.
    n_strides, n_judged, n_flagged
        Strides seen, judged (a verdict True or False) and flagged overlong.
    n_strides_at_level
        Strides seen when the walk's level was set (its 20th trusted stride included), else None: the strides after
        it are the only ones a target can be compared with.

    Examples
    --------
    >>> from gait.coach import plan_coaching
    >>> settings = CoachSettings(enabled=True)
    >>> judge = StrideJudge(plan_coaching([], [], settings, body_height_m=1.75, now_s=0.0), settings)
    >>> judge.basis
    "this walk's first 20 strides"
    >>> judge(StrideEvent(0.0, 1.1, 1.3, 109.1, 1.2, 0.9, "zupt"))  # no level yet: not judged
    (None, None)
    """

    plan: CoachingPlan
    settings: CoachSettings
    level_ratios: list[float] = field(default_factory=list)
    level_cadences_spm: list[float] = field(default_factory=list)
    scale: float | None = None
    n_strides: int = 0
    n_judged: int = 0
    n_flagged: int = 0
    n_strides_at_level: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.plan, CoachingPlan) or not isinstance(self.settings, CoachSettings):
            raise GaitError("StrideJudge needs a CoachingPlan and CoachSettings", reason="bad_coach_input")

    @property
    def personal(self) -> bool:
        """True when strides are judged against the walker's personal baseline."""
        return self.plan.baseline.source == "personal"

    @property
    def basis(self) -> str | None:
        """What the strides are judged against, in words: "your usual strides" or "this walk's first 20 strides"
        (None: the placement has no stride-length model, nothing is judged)."""
        return self.plan.judged_against

    @property
    def compared_with(self) -> str | None:
        """What the walk's strides were compared with, once judged (:attr:`basis`); None when none was: no
        stride-length model, or no personal baseline and too few trusted strides to set the walk's level, or no
        stride after the one that set it (the strides after it have targets cut from it, trusted or not)."""
        return self.basis if self.personal or self.strides_after_level else None

    @property
    def strides_after_level(self) -> int:
        """How many strides came after the one that set the walk's own level (0 while it is not set)."""
        return 0 if self.n_strides_at_level is None else self.n_strides - self.n_strides_at_level

    def usual_stride_m(self, cadence_spm: float) -> float | None:
        """The walker's usual stride at ``cadence_spm`` (the target is cut from it); None before the walk's level
        is set (or for a cadence that is not a number)."""
        base_m = float(self.plan.baseline.stride_length_m(cadence_spm))
        usual_m = base_m if self.personal else None if self.scale is None else self.scale * base_m
        return usual_m if usual_m is not None and math.isfinite(usual_m) else None

    def judge(self, stride: StrideEvent) -> Judgement:
        """Judge the walk's next stride (call once per stride, in stride order)."""
        self.n_strides += 1
        usual_m = self.usual_stride_m(stride.cadence_spm)
        if usual_m is None:
            self._learn_level(stride)
            return NOT_JUDGED
        target_m = usual_m * (1.0 - self.plan.reduction)
        overlong = None
        if self.plan.active:
            overlong = stride_flag(
                stride.length_m,
                stride.confidence,
                target_m,
                tolerance_m=self.settings.tolerance_m,
                min_confidence=self.settings.min_confidence,
            )
        self.n_judged += overlong is not None
        self.n_flagged += overlong is True
        return Judgement(target_m, overlong, usual_m)

    def __call__(self, stride: StrideEvent) -> tuple[float | None, bool | None]:
        """``(target_m, overlong)`` of the walk's next stride (the shape of ``service.coaching.StrideFlagger``)."""
        verdict = self.judge(stride)
        return verdict.target_m, verdict.overlong

    def _learn_level(self, stride: StrideEvent) -> None:
        if self.personal or self.scale is not None:
            return
        length_m = math.nan if stride.length_m is None else stride.length_m
        if not trusted_strides(length_m, stride.confidence, stride.cadence_spm, self.settings.min_confidence):
            return
        population_m = float(self.plan.baseline.stride_length_m(stride.cadence_spm))
        self.level_ratios.append(float(length_m) / population_m)
        self.level_cadences_spm.append(float(stride.cadence_spm))
        if len(self.level_ratios) >= WALK_LEVEL_STRIDES:
            self.scale = float(np.median(self.level_ratios))
            self.n_strides_at_level = self.n_strides

    @property
    def why_own_level(self) -> str:
        """Why this walk is judged against its own level, as a sentence opening ("There is no baseline of yours for
        a foot sensor yet", "A demo walk never uses your baseline"; "" with a personal baseline)."""
        why = self.plan.own_level_why
        return why[:1].upper() + why[1:]

    @property
    def no_target_note(self) -> str | None:
        """Why the latest stride has no target, for the live view (:meth:`target_note` without knowing whether the
        walk's lengths had a calibration factor or a height)."""
        return self.target_note()

    def target_note(self, *, calibrated: bool | None = None, height_known: bool | None = None) -> str | None:
        """Why the latest stride has no target, for the live view: the placement has no stride-length model, or the
        walk's level is not set yet, or this stride just set it (each with why the walk sets its own level). None
        with a personal baseline (every stride has a target).

        ``calibrated`` and ``height_known`` (as in :meth:`describe`), when given, say at once that a walk whose
        sensor's lengths are never trusted without a calibration factor cannot set its level
        (:func:`untrusted_lengths_why`; a demo walk is somebody else's, which the walker's own factor never scales).
        Without them the reason comes once :data:`WALK_LEVEL_STRIDES` strides have passed with none trusted."""
        if not self.plan.measures_length:
            return (
                f"No target: {sensor_words(self.plan.placement)} has no stride-length model (cadence only), so no "
                "stride is judged."
            )
        if self.personal:
            return None
        if self.scale is not None:
            # the stride that completed the level is itself unjudged; any later one has a target
            return (
                f"No target for this stride: it completed the {WALK_LEVEL_STRIDES} trusted strides that set this "
                f"walk's level, as {self.plan.own_level_why}; the strides after it get a target."
            )
        why = None
        demo = self.plan.demo
        if calibrated is not None and height_known is not None and not self.level_ratios:
            why = untrusted_lengths_why(
                self.plan.placement,
                calibrated=calibrated,
                height_known=height_known,
                min_confidence=self.settings.min_confidence,
                then=None if demo else "then your next walks with it get a target",
            )
        if why is not None:
            # a demo replays somebody else's walking: the walker's own calibration factor never applies to it
            mine = ""
            if demo:
                mine = " A demo walk is somebody else's walking: your calibration factor and body height do not apply"
                mine += " to it."
            return f"No target on this walk, as {why[:1].lower()}{why[1:]}{mine}"
        if self.n_strides >= WALK_LEVEL_STRIDES and not self.level_ratios:
            return (
                f"No target yet: none of this walk's {self.n_strides} strides so far had a length the coach trusts "
                f"(confidence {self.settings.min_confidence:.2f} or more), and {self.basis} (trusted ones) set this "
                f"walk's level, as {self.plan.own_level_why}."
            )
        return (
            f"No target yet: {self.basis} (trusted ones) set this walk's level, as {self.plan.own_level_why} "
            f"({len(self.level_ratios)} of {WALK_LEVEL_STRIDES} so far)."
        )

    def describe(self, *, calibrated: bool | None = None, height_known: bool | None = None) -> str:
        """One sentence on what this walk's strides were judged against, with the numbers (for the walk's page).

        ``calibrated`` and ``height_known`` (whether the walk was analysed with a calibration factor and a body
        height), when given, say why a walk with too few trusted strides had them and what to do
        (:func:`untrusted_lengths_why`)."""
        reduction = format_percent(self.plan.reduction)
        active = self.plan.active
        if not self.plan.measures_length:
            return (
                f"No target: {sensor_words(self.plan.placement)} has no stride-length model (cadence only), so no "
                "stride of this walk was compared with a target."
            )
        if self.personal:
            where = "" if self.plan.placement is None else f" for {sensor_words(self.plan.placement)}"
            usual = f"your usual strides (your personal baseline{where})"
            if active:
                return f"Strides compared with {usual}; the target {reduction} below them."
            return f"The band is {usual}; coaching was inactive, so no stride was flagged."
        if self.scale is None:
            seen = plural(len(self.level_ratios), "trusted walking stride")
            said = (
                f"{self.why_own_level}, and this walk had {seen}, fewer than the {WALK_LEVEL_STRIDES} that set a "
                "walk's own level: no stride was compared with a target."
            )
            why = None
            if calibrated is not None and height_known is not None:
                why = untrusted_lengths_why(
                    self.plan.placement,
                    calibrated=calibrated,
                    height_known=height_known,
                    min_confidence=self.settings.min_confidence,
                )
            return said if why is None else f"{said} {why}"
        # the level quoted at the cadence its strides were walked at, not at a reference cadence the walker may never
        # have reached
        cad = float(np.median(self.level_cadences_spm)) if self.level_cadences_spm else None
        if cad is None or not math.isfinite(cad):
            cad = self.plan.baseline.reference_cadence_spm
        off = self.scale - 1.0
        level = (
            f"{self.usual_stride_m(cad):.2f} m at {cad:.0f} steps/min ({100.0 * abs(off):.0f} % "
            f"{'above' if off >= 0 else 'below'} the population default for {self.plan.baseline.body_height_m:.2f} m, "
            "which ignores how the sensor measures you)"
        )
        set_level = f"{self.why_own_level}, so {self.basis} (trusted ones) set this walk's level at {level}"
        if not self.strides_after_level:
            # the 20th trusted stride was the walk's last: a level, but nothing after it to judge (the chart has no
            # band for the same reason)
            return (
                f"{set_level}; the last of them was the walk's last stride, so no stride was left to compare with a "
                "target."
            )
        if active and not self.n_judged:
            return (
                f"{set_level}; the target was {reduction} below it, but no stride after them had a trusted length, so "
                "none was compared with it."
            )
        if active:
            return (
                f"{self.why_own_level}, so strides were compared with {self.basis}: they set this walk's level at "
                f"{level}; the target was {reduction} below it, from the stride after them on."
            )
        # nothing was compared with a target: the level is only the usual-stride band of the walk's chart
        return f"{set_level}; coaching was inactive, so no stride was flagged."


def untrusted_lengths_why(
    placement: Placement | None,
    *,
    calibrated: bool,
    height_known: bool,
    min_confidence: float,
    then: str | None = "then analyse this walk again",
) -> str | None:
    """Why none of a walk's stride lengths can be trusted, and what makes them so, when its sensor's method starts
    below ``min_confidence`` (:func:`gait.confidence.method_confidence`); None when it does not (then only the
    strides' own doubts, turns or uneven steps, kept them out). ``then``: what the fix leads to, after it (None: no
    fix, for a walk the walker's own factor or height never applies to).

    Examples
    --------
    >>> print(untrusted_lengths_why(Placement.WAIST, calibrated=False, height_known=True, min_confidence=0.6))
    ... # doctest: +NORMALIZE_WHITESPACE
    Its lengths are not trusted: a waist sensor's stride lengths have confidence 0.50 without a calibration factor
    (below the 0.60 the coach needs), and a body height does not change that. Calibrate its factor with a walk of
    known distance (at least 100 m at your usual pace: “Calibrate: this walk was … m” on a walk's page, or gait
    calibrate), then analyse this walk again.
    >>> untrusted_lengths_why(Placement.FOOT, calibrated=False, height_known=False, min_confidence=0.6) is None
    True
    """
    if placement is None:
        return None
    foot = placement is Placement.FOOT
    _, base = method_confidence(placement, calibrated=calibrated, height_known=height_known, foot_detector=foot)
    if base >= min_confidence:
        return None
    with_height = method_confidence(placement, calibrated=calibrated, height_known=True, foot_detector=foot)[1]
    height_helps = not height_known and with_height >= min_confidence
    without = "a calibration factor or a body height" if height_helps else "a calibration factor"
    calibrate = f"calibrate its factor with a walk of known distance {calibrate_ways()}"
    fix = f"give your body height in your profile or {calibrate}" if height_helps else calibrate
    # the pendulum's lengths rest on the height at the lower back, not at the waist: said, as a walker may expect it
    height_note = ", and a body height does not change that" if placement is Placement.WAIST else ""
    fix = fix[:1].upper() + fix[1:]
    said = (
        f"Its lengths are not trusted: {sensor_words(placement)}'s stride lengths have confidence {base:.2f} without "
        f"{without} (below the {min_confidence:.2f} the coach needs){height_note}."
    )
    return said if then is None else f"{said} {fix}, {then}."
