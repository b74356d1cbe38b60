"""The whole path over the virtual radio: scan, connect, subscribe, decode, track, events; and every fault."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import numpy as np
import pytest
from bleak import BleakClient

from ingest.ble import protocols as p
from ingest.ble.errors import BleError
from ingest.ble.sources import choose_protocol, find_sensor, scan
from ingest.ble.virtual import SensorFaults, VirtualRadio, VirtualSensor
from service.live import load_journal
from tests.ble.conftest import STEP_HZ, run_session, source_for, walk_recording

pytestmark = pytest.mark.timeout(60)
CADENCE_SPM = 60 * STEP_HZ


def test_scan_lists_sensors_with_protocols_and_rssi() -> None:
    async def main() -> list:
        radio = VirtualRadio()
        rec = walk_recording(3.0)
        await radio.add_sensor(VirtualSensor(rec, protocol="imu", name="GaitIMU", rssi_dbm=-70))
        await radio.add_sensor(VirtualSensor(rec, protocol="pmd", name="Polar H10 A1", rssi_dbm=-40))
        await radio.add_sensor(VirtualSensor(rec, protocol="microbit", name="BBC micro:bit", rssi_dbm=-80))
        await radio.add_sensor(VirtualSensor(rec, protocol="rsc", name="FootPod", rssi_dbm=-55))
        found = await scan(timeout_s=0.5, backend=radio.scanner_backend)
        await radio.close()
        return found

    found = asyncio.run(main())
    assert [(s.name, s.protocols, s.rssi_dbm) for s in found] == [
        ("Polar H10 A1", ("pmd",), -40),
        ("FootPod", ("rsc",), -55),
        ("GaitIMU", ("imu",), -70),
        ("BBC micro:bit", ("microbit",), -80),
    ]
    assert "Polar PMD" in found[0].supports


def test_an_address_finds_the_sensor_with_what_it_advertises_as_a_scan_lists_it() -> None:
    """QA finding: an address (a sensor picked from the scan list) was looked up without its advertisement, so it
    offered nothing and was taken for a foot pod; by name it offered its IMU stream."""

    async def main() -> tuple[list, list, list]:
        radio = VirtualRadio()
        rec = walk_recording(3.0)
        await radio.add_sensor(VirtualSensor(rec, protocol="imu", name="GaitIMU", rssi_dbm=-70))
        await radio.add_sensor(VirtualSensor(rec, protocol="imu", name="Shoe", with_rsc=True, rssi_dbm=-50))
        await radio.add_sensor(VirtualSensor(rec, protocol="pmd", name="Polar H10 A1", rssi_dbm=-40))
        await radio.add_sensor(VirtualSensor(rec, protocol="rsc", name="FootPod", rssi_dbm=-55))
        scanned = await scan(timeout_s=0.5, backend=radio.scanner_backend)
        by_address = [await find_sensor(s.address, timeout_s=0.5, backend=radio.scanner_backend) for s in scanned]
        by_name = [await find_sensor(s.name, timeout_s=0.5, backend=radio.scanner_backend) for s in scanned]
        await radio.close()
        return scanned, by_address, by_name

    scanned, by_address, by_name = asyncio.run(main())
    assert [(s.name, s.protocols) for s in scanned] == [
        ("Polar H10 A1", ("pmd",)),
        ("Shoe", ("imu", "rsc")),
        ("FootPod", ("rsc",)),
        ("GaitIMU", ("imu",)),
    ]
    for found in (by_address, by_name):
        assert [(s.address, s.name, s.protocols, s.rssi_dbm) for s in found] == [
            (s.address, s.name, s.protocols, s.rssi_dbm) for s in scanned
        ]
        assert all(s.device is not None for s in found)


def test_the_gatt_services_say_what_a_sensor_streams_when_its_advertisement_does_not() -> None:
    """A micro:bit its owner renamed advertises no service and no name we know; connected, its GATT server offers
    the accelerometer service, and that protocol is chosen (by address and by name alike)."""

    async def main() -> tuple[tuple, list[tuple[str, ...]], int]:
        radio = VirtualRadio()
        board = await radio.add_sensor(VirtualSensor(walk_recording(3.0), protocol="microbit", name="Anna's board"))
        advertised = (await find_sensor(board.address, timeout_s=0.5, backend=radio.scanner_backend)).protocols
        read = [await source_for(radio, target).read_protocols() for target in (board.address, board.name)]
        await radio.close()
        return advertised, read, board.connections

    advertised, read, connections = asyncio.run(main())
    assert advertised == ()
    assert read == [("microbit",), ("microbit",)] and connections == 2
    assert choose_protocol(read[0], None, sensor="Anna's board") == "microbit"
    assert choose_protocol(("imu", "rsc"), None, sensor="x") == "imu"
    assert choose_protocol(("rsc",), None, sensor="x") == "rsc"
    with pytest.raises(BleError, match="does not offer the imu service") as info:
        choose_protocol(("rsc",), "imu", sensor="FootPod")
    assert info.value.reason == "unsupported_sensor"
    with pytest.raises(BleError, match="offers no service we can read"):
        choose_protocol((), None, sensor="Anna's board")


@pytest.mark.parametrize(
    ("protocol", "speed"), [("imu", 10.0), ("pmd", 10.0), ("pmd_compressed", 10.0), ("microbit", 4.0)]
)
def test_whole_path_per_protocol(protocol: str, speed: float, tmp_path: Path) -> None:
    rec = walk_recording(10.0 if protocol != "microbit" else 6.0)

    async def main():
        radio = VirtualRadio()
        sensor = await radio.add_sensor(VirtualSensor(rec, protocol=protocol, name="Sensor", speed=speed))
        return await run_session(radio, sensor, tmp_path), sensor

    out, _ = asyncio.run(main())
    assert out.error is None
    assert out.source.protocol == protocol.removesuffix("_compressed")
    assert out.state.samples == rec.n_samples  # every sample arrived once
    assert out.state.lost_packets == 0 and out.state.gaps == 0
    strides = out.of("stride")
    assert len(strides) >= 6
    assert np.median([s["cadence_spm"] for s in strides]) == pytest.approx(CADENCE_SPM, rel=0.03)
    # sample times follow the sensor's clock: the spacing is the recording's 10 ms
    journal = load_journal(out.session.journal_path)
    assert len(journal.time_s) == rec.n_samples
    np.testing.assert_allclose(np.diff(journal.time_s), 0.01, atol=1e-5)
    np.testing.assert_allclose(journal.acc_ms2, rec.acc_ms2, atol=0.01)  # quantised to the sensor's resolution


def test_a_stream_task_that_starts_late_still_sends_the_whole_recording(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On a busy host the sensor's stream task runs some time after the start command: the replay must start with
    # the stream, or the samples "sensed" in between are never sent (seen as 1196 of 1200 samples under load).
    original = VirtualSensor._stream

    async def late(self: VirtualSensor, connection: object) -> None:
        time.sleep(0.1)  # the event loop is busy elsewhere: 1 s of signal at 10x
        await original(self, connection)

    monkeypatch.setattr(VirtualSensor, "_stream", late)
    rec = walk_recording(6.0)

    async def main():
        radio = VirtualRadio()
        sensor = await radio.add_sensor(VirtualSensor(rec, protocol="pmd_compressed", name="Sensor", speed=10.0))
        return await run_session(radio, sensor, tmp_path)

    out = asyncio.run(main())
    assert out.error is None
    assert out.state.samples == rec.n_samples


def test_imu_with_gyro_and_rsc_beside(tmp_path: Path) -> None:
    rec = walk_recording(10.0, gyro=True)

    async def main():
        radio = VirtualRadio()
        sensor = await radio.add_sensor(VirtualSensor(rec, protocol="imu", name="Pod+", speed=10, with_rsc=True))
        return await run_session(radio, sensor, tmp_path), sensor

    out, _ = asyncio.run(main())
    assert out.error is None
    journal = load_journal(out.session.journal_path)
    assert journal.gyr_dps is not None
    np.testing.assert_allclose(journal.gyr_dps, rec.gyr_dps, atol=0.04)  # 61 mdps per LSB
    pods = out.of("pod")
    assert len(pods) >= 5
    walking = [m for m in pods if m["cadence_spm"] > 0]
    assert walking and all(m["cadence_spm"] == pytest.approx(CADENCE_SPM, abs=3) for m in walking[1:-1])
    # the pod's own stride length is shown beside ours once it has sent one
    assert any(s["pod_stride_length_m"] is not None for s in out.of("stride"))


def test_rsc_only_pod_gives_aggregates(tmp_path: Path) -> None:
    rec = walk_recording(8.0)

    async def main():
        radio = VirtualRadio()
        sensor = await radio.add_sensor(VirtualSensor(rec, protocol="rsc", name="FootPod", speed=8))
        out = await run_session(radio, sensor, tmp_path)
        return out, sensor

    out, _ = asyncio.run(main())
    assert out.error is None and out.source.protocol == "rsc"
    pods = out.of("pod")
    assert len(pods) >= 2
    for m in pods:  # decoded values are what the pod sent, to the RSC resolution
        assert m["speed_mps"] >= 0 and m["total_distance_m"] >= 0
    assert out.state.samples == 0 and out.of("stride") == []


def test_dropped_packets_are_counted_and_marked(tmp_path: Path) -> None:
    rec = walk_recording(10.0)

    async def main():
        radio = VirtualRadio()
        sensor = await radio.add_sensor(
            VirtualSensor(rec, protocol="imu", name="Lossy", speed=10, faults=SensorFaults(drop_every=7))
        )
        return await run_session(radio, sensor, tmp_path), sensor

    out, sensor = asyncio.run(main())
    assert out.error is None
    assert sensor.packets_dropped > 5
    # A packet dropped after the last one that arrived leaves no later sequence number to reveal it: when the
    # replay happens to end on a drop, one loss is undetectable (drop_every=7 never drops two in a row).
    undetectable = sensor.packets_dropped - out.state.lost_packets
    assert undetectable in (0, 1)
    gaps = out.of("gap")
    assert len(gaps) == out.state.lost_packets and all(g["reason"] == "lost_packets" for g in gaps)
    assert all(g["end_s"] > g["start_s"] for g in gaps)
    assert out.state.samples < rec.n_samples
    assert np.median([s["cadence_spm"] for s in out.of("stride")]) == pytest.approx(CADENCE_SPM, rel=0.03)


def test_sequence_counter_wraps_without_false_loss(tmp_path: Path) -> None:
    rec = walk_recording(6.0)

    async def main():
        radio = VirtualRadio()
        sensor = VirtualSensor(rec, protocol="imu", name="Wrap", speed=10)
        sensor._seq = 65535 - 20  # the firmware has been running for a while: the counter wraps mid-walk
        await radio.add_sensor(sensor)
        return await run_session(radio, sensor, tmp_path), sensor

    out, sensor = asyncio.run(main())
    assert sensor.packets_sent > 40
    assert out.state.lost_packets == 0 and out.state.samples == rec.n_samples


@pytest.mark.parametrize("protocol", ["imu", "pmd"])
def test_link_drop_reconnects_resubscribes_and_continues(protocol: str, tmp_path: Path) -> None:
    rec = walk_recording(16.0)

    async def main():
        radio = VirtualRadio()
        faults = SensorFaults(drop_link_after_s=6.0, link_down_s=0.2)
        sensor = await radio.add_sensor(VirtualSensor(rec, protocol=protocol, name="Flaky", speed=10, faults=faults))
        return await run_session(radio, sensor, tmp_path), sensor

    out, sensor = asyncio.run(main())
    assert out.error is None
    assert out.source.reconnects == 1 and sensor.connections == 2
    phases = [m["phase"] for m in out.of("state")]
    assert "reconnecting" in phases and phases.index("reconnecting") < len(phases) - 2
    assert phases[phases.index("reconnecting") + 1] == "streaming"
    (gap,) = out.of("gap")
    assert gap["reason"] == "link_lost" and gap["lost_packets"] > 0
    # the walk continues after the gap: strides end after it, on the same time axis
    strides = out.of("stride")
    assert any(s["start_s"] > gap["end_s"] for s in strides)
    assert any(s["end_s"] < gap["start_s"] for s in strides)
    assert out.state.samples < rec.n_samples  # what the sensor sampled while the link was down is lost


def test_never_sending_sensor_times_out_with_a_message(tmp_path: Path) -> None:
    async def main():
        radio = VirtualRadio()
        sensor = await radio.add_sensor(
            VirtualSensor(walk_recording(4.0), protocol="imu", name="Mute", faults=SensorFaults(never_send=True))
        )
        return await run_session(radio, sensor, tmp_path, first_data_timeout_s=0.5)

    out = asyncio.run(main())
    assert isinstance(out.error, BleError) and out.error.reason == "no_data"
    assert "sent no data" in str(out.error)
    assert out.state.phase == "ended" and out.state.error == str(out.error)


def test_sensor_vanishing_mid_connect_fails_cleanly(tmp_path: Path) -> None:
    async def main():
        radio = VirtualRadio()
        sensor = await radio.add_sensor(
            VirtualSensor(
                walk_recording(4.0), protocol="imu", name="Ghost", faults=SensorFaults(vanish_on_connect=True)
            )
        )
        return await run_session(radio, sensor, tmp_path, connect_timeout_s=0.3)

    out = asyncio.run(main())
    assert isinstance(out.error, BleError) and out.error.reason == "connect_failed"
    assert "Ghost" in str(out.error)


def test_duplicate_names_are_refused_but_addresses_work(tmp_path: Path) -> None:
    rec = walk_recording(6.0)

    async def main():
        radio = VirtualRadio()
        a = await radio.add_sensor(VirtualSensor(rec, protocol="imu", name="Twin", speed=10))
        b = await radio.add_sensor(VirtualSensor(rec, protocol="imu", name="Twin", speed=10))
        with pytest.raises(BleError) as info:
            await find_sensor("Twin", timeout_s=0.5, backend=radio.scanner_backend)
        assert info.value.reason == "ambiguous_name"
        assert a.address in str(info.value) and b.address in str(info.value)
        out = await run_session(radio, b, tmp_path, target=b.address)
        return out, a, b

    out, a, b = asyncio.run(main())
    assert out.error is None and out.state.samples == rec.n_samples
    assert (a.connections, b.connections) == (0, 1)


def test_unknown_sensor_is_a_clear_error() -> None:
    async def main() -> None:
        radio = VirtualRadio()
        await radio.add_sensor(VirtualSensor(walk_recording(3.0), protocol="imu", name="Here"))
        for target in ("Nowhere", "AA:BB:CC:DD:EE:FF"):
            source = source_for(radio, target, scan_timeout_s=0.3)
            with pytest.raises(BleError) as info:
                await anext(aiter(source))
            assert info.value.reason == "not_found"
            assert "Here" in str(info.value)  # says what it did see
        # bleak's own API against an absent address times out instead of hanging, and the radio stays usable
        with pytest.raises(TimeoutError):
            async with BleakClient("AA:BB:CC:DD:EE:FF", backend=radio.client_backend, timeout=0.3):
                pass
        async with BleakClient(radio.sensors[0].address, backend=radio.client_backend, timeout=1.0) as client:
            assert client.mtu_size == 247
            assert client.services.get_service(p.IMU_SERVICE_UUID) is not None
        await radio.close()

    asyncio.run(main())


def test_journal_keeps_every_sample_when_the_sensor_dies(tmp_path: Path) -> None:
    rec = walk_recording(20.0)

    async def main():
        radio = VirtualRadio()
        sensor = await radio.add_sensor(VirtualSensor(rec, protocol="imu", name="Dying", speed=10))
        loop = asyncio.get_running_loop()
        loop.call_later(1.0, lambda: asyncio.ensure_future(sensor.power_off()))
        return await run_session(radio, sensor, tmp_path, reconnect_window_s=0.5, connect_timeout_s=0.2)

    out = asyncio.run(main())
    assert isinstance(out.error, BleError) and out.error.reason == "link_lost"
    assert 0 < out.state.samples < rec.n_samples
    journal = load_journal(out.session.journal_path)
    assert len(journal.time_s) == out.state.samples
    np.testing.assert_allclose(journal.acc_ms2, rec.acc_ms2[: out.state.samples], atol=0.01)


def test_short_mtu_cuts_polar_delta_frames(tmp_path: Path) -> None:
    """Bumble's pitfall: without an MTU exchange notifications are cut to 20 bytes; the cut frames are counted."""

    async def main():
        radio = VirtualRadio(central_mtu=23)
        sensor = await radio.add_sensor(
            VirtualSensor(walk_recording(30.0), protocol="pmd_compressed", name="Cut", speed=4)
        )
        return await run_session(radio, sensor, tmp_path, first_data_timeout_s=0.5)

    out = asyncio.run(main())
    assert isinstance(out.error, BleError) and out.error.reason == "malformed_packet"
    assert "MTU 23" in str(out.error)
    assert out.source.bad_packets > 0


