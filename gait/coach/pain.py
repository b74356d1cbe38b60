"""The point of pain: where back pain usually starts into a walk, and a walk length that ends before it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Final

import numpy as np

from gait.coach.baseline import trusted_strides
from gait.coach.records import PainReport, WalkRecord
from gait.coach.settings import WALK_FRACTION_OF_ONSET
from gait.coach.text import MILE_M, format_distance, format_duration, plural
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


TRUSTED_DISTANCE_SHARE: Final = 0.5
"""A walk's distance (the sum of its stride lengths) tells the walker's pace only when at least this share of its
strides have a length the coach trusts (:func:`gait.coach.baseline.trusted_strides`: confidence 0.6 or more): then
most of the distance rests on trusted lengths. An uncalibrated phone's strides start at 0.35 and a waist sensor's
at 0.5 (:func:`gait.confidence.method_confidence`): none is trusted, and such a walk's distance is left out."""

PACE_RANGE_MPS: Final = (0.3, 2.5)
"""Walking paces a walk's distance over its walking time may give. A walk outside (a distance from lengths nobody
calibrated, a few seconds of walking) says nothing about the walker's usual pace and is left out of it."""


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
        Usual onset distance (:func:`usual_onset` of the walks whose reports give one: the shortest of up to 4,
        then the lower quartile), or None.
    time_s
        Usual onset time into the walk, the same way, or None.
    n_distance_reports, n_time_reports
        How many walks each figure rests on (one onset per walk: several reports of one walk count once).
    distances_m, times_s
        The onsets used, one per walk, sorted.
    """

    distance_m: float | None
    time_s: float | None
    n_distance_reports: int
    n_time_reports: int
    distances_m: tuple[float, ...] = ()
    times_s: tuple[float, ...] = ()

    @property
    def description(self) -> str:
        """E.g. ``"about 4.8 km (3.0 mi) into a walk (lower quartile of 5 walks)"``."""
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
    # counted in walks: a walk's several reports (a second press of Save, a changed mind) are one point of pain
    if n == 1:
        return "1 walk"
    if n < QUARTILE_MIN_REPORTS:
        return f"the shortest of {n} walks"
    return f"lower quartile of {n} walks"


@dataclass(frozen=True)
class UsualPace:
    """How fast the walker usually walks: the median of their recent walks' distance over walking time.

    Attributes
    ----------
    speed_mps
        The median pace, metres per second of walking.
    n_walks
        How many walks it rests on.
    """

    speed_mps: float
    n_walks: int

    @property
    def description(self) -> str:
        """E.g. ``"3.7 km/h (2.3 mph), the median of 3 recent walks"``."""
        kmh, mph = self.speed_mps * 3.6, self.speed_mps * 3600.0 / MILE_M
        basis = "1 recent walk" if self.n_walks == 1 else f"the median of {plural(self.n_walks, 'recent walk')}"
        return f"{kmh:.1f} km/h ({mph:.1f} mph), {basis}"


def distance_trusted(walk: WalkRecord, min_confidence: float) -> bool:
    """Whether a walk's distance rests on stride lengths the coach trusts (:data:`TRUSTED_DISTANCE_SHARE` of its
    strides or more); a walk without strides has no length the analyser vouches for."""
    ok = trusted_strides(walk.stride_length_m, walk.confidence, walk.cadence_spm, min_confidence)
    return ok.size > 0 and float(ok.mean()) >= TRUSTED_DISTANCE_SHARE


def usual_pace(
    walks: Sequence[WalkRecord], *, now_s: float, window_days: float, min_confidence: float = 0.6
) -> UsualPace | None:
    """The walker's usual pace from the walks (of two minutes' walking or more) of the ``window_days`` before
    ``now_s`` whose distance is trusted (:func:`distance_trusted`): the median of their distance over walking time,
    leaving out paces outside :data:`PACE_RANGE_MPS`. None without such a walk.

    Examples
    --------
    >>> def walk(distance_m, confidence):  # 200 strides of one length in 200 s of walking
    ...     n = 200
    ...     return WalkRecord(0.0, np.full(n, distance_m / n), np.full(n, 110.0), np.full(n, confidence),
    ...                       distance_m, True, walking_time_s=200.0)
    >>> usual_pace([walk(200.0, 0.9), walk(260.0, 0.9), walk(400.0, 0.35)], now_s=86400.0, window_days=180.0)
    UsualPace(speed_mps=1.15, n_walks=2)
    """
    start_s = now_s - window_days * 86400.0
    paces = [
        w.distance_m / w.walking_time_s
        for w in walks
        if w.is_walk and w.walking_time_s and start_s <= w.started_at_s <= now_s and distance_trusted(w, min_confidence)
    ]
    paces = [p for p in paces if PACE_RANGE_MPS[0] <= p <= PACE_RANGE_MPS[1]]
    if not paces:
        return None
    return UsualPace(speed_mps=float(np.median(paces)), n_walks=len(paces))


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
    pace
        The walker's usual pace (:func:`usual_pace`), or None when unknown.
    ends_by
        What a planned walk ends by, ``"distance"`` or ``"time"``: the only one the reports give, or, when they
        give both, the one a walk reaches first at the usual pace (the pain comes at the earlier one). None when
        they give both and the pace is unknown: the walk then ends at whichever comes first.
    """

    walk_length_m: float | None
    walk_time_s: float | None
    fraction: float
    onset: PainOnset
    reason: str
    pace: UsualPace | None = None
    ends_by: str | None = None

    @property
    def planned_time_s(self) -> float | None:
        """The planned walk's walking time: the recommended duration when it ends by time, or the recommended
        distance at the usual pace; None when neither is known."""
        if self.ends_by == "time":
            return self.walk_time_s
        if self.ends_by == "distance" and self.pace is not None and self.walk_length_m is not None:
            return self.walk_length_m / self.pace.speed_mps
        return None

    @property
    def planned_length_m(self) -> float | None:
        """The planned walk's distance: the recommended distance when it ends by distance, or the recommended
        duration at the usual pace; None when neither is known."""
        if self.ends_by == "distance":
            return self.walk_length_m
        if self.ends_by == "time" and self.pace is not None and self.walk_time_s is not None:
            return self.walk_time_s * self.pace.speed_mps
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description."""
        return {
            "walk_length_m": self.walk_length_m,
            "walk_time_s": self.walk_time_s,
            "fraction": self.fraction,
            "onset": self.onset.to_dict(),
            "reason": self.reason,
            "ends_by": self.ends_by,
            "pace_mps": None if self.pace is None else self.pace.speed_mps,
            "planned_length_m": self.planned_length_m,
            "planned_time_s": self.planned_time_s,
        }


def estimate_pain_onset(
    reports: Sequence[PainReport],
    *,
    now_s: float | None = None,
    lookback_days: float | None = None,
    min_pain_0_10: int = 1,
) -> PainOnset | None:
    """Usual onset of back pain into a walk, from reports that carry a distance or time: one onset per walk.

    A walk has one point of pain: its several reports (the same report saved twice, a corrected one) count once,
    with their earliest onset (distance and time each), so repeating a report never moves the usual onset. A
    report that names no walk counts as a walk of its own.

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
    (4000.0, 2, 'about 4.0 km (2.5 mi) into a walk (the shortest of 2 walks)')
    >>> same_walk = [PainReport(0.0, 5, 90.0, walk_id="w1"), PainReport(60.0, 5, 60.0, walk_id="w1")]
    >>> onset = estimate_pain_onset([*same_walk, PainReport(0.0, 5, 120.0, walk_id="w2")])
    >>> onset.distances_m, onset.description
    ((60.0, 120.0), 'about 60 m (0.04 mi) into a walk (the shortest of 2 walks)')
    >>> estimate_pain_onset([PainReport(0.0, 5, onset_time_s=0.0)]) is None
    True
    """
    use = [r for r in reports if r.pain_0_10 >= min_pain_0_10]
    if now_s is not None and lookback_days is not None:
        start_s = now_s - lookback_days * 86400.0
        use = [r for r in use if start_s <= r.reported_at_s <= now_s]
    # an onset at the very start (under MIN_ONSET_*; stores from before the service refused them may hold some) is
    # no point into the walk that a shorter walk could end before: the report counts as pain, its onset teaches nothing
    by_walk: dict[object, tuple[float | None, float | None]] = {}
    for i, r in enumerate(use):
        key = ("walk", r.walk_id) if r.walk_id is not None else ("report", i)
        d = (
            r.onset_distance_m
            if r.onset_distance_m is not None and r.onset_distance_m >= MIN_ONSET_DISTANCE_M
            else None
        )
        t = r.onset_time_s if r.onset_time_s is not None and r.onset_time_s >= MIN_ONSET_TIME_S else None
        d0, t0 = by_walk.get(key, (None, None))
        by_walk[key] = (_earliest(d0, d), _earliest(t0, t))
    distances = sorted(d for d, _ in by_walk.values() if d is not None)
    times = sorted(t for _, t in by_walk.values() if t is not None)
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


def _earliest(a: float | None, b: float | None) -> float | None:
    """The earlier of two onsets of one walk, either of them possibly unknown."""
    return b if a is None else a if b is None else min(a, b)


def _too_old_to_plan(lookback_days: float) -> str:
    """Why a report older than the lookback gives no walk length, in the walker's words."""
    return (
        f"walk lengths are planned only from the reports of the last {lookback_days:.0f} days (pain that long ago "
        "may not say where it starts now)"
    )


