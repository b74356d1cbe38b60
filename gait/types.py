"""Data types of the gait core: recordings, sample chunks and gait events.

All quantities are SI with units in the names: seconds, m/s^2 including gravity (specific force as Android
reports it: at rest the vector points up with a norm of about 9.81), deg/s, metres.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from gait.errors import GaitError


class Placement(StrEnum):
    """Where the sensor is worn or carried."""

    LOWER_BACK = "lower_back"
    WAIST = "waist"
    FOOT = "foot"
    POCKET = "pocket"
    HAND = "hand"
    WRIST = "wrist"
    CHEST = "chest"

    @classmethod
    def parse(cls, value: str | Placement) -> Placement:
        """Return the placement named by ``value``, with a clear error for unknown names."""
        try:
            return cls(str(value).strip().lower().replace("-", "_"))
        except ValueError:
            names = ", ".join(p.value for p in cls)
            raise GaitError(f"unknown placement {value!r}: use one of {names}", reason="unknown_placement") from None


NO_LENGTH_MODEL_PLACEMENTS: tuple[Placement, ...] = (Placement.WRIST, Placement.CHEST)
"""Placements without a stride-length model: cadence only (a foot sensor without a gyroscope gives no lengths
either, but that is the recording's, not the placement's). Nothing of theirs is calibrated or judged."""


@dataclass(frozen=True)
class GpsTrack:
    """Positions from a phone's GPS, used as a speed reference.

    Attributes
    ----------
    time_s
        Sample times on the same axis as the recording's ``time_s``.
    lat_deg, lon_deg
        WGS-84 latitude and longitude in degrees.
    accuracy_m
        Horizontal accuracy in metres, or None when the export has none.
    speed_mps
        Speed reported by the receiver, or None.
    """

    time_s: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    accuracy_m: np.ndarray | None = None
    speed_mps: np.ndarray | None = None


@dataclass(frozen=True)
class Recording:
    """A whole recording from one sensor.

    Attributes
    ----------
    time_s
        Sample times in seconds, shape (n,), any origin, strictly increasing after validation.
    acc_ms2
        Acceleration in m/s^2 including gravity, in the sensor's own frame, shape (n, 3).
    gyr_dps
        Angular rate in deg/s, shape (n, 3), or None when the sensor has no gyroscope.
    placement
        Where the sensor was worn, when known.
    sensor_height_m
        Height of the sensor above the ground (lower back / waist), when known.
    body_height_m
        The walker's height, when known.
    source
        Free-form metadata about where the data came from (format, app version, device, file name).
    gps
        A GPS track on the same time axis, when the export has one.
    """

    time_s: np.ndarray
    acc_ms2: np.ndarray
    gyr_dps: np.ndarray | None = None
    placement: Placement | None = None
    sensor_height_m: float | None = None
    body_height_m: float | None = None
    source: dict[str, Any] = field(default_factory=dict)
    gps: GpsTrack | None = None

    @property
    def duration_s(self) -> float:
        """Time from the first to the last sample."""
        return float(self.time_s[-1] - self.time_s[0]) if len(self.time_s) else 0.0

    @property
    def n_samples(self) -> int:
        """Number of samples."""
        return len(self.time_s)


@dataclass(frozen=True)
class Chunk:
    """A block of consecutive samples, as a live source or a file reader delivers them."""

    time_s: np.ndarray
    acc_ms2: np.ndarray
    gyr_dps: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.time_s)


@dataclass(frozen=True)
class StepEvent:
    """One initial contact (heel strike).

    Attributes
    ----------
    t_s
        Time of the initial contact on the input's time axis.
    side
        ``"left"``, ``"right"`` or None when the side cannot be told.
    """

    t_s: float
    side: str | None = None
    kind: str = field(default="step", init=False)


@dataclass(frozen=True)
class StrideEvent:
    """One stride: from an initial contact to the next initial contact of the same foot.

    Attributes
    ----------
    start_s, end_s
        Times of the two initial contacts that bound the stride.
    length_m
        Stride length (two steps), or None when no model applies.
    cadence_spm
        Cadence over this stride in steps per minute (120 / stride duration).
    speed_mps
        ``length_m / duration_s``, or None.
    confidence
        0..1, how far the length estimate can be trusted (0 when there is none).
    method
        How the length was obtained (``"zupt"``, ``"inverted_pendulum"``, ``"weinberg"``, ``"none"``, ...).
    side
        Foot of the bounding initial contacts, when known.
    """

    start_s: float
    end_s: float
    length_m: float | None
    cadence_spm: float
    speed_mps: float | None
    confidence: float
    method: str
    side: str | None = None
    kind: str = field(default="stride", init=False)

    @property
    def duration_s(self) -> float:
        """Stride duration in seconds."""
        return self.end_s - self.start_s


@dataclass(frozen=True)
class BoutEvent:
    """A walking bout, emitted once it has ended.

    Attributes
    ----------
    start_s, end_s
        First and last initial contact of the bout.
    steps
        Number of initial contacts in the bout.
    one_foot
        True when the contacts are one foot's (a foot sensor): each interval between them is a stride, two steps.
    """

    start_s: float
    end_s: float
    steps: int
    one_foot: bool = False
    kind: str = field(default="bout", init=False)

    @property
    def cadence_spm(self) -> float:
        """Mean cadence over the bout in steps per minute (both feet's steps, also for a foot sensor)."""
        dur = self.end_s - self.start_s
        steps_per_interval = 2.0 if self.one_foot else 1.0
        return 60.0 * steps_per_interval * (self.steps - 1) / dur if dur > 0 else float("nan")


GaitEvent = StepEvent | StrideEvent | BoutEvent
