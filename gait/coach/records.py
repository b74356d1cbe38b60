"""Inputs of the coaching plan: pain reports and the walker's past walks."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gait.coach.settings import (
    MIN_PLAN_WALK_DISTANCE_M,
    MIN_PLAN_WALK_TIME_S,
    MIN_WALK_DISTANCE_M,
    MIN_WALK_TIME_S,
    PLAN_WALK_SHARE,
)
from gait.errors import GaitError
from gait.types import Placement, StrideEvent


def _finite(name: str, value: float, *, minimum: float | None = None) -> float:
    """Return ``value`` as float, raising GaitError when it is not finite or below ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise GaitError(f"{name}={value!r} must be a number", reason="bad_coach_input")
    out = float(value)
    if not math.isfinite(out):
        raise GaitError(f"{name}={value!r} must be a finite number", reason="bad_coach_input")
    if minimum is not None and out < minimum:
        raise GaitError(f"{name}={value!r} must be at least {minimum:g}", reason="bad_coach_input")
    return out


def new_distance_share(start_s: float, end_s: float, prev_end_s: float | None) -> float:
    """Share of a stride's length not yet walked when the previous stride ended (0..1).

    Trunk and phone sensors emit overlapping strides of both feet (each contact starts one), so each adds only
    the part after the previous stride's end, about half; back-to-back strides of one foot add their whole length.
    """
    duration_s = end_s - start_s
    if duration_s <= 0:
        return 0.0
    new_s = end_s - (start_s if prev_end_s is None else max(start_s, prev_end_s))
    return float(min(max(new_s / duration_s, 0.0), 1.0))


@dataclass(frozen=True)
class PainReport:
    """One back-pain report from the walker.

    Attributes
    ----------
    reported_at_s
        When it was reported, Unix time in seconds.
    pain_0_10
        Pain score, a whole number from 0 (none) to 10 (worst imaginable).
    onset_distance_m
        Distance into the walk when the pain started, or None when not given.
    onset_time_s
        Time into the walk when the pain started, or None when not given.
    walk_id
        The walk the report belongs to, when known: that walk then never counts as pain-free.
    """

    reported_at_s: float
    pain_0_10: int
    onset_distance_m: float | None = None
    onset_time_s: float | None = None
    walk_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "reported_at_s", _finite("reported_at_s", self.reported_at_s))
        pain = self.pain_0_10
        if isinstance(pain, bool) or not isinstance(pain, int | np.integer) or not 0 <= pain <= 10:
            raise GaitError(
                f"pain_0_10={pain!r} must be a whole number from 0 (no pain) to 10 (worst)", reason="bad_coach_input"
            )
        object.__setattr__(self, "pain_0_10", int(pain))
        if self.onset_distance_m is not None:
            object.__setattr__(
                self, "onset_distance_m", _finite("onset_distance_m", self.onset_distance_m, minimum=0.0)
            )
        if self.onset_time_s is not None:
            object.__setattr__(self, "onset_time_s", _finite("onset_time_s", self.onset_time_s, minimum=0.0))


