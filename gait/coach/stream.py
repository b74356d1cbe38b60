"""The live coach: turns the tracker's stride events into spoken/visual cues, sparingly and only while walking.

Walking rule (BoutEvent only arrives once a bout has ended, so being inside a bout is inferred):
a stride belongs to the current walking run when its cadence is a walking cadence (60-150 steps/min) and it
starts at most ``bout_gap_s`` (default 2 s) after the previous stride ended (consecutive strides of the two feet
overlap, so the gap is normally negative). Anything else starts a new run; a BoutEvent ends the run. A cue may
fire only on a stride that is at least the ``min_bout_strides``-th (default 3rd) of its run, and its time is that
stride's end, so no cue ever falls outside walking. StepEvents are accepted and ignored: strides carry all the
coach needs.

Stride cue ("shorten_stride"): each stride is judged by the walk's :class:`~gait.coach.judge.StrideJudge`
(against the walker's usual strides, or, without a personal baseline, against the walk's own first strides, before
which nothing is judged); strides without a verdict (unreliable, not yet judged, coaching inactive) count as not
flagged. An overstriding episode starts when ``cue_k`` of the last ``cue_n`` strides are flagged and ends
(hysteresis) once at most ``release_max_flagged`` of them are, or when the run ends. Within an episode a cue fires
on a flagged stride when at least ``min_cue_interval_s`` passed since the previous stride cue (of any episode) and,
for a repeat within the same episode, ``reminder_interval_s``.

Distance cue ("near_pain_distance"): once per walk (one Coach per walk), on the first in-run stride at which the
distance walked reaches the recommended walk length (or the time since the first stride reaches the recommended
walk time). Distance is the sum of the lengths of all strides (a slow turn too), each counted for the share of
its duration after the previous stride ended (overlapping strides of the two feet, as trunk sensors emit them,
count half); the baseline length at the stride's cadence stands in for walking strides without a length.
:meth:`Coach.set_distance_m` replaces the sum with a better figure (GPS, a foot pod's total distance).

The prompt rests only on a distance the product trusts (DESIGN section 4: never shown when the estimate is
unreliable): a GPS or foot-pod distance, or a sum of strides of which at least :data:`TRUSTED_DISTANCE_SHARE` of the
distance comes from lengths trusted for coaching (confidence ``min_confidence`` or more). An uncalibrated phone's
strides (confidence 0.35) or a wrist or chest sensor's (no length: the baseline stands in) give a guess, never said
as "you have walked 84 m": the prompt then comes by walking time, the recommended time or the recommended distance
at the walker's usual pace (:attr:`Recommendation.planned_time_s`), and with neither it stays silent;
:attr:`Coach.distance_cue_note` says which, for the live view.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from gait.coach.judge import Judgement, StrideJudge
from gait.coach.pain import TRUSTED_DISTANCE_SHARE, Recommendation
from gait.coach.plan import CoachingPlan
from gait.coach.records import new_distance_share
from gait.coach.settings import CoachSettings
from gait.coach.text import format_distance, format_duration, format_percent
from gait.consts import TYPICAL_CADENCE_SPM
from gait.errors import GaitError
from gait.types import BoutEvent, StepEvent, StrideEvent


class CueKind(StrEnum):
    """What a cue is about."""

    SHORTEN_STRIDE = "shorten_stride"
    NEAR_PAIN_DISTANCE = "near_pain_distance"


SHORTEN_MESSAGE = "Shorten your stride: take shorter, quicker steps."
NEAR_PAIN_MESSAGE = "You are close to where your back usually starts to hurt: consider heading home or ending the walk."


@dataclass(frozen=True)
class Cue:
    """One prompt to the walker.

    Attributes
    ----------
    t_s
        When it fired, on the events' time axis (the end of the stride that triggered it).
    kind
        :class:`CueKind` (a str: ``"shorten_stride"`` or ``"near_pain_distance"``).
    message
        What to say or show.
    reason
        Why, with the numbers behind it.
    """

    t_s: float
    kind: CueKind
    message: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"t_s": self.t_s, "kind": str(self.kind), "message": self.message, "reason": self.reason}


@dataclass
class CoachState:
    """Everything the coach carries between events (plain data: pickles, compares, prints)."""

    flags: deque[bool | None] = field(default_factory=deque)
    last_stride_end_s: float | None = None
    run_strides: int = 0
    overstriding: bool = False
    episode_cued: bool = False
    last_shorten_cue_s: float | None = None
    walk_start_s: float | None = None
    stride_distance_m: float = 0.0
    trusted_stride_distance_m: float = 0.0
    external_distance_m: float | None = None
    external_from_strides: bool = False
    near_pain_cued: bool = False
    n_strides: int = 0
    n_flagged: int = 0
    n_cues: int = 0


class Coach:
    """Streaming coach for one walk. Feed it the tracker's events in order; it returns cues.

    Parameters
    ----------
    plan
        From :func:`plan_coaching`, made at the start of the walk.
    settings
        The settings the plan was made with (cue rules, tolerance, confidence threshold).

    Examples
    --------
    >>> from gait.coach import CoachSettings, plan_coaching
    >>> settings = CoachSettings(enabled=True)
    >>> coach = Coach(plan_coaching([], [], settings, body_height_m=1.75, now_s=0.0), settings)
    >>> coach.update(StrideEvent(0.0, 1.1, 1.3, 109.1, 1.2, 0.9, "zupt"))
    []
    """

    def __init__(self, plan: CoachingPlan, settings: CoachSettings) -> None:
        if not isinstance(plan, CoachingPlan) or not isinstance(settings, CoachSettings):
            raise GaitError("Coach needs a CoachingPlan and CoachSettings", reason="bad_coach_input")
        self.plan = plan
        self.settings = settings
        self.state = CoachState(flags=deque(maxlen=settings.cue_n))
        self.judge = StrideJudge(plan, settings)
        self.last_judgement: Judgement | None = None
        """The judge's word on the latest stride (its target and verdict, as a live walk shows and stores them)."""

    @property
    def distance_m(self) -> float:
        """Distance walked so far: the external figure when one was set, else the sum over strides."""
        ext = self.state.external_distance_m
        return self.state.stride_distance_m if ext is None else ext

    @property
    def distance_trusted(self) -> bool:
        """Whether :attr:`distance_m` may be said as a fact: a GPS or foot-pod figure, or a sum of strides of which
        at least :data:`TRUSTED_DISTANCE_SHARE` of the distance rests on lengths trusted for coaching."""
        st = self.state
        if st.external_distance_m is not None and not st.external_from_strides:
            return True
        return (
            st.stride_distance_m > 0 and st.trusted_stride_distance_m >= TRUSTED_DISTANCE_SHARE * st.stride_distance_m
        )

    @property
    def distance_cue_note(self) -> str | None:
        """Why the prompt near the usual point of pain does not rest on this walk's distance, for the live view: it
        comes by walking time instead, or not at all (None: it rests on a trusted distance, on a time the reports
        give, or there is no such prompt)."""
        rec = self.plan.recommendation
        if not self.plan.distance_cue_active or rec is None or rec.walk_length_m is None or self.distance_trusted:
            return None
        why = (
            "this walk's distance is a guess: its stride lengths are not trusted for coaching (a phone without a "
            "calibration factor, or a sensor that measures no stride length)"
        )
        cue_time_s = _cue_time_s(rec, distance_trusted=False)
        if cue_time_s is not None:
            return (
                "The prompt near your usual point of pain comes after about "
                f"{format_duration(cue_time_s)} of this walk, not at {format_distance(rec.walk_length_m)}: {why}."
            )
        return (
            f"No prompt near your usual point of pain on this walk: {why}, and no usual pace is known to time it by. "
            f"Plan to end it at about {format_distance(rec.walk_length_m)} yourself; a calibration walk (a walk of "
            "known distance) makes such lengths trusted."
        )

    def set_distance_m(self, distance_m: float, *, from_strides: bool = False) -> None:
        """Use a better distance-into-walk figure (GPS, a foot pod's total distance) from now on.

        ``from_strides``: the figure sums this walk's model stride lengths (as its stored summary counts them), so it
        is trusted only as far as those strides are (:attr:`distance_trusted`).
        """
        if not math.isfinite(distance_m) or distance_m < 0:
            raise GaitError(
                f"distance {distance_m!r} m must be a finite, non-negative number", reason="bad_coach_input"
            )
        self.state.external_distance_m = float(distance_m)
        self.state.external_from_strides = bool(from_strides)

    def update(self, event: StepEvent | StrideEvent | BoutEvent) -> list[Cue]:
        """Advance by one event and return the cues it triggers (usually none).

        Raises
        ------
        GaitError
            For an unknown event type or a stride that ends before the previous one (events out of order).
        """
        if isinstance(event, StrideEvent):
            return self._on_stride(event)
        if isinstance(event, BoutEvent):
            self._end_run()
            return []
        if isinstance(event, StepEvent):
            return []
        raise GaitError(
            f"coach got {type(event).__name__}: feed it StepEvent, StrideEvent or BoutEvent", reason="bad_coach_input"
        )

    def summary(self) -> dict[str, Any]:
        """Counters for the walk so far (strides seen, flagged, cues, distance)."""
        st = self.state
        return {
            "strides": st.n_strides,
            "overlong_strides": st.n_flagged,
            "cues": st.n_cues,
            "distance_m": self.distance_m,
            "distance_trusted": self.distance_trusted,
        }

    def _end_run(self) -> None:
        st = self.state
        st.run_strides = 0
        st.flags.clear()
        st.overstriding = False
        st.episode_cued = False

    def _on_stride(self, s: StrideEvent) -> list[Cue]:
        st, cfg, plan = self.state, self.settings, self.plan
        if not (math.isfinite(s.start_s) and math.isfinite(s.end_s)):
            raise GaitError("coach got a stride with non-finite times", reason="bad_coach_input")
        if st.last_stride_end_s is not None and s.end_s < st.last_stride_end_s:
            raise GaitError(
                f"coach got a stride ending at {s.end_s:.3f} s after one ending at {st.last_stride_end_s:.3f} s: feed "
                "events in the order the tracker emits them",
                reason="events_out_of_order",
            )
        # every stride goes to the judge, in order: without a personal baseline the walk's first strides set its level
        verdict = self.last_judgement = self.judge.judge(s)
        walking = TYPICAL_CADENCE_SPM[0] <= s.cadence_spm <= TYPICAL_CADENCE_SPM[1]
        prev_end_s = st.last_stride_end_s
        contiguous = prev_end_s is not None and s.start_s - prev_end_s <= cfg.bout_gap_s
        st.last_stride_end_s = float(s.end_s)
        st.n_strides += 1
        if st.walk_start_s is None:
            st.walk_start_s = float(s.start_s)
        # Every stride with a length adds distance (a slow turn too); the baseline stands in only for walking ones.
        known = s.length_m is not None and math.isfinite(s.length_m) and s.length_m > 0
        if known or walking:
            usual_m = self.judge.usual_stride_m(s.cadence_spm)
            length_m = (
                float(s.length_m)
                if known
                else float(plan.baseline.stride_length_m(s.cadence_spm))
                if usual_m is None
                else usual_m
            )
            share_m = new_distance_share(s.start_s, s.end_s, prev_end_s) * length_m
            st.stride_distance_m += share_m
            if known and s.confidence >= cfg.min_confidence:
                st.trusted_stride_distance_m += share_m
        if not walking:
            self._end_run()
            return []
        if not contiguous:
            self._end_run()
        st.run_strides += 1

        flag = verdict.overlong
        st.flags.append(flag)
        st.n_flagged += flag is True
        in_run = st.run_strides >= cfg.min_bout_strides
        cues: list[Cue] = []

        n_flagged = sum(f is True for f in st.flags)
        if st.overstriding and n_flagged <= cfg.release_max_flagged:
            st.overstriding = False
            st.episode_cued = False
        if not st.overstriding and n_flagged >= cfg.cue_k and in_run:
            st.overstriding = True
        if st.overstriding and in_run and flag is True:
            since = math.inf if st.last_shorten_cue_s is None else s.end_s - st.last_shorten_cue_s
            wait = cfg.reminder_interval_s if st.episode_cued else cfg.min_cue_interval_s
            if since >= wait:
                st.last_shorten_cue_s = float(s.end_s)
                st.episode_cued = True
                target_m, usual_m = verdict.target_m, verdict.usual_m  # a flagged stride has both
                cues.append(
                    Cue(
                        t_s=float(s.end_s),
                        kind=CueKind.SHORTEN_STRIDE,
                        message=SHORTEN_MESSAGE,
                        reason=(
                            f"{n_flagged} of your last {len(st.flags)} strides were longer than "
                            f"{target_m + cfg.tolerance_m:.2f} m; the last one {s.length_m:.2f} m at "
                            f"{s.cadence_spm:.0f} steps/min, where your target is {target_m:.2f} m "
                            f"({format_percent(plan.reduction)} below {self.judge.basis}, {usual_m:.2f} m at this "
                            f"cadence) plus {cfg.tolerance_m:.2f} m tolerance."
                        ),
                    )
                )

        rec = plan.recommendation
        if plan.distance_cue_active and rec is not None and in_run and not st.near_pain_cued:
            walked_m, walked_s = self.distance_m, s.end_s - st.walk_start_s
            trusted = self.distance_trusted
            cue_time_s = _cue_time_s(rec, distance_trusted=trusted)
            if trusted and rec.walk_length_m is not None and walked_m >= rec.walk_length_m:
                said = f"You have walked {format_distance(walked_m)}"
            elif cue_time_s is not None and walked_s >= cue_time_s:
                said = f"You have walked for {format_duration(walked_s)}"
                if cue_time_s != rec.walk_time_s and rec.walk_length_m is not None:
                    # the time stands in for a distance this walk cannot measure: never say that distance as walked
                    said += (
                        f", about {format_distance(rec.walk_length_m)} at your usual pace (this walk's own distance "
                        "is a guess: its stride lengths are not trusted for coaching)"
                    )
            else:
                said = ""
            if said:
                st.near_pain_cued = True
                cues.append(
                    Cue(
                        t_s=float(s.end_s),
                        kind=CueKind.NEAR_PAIN_DISTANCE,
                        message=NEAR_PAIN_MESSAGE,
                        reason=f"{said}; back pain usually starts {rec.onset.description}.",
                    )
                )
        st.n_cues += len(cues)
        return cues

    def __repr__(self) -> str:
        return f"Coach(active={self.plan.active}, state={asdict(self.state)!r})"


def _cue_time_s(rec: Recommendation, *, distance_trusted: bool) -> float | None:
    """The walking time at which the prompt near the point of pain comes: the recommended time when the reports give
    one, and, when the walk's distance cannot be trusted, the recommended distance at the usual pace too (the earlier
    of the two); None when there is neither."""
    times = [rec.walk_time_s]
    if not distance_trusted and rec.walk_length_m is not None and rec.pace is not None:
        times.append(rec.walk_length_m / rec.pace.speed_mps)
    known = [t for t in times if t is not None]
    return min(known) if known else None