def test_real_time_path_maps_a_drifting_clock_without_losing_samples(tmp_path: Path) -> None:
    """The default path for real sensors: real-time replay, sensor clock 300 ppm fast, host-clock mapping on."""
    rec = walk_recording(0.5)  # 2.5 s

    async def main():
        radio = VirtualRadio()
        faults = SensorFaults(clock_drift_ppm=300.0)
        sensor = await radio.add_sensor(VirtualSensor(rec, protocol="imu", name="Drifty", faults=faults))
        return await run_session(radio, sensor, tmp_path, clock_sync=True)

    out = asyncio.run(main())
    assert out.error is None
    assert out.state.samples == rec.n_samples and out.state.dropped_samples == 0
    journal = load_journal(out.session.journal_path)
    spacing = np.diff(journal.time_s)
    # the sensor's own spacing (10 ms + 300 ppm, journaled to the microsecond) ...
    assert np.median(spacing) == pytest.approx(0.010003, abs=1.5e-6)
    # ... bent at packet boundaries by at most 2 % of a packet while the offset settles: never backwards, no gap
    assert spacing.min() > 0.008 and spacing.max() < 0.012


def test_virtual_pod_odometer_never_steps_back_over_a_walk_with_pauses() -> None:
    """The demo sample stops and starts: a standing pod reports 0 steps/min but keeps its whole odometer."""
    from service.demo import find_sample, sample_recording

    rec = sample_recording(find_sample(Path(__file__).parents[2] / "sample_recordings", None))
    sensor = VirtualSensor(rec, protocol="rsc", name="FootPod")
    times_s = np.arange(0.0, rec.duration_s, 0.5)
    reports = [sensor.rsc_at(t) for t in times_s]
    totals_m = np.array([m.total_distance_m for m in reports])
    standing = np.array([m.cadence_spm == 0 for m in reports])
    assert standing.any() and (~standing).any()  # the sample has pauses and walking
    assert np.all(np.diff(totals_m) >= 0)
    # while standing the total already holds the last stride: it grows only while the pod reports walking
    grew = np.flatnonzero(np.diff(totals_m) > 0) + 1
    assert not standing[grew].any()
