"""Boundary checks on sample arrays: one place that says what is wrong with input and what to do."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

import numpy as np

from gait.consts import GRAVITY_MS2, MIN_SAMPLING_RATE_HZ
from gait.errors import GaitError

MAX_PLAUSIBLE_RATE_HZ: Final = 1000.0
"""Fastest rate an accelerometer used for gait logs at (phones reach 500 Hz, lab IMUs 1 kHz); a time column
whose steps, read in a smaller unit, give a rate between :data:`~gait.consts.MIN_SAMPLING_RATE_HZ` and this is
taken to be in that unit."""

RATE_JITTER_TOLERANCE: Final = 0.03
"""Share below :data:`~gait.consts.MIN_SAMPLING_RATE_HZ` that a rate may fall and still be that nominal rate: a
logger set to 20 Hz whose clock jitters delivers steps a little over 50 ms (a real Sensor Logger export: median gap
0.0503 s, 19.9 Hz, although 560 samples over 27.9 s are 20.04 Hz), while a real 18 Hz logger is 10 % below."""

MIN_ACCEPTED_RATE_HZ: Final = MIN_SAMPLING_RATE_HZ * (1.0 - RATE_JITTER_TOLERANCE)
"""Slowest median sampling rate accepted: a nominal 20 Hz with clock jitter (see :data:`RATE_JITTER_TOLERANCE`)."""

GRAVITY_SHARE_MIN: Final = 0.8
"""Least ratio of the mean acceleration vector's magnitude (over about a second) to the median instantaneous
magnitude for gravity to be present. With gravity the mean is about gravity itself, which dominates the
instantaneous magnitude too: the ratio is 0.93-1.37 on all 282 benchmark recordings (trunk, phones in hand, pocket
and bag, foot sensors). Without gravity the mean is only what does not average out within a second (the sensor's
bias; where a constant was subtracted, the sensor's slow tilting), and the ratio is about 0.6 or less whatever
the unit."""

GRAVITY_BOUNDS_MS2: Final = (8.0, 16.0)
"""Plausible magnitude of the one-second mean acceleration vector of a worn sensor, in m/s^2. Gravity is
9.81 m/s^2 everywhere on Earth (within 0.3 %); a trunk or phone sensor's mean differs from it by its calibration
offset and by turning within the second (9.1-10.2 on the benchmark's 164 trunk and phone recordings). A foot
sensor's swing adds centripetal acceleration along the shank that does not average out (10.2-14.3 on its 118
foot recordings). Divided by 9.81 and by 0.00981 the same bounds recognise g (0.82-1.63) and milli-g (816-1632);
the three ranges do not overlap, and a mean under 0.82 in any unit is no gravity."""

UNIT_SCALES: Final = (("g", GRAVITY_MS2), ("milli-g", GRAVITY_MS2 / 1000.0))
"""Units that acceleration declared as m/s^2 is checked against, with their factor to m/s^2."""


def gravity_unit(gravity: float) -> str | None:
    """The acceleration unit in which a one-second mean magnitude ``gravity`` is gravity (:data:`GRAVITY_BOUNDS_MS2`):
    ``"m/s^2"``, ``"g"`` or ``"milli-g"``; None when it fits none (gravity removed, or no known unit).

    Examples
    --------
    >>> gravity_unit(9.8), gravity_unit(1.0), gravity_unit(1002.0), gravity_unit(0.05)
    ('m/s^2', 'g', 'milli-g', None)
    """
    low, high = GRAVITY_BOUNDS_MS2
    for unit, scale in (("m/s^2", 1.0), *UNIT_SCALES):
        if low <= gravity * scale <= high:
            return unit
    return None


DEG_PER_RAD: Final = 180.0 / math.pi

GYRO_UNIT_SPLIT: Final = math.sqrt(DEG_PER_RAD)
"""Turn ratio (see :func:`gyroscope_turn_ratio`) above which a gyroscope declared in deg/s is in rad/s. Physics
makes the ratio 1 in deg/s and 57.3 in rad/s; the split is their geometric middle (7.6), a factor 7.6 from each.
Measured on the 195 real recordings with a gyroscope in ../shared/data/dev and sample_recordings/ (gaitmap and
IPOL feet, IPOL and mobgap lower backs, Sensor Logger phones): 0.57-3.7 as given in deg/s, 32.6-214 divided by
57.3; one phyphox export whose header says deg/s reads 56.7 (its values are rad/s: phyphox records rad/s)."""

TURN_LOWPASS_HZ: Final = 1.0
"""Low-pass corner of the accelerometer and gyroscope in the turn ratio: keeps a segment's turning (strides,
turns, a phone tilting) and removes most of the impacts that tilt the accelerometer's direction without a turn."""

