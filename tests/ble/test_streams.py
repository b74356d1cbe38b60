"""Stream decoders (pure): host-mapped sample times, loss from counters and timestamps, segments."""

from __future__ import annotations

import numpy as np
import pytest

from ingest.ble import protocols as p
from ingest.ble.clock import ClockMapper
from ingest.ble.errors import BleError
from ingest.ble.streams import ImuStreamDecoder, MicrobitDecoder, PmdAccDecoder

pytestmark = pytest.mark.timeout(60)
ACC = np.tile([0.0, 0.0, 9.81], (5, 1))
S = 1_000_000_000  # ns per s


def imu(seq: int, t0_us: int) -> bytes:
    return p.encode_imu_packet(seq, t0_us, 10_000, ACC)


def fixed_clock() -> ClockMapper:
    return ClockMapper(follow=False)


def test_imu_times_follow_the_sensor_clock() -> None:
    dec = ImuStreamDecoder(t0_ns=0, clock=fixed_clock())
    c1, g1 = dec.feed(2 * S, imu(0, 1_000_000))
    c2, g2 = dec.feed(2 * S + 80_000_000, imu(1, 1_050_000))  # arrives 30 ms late: the time stays the sensor's
    assert g1 is None and g2 is None
    # the first packet's last sample (sensor 1.04 s) arrived at host 2.0 s: offset 0.96 s
    np.testing.assert_allclose(c1.time_s, [1.96, 1.97, 1.98, 1.99, 2.00])
    np.testing.assert_allclose(c2.time_s, [2.01, 2.02, 2.03, 2.04, 2.05])


def test_imu_loss_across_sequence_wrap() -> None:
    dec = ImuStreamDecoder(t0_ns=0, clock=fixed_clock())
    t = 0
    for seq in (65534, 65535, 0):
        _, gap = dec.feed(S + t * 50_000_000, imu(seq, t * 50_000))
        assert gap is None
        t += 1
    t += 2  # packets 1 and 2 are lost
    _, gap = dec.feed(S + t * 50_000_000, imu(3, t * 50_000))
    assert gap is not None and gap.lost_packets == 2 and gap.reason == "lost_packets"
    assert gap.end_s - gap.start_s == pytest.approx(0.11)  # 10 missing samples + one period
    assert dec.lost_packets == 2
    assert dec.feed(S, imu(3, t * 50_000)) == (None, None)  # a duplicate adds nothing


def test_imu_reconnect_gap_from_timestamps_and_restart() -> None:
    dec = ImuStreamDecoder(t0_ns=0, clock=fixed_clock())
    dec.feed(S, imu(7, 0))
    dec.new_segment()
    # firmware that did not count while the link was down: 1 s of samples missing, 20 packets of 5 samples
    chunk, gap = dec.feed(2 * S, imu(8, 1_050_000))
    assert gap is not None and gap.reason == "link_lost" and gap.lost_packets == 20
    dec.new_segment()
    # a rebooted sensor: counter and clock restart at zero; no false loss, times still increase
    chunk, gap = dec.feed(3 * S, imu(0, 0))
    assert gap is not None and gap.reason == "link_lost" and gap.lost_packets == 0
    assert chunk is not None and chunk.time_s[0] > 1.0


def test_imu_clock_resync_after_reboot_with_drift_tracking() -> None:
    dec = ImuStreamDecoder(t0_ns=0, clock=ClockMapper())
    dec.feed(100 * S, imu(500, 90_000_000))  # sensor at 90 s, host at 100 s
    dec.new_segment()
    chunk, _ = dec.feed(101 * S, imu(0, 0))  # rebooted: sensor 0 s, host 101 s
    assert chunk is not None
    assert chunk.time_s[-1] == pytest.approx(101.0)


def test_malformed_imu_packet_raises_for_the_source_to_count() -> None:
    dec = ImuStreamDecoder(t0_ns=0)
    with pytest.raises(BleError):
        dec.feed(S, imu(0, 0)[:-1])


def test_pmd_gap_from_sensor_timestamps() -> None:
    dec = PmdAccDecoder(t0_ns=0, clock=fixed_clock(), sample_rate_hz=100)
    mg = np.tile([0, 0, 1000], (10, 1))
    for k in (0, 1, 3):  # frame 2 is lost
        last_ns = (k * 10 + 9) * 10_000_000
        chunk, gap = dec.feed(S + last_ns, p.encode_pmd_acc_frame(mg, last_ns))
    assert gap is not None and gap.lost_packets == 1
    np.testing.assert_allclose(chunk.time_s, 1.0 + 0.01 * np.arange(30, 40))
    np.testing.assert_allclose(chunk.acc_ms2[:, 2], 1000 * p.MG_TO_MS2)


def test_microbit_counter_and_silence() -> None:
    dec = MicrobitDecoder(t0_ns=0, clock=fixed_clock(), period_s=0.02)
    sample = p.encode_microbit_acc(np.array([0.0, 0.0, 9.81]))
    times = [dec.feed(S + k * 20_000_000 + (k % 3) * 4_000_000, sample)[0].time_s[0] for k in range(10)]
    np.testing.assert_allclose(np.diff(times), 0.02)  # jitter in arrival does not reach the sample times
    chunk, gap = dec.feed(S + 29 * 20_000_000, sample)  # 19 samples never arrived
    assert gap is not None and gap.lost_packets == 19
    assert chunk.time_s[0] == pytest.approx(1.0 + 29 * 0.02)


def test_imu_drift_fitted_over_minutes_across_the_u32_clock_wrap() -> None:
    """A sensor whose crystal runs 120 ppm fast, packets of 5 samples every 50 ms for 8 minutes, radio latency
    5-50 ms, and its u32 microsecond clock wrapping after 3 minutes: sample times stay within a few ms of the truth."""
    rng = np.random.default_rng(1)
    dec = ImuStreamDecoder(t0_ns=0)  # default clock: drift fitted over minutes
    start_us = 2**32 - 180_000_000  # wraps 180 s into the walk
    errors = []
    for k in range(8 * 60 * 20):
        true_first_s = 10.0 + k * 0.05  # host time of the packet's first sample
        sensor_us = round(start_us + k * 50_000 * (1 + 120e-6)) % 2**32
        packet = p.encode_imu_packet(k % 65536, sensor_us, round(10_000 * (1 + 120e-6)), ACC)
        arrival_s = true_first_s + 0.04 + 0.005 + rng.exponential(0.01)
        chunk, gap = dec.feed(round(arrival_s * 1e9), packet)
        assert gap is None
        errors.append(chunk.time_s[0] - true_first_s)
    assert dec.lost_packets == 0
    # the host sees the sample 5 ms (least latency) late on top of the truth; drift would add 58 ms over 8 min
    assert abs(errors[-1] - 0.005) < 0.004
    assert max(abs(e - 0.005) for e in errors[-200:]) < 0.004
