"""The live hub: runs at most one live session, stores its strides as they come, fans its messages out to SSE.

A :class:`service.live.LiveSession` produces step/stride/bout/cue/state/gap messages. The hub's pump task reads
them from one subscription, commits stride/step/bout/cue rows in small transactions (so a crash loses at most the
last fraction of a second and never a committed stride), and copies every message to each feed subscriber's
bounded queue (a slow browser drops its oldest messages instead of stalling the others).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from fastapi.sse import format_sse_event

from gait.analysis import Analysis, analyze
from gait.coach import StrideJudge
from gait.numbers import round_half_away
from gait.types import BoutEvent, Placement, StepEvent, StrideEvent
from ingest.errors import IngestError
from service import coaching
from service.live import journal_span_s, link_note, load_journal
from service.pipeline import stride_rows
from service.recordings import delete_walk
from service.settings import is_disk_full
from service.store import NewWalk, Store

log = logging.getLogger(__name__)

FLUSH_INTERVAL_S = 0.25
"""Longest time a received stride waits before it is committed."""
SUBSCRIBER_QUEUE = 2000
"""Messages buffered per feed subscriber before the oldest are dropped."""


END_WORDS = {
    "stopped": "stopped by you",
    "recording_ended": "the replayed recording came to its end",
    "sensor_ended": "the sensor stopped sending",
    "link_lost": "the link to the sensor was lost and could not be restored",
    "too_slow": "the sensor samples too slowly to see individual steps (under 20 Hz)",
    "error": "stopped on an error",
    "shutdown": "the service was shut down during the walk",
    "disk_full": "the disk holding the data folder was full, so the walk could not be written on",
    "crash": "the service stopped during the walk (a crash or a power cut) or its disk was full; closed when it "
    "started again",
}
"""How a live walk ended (``source["ended"]``, stored with the walk), in the words its pages say."""


def end_words(source: dict[str, Any]) -> str | None:
    """How a live walk ended, in plain words, from its stored source (None when the walk did not record it).

    Examples
    --------
    >>> end_words({"ended": "stopped"})
    'stopped by you'
    >>> end_words({}) is None
    True
    """
    return END_WORDS.get(str(source.get("ended")))


def ended_by_error(exc: BaseException) -> dict[str, Any]:
    """The stored end of a walk whose session failed: the link lost for good, a stream too slow to see steps, a
    full disk, or another error, with its message."""
    code = {"link_lost": "link_lost", "rate_too_low": "too_slow"}.get(getattr(exc, "reason", None) or "", "error")
    if is_disk_full(exc):
        code = "disk_full"
    return {"ended": code, "end_detail": str(exc)}


def failure_words(
    exc: BaseException, *, data_dir: Path, recorded: bool, journal_error: BaseException | None, closed: bool
) -> str:
    """What the live page says when a walk's session stopped on an error: what happened, what was kept, what to do.

    Examples
    --------
    >>> import errno
    >>> full = OSError(errno.ENOSPC, "No space left on device")
    >>> words = failure_words(full, data_dir=Path("/d"), recorded=True, journal_error=full, closed=False)
    >>> words.startswith("The disk holding the gait data folder (/d) is full")
    True
    >>> "the last seconds of samples could not be written" in words and "press Stop" in words
    True
    >>> failure_words(ValueError("x"), data_dir=Path("/d"), recorded=False, journal_error=None, closed=True)
    'the live walk stopped: x'
    """
    if not is_disk_full(exc):
        kept = "; the walk so far is kept: its page says what stopped it" if recorded and closed else ""
        return f"the live walk stopped: {exc}{kept}"
    what = (
        f"The disk holding the gait data folder ({data_dir}) is full, so the live walk was stopped and the sensor "
        "released."
    )
    if not recorded:
        return f"{what} Nothing had been recorded. Free some space on that disk before starting another walk."
    journal = (
        "The samples before it are in the walk's journal, but the last seconds of samples could not be written."
        if journal_error is not None
        else "The samples up to the stop are in the walk's journal."
    )
    if closed:
        return f"{what} {journal} The walk was closed with the strides stored so far: its page says what stopped it."
    return (
        f"{what} {journal} The walk could not be closed yet: free some space on that disk, then press Stop to close "
        "it from what was stored; otherwise it is closed when the service next starts."
    )


def still_full_words(data_dir: Path, walk_id: int) -> str:
    """What Stop answers when the walk a full disk left open still cannot be closed (the disk still full).

    Examples
    --------
    >>> still_full_words(Path("/d"), 3).startswith("The disk holding the gait data folder (/d) is still full")
    True
    """
    return (
        f"The disk holding the gait data folder ({data_dir}) is still full, so walk {walk_id} could not be closed "
        "yet: free some space on that disk, then press Stop again to close the walk with what was recorded "
        "(otherwise it is closed when the service next starts)."
    )


FeedItem = tuple[str, bytes]
"""What a feed queue holds: the event type and the whole SSE frame, encoded once for every subscriber."""
SHUTDOWN: FeedItem = ("shutdown", b"")


def _feed_item(msg: dict[str, Any]) -> FeedItem:
    kind = str(msg.get("type", "message"))
    data = json.dumps(_json_safe(msg), default=_json_default, allow_nan=False)
    return kind, format_sse_event(data_str=data, event=kind)


def _json_safe(value: Any) -> Any:
    """NaN and infinity become null: browsers' JSON.parse rejects them, and one bad number must not stop a feed."""
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def _stride_row(msg: dict[str, Any]) -> tuple[Any, ...]:
    overlong = msg.get("overlong")
    return (
        float(msg["start_s"]),
        float(msg["end_s"]),
        msg.get("length_m"),
        float(msg.get("cadence_spm") or 0.0),
        msg.get("speed_mps"),
        float(msg.get("confidence") or 0.0),
        str(msg.get("method") or "none"),
        msg.get("side"),
        msg.get("target_m"),
        None if overlong is None else int(bool(overlong)),
    )


