"""``gait live``: stream a BLE sensor into the tracker and coach, with a terminal live view or JSON lines.

A walk of the walker's own sensor is stored in the dashboard's store when it ends, as an upload of its journal is
(:func:`store_walk`). ``gait live --demo`` runs the same path end to end (scan, connect, subscribe, decode, track,
coach) against a virtual sensor on an in-process Bumble radio that replays a sample recording (never stored).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import shlex
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gait.errors import GaitError
from gait.types import NO_LENGTH_MODEL_PLACEMENTS, Placement, Recording
from ingest.errors import IngestError
from service.commands.data_folder import data_store, keep_data_dir_private, not_a_folder_words
from service.commands.settings_args import check_settings
from service.live import STORE_ON_END, LiveSession
from service.settings import DEMO_SAMPLE

DEMO_RECORDING = DEMO_SAMPLE
"""Sample recording the demo replays (see :data:`service.demo.DEMO_SAMPLE`)."""
DEMO_PROTOCOLS = ("imu", "pmd", "pmd_compressed", "microbit")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``live`` sub-command."""
    p = subparsers.add_parser(
        "live",
        help="live stride feedback from a Bluetooth LE sensor",
        description=(
            "Connect to a BLE sensor (address or name from 'gait scan'), stream it into the gait tracker and show "
            "cadence, stride length against your target and a 'shorten your stride' cue. Every sample is journaled, "
            "and the walk is stored in the dashboard when it ends (not the demo's; --no-store: not stored)."
        ),
    )
    p.add_argument("target", nargs="?", help="sensor address or advertised name (not needed with --demo)")
    p.add_argument(
        "--placement",
        choices=[pl.value for pl in Placement],
        help="where the sensor is worn (default: your profile's usual placement, else lower_back; the demo: its "
        "recording's)",
    )
    p.add_argument(
        "--side", choices=["left", "right"], help="the shoe a foot sensor is on (its steps and strides carry it)"
    )
    p.add_argument(
        "--height-m", type=float, dest="height_m", help="your body height in metres (default: your profile's)"
    )
    p.add_argument(
        "--stride-scale",
        type=float,
        help="personal calibration factor for stride length (default: your profile's factor for this placement)",
    )
    p.add_argument(
        "--sensor-height-m",
        type=float,
        dest="sensor_height_m",
        help="height of a lower-back sensor above the ground, measured (default: estimated from your height)",
    )
    p.add_argument("--protocol", choices=["imu", "pmd", "microbit", "rsc"], help="force a protocol (default: best)")
    p.add_argument("--json", action="store_true", help="print events as JSON lines instead of the live view")
    p.add_argument(
        "--seconds", type=float, help="stop after this many seconds of streaming (finding and connecting do not count)"
    )
    p.add_argument("--scan-s", type=float, default=5.0, help="how long to look for the sensor (default 5 s)")
    p.add_argument("--demo", action="store_true", help="run against a virtual sensor replaying a sample recording")
    p.add_argument("--demo-protocol", choices=DEMO_PROTOCOLS, default="imu", help="protocol of the virtual sensor")
    p.add_argument("--speed", type=float, default=1.0, help="replay speed of the demo (default 1 = real time)")
    p.add_argument("--journal-dir", type=Path, help="where the raw samples are journaled (default: the data dir)")
    p.add_argument(
        "--data-dir",
        type=Path,
        help="where your profile and walks live, the dashboard's (default: GAIT_DATA_DIR, else the service's)",
    )
    p.add_argument(
        "--no-store",
        action="store_true",
        help="do not store the walk in the dashboard when it ends (its samples stay in the journal)",
    )
    p.add_argument("--no-bell", action="store_true", help="no terminal bell on a cue")
    p.set_defaults(func=run)


@dataclass(frozen=True)
class WalkSettings:
    """How a live walk is analysed.

    Attributes
    ----------
    placement
        Where the sensor is worn.
    placement_note
        Where the placement came from when the walker did not name it (None: ``--placement`` or the demo's
        recording).
    body_height_m, sensor_height_m
        Heights the stride-length model uses (None: not known).
    stride_scale
        Calibration factor applied to stride lengths (None: none).
    demo
        Somebody else's walking (``--demo`` or a virtual sensor): coached as a demo, without the user's
        height or calibration factor.
    """

    placement: Placement
    placement_note: str | None
    body_height_m: float | None
    sensor_height_m: float | None
    stride_scale: float | None
    demo: bool


def walk_settings(
    args: argparse.Namespace, profile: dict[str, Any], *, replayed: Recording | None, protocol: str | None = None
) -> WalkSettings:
    """The walk's placement, heights and factor, as ``gait analyze`` and the dashboard choose them.

    Placement: ``--placement``, else the foot for a foot pod (``protocol``, the one the sensor streams, ``"rsc"``:
    :func:`service.demo.pod_placement`), else a replayed recording's (``--demo``, a virtual sensor: somebody else's
    walk, worn where its walker wore it), else the profile's usual placement, else lower back, with a note when the
    walker did not name it (:func:`service.commands.analyze.choose_placement`).
    The walker's own sensor: ``--height-m`` else the profile's height, ``--stride-scale`` else the profile's
    factor for that placement, ``--sensor-height-m`` when measured (as ``gait analyze`` takes it). A replayed
    recording (``replayed``: ``--demo``, or a virtual sensor of ``GAIT_BLE_VIRTUAL=1``) is somebody else's walking,
    as on the dashboard: its walker's heights (from the sample's reference file) and no calibration factor unless
    given.
    """
    from service.calibration import profile_scales
    from service.commands.analyze import choose_placement
    from service.demo import pod_placement
    from service.pipeline import personal_scale

    demo = replayed is not None
    choices = "|".join(p.value for p in Placement)
    placement, note = (
        (None, None)
        if args.demo
        else pod_placement(
            Placement.parse(args.placement) if args.placement else None,
            protocol,
            choose=f"pass --placement {choices} if it was elsewhere",
        )
    )
    if placement is None:
        placement, note = choose_placement(
            args.placement,
            replayed.placement if demo else None,
            profile.get("placement"),
            unsaid="a sensor does not say where it is worn",
        )
    measured_m = getattr(args, "sensor_height_m", None)
    if not demo:
        height_m = args.height_m if args.height_m is not None else profile.get("body_height_m")
        sensor_height_m = measured_m
    else:  # the demo or a virtual sensor: the sample walker's heights (the dashboard's demos too)
        height_m = args.height_m if args.height_m is not None else replayed.body_height_m
        # a height given for the walker makes the sample's sensor height (of another body) meaningless
        sample_m = replayed.sensor_height_m if args.height_m is None else None
        sensor_height_m = measured_m if measured_m is not None else sample_m
    scale = args.stride_scale
    if scale is None and not demo:
        scale = personal_scale(profile_scales(profile), placement)
    return WalkSettings(placement, note, height_m, sensor_height_m, scale, demo)


