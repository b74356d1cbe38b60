"""Stateful stream decoders: notifications (bytes + arrival time) in, host-timed chunks and gaps out. No I/O.

One decoder per protocol. Each keeps its state explicitly (sequence tracker, clock mapper, last sample time) and
turns one notification into at most one :class:`~gait.types.Chunk` and at most one :class:`Gap`:

- sample times come from the sensor's timestamps (IMU stream, Polar) or its sample counter (micro:bit), mapped to
  the host clock by a :class:`~ingest.ble.clock.ClockMapper` fitted over minutes;
- lost packets come from the sequence counter (IMU stream, with wrap-around) or from holes in the sensor's own time
  (Polar, micro:bit); each hole is reported once as a gap;
- :meth:`new_segment` is called after a reconnect: counters may restart, so the next packet starts a new segment and
  the hole since the last sample is reported as a gap with reason ``"link_lost"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gait.types import Chunk
from ingest.ble import protocols as p
from ingest.ble.clock import ClockMapper, SequenceTracker, Unwrapper

MAX_PLAUSIBLE_LOSS = 3000
"""More packets than this lost across a reconnect (minutes of data) means the sensor restarted its counter."""
RESYNC_S = 2.0
"""When mapped sensor time and arrival time disagree by more than this, the sensor's clock restarted: resync."""


@dataclass(frozen=True)
class Gap:
    """A hole in the stream.

    Attributes
    ----------
    start_s, end_s
        Last sample before and first sample after the hole, on the host time axis.
    lost_packets
        Packets lost (from the sequence counter, or estimated from the hole for sensors without one).
    reason
        ``"lost_packets"`` (radio loss with the link up) or ``"link_lost"`` (a reconnect).
    """

    start_s: float
    end_s: float
    lost_packets: int
    reason: str

    def to_dict(self) -> dict[str, object]:
        """Message form (``type`` = ``"gap"``)."""
        return {
            "type": "gap",
            "start_s": self.start_s,
            "end_s": self.end_s,
            "lost_packets": self.lost_packets,
            "reason": self.reason,
        }


@dataclass
class _Base:
    """Clock mapping, segment bookkeeping and gap reporting shared by every decoder."""

    t0_ns: int
    """Host time origin (``time.monotonic_ns()`` at the start of the source): chunk times are seconds since it."""
    clock: ClockMapper = field(default_factory=ClockMapper)
    lost_packets: int = 0
    packets: int = 0
    bad_packets: int = 0
    _last_sample_s: float | None = field(default=None, init=False)
    _segment_start: bool = field(default=False, init=False)
    _segment_start_lost: int = field(default=0, init=False)

    def host_s(self, arrival_ns: int) -> float:
        """Arrival time on the source's time axis."""
        return (arrival_ns - self.t0_ns) / 1e9

    def new_segment(self) -> None:
        """The link dropped and came back: the next packet starts a new segment."""
        self._segment_start = True

    def _map(self, sensor_s: np.ndarray, arrival_s: float) -> np.ndarray:
        self.clock.observe(float(sensor_s[-1]), arrival_s)
        times = self.clock.to_host(sensor_s)
        # the sensor's clock restarted (reboot) or jumped: start the mapping afresh
        if self.clock.follow and abs(times[-1] - arrival_s) > RESYNC_S:
            self.clock.reset()
            self.clock.observe(float(sensor_s[-1]), arrival_s)
            times = self.clock.to_host(sensor_s)
        return times

    def _emit(
        self, times: np.ndarray, acc: np.ndarray, gyr: np.ndarray | None, lost: int
    ) -> tuple[Chunk | None, Gap | None]:
        gap = None
        if self._last_sample_s is not None and (lost > 0 or self._segment_start):
            reason = "link_lost" if self._segment_start else "lost_packets"
            gap = Gap(self._last_sample_s, float(times[0]), lost, reason)
        self._segment_start = False
        if self._last_sample_s is not None:
            keep = times > self._last_sample_s
            if not keep.all():  # a resync may overlap the previous segment by a few samples
                times, acc = times[keep], acc[keep]
                gyr = None if gyr is None else gyr[keep]
        if len(times) == 0:
            return None, gap
        self._last_sample_s = float(times[-1])
        return Chunk(times, acc, gyr), gap


