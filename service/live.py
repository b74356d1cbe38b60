"""A live walk: a chunk source driven into the gait tracker and the coach, published as JSON-able messages.

Used by ``gait live`` and by the web service (``service.livehub``). Messages, each with ``session_id``:

- ``{"type": "step", "t_s", "side"}``
- ``{"type": "stride", "start_s", "end_s", "duration_s", "length_m", "cadence_spm", "speed_mps", "confidence",
  "method", "side", "target_m", "overlong", "trusted", "pod_stride_length_m", "walk_distance_m", "judged_against",
  "no_target_note", "distance_cue_note"}`` (target/overlong from the coach's judge, None before a walk without a
  personal baseline has its level; judged_against: what the target is cut from; no_target_note: why the stride has
  no target, when it has none;
  trusted: the length is confident enough for the coach to judge it; distance_cue_note: why the prompt near the
  usual point of pain comes by walking time or not at all, the walk's distance being untrusted (else None);
  the pod's own stride length when an RSC pod streams beside the IMU; None when unknown; walk_distance_m: the
  distance so far as the stored walk's summary counts it, see :class:`RunningSummary`)
- ``{"type": "bout", "start_s", "end_s", "steps", "cadence_spm", "walk_distance_m"}``
- ``{"type": "cue", "t_s", "kind", "message", "reason"}`` (from the coach)
- ``{"type": "pod", "speed_mps", "cadence_spm", "stride_length_m", "total_distance_m", "running", "walk_distance_m",
  "walk_cadence_spm", "walk_stride_length_m", "walk_steps"}`` (RSC pods: the pod's latest report, and the walk so far
  as it will be stored: the odometer's distance, the steps and the mean cadence and stride length over the walking
  time, see :class:`PodTally`)
- ``{"type": "gap", "start_s", "end_s", "lost_packets", "reason"}`` (from a BLE source)
- ``{"type": "state", "phase", "samples", "lost_packets", "gaps", "strides", "dropped_samples", "error", ...}``;
  the last message of every session is a state message with ``phase == "ended"``.

Nothing recorded is lost: every sample is appended to a journal (gait CSV lines, flushed per chunk) with a JSON
sidecar, kept after a crash or a dropped link; :func:`load_journal` reads it back as a recording.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import json
import math
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from gait.analysis import strides_spanned
from gait.coach.settings import DEFAULT_MIN_CONFIDENCE
from gait.consts import GAIT_CSV_ACC_COLS, GAIT_CSV_GYR_COLS, GAIT_CSV_TIME_COL
from gait.errors import GaitError
from gait.numbers import round_half_away
from gait.types import BoutEvent, Chunk, GaitEvent, Placement, Recording, StepEvent, StrideEvent
from gait.validate import check_samples, check_sampling_rate
from ingest.errors import IngestError
from service.privacy import private_folder

PHASES = ("connecting", "streaming", "reconnecting", "ended")
SUBSCRIBER_QUEUE_SIZE = 5000
"""Messages buffered per subscriber; a subscriber that falls further behind loses its oldest messages."""
JOURNAL_FORMAT = "gait_journal"
STORE_ON_END = "store_on_end"
"""The sidecar key of a journal whose walk its process stores when it ends (see :class:`LiveSession`)."""
RATE_CHECK_S = 0.5
"""Stream time over which a live stream's sampling rate is measured before its samples are analysed (they are
journaled at once): the median interval over half a second (10 intervals at 20 Hz) is the rate, whatever packets
were lost. No stride can be decided sooner (it takes three contacts), so the hold delays none; at 2 s it held back
the first stride of a walk started with the stream by up to 0.6 s past the 0.5 s target."""


class Tracker(Protocol):
    """What the session needs from a tracker (``gait.tracker.GaitTracker``)."""

    def update(self, chunk: Chunk) -> list[GaitEvent]: ...

    def finish(self) -> list[GaitEvent]: ...


class Coach(Protocol):
    """What the session needs from a coach (``gait.coach.Coach``): ``update(event) -> list of cues``."""

    def update(self, event: GaitEvent) -> list[Any]: ...


TrackerFactory = Callable[..., Tracker]


@dataclass
class SessionState:
    """Where a live session stands.

    Attributes
    ----------
    phase
        ``"connecting"``, ``"streaming"``, ``"reconnecting"`` or ``"ended"``.
    samples
        Samples received (and journaled).
    lost_packets
        Packets the sensor sent that never arrived (from its sequence counter), as the source reports them.
    gaps
        Holes in the stream (lost packets, link drops).
    dropped_samples
        Samples not fed to the tracker because their time did not increase (never more than a few at a reconnect).
    strides, steps
        Events so far.
    error
        Why the session ended early, or None.
    """

    phase: str = "connecting"
    samples: int = 0
    lost_packets: int = 0
    gaps: int = 0
    dropped_samples: int = 0
    strides: int = 0
    steps: int = 0
    error: str | None = None
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


def _json_value(value: Any) -> Any:
    """Turn numpy scalars, enums and non-finite floats into JSON-safe values (NaN -> None)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str):
        return str(value)  # StrEnum -> plain str
    return value


