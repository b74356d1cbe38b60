"""Offline analysis: the streaming tracker fed a whole recording, and the summary users read."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from scipy.ndimage import uniform_filter1d

from gait.coach.flags import flag_overlong
from gait.coach.text import format_duration
from gait.consts import DEFAULT_BODY_HEIGHT_M, GRAVITY_MS2
from gait.errors import GaitError
from gait.gps import FastSpan, fast_spans, gps_stride_length_m
from gait.numbers import round_half_away
from gait.stride_length import factor_words
from gait.tracker import HOLE_MIN_S, GaitTracker
from gait.types import BoutEvent, Chunk, GaitEvent, GpsTrack, Placement, Recording, StepEvent, StrideEvent
from gait.validate import check_samples

ANALYSIS_REVISION = 3
"""Counts changes to the core that change any figure of a stored walk (steps, strides, lengths, bouts, notes):
raise it with such a change, and add what it changes to :data:`ANALYSIS_REVISIONS`, so that the service knows which
walks an older analysis made and can offer to analyse them again, saying why (service/reanalysis.py)."""


def _every_recording(source: Mapping[str, Any]) -> bool:
    return True


def _recordings_with_gps(source: Mapping[str, Any]) -> bool:
    return source.get("has_gps") is not False  # a source that does not say may have had a track


def _recordings_with_step_model(source: Mapping[str, Any]) -> bool:
    # a phone's step model (gait.tracker): every placement but the trunk's pendulum and the limb sensors'
    return source.get("placement") in (None, Placement.POCKET, Placement.HAND)  # None: a source that does not say


@dataclass(frozen=True)
class AnalysisRevision:
    """One revision of the analysis (:data:`ANALYSIS_REVISION`): what it changed, and which recordings it can
    change."""

    number: int
    change: str
    """What it changed, in plain words, as the walker reads it ("rides in a vehicle are now left out ...")."""
    can_change: Callable[[Mapping[str, Any]], bool] = _every_recording
    """Whether it can change the analysis of a recording with this source metadata (:attr:`Recording.source`, as
    the readers fill it: ``has_gps``, ``has_gyroscope``): False only when it certainly cannot. Every recording by
    default."""


ANALYSIS_REVISIONS = (
    AnalysisRevision(1, "the first analysis that records its version"),
    AnalysisRevision(
        2, "rides in a vehicle are now left out where the recording has a GPS track", _recordings_with_gps
    ),
    AnalysisRevision(
        3,
        "a phone's strides with steps more vigorous than walking (running, jumping) are no longer trusted for coaching",
        _recordings_with_step_model,
    ),
)
"""Every revision of the analysis, oldest first; the last is :data:`ANALYSIS_REVISION`."""


def revisions_since(revision: int, source: Mapping[str, Any]) -> list[AnalysisRevision]:
    """The revisions after ``revision`` that can change the analysis of a recording with this source metadata:
    empty when analysing it again with this version gives the same figures.

    Examples
    --------
    >>> [r.number for r in revisions_since(1, {"has_gps": True, "placement": "lower_back"})]
    [2]
    >>> revisions_since(1, {"has_gps": False, "placement": "lower_back"})
    []
    >>> [r.number for r in revisions_since(1, {"has_gps": False, "placement": "pocket"})]
    [3]
    >>> [r.number for r in revisions_since(0, {"has_gps": False})]
    [1, 3]
    """
    return [r for r in ANALYSIS_REVISIONS if r.number > revision and r.can_change(source)]


MODEL_NOTE_START = "stride length:"
"""How the note on the stride-length model starts (:func:`model_notes`: every analysis has one, after the notes of
the recording's reader and before every other note)."""

GPS_MIN_BOUT_S = 60.0
"""Bouts shorter than this are too short for a phone's GPS (metres of jitter) to give a stride length."""
GPS_MAX_ACCURACY_M = 15.0
"""GPS fixes with a worse horizontal accuracy are ignored."""
GPS_VEHICLE_SPEED_MPS = 5.0
"""Above this GPS speed (18 km/h) over a window of GPS_VEHICLE_WINDOW_S, the walker rides: a car, bus or train.

No one walks that fast: adults' maximum walking speed is 1.75-2.53 m/s (Bohannon 1997, Age Ageing 26:15-19;
comfortable 1.27-1.46 m/s), people break into a run near 2 m/s (Hreljac 1993, Med Sci Sports Exerc 25:1158-62), and
the men's 20 km race-walking world record (1:16:36, Suzuki 2015) is 4.35 m/s. It sits above running as most people
run, too, which the tracker may count as steps and which is no vehicle: a 5 min/km jog is 3.3 m/s, and the jogs in
the phyphox exports with GPS in the shared data (phyphox_linear_acc_plus_gps_walks) read 2.6-3.6 m/s over 25 s
windows, their walks 1.2-2.1 m/s. A car or bus moving in town traffic goes 20-50 km/h (5.6-14 m/s); slower
crawling is missed, and its bounce is weaker."""
GPS_VEHICLE_WINDOW_S = 25.0
"""Length of the windows a ride is judged over: a few hundred metres of a vehicle, and a span over which GPS jitter
of a few metres adds well under 1 m/s to a walk's speed."""
GPS_CHORD_S = 5.0
"""The path is measured through positions this far apart (see :func:`gait.gps.fast_spans`)."""
GPS_MAX_GAP_S = 10.0
"""Longest gap between good fixes in a judged stretch (a 25 s window holds at least three fixes)."""

OFFLINE_CHUNK_S = 600.0
"""Chunk length for offline analysis: large enough for vectorised speed, small enough to bound memory."""

TRUNK_GYRO_P95_MAX_DPS = 250.0
"""Above this 95th percentile of the gyroscope norm while walking, a sensor said to be on the trunk is not.

The trunk turns slowly: over the 67 lower-back recordings of the benchmark (two labs, healthy and impaired
walkers, straight walks, U-turns and simulated daily life) the 95th percentile stays at 40-152 deg/s, while a shoe
sensor's swing gives 299-620 deg/s (118 recordings). A threshold between them catches a foot recording analysed as
a lower-back one (the default of ``gait analyze``), whose strides would otherwise look plausible."""


REANALYSE_PLACEMENT_WORDS = "Worn elsewhere? Analyse as another placement"
"""The walk page's control that analyses a stored walk again as another placement, keeping its id and pain reports
(service/static/app.js, ``placementControl``: keep the two the same). The placement check's notes send the walker
there: deleting the walk and uploading it again would unlink its pain reports for good."""


def strides_spanned(contacts: int, placement: Placement | None) -> float:
    """How many strides a bout's contacts span: trunk and phone strides overlap (each contact starts one), so n
    contacts span (n - 1) / 2 strides; a foot sensor sees one foot, and n contacts span n - 1.

    Examples
    --------
    >>> strides_spanned(9, Placement.LOWER_BACK), strides_spanned(9, Placement.FOOT)
    (4.0, 8.0)
    """
    return (1.0 if placement is Placement.FOOT else 0.5) * (contacts - 1)


def walker_steps(contacts: int, placement: Placement | str | None) -> int:
    """The steps the walker took where a sensor found ``contacts``: a trunk or phone sensor feels every step; a foot
    sensor only its own foot's, and the other foot steps once between two of them, so twice as many (the cadence
    counts a foot sensor's steps the same way: :attr:`gait.types.BoutEvent.cadence_spm`).

    Examples
    --------
    >>> walker_steps(17, Placement.FOOT), walker_steps(17, "foot"), walker_steps(17, Placement.POCKET)
    (34, 34, 17)
    """
    return 2 * contacts if placement == Placement.FOOT else contacts


class RidingSpan(NamedTuple):
    """A span that GPS shows in a vehicle and the steps left out in it."""

    start_s: float
    end_s: float
    speed_mps: float
    steps: int


@dataclass
class Analysis:
    """The events of a recording and its summary.

    Attributes
    ----------
    steps, strides, bouts
        Events in time order.
    duration_s
        Length of the recording.
    placement
        Placement used for the analysis.
    reason
        Why nothing was found, or None.
    notes
        Remarks on how figures were obtained (models, defaults in use).
    gps_stride_length_m
        Bout index -> stride length from GPS (2 x distance / steps), for bouts long enough.
    riding
        Spans the GPS track shows moving faster than anyone walks, whose steps, strides and bouts were left out.
    """

    steps: list[StepEvent] = field(default_factory=list)
    strides: list[StrideEvent] = field(default_factory=list)
    bouts: list[BoutEvent] = field(default_factory=list)
    duration_s: float = 0.0
    placement: Placement | None = None
    reason: str | None = None
    notes: list[str] = field(default_factory=list)
    gps_stride_length_m: dict[int, float] = field(default_factory=dict)  # bout index -> GPS-based stride length
    riding: list[RidingSpan] = field(default_factory=list)  # spans GPS shows in a vehicle, their steps left out

    @property
    def one_foot(self) -> bool:
        """Whether the steps are the contacts of one foot only (a foot sensor's strides)."""
        return any(s.method == "zupt" for s in self.strides)

    @property
    def summary(self) -> dict[str, Any]:
        """Totals over the recording; None where a figure cannot be estimated."""
        lengths = np.array([s.length_m for s in self.strides if s.length_m is not None], dtype=float)
        walking_time_s = float(sum(b.end_s - b.start_s for b in self.bouts))
        cadences = [s.cadence_spm for s in self.strides]
        return {
            "steps": len(self.steps),
            "strides": len(self.strides),
            "cadence_spm": round_half_away(float(np.median(cadences)), 1) if cadences else None,
            "stride_length_m": round_half_away(float(np.median(lengths)), 3) if len(lengths) else None,
            "distance_m": None if (distance_m := self.known_distance_m) is None else round_half_away(distance_m, 1),
            "walking_time_s": round_half_away(walking_time_s, 2),
            "duration_s": round_half_away(self.duration_s, 2),
        }

    @property
    def distance_m(self) -> float:
        """Distance walked: per bout, the mean known stride length times the strides the bout's contacts span
        (0 for a bout without a known length; see :attr:`known_distance_m`).

        Trunk and phone strides overlap (each contact starts one), so a bout of n contacts spans (n - 1) / 2
        strides; a foot sensor sees one foot, and n contacts span n - 1 strides.
        """
        return self._distance()[0]

    @property
    def known_distance_m(self) -> float | None:
        """:attr:`distance_m` where it can be told: None without strides, or where a bout's strides have no length
        at all (a wrist sensor; a foot sensor without gyroscope). A bout with some strides of unknown length (lost
        samples) is scaled by the mean of its others: its contacts still count its strides."""
        total_m, complete = self._distance()
        return total_m if complete and self.strides else None

    def _distance(self) -> tuple[float, bool]:
        # Strides come in time order, so each bout's strides are one slice (a day holds thousands of bouts).
        starts = np.array([s.start_s for s in self.strides], dtype=float)
        lengths = np.array([np.nan if s.length_m is None else s.length_m for s in self.strides], dtype=float)
        total = 0.0
        complete = True
        for bout in self.bouts:
            first = np.searchsorted(starts, bout.start_s, side="left")
            last = np.searchsorted(starts, bout.end_s, side="right")
            inside = lengths[first:last]
            known = inside[np.isfinite(inside)]
            if len(known):
                total += float(np.mean(known)) * strides_spanned(bout.steps, self.placement)
            elif len(inside):
                complete = False
        return total, complete

    def to_dict(
        self, *, target_stride_m: float | None = None, overlong: Sequence[bool | None] | None = None
    ) -> dict[str, Any]:
        """The JSON document of ``gait analyze --json`` (stable keys; unknown values are null).

        Parameters
        ----------
        target_stride_m
            When given, each stride gets ``"overlong": true|false`` (null when its length is unknown or not
            confident enough to judge) and the summary counts ``"overlong_strides"``; without it both are null.
        overlong
            Each stride's judgement made already (a stored walk's, against a target that follows its cadence), used
            instead of judging against ``target_stride_m``.
        """
        flags: list[bool | None] = [None] * len(self.strides)
        if overlong is not None:
            flags = list(overlong)
        elif target_stride_m is not None:
            flags = flag_overlong(self.strides, target_stride_m)
        judged = overlong is not None or target_stride_m is not None
        summary = self.summary
        summary["overlong_strides"] = sum(f is True for f in flags) if judged else None
        gps = list(self.gps_stride_length_m.values())
        summary["gps_stride_length_m"] = round_half_away(float(np.median(gps)), 3) if gps else None
        summary["target_stride_m"] = target_stride_m
        return {
            "summary": summary,
            "placement": None if self.placement is None else self.placement.value,
            "reason": self.reason,
            "notes": list(self.notes),
            "steps": [{"t_s": round_half_away(s.t_s, 3), "side": s.side} for s in self.steps],
            "strides": [
                {
                    "start_s": round_half_away(s.start_s, 3),
                    "end_s": round_half_away(s.end_s, 3),
                    "duration_s": round_half_away(s.duration_s, 3),
                    "length_m": s.length_m,
                    "cadence_spm": s.cadence_spm,
                    "speed_mps": s.speed_mps,
                    "confidence": s.confidence,
                    "method": s.method,
                    "side": s.side,
                    "overlong": flag,
                }
                for s, flag in zip(self.strides, flags, strict=True)
            ],
            "bouts": [
                {
                    "start_s": round_half_away(b.start_s, 3),
                    "end_s": round_half_away(b.end_s, 3),
                    "steps": b.steps,
                    "cadence_spm": round_half_away(b.cadence_spm, 2) if b.steps > 1 else None,
                    "gps_stride_length_m": self.gps_stride_length_m.get(i),
                }
                for i, b in enumerate(self.bouts)
            ],
            "riding": [
                {
                    "start_s": round_half_away(r.start_s, 3),
                    "end_s": round_half_away(r.end_s, 3),
                    "speed_mps": round_half_away(r.speed_mps, 2),
                    "steps": r.steps,
                }
                for r in self.riding
            ],
        }


def collect(events: list[GaitEvent], analysis: Analysis) -> None:
    """Sort events into an analysis by kind."""
    for e in events:
        if isinstance(e, StepEvent):
            analysis.steps.append(e)
        elif isinstance(e, StrideEvent):
            analysis.strides.append(e)
        else:
            analysis.bouts.append(e)


def analyze(
    recording: Recording,
    *,
    placement: Placement | str | None = None,
    body_height_m: float | None = None,
    sensor_height_m: float | None = None,
    stride_scale: float | None = None,
    sensor_side: str | None = None,
    chunk_s: float = OFFLINE_CHUNK_S,
    progress: Callable[[float], None] | None = None,
    sensor_height_from: str | None = None,
) -> Analysis:
    """Analyse a whole recording with the streaming tracker.

    Parameters
    ----------
    recording
        The samples; its placement and heights are used where the arguments are None.
    placement
        Overrides the recording's placement; required when the recording has none.
    body_height_m, sensor_height_m
        Override the recording's values.
    stride_scale
        Personal calibration factor.
    sensor_side
        ``"left"`` / ``"right"``: the shoe a foot sensor is on; its steps and strides then carry that side.
    chunk_s
        Length of the chunks fed to the tracker (results do not depend on it).
    progress
        Called after each chunk with the share of the recording analysed so far (0-1).
    sensor_height_from
        Where the recording's own sensor height came from, for the stride-length note ("from the live walk's
        journal"), when ``sensor_height_m`` is None; default: said as given.

    Returns
    -------
    Analysis
        Events and summary; ``reason`` says why when nothing was found.
    """
    placement = placement if placement is not None else recording.placement
    if placement is None:
        raise GaitError(
            "the placement of the sensor is unknown: say where it was worn, one of "
            + ", ".join(p.value for p in Placement),
            reason="placement_missing",
        )
    check_samples(recording.time_s, recording.acc_ms2, recording.gyr_dps, what=recording.source.get("file", "input"))
    tracker = GaitTracker(
        placement=placement,
        body_height_m=body_height_m if body_height_m is not None else recording.body_height_m,
        sensor_height_m=sensor_height_m if sensor_height_m is not None else recording.sensor_height_m,
        stride_scale=stride_scale,
        sensor_side=sensor_side,
    )
    result = Analysis(duration_s=recording.duration_s, placement=tracker.placement)
    t = recording.time_s
    edges = np.searchsorted(t, np.arange(t[0], t[-1], chunk_s)[1:], side="left")
    bounds = [0, *edges.tolist(), len(t)]
    for a, b in itertools.pairwise(bounds):
        if b > a:
            gyr = None if recording.gyr_dps is None else recording.gyr_dps[a:b]
            collect(tracker.update(Chunk(t[a:b], recording.acc_ms2[a:b], gyr)), result)
            if progress is not None:
                progress(b / len(t))
    collect(tracker.finish(), result)
    if recording.gps is not None:
        # before the notes: the placement check looks at the walking bouts, which a ride's vibration is not
        leave_out_riding(result, recording.gps)
    result.notes += [str(note) for note in recording.source.get("notes", [])]  # what the reader dropped or ignored
    height_from = sensor_height_from if sensor_height_m is None else None
    result.notes += model_notes(tracker, has_gyroscope=recording.gyr_dps is not None, sensor_height_from=height_from)
    result.notes += placement_notes(recording, result)
    result.notes += sensor_notes(tracker, len(result.strides))
    if result.riding:
        result.notes.append(riding_note(result.riding))
    if recording.gps is not None:
        result.gps_stride_length_m = gps_stride_lengths(result, recording.gps)
        if result.gps_stride_length_m:
            result.notes.append(
                f"GPS-based stride length (2 x GPS distance / steps) for {len(result.gps_stride_length_m)} bout(s) "
                f"of at least {GPS_MIN_BOUT_S:.0f} s, shown beside the sensor estimate"
            )
    if not result.steps:
        result.reason = "too short: fewer samples than one stride" if recording.duration_s < 2.0 else "no walking found"
    return result


def vehicle_spans(track: GpsTrack) -> list[FastSpan]:
    """The spans of a GPS track faster than anyone walks (GPS_VEHICLE_SPEED_MPS over GPS_VEHICLE_WINDOW_S, good
    fixes only): :func:`gait.gps.fast_spans` with the analysis' settings."""
    return fast_spans(
        track,
        GPS_VEHICLE_SPEED_MPS,
        window_s=GPS_VEHICLE_WINDOW_S,
        chord_s=GPS_CHORD_S,
        max_gap_s=GPS_MAX_GAP_S,
        max_accuracy_m=GPS_MAX_ACCURACY_M,
    )


def leave_out_riding(result: Analysis, track: GpsTrack) -> None:
    """Leave out of an analysis the steps, strides and bouts that the GPS track shows in a vehicle.

    A vehicle's bounce (a car's suspension at 1.2-1.8 Hz) has a step-like rhythm the tracker takes for walking
    (bench/not_walking.py), but no walker moves at GPS_VEHICLE_SPEED_MPS: where good fixes show that speed over
    windows of GPS_VEHICLE_WINDOW_S (:func:`gait.gps.fast_spans`), the steps in the span are dropped, with every
    stride that overlaps it; a bout only partly in it keeps its parts before and after (each as a bout, when it
    still spans a stride). Where fixes are poor or missing nothing is judged, and nothing is dropped.

    Parameters
    ----------
    result
        The tracker's events, changed in place; ``riding`` gets the spans where steps were dropped.
    track
        The recording's GPS track.
    """
    spans = vehicle_spans(track)
    if not spans or not result.steps:
        return
    step_t = np.array([s.t_s for s in result.steps])
    ridden = np.zeros(len(step_t), dtype=bool)
    riding = []
    for span in spans:
        inside = (step_t >= span.start_s) & (step_t <= span.end_s)
        if inside.any():
            ridden |= inside
            riding.append(RidingSpan(span.start_s, span.end_s, span.speed_mps, int(inside.sum())))
    if not riding:
        return
    keep = ~ridden
    bouts = []
    for bout in result.bouts:
        in_bout = np.arange(np.searchsorted(step_t, bout.start_s), np.searchsorted(step_t, bout.end_s, side="right"))
        if not ridden[in_bout].any():
            bouts.append(bout)
            continue
        # the runs of steps between the ridden ones
        for piece in np.split(in_bout, np.flatnonzero(ridden[in_bout])):
            piece = piece[~ridden[piece]]
            if len(piece) >= (2 if bout.one_foot else 3):  # a bout spans at least one stride
                bouts.append(BoutEvent(float(step_t[piece[0]]), float(step_t[piece[-1]]), len(piece), bout.one_foot))
            else:
                keep[piece] = False
    # a stride goes with any dropped step within it: strides are bounded by contacts, so one that spans a dropped
    # step reaches into a ride or into a piece too short to keep
    dropped_t = step_t[~keep]
    strides = result.strides
    first = np.searchsorted(dropped_t, [s.start_s for s in strides], side="left")
    after = np.searchsorted(dropped_t, [s.end_s for s in strides], side="right")
    result.strides = [s for s, a, b in zip(strides, first, after, strict=True) if a == b]
    result.steps = [s for s, k in zip(result.steps, keep, strict=True) if k]
    result.bouts = bouts
    result.riding = riding


def riding_speeds(riding: Sequence[RidingSpan]) -> str:
    """The speeds of the spans GPS showed in a vehicle, in km/h: one speed, or the range of several.

    Examples
    --------
    >>> riding_speeds([RidingSpan(0.0, 100.0, 8.0, 150)])
    '29 km/h'
    >>> riding_speeds([RidingSpan(0.0, 100.0, 8.0, 150), RidingSpan(400.0, 520.0, 12.0, 1)])
    '29-43 km/h'
    """
    kmh = sorted(round_half_away(3.6 * r.speed_mps) for r in riding)
    return f"{kmh[0]:.0f} km/h" if kmh[0] == kmh[-1] else f"{kmh[0]:.0f}-{kmh[-1]:.0f} km/h"


def riding_note(riding: Sequence[RidingSpan]) -> str:
    """Say in plain words where GPS showed a vehicle and how many steps were left out.

    Examples
    --------
    >>> riding_note([RidingSpan(60.0, 310.0, 10.6, 412)])
    'GPS: 4 min 10 s at 38 km/h (a vehicle, not walking): 412 steps in it left out'
    >>> riding_note([RidingSpan(0.0, 100.0, 8.0, 150), RidingSpan(400.0, 520.0, 12.0, 1)])
    'GPS: 2 stretches, 3 min 40 s in all at 29-43 km/h (a vehicle, not walking): 151 steps in them left out'
    """
    total_s = sum(r.end_s - r.start_s for r in riding)
    steps = sum(r.steps for r in riding)
    spans = "" if len(riding) == 1 else f"{len(riding)} stretches, "
    return (
        f"GPS: {spans}{format_duration(total_s)}{'' if len(riding) == 1 else ' in all'} at {riding_speeds(riding)} "
        f"(a vehicle, not walking): {steps} step{'' if steps == 1 else 's'} in "
        f"{'it' if len(riding) == 1 else 'them'} left out"
    )


def gps_stride_lengths(result: Analysis, track: GpsTrack) -> dict[int, float]:
    """GPS stride length per walking bout long enough for GPS jitter to average out."""
    out: dict[int, float] = {}
    contact_steps = 2 if result.placement is Placement.FOOT else 1  # a foot sensor sees every other step
    for i, bout in enumerate(result.bouts):
        if bout.end_s - bout.start_s < GPS_MIN_BOUT_S or bout.steps < 2:
            continue
        length = gps_stride_length_m(
            track, bout.start_s, bout.end_s, contact_steps * (bout.steps - 1), max_accuracy_m=GPS_MAX_ACCURACY_M
        )
        if length is not None:
            out[i] = round_half_away(length, 3)
    return out


def placement_notes(recording: Recording, result: Analysis) -> list[str]:
    """Warn when the gyroscope contradicts the placement given (see TRUNK_GYRO_P95_MAX_DPS): a "trunk" sensor that
    turns like a limb while walking, or a "foot" sensor that turns like a trunk while moving.

    Parameters
    ----------
    recording
        The analysed samples.
    result
        The analysis, whose walking bouts select the samples looked at for a trunk placement (rest says nothing
        about placement).

    Returns
    -------
    list of str
        One note when the gyroscope's rate contradicts the placement, else none.
    """
    doubt = placement_doubt(recording, result)
    if doubt is None:
        return []
    return [f"placement check: {doubt.measured}; {doubt.instead}: " + analyse_again_as(*doubt.placements)]


@dataclass(frozen=True)
class PlacementDoubt:
    """The gyroscope's evidence against the placement analysed (:func:`placement_doubt`)."""

    measured: str
    """What was measured, in words ("while walking the gyroscope turned at 601 deg/s ...")."""
    instead: str
    """Where it would fit, in words ("if it was on a shoe or in a pocket, analyse it again as foot or pocket")."""
    placements: tuple[str, ...]
    """The placements it fits instead (``Placement`` values)."""


def placement_doubt(recording: Recording, result: Analysis) -> PlacementDoubt | None:
    """The gyroscope's evidence against the placement analysed (see :func:`placement_notes`); None when it does not
    contradict the placement (or there is no gyroscope)."""
    if recording.gyr_dps is None:
        return None
    if result.placement is Placement.FOOT:
        return _foot_doubt(recording)
    if result.placement not in (Placement.LOWER_BACK, Placement.WAIST):
        return None
    t = recording.time_s
    walking = np.zeros(len(t), dtype=bool)
    for bout in result.bouts:
        walking[np.searchsorted(t, bout.start_s) : np.searchsorted(t, bout.end_s, side="right")] = True
    p95_dps = _gyro_p95_dps(recording.gyr_dps, walking)
    if p95_dps is None or p95_dps <= TRUNK_GYRO_P95_MAX_DPS:
        return None
    return PlacementDoubt(
        f"while walking the gyroscope turned at {p95_dps:.0f} deg/s (95th percentile), far faster than a sensor on "
        f"the lower back or waist does (under about {TRUNK_GYRO_P95_MAX_DPS:.0f})",
        "if it was on a shoe or in a pocket, analyse it again as foot or pocket",
        ("foot", "pocket"),
    )


MOVING_ACC_STD_MS2 = 1.0
"""Standard deviation of the acceleration norm over a second above which the sensor is moving (the foot check).

A foot sensor said to be on the shoe but worn on the trunk finds (almost) no walking with the foot's detector, so
the walking bouts cannot select the samples to look at. Walking shakes a sensor anywhere on the body by well over
this (heel strikes of 1-3 m/s^2 at the trunk, several g at the foot); a sensor at rest or carried steadily stays
under it."""
FOOT_CHECK_MIN_MOVING_S = 10.0
"""Moving time needed before the foot check says anything (a few strides' worth)."""


def _foot_doubt(recording: Recording) -> PlacementDoubt | None:
    """The foot check: a shoe sensor swings at 325-690 deg/s (95th percentile while moving, 118 benchmark
    recordings); trunk sensors stay at 38-148 (67). Below TRUNK_GYRO_P95_MAX_DPS the sensor was not on a shoe."""
    acc_norm = np.sqrt(np.einsum("ij,ij->i", recording.acc_ms2, recording.acc_ms2))
    dt_s = float(np.median(np.diff(recording.time_s))) if len(recording.time_s) > 1 else 0.0
    if not dt_s > 0.0:
        return None
    window = max(3, round(1.0 / dt_s))
    mean = uniform_filter1d(acc_norm, window)
    var = uniform_filter1d(acc_norm * acc_norm, window) - mean * mean
    moving = var > MOVING_ACC_STD_MS2**2
    if moving.sum() * dt_s < FOOT_CHECK_MIN_MOVING_S:
        return None
    p95_dps = _gyro_p95_dps(recording.gyr_dps, moving)
    if p95_dps is None or p95_dps > TRUNK_GYRO_P95_MAX_DPS:
        return None
    return PlacementDoubt(
        f"while moving the gyroscope turned at only {p95_dps:.0f} deg/s (95th percentile), far slower than a sensor "
        f"on a shoe swings (over about {TRUNK_GYRO_P95_MAX_DPS:.0f})",
        "if it was on the lower back or waist, analyse it again with that placement",
        ("lower_back", "waist"),
    )


def analyse_again_as(*placements: str) -> str:
    """Where the placement check's notes send the walker to analyse a recording again as one of ``placements``."""
    choices = " or ".join(f"--placement {p}" for p in placements)
    return f'on the dashboard, "{REANALYSE_PLACEMENT_WORDS}" on the walk\'s page (command line: gait analyze {choices})'


def _gyro_p95_dps(gyr_dps: np.ndarray, rows_mask: np.ndarray) -> float | None:
    """95th percentile of the gyroscope norm over the masked samples (None with fewer than 2)."""
    rows = np.flatnonzero(rows_mask)
    if len(rows) < 2:
        return None
    # An evenly spread subsample of at most about 100k samples tells the 95th percentile as well as all of them (a
    # day of walking holds millions), at a fraction of the cost.
    gyr = gyr_dps[rows[:: max(1, len(rows) // 100_000)]]
    return float(np.percentile(np.sqrt(np.einsum("ij,ij->i", gyr, gyr)), 95))


def sensor_notes(tracker: GaitTracker, n_strides: int) -> list[str]:
    """Say what the sensor's faults did to a foot sensor's stride lengths, and how to avoid them.

    The foot's ZUPT integrates the whole signal of every stride (:mod:`gait.zupt`), so what the sensor did not
    deliver is missing from the length: samples lost in transit (a stride that spans a hole gets no length, see
    ``gait.tracker.HOLE_MIN_S``) and readings beyond the sensor's range (a saturated axis: the stride's confidence
    is lowered below the coach's threshold, see ``gait.zupt.CLIP_RUN_S``). The other placements' models hold up
    to such faults on the benchmark (bench.robustness): no note for them.

    Parameters
    ----------
    tracker
        The tracker after the recording, whose state counts the strides the faults touched.
    n_strides
        Strides emitted (the share is said against them).

    Returns
    -------
    list of str
        One note per fault found, naming it and the remedy.
    """
    st = tracker.state
    notes = []
    if st.strides_holed:
        notes.append(
            f"samples lost in transit: {st.strides_holed} of {n_strides} strides span a gap of "
            f"{1000 * HOLE_MIN_S:.0f} ms or more in the sensor's samples (radio packets lost) and have no length; "
            "the distance uses the other strides. Keep the phone or receiver close to the sensor"
        )
    if st.strides_acc_clipped:
        notes.append(
            f"the accelerometer reached its range (+-{st.acc_clip_ms2 / GRAVITY_MS2:.1f} g) in "
            f"{st.strides_acc_clipped} of {n_strides} strides: their lengths miss the motion beyond it and get a "
            "low confidence. Set the sensor's accelerometer range to 16 g on a shoe"
        )
    if st.strides_gyr_clipped:
        notes.append(
            f"the gyroscope reached its range (+-{st.gyr_clip_dps:.0f} deg/s) in {st.strides_gyr_clipped} of "
            f"{n_strides} strides: their lengths miss the rotation beyond it and get a low confidence. Set the "
            "sensor's gyroscope range to 2000 deg/s on a shoe (the swing turns at 300-1,500 deg/s)"
        )
    return notes


def model_notes(
    tracker: GaitTracker, *, has_gyroscope: bool = True, sensor_height_from: str | None = None
) -> list[str]:
    """Say how stride lengths were obtained for this tracker's settings.

    Parameters
    ----------
    tracker
        The tracker whose placement and settings chose the model.
    has_gyroscope
        Whether the input had a gyroscope; the foot model cannot run without one.
    sensor_height_from
        Where the tracker's sensor height came from, in words; default: "the sensor height given".

    Returns
    -------
    list of str
        One note naming the model, or why there are no stride lengths.
    """
    p = tracker.placement
    scale = "" if tracker.stride_scale is None else f", personal factor {factor_words(tracker.stride_scale)}"
    if p in (Placement.LOWER_BACK, Placement.WAIST):
        h, known = tracker.pendulum_sensor_height()
        if tracker.sensor_height_m is not None:
            src = sensor_height_from or "the sensor height given"
        elif known:
            src = f"from the body height {tracker.body_height_m:.2f} m"
        else:
            # worded for the dashboard and the command line alike: the profile's height, or the flag
            src = (
                f"assumed from a default body height of {DEFAULT_BODY_HEIGHT_M:.2f} m: give your height (profile, or "
                "--height-m) for better lengths"
            )
        note = f"stride length: inverted-pendulum model, sensor height {h:.2f} m ({src}){scale}"
        if p is Placement.WAIST and tracker.stride_scale is None:
            note += (
                "; at the waist the model is not validated: lengths are trusted for coaching after a calibration "
                "walk of known distance"
            )
        return [note]
    if p is Placement.FOOT:
        if not has_gyroscope:
            return [
                "stride length: not estimated: the foot model (zero-velocity-update integration) needs a gyroscope "
                "and none was read from this recording; steps and cadence are still given. If the file has gyroscope "
                "columns, name them with their unit (gyr_x_dps for deg/s, gyr_x_rads for rad/s; the notes name "
                "columns that were not read); otherwise record again with the sensor's gyroscope switched on to get "
                "stride lengths"
            ]
        return [f"stride length: zero-velocity-update integration of the foot sensor{scale}"]
    if p in (Placement.POCKET, Placement.HAND):
        # a height given with a phone walk would otherwise read as having personalised its lengths: it does not
        # (no evidence here ties this model's factor to height; a calibration walk measures it)
        height = (
            f"; your body height ({tracker.body_height_m:.2f} m) is not used by this model"
            if tracker.body_height_m is not None
            else ""
        )
        if tracker.stride_scale is None:
            return [
                f"stride length: Weinberg step model with a population factor (low confidence){height}; "
                "calibrate with a walk of known distance for personal accuracy"
            ]
        return [f"stride length: Weinberg step model{scale}{height}"]
    return [f"stride length: no model fits a {p.value} sensor; cadence only"]