def analyze_command(journal: Path, walk: WalkSettings, side: str | None) -> str:
    """The ``gait analyze`` command that analyses the journal of a walk again with the walk's own settings.

    The heights only where the stride-length model uses them: the inverted pendulum of a lower-back or waist sensor
    (elsewhere they change nothing, and a sensor height at the wrist reads as a mistake).

    Examples
    --------
    >>> walk = WalkSettings(Placement.POCKET, None, 1.8, 0.95, 1.065, False)
    >>> analyze_command(Path("j/walk 1.csv"), walk, None)
    "gait analyze 'j/walk 1.csv' --placement pocket --stride-scale 1.065"
    >>> analyze_command(Path("w.csv"), WalkSettings(Placement.WAIST, None, 1.8, 0.95, None, True), None)
    'gait analyze w.csv --placement waist --height-m 1.8 --sensor-height-m 0.95 --no-profile'
    >>> analyze_command(Path("w.csv"), WalkSettings(Placement.FOOT, None, None, None, None, True), "left")
    'gait analyze w.csv --placement foot --side left --no-profile'
    """
    from gait.tracker import PENDULUM_PLACEMENTS

    parts = ["gait", "analyze", str(journal), "--placement", walk.placement.value]
    if walk.placement in PENDULUM_PLACEMENTS:
        if walk.body_height_m is not None:
            parts += ["--height-m", f"{walk.body_height_m:g}"]
        if walk.sensor_height_m is not None:
            parts += ["--sensor-height-m", f"{walk.sensor_height_m:g}"]
    if walk.stride_scale is not None:
        parts += ["--stride-scale", f"{walk.stride_scale:g}"]
    if side is not None:
        parts += ["--side", side]
    if walk.stride_scale is None:
        parts.append("--no-profile")  # no factor was applied: analyze must not take the profile's
    return " ".join(shlex.quote(p) for p in parts)


def demo_recording() -> Recording:
    """The sample recording the demo replays."""
    from service.demo import sample_recording
    from service.settings import Settings

    path = Settings.from_env().samples_dir / DEMO_RECORDING
    if not path.exists():
        raise IngestError(
            f"the demo recording {path} is missing: run from a checkout of the project or set GAIT_SAMPLES_DIR",
            reason="missing_sample",
        )
    # with the placement and heights its reference file states, as the dashboard's demo walk reads it
    return sample_recording(path)


def _coach(
    settings: Any, body_height_m: float | None, *, demo: bool, placement: Placement | None = None
) -> tuple[Any, str]:
    """The walker's coach from the service's store when there is one (its baseline from walks with the sensor at
    ``placement``); the demo coaches as the dashboard's demo walk does (:func:`service.coaching.demo_coach`: as
    just after back pain, the walker's reduction, default 10 %), reading the store but never writing to it."""
    from gait.coach import Coach, CoachSettings, plan_coaching
    from service.coaching import demo_coach, live_coach, load_profile
    from service.models import ProfileUpdate

    profile = ProfileUpdate()
    if settings.db_path.exists():
        with data_store(settings) as store:
            profile = load_profile(store)
            if not demo:
                coach, _plan = live_coach(store, profile, placement)
                return coach, "cues follow your coaching plan"
    if demo:
        coach, _plan, note = demo_coach(
            profile.coaching.coach_settings(), body_height_m=body_height_m, placement=placement
        )
        return coach, note
    coach_settings = CoachSettings(enabled=True)
    plan = plan_coaching([], [], coach_settings, body_height_m=body_height_m, now_s=time.time(), placement=placement)
    why = "no coaching plan yet (targets only): report back pain in the dashboard to turn cues on"
    return Coach(plan, coach_settings), why