@dataclass(frozen=True, eq=False)
class WalkRecord:
    """A past walk, as much of it as the baseline and the relaxation of the target need.

    Attributes
    ----------
    started_at_s
        Start of the walk, Unix time in seconds.
    stride_length_m, cadence_spm, confidence
        Per-stride arrays of equal length: length (NaN where unknown), cadence in steps/min, confidence 0..1.
    distance_m
        Distance walked.
    pain_free
        True when the walker had no back pain on this walk. A pain report whose ``walk_id`` names this walk
        overrides it.
    coached
        True when stride coaching was active during the walk. Such walks count toward relaxing the target but
        are left out of the baseline, so that deliberately shortened strides do not shrink the baseline (and with
        it the target) walk after walk.
    walk_id
        Identifier that pain reports may refer to.
    walking_time_s
        Time spent walking (in walking bouts), or None when unknown; see :attr:`is_walk`.
    placement
        Where the sensor was worn (a :class:`~gait.types.Placement` or its name), or None when unknown. Each
        placement has its own stride-length model and calibration factor, so a personal baseline is fitted only from
        walks of the placement of the walk it judges; everything else (pain-free walks, the point of pain) is the
        walker's, whatever the sensor.
    judged_at_s
        When the plan it was judged by was in force, Unix seconds: None for its start (a recording's own start
        time); for an upload without a start time (dated to end at its upload) its upload. A walk counts as walked
        after a pain report, towards relaxing the target, when it was judged after it: an undated upload coached
        with "back pain 6/10 reported 2 minutes ago" is, though its dated start falls before the report.
    """

    started_at_s: float
    stride_length_m: np.ndarray
    cadence_spm: np.ndarray
    confidence: np.ndarray
    distance_m: float
    pain_free: bool
    coached: bool = False
    walk_id: str | None = None
    walking_time_s: float | None = None
    placement: Placement | None = None
    judged_at_s: float | None = None

    @property
    def after_s(self) -> float:
        """When the walk counts as walked (:attr:`judged_at_s`, else its start), for "since a pain report"."""
        return self.started_at_s if self.judged_at_s is None else self.judged_at_s

    @property
    def is_walk(self) -> bool:
        """True when the recording holds enough walking to count as a walk for the coach: at least
        :data:`~gait.coach.settings.MIN_WALK_TIME_S` of walking, or, when the walking time is unknown, at least
        :data:`~gait.coach.settings.MIN_WALK_DISTANCE_M`. Only such walks enter the baseline; a shorter walk that
        :meth:`follows_plan` recommended at its start also counts as a pain-free walk (see
        :func:`gait.coach.plan.counted_walks`). A pain report's onset teaches the point of pain whatever the walk's
        length.

        Examples
        --------
        >>> empty = np.empty(0)
        >>> WalkRecord(0.0, empty, empty, empty, 16.0, True, walking_time_s=14.0).is_walk
        False
        >>> WalkRecord(0.0, empty, empty, empty, 900.0, True, walking_time_s=600.0).is_walk
        True
        """
        if self.walking_time_s is not None:
            return self.walking_time_s >= MIN_WALK_TIME_S
        return self.distance_m >= MIN_WALK_DISTANCE_M

    def follows_plan(self, walk_length_m: float | None, walk_time_s: float | None) -> bool:
        """True when this walk followed a walk-length plan: it reaches :data:`~gait.coach.settings.PLAN_WALK_SHARE`
        of the recommended length ``walk_length_m`` or duration ``walk_time_s`` (None: not recommended), and holds
        at least :data:`~gait.coach.settings.MIN_PLAN_WALK_TIME_S` of walking (or, when its walking time is
        unknown, :data:`~gait.coach.settings.MIN_PLAN_WALK_DISTANCE_M`), so that standing or a few steps never
        pass for a walk.

        Examples
        --------
        >>> empty = np.empty(0)
        >>> WalkRecord(0.0, empty, empty, empty, 95.0, True, walking_time_s=90.0).follows_plan(83.3, 83.3)
        True
        >>> WalkRecord(0.0, empty, empty, empty, 40.0, True, walking_time_s=30.0).follows_plan(33.3, 25.0)
        False
        """
        if self.walking_time_s is not None:
            if self.walking_time_s < MIN_PLAN_WALK_TIME_S:
                return False
        elif self.distance_m < MIN_PLAN_WALK_DISTANCE_M:
            return False
        by_time = walk_time_s is not None and self.walking_time_s is not None
        by_time = by_time and self.walking_time_s >= PLAN_WALK_SHARE * walk_time_s
        by_distance = walk_length_m is not None and self.distance_m >= PLAN_WALK_SHARE * walk_length_m
        return bool(by_time or by_distance)

    def __post_init__(self) -> None:
        object.__setattr__(self, "started_at_s", _finite("started_at_s", self.started_at_s))
        if self.judged_at_s is not None:
            object.__setattr__(self, "judged_at_s", _finite("judged_at_s", self.judged_at_s))
        object.__setattr__(self, "distance_m", _finite("distance_m", self.distance_m, minimum=0.0))
        if self.walking_time_s is not None:
            object.__setattr__(self, "walking_time_s", _finite("walking_time_s", self.walking_time_s, minimum=0.0))
        arrays = {}
        for name in ("stride_length_m", "cadence_spm", "confidence"):
            arr = np.array(getattr(self, name), dtype=float)  # a copy: the record never aliases caller data
            if arr.ndim != 1:
                raise GaitError(f"walk {name} must be a 1-D array, one value per stride", reason="bad_coach_input")
            arr.setflags(write=False)
            arrays[name] = arr
        n = len(arrays["stride_length_m"])
        if any(len(a) != n for a in arrays.values()):
            raise GaitError(
                "walk stride_length_m, cadence_spm and confidence must have one value per stride each; got lengths "
                + ", ".join(str(len(a)) for a in arrays.values()),
                reason="bad_coach_input",
            )
        if not np.isfinite(arrays["cadence_spm"]).all() or (arrays["cadence_spm"] <= 0).any():
            raise GaitError("walk cadence_spm must be finite and positive for every stride", reason="bad_coach_input")
        conf = arrays["confidence"]
        if not np.isfinite(conf).all() or (conf < 0).any() or (conf > 1).any():
            raise GaitError("walk confidence must lie within 0..1 for every stride", reason="bad_coach_input")
        for name, arr in arrays.items():
            object.__setattr__(self, name, arr)
        if not isinstance(self.pain_free, bool | np.bool_) or not isinstance(self.coached, bool | np.bool_):
            raise GaitError("walk pain_free and coached must be true or false", reason="bad_coach_input")
        object.__setattr__(self, "pain_free", bool(self.pain_free))
        object.__setattr__(self, "coached", bool(self.coached))
        if self.placement is not None:
            object.__setattr__(self, "placement", Placement.parse(self.placement))

    @classmethod
    def from_strides(
        cls,
        strides: Sequence[StrideEvent],
        *,
        started_at_s: float,
        pain_free: bool,
        distance_m: float | None = None,
        coached: bool = False,
        walk_id: str | None = None,
        walking_time_s: float | None = None,
        placement: Placement | str | None = None,
    ) -> WalkRecord:
        """Build a record from a walk's stride events (for example ``analyze(...).strides``).

        ``distance_m`` defaults to the sum of the known stride lengths, overlapping strides of the two feet
        counted once (see :func:`new_distance_share`); ``walking_time_s`` to the time the strides cover (their
        union, pauses between strides not counted).
        """
        length = np.array([np.nan if s.length_m is None else s.length_m for s in strides], dtype=float)
        cadence = np.array([s.cadence_spm for s in strides], dtype=float)
        confidence = np.array([s.confidence for s in strides], dtype=float)
        if distance_m is None:
            distance_m, prev_end_s = 0.0, None
            for s in strides:
                if s.length_m is not None and math.isfinite(s.length_m):
                    distance_m += new_distance_share(s.start_s, s.end_s, prev_end_s) * s.length_m
                prev_end_s = s.end_s if prev_end_s is None else max(prev_end_s, s.end_s)
        if walking_time_s is None:
            walking_time_s, covered_to_s = 0.0, None
            for s in sorted(strides, key=lambda s: s.start_s):
                start_s = s.start_s if covered_to_s is None else max(s.start_s, covered_to_s)
                walking_time_s += max(s.end_s - start_s, 0.0)
                covered_to_s = s.end_s if covered_to_s is None else max(covered_to_s, s.end_s)
        return cls(
            started_at_s=started_at_s,
            stride_length_m=length,
            cadence_spm=cadence,
            confidence=confidence,
            distance_m=distance_m,
            pain_free=pain_free,
            coached=coached,
            walk_id=walk_id,
            walking_time_s=walking_time_s,
            placement=placement,
        )