@dataclass
class _Batch:
    strides: list[tuple[Any, ...]] = field(default_factory=list)
    steps: list[tuple[Any, ...]] = field(default_factory=list)
    bouts: list[tuple[Any, ...]] = field(default_factory=list)
    cues: list[tuple[Any, ...]] = field(default_factory=list)

    def add(self, msg: dict[str, Any]) -> None:
        kind = msg.get("type")
        if kind == "stride":
            self.strides.append(_stride_row(msg))
        elif kind == "step":
            self.steps.append((float(msg["t_s"]), msg.get("side")))
        elif kind == "bout":
            self.bouts.append((float(msg["start_s"]), float(msg["end_s"]), int(msg.get("steps") or 0)))
        elif kind == "cue":
            self.cues.append(
                (
                    float(msg.get("t_s") or 0.0),
                    str(msg.get("kind") or "cue"),
                    str(msg.get("message") or ""),
                    msg.get("reason"),
                )
            )

    def __bool__(self) -> bool:
        return bool(self.strides or self.steps or self.bouts or self.cues)


STOPPED_BEFORE_START = (
    "Stopped before the walk started: the sensor was being looked for or connected to, so it was released and "
    "nothing was stored."
)
"""What a start stopped while it looked for its sensor or connected to it answers (and the live page says)."""


class StoppedBeforeStartError(RuntimeError):
    """A walk's start was stopped (:meth:`LiveHub.stop`) while its sensor was looked for or connected to."""


@dataclass(frozen=True)
class _Unclosed:
    """A live walk whose session ended on a full disk before the walk could be closed: still ``live`` in the store."""

    walk_id: int
    ended: dict[str, Any]


