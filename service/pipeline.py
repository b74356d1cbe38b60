"""From an uploaded file to a stored walk: read, analyse, flag overlong strides, insert in one transaction.

Everything here blocks (file parsing, numpy); the upload router runs it in a worker thread and reports each
stage through a progress callback so the dashboard can show it.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from gait.analysis import (
    ANALYSIS_REVISION,
    GPS_VEHICLE_WINDOW_S,
    REANALYSE_PLACEMENT_WORDS,
    RidingSpan,
    riding_note,
    riding_speeds,
    walker_steps,
)
from gait.coach import StrideJudge
from gait.coach.settings import MIN_PLAN_WALK_TIME_S, MIN_WALK_TIME_S, PLAN_WALK_SHARE
from gait.coach.text import format_duration
from gait.types import Placement, Recording, StrideEvent
from ingest import is_phone_recording, load, read_apple_health
from ingest.csv_formats import unmodelled_location
from ingest.errors import IngestError
from service import coaching, samewalk
from service.coaching import StrideFlagger, judged_description
from service.recordings import StagedRecording, stage_recording
from service.store import DuplicateRecordingError, NewWalk, Store


def _package_version() -> str:
    """The installed gait-analyser's version ("0+unknown" when run from a tree that is not installed)."""
    try:
        return importlib.metadata.version("gait-analyser")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


ProgressFn = Callable[[str, float], None]
"""Called with (stage, fraction 0..1) as the pipeline advances."""
RefusedFn = Callable[[DuplicateRecordingError, NewWalk, Recording, StagedRecording], list[int] | None]
"""Called when an upload whose samples are kept is refused as a walk already stored, with the refusal, the analysed
walk, its recording and its staged samples: the ids it stored the upload as instead (placing the samples), or None
to refuse it (:func:`process_file`'s ``on_refused``)."""


@dataclass(frozen=True)
class AnalysisOptions:
    """The walker's settings applied to an analysis (from the profile)."""

    placement: Placement | None = None
    body_height_m: float | None = None
    stride_scale: float | None = None
    sensor_side: str | None = None  # the shoe a foot sensor was on, when the walker says


def personal_scale(stride_scales: Mapping[Placement, float], placement: Placement | str | None) -> float | None:
    """The walker's calibration factor for walks with the sensor at ``placement`` (None when none was fitted there),
    as uploads, ``gait analyze`` and live walks apply it: each placement's factor is used for its placement only.

    Examples
    --------
    >>> scales = {Placement.POCKET: 1.07, Placement.FOOT: 0.98}
    >>> personal_scale(scales, Placement.FOOT), personal_scale(scales, "pocket"), personal_scale(scales, "lower_back")
    (0.98, 1.07, None)
    >>> personal_scale(scales, None) is None
    True
    """
    return None if placement is None else stride_scales.get(Placement.parse(placement))


def read_recording(path: Path, *, fmt: str | None = None, placement: Placement | None = None) -> Recording:
    """Read any supported recording format (raises :class:`ingest.errors.IngestError` with a clear message)."""
    return load(path, format=fmt, placement=placement)


EARLIEST_START_EPOCH_S = 946_684_800.0
"""2000-01-01 UTC: a recording clock before this is a clock since boot, not a date."""
FUTURE_START_SLACK_S = 86_400.0
"""A recording start further than this ahead of the computer's clock is a wrong phone clock."""


def recording_started_at(
    source: dict[str, Any],
    *,
    duration_s: float = 0.0,
    now_s: float | None = None,
    given_start_s: float | None = None,
) -> tuple[str, str]:
    """When a recording started, and where that time comes from: the file (``"recording"``); else the walker, who
    gave its start when uploading it (``given_start_s``, Unix seconds: ``"user"``); else now (``"import"``: the file
    has no usable start time, so the walk is dated to end now, ``duration_s`` ago: a walk cannot end after it was
    uploaded, and dated from now it ended in the future, after pain reports made since).

    Readers that know the recording's wall-clock start put it in ``source["start_epoch_s"]`` (Sensor Logger,
    phyphox, MetaWear) or ``source["started_at"]`` (ISO-8601: GENEActiv, AndroSensor); a start before 2000 or
    more than a day ahead is not a date. The file's own start wins over a given one.

    Examples
    --------
    >>> recording_started_at({"start_epoch_s": 1662729295.0}, given_start_s=1600000000.0)
    ('2022-09-09T13:14:55+00:00', 'recording')
    >>> recording_started_at({"start_epoch_s": None}, given_start_s=1662729295.0)
    ('2022-09-09T13:14:55+00:00', 'user')
    >>> recording_started_at({"start_epoch_s": None}, duration_s=300.0, now_s=1662729295.0)
    ('2022-09-09T13:09:55+00:00', 'import')
    """
    now_s = datetime.now(UTC).timestamp() if now_s is None else now_s
    epoch_s = recording_start_epoch_s(source, now_s=now_s)
    if epoch_s is not None:
        return datetime.fromtimestamp(epoch_s, UTC).isoformat(timespec="seconds"), "recording"
    if given_start_s is not None:
        return datetime.fromtimestamp(given_start_s, UTC).isoformat(timespec="seconds"), "user"
    return datetime.fromtimestamp(now_s - max(duration_s, 0.0), UTC).isoformat(timespec="seconds"), "import"