async def _run(args: argparse.Namespace) -> int:
    from ingest.ble.sources import BleSensorSource
    from ingest.ble.virtual import start_demo_radio
    from service.commands.calibrate import saved_profile
    from service.livehub import ended_by_error
    from service.settings import Settings

    radio = None
    settings = Settings.from_env(data_dir=args.data_dir)
    keep_data_dir_private(settings)  # before the journal is written in it
    # walks an earlier `gait live` was cut off from storing (kill -9, a power cut): stored now, said on stderr (the
    # standard output may be JSON lines)
    for line in await asyncio.to_thread(recover_cut_off, settings, args.journal_dir or settings.journal_dir):
        print(f"gait: {line}", file=sys.stderr)
    replayed: Recording | None = None
    if args.demo:
        replayed = demo_recording()
        radio, sensor = await start_demo_radio(replayed, protocol=args.demo_protocol, speed=args.speed)
        target = args.target or sensor.name
        backends = {"scanner_backend": radio.scanner_backend, "client_backend": radio.client_backend}
        scan_s = min(args.scan_s, 1.0)
    else:
        if not args.target:
            raise IngestError("give the sensor's address or name (see 'gait scan'), or use --demo", reason="usage")
        target, backends, scan_s = args.target, {}, args.scan_s
    if not args.demo and settings.ble_virtual:
        # the testing aid the service honours too (GAIT_BLE_VIRTUAL=1): the virtual radio of demo sensors that
        # `gait scan` then lists, in place of the computer's Bluetooth
        from service.demo import virtual_ble

        access = await virtual_ble(settings)
        radio = access.radio
        # its sensors replay a sample recording: somebody else's walking, a demo (as on the dashboard)
        replayed = access.sample
        source = access.source(target, protocol=args.protocol)
    else:
        source = BleSensorSource(
            target,
            protocol=args.protocol,
            scan_timeout_s=scan_s,
            clock_sync=not args.demo or args.speed == 1.0,
            **backends,
        )
    protocol = args.protocol
    if args.placement is None and protocol is None and not args.demo:
        # what the sensor streams, read as the dashboard reads it, and pinned: a foot pod is worn on a shoe
        # (walk_settings); the session streams on the connection kept
        from ingest.ble.sources import choose_protocol

        try:
            protocol = source.protocol = choose_protocol(await source.read_protocols(keep=True), None, sensor=target)
        except BaseException:
            await source.aclose()
            if radio is not None:
                await radio.close()
            raise
    walk = walk_settings(args, saved_profile(settings), replayed=replayed, protocol=protocol)
    coach, coach_note = _coach(settings, walk.body_height_m, demo=walk.demo, placement=walk.placement)
    journal_dir = args.journal_dir or settings.journal_dir
    if walk.demo:  # somebody else's walking: only the last demo's journal is kept, in one place
        remove_journal(journal_dir / f"{DEMO_JOURNAL}.csv")
    try:
        session = LiveSession(
            source,
            placement=walk.placement,
            body_height_m=walk.body_height_m,
            sensor_height_m=walk.sensor_height_m,
            stride_scale=walk.stride_scale,
            coach=coach,
            journal_dir=journal_dir,
            sensor={"target": target, "demo": walk.demo, "virtual": replayed is not None and not args.demo},
            sensor_side=args.side,
            session_id=DEMO_JOURNAL if walk.demo else None,
            # a walk stored when it ends: marked and locked, so one cut off (kill -9, a power cut) is stored at the
            # next start (recover_cut_off)
            store_on_end=None
            if walk.demo or args.no_store
            else {
                "data_dir": str(settings.data_dir.resolve()),
                "name": f"Live: {target}",
                "height_given": args.height_m is not None,
            },
        )
    except OSError as exc:  # the journal cannot be written (a full disk): said before any sensor streams
        await source.aclose()  # a connection kept to read what it streams
        if radio is not None:
            await radio.close()
        raise IngestError(journal_failed_words(exc, settings.data_dir, journal_dir), reason="journal_failed") from None
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):  # no signal handlers off the main thread
        # Ctrl-C, and a terminal closed or `timeout`/`kill`: the walk ends as stopped, its journal marked ended
        loop.add_signal_handler(signal.SIGINT, session.stop)
        loop.add_signal_handler(signal.SIGTERM, session.stop)
    stop_timer: asyncio.TimerHandle | None = None
    queue = session.subscribe()
    view = (
        JsonLines(walk.placement_note)
        if args.json
        else LiveView(
            target,
            coach_note,
            bell=not args.no_bell,
            placement_note=walk.placement_note,
            counters=session.state.to_dict,
            placement=walk.placement,
        )
    )
    runner = asyncio.create_task(session.run())
    try:
        with view:
            while True:
                getter = asyncio.ensure_future(queue.get())
                done, _ = await asyncio.wait({getter, runner}, return_when=asyncio.FIRST_COMPLETED)
                if getter in done:
                    msg = getter.result()
                    if args.seconds is not None and stop_timer is None and msg.get("phase") == "streaming":
                        # counted from the first samples: on a busy machine finding the sensor can take seconds
                        stop_timer = loop.call_later(args.seconds, session.stop)
                    view.show(msg)
                else:
                    getter.cancel()
                if runner.done() and queue.empty():
                    break
            if (
                runner.done()
                and not runner.cancelled()
                and runner.exception() is not None
                and isinstance(view, LiveView)
            ):
                view.failed()
        try:
            state = runner.result()  # raises the session's error (a clear IngestError / GaitError)
        except (GaitError, IngestError) as exc:
            if not session.state.samples:
                raise
            # the walk streamed before it failed: stored as a walk that ends well is, and where its samples are
            kept = (
                None
                if exc.reason == "rate_too_low"
                else await _keep(args, settings, session, walk, target, ended_by_error(exc))
            )
            if args.json and kept is not None:
                JsonLines.kept(kept)
            words = kept_line(session, walk, args.side, exc, kept)
            raise type(exc)(f"{exc}; {words}", reason=exc.reason) from None
        except OSError as exc:  # the journal could not be written on (a full disk): not stored, said in words
            words = journal_failed_words(exc, settings.data_dir, journal_dir, (session, walk, args.side))
            raise IngestError(words, reason="journal_failed") from None
        # how it ended, in the words and keys of a dashboard live walk (service.livehub.END_WORDS)
        ended = {"ended": "stopped" if session.stop_requested else "sensor_ended"}
        kept = await _keep(args, settings, session, walk, target, ended) if state.samples else None
    finally:
        session.release_journal()  # held past the walk's end until it was stored (or not): see recover_cut_off
        if stop_timer is not None:
            stop_timer.cancel()
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)
            loop.remove_signal_handler(signal.SIGTERM)
        if radio is not None:
            await radio.close()
    if args.json:
        if kept is not None:
            JsonLines.kept(kept)
    else:
        print(ended_line(state, session, walk, args.side, kept))
    if kept is not None and kept.failed:
        # the walk ended, but the store did not take it: an error (exit code 2), with where its samples are
        raise IngestError(f"the walk was not stored: {kept.words}", reason="not_stored")
    return 0


