"""The connection opened to read a sensor's services, kept for its stream: one connection per started walk.

Real sensors are often not connectable for a moment after a disconnect (Polar straps, many ESP32 stacks) and BlueZ
may still hold the old link, so reading the services, disconnecting and connecting again to stream costs seconds and
often fails. Everything here runs bleak's public API against the virtual radio, whose sensors count the connections
they accept.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from gait.types import Recording
from ingest.ble.sources import BleSensorSource
from ingest.ble.virtual import SensorFaults, VirtualRadio, VirtualSensor
from service.live import LiveSession
from tests.ble.conftest import run_session, source_for, walk_recording

pytestmark = pytest.mark.timeout(60)


class KeptRead(NamedTuple):
    radio: VirtualRadio
    sensor: VirtualSensor
    source: BleSensorSource
    offered: tuple[str, ...]


async def links_closed(sensor: VirtualSensor, within_s: float = 2.0) -> int:
    """The sensor's open links once its disconnection has gone through (or after ``within_s``)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while sensor.links_open and loop.time() < deadline:
        await asyncio.sleep(0.02)
    return sensor.links_open


async def kept(rec: Recording, name: str, *, by_name: bool = False, **sensor_kwargs: Any) -> KeptRead:
    """A virtual sensor replaying ``rec`` at 10x, and a source that read its services with ``keep=True``."""
    radio = VirtualRadio()
    sensor = await radio.add_sensor(VirtualSensor(rec, name=name, speed=10, **sensor_kwargs))
    source = source_for(radio, sensor.name if by_name else sensor.address)
    offered = await source.read_protocols(keep=True)
    return KeptRead(radio, sensor, source, offered)


def test_a_source_that_read_the_services_streams_on_that_connection(tmp_path: Path) -> None:
    """Read by name, kept, streamed: the sensor sees one connection and every sample arrives; no second scan
    either (a connected sensor stops advertising: looking it up by name again would not find it)."""
    rec = walk_recording(8.0)

    async def main():
        radio, sensor, source, offered = await kept(rec, "Kept", by_name=True)
        open_after_read = sensor.links_open
        out = await run_session(radio, sensor, tmp_path, source=source)
        return offered, open_after_read, out, sensor

    offered, open_after_read, out, sensor = asyncio.run(main())
    assert offered == ("imu",) and open_after_read == 1
    assert out.error is None and out.source.reconnects == 0
    assert sensor.connections == 1
    assert out.state.samples == rec.n_samples


@pytest.mark.parametrize("protocol", ["imu", "pmd"])
def test_a_link_dropped_on_the_kept_connection_reconnects_and_loses_nothing_sent(protocol: str, tmp_path: Path) -> None:
    """The kept connection's drop reaches the session at once (bleak's disconnected callback, given when the client
    was made before any session existed): it reconnects once, reports the gap, and every sample the sensor sent
    arrives; only what it sampled while the link was down is missing."""
    rec = walk_recording(16.0)

    async def main():
        faults = SensorFaults(drop_link_after_s=6.0, link_down_s=0.2)
        radio, sensor, source, _ = await kept(rec, "Flaky", protocol=protocol, faults=faults)
        return await run_session(radio, sensor, tmp_path, source=source), sensor

    out, sensor = asyncio.run(main())
    assert out.error is None
    assert out.source.reconnects == 1 and sensor.connections == 2  # the read's connection, and one reconnect
    reconnecting = [m for m in out.of("state") if m["phase"] == "reconnecting"]
    # told by the disconnect, not found out from seconds of silence
    assert [m["detail"] for m in reconnecting] == ["the link dropped"]
    phases = [m["phase"] for m in out.of("state")]
    assert phases[phases.index("reconnecting") + 1] == "streaming"
    (gap,) = out.of("gap")
    assert gap["reason"] == "link_lost" and gap["lost_packets"] > 0
    assert out.state.samples == sensor.samples_notified < rec.n_samples


def test_a_kept_connection_lost_before_the_walk_streams_is_replaced_by_a_new_one(tmp_path: Path) -> None:
    """The sensor left the kept link before the stream began (carried away for a moment): the first session
    connects again, with no reconnect, gap or error to report, and streams the whole walk."""
    rec = walk_recording(6.0)

    async def main():
        radio, sensor, source, _ = await kept(rec, "Wanderer")
        await sensor.drop_links()
        dropped = await links_closed(sensor)
        return dropped, await run_session(radio, sensor, tmp_path, source=source), sensor

    dropped, out, sensor = asyncio.run(main())
    assert dropped == 0
    assert out.error is None and out.source.reconnects == 0 and not out.of("gap")
    assert "reconnecting" not in [m["phase"] for m in out.of("state")]
    assert sensor.connections == 2 and out.state.samples == rec.n_samples


def test_a_kept_connection_that_no_stream_takes_is_closed(tmp_path: Path) -> None:
    """A kept connection is released by aclose() (a walk not started after all), and by a session stopped before
    it began streaming; the sensor is then free for the next central."""
    rec = walk_recording(6.0)

    async def main():
        radio, sensor, source, _ = await kept(rec, "Loose")
        held = sensor.links_open
        await source.aclose()
        after_aclose = await links_closed(sensor)

        stopped_early = source_for(radio, sensor.address)
        await stopped_early.read_protocols(keep=True)
        session = LiveSession(stopped_early, placement="lower_back", journal_dir=tmp_path)
        session.stop()  # stopped before it ran: its stream never started
        await session.run()
        after_session = await links_closed(sensor)

        out = await run_session(radio, sensor, tmp_path, target=sensor.address)
        return held, after_aclose, after_session, out, sensor

    held, after_aclose, after_session, out, sensor = asyncio.run(main())
    assert held == 1 and after_aclose == 0 and after_session == 0
    assert out.error is None and out.state.samples == rec.n_samples  # the sensor was free to stream again
    assert sensor.connections == 3
