"""The point of pain: where back pain usually starts into a walk, and a walk length that ends before it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Final

import numpy as np

from gait.coach.records import PainReport
from gait.coach.settings import WALK_FRACTION_OF_ONSET
from gait.coach.text import format_distance, format_duration
from gait.errors import GaitError

ONSET_QUANTILE: Final = 0.25
"""The usual onset is the lower quartile of the reported onsets: a walk planned from it ends before the pain in
about three walks out of four, where the median would fail every other walk. It is always one of the reports
(numpy's ``method="lower"``: the report a quarter of the way up the sorted list, rounded down), so the walker
recognises the figure; with up to 4 reports that is the shortest one, never a distance between two reports that
nobody reported."""
QUARTILE_MIN_REPORTS: Final = 5
"""From this many reports on the lower quartile is a report other than the shortest."""
MIN_ONSET_DISTANCE_M: Final = 10.0
MIN_ONSET_TIME_S: Final = 10.0
"""An onset closer to the walk's start than these is pain from the start (a few steps): no point into a walk that a
shorter walk could end before. Such reports count as pain; their onset teaches nothing (an onset of 0.0001 m made
a plan of 0.00008 m)."""


def is_onset_from_start(distance_m: float | None, time_s: float | None) -> bool:
    """Whether a reported onset lies within the walk's first :data:`MIN_ONSET_DISTANCE_M` or :data:`MIN_ONSET_TIME_S`.

    Examples
    --------
    >>> is_onset_from_start(0.0001, None), is_onset_from_start(None, 0.0), is_onset_from_start(150.0, 60.0)
    (True, True, False)
    >>> is_onset_from_start(None, None)
    False
    """
    return (distance_m is not None and distance_m < MIN_ONSET_DISTANCE_M) or (
        time_s is not None and time_s < MIN_ONSET_TIME_S
    )


def usual_onset(values: Sequence[float]) -> float:
    """The reported onset a quarter of the way up the sorted reports (rounded down): the shortest of up to 4.

    Examples
    --------
    >>> usual_onset([2200.0, 50.0])
    50.0
    >>> usual_onset([4000.0, 5000.0, 6000.0, 7000.0, 8000.0])
    5000.0
    """
    return float(np.quantile(np.asarray(values, dtype=float), ONSET_QUANTILE, method="lower"))


@dataclass(frozen=True)
class PainOnset:
    """Where back pain usually starts into a walk.

    Attributes
    ----------
    distance_m
        Usual onset distance (:func:`usual_onset` of the reports that give one: the shortest of up to 4, then
        the lower quartile), or None.
    time_s
        Usual onset time into the walk, the same way, or None.
    n_distance_reports, n_time_reports
        How many reports each figure rests on.
    distances_m, times_s
        The reported onsets used, sorted.
    """

    distance_m: float | None
    time_s: float | None
    n_distance_reports: int
    n_time_reports: int
    distances_m: tuple[float, ...] = ()
    times_s: tuple[float, ...] = ()

    @property
    def description(self) -> str:
        """E.g. ``"about 4.8 km (3.0 mi) into a walk (lower quartile of 4 reports)"``."""
        parts = []
        if self.distance_m is not None:
            parts.append(f"about {format_distance(self.distance_m)} into a walk ({_basis(self.n_distance_reports)})")
        if self.time_s is not None:
            parts.append(f"about {format_duration(self.time_s)} into a walk ({_basis(self.n_time_reports)})")
        return " or ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description."""
        return asdict(self) | {"description": self.description}


def _basis(n: int) -> str:
    if n == 1:
        return "1 report"
    if n < QUARTILE_MIN_REPORTS:
        return f"the shortest of {n} reports"
    return f"lower quartile of {n} reports"


@dataclass(frozen=True)
class Recommendation:
    """A walk length that ends before the usual onset of pain.

    Attributes
    ----------
    walk_length_m
        Recommended distance (onset distance x fraction), or None when reports give no distance.
    walk_time_s
        Recommended duration (onset time x fraction), or None when reports give no time.
    fraction
        Share of the onset used (default 5/6: pain at 3 miles -> walk 2.5 miles).
    onset
        The estimate it rests on.
    reason
        One or two sentences with the numbers, in km and miles.
    """

    walk_length_m: float | None
    walk_time_s: float | None
    fraction: float
    onset: PainOnset
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description."""
        return {
            "walk_length_m": self.walk_length_m,
            "walk_time_s": self.walk_time_s,
            "fraction": self.fraction,
            "onset": self.onset.to_dict(),
            "reason": self.reason,
        }


def estimate_pain_onset(
    reports: Sequence[PainReport],
    *,
    now_s: float | None = None,
    lookback_days: float | None = None,
    min_pain_0_10: int = 1,
) -> PainOnset | None:
    """Usual onset of back pain into a walk, from reports that carry a distance or time.

    Parameters
    ----------
    reports
        Pain reports, any order.
    now_s, lookback_days
        When both are given, only reports from ``lookback_days`` before ``now_s`` up to ``now_s`` count.
    min_pain_0_10
        Reports scoring below this are not pain and are ignored.

    Returns
    -------
    PainOnset or None
        None when no counted report gives a distance or time (an onset of 0 gives none).

    Examples
    --------
    >>> onset = estimate_pain_onset([PainReport(0.0, 5, onset_distance_m=4000.0), PainReport(1.0, 4, 6000.0)])
    >>> onset.distance_m, onset.n_distance_reports, onset.description
    (4000.0, 2, 'about 4.0 km (2.5 mi) into a walk (the shortest of 2 reports)')
    >>> estimate_pain_onset([PainReport(0.0, 5, onset_time_s=0.0)]) is None
    True
    """
    use = [r for r in reports if r.pain_0_10 >= min_pain_0_10]
    if now_s is not None and lookback_days is not None:
        start_s = now_s - lookback_days * 86400.0
        use = [r for r in use if start_s <= r.reported_at_s <= now_s]
    # an onset at the very start (under MIN_ONSET_*; stores from before the service refused them may hold some) is
    # no point into the walk that a shorter walk could end before: the report counts as pain, its onset teaches nothing
    distances = sorted(
        r.onset_distance_m for r in use if r.onset_distance_m is not None and r.onset_distance_m >= MIN_ONSET_DISTANCE_M
    )
    times = sorted(r.onset_time_s for r in use if r.onset_time_s is not None and r.onset_time_s >= MIN_ONSET_TIME_S)
    if not distances and not times:
        return None
    return PainOnset(
        distance_m=usual_onset(distances) if distances else None,
        time_s=usual_onset(times) if times else None,
        n_distance_reports=len(distances),
        n_time_reports=len(times),
        distances_m=tuple(distances),
        times_s=tuple(times),
    )


def recommend_walk_length(onset: PainOnset, *, fraction: float = WALK_FRACTION_OF_ONSET) -> Recommendation:
    """Recommend walks that end before the usual point of pain: onset x ``fraction`` (default 5/6).

    Parameters
    ----------
    onset
        From :func:`estimate_pain_onset`.
    fraction
        Share of the onset distance (and time) to walk, 0.5-0.95.

    Examples
    --------
    >>> rec = recommend_walk_length(PainOnset(distance_m=3 * 1609.344, time_s=None, n_distance_reports=1,
    ...                                       n_time_reports=0))
    >>> round(rec.walk_length_m / 1609.344, 6)
    2.5
    >>> rec.reason  # doctest: +NORMALIZE_WHITESPACE
    'Back pain usually starts about 4.8 km (3.0 mi) into a walk (1 report). Plan walks of about 4.0 km (2.5 mi),
    83 % of that, so they end before it starts.'
    """
    if not 0.5 <= fraction <= 0.95:
        raise GaitError(
            f"walk fraction {fraction!r} must lie within 0.5-0.95 of the pain-onset distance (default 5/6)",
            reason="bad_coach_setting",
        )
    length_m = None if onset.distance_m is None else onset.distance_m * fraction
    time_s = None if onset.time_s is None else onset.time_s * fraction
    plans = []
    if length_m is not None:
        plans.append(f"about {format_distance(length_m)}")
    if time_s is not None:
        plans.append(f"about {format_duration(time_s)}")
    reason = (
        f"Back pain usually starts {onset.description}. Plan walks of {' or '.join(plans)}, "
        f"{100.0 * fraction:.0f} % of that, so they end before it starts."
    )
    return Recommendation(walk_length_m=length_m, walk_time_s=time_s, fraction=fraction, onset=onset, reason=reason)
