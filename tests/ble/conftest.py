"""Shared helpers for the BLE tests: a synthetic walk and a session over the virtual radio."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gait.types import Placement, Recording
from ingest.ble.sources import BleSensorSource
from ingest.ble.virtual import VirtualRadio, VirtualSensor
from service.live import LiveSession, SessionState
from tests.gait.synthetic import walk_signal

STEP_HZ = 1.8
"""Steps per second of the synthetic walk: the exact cadence is 108 steps/min."""


def walk_recording(walk_s: float = 12.0, *, gyro: bool = False) -> Recording:
    """A lower-back walk at 1.8 steps/s (cadence 108 spm), with 1 s of rest before and after."""
    t, acc = walk_signal(step_hz=STEP_HZ, walk_s=walk_s, rest_before_s=1.0, rest_after_s=1.0)
    gyr = None
    if gyro:
        import numpy as np

        gyr = np.zeros_like(acc)
        gyr[:, 1] = 20.0 * np.sin(2 * np.pi * STEP_HZ / 2 * t)
    return Recording(time_s=t, acc_ms2=acc, gyr_dps=gyr, placement=Placement.LOWER_BACK)


def source_for(radio: VirtualRadio, target: str, **kwargs: Any) -> BleSensorSource:
    """A sensor source on the virtual radio with short timeouts (virtual sensors answer at once)."""
    options: dict[str, Any] = {
        "scanner_backend": radio.scanner_backend,
        "client_backend": radio.client_backend,
        "scan_timeout_s": 0.3,
        "connect_timeout_s": 1.0,
        "first_data_timeout_s": 1.0,
        "stall_timeout_s": 2.0,
        "reconnect_window_s": 3.0,
        "backoff_s": (0.05, 0.2),
        "clock_sync": False,  # replays run faster than real time
    }
    options.update(kwargs)
    return BleSensorSource(target, **options)


@dataclass
class Outcome:
    """What a session over the virtual radio produced."""

    state: SessionState
    messages: list[dict[str, Any]]
    session: LiveSession
    source: BleSensorSource
    error: BaseException | None = None
    kinds: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for m in self.messages:
            self.kinds.setdefault(m["type"], []).append(m)

    def of(self, kind: str) -> list[dict[str, Any]]:
        return self.kinds.get(kind, [])


async def run_session(
    radio: VirtualRadio,
    sensor: VirtualSensor,
    tmp_path: Path,
    *,
    target: str | None = None,
    source: BleSensorSource | None = None,
    **source_kwargs: Any,
) -> Outcome:
    """Run a LiveSession on ``sensor`` until its recording has been sent (or the session fails); ``source`` when
    the test prepared one (else one for ``target``, default the sensor's name)."""
    source = source or source_for(radio, target or sensor.name, **source_kwargs)
    session = LiveSession(source, placement="lower_back", body_height_m=1.75, journal_dir=tmp_path)
    queue = session.subscribe()
    task = asyncio.create_task(session.run())
    finished = asyncio.create_task(sensor.finished.wait())
    await asyncio.wait({task, finished}, return_when=asyncio.FIRST_COMPLETED)
    error = None
    # the sensor has sent everything; the central may still be working through a backlog of notifications (on a
    # loaded machine for over 0.25 s): stop once everything notified has arrived and nothing new came for 0.25 s,
    # or, when samples went missing on the way (link drops), once nothing new came for 3 s
    progress, quiet_s = -1, 0.0
    while not task.done():
        now = session.state.samples + queue.qsize()
        quiet_s = quiet_s + 0.25 if now == progress else 0.0
        progress = now
        if quiet_s >= (0.25 if session.state.samples >= sensor.samples_notified else 3.0):
            break
        await asyncio.sleep(0.25)
    session.stop()
    try:
        await task
    except Exception as exc:  # the tests inspect it
        error = exc
    finished.cancel()
    await radio.close()
    messages = []
    while not queue.empty():
        messages.append(queue.get_nowait())
    return Outcome(session.state, messages, session, source, error)