def onset_too_old(report: PainReport, *, now_s: float, lookback_days: float, min_pain_0_10: int = 1) -> str | None:
    """Why ``report`` gives no walk length though it says where the pain started: it was reported more than
    ``lookback_days`` before ``now_s``, so :func:`estimate_pain_onset` leaves it out. None when it is recent enough,
    or gives no point of pain (no onset, one from the start, or a score below ``min_pain_0_10``).

    Examples
    --------
    >>> old = PainReport(0.0, 4, onset_distance_m=200.0)
    >>> onset_too_old(old, now_s=100 * 86400.0, lookback_days=90.0)[:85]
    'This report is dated 100 days ago: walk lengths are planned only from the reports of '
    >>> onset_too_old(old, now_s=80 * 86400.0, lookback_days=90.0) is None
    True
    >>> onset_too_old(PainReport(0.0, 4), now_s=100 * 86400.0, lookback_days=90.0) is None
    True
    """
    if estimate_pain_onset([report], min_pain_0_10=min_pain_0_10) is None:
        return None
    days = (now_s - report.reported_at_s) / 86400.0
    if days <= lookback_days:
        return None
    return (
        f"This report is dated {plural(round(days), 'day')} ago: {_too_old_to_plan(lookback_days)}, so its point "
        "of pain gives no recommendation; it is kept in your history."
    )


