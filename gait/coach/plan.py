"""The coaching plan: is stride coaching on, how much shorter than the baseline, and why (with the numbers).

Recent pain (at least ``min_pain_0_10`` within ``pain_lookback_days``) turns coaching on, provided the walker
opted in. The reduction starts at ``settings.reduction`` at the latest pain report and relaxes linearly to zero:

    progress  = min(days since that report / relax_days, pain-free walks since it / relax_walks), clipped to 0..1
    reduction = settings.reduction x (1 - progress)

Both time and walking are needed, so neither a long break without walking nor a burst of walks in two days
lifts the target early. Any new pain report restarts at the full reduction (the target tightens again).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from gait.coach.baseline import StrideBaseline, baseline_walks, fit_baseline, trusted_strides
from gait.coach.pain import PainOnset, Recommendation, estimate_pain_onset, recommend_walk_length, usual_pace
from gait.coach.records import PainReport, WalkRecord
from gait.coach.settings import (
    MIN_PLAN_WALK_DISTANCE_M,
    MIN_PLAN_WALK_TIME_S,
    MIN_WALK_DISTANCE_M,
    MIN_WALK_TIME_S,
    PLAN_WALK_SHARE,
    WALK_LEVEL_STRIDES,
    CoachSettings,
)
from gait.coach.text import USUAL_STRIDES, WALK_LEVEL, calibrate_ways, format_percent, plural, sensor_words
from gait.errors import GaitError
from gait.types import NO_LENGTH_MODEL_PLACEMENTS, Placement

WALK_RULE = (
    f"a walk counts when it holds at least {MIN_WALK_TIME_S / 60.0:.0f} minutes of walking "
    f"(or {MIN_WALK_DISTANCE_M:.0f} m when its walking time is unknown), or when it reaches about the walk length "
    f"recommended at its start ({100.0 * PLAN_WALK_SHARE:.0f} % of it or more, with at least "
    f"{MIN_PLAN_WALK_TIME_S / 60.0:.0f} minute of walking)"
)
"""What counts as a walk for the coach, in the words the plan's reasons use."""

# Two words, never "on" and "off" for both: the walker's switch is "switched on" / "switched off"; whether the coach
# compares strides with a target now (switched on, recent back pain, not yet relaxed) is "active" / "inactive".
OPTED_OUT_REASON = (
    "Stride coaching is switched off: it is opt-in; to get cues, switch it on under Stride coaching on the "
    "dashboard's Profile page."
)
"""Why a plan has no target when the walker has not switched coaching on (a walk keeps its plan of then)."""
OPTED_OUT_THEN_REASON = (
    "Stride coaching was switched off when this walk was made (it is opt-in; analysing the walk again keeps the "
    "choice of then); it is switched on now, for the walks you add from now on."
)
""":data:`OPTED_OUT_REASON` of a walk's plan read when coaching is switched on now (:func:`reasons_read_now`)."""
NO_PAIN_REASON = "Stride coaching is switched on but inactive: no back pain"
"""How a plan switched on without recent back pain starts its first reason."""
RELAXED_REASON = "Stride coaching is switched on but inactive, relaxed back to your baseline:"
"""How a plan switched on whose target has relaxed to the baseline starts its first reason."""
ACTIVE_REASON = "Stride coaching is switched on and active:"
"""How a plan that compares strides with a target starts its first reason."""
_EARLIER_WORDS = (
    ("Stride coaching is off: it is opt-in; switch it on in the settings to get cues.", OPTED_OUT_REASON),
    # no page is called settings: the switch is on the Profile page (QA28)
    ("Stride coaching is switched off: it is opt-in; switch it on in the settings to get cues.", OPTED_OUT_REASON),
    ("Stride coaching is off: no back pain", NO_PAIN_REASON),
    ("Stride coaching has relaxed back to your baseline:", RELAXED_REASON),
    ("Stride coaching is on:", ACTIVE_REASON),
)
"""The first reasons of walks' plans stored before the two words, and the words they read as now."""
_EARLIER_ENDING = ("coaching was off, so no stride was flagged.", "coaching was inactive, so no stride was flagged.")
"""The ending of the judge's sentence (``StrideJudge.describe``) in plans stored before the two words."""
WALK_TIME_WORDS = "this walk"
"""What a walk's plan's time is, in its reasons (:func:`plan_coaching`'s ``before``): the plan in force at the walk's
start."""
_EARLIER_AGO = re.compile(rf"^({re.escape(ACTIVE_REASON)} back pain \d+/10 reported )(?:just now|(\d+ \w+) ago)\.$")
"""When the last pain was reported, in a walk's plan stored before its reasons said it relative to the walk: relative
to the plan's time all the same (the walk's start), read as "ago" it went stale."""