DEMO_JOURNAL = "demo"
"""The journal of a demo (``--demo``, a virtual sensor): ``demo.csv`` and ``demo.json``, replaced by the next demo's
(somebody else's walking: nothing of it is the walker's to keep)."""

SAMPLES_WITH_THE_WALK = "its samples are kept with the walk"
"""Where the samples of a walk of the walker's own sensor are once it is stored: its journal is removed then (the
store keeps them, ``recordings/walk-N.npz``, to analyse it again)."""


def remove_journal(csv_path: Path) -> None:
    """Remove a journal (its CSV and sidecar); one that cannot be removed stays."""
    for path in (csv_path, csv_path.with_suffix(".json")):
        with contextlib.suppress(OSError):
            path.unlink()


KEEP_LATER = (
    "gait convert {csv} walk.csv, then upload walk.csv on the dashboard (the converted file keeps the walk's date "
    "from the journal's clock; the journal itself is dated when uploaded)"
)
"""How to keep a journal's walk in the dashboard later: ``gait convert`` reads its sidecar's start time."""


def store_later(csv: str) -> str:
    """How a walk whose store failed gets stored once the cause is fixed: the next start takes its journal
    (:func:`recover_cut_off`, not on Windows, where journals are not locked), or by hand."""
    by_hand = KEEP_LATER.format(csv=csv)
    return by_hand if os.name == "nt" else f"the next start of gait live or gait serve stores it (or: {by_hand})"


NOT_STORED = "not stored in the dashboard (--no-store): to keep it (its walk list and coaching), " + KEEP_LATER
"""What ``gait live --no-store`` says of a walk of the walker's own sensor when it ends: the command line keeps the
samples in a journal, the dashboard's walks and coaching are made of the walks it stores."""


@dataclass(frozen=True)
class Kept:
    """What became of a walk of the walker's own sensor in the dashboard's store (:func:`store_walk`).

    Attributes
    ----------
    walk_id
        The stored walk's id; None when it was not stored.
    words
        The closing line: "stored as walk N in the dashboard ...", or why not and what to do.
    reason
        ``"stored"``, ``"no_store"`` (``--no-store``), ``"too_little_walking"``, ``"same_walk"`` (already stored:
        the same recording, walk or time), or for a failure ``"store_failed"`` / ``"not_analysed"``.
    """

    walk_id: int | None
    words: str
    reason: str

    @property
    def failed(self) -> bool:
        """The store could not take the walk (not a rule refusing it): the command ends with an error."""
        return self.reason in ("store_failed", "not_analysed")


async def _keep(
    args: argparse.Namespace,
    settings: Any,
    session: LiveSession,
    walk: WalkSettings,
    target: str,
    ended: dict[str, Any],
) -> Kept | None:
    """Store a walk of the walker's own sensor that recorded samples (None for a demo: somebody else's walking);
    ``ended``: how it ended (``{"ended": key of service.livehub.END_WORDS, "end_detail": ...}``)."""
    if walk.demo:
        return None
    csv = shlex.quote(str(session.journal_path))
    if args.no_store:
        return Kept(None, NOT_STORED.format(csv=csv), "no_store")
    # how it ended, for a start that stores it should this process be killed while it stores it (the journal stays
    # locked until then: recover_cut_off)
    session.mark_journal(ended=ended)
    kept = await asyncio.to_thread(
        store_walk,
        settings,
        session.journal_path,
        walk,
        args.side,
        name=f"Live: {target}",
        height_given=args.height_m is not None,
        live_steps=session.state.steps,
        ended=ended,
    )
    if kept.walk_id is not None:  # its samples are in the store now: the journal would be a second copy
        remove_journal(session.journal_path)
    elif kept.reason != "store_failed":  # said now, with what to do: never taken again at a start
        session.mark_journal(recovered=kept.reason or "not_stored")
    return kept


TOO_LITTLE_REASONS = ("too_little_walking", "no_walking", "too_short")
"""Why an upload is refused as no walk at all (:func:`service.pipeline.process_file`)."""