class LiveHub:
    """Owns the current live session and the feed subscribers.

    Parameters
    ----------
    store
        Where live walks are written.
    journal_dir
        Passed to each :class:`~service.live.LiveSession` for its own crash journal.
    """

    def __init__(self, store: Store, *, journal_dir: Path, recordings_dir: Path | None = None) -> None:
        self.store = store
        self.journal_dir = journal_dir
        self.recordings_dir = recordings_dir
        self._demo = False
        self._subscribers: set[asyncio.Queue[FeedItem]] = set()
        self._session: Any = None
        self._task: asyncio.Task[None] | None = None
        self.walk_id: int | None = None
        self.last_state: dict[str, Any] | None = None
        self.last_stride: dict[str, Any] | None = None
        self.sensor: dict[str, Any] | None = None
        self.coaching_active: bool | None = None
        self._stopped_why: str | None = None
        self.unclosed: _Unclosed | None = None
        """The walk a full disk left open (closed by :meth:`stop` once there is space, else at the next start)."""
        self._starting: set[asyncio.Task[int]] = set()
        # a start stopped while it still looked for its sensor or connected: it inserts no walk (see :meth:`start`)
        self._start_stopped = False
        # False once a start inserts its walk: cancelling it then could leave a walk live without a session
        self._start_cancellable: dict[asyncio.Task[Any], bool] = {}

    # -- feed subscribers ---------------------------------------------------------------------------------------

    def subscribe(self) -> asyncio.Queue[FeedItem]:
        """A new feed queue of ``(event type, JSON text)``; it first receives the current hub state."""
        queue: asyncio.Queue[FeedItem] = asyncio.Queue(maxsize=SUBSCRIBER_QUEUE)
        queue.put_nowait(_feed_item(self.hub_state()))
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[FeedItem]) -> None:
        """Stop feeding ``queue``."""
        self._subscribers.discard(queue)

    @property
    def subscriber_count(self) -> int:
        """Number of connected feeds."""
        return len(self._subscribers)

    def broadcast(self, msg: dict[str, Any]) -> None:
        """Copy ``msg`` to every subscriber, dropping a slow subscriber's oldest message when its queue is full.

        The message is serialised once here, not once per subscriber (50 feeds would mean 50 encodings).
        """
        item = _feed_item({**msg, "sent_ms": time.time() * 1000.0})
        for queue in self._subscribers:
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(item)

    def hub_state(self) -> dict[str, Any]:
        """The ``hub`` message: whether a walk is live and which."""
        return {
            "type": "hub",
            "running": self.running,
            # a start is looking for its sensor or connecting to it: Stop cancels it
            "connecting": self.connecting,
            "walk_id": self.walk_id if self.unclosed is None or self.running else self.unclosed.walk_id,
            "state": self.current_state(),
            "last_stride": self.last_stride,
            "sensor": self.sensor,
            "placement": None if self._session is None else str(getattr(self._session, "placement", "") or "") or None,
            # whether the walk's strides are judged against a target (else the figure shown is the usual stride)
            "coaching_active": self.coaching_active,
            # a walk a full disk left open (its id is walk_id): Stop closes it once there is space
            "unclosed": self.unclosed is not None,
        }

    def summary_so_far(self, walk_id: int) -> dict[str, float | None] | None:
        """The running walk's distance, cadence and stride length so far, as its live page shows them (None for
        another or no running walk).

        Strides are counted as the stored summary will count them (:class:`service.live.RunningSummary`); a foot
        pod alone (no strides) counts with its own figures.
        """
        session = self._session
        if not self.running or walk_id != self.walk_id or session is None:
            return None
        pod = getattr(session, "pod", None)
        state = getattr(session, "state", None)
        if pod is not None and pod.measurements and not getattr(state, "strides", 0):
            return {k: pod.summary()[k] for k in ("distance_m", "cadence_spm", "stride_length_m")}
        so_far = getattr(session, "so_far", None)
        if so_far is None:
            return None
        distance_m = so_far.distance_m
        return {
            "distance_m": None if distance_m is None else round_half_away(distance_m, 1),
            "cadence_spm": so_far.cadence_spm,
            "stride_length_m": so_far.stride_length_m,
        }

    def current_state(self) -> dict[str, Any] | None:
        """The session's state now (samples, strides, lost packets) while it runs; the last published one after.

        The session publishes its state when the phase changes, not per sample: a status request reads the counters.
        """
        state = getattr(self._session, "state", None)
        if self.running and state is not None:
            return {**(self.last_state or {"type": "state"}), **_json_safe(state.to_dict())}
        return self.last_state

    def close(self) -> None:
        """Tell every feed the server is shutting down (their streams end)."""
        for queue in self._subscribers:
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(SHUTDOWN)

    # -- sessions -----------------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True while a session runs."""
        return self._task is not None and not self._task.done()

    @property
    def connecting(self) -> bool:
        """True while a start looks for its sensor or connects to it (:meth:`starting`) and no session runs."""
        return not self.running and any(not t.done() for t in self._starting)

    async def starting(self, start: Coroutine[Any, Any, int]) -> int:
        """Run ``start`` (a sensor's lookup and connection, then :meth:`start`) as a start :meth:`stop` can cancel.

        A sensor is looked up (a scan of a second or more) and connected to before its walk exists; a Stop meanwhile
        cancels that, so the sensor is released and nothing is stored.

        Raises
        ------
        StoppedBeforeStartError
            When :meth:`stop` stopped it before its walk was created.
        """
        task = asyncio.ensure_future(start)
        if not self._starting:
            self._start_stopped = False
        self._starting.add(task)
        self._start_cancellable[task] = True
        self.broadcast(self.hub_state())
        try:
            return await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if self._start_stopped and current is not None and not current.cancelling():
                raise StoppedBeforeStartError(STOPPED_BEFORE_START) from None
            raise
        finally:
            self._starting.discard(task)
            self._start_cancellable.pop(task, None)
            if not self.running:
                # the page's Stop and badge leave "connecting"; a start Stop cancelled says so
                stopped = task.done() and (task.cancelled() or isinstance(task.exception(), StoppedBeforeStartError))
                self.broadcast({**self.hub_state(), "start_stopped": stopped})

    async def start(self, make_session: Callable[[int], Any], walk: NewWalk) -> int:
        """Insert ``walk`` as a live walk and run ``make_session(walk_id)`` (a LiveSession); returns the walk id.

        Raises
        ------
        RuntimeError
            When a session is already running (stop it first).
        StoppedBeforeStartError
            When :meth:`stop` was asked while this start (:meth:`starting`) looked for or connected to its sensor.
        """
        if self.running:
            raise RuntimeError("a live walk is already running: stop it first")
        current = asyncio.current_task()
        if current in self._start_cancellable:
            if self._start_stopped:
                raise StoppedBeforeStartError(STOPPED_BEFORE_START)
            # from here the walk is inserted: a Stop waits for its session and stops that instead
            self._start_cancellable[current] = False
        if self.unclosed is not None:
            # space may be back: the walk a full disk left open is closed first (else it waits for Stop or a start)
            with contextlib.suppress(Exception):
                await self._close_unclosed()
        walk_id = await asyncio.to_thread(self.store.start_live_walk, walk)
        try:
            session = make_session(walk_id)
        except BaseException:
            # no session, no walk (its journal could not be created, on a full disk say): nothing half-made is kept
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self._discard, walk_id)
            raise
        self.walk_id = walk_id
        self._session = session
        self.last_state = None
        self.last_stride = None
        self.sensor = _describe_source(session)
        self.coaching_active = bool(walk.coaching.get("active"))
        self._demo = walk.demo
        self._stopped_why = None
        self._task = asyncio.create_task(self._pump(session, walk_id), name=f"live-walk-{walk_id}")
        self.broadcast(self.hub_state())
        return walk_id

    async def stop(self, why: str = "stopped") -> None:
        """Stop the running session and wait until its last rows are committed.

        ``why`` is stored as how the walk ended (a key of :data:`END_WORDS`): ``"stopped"`` when the walker
        stopped it, ``"shutdown"`` when the service is shutting down. A walk whose session ended on a full disk and
        could not be closed then is closed now (from what was stored and its journal); when that fails again
        (the disk still full) the error is raised, except on shutdown (the next start closes it). A start still
        looking for or connecting to its sensor (:meth:`starting`) is cancelled (nothing is stored), or, once it
        creates its walk, waited for and its session stopped.
        """
        starts = [t for t in self._starting if not t.done()]
        if starts:
            self._start_stopped = True
            for task in starts:
                if self._start_cancellable.get(task):
                    task.cancel()
            await asyncio.wait(starts)
        if self._session is not None and self.running:
            self._stopped_why = why
            self._session.stop()
        task = self._task
        if task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout=10)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self.unclosed is not None and not self.running:
            try:
                await self._close_unclosed()
            except Exception as exc:
                if why != "shutdown":
                    raise
                log.warning("live walk %s left open (closed at the next start): %s", self.unclosed.walk_id, exc)

    async def _close_unclosed(self) -> None:
        """Close the walk a failed write left live (:class:`_Unclosed`) and tell the feeds it is closed."""
        unclosed = self.unclosed
        if unclosed is None:
            return
        await asyncio.to_thread(close_unwritten_walk, self.store, unclosed, self.journal_dir)
        self.unclosed = None
        if self.last_state is not None and self.walk_id == unclosed.walk_id:
            # its "could not be closed yet ... press Stop" words are no longer true: a page opened later (or this
            # message) shows the walk closed, not that error beside it
            self.last_state = {k: v for k, v in self.last_state.items() if k != "error"}
        log.info("live walk %s closed from what was stored before the disk was full", unclosed.walk_id)
        stored = await asyncio.to_thread(self.store.get_walk, unclosed.walk_id)
        self.broadcast(
            {
                **self.hub_state(),
                "walk_id": unclosed.walk_id,
                "ended": "interrupted",
                "ended_how": end_words(unclosed.ended),
                "end_reason": unclosed.ended.get("ended"),
                "distance_m": None if stored is None else stored["distance_m"],
                "unclosed": False,
                "closed_now": True,
            }
        )

    async def _pump(self, session: Any, walk_id: int) -> None:
        queue = session.subscribe()
        runner = asyncio.create_task(session.run(), name=f"live-session-{walk_id}")
        batch = _Batch()
        last_flush = time.monotonic()
        status = "complete"
        ended: dict[str, Any] = {}
        # a write that failed (a full disk, the walk deleted): the session is stopped, the sensor released, the walk
        # closed as far as it can be; nothing more is written to the store after it
        failure: BaseException | None = None
        try:
            while True:
                getter = asyncio.ensure_future(queue.get())
                done, _ = await asyncio.wait({getter, runner}, timeout=FLUSH_INTERVAL_S, return_when="FIRST_COMPLETED")
                if getter in done:
                    msg = getter.result()
                    self._on_message(msg, walk_id, batch)
                else:
                    getter.cancel()
                if batch and (time.monotonic() - last_flush >= FLUSH_INTERVAL_S or not self._subscribers):
                    if failure is None:
                        failure = await self._try_flush(walk_id, batch, session)
                    batch = _Batch()
                    last_flush = time.monotonic()
                if runner in done and queue.empty():
                    break
            failure = failure or runner.exception()
            if failure is not None:
                status = "interrupted"
                ended = ended_by_error(failure)
                log.error("live walk %s stopped: %s", walk_id, failure)
            elif self._stopped_why is not None:
                ended = {"ended": self._stopped_why}
            else:
                # the source came to its end by itself: a replay's recording ran out, a sensor stopped sending
                ended = {"ended": "sensor_ended" if self.sensor else "recording_ended"}
        except asyncio.CancelledError:
            status = "interrupted"
            ended = {"ended": "shutdown"}
            runner.cancel()
            raise
        finally:
            session.unsubscribe(queue)
            journal_path = getattr(session, "journal_path", None)
            # the coach's judge has seen every stride in order: it knows the level this walk set, if any
            judge = getattr(getattr(session, "coach", None), "judge", None)
            stored, close_error = None, None
            try:
                if batch and failure is None:
                    await asyncio.shield(self._flush(walk_id, batch))
                await asyncio.shield(
                    asyncio.to_thread(
                        finish_live_walk, self.store, walk_id, status, journal_path, ended=ended, judge=judge
                    )
                )
                stored = await asyncio.shield(asyncio.to_thread(self.store.get_walk, walk_id))
            except Exception as exc:  # any write failure: the session has ended all the same, and the page says so
                close_error = exc
                log.error("live walk %s could not be closed: %s", walk_id, exc)
                if failure is None:
                    status, failure, ended = "interrupted", exc, ended_by_error(exc)
                if is_disk_full(exc):
                    # still live in the store: Stop (once space is freed) or the next start closes it
                    self.unclosed = _Unclosed(walk_id, ended)
            discarded = stored is not None and (self._is_empty_demo(stored) or not _recorded(session))
            if discarded:
                # a demo stopped before its first stride is an empty row of somebody else's walking, and a walk that
                # ended before its sensor sent anything is no walk: not kept (the error stays in the status and feed)
                with contextlib.suppress(Exception):
                    await asyncio.shield(asyncio.to_thread(self._discard, walk_id))
                stored = None
            self._session = None
            if failure is not None:
                words = failure_words(
                    failure,
                    data_dir=self.store.path.parent,
                    recorded=_recorded(session),
                    journal_error=getattr(session, "journal_error", None),
                    closed=close_error is None,
                )
                disk_full = is_disk_full(failure)
                if disk_full and self.last_state is not None:
                    # the session's own error is the system's ("[Errno 28] ..."): a page opened later says these words
                    self.last_state = {**self.last_state, "error": words}
                # disk_full: the live page shows these words in place of the session's error
                self.broadcast({"type": "error", "message": words, "disk_full": disk_full})
            self.broadcast(
                {
                    "type": "hub",
                    "running": False,
                    "walk_id": walk_id,
                    "state": self.last_state,
                    "last_stride": self.last_stride,
                    "sensor": self.sensor,
                    "ended": status,
                    # how it ended, in plain words ("stopped by you"): what the live page says
                    "ended_how": end_words(ended),
                    # its key ("shutdown": the live page then knows the walk ended with the service, not by itself)
                    "end_reason": ended.get("ended"),
                    "coaching_active": self.coaching_active,
                    # the stored summary's figure, which the live view shows from now on
                    "distance_m": None if stored is None else stored["distance_m"],
                    # an empty demo walk is not kept: the live page has no walk page to link to
                    "discarded": discarded,
                    # whether the sensor sent anything (a walk discarded without: the sensor sent no data)
                    "recorded": _recorded(session),
                    # a walk the full disk left open: Stop closes it once space is freed (else the next start)
                    "unclosed": self.unclosed is not None and self.unclosed.walk_id == walk_id,
                }
            )

    async def _try_flush(self, walk_id: int, batch: _Batch, session: Any) -> BaseException | None:
        """Commit ``batch``; on any failure stop the session (it releases its sensor) and return the error."""
        try:
            await self._flush(walk_id, batch)
        except Exception as exc:
            log.error("live walk %s: its strides could not be stored (%s); the walk is stopped", walk_id, exc)
            session.stop()
            return exc
        return None

    def _is_empty_demo(self, stored: dict[str, Any]) -> bool:
        """True for a demo walk that ended normally without a stride or a foot pod's distance (nothing to show); an
        interrupted one stays, as its page says what stopped it (a sensor that sent nothing)."""
        return (
            self._demo
            and stored.get("status") == "complete"
            and not stored.get("strides")
            and stored.get("distance_m") is None
        )

    def _discard(self, walk_id: int) -> None:
        delete_walk(
            self.store, walk_id, recordings_dir=self.recordings_dir or self.journal_dir, journal_dir=self.journal_dir
        )
        log.info("live walk %s ended before its first stride or sample: not kept", walk_id)

    def _on_message(self, msg: dict[str, Any], walk_id: int, batch: _Batch) -> None:
        msg = {**msg, "walk_id": walk_id}
        if msg.get("type") == "state":
            self.last_state = msg
            # a BLE source learns the sensor's name, address and protocol as it connects: state messages say so
            self.sensor = _describe_source(self._session) or self.sensor
            if self.sensor is not None:
                msg["sensor"] = self.sensor
        elif msg.get("type") == "stride":
            self.last_stride = msg
        batch.add(msg)
        self.broadcast(msg)

    async def _flush(self, walk_id: int, batch: _Batch) -> None:
        await asyncio.to_thread(
            self.store.append_live,
            walk_id,
            strides=batch.strides,
            steps=batch.steps,
            bouts=batch.bouts,
            cues=batch.cues,
        )