def reasons_read_now(reasons: Sequence[str], *, enabled_now: bool, before: str = WALK_TIME_WORDS) -> list[str]:
    """A walk's plan reasons as they read today: a plan of a walk made with coaching switched off keeps that (the
    opt-in of then is the walk's history), but once the walker has switched coaching on, it says so in the past
    tense instead of asking to switch on what is on. A plan stored before coaching had its two words ("switched
    on/off" for the walker's choice, "active/inactive" for whether strides are compared with a target) reads in them,
    and one stored when the time of the last pain report was said as "ago" says it relative to the plan's time, as it
    meant (``before``: what that time is, in words).

    Examples
    --------
    >>> reasons_read_now([OPTED_OUT_REASON], enabled_now=False) == [OPTED_OUT_REASON]
    True
    >>> earlier = "Stride coaching is switched off: it is opt-in; switch it on in the settings to get cues."
    >>> reasons_read_now([earlier], enabled_now=False) == [OPTED_OUT_REASON]  # a walk's plan stored in those words
    True
    >>> reasons_read_now([OPTED_OUT_REASON], enabled_now=True)[0].startswith("Stride coaching was switched off when")
    True
    >>> reasons_read_now(["Stride coaching is on: back pain 6/10 reported 5 days ago."], enabled_now=True)
    ['Stride coaching is switched on and active: back pain 6/10 reported 5 days before this walk.']
    >>> reasons_read_now([f"{ACTIVE_REASON} back pain 3/10 reported just now."], enabled_now=True)
    ['Stride coaching is switched on and active: back pain 3/10 reported just before this walk.']
    >>> reasons_read_now(["The band is X; coaching was off, so no stride was flagged."], enabled_now=False)
    ['The band is X; coaching was inactive, so no stride was flagged.']
    """
    read = []
    for reason in reasons:
        for earlier, now in _EARLIER_WORDS:
            if reason.startswith(earlier):
                reason = now + reason[len(earlier) :]
                break
        earlier, now = _EARLIER_ENDING
        if reason.endswith(earlier):
            reason = reason[: -len(earlier)] + now
        if ago := _EARLIER_AGO.match(reason):
            when = "just" if ago[2] is None else ago[2]
            reason = f"{ago[1]}{when} before {before}."
        read.append(OPTED_OUT_THEN_REASON if enabled_now and reason == OPTED_OUT_REASON else reason)
    return read


def counted_walks(
    walks: Sequence[WalkRecord], pain_reports: Sequence[PainReport], settings: CoachSettings
) -> list[bool]:
    """Which walks count as walks for the coach (one flag per walk, in the order given).

    A walk counts when it holds two minutes of walking (:attr:`WalkRecord.is_walk`), or when it followed the
    walk-length plan in force when it started (:meth:`WalkRecord.follows_plan` with the recommendation made from
    the pain reports before it): a walker who ends walks before the pain, as the coach recommends, makes walks
    that count even when the pain starts before two minutes. The recommendation at a walk's start rests on the
    pain reports before it; every report's onset counts there, whatever the length of its walk (the service
    refuses an onset beyond the walk it names), so whether a walk counts never changes which onsets are learnt.

    Examples
    --------
    >>> empty = np.empty(0)
    >>> pain = PainReport(0.0, 4, onset_distance_m=100.0, onset_time_s=100.0)
    >>> short = WalkRecord(3600.0, empty, empty, empty, 95.0, True, walking_time_s=90.0)
    >>> counted_walks([short], [], CoachSettings()), counted_walks([short], [pain], CoachSettings())
    ([False], [True])
    """
    counts = [w.is_walk for w in walks]
    for i, walk in enumerate(walks):
        # follows_plan(0, 0) is the floor alone: below it no recommendation can make the walk count
        if not counts[i] and walk.follows_plan(0.0, 0.0):
            onset = estimate_pain_onset(
                pain_reports,
                now_s=walk.started_at_s,
                lookback_days=settings.pain_lookback_days,
                min_pain_0_10=settings.min_pain_0_10,
            )
            if onset is not None:
                rec = recommend_walk_length(onset, fraction=settings.walk_fraction_of_onset)
                counts[i] = walk.follows_plan(rec.walk_length_m, rec.walk_time_s)
    return counts