def store_walk(
    settings: Any,
    journal: Path,
    walk: WalkSettings,
    side: str | None,
    *,
    name: str,
    height_given: bool,
    live_steps: int | None,
    ended: dict[str, Any] | None = None,
) -> Kept:
    """Store the journal of a walk of the walker's own sensor in the data directory's store, as the dashboard
    stores an upload of it (:func:`service.pipeline.process_file`: the same analysis, refusals and coaching marks,
    its samples kept to analyse it again), with the walk's own settings and the journal's own start time.

    The placement, side, factor and a measured sensor height are those used live; the body height too when it was
    given (``height_given``: ``--height-m``), else the profile's, as a dashboard walk takes it (then "Analyse again"
    follows a profile's height changed since). The store is created when there is none. It is safe while ``gait
    serve`` runs on the same data directory: the insert is one SQLite transaction (WAL; the store's own write
    discipline) of a finished walk, never a live one, so the server's crash recovery (its lock,
    :mod:`service.datalock`) never takes it for an interrupted live walk. Nothing is half-written: a refusal or
    failure leaves the store as it was, and the journal stays in every case.

    ``live_steps`` are the steps the live tracker found (a foot sensor's: its foot's contacts), which a refusal as
    too little walking names as the walker's steps (:func:`service.pipeline.steps_counted`); the offline analysis
    finds the same (one algorithm); None (a walk cut off, whose live count was never written): the analysis's own
    words say the steps it found.

    ``ended`` (how the walk ended, as a dashboard live walk keeps it) goes into the stored walk's source with
    ``recorded: "gait live"``; the journal's lost packets and gaps are in it already (:func:`service.live.load_journal`,
    which also says them in a note). Its origin stays ``upload``: the code's ``live`` is a walk the dashboard recorded
    (strides stored as they came, samples in its journal, crash recovery), this one is stored as an upload of its
    journal (the upload's refusals, its samples in ``recordings/``); the dashboard and the export show it as live
    (:func:`service.store.recorded_live`).
    """
    import sqlite3
    from dataclasses import replace

    from service.live import load_journal
    from service.pipeline import process_file, steps_counted, walk_to_upload
    from service.settings import disk_full_message, is_disk_full
    from service.store import GAIT_LIVE, DuplicateRecordingError, Store, StoreError

    csv = shlex.quote(str(journal))
    stays = f"its samples stay in {csv} ({analyze_command(journal, walk, side)})"
    try:
        recording = load_journal(journal)
    except IngestError as exc:
        return Kept(None, f"{exc}; {stays}", "not_analysed")
    if not height_given:
        # the journal noted the profile's height of the day: the pipeline takes the profile's, as "Analyse again" does
        recording = replace(recording, body_height_m=None)
    recording = replace(recording, source={**recording.source, **(ended or {}), "recorded": GAIT_LIVE})
    try:
        store = Store(settings.db_path).open()
    except (StoreError, sqlite3.Error, OSError) as exc:
        why = disk_full_message(settings.data_dir) if is_disk_full(exc) else f"the store could not be opened: {exc}"
        return Kept(None, f"{why}; {stays}; once that is fixed, {store_later(csv)}", "store_failed")
    try:
        (walk_id,) = process_file(
            journal,
            store=store,
            name=name,
            origin="upload",
            placement=walk.placement,
            sensor_side=side,
            recording=recording,
            keep_samples_in=settings.recordings_dir,
            stride_scale=walk.stride_scale,
        )
        stored = store.get_walk(walk_id) or {}
    except DuplicateRecordingError as exc:
        from service.routers.uploads import refusal_message

        return Kept(None, f"not stored in the dashboard: {refusal_message(str(journal), exc)}", "same_walk")
    except (IngestError, GaitError) as exc:
        if exc.reason in TOO_LITTLE_REASONS and live_steps is None:
            return Kept(None, f"not stored in the dashboard: {exc}; {stays}", "too_little_walking")
        if exc.reason in TOO_LITTLE_REASONS:
            return Kept(
                None,
                f"not stored in the dashboard: too little walking, {steps_counted(live_steps, walk.placement)}: the "
                "dashboard stores "
                f"{walk_to_upload()}; walk longer next time (if you did, check where the sensor was worn: "
                f"--placement); {stays}",
                "too_little_walking",
            )
        return Kept(None, f"it could not be analysed: {exc}; {stays}", "not_analysed")
    except (StoreError, sqlite3.Error, OSError) as exc:
        why = disk_full_message(settings.data_dir) if is_disk_full(exc) else f"the store failed: {exc}"
        return Kept(None, f"{why}; {stays}; once that is fixed, {store_later(csv)}", "store_failed")
    finally:
        store.close()
    return Kept(walk_id, stored_words(walk_id, stored, settings), "stored")


CUT_OFF = "gait live was killed or the power went"
"""Why a walk :func:`recover_cut_off` finds never ended."""


def recover_cut_off(settings: Any, journal_dir: Path) -> list[str]:
    """Store the walks of ``gait live`` cut off before they ended (kill -9, a power cut), as their end would have,
    and those whose process was killed (or whose store failed) while it stored them when they ended.

    A journal in ``journal_dir`` is taken when its sidecar marks it to be stored in this data folder
    (:data:`service.live.STORE_ON_END`: never a ``--no-store`` walk, a demo or a dashboard walk), the mark is not
    settled (``recovered``: a walk refused when it ended, or here, is said once), and no process holds its lock (a
    running ``gait live`` holds it until its walk is stored or settled; this holds it while it stores the walk, so
    two starts never store one walk twice). Each is stored with :func:`store_walk` and the walk's settings from its
    sidecar, ended as ``{"ended": "crash"}`` (or, when it ended, as its process wrote: ``ended``), and its journal
    removed once stored, as at a normal end. A walk the store refuses by its rules (too little walking, the same
    walk) or that cannot be analysed keeps its journal and is marked in its sidecar, so it is said once; a store
    that fails (a full disk) is tried again at the next start. Returns one line per walk found (none on Windows,
    where journals are not locked).
    """
    from service.datalock import try_lock
    from service.live import _journal_start_s

    lines: list[str] = []
    if os.name == "nt":  # no journal is locked there (service.live.Journal): a running walk could not be told apart
        return lines
    here = str(Path(settings.data_dir).resolve())
    try:
        sidecars = sorted(Path(journal_dir).glob("*.json"))
    except OSError:
        return lines
    for meta_path in sidecars:
        csv_path = meta_path.with_suffix(".csv")
        if not _to_recover(meta_path, here) or not csv_path.is_file():
            continue
        try:
            fh = open(csv_path, encoding="utf-8")  # noqa: SIM115 (closed below; read-only: never re-creates it)
        except OSError:
            continue
        try:
            if not try_lock(fh):
                continue  # a running gait live writes it
            meta = _to_recover(meta_path, here)  # read again under the lock: the walk may have ended meanwhile
            if not meta:
                continue
            start_s = _journal_start_s(meta)
            when = "unknown date" if start_s is None else time.strftime("%Y-%m-%d %H:%M", time.localtime(start_s))
            mark = meta[STORE_ON_END]
            if csv_path.stat().st_size == 0:  # killed before the sensor streamed: an empty file, removed
                with contextlib.suppress(OSError):
                    csv_path.unlink()
                nothing = f"the sensor had sent no samples: nothing to store (its record stays in {meta_path})"
                kept = Kept(None, nothing, "")
            else:
                side = meta.get("sensor_side") if meta.get("sensor_side") in ("left", "right") else None
                placement = meta.get("placement")
                walk = WalkSettings(
                    Placement(placement) if placement in {p.value for p in Placement} else Placement.LOWER_BACK,
                    None,
                    _number(meta.get("body_height_m")),
                    _number(meta.get("sensor_height_m")),
                    _number(meta.get("stride_scale")),
                    False,
                )
                ended = _ended(meta, mark)
                name = str(mark.get("name") or "Live")
                height_given = bool(mark.get("height_given"))
                kept = store_walk(
                    settings, csv_path, walk, side, name=name, height_given=height_given, live_steps=None, ended=ended
                )
            cut = (
                f"not stored when it ended ({STORING_CUT_OFF})"
                if _walk_ended(meta)
                else f"cut off before it ended ({CUT_OFF})"
            )
            if kept.walk_id is not None:
                remove_journal(csv_path)
                tail = kept.words.removeprefix(f"stored as walk {kept.walk_id} in the dashboard ")
                lines.append(f"stored walk {kept.walk_id}, a gait live walk of {when} {cut}, in the dashboard {tail}")
                continue
            lines.append(f"a gait live walk of {when} was {cut}; {kept.words}")
            if kept.reason != "store_failed":  # said once: the journal stays, as a refused walk's does
                meta[STORE_ON_END] = {**mark, "recovered": kept.reason or "no_samples"}
                tmp = meta_path.with_name(meta_path.name + ".tmp")
                with contextlib.suppress(OSError):
                    tmp.write_text(json.dumps(meta, indent=1), encoding="utf-8")
                    os.replace(tmp, meta_path)
        finally:
            fh.close()
    return lines


