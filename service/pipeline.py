"""From an uploaded file to a stored walk: read, analyse, flag overlong strides, insert in one transaction.

Everything here blocks (file parsing, numpy); the upload router runs it in a worker thread and reports each
stage through a progress callback so the dashboard can show it.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from gait.analysis import ANALYSIS_REVISION
from gait.coach import StrideJudge
from gait.types import Placement, Recording, StrideEvent
from ingest import load, read_apple_health
from ingest.errors import IngestError
from service import coaching
from service.coaching import StrideFlagger, judged_description
from service.recordings import stage_recording
from service.store import NewWalk, Store


def _package_version() -> str:
    """The installed gait-analyser's version ("0+unknown" when run from a tree that is not installed)."""
    try:
        return importlib.metadata.version("gait-analyser")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


ProgressFn = Callable[[str, float], None]
"""Called with (stage, fraction 0..1) as the pipeline advances."""


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
    source: dict[str, Any], *, duration_s: float = 0.0, now_s: float | None = None
) -> tuple[str, str]:
    """When a recording started, and whether that time comes from the file (``"recording"``) or from now
    (``"import"``: the file has no usable start time, so the walk is dated to end now, ``duration_s`` ago: a walk
    cannot end after it was uploaded, and dated from now it ended in the future, after pain reports made since).

    Readers that know the recording's wall-clock start put it in ``source["start_epoch_s"]`` (Sensor Logger,
    phyphox, MetaWear) or ``source["started_at"]`` (ISO-8601: GENEActiv, AndroSensor); a start before 2000 or
    more than a day ahead is not a date.

    Examples
    --------
    >>> recording_started_at({"start_epoch_s": 1662729295.0})
    ('2022-09-09T13:14:55+00:00', 'recording')
    >>> recording_started_at({"start_epoch_s": None}, duration_s=300.0, now_s=1662729295.0)
    ('2022-09-09T13:09:55+00:00', 'import')
    """
    now_s = datetime.now(UTC).timestamp() if now_s is None else now_s
    epoch_s = recording_start_epoch_s(source, now_s=now_s)
    if epoch_s is not None:
        return datetime.fromtimestamp(epoch_s, UTC).isoformat(timespec="seconds"), "recording"
    return datetime.fromtimestamp(now_s - max(duration_s, 0.0), UTC).isoformat(timespec="seconds"), "import"


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
        rounded = np.round(np.asarray(values, dtype=np.float64), FINGERPRINT_DECIMALS) + 0.0  # + 0.0: no -0.0
        digest.update(f"{name}{rounded.shape}".encode())
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