def _plan_walk_note(rec: Recommendation, *, enabled: bool = True) -> str | None:
    """What the recommendation means for counting walks, when the planned walk is shorter than two minutes.

    Pain-free walks only relax a stride target, so with coaching switched off (``enabled`` False) nothing is said
    about counting them: only that pain this early is worth discussing with a doctor, when the plan is that short.

    A walk counts by its walking time: the planned walk's (:attr:`Recommendation.planned_time_s`, its duration, or
    its distance at the walker's usual pace) when known; otherwise each figure given, a distance against the 150 m
    (and 75 m) a walk of unknown walking time needs.

    Examples
    --------
    >>> onset = PainOnset(distance_m=150.0, time_s=30.0, n_distance_reports=1, n_time_reports=1)
    >>> _plan_walk_note(recommend_walk_length(onset)).startswith("Walks this short cannot count")
    True
    >>> onset = PainOnset(distance_m=150.0, time_s=None, n_distance_reports=1, n_time_reports=0)
    >>> _plan_walk_note(recommend_walk_length(onset)).startswith("A walk of about this length")
    True
    >>> from gait.coach.pain import UsualPace  # 125 m at a usual 0.9 m/s is over 2 minutes of walking
    >>> _plan_walk_note(recommend_walk_length(onset, pace=UsualPace(0.9, 3))) is None
    True
    """
    if rec.planned_time_s is not None:
        given = [(rec.planned_time_s, MIN_WALK_TIME_S, MIN_PLAN_WALK_TIME_S)]
    else:
        lengths = [
            (rec.walk_time_s, MIN_WALK_TIME_S, MIN_PLAN_WALK_TIME_S),
            (rec.walk_length_m, MIN_WALK_DISTANCE_M, MIN_PLAN_WALK_DISTANCE_M),
        ]
        given = [(v, usual, floor) for v, usual, floor in lengths if v is not None]
    if all(v >= usual for v, usual, _ in given):
        return None
    # below the floor in either measure (reports giving distances and others times), the plan ends walks before a
    # minute of walking: pain that early is the doctor's question, and walking on to make a walk count is no advice
    if any(v < floor for v, _, floor in given):
        if not enabled:
            return EARLY_PAIN_ADVICE
        return (
            f"Walks this short cannot count as pain-free walks (the coach needs at least "
            f"{MIN_PLAN_WALK_TIME_S / 60.0:.0f} minute of walking to tell a walk from a few steps), so they do not "
            "relax the stride target; back pain that starts this early into a walk is worth discussing with a "
            "doctor or physiotherapist."
        )
    if not enabled:
        return None
    return (
        f"A walk of about this length ({100.0 * PLAN_WALK_SHARE:.0f} % of it or more, with at least "
        f"{MIN_PLAN_WALK_TIME_S / 60.0:.0f} minute of walking) counts as a pain-free walk, though shorter than the "
        f"usual {MIN_WALK_TIME_S / 60.0:.0f} minutes."
    )


EARLY_PAIN_ADVICE = "Back pain that starts this early into a walk is worth discussing with a doctor or physiotherapist."
"""What a plan this short adds when coaching is switched off (no pain-free walk to count then)."""


def relaxed_reduction(
    full_reduction: float, *, days_since_pain: float, pain_free_walks: int, relax_days: float, relax_walks: int
) -> float:
    """Reduction left after ``days_since_pain`` days and ``pain_free_walks`` pain-free walks (linear relax).

    Examples
    --------
    >>> relaxed_reduction(0.10, days_since_pain=14.0, pain_free_walks=6, relax_days=28.0, relax_walks=12)
    0.05
    """
    progress = min(days_since_pain / relax_days, pain_free_walks / relax_walks)
    return float(full_reduction * (1.0 - min(max(progress, 0.0), 1.0)))