def _recorded(session: Any) -> bool:
    """True when a live session received anything: a sample, or a foot pod's report (a pod sends no samples)."""
    state = getattr(session, "state", None)
    pod = getattr(session, "pod", None)
    return bool(getattr(state, "samples", 0)) or bool(getattr(pod, "measurements", 0))


def _describe_source(session: Any) -> dict[str, Any] | None:
    """What the session's source says it is (a BLE sensor's name, address, protocol); None for a replay."""
    describe = getattr(getattr(session, "source", None), "describe", None)
    return _json_safe(describe()) if callable(describe) else None


def stride_event(row: dict[str, Any]) -> StrideEvent:
    """A stored stride row (:data:`service.store.STRIDE_COLUMNS`) as the tracker's event."""
    return StrideEvent(
        row["start_s"],
        row["end_s"],
        row["length_m"],
        row["cadence_spm"],
        row["speed_mps"],
        row["confidence"],
        row["method"],
        row["side"],
    )


def stored_strides(store: Store, walk_id: int) -> list[StrideEvent]:
    """A walk's committed strides as tracker events, in the order they were stored (the order they came)."""
    return [stride_event(s) for s in store.strides(walk_id)]


def walk_analysis(store: Store, walk_id: int) -> Analysis:
    """Rebuild a live walk's :class:`~gait.analysis.Analysis` from its committed rows (for its summary).

    Steps after the last stored bout form a final bout: a walk cut short by a crash or a stop still counts the
    walking it ended in.
    """
    walk = store.get_walk(walk_id)
    placement = Placement.parse(walk["placement"]) if walk and walk["placement"] else None
    steps = [StepEvent(s["t_s"], s["side"]) for s in store.steps(walk_id)]
    bouts = [BoutEvent(b["start_s"], b["end_s"], b["steps"]) for b in store.bouts(walk_id)]
    strides = stored_strides(store, walk_id)
    tail = [s for s in steps if not bouts or s.t_s > bouts[-1].end_s]
    if len(tail) >= 3:
        bouts.append(BoutEvent(tail[0].t_s, tail[-1].t_s, len(tail)))
    duration_s = steps[-1].t_s - steps[0].t_s if len(steps) > 1 else 0.0
    return Analysis(steps=steps, strides=strides, bouts=bouts, duration_s=duration_s, placement=placement)


