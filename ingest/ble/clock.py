"""Sensor clocks and sequence counters: pure state objects, no I/O (tested without hardware).

A BLE notification carries no arrival time of its own and a sensor's crystal drifts (tens of ppm), so sample times
come from the sensor's own timestamps or counters, mapped to the host clock by a line fitted over minutes:
``host_s = offset_s + slope * sensor_s``. The slope (drift) is a least-squares fit over a long window; the offset is
the lower envelope (the packet that arrived with the least delay), because radio latency only ever adds delay.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

REFIT_EVERY_S = 5.0
"""Sensor time between two drift fits."""


@dataclass
class ClockMapper:
    """Map sensor time to host time with a drift fitted over minutes.

    Parameters
    ----------
    window_s
        Span of sensor time kept for the fit (minutes, so that radio jitter averages out).
    min_fit_span_s
        Below this span of data the slope stays 1 (no drift is fitted from seconds of data).
    max_drift_ppm
        The fitted drift is clipped to +-this; cheap crystals stay within about 100 ppm.
    follow
        When False the offset is fixed by the first packet and no drift is fitted: sensor time is used as it is
        (for replays faster than real time, where the "drift" is the replay speed).
    max_slew
        The applied offset moves towards the estimate by at most this many seconds per second of sensor time
        (NTP-style slewing): a packet that arrives with less delay than all before it, or a new drift fit, then
        bends the time axis gently instead of stepping it back, so consecutive packets never overlap in time.
    """

    window_s: float = 300.0
    min_fit_span_s: float = 60.0
    max_drift_ppm: float = 500.0
    follow: bool = True
    max_slew: float = 0.02
    _points: deque[tuple[float, float]] = field(default_factory=deque, init=False, repr=False)
    slope: float = field(default=1.0, init=False)
    offset_s: float | None = field(default=None, init=False)
    """The offset in use (slewed towards ``target_offset_s``)."""
    target_offset_s: float | None = field(default=None, init=False)
    """Lower envelope of arrival minus mapped sensor time: the best estimate of the offset."""
    _last_fit_sensor_s: float = field(default=float("-inf"), init=False, repr=False)
    _last_sensor_s: float | None = field(default=None, init=False, repr=False)

    def observe(self, sensor_s: float, host_s: float) -> None:
        """Record that a packet stamped ``sensor_s`` by the sensor arrived at ``host_s`` on the host."""
        if not self.follow:
            if self.offset_s is None:
                self.offset_s = self.target_offset_s = host_s - sensor_s
            return
        self._points.append((sensor_s, host_s))
        while self._points and sensor_s - self._points[0][0] > self.window_s:
            self._points.popleft()
        candidate = host_s - self.slope * sensor_s
        if self.target_offset_s is None or candidate < self.target_offset_s:
            self.target_offset_s = candidate
        # refitting on every packet would cost O(window) each time; drift changes over minutes, so every few
        # seconds of sensor time is plenty
        if sensor_s - self._last_fit_sensor_s >= REFIT_EVERY_S:
            self._last_fit_sensor_s = sensor_s
            old_slope = self.slope
            self._refit()
            if self.offset_s is not None:  # keep the mapping continuous at "now" when the slope changes
                self.offset_s += (old_slope - self.slope) * sensor_s
        assert self.target_offset_s is not None
        if self.offset_s is None or self._last_sensor_s is None:
            self.offset_s = self.target_offset_s
        else:
            step = self.max_slew * max(0.0, sensor_s - self._last_sensor_s)
            self.offset_s += float(np.clip(self.target_offset_s - self.offset_s, -step, step))
        self._last_sensor_s = sensor_s

    def _refit(self) -> None:
        pts = np.asarray(self._points)
        span = pts[-1, 0] - pts[0, 0]
        if span < self.min_fit_span_s:
            return
        sensor, host = pts[:, 0], pts[:, 1]
        slope = float(np.polyfit(sensor - sensor[0], host - host[0], 1)[0])
        limit = self.max_drift_ppm * 1e-6
        self.slope = float(np.clip(slope, 1.0 - limit, 1.0 + limit))
        self.target_offset_s = float(np.min(host - self.slope * sensor))

    def to_host(self, sensor_s: np.ndarray | float) -> np.ndarray:
        """Host times of sensor times (call :meth:`observe` first)."""
        if self.offset_s is None:
            raise ValueError("ClockMapper.to_host called before any observation")
        return self.offset_s + self.slope * np.asarray(sensor_s, dtype=float)

    def reset(self) -> None:
        """Forget everything (a reconnect may restart the sensor's clock)."""
        self._points.clear()
        self.slope = 1.0
        self.offset_s = None
        self.target_offset_s = None
        self._last_fit_sensor_s = float("-inf")
        self._last_sensor_s = None


@dataclass
class Unwrapper:
    """Unwrap a counter that wraps at ``modulo`` (u16 sequence numbers, u32 microsecond clocks).

    A step backwards of more than half the range is taken as a wrap; a smaller one as a late or repeated value.
    """

    modulo: int
    _last_raw: int | None = field(default=None, init=False)
    _base: int = field(default=0, init=False)

    def unwrap(self, raw: int) -> int:
        """Return the monotonic value of ``raw``."""
        if self._last_raw is None:
            self._last_raw = raw
            return raw
        diff = (raw - self._last_raw) % self.modulo
        if diff < self.modulo // 2:  # forwards (possibly across the wrap)
            if raw < self._last_raw:
                self._base += self.modulo
            self._last_raw = raw
            return self._base + raw
        # backwards by less than half the range: a late or repeated value, placed before the last one
        value = self._base + raw
        return value - self.modulo if raw > self._last_raw else value

    def reset(self) -> None:
        """Forget the history (a new segment after a reconnect)."""
        self._last_raw = None
        self._base = 0


@dataclass
class SequenceTracker:
    """Count lost packets from a wrapping sequence counter.

    ``update(seq)`` returns how many packets were lost just before this one (0 when in order), or -1 for a
    duplicate or late packet that must be dropped.
    """

    modulo: int = 1 << 16
    lost_packets: int = field(default=0, init=False)
    duplicates: int = field(default=0, init=False)
    _unwrapper: Unwrapper = field(init=False, repr=False)
    _last: int | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self._unwrapper = Unwrapper(self.modulo)

    def update(self, seq: int) -> int:
        """Advance with the next received sequence number; see the class docstring for the result."""
        value = self._unwrapper.unwrap(seq)
        if self._last is not None and value <= self._last:
            self.duplicates += 1
            return -1
        lost = 0 if self._last is None else value - self._last - 1
        self._last = value
        self.lost_packets += lost
        return lost

    def reset(self) -> None:
        """Start a new segment (after a reconnect the sensor may restart its counter); totals are kept."""
        self._unwrapper.reset()
        self._last = None