def _ago(seconds: float, *, before: str | None = None) -> str:
    """How long before the plan's time: before now (``"just now"``, ``"5 minutes ago"``, ``"3 hours ago"``,
    ``"1 day ago"``, ``"14 days ago"``), or before what ``before`` names (``"just before this walk"``,
    ``"5 minutes before this walk"``).

    Examples
    --------
    >>> _ago(20.0), _ago(600.0), _ago(2 * 3600.0), _ago(3 * 86400.0)
    ('just now', '10 minutes ago', '2 hours ago', '3 days ago')
    >>> _ago(20.0, before="this walk"), _ago(180.0, before="this walk")
    ('just before this walk', '3 minutes before this walk')
    """
    if seconds < 60.0:
        return "just now" if before is None else f"just before {before}"
    if seconds < 3600.0 - 30.0:
        amount = plural(max(round(seconds / 60.0), 1), "minute")
    elif seconds < 86400.0:
        amount = plural(max(round(seconds / 3600.0), 1), "hour")
    else:
        amount = plural(round(seconds / 86400.0), "day")
    return f"{amount} ago" if before is None else f"{amount} before {before}"


@dataclass(frozen=True)
class CoachingPlan:
    """What the coach aims for now. Built by :func:`plan_coaching`; immutable and picklable.

    Attributes
    ----------
    enabled
        The walker opted in (``CoachSettings.enabled``).
    active
        Stride coaching is active: switched on (enabled), recent pain, and the reduction has not fully relaxed.
    reduction
        Current shortening as a share of the baseline (0 when inactive).
    full_reduction
        The configured reduction the plan starts from after pain.
    baseline
        The walker's normal stride length over cadence (personal or population default).
    onset, recommendation
        Usual point of pain and the recommended walk length, when reports give a distance or time.
    reasons
        Sentences with the numbers that explain the plan, in display order.
    now_s
        The time the plan was made for (Unix s).
    last_pain_at_s
        The latest recent pain report, or None.
    pain_free_walks_since_pain
        Pain-free walks (that count as walks, :func:`counted_walks`: two minutes' walking, or about the walk length
        recommended at their start) started after that report.
    placement
        The sensor placement of the walks this plan judges: its baseline comes from walks of that placement only
        (None: walks whose placement is not known). Pain, pain-free walks and the target's relaxation are the
        walker's, whatever the sensor.
    demo
        A demo walk's plan (somebody else's walking): judged against the walk's own level, never the walker's
        baseline, whatever history there is.
    other_baselines
        Baselines of the other placements the walker uses, described in the reasons too (the plan shown on the
        dashboard; a walk's plan has none).
    baseline_walk_ids
        The walks (``walk_id``) whose strides the baseline was fitted from, or counted towards one when too few.
    pain_free_walk_ids
        The pain-free walks counted since the latest pain report, when the walker opted in (only then does the
        count show, in the reasons and the target's relaxation). A pain report naming a walk of either changes
        the plan; one naming another walk of the history does not (:attr:`relied_on_walk_ids`).
    """

    enabled: bool
    active: bool
    reduction: float
    full_reduction: float
    baseline: StrideBaseline
    onset: PainOnset | None
    recommendation: Recommendation | None
    reasons: tuple[str, ...]
    now_s: float
    last_pain_at_s: float | None
    pain_free_walks_since_pain: int
    placement: Placement | None = None
    demo: bool = False
    other_baselines: tuple[StrideBaseline, ...] = ()
    baseline_walk_ids: tuple[str, ...] = ()
    pain_free_walk_ids: tuple[str, ...] = ()

    @property
    def relied_on_walk_ids(self) -> tuple[str, ...]:
        """The walks whose being pain-free the plan rests on (its baseline's and its count of pain-free walks): a
        pain report naming one of them, added later, changes this plan; one naming any other walk does not."""
        return tuple(dict.fromkeys((*self.baseline_walk_ids, *self.pain_free_walk_ids)))

    def target_stride_m(self, cadence_spm: float | np.ndarray) -> float | np.ndarray:
        """Target stride length at a cadence: baseline x (1 - reduction). Scalar or array in, same out.

        When the plan is inactive the reduction is 0 and this is the baseline itself.
        """
        base = self.baseline.stride_length_m(cadence_spm)
        return base * (1.0 - self.reduction)

    @property
    def judged_against(self) -> str | None:
        """What strides are judged against, in words: "your usual strides" with a personal baseline, else "this
        walk's first 20 strides" (the walk's own level, see :class:`gait.coach.StrideJudge`); None for a placement
        without a stride-length model, whose strides are never judged (the reasons say why)."""
        if not self.measures_length:
            return None
        return USUAL_STRIDES if self.baseline.source == "personal" else WALK_LEVEL

    @property
    def measures_length(self) -> bool:
        """False when the plan's placement has no stride-length model (cadence only): nothing of its walks is judged."""
        return self.placement not in NO_LENGTH_MODEL_PLACEMENTS

    @property
    def own_level_why(self) -> str:
        """Why strides are compared with each walk's own level, in words that follow "as" or "because": a demo walk
        never uses the walker's baseline; else there is no baseline of the walker's for the walk's placement yet
        ("" with a personal baseline)."""
        if self.demo:
            return "a demo walk never uses your baseline"
        if self.baseline.source == "personal":
            return ""
        if self.placement is None:
            return "there is no personal baseline yet"
        return f"there is no baseline of yours for {sensor_words(self.placement)} yet"

    @property
    def distance_cue_active(self) -> bool:
        """The coach may cue near the usual point of pain (enabled and a recommendation exists)."""
        return self.enabled and self.recommendation is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description, including the target at the baseline's reference cadence."""
        cad = self.baseline.reference_cadence_spm
        return {
            "enabled": self.enabled,
            "active": self.active,
            "reduction": self.reduction,
            "full_reduction": self.full_reduction,
            "baseline": self.baseline.to_dict(),
            "reference_cadence_spm": cad,
            "baseline_stride_m_at_reference": self.baseline.stride_length_m(cad),
            "target_stride_m_at_reference": self.target_stride_m(cad),
            "onset": None if self.onset is None else self.onset.to_dict(),
            "recommendation": None if self.recommendation is None else self.recommendation.to_dict(),
            "judged_against": self.judged_against,
            "reasons": list(self.reasons),
            "now_s": self.now_s,
            "last_pain_at_s": self.last_pain_at_s,
            "pain_free_walks_since_pain": self.pain_free_walks_since_pain,
            "placement": None if self.placement is None else self.placement.value,
            "demo": self.demo,
            "other_baselines": [b.to_dict() for b in self.other_baselines],
        }