def event_message(event: GaitEvent) -> dict[str, Any]:
    """The message for a tracker event (without ``session_id``)."""
    if isinstance(event, StrideEvent):
        msg = {f.name: getattr(event, f.name) for f in fields(event) if f.name != "kind"}
        msg["duration_s"] = event.duration_s
    elif isinstance(event, BoutEvent):
        msg = {"start_s": event.start_s, "end_s": event.end_s, "steps": event.steps, "cadence_spm": event.cadence_spm}
    elif isinstance(event, StepEvent):
        msg = {"t_s": event.t_s, "side": event.side}
    else:
        raise GaitError(f"unknown tracker event {type(event).__name__}", reason="bad_event")
    return {"type": event.kind, **{k: _json_value(v) for k, v in msg.items()}}


def cue_message(cue: Any) -> dict[str, Any]:
    """The message for a coach cue (a ``gait.coach.Cue``, a dataclass or a dict)."""
    if hasattr(cue, "to_dict"):
        body = cue.to_dict()
    elif is_dataclass(cue) and not isinstance(cue, type):
        body = asdict(cue)
    else:
        body = dict(cue)
    return {"type": "cue", **{k: _json_value(v) for k, v in body.items()}}


# ---------------------------------------------------------------------------------------------------------------
# journal


class Journal:
    """Append-only journal of raw samples: gait CSV lines flushed per chunk, plus a JSON sidecar.

    The CSV can be read by any gait CSV reader; a line cut by a crash is skipped by :func:`load_journal`.

    ``lock``: the CSV is created at once (empty until the first samples) and an OS lock (``fcntl.flock``, as
    :mod:`service.datalock` takes) held on it until :meth:`unlock`, which the kernel releases when the process dies
    however it dies; :func:`service.commands.live.recover_cut_off` never takes a journal a running process holds.
    """

    def __init__(self, csv_path: Path, meta: dict[str, Any], *, lock: bool = False) -> None:
        self.csv_path = csv_path
        self.meta_path = csv_path.with_suffix(".json")
        self.meta = dict(meta)
        self._fh: Any = None
        self._has_gyr: bool | None = None
        self._lock_fh: Any = None
        private_folder(csv_path.parent)
        if lock and os.name != "nt":  # msvcrt's lock would bar this process's own writes: POSIX's flock only
            from service.datalock import try_lock

            self._lock_fh = open(csv_path, "a", encoding="utf-8")  # noqa: SIM115 (held for the walk)
            try_lock(self._lock_fh)  # a new session id: nobody else holds it
        self.write_meta()

    def unlock(self) -> None:
        """Give up the lock on the CSV (once the sidecar says the walk ended); nothing when none is held. A CSV no
        sample was written to is removed, as one is never created without the lock (the sidecar stays)."""
        fh, self._lock_fh = self._lock_fh, None
        if fh is None:
            return
        with contextlib.suppress(OSError):
            if self._has_gyr is None:
                self.csv_path.unlink()
        with contextlib.suppress(OSError):
            fh.close()

    def append(self, chunk: Chunk) -> None:
        """Append a chunk's samples and flush them to the OS (they survive a crash of this process)."""
        if len(chunk) == 0:
            return
        if self._fh is None:
            self._has_gyr = chunk.gyr_dps is not None
            cols = [GAIT_CSV_TIME_COL, *GAIT_CSV_ACC_COLS, *(GAIT_CSV_GYR_COLS if self._has_gyr else ())]
            # line-buffered text would flush per line; one explicit flush per chunk is cheaper
            self._fh = open(self.csv_path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 (long-lived)
            self._fh.write(",".join(cols) + "\n")
            # the journal's own start: the clock time of its first sample (the chunk just came, its first sample
            # its span earlier), as a file's start time dates an upload; a source's time axis tells no clock time
            span_s = float(chunk.time_s[-1]) - float(chunk.time_s[0])
            self.meta["first_sample_unix_s"] = time.time() - max(span_s, 0.0)
            self.write_meta()
        parts = [np.asarray(chunk.time_s, float)[:, None], np.asarray(chunk.acc_ms2, float)]
        if self._has_gyr:
            gyr = chunk.gyr_dps if chunk.gyr_dps is not None else np.full((len(chunk), 3), np.nan)
            parts.append(np.asarray(gyr, float))
        rows = np.hstack(parts)
        fmt = ",".join(["%.6f"] + ["%.6g"] * (rows.shape[1] - 1))
        self._fh.write("\n".join(fmt % tuple(r) for r in rows) + "\n")
        self._fh.flush()

    def write_meta(self) -> None:
        """Write the sidecar atomically (a temporary file renamed into place)."""
        tmp = self.meta_path.with_name(self.meta_path.name + ".tmp")
        try:
            tmp.write_text(json.dumps(self.meta, indent=1, default=_json_value), encoding="utf-8")
            os.replace(tmp, self.meta_path)
        except OSError:
            with contextlib.suppress(OSError):  # a full disk: the sidecar stays as it was, no half-written copy
                tmp.unlink()
            raise

    def close(self) -> None:
        """Flush to disk and close; the file is closed even when the flush fails (a full disk), which is raised."""
        fh, self._fh = self._fh, None
        if fh is None:
            return
        try:
            fh.flush()
            with contextlib.suppress(OSError):
                os.fsync(fh.fileno())
        finally:
            # closing flushes again: after a failed flush that fails the same way, and the failure is raised above
            with contextlib.suppress(OSError):
                fh.close()


def _move_aside(csv_path: Path) -> Path | None:
    """Rename an existing journal of the same session id out of the way (never overwrite recorded samples).

    Returns the new path of the old CSV (or sidecar), or None when there was nothing to move.
    """
    meta_path = csv_path.with_suffix(".json")
    if not (csv_path.exists() or meta_path.exists()):
        return None
    stamp = time.strftime("%Y%m%dT%H%M%S")
    moved = None
    for old in (meta_path, csv_path):
        if old.exists():
            target = old.with_name(f"{old.stem}.replaced-{stamp}-{uuid.uuid4().hex[:6]}{old.suffix}")
            os.replace(old, target)
            moved = target
    return moved


def load_journal(path: str | os.PathLike[str]) -> Recording:
    """Read a live session's journal (the ``.csv`` or its ``.json`` sidecar) as a recording.

    A last line cut short by a crash is skipped; the sidecar (when present) gives placement and heights, the shoe
    of a foot sensor (``source["sensor_side"]``) and the journal's start, the clock time of its first sample
    (``source["start_epoch_s"]``, as a file's reader gives it; a journal written before it was kept: the session's
    start, just before its first sample).

    Raises
    ------
    IngestError
        When the journal is missing, holds no samples or breaks the core's contract.
    """
    path = Path(path)
    csv_path = path.with_suffix(".csv") if path.suffix == ".json" else path
    meta_path = csv_path.with_suffix(".json")
    if not csv_path.exists() or csv_path.stat().st_size == 0:  # empty: created locked before any sample came
        raise IngestError(f"{csv_path.name}: no samples were journaled (the sensor never sent data)", reason="empty")
    text = csv_path.read_text(encoding="utf-8")
    lines = text.split("\n")
    header = lines[0].split(",")
    n_cols = len(header)
    if header[: 1 + len(GAIT_CSV_ACC_COLS)] != [GAIT_CSV_TIME_COL, *GAIT_CSV_ACC_COLS]:
        raise IngestError(f"{csv_path.name}: not a live-session journal (header {lines[0]!r})", reason="unparseable")
    # the text after the last newline is a line the crash cut short (or empty)
    complete = [ln for ln in lines[1:-1] if ln and ln.count(",") == n_cols - 1]
    if not complete:
        raise IngestError(f"{csv_path.name}: the journal holds no complete sample", reason="empty")
    rows = np.array([ln.split(",") for ln in complete], dtype=float)
    gyr = rows[:, 4:7] if n_cols >= 7 and np.isfinite(rows[:, 4:7]).all() else None
    meta: dict[str, Any] = {}
    if meta_path.exists():
        with contextlib.suppress(ValueError):
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
    try:
        check_samples(rows[:, 0], rows[:, 1:4], gyr, what=csv_path.name)
    except GaitError as exc:
        raise IngestError(str(exc), reason=exc.reason) from None
    placement = meta.get("placement")
    state = meta.get("state") or {}
    link = link_note(meta.get("gaps") or [], int(state.get("lost_packets") or 0))
    return Recording(
        time_s=rows[:, 0],
        acc_ms2=rows[:, 1:4],
        gyr_dps=gyr,
        placement=Placement.parse(placement) if placement else None,
        body_height_m=meta.get("body_height_m"),
        sensor_height_m=meta.get("sensor_height_m"),
        source={
            "format": JOURNAL_FORMAT,
            "file": csv_path.name,
            "session_id": meta.get("session_id"),
            "sensor": meta.get("sensor"),
            "sensor_side": meta.get("sensor_side"),
            "complete": meta.get("state", {}).get("phase") == "ended",
            "start_epoch_s": _journal_start_s(meta),
            "lost_packets": int(state.get("lost_packets") or 0),
            "gaps": int(state.get("gaps") or 0),
            # said by the journal's reader, so an analysis of the samples (again, or kept with a stored walk) says it
            **({"notes": [link]} if link else {}),
        },
    )


def link_note(gaps: list[dict[str, Any]], lost_packets: int) -> str | None:
    """What a live walk's journal says of the holes in its stream (its sidecar's ``gaps``: a link dropped and
    restored, packets lost with the link up), or None when there were none.

    Examples
    --------
    >>> link_note([{"start_s": 20.0, "end_s": 23.08, "lost_packets": 77, "reason": "link_lost"}], 77)
    'the link to the sensor dropped once and came back (3.1 s without samples), 77 packets lost'
    >>> link_note([], 0) is None
    True
    """
    if not gaps and not lost_packets:
        return None
    hole_s = sum(max(float(g.get("end_s") or 0.0) - float(g.get("start_s") or 0.0), 0.0) for g in gaps)
    drops = sum(1 for g in gaps if g.get("reason") == "link_lost")
    losses = len(gaps) - drops
    parts = []
    if drops:
        times = "once" if drops == 1 else "twice" if drops == 2 else f"{drops} times"
        parts.append(f"the link to the sensor dropped {times} and came back")
    if losses:
        parts.append(f"{losses} {'hole' if losses == 1 else 'holes'} in the stream with the link up")
    said = " and ".join(parts) or "packets were lost"
    return (
        f"{said} ({hole_s:.1f} s without samples), {lost_packets} {'packet' if lost_packets == 1 else 'packets'} lost"
    )


def _journal_start_s(meta: dict[str, Any]) -> float | None:
    """The clock time (Unix seconds) of a journal's first sample from its sidecar, or None when it does not say.

    Examples
    --------
    >>> _journal_start_s({"started_at_unix_s": 1.7e9, "first_sample_unix_s": 1.7e9 + 2.5})
    1700000002.5
    >>> _journal_start_s({"started_at_unix_s": "?"}) is None
    True
    """
    for key in ("first_sample_unix_s", "started_at_unix_s"):
        value = meta.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
    return None


def journal_span_s(path: str | os.PathLike[str]) -> float | None:
    """Time from the first to the last complete sample of a journal (its CSV), read from its two ends only.

    This is the walk's recorded duration (the samples received, as :attr:`gait.types.Recording.duration_s` is a
    file's); None when the journal is missing or holds fewer than one complete sample.
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            header = fh.readline()
            first = fh.readline()
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 4096))
            tail = fh.read()
    except OSError:
        return None
    n_commas = header.count(b",")
    # only lines ended by a newline are complete (a crash may cut the last one)
    complete = [ln for ln in tail.split(b"\n")[:-1] if ln.count(b",") == n_commas and ln]
    if not first.endswith(b"\n") or first.count(b",") != n_commas or not complete:
        return None
    try:
        return float(complete[-1].split(b",", 1)[0]) - float(first.split(b",", 1)[0])
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------------------------
# distance


class RunningSummary:
    """A live walk's summary so far, counted as the stored walk's summary counts it.

    The summary's distance (:attr:`gait.analysis.Analysis.distance_m`) is, per walking bout, the mean known stride
    length inside the bout times the strides its contacts span ((n - 1) / 2 for trunk and phone sensors, whose
    strides overlap; n - 1 for a foot sensor). A walk still under way ends in contacts no bout holds yet: they count
    as one more bout once there are three, as :func:`service.livehub.walk_analysis` counts them for a walk that
    stopped. So the running figure is the figure a walk stopped now would store, and the last one equals the stored
    summary (None, as there, once a bout's strides have no length at all: NaN carries through the sums). Each update
    costs a binary search, not a pass over the walk. Cadence and stride length are the medians over the strides so
    far (the summary's), computed when asked for: the walk list asks, not every stride.

    Parameters
    ----------
    placement
        Where the sensor is worn (a foot sensor's contacts are one foot's).
    """

    def __init__(self, placement: Placement) -> None:
        self.placement = placement
        self._starts_s: list[float] = []
        self._cum_length_m: list[float] = [0.0]  # prefix sums over the strides with a known length
        self._cum_known: list[int] = [0]
        self._steps_s: list[float] = []
        self._open_bouts: list[BoutEvent] = []  # bouts a later stride may still start in
        self._closed_m = 0.0
        self._last_bout_end_s = -math.inf
        self._cadences_spm: list[float] = []
        self._lengths_m: list[float] = []

    def add(self, event: GaitEvent) -> None:
        """Take one tracker event (in the order the tracker emits them)."""
        if isinstance(event, StrideEvent):
            length = event.length_m
            known = length is not None and math.isfinite(length)
            self._starts_s.append(event.start_s)
            self._cum_length_m.append(self._cum_length_m[-1] + (float(length) if known else 0.0))
            self._cum_known.append(self._cum_known[-1] + int(known))
            self._cadences_spm.append(float(event.cadence_spm))
            if known:
                self._lengths_m.append(float(length))
            # strides come in start order: a bout that ended before this stride's start is complete
            while self._open_bouts and self._open_bouts[0].end_s < event.start_s:
                self._closed_m += self._bout_m(self._open_bouts.pop(0))
        elif isinstance(event, StepEvent):
            self._steps_s.append(event.t_s)
        elif isinstance(event, BoutEvent):
            self._open_bouts.append(event)
            self._last_bout_end_s = event.end_s

    def _bout_m(self, bout: BoutEvent) -> float:
        """The bout's distance; NaN when it holds strides none of which has a length (the summary's rule)."""
        first = bisect.bisect_left(self._starts_s, bout.start_s)
        last = bisect.bisect_right(self._starts_s, bout.end_s)
        known = self._cum_known[last] - self._cum_known[first]
        if not known:
            return math.nan if last > first else 0.0
        mean_m = (self._cum_length_m[last] - self._cum_length_m[first]) / known
        return mean_m * strides_spanned(bout.steps, self.placement)

    @property
    def distance_m(self) -> float | None:
        """Distance so far in metres; None while a bout's strides have no length at all (the summary's rule,
        :attr:`gait.analysis.Analysis.known_distance_m`)."""
        total = self._closed_m + sum(self._bout_m(b) for b in self._open_bouts)
        tail = len(self._steps_s) - bisect.bisect_right(self._steps_s, self._last_bout_end_s)
        if tail >= 3:
            total += self._bout_m(BoutEvent(self._steps_s[-tail], self._steps_s[-1], tail))
        return None if math.isnan(total) else total

    @property
    def cadence_spm(self) -> float | None:
        """Median cadence of the strides so far in steps/min, rounded as the summary rounds it (None before one)."""
        return round_half_away(float(np.median(self._cadences_spm)), 1) if self._cadences_spm else None

    @property
    def stride_length_m(self) -> float | None:
        """Median known stride length so far in metres, rounded as the summary rounds it (None before one)."""
        return round_half_away(float(np.median(self._lengths_m)), 3) if self._lengths_m else None


# ---------------------------------------------------------------------------------------------------------------
# foot pod


POD_MAX_INTERVAL_S = 5.0
"""Longest time one RSC measurement stands for (a pod reports about once a second; a longer silence is a gap)."""


class PodTally:
    """A walk's summary from a foot pod's own figures (RSC: speed, cadence, stride length, odometer; no samples).

    Each measurement stands for the time since the one before (at most :data:`POD_MAX_INTERVAL_S`): a pod's
    cadence and speed are measured over the steps it has just counted. The first one only starts the walk's clock,
    and nothing stands for the time after the last one: so the summary after each report, which the live view
    shows, is the summary the walk stores when it ends then (a last report held on to the stop would change the
    figures after the walker last saw them). Time with a cadence above zero is walking time, cadence x time counts
    the steps, and the cadence and stride length are their means over the walking time. The distance is the pod's
    odometer (its total distance) walked since the first measurement, or speed x time when the pod sends no
    odometer.
    """

    def __init__(self) -> None:
        self.measurements = 0
        self._last_s: float | None = None
        self._first_s: float | None = None
        self._walking_s = 0.0
        self._steps = 0.0
        self._stride_s = 0.0  # walking time with a known stride length
        self._stride_sum = 0.0
        self._speed_m = 0.0
        self._odometer_m = 0.0
        self._odometer_last: float | None = None

    def add(self, measurement: Any, arrival_s: float) -> None:
        """Take one measurement that arrived at ``arrival_s`` (seconds on a monotonic clock)."""
        if self._last_s is not None:
            self._count(measurement, min(max(arrival_s - self._last_s, 0.0), POD_MAX_INTERVAL_S))
        total = getattr(measurement, "total_distance_m", None)
        if total is not None:
            if self._odometer_last is not None and total >= self._odometer_last:
                self._odometer_m += total - self._odometer_last
            self._odometer_last = total  # a pod that resets its odometer goes on from its new reading
        self._first_s = arrival_s if self._first_s is None else self._first_s
        self._last_s = arrival_s if self._last_s is None else max(self._last_s, arrival_s)
        self.measurements += 1

    def _count(self, m: Any, dt_s: float) -> None:
        """Take ``m`` as the walking of the ``dt_s`` seconds before it."""
        cadence = float(getattr(m, "cadence_spm", 0.0) or 0.0)
        self._speed_m += float(getattr(m, "speed_mps", 0.0) or 0.0) * dt_s
        if cadence <= 0:
            return
        self._walking_s += dt_s
        self._steps += cadence * dt_s / 60.0
        stride = getattr(m, "stride_length_m", None)
        if stride is not None and math.isfinite(stride):
            self._stride_s += dt_s
            self._stride_sum += float(stride) * dt_s

    @property
    def distance_m(self) -> float:
        """Distance walked so far: the odometer's, else speed x time."""
        return self._odometer_m if self._odometer_last is not None else self._speed_m

    def summary(self) -> dict[str, Any]:
        """The walk's summary (the keys of a stored walk's); no strides: a pod sends no stride events."""
        walking = self._walking_s > 0
        return {
            "steps": round(self._steps) if walking else 0,
            "strides": None,
            "cadence_spm": round_half_away(self._steps * 60.0 / self._walking_s, 1) if walking else None,
            "stride_length_m": round_half_away(self._stride_sum / self._stride_s, 3) if self._stride_s > 0 else None,
            "distance_m": round_half_away(self.distance_m, 1),
            "walking_time_s": round_half_away(self._walking_s, 2),
            "duration_s": 0.0 if self._first_s is None else round_half_away((self._last_s or 0.0) - self._first_s, 2),
        }


# ---------------------------------------------------------------------------------------------------------------
# session


def _default_tracker_factory(**settings: Any) -> Tracker:
    from gait.tracker import GaitTracker

    return GaitTracker(**settings)


@dataclass
class _Subscribers:
    queues: list[asyncio.Queue[dict[str, Any]]] = field(default_factory=list)

    def publish(self, msg: dict[str, Any]) -> None:
        for q in self.queues:
            if q.full():  # a stalled subscriber loses its oldest message, never blocks the session
                with contextlib.suppress(asyncio.QueueEmpty):
                    q.get_nowait()
            q.put_nowait(msg)


class LiveSession:
    """One live walk from one sensor.

    Parameters
    ----------
    source
        Async iterator of :class:`~gait.types.Chunk` (a BLE sensor source or :func:`ingest.replay.replay_chunks`).
        It may also yield RSC pod measurements (objects with ``speed_mps`` and ``cadence_spm``), and may offer
        ``add_listener(callback) -> remove`` for its state and gap messages (see :mod:`ingest.ble.sources`), and
        ``aclose()``, awaited when the session ends (also one stopped before it began).
    placement
        Where the sensor is worn.
    body_height_m, sensor_height_m, stride_scale
        Passed to the tracker (and kept in the journal's sidecar, so a recovery analyses with the same heights).
    coach
        Optional ``gait.coach.Coach``; its cues are published, and its plan gives each stride's target.
    journal_dir
        Directory of the journal; the files are ``<session_id>.csv`` and ``<session_id>.json``.
    session_id
        Defaults to a new random id.
    tracker_factory
        Builds the tracker from keyword settings (tests inject fakes); defaults to ``GaitTracker``.
    sensor
        Free-form description of the sensor for the journal's sidecar (name, address, protocol).
    sensor_side
        ``"left"`` / ``"right"``: the shoe a foot sensor is on (its steps and strides then carry that side).
    store_on_end
        For a walk its process stores when it ends (``gait live`` of the walker's own sensor): kept in the sidecar
        as ``store_on_end`` (the data folder, the walk's name, whether the height was given), and the journal's CSV
        locked while the session runs, so a walk cut off by kill -9 or a power cut is stored at the next start
        (:func:`service.commands.live.recover_cut_off`).
    """

    def __init__(
        self,
        source: AsyncIterator[Any],
        *,
        placement: Placement | str,
        body_height_m: float | None = None,
        stride_scale: float | None = None,
        coach: Coach | None = None,
        journal_dir: Path,
        sensor_height_m: float | None = None,
        session_id: str | None = None,
        tracker_factory: TrackerFactory | None = None,
        sensor: dict[str, Any] | None = None,
        sensor_side: str | None = None,
        store_on_end: dict[str, Any] | None = None,
    ) -> None:
        self.placement = Placement.parse(placement)
        self.session_id = session_id or uuid.uuid4().hex[:12]
        self.source = source
        self.coach = coach
        # what the coach's note needs to say at once why a walk's lengths can never be trusted (a phone uncalibrated)
        self._lengths_calibrated = stride_scale is not None
        self._height_known = body_height_m is not None or sensor_height_m is not None
        factory = tracker_factory or _default_tracker_factory
        settings: dict[str, Any] = {
            "placement": self.placement,
            "body_height_m": body_height_m,
            "stride_scale": stride_scale,
        }
        if sensor_height_m is not None:  # only then: fake trackers in tests need not know it
            settings["sensor_height_m"] = sensor_height_m
        if sensor_side is not None:  # only then: the tracker refuses a side where the placement has none
            settings["sensor_side"] = sensor_side
        self.tracker = factory(**settings)
        self.so_far = RunningSummary(self.placement)
        self.state = SessionState()
        self.store_on_end = store_on_end
        self.journal_path = Path(journal_dir) / f"{self.session_id}.csv"
        self.replaced_journal = _move_aside(self.journal_path)
        self._journal = Journal(
            self.journal_path,
            {
                "format": JOURNAL_FORMAT,
                "session_id": self.session_id,
                "placement": self.placement.value,
                "body_height_m": body_height_m,
                "sensor_height_m": sensor_height_m,
                "stride_scale": stride_scale,
                "sensor_side": sensor_side,
                "started_at_unix_s": time.time(),
                "sensor": sensor or {},
                "time_axis": "seconds on the source's clock (host-mapped sensor time for BLE sources)",
                "state": self.state.to_dict(),
                "gaps": [],
                **({STORE_ON_END: store_on_end} if store_on_end is not None else {}),
            },
            lock=store_on_end is not None,
        )
        self._subs = _Subscribers()
        self._stop = asyncio.Event()
        self._last_time_s: float | None = None
        self._pod: Any = None
        self._pod_start_m: float | None = None
        self.pod = PodTally()
        self._ran = False
        self.journal_error: OSError | None = None
        """Why the journal could not be written to the end (a full disk): its last samples are not in it."""
        # the rate check (RATE_CHECK_S): intervals between samples with no reported gap between them, and the chunks
        # held back from the tracker until the rate is known
        self._rate_hz: float | None = None
        self._rate_steps_s: list[float] = []
        self._held: list[Chunk] = []
        self._gaps_seen = 0
        self._rate_refused = False

    # -- subscribers ---------------------------------------------------------------------------------------------
    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        """A new queue that receives every message from now on."""
        q: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=SUBSCRIBER_QUEUE_SIZE)
        self._subs.queues.append(q)
        return q

    def unsubscribe(self, q: asyncio.Queue[dict[str, Any]]) -> None:
        """Stop delivering to ``q`` (no error when it was not subscribed)."""
        with contextlib.suppress(ValueError):
            self._subs.queues.remove(q)

    def _publish(self, msg: dict[str, Any]) -> None:
        msg["session_id"] = self.session_id
        self._subs.publish(msg)

    def _publish_state(self) -> None:
        self._publish({"type": "state", **self.state.to_dict()})

    # -- control -------------------------------------------------------------------------------------------------
    def stop(self) -> None:
        """Ask :meth:`run` to end after the current chunk (safe to call at any time, also before run)."""
        self._stop.set()

    @property
    def stop_requested(self) -> bool:
        """True once :meth:`stop` was asked (the walk ended as stopped, not by its source)."""
        return self._stop.is_set()

    async def run(self) -> SessionState:
        """Drive the source to its end (or :meth:`stop`), publishing messages; returns the final state.

        Raises
        ------
        GaitError, IngestError
            When the source fails for good (sensor not found, link lost beyond the reconnect window) or its samples
            break the tracker's contract; the journal is kept and the final ``ended`` state carries the error.
        """
        if self._ran:
            raise RuntimeError("a LiveSession runs once; create a new one")
        self._ran = True
        remove_listener = None
        add_listener = getattr(self.source, "add_listener", None)
        if callable(add_listener):
            remove_listener = add_listener(self._on_source_message)
        self._publish_state()
        iterator = aiter(self.source)
        stop_wait = asyncio.ensure_future(self._stop.wait())
        failed = False
        try:
            while not self._stop.is_set():
                next_item = asyncio.ensure_future(anext(iterator))
                done, _ = await asyncio.wait({next_item, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
                if next_item not in done:
                    next_item.cancel()
                    with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                        await next_item
                    break
                try:
                    item = next_item.result()
                except StopAsyncIteration:
                    break
                self._on_item(item)
            self._release_held()  # a walk shorter than the rate check: checked on what it has
        except (GaitError, IngestError, OSError) as exc:
            # OSError: the journal could not be written (a full disk); the session ends and releases the sensor
            failed = True
            self.state.error = str(exc)
            raise
        finally:
            stop_wait.cancel()
            if remove_listener is not None:
                remove_listener()
            for closable in (iterator, self.source) if iterator is not self.source else (iterator,):
                # the source's own aclose too: a BLE source may hold a connection its stream never took over (a
                # walk stopped before it began streaming), and a sensor left connected cannot be used by anyone
                aclose = getattr(closable, "aclose", None)
                if aclose is not None:
                    with contextlib.suppress(Exception):
                        await aclose()
            if (not failed or self.state.samples) and not self._rate_refused:
                with contextlib.suppress(GaitError):
                    if self._held:  # the link was lost before the rate check: what came is analysed
                        self._release_held()
                    self._on_events(self.tracker.finish())
            try:
                self._journal.close()
            except OSError as exc:
                self.journal_error = self.journal_error or exc
            if self.pod.measurements:
                # the summary the last pod message carried (PodTally: nothing stands for the time after it)
                self._journal.meta["pod"] = self.pod.summary()
            describe = getattr(self.source, "describe", None)
            if callable(describe):
                self._journal.meta["sensor"] = {**self._journal.meta["sensor"], **describe()}
            self.state.phase = "ended"
            self._journal.meta["state"] = self.state.to_dict()
            self._journal.meta["ended_at_unix_s"] = time.time()
            try:
                self._journal.write_meta()
            except OSError as exc:  # a full disk: the walk still ends, the sensor released, its end published
                self.journal_error = self.journal_error or exc
            if self.store_on_end is None:
                self._journal.unlock()
            # else held until its process has stored the walk (release_journal): one killed while it stores it is
            # stored at the next start, as one cut off during the walk is
            self._publish_state()
        return self.state

    def mark_journal(self, **fields: Any) -> None:
        """Write ``fields`` into the sidecar's ``store_on_end`` mark (a walk its process stores when it ends): how the
        walk ended (``ended``, for a start that stores it after its process was killed while storing it), or
        ``recovered`` (why it was not stored, said when it ended: never taken again at a start). Nothing for a walk
        without the mark, or whose journal is gone (stored); a sidecar that cannot be written stays as it was."""
        if self.store_on_end is None or not self._journal.meta_path.exists():
            return
        self._journal.meta[STORE_ON_END] = {**self._journal.meta.get(STORE_ON_END, {}), **fields}
        with contextlib.suppress(OSError):
            self._journal.write_meta()

    def release_journal(self) -> None:
        """Give up the journal's lock once the walk's process is done with it: a walk stored when it ends keeps it
        past its end until then (``store_on_end``)."""
        self._journal.unlock()

    # -- inputs --------------------------------------------------------------------------------------------------
    def _on_source_message(self, msg: dict[str, Any]) -> None:
        kind = msg.get("type")
        if kind == "state":
            before = self.state.to_dict()
            phase = msg.get("phase")
            if phase in PHASES and phase != "ended":
                self.state.phase = phase
            self.state.lost_packets = int(msg.get("lost_packets", self.state.lost_packets))
            self.state.detail = msg.get("detail")
            if self.state.to_dict() != before:
                self._publish_state()
        elif kind == "gap":
            self.state.gaps += 1
            self.state.lost_packets = int(msg.get("total_lost_packets", self.state.lost_packets))
            gap = {k: _json_value(v) for k, v in msg.items() if k != "total_lost_packets"}
            self._journal.meta["gaps"].append(gap)
            self._journal.meta["state"] = self.state.to_dict()
            self._journal.write_meta()
            self._publish(dict(gap))

    def _on_item(self, item: Any) -> None:
        if isinstance(item, Chunk):
            self._on_chunk(item)
        elif hasattr(item, "speed_mps") and hasattr(item, "cadence_spm"):
            self._pod = item
            self.pod.add(item, time.monotonic())
            body = asdict(item) if is_dataclass(item) else dict(vars(item))
            # the walk's figures so far from the pod's own (kept in the sidecar: a walk of a pod alone has no
            # samples, so these are what its stored summary is made of, after a crash too)
            pod_summary = self.pod.summary()
            self._journal.meta["pod"] = pod_summary
            self._journal.write_meta()
            self._publish(
                {
                    "type": "pod",
                    **{k: _json_value(v) for k, v in body.items()},
                    "walk_distance_m": pod_summary["distance_m"],
                    # the walk so far, as it will be stored (the pod's own figures above are its latest report)
                    "walk_cadence_spm": pod_summary["cadence_spm"],
                    "walk_stride_length_m": pod_summary["stride_length_m"],
                    "walk_steps": pod_summary["steps"],
                }
            )
            total_m = getattr(item, "total_distance_m", None)
            set_distance = getattr(self.coach, "set_distance_m", None)
            if total_m is not None and callable(set_distance):
                # a pod's odometer beats summed model strides for "distance into the walk"
                if self._pod_start_m is None or total_m < self._pod_start_m:
                    self._pod_start_m = total_m
                set_distance(total_m - self._pod_start_m)
        else:
            raise IngestError(
                f"live source yielded {type(item).__name__}; it must yield Chunk objects", reason="bad_source"
            )

    def _on_chunk(self, chunk: Chunk) -> None:
        if len(chunk) == 0:
            return
        time_s = np.asarray(chunk.time_s, dtype=float)
        if self._last_time_s is not None and time_s[0] <= self._last_time_s:
            # a source re-mapping its clock after a reconnect may overlap by a few samples: drop, never reorder
            keep = time_s > self._last_time_s
            self.state.dropped_samples += int((~keep).sum())
            if not keep.any():
                return
            gyr = None if chunk.gyr_dps is None else np.asarray(chunk.gyr_dps)[keep]
            chunk = Chunk(time_s[keep], np.asarray(chunk.acc_ms2)[keep], gyr)
        try:
            self._journal.append(chunk)
        except OSError as exc:
            self.journal_error = exc  # these samples are not in the journal: the hub says the last ones are lost
            raise
        first = self.state.samples == 0
        self.state.samples += len(chunk)
        self._last_time_s = float(chunk.time_s[-1])
        if first or self.state.phase == "connecting":
            self.state.phase = "streaming"
            self._publish_state()
        if self._rate_hz is None:
            self._held.append(chunk)
            if not self._measure_rate(chunk):
                return
            self._release_held()
            return
        self._on_events(self.tracker.update(chunk))

    def _measure_rate(self, chunk: Chunk) -> bool:
        """Take a chunk's sample intervals into the rate check; True once :data:`RATE_CHECK_S` of them are in.

        The interval from the previous chunk counts only when no gap was reported between them: a hole of lost
        packets or a reconnect is not a sample interval.
        """
        time_s = np.asarray(chunk.time_s, dtype=float)
        steps = np.diff(time_s).tolist()
        if self._held[:-1] and self.state.gaps == self._gaps_seen:
            steps.append(float(time_s[0]) - float(self._held[-2].time_s[-1]))
        self._gaps_seen = self.state.gaps
        self._rate_steps_s += [dt for dt in steps if dt > 0]
        return sum(self._rate_steps_s) >= RATE_CHECK_S

    def _release_held(self) -> None:
        """Check the stream's rate on the intervals measured (the core's own check and words: a stream under 20 Hz
        ends the walk, its samples kept in the journal), then analyse the chunks held back."""
        if self._rate_hz is None and self._rate_steps_s:
            try:
                self._rate_hz = check_sampling_rate(float(np.median(self._rate_steps_s)), what=self._stream_name())
            except GaitError:
                self._rate_refused = True
                raise
        held, self._held = self._held, []
        for chunk in held:
            self._on_events(self.tracker.update(chunk))

    def _stream_name(self) -> str:
        """The sensor's name for messages about its stream (the source knows it once connected)."""
        describe = getattr(self.source, "describe", None)
        described = describe() if callable(describe) else {}
        sensor = self._journal.meta.get("sensor") or {}
        name = described.get("name") or sensor.get("name") or sensor.get("target")
        return f"the stream of {name}" if name else "the live stream"

    def _on_events(self, events: list[GaitEvent]) -> None:
        for event in events:
            msg = event_message(event)
            self.so_far.add(event)
            distance_m = self.so_far.distance_m
            if isinstance(event, StrideEvent | BoutEvent):
                # the walk's distance so far, counted as its stored summary will count it
                msg["walk_distance_m"] = None if distance_m is None else round_half_away(distance_m, 1)
            cues: list[Any] = []
            if self.coach is not None:
                set_distance = getattr(self.coach, "set_distance_m", None)
                if self._pod_start_m is None and distance_m is not None and callable(set_distance):
                    # "near your usual point of pain" at the distance the walk shows and stores (a pod's odometer,
                    # when one streams, wins); a sum of model strides, trusted only as far as they are
                    set_distance(distance_m, from_strides=True)
                # the coach judges each stride once (its judge holds the walk's level): before the stride's message,
                # which carries that judgement; its cues follow the message
                cues = self.coach.update(event)
            if isinstance(event, StrideEvent):
                self.state.strides += 1
                msg.update(self._stride_extras(event))
            elif isinstance(event, StepEvent):
                self.state.steps += 1
            self._publish(msg)
            for cue in cues:
                self._publish(cue_message(cue))

    def _stride_extras(self, stride: StrideEvent) -> dict[str, Any]:
        # the coach's word on this stride (gait.coach.Coach.last_judgement): no coach, no target
        judgement = getattr(self.coach, "last_judgement", None)
        target_m = getattr(judgement, "target_m", None)
        overlong = getattr(judgement, "overlong", None)
        settings = getattr(self.coach, "settings", None)
        judge = getattr(self.coach, "judge", None)
        pod_m = getattr(self._pod, "stride_length_m", None)
        # Whether the coach would judge this length at all (the live view draws the others apart).
        min_confidence = DEFAULT_MIN_CONFIDENCE if settings is None else settings.min_confidence
        trusted = stride.length_m is not None and stride.confidence >= min_confidence
        return {
            "target_m": _json_value(target_m),
            "overlong": overlong,
            "trusted": trusted,
            "pod_stride_length_m": pod_m,
            # what the target is cut from: "your usual strides" or "this walk's first 20 strides"
            "judged_against": getattr(judge, "basis", None),
            # why there is none yet, with the real reason (a demo, no baseline for this placement, no length model)
            "no_target_note": self._no_target_note(judge) if target_m is None else None,
            # why the prompt near the usual point of pain comes by time, or not at all (an untrusted distance)
            "distance_cue_note": getattr(self.coach, "distance_cue_note", None),
        }

    def _no_target_note(self, judge: Any) -> str | None:
        # a judge of gait.coach knows the walk's calibration from here; a test's fake judge may have the note only
        note = getattr(judge, "target_note", None)
        if callable(note):
            return note(calibrated=self._lengths_calibrated, height_known=self._height_known)
        return getattr(judge, "no_target_note", None)


__all__ = [
    "STORE_ON_END",
    "Journal",
    "LiveSession",
    "PodTally",
    "SessionState",
    "cue_message",
    "event_message",
    "journal_span_s",
    "load_journal",
]