STORING_CUT_OFF = "gait live was killed, the power went or the store failed while it stored the walk"
"""Why a walk :func:`recover_cut_off` finds ended but not stored."""


def _walk_ended(meta: dict[str, Any]) -> bool:
    """Whether a journal's sidecar says its walk ended (its end written: the walk was to be stored then)."""
    state = meta.get("state")
    return isinstance(state, dict) and state.get("phase") == "ended"


def _ended(meta: dict[str, Any], mark: dict[str, Any]) -> dict[str, Any]:
    """How a walk :func:`recover_cut_off` stores ended (``source["ended"]``): as its process wrote when it ended,
    or, cut off during the walk, as a crash."""
    ended = mark.get("ended")
    if _walk_ended(meta) and isinstance(ended, dict) and isinstance(ended.get("ended"), str):
        detail = [str(ended["end_detail"])] if ended.get("end_detail") else []
        return {**ended, "end_detail": "; ".join([*detail, f"{STORING_CUT_OFF}; stored at the next start"])}
    return {"ended": "crash", "end_detail": f"{CUT_OFF}; stored at the next start"}


def _number(value: Any) -> float | None:
    """A positive finite number from a sidecar, else None."""
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0
    return float(value) if ok else None


def _to_recover(meta_path: Path, data_dir: str) -> dict[str, Any] | None:
    """A journal's sidecar when its walk is one :func:`recover_cut_off` stores (else None)."""
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    mark = meta.get(STORE_ON_END) if isinstance(meta, dict) else None
    if not isinstance(mark, dict) or mark.get("recovered") or mark.get("data_dir") != data_dir:
        return None
    # an ended walk's journal with its mark unsettled: its process was killed while it stored the walk (its lock is
    # held until the walk is stored or settled, see _keep)
    return meta


def stored_words(walk_id: int, stored: dict[str, Any], settings: Any) -> str:
    """The closing line of a walk stored in the dashboard: its id, figures and whether it counts for the coaching.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> stored_words(7, {"steps": 180, "strides": 88, "walking_time_s": 150.0}, SimpleNamespace(data_dir="d"))
    'stored as walk 7 in the dashboard (data folder d): 88 strides, 180 steps; open it there with gait serve'
    """
    from service.pipeline import short_walk_reason

    line = (
        f"stored as walk {walk_id} in the dashboard (data folder {settings.data_dir}): {stored.get('strides') or 0} "
        f"strides, {stored.get('steps') or 0} steps; open it there with gait serve"
    )
    short = short_walk_reason(stored.get("walking_time_s"))
    return f"{line}. {short}" if short else line


def kept_line(
    session: LiveSession, walk: WalkSettings, side: str | None, exc: BaseException, kept: Kept | None = None
) -> str:
    """Where a walk that failed after streaming keeps its samples: the journal, the command that analyses them (not
    for a stream too slow to analyse) and, for the walker's own sensor, what became of it in the dashboard."""
    path = session.journal_path
    if kept is not None and kept.walk_id is not None:
        return f"{SAMPLES_WITH_THE_WALK} ({session.state.samples} samples); {kept.words}"
    words = f"the {session.state.samples} samples so far are kept in {path}"
    if getattr(exc, "reason", None) != "rate_too_low":
        words += f" ({analyze_command(path, walk, side)})"
        if kept is not None:
            words += "; " + kept.words
    return words


def journal_failed_words(
    exc: OSError,
    data_dir: Path,
    journal_dir: Path,
    walked: tuple[LiveSession, WalkSettings, str | None] | None = None,
) -> str:
    """What ``gait live`` says when its journal cannot be written (a full disk): what happened, what was kept (the
    journal and how many samples, and that the last seconds are missing), what to do. ``walked``: the session, its
    settings and side once the walk began (None: it could not start).

    Examples
    --------
    >>> import errno
    >>> full = OSError(errno.ENOSPC, "No space left on device")
    >>> journal_failed_words(full, Path("/d"), Path("/d/journal"))
    'the disk holding the gait data folder (/d) is full, so the walk could not start: nothing was recorded; free \
some space on that disk and start again (or use --data-dir on another disk)'
    """
    from service.settings import disk_problem

    if journal_dir.resolve().is_relative_to(data_dir.resolve()):
        folder, what, flag = data_dir, "the gait data folder", "--data-dir"
    else:
        folder, what, flag = journal_dir, "the journal folder", "--journal-dir"
    if walked is None:  # a file where the folder should be is no disk fault
        not_a_folder = not_a_folder_words(folder, what, flag)
        if not_a_folder is not None:
            return f"{not_a_folder}; the walk could not start: nothing was recorded"
    problem = disk_problem(exc, folder, what=what) or f"the journal in {folder} could not be written ({exc})"
    again = f"free some space on that disk and start again (or use {flag} on another disk)"
    if walked is None:
        return f"{problem}, so the walk could not start: nothing was recorded; {again}"
    session, walk, side = walked
    stopped = f"{problem}, so the walk was stopped and the sensor released"
    samples = session.state.samples
    if not samples:
        return f"{stopped}: nothing was recorded; {again}"
    path = session.journal_path
    kept = f"at least the {samples} samples before it are kept in {path}"  # the failed chunk may have begun
    if session.journal_error is not None:
        kept += ", but the last seconds of samples could not be written"
    if session.session_id == DEMO_JOURNAL:  # somebody else's walking: nothing to keep
        return f"{stopped}: {kept}; free some space on that disk before the next walk"
    return (
        f"{stopped} (it is not stored in the dashboard): {kept}; free some space on that disk, then to keep the walk, "
        f"{KEEP_LATER.format(csv=shlex.quote(str(path)))} (or analyse it: {analyze_command(path, walk, side)})"
    )