@dataclass
class ImuStreamDecoder(_Base):
    """IMU stream packets (sequence counter, u32 microsecond timestamps)."""

    _seq: SequenceTracker = field(default_factory=SequenceTracker, init=False)
    _time: Unwrapper = field(default_factory=lambda: Unwrapper(p.IMU_TIME_MODULO_US), init=False)
    _next_sensor_s: float | None = field(default=None, init=False)

    def feed(self, arrival_ns: int, data: bytes) -> tuple[Chunk | None, Gap | None]:
        """Decode one notification (raises :class:`~ingest.ble.errors.BleError` for a malformed one)."""
        packet = p.decode_imu_packet(data)
        if self._segment_start:
            # after a reconnect the counter normally continues (its jump counts the packets lost while the link was
            # down); a counter that went backwards or leapt means the firmware restarted: start counting afresh
            before = self._seq.lost_packets
            lost = self._seq.update(packet.seq)
            if lost < 0 or lost > MAX_PLAUSIBLE_LOSS:
                self._seq.lost_packets = before
                self._seq.reset()
                self._time.reset()
                self._next_sensor_s = None
                self.clock.reset()  # its clock restarted too
                lost = self._seq.update(packet.seq)
        else:
            lost = self._seq.update(packet.seq)
        if lost < 0:  # duplicate or late packet: its samples are already in
            return None, None
        self.packets += 1
        t0_s = self._time.unwrap(packet.t0_us) / 1e6
        period_s = packet.period_us / 1e6
        sensor_s = t0_s + np.arange(len(packet)) * period_s
        if lost == 0 and self._next_sensor_s is not None:
            # firmware that stops counting while the link is down still shows the hole in its timestamps
            missing = round((t0_s - self._next_sensor_s) / period_s)
            if missing > 0:
                lost = -(-missing // len(packet))
        self._next_sensor_s = float(sensor_s[-1]) + period_s
        self.lost_packets += lost
        times = self._map(sensor_s, self.host_s(arrival_ns))
        return self._emit(times, packet.acc_ms2, packet.gyr_dps, lost)


@dataclass
class PmdAccDecoder(_Base):
    """Polar PMD ACC frames (timestamp of the last sample in ns, no packet counter)."""

    sample_rate_hz: float = 100.0
    factor: float | None = None
    """The start response's scale factor (None: none announced; see :func:`ingest.ble.protocols.decode_pmd_frame`)."""
    _last_ts_s: float | None = field(default=None, init=False)
    _per_frame: int = field(default=0, init=False)

    def feed(self, arrival_ns: int, data: bytes) -> tuple[Chunk | None, Gap | None]:
        """Decode one notification."""
        frame = p.decode_pmd_frame(data, factor=self.factor)
        n = len(frame.samples)
        dt = 1.0 / self.sample_rate_hz
        last_s = frame.timestamp_ns / 1e9
        sensor_s = last_s - dt * np.arange(n - 1, -1, -1)
        lost = 0
        if self._last_ts_s is not None:
            missing = round((sensor_s[0] - self._last_ts_s) / dt) - 1
            if missing > 0:  # no counter: estimate packets from the hole in the sensor's own time
                lost = max(1, round(missing / max(self._per_frame, 1)))
        self._last_ts_s = last_s
        self._per_frame = n
        self.packets += 1
        self.lost_packets += lost
        times = self._map(sensor_s, self.host_s(arrival_ns))
        return self._emit(times, frame.acc_ms2, None, lost)


@dataclass
class MicrobitDecoder(_Base):
    """micro:bit accelerometer notifications: one sample each, no timestamp, a known period."""

    period_s: float = 0.02
    _k: int = field(default=0, init=False)

    def feed(self, arrival_ns: int, data: bytes) -> tuple[Chunk | None, Gap | None]:
        """Decode one notification."""
        acc = p.decode_microbit_acc(data).reshape(1, 3)
        arrival_s = self.host_s(arrival_ns)
        lost = 0
        if self.clock.offset_s is not None:
            late_s = arrival_s - float(self.clock.to_host(self._k * self.period_s))
            # radio latency jitters by a few connection intervals; only a clearly longer silence (or a reconnect)
            # is loss: one notification per sample, so the samples missing are the packets lost
            if late_s > max(5 * self.period_s, 0.2) or self._segment_start:
                lost = max(0, round(late_s / self.period_s))
                self._k += lost
        self.packets += 1
        self.lost_packets += lost
        times = self._map(np.array([self._k * self.period_s]), arrival_s)
        self._k += 1
        return self._emit(times, acc, None, lost)


__all__ = ["Gap", "ImuStreamDecoder", "MicrobitDecoder", "PmdAccDecoder"]