BASELINE_REASON = "Baseline"
"""How the reason describing a baseline starts ("Baseline: ...", "Baseline for a pocket sensor: ...")."""


def _baseline_reason(baseline: StrideBaseline) -> str:
    """The sentence describing one placement's baseline (the population line is no baseline of the walker's: said so,
    before what it is used for).

    Examples
    --------
    >>> from gait.coach.baseline import population_baseline
    >>> _baseline_reason(population_baseline(1.75, why="so far none"))
    'Baseline: none of your own yet; population default from height 1.75 m; so far none.'
    >>> _baseline_reason(replace(population_baseline(1.75), placement=Placement.CHEST)).split(": ")[:2]
    ['Baseline for a chest sensor', 'none']
    """
    where = "" if baseline.placement is None else f" for {sensor_words(baseline.placement)}"
    if baseline.placement in NO_LENGTH_MODEL_PLACEMENTS:
        return (
            f"{BASELINE_REASON}{where}: none: it has no stride-length model (cadence only), so no stride of its walks "
            "has a target or is judged."
        )
    mine = "" if baseline.source == "personal" else "none of your own yet; "
    return f"{BASELINE_REASON}{where}: {mine}{baseline.description}."


def _target_basis(baseline: StrideBaseline, others: Sequence[StrideBaseline]) -> str:
    """What the target is cut from, in the plan's "Target: ..." reason.

    Examples
    --------
    >>> from gait.coach.baseline import population_baseline
    >>> _target_basis(population_baseline(1.75), [])
    "each walk's own level (no baseline of yours yet)"
    >>> _target_basis(replace(population_baseline(1.75), placement=Placement.FOOT), [])
    "each walk's own level (no baseline of yours for a foot sensor yet)"
    """
    if others:
        return "your baseline for the sensor's placement (each walk's own level where you have none yet)"
    where = "" if baseline.placement is None else f" for {sensor_words(baseline.placement)}"
    if baseline.source == "personal":
        return f"your baseline{where}"
    # without a personal baseline the target is cut from each walk's own level (see _walk_level_reason)
    return f"each walk's own level (no baseline of yours{where} yet)"


