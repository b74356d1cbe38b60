"""Foot-mounted IMU: strapdown integration between two zero-velocity (stance) instants (ZUPT).

Over one stride the foot starts and ends at rest. The orientation is initialised from gravity at the first
stance, propagated with the gyroscope, the acceleration is rotated into the world frame and gravity removed;
the velocity error that accumulates is removed linearly so that the velocity is zero at both stances
(Rampp 2015; Rebula 2013). The stride length is the horizontal displacement.
"""

from __future__ import annotations

import numpy as np

STILL_GYRO_DPS = 50.0
"""Low-passed gyroscope norm below which the foot counts as flat on the ground."""
SWING_GYRO_DPS = 100.0
"""Low-passed gyroscope norm above which the foot is swinging (walking swings reach 300-500 deg/s)."""
MIN_STRIDE_S = 0.6
"""Shortest stride of one foot (200 steps/min); a second stance onset sooner is the foot settling."""
IC_SEARCH_S = 0.3
"""The heel-strike impact lies within this time before the foot becomes still (about 0.2 s in practice)."""
MIN_IMPACT_MS2 = 1.2 * 9.80665
"""Smallest acceleration norm at a heel strike. Landing stops a foot that swings at 2-4 m/s within about 0.1 s:
a shock of several g (1.5 g or more even in slow walking). A foot that pivots on the floor in a turn, or slides,
ends its "swing" with no shock at all (the norm stays within 20 % of gravity): that is no step."""
REST_GYRO_DPS = 30.0
"""Raw gyroscope norm below which the foot is at rest. The low-passed norm lags the heel-off by about 0.05 s, and
a foot rolling over its toes at 50 deg/s already moves the sensor at about 0.1 m/s (0.9 rad/s x 0.1 m): the
integration must start before that, where the unfiltered rate says the foot is still."""
SETTLE_S = 0.05
"""After the foot lands flat (low-passed gyro below STILL_GYRO_DPS) it still rolls onto the ground for a moment;
the integration runs this much further into the stance (while the foot stays flat) so that it ends at rest."""
CLIP_RUN_S = 0.02
"""A sensor axis that reads one and the same large value for this long has hit its range (saturated).

A foot's signals change fast wherever they are large: in the swing the acceleration exceeds 2 g and the pitch
rate 300 deg/s, and both change by far more than a sensor's resolution in 20 ms (three samples at 100 Hz). Only a
saturated axis holds an identical reading that long. The integration then misses whatever lay beyond the range:
measured on the benchmark's foot recordings (bench.robustness), clipping at +-2 g makes the ZUPT stride length
MAE 0.205 m instead of 0.036 m, at +-250 deg/s 0.129 m."""
CLIP_MIN_ACC_MS2 = 1.5 * 9.80665
"""Smallest acceleration a saturated axis can read: below the smallest full-scale range of an accelerometer
(+-2 g), above the 1 g an axis reads at rest (a flat reading there is a foot standing still)."""
CLIP_MIN_GYR_DPS = 100.0
"""Smallest rate a saturated gyroscope axis can read: below the smallest full-scale range in use (+-125 deg/s),
far above a foot at rest."""