TURNING_MIN_RAD_S: Final = 0.2
"""Least rate (11 deg/s) at which the gravity direction must turn in a sample for it to count in the turn ratio:
slower is the accelerometer's noise on a sensor at rest, where the gyroscope shows its own noise and bias only."""

TURN_DECIMATE_HZ: Final = 20.0
"""Rate the turn ratio works at: block means down to it (an anti-alias for a 1 Hz low-pass) keep a day of data
cheap."""


def gyroscope_turn_ratio(time_s: np.ndarray, acc_ms2: np.ndarray, gyr_dps: np.ndarray) -> float | None:
    """How fast the gravity direction turns in the sensor frame, over the gyroscope's rate across gravity.

    Gravity is fixed in the world, so in the sensor's frame its direction ``u`` turns as ``du/dt = -w x u``: its
    turning rate equals the gyroscope's component perpendicular to it. With ``gyr_dps`` in deg/s (converted to
    rad/s here) the ratio of the two is about 1; when its values are really rad/s it is about 57.3. Both signals
    are low-passed (:data:`TURN_LOWPASS_HZ`, so the accelerometer's direction is mostly gravity's) and summed over
    the samples where the gravity direction turns faster than :data:`TURNING_MIN_RAD_S`.

    Returns
    -------
    float or None
        The ratio; None when it cannot be told: under a second of turning, a gyroscope reading zero throughout, or
        too few samples.

    Examples
    --------
    >>> t = np.arange(0, 20, 0.01)
    >>> angle = 0.6 * np.sin(2 * np.pi * 0.5 * t)  # a sensor rocking about x by +-34 deg at 0.5 Hz
    >>> acc = 9.81 * np.column_stack([np.zeros_like(t), np.sin(angle), np.cos(angle)])
    >>> rate_dps = np.degrees(np.gradient(angle, t))
    >>> gyr = np.column_stack([-rate_dps, np.zeros_like(t), np.zeros_like(t)])
    >>> round(gyroscope_turn_ratio(t, acc, gyr), 1)
    1.0
    >>> gyroscope_unit(t, acc, gyr), gyroscope_unit(t, acc, np.radians(gyr))
    ('deg/s', 'rad/s')
    """
    from scipy.signal import sosfiltfilt

    from gait.preprocess import lowpass_sos  # preprocess is the heavier module; only this check needs it here

    rate_hz = median_rate_hz(time_s)
    if len(time_s) < 4 or rate_hz <= 0 or not np.any(gyr_dps):
        return None
    block = max(1, int(rate_hz // TURN_DECIMATE_HZ))
    n = len(time_s) // block * block
    if n < 4 * block:
        return None

    def means(x: np.ndarray) -> np.ndarray:
        return x[:n].reshape(n // block, block, *x.shape[1:]).mean(axis=1)

    t = means(time_s)
    rate = rate_hz / block
    if len(t) <= 9 or rate / 2 <= TURN_LOWPASS_HZ:
        return None
    sos = lowpass_sos(TURN_LOWPASS_HZ, rate)

    def lowpassed(x: np.ndarray) -> np.ndarray:
        return np.column_stack([sosfiltfilt(sos, x[:, i]) for i in range(3)])

    # One signal at a time, axis by axis, divided in place: sosfiltfilt, np.gradient and np.cross of all three axes
    # of a day's recording would hold several copies of them at once.
    u = lowpassed(means(acc_ms2))
    norm = np.linalg.norm(u, axis=1, keepdims=True)
    if not np.all(norm > 0):
        return None
    u /= norm
    del norm
    turn = np.linalg.norm(np.column_stack([np.gradient(u[:, i], t) for i in range(3)]), axis=1)
    gyr = lowpassed(np.radians(means(gyr_dps)))
    cross = np.empty_like(u)
    for i, (j, k) in enumerate(((1, 2), (2, 0), (0, 1))):
        cross[:, i] = gyr[:, j] * u[:, k] - gyr[:, k] * u[:, j]
    del gyr, u
    across = np.linalg.norm(cross, axis=1)
    turning = turn > TURNING_MIN_RAD_S
    if turning.sum() < rate or not np.any(across[turning]):
        return None
    return float(turn[turning].sum() / across[turning].sum())


def gyroscope_unit(time_s: np.ndarray, acc_ms2: np.ndarray, gyr: np.ndarray) -> str | None:
    """The unit a gyroscope's values are in, told from the accelerometer (see :func:`gyroscope_turn_ratio`):
    ``"deg/s"`` or ``"rad/s"``, None when the recording does not turn enough to tell.
    """
    ratio = gyroscope_turn_ratio(time_s, acc_ms2, gyr)
    if ratio is None:
        return None
    return "rad/s" if ratio > GYRO_UNIT_SPLIT else "deg/s"


MIN_UNIT_DURATION_S: Final = 2.0
"""Least duration (a stride or so) a recording must have in a smaller time unit for its time column to be taken
for that unit; shorter ones get the rate message with the unit as a hint."""

TIME_UNITS_BELOW_S: Final = (("milliseconds", 1e3), ("microseconds", 1e6), ("nanoseconds", 1e9))
"""Time units a column declared as seconds is checked against, with their count per second."""

Locate = Callable[[int], str]
"""Turns a sample index (0-based) into words for a message, for example ``"line 102"`` of a file."""


def sample_index(i: int) -> str:
    """A sample's position in words where no file line is known: ``"sample 3 (counting from 0)"``."""
    return f"sample {i} (counting from 0)"


def median_rate_hz(time_s: np.ndarray) -> float:
    """Median sampling rate of a time axis in Hz (0 when fewer than two samples)."""
    step = median_step(time_s)
    return 1.0 / step if step > 0 else 0.0


def median_step(time_s: np.ndarray) -> float:
    """Median positive interval between samples, in the time axis' own unit (0 when there is none)."""
    if len(time_s) < 2:
        return 0.0
    # A strided subsample of the intervals tells the rate as well as all of them, at a fraction of the cost on
    # a day of data.
    idx = np.arange(0, len(time_s) - 1, max(1, len(time_s) // 200_000))
    dt = time_s[idx + 1] - time_s[idx]
    dt = dt[dt > 0]
    return float(np.median(dt)) if len(dt) else 0.0


def acceleration_magnitudes(acc: np.ndarray, rate_hz: float) -> tuple[float, float]:
    """Median instantaneous magnitude and median magnitude of one-second mean vectors of acceleration.

    The mean over about a second keeps gravity (whatever the orientation) and averages walking out, so the
    second figure is gravity's magnitude in the data's unit when gravity is present and near 0 when it was
    removed. Both use an evenly spread subsample on long inputs.

    Parameters
    ----------
    acc
        Acceleration, shape (n, 3), any unit; non-finite rows are ignored.
    rate_hz
        Sampling rate, for the one-second blocks (a block is at least one sample and at most the input).

    Returns
    -------
    tuple of float
        ``(median |a|, median |mean of a over 1 s|)``, both 0.0 when there are no finite rows.
    """
    acc = np.asarray(acc, dtype=np.float64)
    n = len(acc)
    if n == 0:
        return 0.0, 0.0
    # Subsample first and drop non-finite rows (or seconds) after: copying a day of data would cost more than
    # everything else here.
    sample = acc[:: max(1, n // 100_000)]
    sample = sample[np.isfinite(sample).all(axis=1)]
    block = int(min(max(round(rate_hz), 1), n))
    starts = np.arange(n // block) * block
    # At most an hour of seconds, and at most about 400k samples gathered (a 1 kHz sensor: 400 seconds).
    used = min(len(starts), 3600, max(1, 400_000 // block))
    starts = starts[np.linspace(0, len(starts) - 1, used).astype(int)]
    means = acc[starts[:, None] + np.arange(block)].mean(axis=1)
    means = means[np.isfinite(means).all(axis=1)]
    if len(sample) == 0 or len(means) == 0:
        return 0.0, 0.0
    median_norm = float(np.median(np.sqrt(np.einsum("ij,ij->i", sample, sample))))
    return median_norm, float(np.median(np.sqrt(np.einsum("ij,ij->i", means, means))))


def check_samples(
    time_s: np.ndarray,
    acc_ms2: np.ndarray,
    gyr_dps: np.ndarray | None = None,
    *,
    what: str = "input",
    locate: Locate | None = None,
) -> None:
    """Raise :class:`GaitError` when samples break the core's contract.

    Checks shapes, non-finite values, time that goes backwards or repeats, time in milliseconds (or micro-,
    nanoseconds) where seconds are declared, a sampling rate below 20 Hz, and acceleration that is not m/s^2
    with gravity: in g or milli-g, gravity removed (linear acceleration), or of no plausible magnitude.

    Parameters
    ----------
    time_s
        Sample times, shape (n,).
    acc_ms2
        Acceleration including gravity, shape (n, 3).
    gyr_dps
        Optional angular rate, shape (n, 3).
    what
        Name of the input, used in messages (for example the file name).
    locate
        Words for the position of sample ``i`` in messages (a file reader gives the line number); by default
        the sample index.

    Raises
    ------
    GaitError
        With ``reason`` ``bad_shape``, ``empty``, ``non_finite``, ``time_not_increasing``, ``time_not_seconds``,
        ``rate_too_low``, ``gravity_missing``, ``units_look_like_g``, ``units_look_like_mg``,
        ``implausible_acceleration`` or ``no_signal``.
    """
    where = locate or sample_index
    time_s = np.asarray(time_s)
    acc_ms2 = np.asarray(acc_ms2)
    n = len(time_s)
    if time_s.ndim != 1:
        raise GaitError(f"{what}: time must be one column of seconds", reason="bad_shape")
    if acc_ms2.shape != (n, 3):
        raise GaitError(
            f"{what}: acceleration must have 3 columns (x, y, z) and one row per time stamp; got shape "
            f"{acc_ms2.shape} for {n} time stamps",
            reason="bad_shape",
        )
    if gyr_dps is not None and np.shape(gyr_dps) != (n, 3):
        raise GaitError(
            f"{what}: gyroscope must have 3 columns and one row per time stamp; got shape {np.shape(gyr_dps)}",
            reason="bad_shape",
        )
    if n == 0:
        raise GaitError(f"{what}: no samples: the file holds no data rows", reason="empty")
    for name, arr in (("time", time_s), ("acceleration", acc_ms2), ("gyroscope", gyr_dps)):
        if arr is None:
            continue
        # A sum is finite only when every term is (NaN and inf propagate): one pass over a day's samples instead of
        # a mask; only a non-finite sum (a bad value, or an overflow of huge finite ones) needs the element test.
        if math.isfinite(float(np.sum(arr))):
            continue
        bad = ~np.isfinite(arr)
        if bad.any():
            row = int(np.argwhere(bad)[0][0])
            raise GaitError(
                f"{what}: {name} has {int(bad.sum())} missing or non-finite values (first on {where(row)}); "
                "remove or interpolate those rows and try again",
                reason="non_finite",
            )
    if n >= 2:
        not_increasing = time_s[1:] <= time_s[:-1]
        if not_increasing.any():
            row = int(np.argmax(not_increasing)) + 1
            kind = "repeats" if time_s[row] == time_s[row - 1] else "goes backwards"
            raise GaitError(
                f"{what}: time {kind} on {where(row)} ({float(time_s[row - 1]):g} s -> {float(time_s[row]):g} s); "
                "time stamps must strictly increase: sort the rows and drop duplicates",
                reason="time_not_increasing",
            )
        step = median_step(np.asarray(time_s, dtype=np.float64))
        check_time_unit(time_s, what=what, step=step)
        rate = check_sampling_rate(step, what=what)
    check_acceleration_unit(acc_ms2, rate if n >= 2 else 1.0, what=what)


def check_sampling_rate(step: float, *, what: str = "input") -> float:
    """Raise :class:`GaitError` when samples ``step`` apart (the median interval, in seconds) are too slow to see
    individual steps (under :data:`MIN_ACCEPTED_RATE_HZ`); return the rate in Hz.

    The one rate check of every input: files (:func:`check_samples`) and live streams (``service.live``).

    Examples
    --------
    >>> check_sampling_rate(0.01)
    100.0
    >>> check_sampling_rate(1 / 17, what="Slow17")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gait.errors.GaitError: Slow17: sampled at 17.0 Hz, below the 20 Hz needed to see individual steps; ...
    """
    rate = 1.0 / step if step > 0 else 0.0
    if rate < MIN_ACCEPTED_RATE_HZ:
        unit = _smaller_time_unit(step)
        hint = "" if unit is None else f" (if the time column is in {unit[0]}, divide it by {unit[1]:.0f})"
        raise GaitError(
            f"{what}: sampled at {rate:.1f} Hz, below the {MIN_SAMPLING_RATE_HZ:.0f} Hz needed to see "
            f"individual steps; record again at 50 Hz or more{hint}",
            reason="rate_too_low",
        )
    return rate


def _smaller_time_unit(step: float) -> tuple[str, float, float] | None:
    """The unit below seconds (name, count per second, rate in Hz) whose reading of the median step (in the time
    column's own unit) is a plausible sampling rate, when the seconds reading is too slow; None otherwise (the units
    are 1000 apart: at most one)."""
    if step <= 0 or 1.0 / step >= MIN_ACCEPTED_RATE_HZ:
        return None
    for unit, per_s in TIME_UNITS_BELOW_S:
        if MIN_SAMPLING_RATE_HZ <= per_s / step < MAX_PLAUSIBLE_RATE_HZ:
            return unit, per_s, per_s / step
    return None


def check_time_unit(time_s: np.ndarray, *, what: str = "input", step: float | None = None) -> None:
    """Raise :class:`GaitError` when time declared in seconds steps like milli-, micro- or nanoseconds.

    A step that gives under 20 Hz read as seconds but 20-1000 Hz read in a smaller unit is that unit: no
    accelerometer used for gait logs slower than a few Hz, and the units are a factor 1000 apart, so at most one
    fits. The recording must then also last at least :data:`MIN_UNIT_DURATION_S` in that unit; a short file of
    slow samples (a 0.5 Hz log: 2 ms steps) is left to the rate check, whose message adds the unit as a
    possibility. A 2 Hz log (a step of 0.5 s would be 2 kHz in ms) is never taken for milliseconds. ``step``: the
    median step when the caller has it (:func:`median_step`).
    """
    if step is None:
        step = median_step(np.asarray(time_s, dtype=np.float64))
    found = _smaller_time_unit(step)
    if found is not None:
        unit, per_s, rate_hz = found
        if float(time_s[-1] - time_s[0]) / per_s >= MIN_UNIT_DURATION_S:
            raise GaitError(
                f"{what}: time steps by {step:g} per sample, which as seconds would be {1.0 / step:.2g} Hz; time "
                f"looks like {unit}: divide the time column by {per_s:.0f} (it is then a {rate_hz:.0f} Hz recording "
                f"of {float(time_s[-1] - time_s[0]) / per_s:.1f} s) and try again",
                reason="time_not_seconds",
            )


def check_acceleration_unit(acc_ms2: np.ndarray, rate_hz: float, *, what: str = "input") -> None:
    """Raise :class:`GaitError` unless acceleration looks like m/s^2 including gravity.

    Told by physics, not by file names: with gravity the mean acceleration vector over a second is gravity, whose
    magnitude is 9.81 m/s^2, 1 g or 1000 milli-g; without gravity (linear acceleration) the mean vector is near 0
    whatever the unit, while the instantaneous magnitude is not (see :data:`GRAVITY_SHARE_MIN` and
    :data:`GRAVITY_BOUNDS_MS2`).
    """
    median_norm, gravity = acceleration_magnitudes(acc_ms2, rate_hz)
    if median_norm == 0.0:
        raise GaitError(
            f"{what}: acceleration is zero throughout: the sensor recorded nothing; check that the accelerometer "
            "was switched on and record again",
            reason="no_signal",
        )
    low, high = GRAVITY_BOUNDS_MS2
    if gravity >= GRAVITY_SHARE_MIN * median_norm and gravity < low / GRAVITY_MS2:
        raise GaitError(
            f"{what}: the acceleration's mean vector over a second is only {gravity:.3g}, less than gravity in any "
            f"unit ({GRAVITY_MS2:.2f} m/s^2 = 1 g = 1000 milli-g): gravity was removed (linear acceleration of a "
            "sensor at rest) or the values were scaled down; export the raw accelerometer including gravity, in "
            "m/s^2, and try again",
            reason="gravity_missing",
        )
    if gravity < GRAVITY_SHARE_MIN * median_norm:
        raise GaitError(
            f"{what}: this looks like linear acceleration (gravity removed): the acceleration's mean vector over a "
            f"second is {gravity:.3g}, only {gravity / median_norm:.0%} of its typical magnitude {median_norm:.3g}, "
            "where gravity would make the mean about as large as the magnitude; export the raw accelerometer "
            "including gravity (Sensor Logger: 'Total Acceleration'; phyphox: 'Acceleration with g') and try again",
            reason="gravity_missing",
        )
    unit = gravity_unit(gravity)
    if unit == "m/s^2":
        return
    if unit is not None:
        scale = dict(UNIT_SCALES)[unit]
        raise GaitError(
            f"{what}: acceleration looks like units of {unit}, not m/s^2: its mean vector (gravity) has a "
            f"magnitude of {gravity:.3g}, where gravity is {GRAVITY_MS2:.2f} m/s^2 = "
            f"{GRAVITY_MS2 / scale:g} {unit}; multiply the acceleration columns by {scale:g} and try again",
            reason="units_look_like_g" if unit == "g" else "units_look_like_mg",
        )
    raise GaitError(
        f"{what}: acceleration has a mean vector (gravity) of magnitude {gravity:.3g}, which fits no unit: "
        f"gravity is {GRAVITY_MS2:.2f} m/s^2 (a sensor reads {low:g}-{high:g}), 1 g or 1000 milli-g; check the "
        "unit and scale of the acceleration columns and export them in m/s^2",
        reason="implausible_acceleration",
    )