def finish_live_walk(
    store: Store,
    walk_id: int,
    status: str,
    journal_path: Path | None = None,
    reason: str | None = None,
    *,
    ended: dict[str, Any] | None = None,
    judge: Any = None,
) -> None:
    """Close a live walk: compute its summary from its committed rows and set its final status.

    The walk's duration is that of the samples recorded (its journal's first to last sample), as an uploaded
    recording's is its file's; only without a journal does it fall back to the span of the stored contacts.
    ``reason``, when given, is stored as what the walk page says about the walk (after a foot pod's own).
    ``ended`` (``{"ended": key of END_WORDS, "end_detail": message}``) is kept in the walk's source. ``judge``, the
    :class:`~gait.coach.StrideJudge` that judged the walk's strides in order, adds what they were judged against and
    the level the walk set to its stored coaching, as an upload's says (:func:`service.coaching.judged_description`).
    """
    summary = walk_analysis(store, walk_id).summary
    span_s = None if journal_path is None else journal_span_s(journal_path)
    if span_s is not None:
        summary["duration_s"] = round_half_away(span_s, 2)
    meta = {} if journal_path is None else _journal_meta(journal_path)
    stored = store.get_walk(walk_id)
    notes = list((stored or {}).get("notes") or [])
    # the link's drops and lost packets, kept with the walk as `gait live` keeps them: its page says why its duration
    # holds seconds without samples
    source = {**(ended or {}), **_link_source(meta)}
    link = link_note(meta.get("gaps") or [], source.get("lost_packets", 0))
    pod = meta.get("pod") if isinstance(meta.get("pod"), dict) else None
    if pod is not None and not summary.get("strides"):
        # a foot pod alone (RSC): no samples, no strides; the walk's figures are the pod's own
        pod_reason = POD_WALK_REASON if reason is None else f"{POD_WALK_REASON} {reason}"
        # the stride-length model's notes no longer apply; where the placement came from still does
        said = [n for n in notes if n.startswith("placement ")]
        pod_notes = [*said, POD_WALK_NOTE, *([link] if link else [])]
        store.finish_walk(walk_id, pod, status=status, reason=pod_reason, notes=pod_notes, source=source)
        return
    judged = None
    if isinstance(judge, StrideJudge) and stored is not None and stored["coaching"]:
        judged = coaching.judged_description(stored["coaching"], judge)
    with_link = [*notes, link] if link and link not in notes else None
    store.finish_walk(walk_id, summary, status=status, reason=reason, notes=with_link, source=source, coaching=judged)