def ended_line(state: Any, session: LiveSession, walk: WalkSettings, side: str | None, kept: Kept | None = None) -> str:
    """What ``gait live`` prints when the walk ends: its figures and where its samples are, with the command that
    analyses them again as they were analysed (placement, heights, factor), then for the walker's own sensor what
    became of it in the dashboard (``kept``: stored, or why not; a failure is said as the command's error); a foot
    pod's own figures instead when the sensor sent no samples (nothing to analyse again)."""
    if state.samples:
        line = (
            f"walk ended: {state.strides} strides, {state.samples} samples, {state.lost_packets} packets lost, "
            f"{state.gaps} gaps; "
        )
        if kept is not None and kept.walk_id is not None:
            line += SAMPLES_WITH_THE_WALK
        else:
            again = analyze_command(session.journal_path, walk, side)
            line += f"raw samples in {session.journal_path} ({again})"
            if session.session_id == DEMO_JOURNAL:
                line += "; the next demo replaces them"
        # somebody else's walking (a demo) is not the walker's to keep
        return line if kept is None or kept.failed else f"{line}\n{kept.words}"
    if session.pod.measurements:
        pod = session.pod.summary()
        figures = ", ".join(
            text
            for value, text in (
                (pod["cadence_spm"], f"cadence {pod['cadence_spm']} steps/min"),
                (pod["stride_length_m"], f"stride {pod['stride_length_m']} m"),
                (pod["distance_m"], f"distance {pod['distance_m']} m"),
            )
            if value is not None
        )
        return (
            f"walk ended: the foot pod's own figures ({figures or 'no walking reported'}) from "
            f"{session.pod.measurements} reports; a foot pod sends no motion samples, so there is nothing to analyse "
            f"again (its figures are kept in {session.journal_path.with_suffix('.json')})"
        )
    return f"walk ended: the sensor sent no samples ({state.lost_packets} packets lost, {state.gaps} gaps)"


def run(args: argparse.Namespace) -> int:
    """Run the live session until the sensor is gone, ``--seconds`` pass, or Ctrl-C."""
    for name in ("seconds", "speed", "scan_s"):
        value = getattr(args, name)
        if value is not None and not (value > 0 and math.isfinite(value)):
            raise IngestError(f"--{name.replace('_', '-')} must be a positive number, got {value}", reason="usage")
    check_settings(args)
    return asyncio.run(_run(args))


class JsonLines:
    """Print every message as one JSON line (machine-readable live output); a note on the placement (where it
    came from when the walker did not name it) goes to standard error once the sensor streams."""

    def __init__(self, placement_note: str | None = None) -> None:
        self.placement_note = placement_note

    def __enter__(self) -> JsonLines:
        return self

    def __exit__(self, *exc: object) -> None:
        sys.stdout.flush()

    @staticmethod
    def kept(kept: Kept) -> None:
        """Print what became of the walk in the dashboard: ``{"type": "stored", "walk_id", "message"}``, or
        ``{"type": "not_stored", "reason", "message"}``."""
        kind = "stored" if kept.walk_id is not None else "not_stored"
        body = {"walk_id": kept.walk_id} if kept.walk_id is not None else {"reason": kept.reason}
        sys.stdout.write(json.dumps({"type": kind, **body, "message": kept.words}) + "\n")
        sys.stdout.flush()

    def show(self, msg: dict[str, Any]) -> None:
        """Print one message."""
        if self.placement_note and msg.get("phase") == "streaming":
            print(f"gait: note: {self.placement_note}", file=sys.stderr)
            self.placement_note = None
        sys.stdout.write(json.dumps(msg, allow_nan=False) + "\n")
        sys.stdout.flush()


def pod_walk_so_far(pod: dict[str, Any]) -> str:
    """The walk so far from a foot pod's message, as the walk will be stored ('' before it has walking time).

    The pod's own cadence is its latest report; a stored pod walk keeps the means over its walking time, so a
    walker reading only the latest report would find other figures on the walk's page.
    """
    parts = []
    if pod.get("walk_cadence_spm") is not None:
        parts.append(f"{pod['walk_cadence_spm']:.0f} steps/min")
    if pod.get("walk_stride_length_m") is not None:
        parts.append(f"stride {pod['walk_stride_length_m']:.2f} m")
    if parts and pod.get("walk_distance_m") is not None:
        parts.append(f"{pod['walk_distance_m']:.0f} m")
    return ", ".join(parts) + " (means over the walking time)" if parts else ""