def old_onsets_note(
    reports: Sequence[PainReport], *, now_s: float, lookback_days: float, min_pain_0_10: int = 1
) -> str | None:
    """Why no walk length is planned at ``now_s`` though pain reports say where the pain started: every one of them is
    older than ``lookback_days``. None when a recent report gives a point of pain (a walk length is planned) or no
    report gives one.

    Examples
    --------
    >>> reports = [PainReport(0.0, 4, onset_distance_m=200.0), PainReport(86400.0, 5, onset_time_s=300.0)]
    >>> old_onsets_note(reports, now_s=120 * 86400.0, lookback_days=90.0)[:105]
    'Your 2 reports of where back pain started during a walk are older than 90 days (the latest 119 days ago):'
    >>> old_onsets_note(reports, now_s=60 * 86400.0, lookback_days=90.0) is None
    True
    """
    if estimate_pain_onset(reports, now_s=now_s, lookback_days=lookback_days, min_pain_0_10=min_pain_0_10):
        return None
    old = [
        r
        for r in reports
        if r.reported_at_s <= now_s
        and onset_too_old(r, now_s=now_s, lookback_days=lookback_days, min_pain_0_10=min_pain_0_10)
    ]
    if not old:
        return None
    latest_days = round((now_s - max(r.reported_at_s for r in old)) / 86400.0)
    one = len(old) == 1
    return (
        f"{'Your report' if one else f'Your {len(old)} reports'} of where back pain started during a walk "
        f"{'is' if one else 'are'} older than {lookback_days:.0f} days ({'' if one else 'the latest '}"
        f"{plural(latest_days, 'day')} ago): {_too_old_to_plan(lookback_days)}."
    )