def _walk_level_reason(settings: CoachSettings, reduction: float | None) -> str:
    """How strides are judged without a personal baseline (``reduction`` None: coaching is inactive)."""
    how = (
        f"from the next stride on, strides longer than {format_percent(reduction)} below that level at their "
        f"cadence plus {settings.tolerance_m:.2f} m tolerance, with confidence {settings.min_confidence:.2f} or more, "
        "are flagged"
        if reduction is not None
        else "that level is the usual stride a walk's page shows (nothing is flagged while coaching is inactive)"
    )
    return (
        f"Until then each walk sets its own level: its first {WALK_LEVEL_STRIDES} trusted walking strides "
        f"(confidence {settings.min_confidence:.2f} or more) say how long your strides are, as the sensor measures "
        "them, relative to the population default (which knows only your height); no stride is judged before "
        f"that, and {how}."
    )


RECENT_WALKS_FOR_TRUST = 5
"""When none of this many latest walks had a trusted stride length, the plan says a personal baseline cannot form."""


def _untrusted_history_reason(
    walks: Sequence[WalkRecord],
    settings: CoachSettings,
    *,
    now_s: float,
    placement: Placement | None,
    height_known: bool,
) -> str | None:
    """A plain sentence when none of the last walks of ``placement`` had a stride length the coach trusts (else
    None): such walks never form a personal baseline (each placement has its own), and none of their strides is
    judged, so the walker needs to know what to do. The advice leaves out what is done (a height given) and what
    does not apply (the placement worn; a height, which lifts only a lower-back sensor's lengths).

    Examples
    --------
    >>> walk = WalkRecord(0.0, np.full(3, 1.2), np.full(3, 110.0), np.full(3, 0.5), 200.0, True,
    ...                   walking_time_s=200.0, placement=Placement.LOWER_BACK)
    >>> said = _untrusted_history_reason([walk], CoachSettings(), now_s=1.0, placement=Placement.LOWER_BACK,
    ...                                  height_known=True)
    >>> said.split(". ")[-1][:65]
    'To get stride coaching, wear the sensor on a shoe or calibrate yo'
    >>> _untrusted_history_reason([walk], CoachSettings(), now_s=1.0, placement=Placement.WAIST, height_known=False)
    """
    if placement in NO_LENGTH_MODEL_PLACEMENTS:
        return None  # the baseline reason already says such a sensor has no stride length at all
    recent = sorted(
        (w for w in walks if w.placement == placement and w.is_walk and w.started_at_s <= now_s),
        key=lambda w: w.started_at_s,
    )
    recent = recent[-RECENT_WALKS_FOR_TRUST:]
    if not recent or any(
        trusted_strides(w.stride_length_m, w.confidence, w.cadence_spm, settings.min_confidence).any() for w in recent
    ):
        return None
    with_sensor = "" if placement is None else f" with {sensor_words(placement)}"
    which = "Your last walk" if len(recent) == 1 else f"None of your last {len(recent)} walks"
    verb = "had no stride length" if len(recent) == 1 else "had a stride length"
    places = ((Placement.LOWER_BACK, "on your lower back"), (Placement.FOOT, "on a shoe"))
    wear = [words for p, words in places if p != placement]
    fixes = [f"wear the sensor {' or '.join(wear)}"] if placement is not Placement.FOOT else []
    # a height lifts only the lower-back pendulum (gait.confidence.method_confidence); unknown placement: it may help
    if not height_known and placement in (None, Placement.LOWER_BACK):
        fixes.append("give your body height in your profile")
    fixes.append(f"calibrate your stride length with a walk of known distance {calibrate_ways()}")
    advice = fixes[0] if len(fixes) == 1 else f"{', '.join(fixes[:-1])} or {fixes[-1]}"
    return (
        f"{which}{with_sensor} {verb} the sensor measured confidently enough to judge (confidence "
        f"{settings.min_confidence:.2f} or more), so a personal baseline cannot form and no stride of such walks is "
        f"judged. To get stride coaching, {advice}."
    )


