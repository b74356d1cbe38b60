"""The live walk: status, demo or sensor start / stop, the Server-Sent Events feed; scans for nearby sensors."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response
from fastapi.sse import KEEPALIVE_COMMENT, EventSourceResponse

from ingest.ble.errors import BleError
from service.demo import find_sample, list_samples, start_demo, start_sensor_walk
from service.deps import BleDep, HubDep, SettingsDep, StoreDep
from service.livehub import LiveHub, still_full_words
from service.models import LiveSensorStart, LiveStart, LiveStatus, Problem, SensorPublic, SensorScan
from service.settings import Settings, is_disk_full

router = APIRouter(prefix="/api/live", tags=["live"])
sensors_router = APIRouter(prefix="/api/sensors", tags=["live"])

KEEPALIVE_S = 15.0
"""A comment line this often keeps proxies and the browser from closing an idle feed."""


def _status(hub: LiveHub, settings: Settings) -> LiveStatus:
    return LiveStatus(
        running=hub.running,
        connecting=hub.connecting,
        walk_id=hub.walk_id if hub.running else None,
        state=hub.current_state(),
        sensor=hub.sensor,
        subscribers=hub.subscriber_count,
        unclosed_walk_id=None if hub.unclosed is None else hub.unclosed.walk_id,
        samples=[p.name for p in list_samples(settings.samples_dir)],
        default_sample=_default_sample(settings),
    )


def _default_sample(settings: Settings) -> str | None:
    """The sample a demo replays when none is named, or None without samples."""
    try:
        return find_sample(settings.samples_dir, None).name
    except FileNotFoundError:
        return None


@router.get("", response_model=LiveStatus, summary="Is a walk live; sample recordings for the demo")
def live_status(hub: HubDep, settings: SettingsDep) -> LiveStatus:
    """Say whether a walk is live, and list the sample recordings a demo can replay."""
    return _status(hub, settings)


@router.post(
    "/demo",
    status_code=202,
    response_model=LiveStatus,
    responses={404: {"model": Problem}, 409: {"model": Problem}},
    summary="Start a demo walk: replay a sample recording live",
)
async def live_demo(body: LiveStart, hub: HubDep, store: StoreDep, settings: SettingsDep) -> LiveStatus:
    """Start a demo walk: a sample recording replayed as a live walk (409 while another walk is live)."""
    if hub.running:
        raise HTTPException(409, "a live walk is already running: stop it first")
    try:
        await start_demo(hub, store, settings, sample=body.sample, speed=body.speed)
    except FileNotFoundError as exc:
        raise HTTPException(404, str(exc)) from None
    except RuntimeError as exc:
        raise HTTPException(409, str(exc)) from None
    return _status(hub, settings)


@router.post(
    "/sensor",
    status_code=202,
    response_model=LiveStatus,
    responses={404: {"model": Problem}, 409: {"model": Problem}, 422: {"model": Problem}, 503: {"model": Problem}},
    summary="Start a live walk from a Bluetooth LE sensor (address or name from GET /api/sensors)",
)
async def live_sensor(
    body: LiveSensorStart, hub: HubDep, store: StoreDep, settings: SettingsDep, ble: BleDep
) -> LiveStatus:
    """The sensor is looked up and connected to once first, to read the services it streams (404 when it is not
    there, 502 when it cannot be connected to or offers nothing we read, 409 when POST /api/live/stop stopped it
    meanwhile; nothing stored); streaming goes on in the
    background, its progress and errors in the feed's ``state`` events and in ``GET /api/live``."""
    try:
        await start_sensor_walk(
            hub,
            store,
            settings,
            ble,
            target=body.target,
            placement=body.placement,
            protocol=body.protocol,
            side=body.side,
            sensor_height_m=body.sensor_height_m,
        )
    except BleError as exc:
        raise _ble_http_error(exc) from None
    except RuntimeError as exc:
        raise HTTPException(409, str(exc)) from None
    return _status(hub, settings)


@router.post(
    "/stop",
    response_model=LiveStatus,
    responses={507: {"model": Problem}},
    summary="Stop the live walk (its strides stay stored)",
)
async def live_stop(hub: HubDep, settings: SettingsDep) -> LiveStatus:
    """Stop the live walk; the strides it recorded stay stored. A sensor walk still looking for its sensor or
    connecting to it is cancelled (the sensor released, nothing stored). 507 when the walk a full disk left open
    still cannot be closed (the disk still full)."""
    try:
        await hub.stop()
    except (OSError, sqlite3.Error) as exc:
        if not is_disk_full(exc) or hub.unclosed is None:
            raise
        # not the upload's "nothing was stored ... try again": the walk is kept, and closes once there is space
        raise HTTPException(507, still_full_words(settings.data_dir, hub.unclosed.walk_id)) from None
    return _status(hub, settings)


@router.get(
    "/feed",
    response_class=Response,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Server-Sent Events, one per message."}},
    summary="Live feed (SSE): hub, state, step, stride, bout, cue and gap events as JSON",
)
async def live_feed(hub: HubDep) -> EventSourceResponse:
    """Each event's ``data`` is a JSON object whose ``type`` equals the event name."""
    queue = hub.subscribe()

    async def frames() -> AsyncIterator[bytes]:
        # The hub encodes each frame once; with many viewers, per-viewer encoding (FastAPI's generator mode)
        # would dominate the delivery time.
        try:
            while True:
                try:
                    kind, frame = await asyncio.wait_for(queue.get(), timeout=KEEPALIVE_S)
                except TimeoutError:
                    yield KEEPALIVE_COMMENT
                    continue
                if kind == "shutdown":
                    return
                yield frame
        finally:
            hub.unsubscribe(queue)

    return EventSourceResponse(frames(), headers={"cache-control": "no-cache", "x-accel-buffering": "no"})


BLE_STATUS = {"no_adapter": 503, "not_found": 404, "ambiguous_name": 409}
"""HTTP status of each BleError reason a scan or lookup raises (others: 502, the sensor misbehaved)."""
NO_BLUETOOTH_ADVICE = (
    "Meanwhile the demo walk ('Start demo walk' on the dashboard's Live page, or POST /api/live/demo) works "
    "without a sensor."
)


def _ble_http_error(exc: BleError) -> HTTPException:
    status = BLE_STATUS.get(exc.reason or "", 502)
    if status == 503:
        return HTTPException(503, f"Bluetooth is not available here: {exc}. {NO_BLUETOOTH_ADVICE}")
    return HTTPException(status, str(exc))


@sensors_router.get(
    "",
    response_model=SensorScan,
    responses={503: {"model": Problem}},
    summary="Scan for nearby gait sensors: name, address, what each streams, signal strength",
)
async def scan_sensors(
    ble: BleDep, seconds: Annotated[float, Query(ge=1, le=15, description="How long to listen.")] = 5.0
) -> SensorScan:
    """503 when this computer has no usable Bluetooth (no adapter, switched off, no bluetooth service)."""
    try:
        found = await ble.scan(seconds)
    except BleError as exc:
        raise _ble_http_error(exc) from None
    return SensorScan(
        seconds=ble.scan_seconds(seconds),
        sensors=[SensorPublic(**s.to_dict(), supports=s.supports) for s in found],
        virtual=ble.virtual,
    )