def recommend_walk_length(
    onset: PainOnset, *, fraction: float = WALK_FRACTION_OF_ONSET, pace: UsualPace | None = None
) -> Recommendation:
    """Recommend walks that end before the usual point of pain: onset x ``fraction`` (default 5/6).

    When the reports give both a distance and a time, the two figures are one walk only at one pace: a walk ends
    by whichever the walker reaches first at their usual ``pace`` (the pain comes at the earlier one), and the
    plan gives that figure with the other converted at that pace ("about 1 min 15 s, about 77 m (0.05 mi) at your
    usual pace"). Without a pace it says to end at whichever comes first.

    Parameters
    ----------
    onset
        From :func:`estimate_pain_onset`.
    fraction
        Share of the onset distance (and time) to walk, 0.5-0.95.
    pace
        The walker's usual pace (:func:`usual_pace`), or None when unknown.

    Examples
    --------
    >>> rec = recommend_walk_length(PainOnset(distance_m=3 * 1609.344, time_s=None, n_distance_reports=1,
    ...                                       n_time_reports=0))
    >>> round(rec.walk_length_m / 1609.344, 6)
    2.5
    >>> rec.reason  # doctest: +NORMALIZE_WHITESPACE
    'Back pain usually starts about 4.8 km (3.0 mi) into a walk (1 walk). Plan walks of about 4.0 km (2.5 mi),
    83 % of that, so they end before it starts.'
    >>> both = PainOnset(distance_m=250.0, time_s=90.0, n_distance_reports=1, n_time_reports=1)
    >>> rec = recommend_walk_length(both, pace=UsualPace(speed_mps=1.03, n_walks=3))
    >>> rec.ends_by, rec.reason  # doctest: +NORMALIZE_WHITESPACE
    ('time', 'Back pain usually starts about 250 m (0.16 mi) into a walk (1 walk) or about 1 min 30 s into a walk
    (1 walk); at your usual pace (3.7 km/h (2.3 mph), the median of 3 recent walks) you reach 1 min 30 s first, at
    about 93 m (0.06 mi). Plan walks of about 1 min 15 s, about 77 m (0.05 mi) at your usual pace: 83 % of that, so
    they end before it starts.')
    """
    if not 0.5 <= fraction <= 0.95:
        raise GaitError(
            f"walk fraction {fraction!r} must lie within 0.5-0.95 of the pain-onset distance (default 5/6)",
            reason="bad_coach_setting",
        )
    length_m = None if onset.distance_m is None else onset.distance_m * fraction
    time_s = None if onset.time_s is None else onset.time_s * fraction
    share = f"{100.0 * fraction:.0f} %"
    starts = f"Back pain usually starts {onset.description}"
    if length_m is None or time_s is None:
        ends_by = "distance" if length_m is not None else "time"
        plan = f"about {format_distance(length_m)}" if length_m is not None else f"about {format_duration(time_s)}"
        reason = f"{starts}. Plan walks of {plan}, {share} of that, so they end before it starts."
    elif pace is None:
        # two figures and no pace to tell which comes first: a walk that ends at the first of them ends before both
        ends_by = None
        reason = (
            f"{starts}. Plan walks that end at about {format_distance(length_m)} or after about "
            f"{format_duration(time_s)}, whichever comes first: {share} of each, so they end before it starts."
        )
    else:
        assert onset.distance_m is not None and onset.time_s is not None
        # the pain comes at whichever onset the walker reaches first at their usual pace: the plan ends before that
        by_time = onset.time_s * pace.speed_mps < onset.distance_m
        ends_by = "time" if by_time else "distance"
        if by_time:
            first = f"you reach {format_duration(onset.time_s)} first, at about "
            first += format_distance(onset.time_s * pace.speed_mps)
            at_pace = format_distance(time_s * pace.speed_mps)
            plan = f"about {format_duration(time_s)}, about {at_pace} at your usual pace"
        else:
            first = f"you reach {format_distance(onset.distance_m)} first, after about "
            first += format_duration(onset.distance_m / pace.speed_mps)
            at_pace = format_duration(length_m / pace.speed_mps)
            plan = f"about {format_distance(length_m)}, about {at_pace} at your usual pace"
        reason = (
            f"{starts}; at your usual pace ({pace.description}) {first}. Plan walks of {plan}: {share} of that, so "
            "they end before it starts."
        )
    return Recommendation(
        walk_length_m=length_m,
        walk_time_s=time_s,
        fraction=fraction,
        onset=onset,
        reason=reason,
        pace=pace,
        ends_by=ends_by,
    )
