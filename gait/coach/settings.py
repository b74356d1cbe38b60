"""Settings of the stride coaching, validated once at construction.

Every limit here follows from the evidence in DESIGN.md section 4: targets are modest (3-20 % shorter than the
walker's own baseline, default 10 %), temporary (they relax over about four weeks of pain-free walking) and
opt-in (``enabled`` is False until the walker switches coaching on).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Final

from gait.errors import GaitError

REDUCTION_RANGE: Final = (0.03, 0.20)
"""Allowed stride reduction as a share of the baseline. Running studies used about 10 % (Willson 2014); more than
20 % is a different gait, not a cue, and less than 3 % is below what a sensor can tell apart."""

DEFAULT_REDUCTION: Final = 0.10
DEFAULT_TOLERANCE_M: Final = 0.05
"""A stride is overlong only when it exceeds the target by more than this, so that estimation noise near the
target does not flag every other stride."""
DEFAULT_MIN_CONFIDENCE: Final = 0.6
"""Strides whose length estimate is less trusted than this are never flagged (flag None): no cue on guesses.
0.6 sits above what the tracker gives lengths that rest on an assumed body height or an uncalibrated phone model
(0.5 and below) and below a trunk sensor with known height (0.75), a foot sensor (0.9) or a calibrated walker."""

MIN_WALK_TIME_S: Final = 120.0
"""What counts as a walk for the coach: at least this much walking (the time in detected walking bouts). Two
minutes is about 200 steps or 150 m at a usual pace: a trip to the kitchen, a recording of standing or a few steps
across a room is not a walk. The same rule decides which walks enter the baseline and which count as pain-free
walks (relaxing the target); a pain report's onset teaches the point of pain whatever its walk's length (the walk
reached it, so it is where the pain started). A shorter walk counts too when it follows the walk-length plan (see
:data:`PLAN_WALK_SHARE`)."""
MIN_WALK_DISTANCE_M: Final = 150.0
"""The same minimum in distance, used only for a walk whose walking time is unknown (two minutes at the usual
1.3 m/s is about 150 m)."""

PLAN_WALK_SHARE: Final = 0.9
"""A walk with less walking than :data:`MIN_WALK_TIME_S` still counts when it follows the walk-length plan: it
reaches this share of the walk length (or duration) the coach recommended when it started. The plan says "about"
a length, and a sensor's distance is off by some metres, so a walker who ends a little early has followed it.
Without this, pain that starts before two minutes would give a plan whose walks never count, and the target would
never relax for a walker doing exactly what the coach recommends."""
MIN_PLAN_WALK_TIME_S: Final = 60.0
"""Even a walk that follows the plan needs at least this much walking to count (a minute is about 100 steps):
shorter recordings cannot be told from a few steps across a room. A recommendation shorter than this says that
its walks cannot count."""
MIN_PLAN_WALK_DISTANCE_M: Final = 75.0
"""The same floor in distance, for a walk whose walking time is unknown (a minute at the usual 1.3 m/s)."""

WALK_LEVEL_STRIDES: Final = 20
"""Without a personal baseline, a walk's first this-many trusted walking strides set the walk's own level (their
median length relative to the population default), and no stride is judged before it is set. The population line
ignores who the walker is and how the sensor's stride-length model is scaled for them (one real walker's
estimated strides sat 12 % off it, so "10 % shorter" meant 22 % shorter than their own strides); the walk's own
strides do not. Twenty is about 10-20 s of walking (trunk sensors report both feet's strides): the median of 20
strides with the usual 5-8 % stride-to-stride spread is within about 2 % of the walk's true level, below the
smallest reduction (3 %) and the 0.05 m tolerance, while coaching still starts within the first half-minute."""

WALK_FRACTION_OF_ONSET: Final = 5.0 / 6.0
"""Recommended walk length as a share of the usual pain-onset distance: the source material's example, pain at
3 miles -> walk 2.5 miles, is exactly 5/6."""


def _check_number(name: str, value: Any, low: float, high: float, *, hint: str = "") -> None:
    """Raise GaitError unless ``value`` is a real number within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise GaitError(f"coach setting {name}={value!r} must be a number", reason="bad_coach_setting")
    if not low <= value <= high:
        raise GaitError(
            f"coach setting {name}={value!r} is outside the allowed range {low:g} to {high:g}"
            + (f": {hint}" if hint else ""),
            reason="bad_coach_setting",
        )


def _check_int(name: str, value: Any, low: int, high: int) -> None:
    """Raise GaitError unless ``value`` is a whole number within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise GaitError(f"coach setting {name}={value!r} must be a whole number", reason="bad_coach_setting")
    if not low <= value <= high:
        raise GaitError(
            f"coach setting {name}={value!r} is outside the allowed range {low} to {high}", reason="bad_coach_setting"
        )


@dataclass(frozen=True, kw_only=True)
class CoachSettings:
    """How the coach sets targets and when it speaks. Keyword-only, validated, never changed after creation.

    Attributes
    ----------
    enabled
        Opt-in switch. While False, plans are inactive and the coach never cues.
    reduction
        Target stride shortening as a share of the baseline at the same cadence (0.03-0.20, default 0.10).
    tolerance_m
        A stride is flagged as overlong when longer than target + tolerance_m (0-0.30 m).
    min_confidence
        Strides with a lower length confidence are never flagged (0-1).
    cue_k, cue_n
        A "shorten your stride" cue needs cue_k flagged strides among the last cue_n (default 3 of 5).
    release_max_flagged
        Hysteresis: after the k-of-n rule fired, the overstriding episode ends only once the last cue_n strides
        hold at most this many flagged strides (default 1); a new episode may then cue again.
    min_cue_interval_s
        At least this long between two stride cues, whatever happens (default 60 s).
    reminder_interval_s
        Within one overstriding episode the cue repeats no more often than this (default 180 s).
    bout_gap_s
        Strides whose start is at most this long after the previous stride's end belong to the same walking run
        (default 2 s).
    min_bout_strides
        Cues fire only once a run holds at least this many strides (default 3): the first strides after a pause
        are not yet "walking".
    relax_days, relax_walks
        The reduction relaxes linearly to 0 as both time and pain-free walks since the last pain report
        accumulate: progress = min(days / relax_days, walks / relax_walks). Defaults 28 days and 12 walks.
    pain_lookback_days
        Pain reported within this many days counts as recent (turns coaching on, feeds the pain-onset estimate).
    min_pain_0_10
        Reports with at least this pain score count as pain (default 1; 0 means "no pain").
    walk_fraction_of_onset
        Recommended walk length as a share of the usual pain-onset distance (default 5/6: 3 mi -> 2.5 mi).
    min_baseline_walks, min_baseline_strides
        A personal baseline needs at least this many pain-free walks and confident strides; below that the
        population default from body height is used.
    baseline_window_days
        Only pain-free walks from this many days back are used for the personal baseline.
    """

    enabled: bool = False
    reduction: float = DEFAULT_REDUCTION
    tolerance_m: float = DEFAULT_TOLERANCE_M
    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    cue_k: int = 3
    cue_n: int = 5
    release_max_flagged: int = 1
    min_cue_interval_s: float = 60.0
    reminder_interval_s: float = 180.0
    bout_gap_s: float = 2.0
    min_bout_strides: int = 3
    relax_days: float = 28.0
    relax_walks: int = 12
    pain_lookback_days: float = 90.0
    min_pain_0_10: int = 1
    walk_fraction_of_onset: float = WALK_FRACTION_OF_ONSET
    min_baseline_walks: int = 3
    min_baseline_strides: int = 100
    baseline_window_days: float = 180.0

    def __post_init__(self) -> None:
        if not isinstance(self.enabled, bool):
            raise GaitError(f"coach setting enabled={self.enabled!r} must be true or false", reason="bad_coach_setting")
        low, high = REDUCTION_RANGE
        _check_number(
            "reduction",
            self.reduction,
            low,
            high,
            hint="targets stay modest; use e.g. 0.10 for a stride 10 % shorter than your baseline",
        )
        _check_number("tolerance_m", self.tolerance_m, 0.0, 0.30)
        _check_number("min_confidence", self.min_confidence, 0.0, 1.0)
        _check_int("cue_n", self.cue_n, 1, 50)
        _check_int("cue_k", self.cue_k, 1, self.cue_n)
        _check_int("release_max_flagged", self.release_max_flagged, 0, self.cue_k - 1)
        _check_number("min_cue_interval_s", self.min_cue_interval_s, 5.0, 3600.0)
        _check_number(
            "reminder_interval_s",
            self.reminder_interval_s,
            self.min_cue_interval_s,
            86400.0,
            hint="reminders cannot come more often than min_cue_interval_s",
        )
        _check_number("bout_gap_s", self.bout_gap_s, 0.5, 10.0)
        _check_int("min_bout_strides", self.min_bout_strides, 1, 100)
        _check_number("relax_days", self.relax_days, 1.0, 365.0)
        _check_int("relax_walks", self.relax_walks, 1, 1000)
        _check_number("pain_lookback_days", self.pain_lookback_days, 1.0, 3650.0)
        _check_int("min_pain_0_10", self.min_pain_0_10, 1, 10)
        _check_number("walk_fraction_of_onset", self.walk_fraction_of_onset, 0.5, 0.95)
        _check_int("min_baseline_walks", self.min_baseline_walks, 1, 1000)
        _check_int("min_baseline_strides", self.min_baseline_strides, 10, 1_000_000)
        _check_number("baseline_window_days", self.baseline_window_days, 7.0, 3650.0)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> CoachSettings:
        """Build settings from a mapping (a JSON form, a stored row), refusing unknown names.

        Parameters
        ----------
        values
            Setting names and values; missing names keep their defaults.

        Raises
        ------
        GaitError
            For an unknown name (mistyped settings are never silently ignored) or an invalid value.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise GaitError(
                f"unknown coach setting(s) {', '.join(unknown)}: use only {', '.join(sorted(known))}",
                reason="bad_coach_setting",
            )
        return cls(**dict(values))

    def to_dict(self) -> dict[str, Any]:
        """All settings as a JSON-ready dict (the inverse of :meth:`from_mapping`)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}
