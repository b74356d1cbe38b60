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
    swing = np.flatnonzero(gyro_norm_dps > SWING_GYRO_DPS)
    if len(swing) == 0:
        return float("nan")
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
    end = len(acc_ms2) - 1
    if len(flat):
        onset = first + int(flat[0])
        lifted = np.flatnonzero(gyro_norm_dps[onset:] >= STILL_GYRO_DPS)
        end = onset + int(lifted[0]) - 1 if len(lifted) else end
    gravity = acc_ms2[: start + 1].mean(axis=0)
    return _integrate(acc_ms2[start : end + 1], gyr_dps[start : end + 1], dt_s, gravity)


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