POD_WALK_REASON = (
    "Figures from the foot pod itself: a Running Speed and Cadence pod sends its own speed, cadence and stride "
    "length about once a second, not the motion samples this analyser measures strides from. So this walk has no "
    "strides of its own, no charts and no stride coaching; its cadence, stride length, steps and distance are the "
    "pod's."
)
POD_WALK_NOTE = (
    "foot pod (RSC): cadence and stride length are the means of the pod's own figures over the time it reported "
    "walking, steps its cadence x that time, distance from its odometer (else its speed x time)"
)


def _journal_meta(journal_path: Path) -> dict[str, Any]:
    """A live walk's journal sidecar (its foot pod's summary, its link's gaps, its session state), or {}."""
    meta_path = Path(journal_path).with_suffix(".json")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _link_source(meta: dict[str, Any]) -> dict[str, Any]:
    """The lost packets and gaps a sensor's journal sidecar counted, as a walk's source keeps them ({} for a replay's
    journal, which has no link to lose, or one without a session state).

    Examples
    --------
    >>> _link_source({"sensor": {"name": "S"}, "state": {"lost_packets": 122, "gaps": 1}})
    {'lost_packets': 122, 'gaps': 1}
    >>> _link_source({"state": {"lost_packets": 0, "gaps": 0}})
    {}
    """
    state = meta.get("state")
    if not meta.get("sensor") or not isinstance(state, dict):
        return {}
    return {"lost_packets": int(state.get("lost_packets") or 0), "gaps": int(state.get("gaps") or 0)}