GIVEN_START_SLACK_S = 60.0
"""A start the walker gives may be up to this far ahead of the computer's clock (a clock a little off, the minute
typed): further ahead it is in the future, no time a walk was made."""


def given_start(text: str, *, now_s: float | None = None) -> datetime:
    """The start of a walk as the walker gave it when uploading it (ISO 8601 with its UTC offset, as the upload
    page sends its local time), checked: a date and time with its offset, from 2000 on, at most
    :data:`GIVEN_START_SLACK_S` ahead of now.

    Raises
    ------
    ValueError
        Saying what is wrong with it and how to give it.

    Examples
    --------
    >>> given_start("2026-11-20T09:30+01:00", now_s=1795600000.0).isoformat()
    '2026-11-20T09:30:00+01:00'
    >>> given_start("2026-11-20T09:30", now_s=1795600000.0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the start time given, 2026-11-20T09:30, has no UTC offset: give it as ISO 8601 with its offset, ...
    """
    now_s = datetime.now(UTC).timestamp() if now_s is None else now_s
    example = "give it as ISO 8601 with its offset, e.g. 2026-11-20T09:30+01:00"
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"the start time given, {text!r}, is not a date and time: {example}") from None
    if when.tzinfo is None:
        raise ValueError(f"the start time given, {text}, has no UTC offset: {example}")
    if when.timestamp() < EARLIEST_START_EPOCH_S:
        raise ValueError(f"the start time given, {text}, is before 2000: give the date and time the walk started")
    if when.timestamp() > now_s + GIVEN_START_SLACK_S:
        raise ValueError(
            f"the start time given, {text}, is in the future (this computer's clock says "
            f"{datetime.fromtimestamp(now_s, when.tzinfo).isoformat(timespec='minutes')}): give the date and time "
            "the walk started"
        )
    return when


def given_end_problem(start: datetime, duration_s: float, *, now_s: float | None = None) -> str | None:
    """Why a walk of ``duration_s`` cannot have started at ``start`` (:func:`given_start`), as the walker gave it: it
    would end after now (more than :data:`GIVEN_START_SLACK_S` ahead of the computer's clock), after pain reports
    made since; None when it ends by now.

    Examples
    --------
    >>> start = datetime.fromisoformat("2026-11-20T09:30+01:00")
    >>> given_end_problem(start, 600.0, now_s=start.timestamp() + 300.0)
    'started at 2026-11-20T09:30+01:00, as given, its 10 min of recording would end after now'
    >>> given_end_problem(start, 600.0, now_s=start.timestamp() + 600.0) is None
    True
    """
    now_s = time.time() if now_s is None else now_s
    if start.timestamp() + duration_s <= now_s + GIVEN_START_SLACK_S:
        return None
    return (
        f"started at {start.isoformat(timespec='minutes')}, as given, its {format_duration(duration_s)} of recording "
        "would end after now"
    )