def analysis_record(options: AnalysisOptions, *, own: bool, recording_height_m: float | None = None) -> dict[str, Any]:
    """What a walk stores about its analysis: the version, and the profile's height and calibration factor used
    (``uses_profile`` False for somebody else's walk; ``height_from`` says whose height the lengths rest on: the
    recording's own ``recording_height_m`` wins over the profile's, as in :func:`analyse_to_walk`).

    Examples
    --------
    >>> r = analysis_record(AnalysisOptions(body_height_m=1.8, stride_scale=1.05), own=True)
    >>> r["uses_profile"], r["height_from"], r["body_height_m"], r["stride_scale"]
    (True, 'profile', 1.8, 1.05)
    >>> analysis_record(AnalysisOptions(), own=False, recording_height_m=1.62)["height_from"]
    'recording'
    """
    if recording_height_m is not None:
        height_from, height_m = "recording", recording_height_m
    else:
        height_from, height_m = ("profile", options.body_height_m) if options.body_height_m else (None, None)
    return {
        "version": ANALYSIS_VERSION,
        "uses_profile": own,
        "height_from": height_from,
        "body_height_m": height_m,
        "stride_scale": options.stride_scale,
    }


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
) -> PreparedAnalysis:
    """The options, coaching flagger and description, and analysis record for analysing ``recording`` now.

    The walker's own walk is analysed with the current profile's height (unless the recording states its own)
    and its calibration factor for the placement used, and judged by the plan in force at ``at_s`` (when the walk
    was made); a sample recording (``origin="sample"``) is somebody else's walk: its own heights, no factor, not
    coached. Uploads and re-analysis (:mod:`service.reanalysis`) both go through here. ``coaching_enabled``, when
    given, is the walker's opt-in to stride coaching in place of the profile's now (re-analysis: the opt-in when the
    walk was made, which the profile does not keep a history of); ``own_walk_id`` and ``stored_before_id`` scope the
    plan of a stored walk analysed again (:func:`service.coaching.current_plan`).
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
        stride_scale=personal_scale(profile.stride_scales, used) if own else None,
        sensor_side=sensor_side,
    )
    if own:
        # the walk's own placement: only walks of that placement give it a personal baseline
        flagger, description = coaching.stride_flagger(
            store, profile, at_s=at_s, placement=used, own_walk_id=own_walk_id, stored_before_id=stored_before_id
        )
    else:
        # somebody else's walk: not coached (no target from the user's plan or height), and it says so
        flagger, description = None, dict(coaching.SAMPLE_COACHING)
    record = analysis_record(options, own=own, recording_height_m=recording.body_height_m)
    return PreparedAnalysis(options, flagger, description, record)


def analyse_to_walk(
    recording: Recording,
    *,
    name: str,
    origin: str,
    options: AnalysisOptions,
    flagger: StrideFlagger | None = None,
    coaching: dict[str, Any] | None = None,
    progress: ProgressFn | None = None,
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
    summary = {k: _clean(v) for k, v in result.summary.items()}
    placement = recording.placement or options.placement
    started_at, started_from = recording_started_at(recording.source, duration_s=recording.duration_s)
    source = {k: v for k, v in recording.source.items() if isinstance(v, str | int | float | bool)}
    if recording.n_samples:
        # the walk's start on its strides' time axis (the file's own, by design of the JSON document): a gait CSV
        # may count Unix seconds, so the dashboard measures "minutes into the walk" from this, not from 0
        source["first_sample_s"] = float(recording.time_s[0])
    if result.gps_stride_length_m:
        # the JSON document's per-bout GPS stride lengths (bout index -> m), which no table keeps
        source["gps_bout_stride_length_m"] = {str(i): v for i, v in result.gps_stride_length_m.items()}
    return NewWalk(
        name=name,
        origin=origin,
        format=recording.source.get("format"),
        placement=placement.value if placement else None,
        started_at=started_at,
        summary=summary,
        flagged_strides=sum(1 for r in rows if r[-1]),
        reason=result.reason,
        # "import": the file gave no start time, the walk is dated when it was stored (the walk page says so)
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
        started = datetime.fromtimestamp(w.start_epoch_s, UTC).isoformat(timespec="seconds")
        walks.append(
            NewWalk(
                name=f"{name} {started[:16].replace('T', ' ')}",
                origin="upload",
                format="apple_health",
                started_at=started,
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
) -> list[int]:
    """Read, analyse, flag and store one recording file in one transaction (blocking). Returns the walk ids.

    A recording gives one walk; an Apple Health export gives one summary-only walk per walk it lists. A caller
    that has already read the file (with extra facts such as the walker's height) passes it as ``recording``.
    ``sensor_side`` is the shoe a foot sensor was on (its steps and strides then carry that side). With
    ``keep_samples_in`` (the service's recordings folder), an upload's samples are kept there as
    ``walk-<id>.npz`` (:mod:`service.recordings`), written in the same transaction as the walk.

    Raises
    ------
    ingest.errors.IngestError, gait.errors.GaitError
        When the file cannot be read or analysed; nothing is stored then.
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
        ids = store.add_walks(walks, skip_duplicates=True)
        return ids or store.add_walks(walks[:1])  # raises DuplicateRecordingError naming the stored walk
    # the plan in force when the walk was made (the recording's own start); a file without a start time is judged
    # by the plan of now (it is dated to end now, but when it was walked is unknown: the latest plan is the one the
    # walker asked for, e.g. a pain report made just before the upload)
    started_at, _ = recording_started_at(recording.source)
    prepared = prepare_analysis(
        store,
        recording,
        origin=origin,
        placement=placement,
        sensor_side=sensor_side,
        at_s=coaching.iso_to_unix_s(started_at),
    )
    walk = analyse_to_walk(
        recording,
        name=name,
        origin=origin,
        options=prepared.options,
        flagger=prepared.flagger,
        coaching=prepared.coaching,
        progress=progress,
    )
    walk.analysis = prepared.record
    if origin == "upload" and not walk.strides and recording.duration_s < ONE_STRIDE_S:
        # not a walk at all (a header and one row, a recording stopped at once): refused, nothing stored, rather
        # than a walk of 0 strides in the list
        raise IngestError(
            f"{path.name}: the recording lasts {recording.duration_s:.1f} s ({recording.n_samples} "
            f"sample{'' if recording.n_samples == 1 else 's'}), shorter than one stride: nothing was stored; "
            "record a walk of at least a minute and upload that",
            reason="too_short",
        )
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
    walk.recording_sha256 = recording_fingerprint(recording)
    if keep_samples_in is None or origin != "upload":
        # a sample recording stays in its own file (re-analysed from it): no copy is kept
        return store.add_walks([walk])
    staged = stage_recording(recording, keep_samples_in, placement=walk.placement, sensor_side=sensor_side)
    try:
        # the samples take their walk's name inside the insert transaction: a refused upload leaves no file
        ids = store.add_walks([walk], before_commit=staged.place)
    except BaseException:
        staged.discard()
        raise
    return ids