def saturated_axes(values: np.ndarray, min_level: float, dt_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Per axis, the largest magnitude that the axis holds unchanged for at least ``CLIP_RUN_S``, and how long it
    stays saturated in all (runs that long only).

    Parameters
    ----------
    values
        Samples, shape (n, k), on a regular grid (a linearly interpolated run between two equal readings stays
        exactly equal).
    min_level
        Only runs at a magnitude of at least this count (see CLIP_MIN_ACC_MS2, CLIP_MIN_GYR_DPS).
    dt_s
        Sample interval.

    Returns
    -------
    tuple of numpy.ndarray
        Shape (k,) each: the saturation level per axis (0 where the axis never saturated), and the time in
        seconds the axis spent in such runs.

    Examples
    --------
    >>> x = np.array([[1.0], [19.6], [19.6], [19.6], [19.6], [3.0]])
    >>> levels, held_s = saturated_axes(x, 14.7, 0.01)  # four equal readings at 100 Hz: 30 ms
    >>> levels.tolist(), held_s.round(3).tolist()
    ([19.6], [0.03])
    """
    run_n = max(1, round(CLIP_RUN_S / dt_s))  # equal neighbours in a row: a run of run_n + 1 samples
    k = values.shape[1]
    levels, held_s = np.zeros(k), np.zeros(k)
    if len(values) <= run_n:
        return levels, held_s
    same = (values[1:] == values[:-1]) & (np.abs(values[1:]) >= min_level)
    if not same.any():
        return levels, held_s
    # Equal neighbours j .. j + run_n - 1 (a run of run_n + 1 equal samples) where the window sum reaches run_n;
    # every equal-neighbour pair inside such a window belongs to a long run.
    counts = np.vstack((np.zeros((1, k)), np.cumsum(same, axis=0)))
    full = counts[run_n:] - counts[:-run_n] >= run_n
    if not full.any():
        return levels, held_s
    in_run = np.zeros(same.shape, dtype=bool)
    for lag in range(run_n):
        in_run[lag : lag + len(full)] |= full
    for axis in np.flatnonzero(in_run.any(axis=0)):
        levels[axis] = float(np.abs(values[1:][in_run[:, axis], axis]).max())
        held_s[axis] = float(in_run[:, axis].sum()) * dt_s
    return levels, held_s


def quat_multiply(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Hamilton product of quaternions (w, x, y, z), broadcast over leading axes."""
    pw, px, py, pz = np.moveaxis(p, -1, 0)
    qw, qx, qy, qz = np.moveaxis(q, -1, 0)
    return np.stack(
        (
            pw * qw - px * qx - py * qy - pz * qz,
            pw * qx + px * qw + py * qz - pz * qy,
            pw * qy - px * qz + py * qw + pz * qx,
            pw * qz + px * qy - py * qx + pz * qw,
        ),
        axis=-1,
    )


def quat_from_rotvec(rotvec_rad: np.ndarray) -> np.ndarray:
    """Quaternions (w, x, y, z) from rotation vectors, shape (n, 3) -> (n, 4)."""
    angle = np.linalg.norm(rotvec_rad, axis=-1, keepdims=True)
    half = 0.5 * angle
    # sin(x)/x -> 1 for small angles, avoiding a division by zero.
    k = np.where(angle > 1e-12, np.sin(half) / np.where(angle > 1e-12, angle, 1.0), 0.5)
    return np.concatenate((np.cos(half), rotvec_rad * k), axis=-1)


def cumulative_orientation(q0: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """Orientation after each increment: ``q0 * d1 * d2 * ... * dk`` by a log-depth parallel prefix product.

    Parameters
    ----------
    q0
        Initial orientation (sensor to world), shape (4,).
    delta
        Body-frame rotation increments, shape (n, 4).

    Returns
    -------
    numpy.ndarray
        Orientation after each increment, shape (n, 4).
    """
    prefix = delta.copy()
    offset = 1
    while offset < len(prefix):
        prefix[offset:] = quat_multiply(prefix[:-offset], prefix[offset:])
        offset *= 2
    return quat_multiply(np.broadcast_to(q0, prefix.shape), prefix)


def rotate(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rotate vectors ``v`` (n, 3) by unit quaternions ``q`` (n, 4)."""
    w = q[..., :1]
    u = q[..., 1:]
    t = 2.0 * np.cross(u, v)
    return v + w * t + np.cross(u, t)


def quat_aligning(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The shortest rotation that turns direction ``a`` into direction ``b``."""
    a = a / np.linalg.norm(a)
    b = b / np.linalg.norm(b)
    c = np.cross(a, b)
    d = float(np.dot(a, b))
    if d < -0.999999:  # opposite: rotate 180 degrees about any axis orthogonal to a
        axis = np.cross(a, [1.0, 0.0, 0.0])
        if np.linalg.norm(axis) < 1e-6:
            axis = np.cross(a, [0.0, 1.0, 0.0])
        axis /= np.linalg.norm(axis)
        return np.array([0.0, *axis])
    q = np.array([1.0 + d, *c])
    return q / np.linalg.norm(q)


def zupt_stride_length_m(acc_ms2: np.ndarray, gyr_dps: np.ndarray, dt_s: float) -> float:
    """Horizontal displacement of the foot between two stance instants (the first and last sample).

    Parameters
    ----------
    acc_ms2
        Specific force in the sensor frame (gravity included), shape (n, 3), from one stance to the next.
    gyr_dps
        Angular rate in the sensor frame, shape (n, 3).
    dt_s
        Sample interval.

    Returns
    -------
    float
        Stride length in metres (NaN when the segment is too short).

    Examples
    --------
    A foot that accelerates forward at 2 m/s^2 for 0.5 s and brakes for 0.5 s, level and without rotation,
    travels 0.5 m:

    >>> n = 101; t = np.linspace(0, 1, n)
    >>> acc = np.zeros((n, 3)); acc[:, 2] = 9.81; acc[:, 0] = np.where(t < 0.5, 2.0, -2.0)
    >>> round(zupt_stride_length_m(acc, np.zeros((n, 3)), 0.01), 1)
    0.5
    """
    return _integrate(acc_ms2, gyr_dps, dt_s, acc_ms2[: max(3, len(acc_ms2) // 50)].mean(axis=0))


def stride_between_stances_m(acc_ms2: np.ndarray, gyr_dps: np.ndarray, gyro_norm_dps: np.ndarray, dt_s: float) -> float:
    """Stride length from one stance to the next, integrated between two instants of rest.

    The samples run from the onset of the first stance, through the swing, to the onset of the second stance and
    optionally a little further (up to ``SETTLE_S``). The integration starts at the last sample of the first
    stance whose raw gyroscope norm is below ``REST_GYRO_DPS`` (the low-passed norm lags the heel-off, when the
    foot already moves), and ends at the last sample given while the foot stays flat after the second onset.
    The initial tilt is the mean acceleration over the first stance up to the start, far less noisy than a single
    sample.

    Parameters
    ----------
    acc_ms2, gyr_dps
        Samples from the first stance onset to the second (or a little after it), shape (n, 3).
    gyro_norm_dps
        Low-passed gyroscope norm of the same samples, used to find the swing and the stances.
    dt_s
        Sample interval.

    Returns
    -------
    float
        Horizontal displacement in metres (NaN when the samples hold no swing).
    """
    bounds = integration_bounds(gyr_dps, gyro_norm_dps)
    if bounds is None:
        return float("nan")
    start, end = bounds
    gravity = acc_ms2[: start + 1].mean(axis=0)
    return _integrate(acc_ms2[start : end + 1], gyr_dps[start : end + 1], dt_s, gravity)


def integration_bounds(gyr_dps: np.ndarray, gyro_norm_dps: np.ndarray) -> tuple[int, int] | None:
    """First and last sample (inclusive) that :func:`stride_between_stances_m` integrates, or None without a swing.

    Parameters
    ----------
    gyr_dps
        Angular rate from the first stance onset to the second (or a little after it), shape (n, 3).
    gyro_norm_dps
        Low-passed gyroscope norm of the same samples.

    Returns
    -------
    tuple of int or None
        The last sample at rest before the swing and the last flat sample of the second stance.
    """
    swing = np.flatnonzero(gyro_norm_dps > SWING_GYRO_DPS)
    if len(swing) == 0:
        return None
    first = int(swing[0])
    raw = np.sqrt(np.einsum("ij,ij->i", gyr_dps[:first], gyr_dps[:first]))
    rest = np.flatnonzero(raw < REST_GYRO_DPS)
    if len(rest):
        start = int(rest[-1])
    else:  # no sample at rest by the raw rate (a very short stance): fall back on the low-passed norm
        still = np.flatnonzero(gyro_norm_dps[:first] < STILL_GYRO_DPS)
        start = int(still[-1]) if len(still) else 0
    # The second stance: from the first flat sample after the swing for as long as the foot stays flat.
    flat = np.flatnonzero(gyro_norm_dps[first:] < STILL_GYRO_DPS)
    end = len(gyr_dps) - 1
    if len(flat):
        onset = first + int(flat[0])
        lifted = np.flatnonzero(gyro_norm_dps[onset:] >= STILL_GYRO_DPS)
        end = onset + int(lifted[0]) - 1 if len(lifted) else end
    return start, end


def _integrate(acc_ms2: np.ndarray, gyr_dps: np.ndarray, dt_s: float, rest: np.ndarray) -> float:
    n = len(acc_ms2)
    if n < 10:
        return float("nan")
    g = float(np.linalg.norm(rest))
    q0 = quat_aligning(rest, np.array([0.0, 0.0, 1.0]))
    # The rotation during sample k -> k+1 uses the mean rate of the two samples (trapezoid).
    rate_rad = np.deg2rad(0.5 * (gyr_dps[1:] + gyr_dps[:-1]))
    q = np.vstack((q0, cumulative_orientation(q0, quat_from_rotvec(rate_rad * dt_s))))
    world = rotate(q, acc_ms2)
    world[:, 2] -= g
    velocity = np.vstack((np.zeros(3), np.cumsum(0.5 * (world[1:] + world[:-1]) * dt_s, axis=0)))
    # ZUPT: the foot is at rest at both ends, so the final velocity is drift; remove it linearly in time.
    velocity -= np.linspace(0.0, 1.0, n)[:, None] * velocity[-1]
    position = np.sum(0.5 * (velocity[1:] + velocity[:-1]) * dt_s, axis=0)
    return float(np.hypot(position[0], position[1]))