class LiveView:
    """The terminal live view (rich): status, cadence, last stride against the target, the latest cue.

    ``counters`` gives the session's state now (its phase, samples, lost packets, gaps and strides): each redraw
    takes them from it, as the session counts every sample but publishes a state message on phase changes only.
    Without it (a view fed messages alone) the counters are those of the messages.
    """

    def __init__(
        self,
        target: str,
        coach_note: str,
        *,
        bell: bool,
        placement_note: str | None = None,
        counters: Callable[[], dict[str, Any]] | None = None,
        placement: Placement | None = None,
    ) -> None:
        from rich.console import Console

        self.console = Console()
        self.target = target
        self.coach_note = coach_note
        self.placement_note = placement_note
        self.placement = placement
        """Where the sensor is worn: a sensor without a stride-length model there gives cadence only."""
        self.bell = bell
        self.counters = counters
        self.state: dict[str, Any] = {}
        self.stride: dict[str, Any] | None = None
        self.pod: dict[str, Any] | None = None
        self.cue: dict[str, Any] | None = None
        self.strides = 0
        self._live: Any = None
        self._drop = False
        self.ended = False
        """The walk is over (the panel no longer says how to end it)."""

    def __enter__(self) -> LiveView:
        from rich.live import Live

        # transient: the panel is redrawn once, for good, when the walk ends (see __exit__); each refresh renders
        # anew, so the counters rise between messages
        self._live = Live(console=self.console, refresh_per_second=4, transient=True, get_renderable=self.render)
        self._live.__enter__()
        return self

    def failed(self) -> None:
        """The session stopped on an error: its message says all, so a walk that never streamed leaves no panel
        (an "ended" panel of 0 samples would read as a walk); one that streamed keeps its figures."""
        self._drop = not self.status().get("samples")

    def __exit__(self, *exc: object) -> None:
        self._live.__exit__(None, None, None)
        self.ended = True  # the panel printed for good shows a walk that is over, whatever its last state said
        if not self._drop:
            self.console.print(self.render())
            self.console.line()

    def show(self, msg: dict[str, Any]) -> None:
        """Take one message into the view."""
        kind = msg.get("type")
        if kind == "state":
            self.state = msg
        elif kind == "gap":
            # a gap changes the counters between state messages (the session sends those on phase changes only)
            lost = self.state.get("lost_packets", 0) + int(msg.get("lost_packets") or 0)
            self.state = {**self.state, "gaps": self.state.get("gaps", 0) + 1, "lost_packets": lost}
        elif kind == "stride":
            self.stride = msg
            self.strides += 1
        elif kind == "pod":
            self.pod = msg
        elif kind == "cue":
            self.cue = msg
            if self.bell:
                self.console.bell()

    def status(self) -> dict[str, Any]:
        """The walk's state now: the session's counters when the view has them, else the last messages'."""
        if self.counters is None:
            return {**self.state, "strides": self.strides}
        return {**self.state, **self.counters()}

    def _length_words(self, length_m: float | None, stride: dict[str, Any], style: str) -> Any:
        """The last stride's length with its confidence and method; without a length, why in words (a method id
        "none" and a confidence of 0 say nothing to a walker)."""
        from rich.text import Text

        if length_m is not None:
            how = f"  (confidence {stride.get('confidence', 0):.2f}, {stride.get('method')})"
            return Text.assemble((f"{length_m:.2f} m", style), how)
        if self.placement in NO_LENGTH_MODEL_PLACEMENTS:
            worn = self.placement.value.replace("_", " ")
            return Text(f"no stride length: {worn} sensor, cadence only", style="bold")
        return Text("no stride length for this stride", style="bold")

    def render(self) -> Any:
        """The view as a rich renderable."""
        from rich.console import Group
        from rich.panel import Panel
        from rich.table import Table
        from rich.text import Text

        st = self.status()
        phase = st.get("phase", "connecting")
        colour = {"streaming": "green", "reconnecting": "yellow", "ended": "cyan"}.get(phase, "white")
        status = Text.assemble(
            (f"{phase}", f"bold {colour}"),
            f"  {self.target}  samples {st.get('samples', 0)}  lost packets {st.get('lost_packets', 0)}"
            f"  gaps {st.get('gaps', 0)}  strides {st.get('strides', 0)}",
        )
        if st.get("detail") and phase != "streaming":
            status.append(f"  ({st['detail']})", style="dim")
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        s = self.stride
        if s is None:
            table.add_row("stride", "waiting for the first stride...")
        else:
            length = s.get("length_m")
            target = s.get("target_m")
            over = s.get("overlong")
            style = "bold red" if over else "bold green" if over is False else "bold"
            table.add_row("cadence", f"{s['cadence_spm']:.0f} steps/min")
            table.add_row("last stride", self._length_words(length, s, style))
            # without a target, why (a demo, no baseline yet, no length model), as the dashboard's live page says
            why_none = s.get("no_target_note") or "n/a"
            table.add_row("target", why_none if target is None else f"{target:.2f} m")
            if s.get("pod_stride_length_m") is not None:
                table.add_row("pod stride", f"{s['pod_stride_length_m']:.2f} m (the foot pod's own figure)")
        if self.pod is not None:
            table.add_row("pod now", f"{self.pod['cadence_spm']:.0f} steps/min, {self.pod['speed_mps']:.2f} m/s")
            so_far = pod_walk_so_far(self.pod)
            if so_far:
                table.add_row("walk so far", so_far)
        parts: list[Any] = [status, table]
        if self.cue is not None:
            when = self.cue.get("t_s")
            at = f" (at {int(when // 60)}:{int(when % 60):02d})" if isinstance(when, (int, float)) else ""
            body = Text.assemble((self.cue["message"] + at, "bold white on red"), "\n", (self.cue.get("reason") or ""))
            parts.append(Panel(body, border_style="red"))
        if self.placement_note:
            parts.append(Text(f"Note: {self.placement_note}.", style="dim"))
        if s is not None and s.get("distance_cue_note"):
            # the prompt near the usual point of pain comes by time, or not at all: the walker plans around it
            parts.append(Text(s["distance_cue_note"], style="dim"))
        # the disclaimer first: a long note wraps, the disclaimer stays whole and in sight
        note = self.coach_note[:1].upper() + self.coach_note[1:]
        ending = "" if self.ended or phase == "ended" else " Ctrl-C ends the walk."
        parts.append(Text(f"Not medical advice. {note}.{ending}", style="dim"))
        return Panel(Group(*parts), title="gait live")