def recovery_judge(store: Store, walk_id: int, body_height_m: float | None) -> coaching.StrideFlagger:
    """A fresh judge for an interrupted live walk's strides, with the plan it was coached by: the walker's plan at
    the walk's start, or for a demo walk the demo coach's (``body_height_m``: the demo walker's, from the journal)."""
    walk = store.get_walk(walk_id)
    profile = coaching.load_profile(store)
    placement = None if walk is None else walk["placement"]
    if walk is not None and walk["demo"]:
        coach, _, _ = coaching.demo_coach(
            profile.coaching.coach_settings(), body_height_m=body_height_m, placement=placement
        )
        return coach.judge
    at_s = None if walk is None else coaching.iso_to_unix_s(walk["started_at"])
    flag, _ = coaching.stride_flagger(store, profile, at_s=at_s, placement=placement)
    return flag


def recover_from_journal(store: Store, walk_id: int, journal_dir: Path, judge: coaching.StrideFlagger) -> int:
    """Add the strides a crash kept from being committed, from the session's sample journal; returns how many.

    The journal holds every sample received; analysing it offline gives the same events as the live tracker (one
    algorithm for both modes), so the strides after the last committed one are exactly those the crash lost,
    including the ones the tracker had not yet decided. ``judge`` (:func:`interrupted_walk_judge`) has seen the
    walk's committed strides: it judges the recovered ones after them, as they would have been live.
    """
    path = journal_dir / f"walk-{walk_id}.csv"
    if not path.exists():
        return 0
    try:
        recording = load_journal(path)
    except IngestError as exc:
        log.warning("walk %s: journal not usable (%s); keeping the committed strides only", walk_id, exc)
        return 0
    meta_path = path.with_suffix(".json")
    stride_scale = json.loads(meta_path.read_text(encoding="utf-8")).get("stride_scale") if meta_path.exists() else None
    result = analyze(recording, stride_scale=stride_scale, sensor_side=recording.source.get("sensor_side"))
    last = {
        "strides": max((s["start_s"] for s in store.strides(walk_id)), default=-math.inf),
        "steps": max((s["t_s"] for s in store.steps(walk_id)), default=-math.inf),
        "bouts": max((b["end_s"] for b in store.bouts(walk_id)), default=-math.inf),
    }
    strides = stride_rows([s for s in result.strides if s.start_s > last["strides"]], judge)
    steps = [(e.t_s, e.side) for e in result.steps if e.t_s > last["steps"]]
    bouts = [(b.start_s, b.end_s, b.steps) for b in result.bouts if b.end_s > last["bouts"]]
    if strides or steps or bouts:
        store.append_live(walk_id, strides=strides, steps=steps, bouts=bouts)
    return len(strides)


