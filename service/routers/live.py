"""The live walk: status, demo start / stop, and the Server-Sent Events feed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from fastapi import APIRouter, HTTPException, Response
from fastapi.sse import KEEPALIVE_COMMENT, EventSourceResponse

from service.demo import list_samples, start_demo
from service.deps import HubDep, SettingsDep, StoreDep
from service.livehub import LiveHub
from service.models import LiveStart, LiveStatus, Problem
from service.settings import Settings

router = APIRouter(prefix="/api/live", tags=["live"])

KEEPALIVE_S = 15.0
"""A comment line this often keeps proxies and the browser from closing an idle feed."""


def _status(hub: LiveHub, settings: Settings) -> LiveStatus:
    return LiveStatus(
        running=hub.running,
        walk_id=hub.walk_id if hub.running else None,
        state=hub.last_state,
        subscribers=hub.subscriber_count,
        samples=[p.name for p in list_samples(settings.samples_dir)],
    )


@router.get("", response_model=LiveStatus, summary="Is a walk live; sample recordings for the demo")
def live_status(hub: HubDep, settings: SettingsDep) -> LiveStatus:
    return _status(hub, settings)


@router.post(
    "/demo",
    status_code=202,
    response_model=LiveStatus,
    responses={404: {"model": Problem}, 409: {"model": Problem}},
    summary="Start a demo walk: replay a sample recording live",
)
async def live_demo(body: LiveStart, hub: HubDep, store: StoreDep, settings: SettingsDep) -> LiveStatus:
    if hub.running:
        raise HTTPException(409, "a live walk is already running: stop it first")
    try:
        await start_demo(hub, store, settings, sample=body.sample, speed=body.speed)
    except FileNotFoundError as exc:
        raise HTTPException(404, str(exc)) from None
    except RuntimeError as exc:
        raise HTTPException(409, str(exc)) from None
    return _status(hub, settings)


@router.post("/stop", response_model=LiveStatus, summary="Stop the live walk (its strides stay stored)")
async def live_stop(hub: HubDep, settings: SettingsDep) -> LiveStatus:
    await hub.stop()
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