def plan_coaching(
    history: Sequence[WalkRecord],
    pain_reports: Sequence[PainReport],
    settings: CoachSettings,
    *,
    body_height_m: float | None,
    now_s: float,
    placement: Placement | str | None = None,
    also_for: Sequence[Placement | str] = (),
    before: str | None = None,
) -> CoachingPlan:
    """Make the coaching plan for now from the walker's history and pain reports.

    Parameters
    ----------
    history
        Past walks, any order. Only walks that count as walks (:func:`counted_walks`: at least two minutes of
        walking, or about the walk length recommended at their start) count as pain-free walks; the baseline takes
        only walks of two minutes' walking (:attr:`WalkRecord.is_walk`). A walk counts as pain-free
        when ``pain_free`` is True and no pain report (score >= ``min_pain_0_10``) names its ``walk_id``.
    pain_reports
        All pain reports, any order; those after ``now_s`` are ignored. Every recent report's onset teaches the
        point of pain, whatever the length of the walk it names.
    settings
        Coach settings (opt-in, reduction, relax period, ...).
    body_height_m
        The walker's height for the population default baseline; None assumes 1.70 m and says so.
    now_s
        Current Unix time in seconds (passed in: the plan never reads a clock).
    placement
        The sensor placement of the walk the plan judges: the baseline is fitted from walks of that placement only
        (each placement has its own stride-length model and calibration factor); None takes walks whose placement
        is not known. Pain reports, pain-free walks and the target's relaxation are the walker's, from every walk.
    also_for
        Other placements whose baselines the reasons describe too (the dashboard's plan: each placement the walker
        uses); they do not change the plan's own baseline or target.
    before
        What ``now_s`` is, in words, for a plan kept with a walk (:data:`WALK_TIME_WORDS`): its reasons then say when
        the pain was reported relative to it ("3 minutes before this walk"), words that stay true while the walk is
        kept. None: relative to the reader's now ("3 minutes ago"), for a plan shown at once and never stored.

    Returns
    -------
    CoachingPlan
    """
    if not np.isfinite(now_s):
        raise GaitError(f"now_s={now_s!r} must be a finite Unix time in seconds", reason="bad_coach_input")
    pain_walk_ids = {r.walk_id for r in pain_reports if r.walk_id is not None and r.pain_0_10 >= settings.min_pain_0_10}
    walks = [
        replace(w, pain_free=False) if w.pain_free and w.walk_id is not None and w.walk_id in pain_walk_ids else w
        for w in history
    ]
    placement = None if placement is None else Placement.parse(placement)
    baseline = fit_baseline(walks, settings, body_height_m=body_height_m, now_s=now_s, placement=placement)
    others = tuple(
        fit_baseline(walks, settings, body_height_m=body_height_m, now_s=now_s, placement=p)
        for p in dict.fromkeys(Placement.parse(p) for p in also_for)
        if p != placement
    )
    # Every report's onset teaches the point of pain, whatever the length of the walk it names: the walk reached it
    # (the service refuses an onset beyond its walk), so it is an observation of where the pain starts. The walk-length
    # rules decide only which walks count as pain-free walks; a plan too short to tell from a few steps says so.
    counts = counted_walks(walks, pain_reports, settings)
    onset = estimate_pain_onset(
        pain_reports,
        now_s=now_s,
        lookback_days=settings.pain_lookback_days,
        min_pain_0_10=settings.min_pain_0_10,
    )
    # the usual pace tells which of a distance and a time onset a walk reaches first, and how long a planned walk is
    pace = usual_pace(
        walks, now_s=now_s, window_days=settings.baseline_window_days, min_confidence=settings.min_confidence
    )
    recommendation = (
        None if onset is None else recommend_walk_length(onset, fraction=settings.walk_fraction_of_onset, pace=pace)
    )
    note = None if recommendation is None else _plan_walk_note(recommendation, enabled=settings.enabled)
    if recommendation is not None and note is not None:
        recommendation = replace(recommendation, reason=f"{recommendation.reason} {note}")

    lookback_start_s = now_s - settings.pain_lookback_days * 86400.0
    recent = [
        r
        for r in pain_reports
        if r.pain_0_10 >= settings.min_pain_0_10 and lookback_start_s <= r.reported_at_s <= now_s
    ]
    last = max(recent, key=lambda r: r.reported_at_s) if recent else None
    reasons: list[str] = []
    reduction = 0.0
    n_free = 0
    free: list[WalkRecord] = []
    if last is not None:
        free = [
            w
            for w, c in zip(walks, counts, strict=True)
            if c and w.pain_free and last.reported_at_s < w.after_s and w.started_at_s <= now_s
        ]
        n_free = len(free)
        days = (now_s - last.reported_at_s) / 86400.0
        reduction = relaxed_reduction(
            settings.reduction,
            days_since_pain=days,
            pain_free_walks=n_free,
            relax_days=settings.relax_days,
            relax_walks=settings.relax_walks,
        )
    active = settings.enabled and last is not None and reduction > 0.0
    if not settings.enabled:
        reasons.append(OPTED_OUT_REASON)
    elif last is None:
        reasons.append(
            f"{NO_PAIN_REASON} (score {settings.min_pain_0_10}/10 or more) reported in the last "
            f"{settings.pain_lookback_days:.0f} days."
        )
    elif not active:
        reasons.append(
            f"{RELAXED_REASON} {plural(round(days), 'day')} and "
            f"{plural(n_free, 'pain-free walk')} since back pain {last.pain_0_10}/10 (full relax after "
            f"{settings.relax_days:.0f} days and {settings.relax_walks} pain-free walks; {WALK_RULE})."
        )
    else:
        when = _ago(now_s - last.reported_at_s, before=before)
        reasons.append(f"{ACTIVE_REASON} back pain {last.pain_0_10}/10 reported {when}.")
        # a sensor with no stride-length model has no target; the relaxation is the walker's, so it is still said
        no_length = not others and baseline.placement in NO_LENGTH_MODEL_PLACEMENTS
        target = (
            f"No target for {sensor_words(baseline.placement)}, which measures no stride length; with a sensor that "
            f"does, the target is {format_percent(reduction)} shorter than your usual strides"
            if no_length
            else f"Target: {format_percent(reduction)} shorter than {_target_basis(baseline, others)}"
        )
        reasons.append(
            f"{target} (starts at "
            f"{format_percent(settings.reduction)} after pain and relaxes to 0 over {settings.relax_days:.0f} days "
            f"and {settings.relax_walks} pain-free walks; so far {plural(round(days), 'day')} and "
            f"{plural(n_free, 'pain-free walk')} since that report; {WALK_RULE})."
        )
    if not active:
        reduction = 0.0
    reasons.append(_baseline_reason(baseline))
    if baseline.source == "personal" and active:
        cad = baseline.reference_cadence_spm
        base_m = baseline.stride_length_m(cad)
        target_m = base_m * (1.0 - reduction)
        reasons.append(
            f"At {cad:.0f} steps/min: baseline {base_m:.2f} m, target {target_m:.2f} m; strides longer than "
            f"{target_m + settings.tolerance_m:.2f} m (target + {settings.tolerance_m:.2f} m tolerance) with "
            f"confidence {settings.min_confidence:.2f} or more are flagged."
        )
    reasons += [_baseline_reason(b) for b in others]
    if any(b.source == "population" and b.placement not in NO_LENGTH_MODEL_PLACEMENTS for b in (baseline, *others)):
        reasons.append(_walk_level_reason(settings, reduction if active else None))
    untrusted = _untrusted_history_reason(
        walks, settings, now_s=now_s, placement=placement, height_known=body_height_m is not None
    )
    if untrusted is not None:
        reasons.append(untrusted)
    if recommendation is not None:
        reasons.append(recommendation.reason)
    return CoachingPlan(
        enabled=settings.enabled,
        active=active,
        reduction=reduction,
        full_reduction=settings.reduction,
        baseline=baseline,
        onset=onset,
        recommendation=recommendation,
        reasons=tuple(reasons),
        now_s=float(now_s),
        last_pain_at_s=None if last is None else last.reported_at_s,
        pain_free_walks_since_pain=n_free,
        placement=placement,
        other_baselines=others,
        baseline_walk_ids=tuple(
            w.walk_id
            for w, _ in baseline_walks(walks, settings, now_s=now_s, placement=placement)
            if w.walk_id is not None
        ),
        # the count shows (in the reasons, and in the target) only for a walker who opted in
        pain_free_walk_ids=tuple(w.walk_id for w in free if w.walk_id is not None) if settings.enabled else (),
    )