def interrupted_walk_judge(store: Store, walk_id: int, journal_path: Path | None) -> coaching.StrideFlagger:
    """The judge of an interrupted live walk (:func:`recovery_judge`, the demo walker's height from the journal's
    sidecar) once it has seen the walk's committed strides in order, as the live coach had: it holds the walk's level
    (without a personal baseline, its first 20 trusted strides) for the strides recovered after them and for the
    stored coaching's description."""
    meta_path = None if journal_path is None else journal_path.with_suffix(".json")
    height_m = None
    if meta_path is not None and meta_path.exists():
        with contextlib.suppress(OSError, ValueError):
            height_m = json.loads(meta_path.read_text(encoding="utf-8")).get("body_height_m")
    judge = recovery_judge(store, walk_id, height_m)
    for stride in stored_strides(store, walk_id):
        judge(stride)
    return judge


def interrupted_reason(kept: int, recovered: int | None, *, disk_full: bool = False) -> str:
    """What an interrupted live walk's page says: what happened, what was kept and what was recovered.

    Parameters
    ----------
    kept
        Strides saved during the walk (committed before the service stopped).
    recovered
        Strides added from the walk's sample journal, or None when it had no journal.
    disk_full
        The walk was stopped by a full disk and closed once there was space again (not at a start).

    Examples
    --------
    >>> interrupted_reason(17, 1).split(": ")[0]
    'This live walk was interrupted'
    >>> "The 17 strides saved during the walk were kept and 1 more stride was recovered" in interrupted_reason(17, 1)
    True
    """
    what = (
        "This live walk was interrupted: the service stopped while it was running (a crash, a power cut or the "
        "process being killed) or the disk holding its data was full, and the walk was closed when the service "
        "started again."
    )
    if disk_full:
        what = (
            "This live walk was stopped because the disk holding its data was full (its strides could not be written "
            "on), and it was closed once there was space again."
        )
    saved = (
        "The 1 stride saved during the walk was kept"
        if kept == 1
        else f"The {kept} strides saved during the walk were kept"
    )
    if recovered is None:
        return (
            f"{what} {saved}; no sample journal was found, so strides not yet saved when it stopped (the last few "
            "seconds) are lost."
        )
    more = "1 more stride was" if recovered == 1 else f"{recovered} more strides were"
    return (
        f"{what} {saved} and {more} recovered from the samples it had recorded (its journal); nothing after the "
        "stop was recorded."
    )


def close_interrupted_walk(
    store: Store, walk_id: int, journal_dir: Path | None, *, ended: dict[str, Any], disk_full: bool = False
) -> None:
    """Complete a walk still marked live from its journal and close it as ``interrupted`` (``ended``: how it ended;
    ``disk_full``: closed after a full disk stopped it, not at a start)."""
    kept = len(store.strides(walk_id))  # committed before it stopped
    journal_path = None if journal_dir is None else journal_dir / f"walk-{walk_id}.csv"
    judge = interrupted_walk_judge(store, walk_id, journal_path)
    if journal_dir is not None and journal_path is not None and journal_path.exists():
        added = recover_from_journal(store, walk_id, journal_dir, judge)
    else:
        added = None
    finish_live_walk(
        store,
        walk_id,
        "interrupted",
        journal_path,
        reason=interrupted_reason(kept, added, disk_full=disk_full),
        ended=ended,
        judge=judge,
    )
    # said once the walk is closed: a close a full disk failed is tried again (Stop), and would say it twice
    if added is None:
        log.info("walk %s: %d strides kept (no journal to recover more from)", walk_id, kept)
    else:
        log.info("walk %s: %d strides kept, %d more recovered from the journal", walk_id, kept, added)


def close_unwritten_walk(store: Store, unclosed: _Unclosed, journal_dir: Path) -> None:
    """Close the walk a full disk left open (:class:`_Unclosed`) from what was stored and its journal."""
    close_interrupted_walk(store, unclosed.walk_id, journal_dir, ended=unclosed.ended, disk_full=True)


def recover_interrupted(store: Store, journal_dir: Path | None = None) -> list[dict[str, Any]]:
    """After a crash: complete every walk still marked live from its journal, and close it as ``interrupted``."""
    recovered = []
    for walk_id in store.live_walk_ids():
        close_interrupted_walk(store, walk_id, journal_dir, ended={"ended": "crash"})
        walk = store.get_walk(walk_id)
        if walk is not None:
            recovered.append(walk)
    return recovered