def recording_start_epoch_s(source: dict[str, Any], *, now_s: float | None = None) -> float | None:
    """A recording's wall-clock start in Unix seconds (its first sample), or None when the file has no usable
    start time (see :func:`recording_started_at`).

    Examples
    --------
    >>> recording_start_epoch_s({"start_epoch_s": 1729260574.5564504})
    1729260574.5564504
    >>> recording_start_epoch_s({"started_at": "2024-10-18T14:09:34.5+00:00"})
    1729260574.5
    >>> recording_start_epoch_s({"start_epoch_s": 12.5}) is None  # a clock since boot
    True
    """
    now_s = datetime.now(UTC).timestamp() if now_s is None else now_s
    epoch_s = source.get("start_epoch_s")
    if epoch_s is None and isinstance(source.get("started_at"), str):
        try:
            when = datetime.fromisoformat(source["started_at"])
            epoch_s = (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
        except ValueError:
            epoch_s = None
    if (
        isinstance(epoch_s, int | float)
        and math.isfinite(epoch_s)
        and EARLIEST_START_EPOCH_S <= epoch_s <= now_s + FUTURE_START_SLACK_S
    ):
        return float(epoch_s)
    return None


def on_clock_axis(recording: Recording, start_epoch_s: float) -> Recording:
    """``recording`` with its times in Unix seconds, its first sample at ``start_epoch_s`` (its clock time).

    Gait CSV's time is "seconds from any origin": written in Unix seconds, a file keeps the walk's date, which our
    reader dates an upload of it by (``gait convert``, the export's samples).

    Examples
    --------
    >>> rec = Recording(np.array([2.0, 2.5]), np.zeros((2, 3)))
    >>> on_clock_axis(rec, 1729260574.5).time_s.tolist()
    [1729260574.5, 1729260575.0]
    """
    if not recording.n_samples:
        return recording
    return replace(recording, time_s=start_epoch_s + (recording.time_s - recording.time_s[0]))


def time_origin(start_epoch_s: float | None, first_sample_s: float | None) -> str | None:
    """The clock time (ISO 8601, UTC, to the millisecond) of ``t_s = 0`` on a recording's own time axis, the axis
    of the JSON document's times; None when the recording is not dated (its times then tell no clock time).

    ``start_epoch_s`` is the first sample's clock time (:func:`recording_start_epoch_s`), ``first_sample_s`` its
    time on the file's axis: a file counting Unix seconds has its origin in 1970, one counting from its start the
    start itself.

    Examples
    --------
    >>> time_origin(1729260574.5, 0.25)
    '2024-10-18T14:09:34.250+00:00'
    >>> time_origin(1729260574.5, 1729260574.5)
    '1970-01-01T00:00:00.000+00:00'
    >>> time_origin(None, 0.0) is None
    True
    """
    if start_epoch_s is None or first_sample_s is None:
        return None
    return datetime.fromtimestamp(start_epoch_s - first_sample_s, UTC).isoformat(timespec="milliseconds")


ONE_STRIDE_S = 2.0
"""An upload shorter than this with no stride in it is refused (``gait.analysis`` calls a recording with no steps
that short "too short: fewer samples than one stride"; the slowest walking strides last about 2 s)."""

FINGERPRINT_DECIMALS = 6
"""Samples are rounded to this many decimals (µs, µm/s², µdeg/s) before hashing: far below any sensor's
resolution, so only the float noise of a unit conversion is absorbed, never a difference in the data."""

FINGERPRINT_BLOCK_ROWS = 65_536
"""Samples rounded and hashed at a time by :func:`recording_fingerprint`."""


def recording_fingerprint(recording: Recording) -> str:
    """A SHA-256 of a recording's decoded samples (times, acceleration, angular rate), hex.

    Hashing what was decoded rather than the file's bytes recognises the same recording re-saved with other line
    endings, a byte-order mark, a decimal comma, another column separator or inside a zip; two different walks
    never share their samples. Times are taken from the first sample, so a reader's epoch clock and an elapsed-time
    column give the same fingerprint. Metadata (file name, placement chosen) is left out: it is the same walk.

    Examples
    --------
    >>> import numpy as np
    >>> a = Recording(np.array([0.0, 0.01]), np.array([[0.0, 0.0, 9.81], [0.1, 0.0, 9.8]]))
    >>> b = Recording(np.array([0.0, 0.01]), np.array([[0.0, 0.0, 9.81], [0.1, 0.0, 9.8]]), source={"file": "x"})
    >>> recording_fingerprint(a) == recording_fingerprint(b)
    True
    """
    digest = hashlib.sha256()
    time_s = np.asarray(recording.time_s, dtype=np.float64)
    elapsed_s = time_s - time_s[0] if len(time_s) else time_s  # a reader's epoch or elapsed clock: the same samples
    for name, values in (("t", elapsed_s), ("acc", recording.acc_ms2), ("gyr", recording.gyr_dps)):
        if values is None:
            continue
        values = np.asarray(values, dtype=np.float64)
        digest.update(f"{name}{values.shape}".encode())
        # block by block (the digest of the blocks is that of the whole): rounding a day's samples at once held
        # two copies of them
        for start in range(0, len(values), FINGERPRINT_BLOCK_ROWS):
            rounded = np.round(values[start : start + FINGERPRINT_BLOCK_ROWS], FINGERPRINT_DECIMALS) + 0.0  # no -0.0
            digest.update(np.ascontiguousarray(rounded).tobytes())
    return digest.hexdigest()


def health_walk_fingerprint(start_epoch_s: float, duration_s: float, steps: float) -> str:
    """Fingerprint of one Apple Health summary walk (an export repeats all earlier walks: each is checked)."""
    return hashlib.sha256(f"apple_health|{start_epoch_s:.0f}|{duration_s:.0f}|{steps:.0f}".encode()).hexdigest()


YOUR_HEIGHT_ADVICE = ": give your height (profile, or --height-m) for better lengths"
"""The advice the model note gives when it assumed a default height (gait.analysis.model_notes)."""


def sample_walk_notes(notes: Iterable[str]) -> list[str]:
    """A sample's (or a demo's) notes: the user's height never applies to somebody else's walk, so the advice to
    give it is replaced by what is true (the sample states no height).

    Examples
    --------
    >>> note = "stride length: ... (assumed from a default body height of 1.70 m" + YOUR_HEIGHT_ADVICE + ")"
    >>> sample_walk_notes([note])
    ['stride length: ... (assumed from a default body height of 1.70 m: the sample states no height)']
    """
    return [n.replace(YOUR_HEIGHT_ADVICE, ": the sample states no height") for n in notes]


def _clean(value: Any) -> Any:
    """JSON/SQLite-safe number: NaN and inf become None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def stride_rows(strides: Iterable[StrideEvent], flagger: StrideFlagger | None) -> list[tuple[Any, ...]]:
    """Store rows (:data:`service.store.STRIDE_COLUMNS` without ``idx``) for strides, flagged when coaching applies.

    ``flagger`` (:func:`service.coaching.stride_flagger`) holds the walk's state: it is called once per stride, in
    the order given, which must be the walk's stride order."""
    rows = []
    for s in strides:
        target_m, overlong = flagger(s) if flagger else (None, None)
        rows.append(
            (
                s.start_s,
                s.end_s,
                _clean(s.length_m),
                _clean(s.cadence_spm),
                _clean(s.speed_mps),
                s.confidence,
                s.method,
                s.side,
                target_m,
                None if overlong is None else int(overlong),
            )
        )
    return rows


def short_walk_reason(walking_time_s: float | None) -> str | None:
    """What a walk's coaching says when its walking is too short to count as a walk for the coach (its baseline,
    its pain-free walks): plainly, since the plan's reasons state the rule but not that this walk falls under it.
    None for a walk long enough, or whose walking time is unknown.

    Examples
    --------
    >>> short_walk_reason(34.2)[:77]
    'Too short to count for the coaching: this walk holds 34 s of walking, under t'
    >>> short_walk_reason(95.0)[:65]
    'Short for the coaching: this walk holds 1 min 35 s of walking, un'
    >>> short_walk_reason(120.0) is None
    True
    """
    if walking_time_s is None or not math.isfinite(walking_time_s) or walking_time_s >= MIN_WALK_TIME_S:
        return None
    walking = format_duration(walking_time_s)
    usual = f"{MIN_WALK_TIME_S / 60.0:.0f} minutes"
    if walking_time_s < MIN_PLAN_WALK_TIME_S:
        return (
            f"Too short to count for the coaching: this walk holds {walking} of walking, under the "
            f"{MIN_PLAN_WALK_TIME_S / 60.0:.0f} minute the coach needs to tell a walk from a few steps (a walk "
            f"counts with {usual} of walking or more), so it is not part of your baseline and not a pain-free walk. "
            "It is kept and shown."
        )
    return (
        f"Short for the coaching: this walk holds {walking} of walking, under the {usual} a walk needs to be part of "
        "your baseline; it counts as a pain-free walk only if it reached about the walk length recommended when it "
        f"started ({100.0 * PLAN_WALK_SHARE:.0f} % of it or more)."
    )


PHONE_PLACEMENTS = frozenset(Placement) - {Placement.LOWER_BACK, Placement.FOOT}
"""Where a phone is carried: a phone app's export analysed without a placement takes the profile's usual one only if
it is one of these (:func:`usual_placement`).

Not the lower back nor the foot: those are a sensor's (a clip or belt at the spine, a shoe clip), and a phone in a
back pocket is a pocket's (the Oxford back-pocket walks). The waist is one: a phone in a belt holster sits there, and
the upload form's advice places a phone in a shoulder bag or handbag at the waist; the wrist, hand and chest (an arm
band, held, a neck pouch or backpack) are the form's other phone choices. The upload form says so
(service/static/app.js ``NO_PHONE_PLACEMENTS``: keep the two the same)."""

DASHBOARD_PLACEMENT_CHOICE = (
    f'choose it under "Where was the sensor worn?" when uploading, or "{REANALYSE_PLACEMENT_WORDS}" on the walk\'s page'
)
"""How a dashboard user chooses the placement of an upload (:func:`usual_placement`'s ``choose``)."""


def usual_placement(usual: Placement | str | None, *, phone: bool, choose: str) -> tuple[Placement | None, str | None]:
    """The placement an upload that names none (nor does its file) takes from the profile's usual one: that one,
    unless the recording is a phone app's (``phone``: :func:`ingest.is_phone_recording`) and no phone is carried
    there (:data:`PHONE_PLACEMENTS`: the walker's usual lower-back sensor is not this phone), then a pocket, the
    commonest carry, with a note saying so and how to choose (``choose``: ``gait analyze``'s or the dashboard's way).
    ``gait analyze`` (:func:`service.commands.analyze.choose_placement`) and the dashboard's upload
    (:func:`process_file`) both go through here.

    Examples
    --------
    >>> usual_placement("lower_back", phone=False, choose="say so")
    (<Placement.LOWER_BACK: 'lower_back'>, None)
    >>> usual_placement("waist", phone=True, choose="say so")
    (<Placement.WAIST: 'waist'>, None)
    >>> usual_placement(None, phone=True, choose="say so")
    (None, None)
    >>> print(usual_placement("foot", phone=True, choose="say so")[1])  # doctest: +NORMALIZE_WHITESPACE
    placement pocket assumed, not your profile's usual foot: this is a phone app's recording, and a phone is not
    carried on the foot (a sensor is); if the phone was elsewhere, say so
    """
    if usual is None:
        return None, None
    placement = Placement.parse(usual)
    if not phone or placement in PHONE_PLACEMENTS:
        return placement, None
    where = "on the foot" if placement is Placement.FOOT else f"at the {placement.value.replace('_', ' ')}"
    return Placement.POCKET, (
        f"placement pocket assumed, not your profile's usual {placement.value}: this is a phone app's recording, and "
        f"a phone is not carried {where} (a sensor is); if the phone was elsewhere, {choose}"
    )


def steps_counted(contacts: int, placement: Placement | str | None, also: str = "") -> str:
    """The walker's steps where a sensor found ``contacts`` (:func:`gait.analysis.walker_steps`), as a refusal of
    too little walking names them: for a foot sensor, with what was counted. ``also`` is said in the same brackets.

    Examples
    --------
    >>> steps_counted(6, "pocket", "3 s of walking"), steps_counted(1, "lower_back")
    ('6 steps (3 s of walking)', '1 step')
    >>> steps_counted(8, "foot")
    "16 steps (8 contacts of the sensor's foot, counted twice for both feet)"
    """
    n = walker_steps(contacts, placement)
    said = [f"{contacts} contact{'' if contacts == 1 else 's'} of the sensor's foot, counted twice for both feet"]
    said = (said if placement == Placement.FOOT else []) + ([also] if also else [])
    return f"{n} step{'' if n == 1 else 's'}" + (f" ({'; '.join(said)})" if said else "")


def walk_to_upload() -> str:
    """What an upload refused as too short or too little walking asks for: the steps that store a walk
    (:data:`service.samewalk.PART_MIN_STEPS`) and the walking a walk needs to count for the coaching
    (:data:`gait.coach.settings.MIN_WALK_TIME_S`)."""
    return (
        f"a recording with {samewalk.PART_MIN_STEPS} steps or more of walking (for the coaching, walks of "
        f"{MIN_WALK_TIME_S / 60.0:.0f} minutes of walking or more count)"
    )


ANALYSIS_VERSION = f"{_package_version()}+r{ANALYSIS_REVISION}"
"""What analyses walks now: the package's version and the core's :data:`gait.analysis.ANALYSIS_REVISION`."""


@dataclass(frozen=True)
class PreparedAnalysis:
    """What an analysis of a recording applies (:func:`prepare_analysis`)."""

    options: AnalysisOptions
    flagger: StrideFlagger | None
    coaching: dict[str, Any]
    record: dict[str, Any]
    """Stored with the walk (``analysis_json``): see :func:`analysis_record`."""


def analysis_record(
    options: AnalysisOptions,
    *,
    own: bool,
    recording_height_m: float | None = None,
    sensor_height_m: float | None = None,
) -> dict[str, Any]:
    """What a walk stores about its analysis: the version, and the profile's height and calibration factor used
    (``uses_profile`` False for somebody else's walk; ``height_from`` says whose height the lengths rest on: the
    recording's own ``recording_height_m`` wins over the profile's, as in :func:`analyse_to_walk`), and the
    walker's measured ``sensor_height_m`` when one was given for the walk (the lower-back pendulum's length).

    Examples
    --------
    >>> r = analysis_record(AnalysisOptions(body_height_m=1.8, stride_scale=1.05), own=True)
    >>> r["uses_profile"], r["height_from"], r["body_height_m"], r["stride_scale"]
    (True, 'profile', 1.8, 1.05)
    >>> analysis_record(AnalysisOptions(), own=False, recording_height_m=1.62)["height_from"]
    'recording'
    >>> analysis_record(AnalysisOptions(body_height_m=1.8), own=True, sensor_height_m=1.05)["sensor_height_m"]
    1.05
    """
    if recording_height_m is not None:
        height_from, height_m = "recording", recording_height_m
    else:
        height_from, height_m = ("profile", options.body_height_m) if options.body_height_m else (None, None)
    record = {
        "version": ANALYSIS_VERSION,
        "uses_profile": own,
        "height_from": height_from,
        "body_height_m": height_m,
        "stride_scale": options.stride_scale,
    }
    if sensor_height_m is not None:
        record["sensor_height_m"] = sensor_height_m
    return record


def prepare_analysis(
    store: Store,
    recording: Recording,
    *,
    origin: str,
    placement: Placement | None = None,
    sensor_side: str | None = None,
    at_s: float,
    coaching_enabled: bool | None = None,
    own_walk_id: int | None = None,
    stored_before_id: int | None = None,
    stride_scale: float | None = None,
    undated: bool = False,
) -> PreparedAnalysis:
    """The options, coaching flagger and description, and analysis record for analysing ``recording`` now.

    The walker's own walk is analysed with the current profile's height (unless the recording states its own)
    and its calibration factor for the placement used, and judged by the plan in force at ``at_s`` (when the walk
    was made); a sample recording (``origin="sample"``) is somebody else's walk: its own heights, no factor, not
    coached. Uploads and re-analysis (:mod:`service.reanalysis`) both go through here. ``coaching_enabled``, when
    given, is the walker's opt-in to stride coaching in place of the profile's now (re-analysis: the opt-in when the
    walk was made, which the profile does not keep a history of); ``own_walk_id`` and ``stored_before_id`` scope the
    plan of a stored walk analysed again (:func:`service.coaching.current_plan`), ``undated`` that of an upload without
    a start time (judged at its upload: its plan says times relative to that). ``stride_scale``, when given, is
    the factor the walker gave for this walk (``gait live --stride-scale``) in place of the profile's for its
    placement. A sensor height the recording states (a live walk's measured one, kept in its journal) is recorded
    for the walker's own walk.
    """
    profile = coaching.load_profile(store)
    if coaching_enabled is not None:
        profile = profile.model_copy(
            update={"coaching": profile.coaching.model_copy(update={"enabled": coaching_enabled})}
        )
    used = recording.placement or placement or profile.placement
    # a sample recording is somebody else's walk: analysed with its own heights (in ``recording``), never with the
    # user's height or calibration factor
    own = origin != "sample"
    options = AnalysisOptions(
        placement=placement or profile.placement,
        body_height_m=profile.body_height_m if own else None,
        stride_scale=(stride_scale if stride_scale is not None else personal_scale(profile.stride_scales, used))
        if own
        else None,
        sensor_side=sensor_side,
    )
    if own:
        # the walk's own placement: only walks of that placement give it a personal baseline
        flagger, description = coaching.stride_flagger(
            store,
            profile,
            at_s=at_s,
            placement=used,
            own_walk_id=own_walk_id,
            stored_before_id=stored_before_id,
            undated=undated,
        )
    else:
        # somebody else's walk: not coached (no target from the user's plan or height), and it says so
        flagger, description = None, dict(coaching.SAMPLE_COACHING)
    record = analysis_record(
        options,
        own=own,
        recording_height_m=recording.body_height_m,
        sensor_height_m=recording.sensor_height_m if own else None,
    )
    return PreparedAnalysis(options, flagger, description, record)


def _riding(source: dict[str, Any]) -> list[RidingSpan]:
    """The spans that GPS showed in a vehicle (``gps_riding`` of a walk's source)."""
    return [RidingSpan(**span) for span in source.get("gps_riding") or []]


def _ride_words(source: dict[str, Any]) -> str | None:
    """The note on the spans that GPS showed in a vehicle (``gps_riding`` of a walk's source), or None."""
    riding = _riding(source)
    return riding_note(riding) if riding else None


def all_ride_refusal(file_name: str, duration_s: float, riding: list[RidingSpan]) -> str:
    """Why an upload in which every step found was in a vehicle (``riding``: :attr:`gait.analysis.Analysis.riding`)
    is refused: what GPS showed, and that nothing in it counts as walking (its steps in the vehicle were no walking,
    so "left out" would say too little). A ride covering the recording but for less than GPS can tell
    (:data:`gait.analysis.GPS_VEHICLE_WINDOW_S`) is the whole of it.

    Examples
    --------
    >>> print(all_ride_refusal("a.zip", 301.1, [RidingSpan(0.0, 300.0, 13.0, 511)]))  # doctest: +NORMALIZE_WHITESPACE
    a.zip: GPS shows it moving at 47 km/h for the whole 5 min (a vehicle), so nothing in it counts as walking;
    nothing was stored
    >>> print(all_ride_refusal("b.zip", 600.0, [RidingSpan(100.0, 280.0, 13.0, 300)]))  # doctest: +NORMALIZE_WHITESPACE
    b.zip: GPS shows it moving at 47 km/h for 3 min of its 10 min (a vehicle), and no walking was found in the rest;
    nothing was stored
    """
    ride_s = sum(r.end_s - r.start_s for r in riding)
    speeds = riding_speeds(riding)
    if duration_s - ride_s < GPS_VEHICLE_WINDOW_S:
        moving = f"for the whole {format_duration(ride_s)} (a vehicle), so nothing in it counts as walking"
    else:
        moving = (
            f"for {format_duration(ride_s)} of its {format_duration(duration_s)} (a vehicle), and no walking was found "
            "in the rest"
        )
    return f"{file_name}: GPS shows it moving at {speeds} {moving}; nothing was stored"


def analyse_to_walk(
    recording: Recording,
    *,
    name: str,
    origin: str,
    options: AnalysisOptions,
    flagger: StrideFlagger | None = None,
    coaching: dict[str, Any] | None = None,
    progress: ProgressFn | None = None,
    given_start: datetime | None = None,
) -> NewWalk:
    """Analyse a recording and return the walk to insert (strides flagged when ``flagger`` is given).

    Parameters
    ----------
    recording
        The samples to analyse.
    name, origin
        Display name and where the walk came from (``upload``, ``sample``).
    options
        Placement, body height and calibration factor; the recording's own placement wins when it has one.
    flagger
        Coaching target per stride (a fresh judge: it sees this walk's strides once each, in order), or None when
        the walk is not coached (a sample).
    coaching
        Description of the target used (stored with the walk and shown on its page).
    progress
        Stage callback.
    given_start
        When the walk started as the walker gave it (:func:`given_start`): the walk's date when the file holds
        none (kept in its source as ``started_at_given`` either way, so its page can say whether it was used).
    """
    from gait.analysis import analyze

    if progress:
        progress("analysing", 0.0)
    result = analyze(
        recording,
        placement=recording.placement or options.placement,
        body_height_m=recording.body_height_m or options.body_height_m,
        stride_scale=options.stride_scale,
        sensor_side=options.sensor_side,
        progress=None if progress is None else (lambda share: progress("analysing", share)),
    )
    if progress:
        progress("storing", 0.0)
    rows = stride_rows(result.strides, flagger)
    if isinstance(flagger, StrideJudge) and coaching:
        # what the strides were judged against, with the walk's own level when it set one
        coaching = judged_description(
            coaching,
            flagger,
            calibrated=options.stride_scale is not None,
            height_known=(recording.body_height_m or options.body_height_m) is not None,
        )
    # somebody else's walk (a sample) is no part of the coaching at all: its coaching says so already
    short = short_walk_reason(result.summary.get("walking_time_s")) if origin != "sample" and result.steps else None
    if short and coaching:
        coaching = {**coaching, "reasons": [*(coaching.get("reasons") or []), short]}
    summary = {k: _clean(v) for k, v in result.summary.items()}
    placement = recording.placement or options.placement
    started_at, started_from = recording_started_at(
        recording.source,
        duration_s=recording.duration_s,
        given_start_s=None if given_start is None else given_start.timestamp(),
    )
    source = {k: v for k, v in recording.source.items() if isinstance(v, str | int | float | bool)}
    if given_start is not None:
        source["started_at_given"] = given_start.isoformat()
    if recording.n_samples:
        # the walk's start on its strides' time axis (the file's own, by design of the JSON document): a gait CSV
        # may count Unix seconds, so the dashboard measures "minutes into the walk" from this, not from 0
        source["first_sample_s"] = float(recording.time_s[0])
    if result.gps_stride_length_m:
        # the JSON document's per-bout GPS stride lengths (bout index -> m), which no table keeps
        source["gps_bout_stride_length_m"] = {str(i): v for i, v in result.gps_stride_length_m.items()}
    if result.riding:
        # the JSON document's spans that GPS showed in a vehicle (their steps left out), which no table keeps
        source["gps_riding"] = [span._asdict() for span in result.riding]
    if recording.source.get("notes"):
        # what the file's reader said (the analysis' notes begin with them): an analysis of the kept samples, which
        # are no longer the file, says them again (service.reanalysis)
        source["reader_notes"] = [str(note) for note in recording.source["notes"]]
    return NewWalk(
        name=name,
        origin=origin,
        format=recording.source.get("format"),
        placement=placement.value if placement else None,
        started_at=started_at,
        summary=summary,
        flagged_strides=sum(1 for r in rows if r[-1]),
        reason=result.reason,
        # "import": the file gave no start time, the walk is dated when it was stored (the walk page says so);
        # "user": nor did it, but the walker gave the start when uploading it
        source={**source, "started_at_from": started_from},
        # a sample recording is somebody else's walk: shown, never used for coaching
        demo=origin == "sample",
        coaching=coaching or {},
        notes=sample_walk_notes(result.notes) if origin == "sample" else list(result.notes),
        strides=rows,
        steps=[(e.t_s, e.side) for e in result.steps],
        bouts=[(b.start_s, b.end_s, b.steps) for b in result.bouts],
    )


def health_walks(path: Path, *, name: str) -> list[NewWalk]:
    """Walks of an Apple Health export (summaries only: no strides, figures as the phone computed them)."""
    health = read_apple_health(path)
    if not health.walks:
        raise IngestError(
            f"{path.name}: the Apple Health export holds no walks (no continuous step records)", reason="empty"
        )
    walks = []
    for w in health.walks:
        started = datetime.fromtimestamp(w.start_epoch_s, UTC)
        walks.append(
            NewWalk(
                # named at its start in this computer's time, as the dashboard dates it beside the name (UTC in the
                # name put a New York evening walk at 21:56 beside "05:56 PM")
                name=f"{name} {started.astimezone():%Y-%m-%d %H:%M}",
                origin="upload",
                format="apple_health",
                started_at=started.isoformat(timespec="seconds"),
                summary={
                    "steps": round(w.steps),
                    "strides": None,
                    "cadence_spm": _clean(w.cadence_spm),
                    "stride_length_m": None if w.step_length_m is None else 2.0 * w.step_length_m,
                    "distance_m": w.distance_m,
                    "walking_time_s": w.duration_s,
                    "duration_s": w.duration_s,
                },
                reason="Apple Health summary: no per-stride data",
                source={"format": "apple_health", "file": path.name, **health.source},
                recording_sha256=health_walk_fingerprint(w.start_epoch_s, w.duration_s, w.steps),
            )
        )
    return walks


def process_file(
    path: Path,
    *,
    store: Store,
    name: str,
    origin: str,
    fmt: str | None = None,
    placement: Placement | None = None,
    progress: ProgressFn | None = None,
    recording: Recording | None = None,
    sensor_side: str | None = None,
    keep_samples_in: Path | None = None,
    given_start: datetime | None = None,
    stride_scale: float | None = None,
    on_refused: RefusedFn | None = None,
) -> list[int]:
    """Read, analyse, flag and store one recording file in one transaction (blocking). Returns the walk ids.

    A recording gives one walk; an Apple Health export gives one summary-only walk per walk it lists. A caller
    that has already read the file (with extra facts such as the walker's height) passes it as ``recording``.
    ``sensor_side`` is the shoe a foot sensor was on (its steps and strides then carry that side). With
    ``keep_samples_in`` (the service's recordings folder), an upload's samples are kept there as
    ``walk-<id>.npz`` (:mod:`service.recordings`), written in the same transaction as the walk. ``given_start``
    (:func:`given_start`) dates a recording whose file holds no start time, as the walker gave it; a file's own
    start time wins. ``stride_scale`` is a factor given for this walk in place of the profile's
    (:func:`prepare_analysis`). ``on_refused`` (with ``keep_samples_in``) may store an upload refused as a walk
    already stored otherwise (the dashboard's upload: :class:`service.reanalysis.UnkeptReplacer`); without it
    (``gait live``) a refusal is raised.

    An upload is stored as a walk only with :data:`service.samewalk.PART_MIN_STEPS` steps of the walker or more
    (:func:`gait.analysis.walker_steps`: a foot sensor's contacts twice): fewer is too little walking for a walk (a
    phone handled on a desk finds a few), and could not be recognised as a part of a stored walk. A dashboard live
    walk never comes here (it is kept whatever its length), nor does ``gait analyze``; ``gait live`` stores the
    journal of a walk of the walker's own sensor here, as an upload of it.

    Raises
    ------
    ingest.errors.IngestError, gait.errors.GaitError
        When the file cannot be read or analysed, holds too little walking, or its given start would have it end
        after now; nothing is stored then.
    service.store.DuplicateRecordingError
        When the same recording (same decoded samples) is already stored as a walk; nothing is stored then.
    """
    if progress:
        progress("reading", 0.0)
    try:
        recording = recording or read_recording(path, fmt=fmt, placement=placement)
    except IngestError as exc:
        if exc.reason != "summary_export":
            raise
        # a newer export repeats the earlier walks: store the new ones; refuse only when none is new
        walks = health_walks(path, name=name)
        if given_start is not None:
            for health_walk in walks:  # Health dates each walk itself: the time given is kept to say it was not used
                health_walk.source["started_at_given"] = given_start.isoformat()
        ids = store.add_walks(walks, skip_duplicates=True)
        return ids or store.add_walks(walks[:1])  # raises DuplicateRecordingError naming the stored walk
    # the plan in force when the walk was made (the recording's own start, or the one the walker gave); a file
    # without a start time is judged by the plan of now (it is dated to end now, but when it was walked is unknown:
    # the latest plan is the one the walker asked for, e.g. a pain report made just before the upload)
    placement_note = None
    if placement is None and recording.placement is None and origin == "upload":
        unmodelled = unmodelled_location(recording.source)
        if unmodelled:
            # the walker's usual placement would give a sensor known to be elsewhere another placement's figures
            raise IngestError(
                f"{path.name}: the file's header says the sensor was worn on the '{unmodelled}', a place this version "
                'has no placement for: choose the nearest under "Where was the sensor worn?" and upload again '
                "(its figures are then that placement's); nothing was stored",
                reason="placement_unmodelled",
            )
        usual = coaching.load_profile(store).placement
        phone = is_phone_recording(recording)
        placement, placement_note = usual_placement(usual, phone=phone, choose=DASHBOARD_PLACEMENT_CHOICE)
    given_start_s = None if given_start is None else given_start.timestamp()
    started_at, started_from = recording_started_at(recording.source, given_start_s=given_start_s)
    too_late = None if started_from != "user" else given_end_problem(given_start, recording.duration_s)
    if too_late:
        # a walk cannot end after it was uploaded: dated so, it would come after pain reports made since
        raise IngestError(
            f"{path.name}: {too_late}: nothing was stored; give the time the walk started and upload again",
            reason="given_start_too_late",
        )
    prepared = prepare_analysis(
        store,
        recording,
        origin=origin,
        placement=placement,
        sensor_side=sensor_side,
        at_s=coaching.iso_to_unix_s(started_at),
        stride_scale=stride_scale,
        undated=started_from == "import",
    )
    walk = analyse_to_walk(
        recording,
        name=name,
        origin=origin,
        options=prepared.options,
        flagger=prepared.flagger,
        coaching=prepared.coaching,
        progress=progress,
        given_start=given_start,
    )
    walk.analysis = prepared.record
    if placement_note:
        walk.notes.insert(0, placement_note)
    if origin == "upload" and not walk.strides and recording.duration_s < ONE_STRIDE_S:
        # not a walk at all (a header and one row, a recording stopped at once): refused, nothing stored, rather
        # than a walk of 0 strides in the list
        raise IngestError(
            f"{path.name}: the recording lasts {recording.duration_s:.1f} s ({recording.n_samples} "
            f"sample{'' if recording.n_samples == 1 else 's'}), shorter than one stride: nothing was stored; "
            f"upload {walk_to_upload()}",
            reason="too_short",
        )
    ride = _ride_words(walk.source)
    if origin == "upload" and not walk.strides and ride:
        # every step found was in a vehicle (GPS): the placement is not what to check
        raise IngestError(all_ride_refusal(path.name, recording.duration_s, _riding(walk.source)), reason="no_walking")
    if origin == "upload" and not walk.strides:
        # no walking at all (a phone lying on a table, the wrong placement): a walk of 0 strides would sit in the
        # list and in Trends as a walk; refused with what to check instead
        worn = (walk.placement or "sensor").replace("_", " ")
        raise IngestError(
            f"{path.name}: no walking found in its {recording.duration_s:.0f} s as a {worn} recording: nothing was "
            "stored; if you walked while it recorded, check where the sensor was worn (choose it again) and upload "
            "again",
            reason="no_walking",
        )
    if origin == "upload" and walker_steps(len(walk.steps), walk.placement) < samewalk.PART_MIN_STEPS:
        # a few steps (a phone handled on a desk, a recording stopped after a step or two) are no walk: stored, it
        # would count in the walk list and Trends; nor could such a part of a stored walk be recognised as one. The
        # walker's steps are counted: a foot sensor's 10-19 contacts are 20-38 steps, a walk, although too few
        # contacts to recognise as a part of another walk (samewalk's figures count the contacts compared)
        walking = f"{format_duration(walk.summary.get('walking_time_s') or 0.0)} of walking"
        raise IngestError(
            f"{path.name}: found only {steps_counted(len(walk.steps), walk.placement, walking)} in its "
            f"{format_duration(recording.duration_s)}{f' ({ride})' if ride else ''}: too little to store as a walk; "
            f"nothing was stored. Upload {walk_to_upload()}; if you walked longer while it recorded, check where the "
            "sensor was worn",
            reason="too_little_walking",
        )
    walk.recording_sha256 = recording_fingerprint(recording)
    if keep_samples_in is None or origin != "upload":
        # a sample recording stays in its own file (re-analysed from it): no copy is kept
        return store.add_walks([walk])
    staged = stage_recording(recording, keep_samples_in, placement=walk.placement, sensor_side=sensor_side)
    try:
        try:
            # the samples take their walk's name inside the insert transaction: a refused upload leaves no file
            ids = store.add_walks([walk], before_commit=staged.place)
        except DuplicateRecordingError as exc:
            instead = None if on_refused is None else on_refused(exc, walk, recording, staged)
            if instead is None:
                raise
            ids = instead
    except BaseException:
        staged.discard()
        raise
    return ids
