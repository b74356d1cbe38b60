"""First run, the demo walk and live walks from sensors.

The demo imports the sample recordings and replays one through a live session; a sensor walk streams a Bluetooth LE
sensor (:class:`ingest.ble.sources.BleSensorSource`) through the same live session, coached the same way. How the
service reaches sensors is a :class:`BleAccess`: bleak's platform backend, or (a testing aid) a virtual radio whose
demo sensors replay a sample recording.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gait.analysis import model_notes
from gait.coach import CoachingPlan
from gait.errors import GaitError
from gait.tracker import GaitTracker
from gait.types import Placement, Recording
from ingest.ble.sources import BleSensorSource, SensorInfo, choose_protocol, find_sensor, scan
from ingest.ble.virtual import VirtualRadio, demo_radio
from ingest.errors import IngestError
from ingest.replay import replay_chunks
from service.coaching import NOT_YOUR_COACHING, demo_coach, live_coach, load_profile, plan_description
from service.live import LiveSession
from service.livehub import LiveHub
from service.models import ProfileUpdate
from service.pipeline import (
    AnalysisOptions,
    analysis_record,
    personal_scale,
    process_file,
    read_recording,
    sample_walk_notes,
)
from service.privacy import private_folder
from service.recordings import delete_walk
from service.settings import DEMO_SAMPLE, Settings
from service.store import DuplicateRecordingError, NewWalk, Store

log = logging.getLogger(__name__)

RECORDING_SUFFIXES = (".csv", ".zip", ".gz", ".json", ".xml", ".txt")
VIRTUAL_SCAN_S = 1.0
"""Longest scan on the virtual radio: its sensors advertise every 50 ms, a longer scan finds nothing more."""
VIRTUAL_SOURCE_OPTIONS: dict[str, Any] = {
    "scan_timeout_s": VIRTUAL_SCAN_S,
    "connect_timeout_s": 5.0,
    "first_data_timeout_s": 3.0,
    "reconnect_window_s": 10.0,
}
"""Sensor-source timeouts on the virtual radio (its sensors answer at once; a user should not wait for nothing)."""


def list_samples(samples_dir: Path) -> list[Path]:
    """Recordings in ``samples_dir`` (not their ``*.reference.json`` or licence files), sorted by name."""
    if not samples_dir.is_dir():
        return []
    return sorted(
        p
        for p in samples_dir.iterdir()
        if p.is_file() and p.suffix.lower() in RECORDING_SUFFIXES and ".reference." not in p.name
    )


def sample_reference(path: Path) -> dict[str, Any]:
    """The sample's ``<name>.reference.json`` ({} when there is none or it cannot be read)."""
    ref = path.with_name(path.name.split(".")[0] + ".reference.json")
    try:
        data = json.loads(ref.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def sample_placement(path: Path) -> Placement | None:
    """Placement stated in the sample's reference file, when there is one."""
    value = sample_reference(path).get("placement")
    return Placement.parse(value) if value else None


def sample_recording(path: Path) -> Recording:
    """Read a sample with the placement and heights its reference file states (they improve stride lengths), and
    the shoe of a foot sensor as ``source["sensor_side"]`` (as a live journal keeps it)."""
    ref = sample_reference(path)
    placement = ref.get("placement")
    recording = read_recording(path, placement=Placement.parse(placement) if placement else None)
    return replace(
        recording,
        body_height_m=recording.body_height_m or ref.get("body_height_m"),
        sensor_height_m=recording.sensor_height_m or ref.get("sensor_height_m"),
        source={**recording.source, "sensor_side": ref.get("side") if recording.placement is Placement.FOOT else None},
    )


def no_samples_text(samples_dir: Path) -> str:
    """Why there is no sample walk to show, and where the samples come from."""
    return (
        f"no sample recordings in {samples_dir}: they come with the project's source (its sample_recordings "
        "folder), not with an installed package; to use them, set GAIT_SAMPLES_DIR to that folder"
    )


def find_sample(samples_dir: Path, name: str | None) -> Path:
    """The sample called ``name`` (default: the first); raises FileNotFoundError with the choices."""
    samples = list_samples(samples_dir)
    if not samples:
        raise FileNotFoundError(no_samples_text(samples_dir))
    if name is None:
        for p in samples:
            if p.name == DEMO_SAMPLE:
                return p
        # Without it, the longest lower-back recording (the placement most walkers use).
        return max(samples, key=lambda p: (sample_placement(p) is Placement.LOWER_BACK, p.stat().st_size))
    for p in samples:
        if p.name == name:
            return p
    raise FileNotFoundError(f"no sample {name!r}: choose one of {', '.join(p.name for p in samples)}")


async def start_demo(hub: LiveHub, store: Store, settings: Settings, *, sample: str | None, speed: float) -> int:
    """Replay a sample recording through a live session as a new live walk; returns the walk id.

    The new replay replaces the earlier ones of the same sample that ended normally (they hold the same strides):
    each ``./run demo`` start and each demo started again would otherwise pile up copies of one walk. An
    interrupted replay stays (its page says what stopped it).
    """
    path = find_sample(settings.samples_dir, sample)
    earlier = await asyncio.to_thread(store.finished_demo_replays, path.name)
    walk_id = await _start_demo(hub, store, settings, path, speed=speed)
    for old_id in earlier:
        await asyncio.to_thread(
            delete_walk, store, old_id, recordings_dir=settings.recordings_dir, journal_dir=settings.journal_dir
        )
    if earlier:
        log.info("demo walk %s replaces %d earlier replay(s) of %s", walk_id, len(earlier), path.name)
    return walk_id


async def _start_demo(hub: LiveHub, store: Store, settings: Settings, path: Path, *, speed: float) -> int:
    recording = await asyncio.to_thread(sample_recording, path)
    profile = await asyncio.to_thread(load_profile, store)
    placement = recording.placement or sample_placement(path) or profile.placement or Placement.LOWER_BACK
    # a foot sample streams as the shoe its reference names, as it is imported
    side = recording.source.get("sensor_side") if placement is Placement.FOOT else None
    return await _start_live_walk(
        hub,
        store,
        settings,
        profile,
        make_source=lambda: replay_chunks(recording, speed=speed),
        placement=placement,
        # the sample walker's own heights (its reference file's), never the user's: a demo shows the sample's figures
        body_height_m=recording.body_height_m,
        sensor_height_m=recording.sensor_height_m,
        walk_name=f"Live demo: {path.stem}",
        walk_source={"demo": True, "sample": path.name, "speed": speed, "format": "replay"},
        sensor_side=side,
        demo=True,
    )


def pod_placement(given: Placement | None, protocol: str | None, *, choose: str) -> tuple[Placement | None, str | None]:
    """Where a live sensor is worn when the walker does not say (``given`` None) and it streams as a foot pod
    (``protocol`` ``"rsc"``: the Running Speed and Cadence service): on a shoe, whatever the profile's usual placement
    (a lower-back sensor's, say), with a note saying so and how to choose (``choose``: ``gait live``'s or the API's
    way). None otherwise: the caller's own default applies. ``gait live`` (:func:`service.commands.live.walk_settings`)
    and ``POST /api/live/sensor`` (:func:`start_sensor_walk`) both go through here.

    Examples
    --------
    >>> placement, note = pod_placement(None, "rsc", choose="say so")
    >>> placement.value, note.removeprefix("placement foot: a foot pod (it streams running speed and cadence) ")
    ('foot', 'is worn on a shoe; say so')
    >>> pod_placement(Placement.WAIST, "rsc", choose="say so"), pod_placement(None, "imu", choose="say so")
    ((<Placement.WAIST: 'waist'>, None), (None, None))
    """
    if given is not None:
        return given, None
    if protocol == "rsc":
        return (
            Placement.FOOT,
            f"placement foot: a foot pod (it streams running speed and cadence) is worn on a shoe; {choose}",
        )
    return None, None


API_PLACEMENT_CHOICE = "if it was elsewhere, give its placement when starting the walk"
"""How a caller of ``POST /api/live/sensor`` chooses the placement (:func:`pod_placement`'s ``choose``)."""


async def start_sensor_walk(
    hub: LiveHub,
    store: Store,
    settings: Settings,
    ble: BleAccess,
    *,
    target: str,
    placement: Placement | None,
    protocol: str | None = None,
    side: str | None = None,
    sensor_height_m: float | None = None,
) -> int:
    """Find the BLE sensor ``target`` (address or name) and stream it as a new live walk; returns the walk id.

    ``placement`` None: a foot pod's is the foot (:func:`pod_placement`, said in the walk's notes), another
    sensor's the lower back.

    ``side`` is the shoe a foot sensor is on (its steps and strides then carry it). ``sensor_height_m`` is the
    sensor's height above the floor as the walker measured it (a lower-back or waist sensor), used as ``gait live
    --sensor-height-m`` uses it: in place of the one estimated from the body height (of a virtual sensor, in place of
    its sample's), kept in the walk's journal (so analysing it again keeps it) and in its analysis record.

    The sensor is looked up and connected to before the walk is created, to read its GATT services, so a sensor
    that is not there, or offers nothing we read, stores nothing; the protocol chosen from its services is pinned
    for the session, so the walk's stored coaching (a foot pod's: no stride coaching) is that of what streams. That
    connection is kept and the walk streams on it: a started walk connects once (many sensors are not connectable
    for a moment after a disconnect), and one that does not start after all (another walk started meanwhile, a
    store error) disconnects it. What goes wrong once it streams (link lost, no data) ends the session with its
    error in the feed and the live status.

    Raises
    ------
    ingest.ble.errors.BleError
        ``"not_found"``, ``"ambiguous_name"`` or ``"no_adapter"`` (Bluetooth unavailable); ``"connect_failed"`` or
        ``"unsupported_sensor"`` (found, but cannot be read); each with what to do.
    RuntimeError
        When a live walk is already running; :class:`~service.livehub.StoppedBeforeStartError` when Stop was
        pressed while the sensor was looked for or connected to (it is released, nothing is stored).
    """
    if hub.running:
        raise RuntimeError("a live walk is already running: stop it first")

    async def connect_and_start() -> int:
        info = await ble.find(target)
        source = ble.source(info.device or info.address, protocol=protocol)
        try:
            # What it streams is known once connected (an advertisement may leave services out): the walk's coaching
            # is said and stored for the protocol the session will stream, pinned here, never for a guess from scan
            # data.
            offered = await source.read_protocols(keep=True)
            source.protocol = choose_protocol(offered, protocol, sensor=info.name or info.address)
            worn, placement_note = pod_placement(placement, source.protocol, choose=API_PLACEMENT_CHOICE)
            profile = await asyncio.to_thread(load_profile, store)
            # a virtual sensor replays a sample: its walker's heights, not the user's (the user's real sensor: theirs)
            heights = (
                (ble.sample.body_height_m, ble.sample.sensor_height_m)
                if ble.virtual and ble.sample is not None
                else (profile.body_height_m, None)
            )
            if sensor_height_m is not None:  # measured: it wins, as `gait live --sensor-height-m` does
                heights = (heights[0], sensor_height_m)
            sensor = {
                "name": info.name,
                "address": info.address,
                "protocols": list(offered),
                "protocol": protocol,
                "virtual": ble.virtual,
            }
            return await _start_live_walk(
                hub,
                store,
                settings,
                profile,
                make_source=lambda: source,
                placement=worn or Placement.LOWER_BACK,
                placement_note=placement_note,
                body_height_m=heights[0],
                sensor_height_m=heights[1],
                sensor_height_measured=sensor_height_m is not None,
                # the walker left the box empty: the height is the replayed sample's, not one given
                sensor_height_from=DEMO_SENSOR_HEIGHT if ble.virtual and sensor_height_m is None else None,
                walk_name=f"Live: {info.name or info.address}",
                walk_format="ble",
                walk_source={"format": "ble", "sensor": sensor},
                sensor=sensor,
                sensor_side=side,
                # a virtual sensor replays a sample recording: a demo, not the walker's walking
                demo=ble.virtual,
                # RSC is streamed when asked for, or when the sensor's services offer no motion samples
                pod_only=source.protocol == "rsc",
            )
        except BaseException:
            # the walk did not start: the kept connection is nobody's (a sensor connected to a forgotten client cannot
            # be used by anything else); once the session runs, it owns the connection and closes it itself
            await asyncio.shield(source.aclose())
            raise

    # the lookup (a scan) and the connection take a second or more before the walk exists: Stop cancels them
    return await hub.starting(connect_and_start())


DEMO_SENSOR_HEIGHT = "the demo sample's sensor height"
"""Where a virtual sensor's sensor height comes from (its walk's stride-length note) when the walker gave none."""


POD_NO_STRIDE_COACHING = (
    "No stride coaching on this walk: a foot pod (RSC) sends its own cadence and stride length, not the strides the "
    "coach judges, so no stride is flagged and no stride cue is given."
)
"""Said first about a foot pod's walk's coaching, in place of a stride target it never gets."""


def pod_walk_coaching(coaching: dict[str, Any], plan: CoachingPlan, *, demo: bool) -> dict[str, Any]:
    """A walk's stored coaching when a foot pod alone streams it: no stride target, said plainly; a walk-length
    recommendation (its cue uses the pod's odometer) is kept for the walker's own walks."""
    reasons = [POD_NO_STRIDE_COACHING]
    if demo:
        reasons.append(NOT_YOUR_COACHING)
    elif plan.distance_cue_active and plan.recommendation is not None:
        reasons.append(plan.recommendation.reason)
    return {**coaching, "active": False, "pod": True, "reasons": reasons}


async def _start_live_walk(
    hub: LiveHub,
    store: Store,
    settings: Settings,
    profile: ProfileUpdate,
    *,
    make_source: Callable[[], AsyncIterator[Any]],
    placement: Placement,
    body_height_m: float | None,
    walk_name: str,
    walk_source: dict[str, Any],
    walk_format: str = "replay",
    sensor: dict[str, Any] | None = None,
    sensor_side: str | None = None,
    sensor_height_m: float | None = None,
    sensor_height_measured: bool = False,
    sensor_height_from: str | None = None,
    demo: bool = False,
    pod_only: bool = False,
    placement_note: str | None = None,
) -> int:
    """Start a live walk from any chunk source, coached by the walker's current plan.

    ``demo`` marks a walk that is not the walker's own (a replayed sample, a virtual sensor): stored and shown,
    never used for coaching, coached by :func:`service.coaching.demo_coach` (as just after back pain, against
    the population default), like ``gait live --demo``, and analysed with the sample walker's heights (given by
    the caller) without the user's calibration factor. ``pod_only``: a foot pod (RSC) alone streams it, so its
    stored coaching says it gets no stride coaching (:func:`pod_walk_coaching`). ``sensor_height_measured``:
    ``sensor_height_m`` is the walker's measurement (recorded with the walk's analysis), not a sample's;
    ``sensor_height_from`` says where it came from in the walk's stride-length note (default: "the sensor height
    given"). ``placement_note``: where the placement came from when the walker did not give it (the walk's first note).
    """
    if demo:
        # somebody else's walking: coached as just after back pain against the population default, stored nowhere
        coach, plan, _ = demo_coach(profile.coaching.coach_settings(), body_height_m=body_height_m, placement=placement)
    else:
        coach, plan = await asyncio.to_thread(live_coach, store, profile, placement)
    # the user's calibration factor for this placement is the user's: a demo walk (somebody else's walking) is not
    # scaled by it
    stride_scale = None if demo else personal_scale(profile.stride_scales, placement)
    private_folder(settings.journal_dir)

    def make_session(walk_id: int) -> object:
        return LiveSession(
            make_source(),
            placement=placement,
            body_height_m=body_height_m,
            sensor_height_m=sensor_height_m,
            stride_scale=stride_scale,
            coach=coach,
            journal_dir=settings.journal_dir,
            session_id=f"walk-{walk_id}",
            sensor=sensor,
            sensor_side=sensor_side,
        )

    walk = NewWalk(
        name=walk_name,
        origin="live",
        format=walk_format,
        placement=placement.value,
        source=walk_source,
        coaching=(
            pod_walk_coaching(plan_description(plan, profile, None if demo else store), plan, demo=demo)
            if pod_only
            else plan_description(plan, profile, None if demo else store)
        ),
        # how this walk's stride lengths are obtained, as an uploaded walk records it
        notes=([placement_note] if placement_note else [])
        + (sample_walk_notes if demo else list)(
            model_notes(
                GaitTracker(
                    placement=placement,
                    body_height_m=body_height_m,
                    sensor_height_m=sensor_height_m,
                    stride_scale=stride_scale,
                ),
                sensor_height_from=sensor_height_from,
            )
        ),
        demo=demo,
        # the live tracker is this version's core, with the profile's height and factor (a demo: its walker's)
        analysis=analysis_record(
            AnalysisOptions(body_height_m=None if demo else body_height_m, stride_scale=stride_scale),
            own=not demo,
            recording_height_m=body_height_m if demo else None,
            sensor_height_m=sensor_height_m if sensor_height_measured else None,
        ),
    )
    return await hub.start(make_session, walk)


def import_samples(store: Store, samples_dir: Path) -> list[int]:
    """Import every sample recording as a walk (blocking); a sample that cannot be read (or repeats another) is
    logged and skipped.

    Runs at first start, on an empty store. Each sample walk keeps its recording's fingerprint: a later upload of
    the same file is refused with a message naming the sample walk (it is somebody else's walk, already shown),
    instead of becoming a second copy that would count as the walker's own.
    """
    ids = []
    for path in list_samples(samples_dir):
        try:
            recording = sample_recording(path)
            ids += process_file(
                path,
                store=store,
                name=path.stem,
                origin="sample",
                recording=recording,
                sensor_side=recording.source["sensor_side"],  # the shoe a foot sample was on, as its reference says
            )
        except (IngestError, GaitError, DuplicateRecordingError) as exc:
            log.warning("sample %s not imported: %s", path.name, exc)
    return ids


# ---------------------------------------------------------------------------------------------------------------
# Bluetooth LE access


@dataclass
class BleAccess:
    """How the service reaches Bluetooth LE sensors: bleak's platform backend (the default) or a virtual radio.

    Attributes
    ----------
    scanner_backend, client_backend
        bleak backends; None uses the platform's (BlueZ, CoreBluetooth, WinRT).
    radio
        The virtual radio the backends reach, when virtual (closed by :meth:`close`).
    sample
        The sample recording the virtual sensors replay (its walker's heights are a virtual walk's).
    source_options
        Extra keyword settings of every :class:`~ingest.ble.sources.BleSensorSource` (timeouts, clock sync).
    max_scan_s
        Scans are cut to this long (None: as asked).
    """

    scanner_backend: type | None = None
    client_backend: type | None = None
    radio: VirtualRadio | None = None
    sample: Recording | None = None
    source_options: dict[str, Any] = field(default_factory=dict)
    max_scan_s: float | None = None
    _lock: asyncio.Lock | None = field(default=None, init=False, repr=False)

    @property
    def virtual(self) -> bool:
        """True when the sensors are virtual (a testing aid)."""
        return self.radio is not None

    def _scan_lock(self) -> asyncio.Lock:
        # one scan at a time: an adapter refuses a second discovery while one runs (BlueZ "InProgress")
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    def scan_seconds(self, seconds: float) -> float:
        """How long a scan asked to last ``seconds`` lasts."""
        return min(seconds, self.max_scan_s) if self.max_scan_s else seconds

    async def scan(self, seconds: float) -> list[SensorInfo]:
        """Gait sensors seen in :meth:`scan_seconds` of scanning, strongest first (BleError ``"no_adapter"``)."""
        async with self._scan_lock():
            return await scan(timeout_s=self.scan_seconds(seconds), backend=self.scanner_backend)

    async def find(self, target: str) -> SensorInfo:
        """The sensor with this address or name (raises BleError ``"not_found"``, ``"ambiguous_name"``...)."""
        timeout_s = float(self.source_options.get("scan_timeout_s", 5.0))
        async with self._scan_lock():
            return await find_sensor(target, timeout_s=timeout_s, backend=self.scanner_backend)

    def source(self, target: Any, *, protocol: str | None = None) -> BleSensorSource:
        """A sensor source for ``target`` (a ``BLEDevice`` from :meth:`find`, or an address)."""
        return BleSensorSource(
            target,
            protocol=protocol,
            scanner_backend=self.scanner_backend,
            client_backend=self.client_backend,
            **self.source_options,
        )

    async def close(self) -> None:
        """Power the virtual sensors off (nothing to do for real Bluetooth)."""
        if self.radio is not None:
            await self.radio.close()


async def virtual_ble(settings: Settings) -> BleAccess:
    """A virtual radio with one demo sensor per protocol, replaying the default demo sample at ``demo_speed``.

    A testing aid (``GAIT_BLE_VIRTUAL=1``): the dashboard's sensor path runs end to end without hardware. The
    sensors loop their recording, as the demo walk's sensor would keep walking.

    Without a readable sample recording the radio has no sensors (logged): scans find nothing, and the computer's
    own Bluetooth is still left alone.
    """
    try:
        recording = await asyncio.to_thread(sample_recording, find_sample(settings.samples_dir, None))
    except (FileNotFoundError, IngestError, GaitError) as exc:
        log.warning("virtual Bluetooth has no sensors: %s", exc)
        recording = None
    radio = VirtualRadio() if recording is None else await demo_radio(recording, speed=settings.demo_speed)
    return BleAccess(
        scanner_backend=radio.scanner_backend,
        client_backend=radio.client_backend,
        radio=radio,
        sample=recording,
        # a replay faster than real time runs on its own clock: host-clock mapping would squash it
        source_options={**VIRTUAL_SOURCE_OPTIONS, "clock_sync": settings.demo_speed == 1.0},
        max_scan_s=VIRTUAL_SCAN_S,
    )
