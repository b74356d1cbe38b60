"""Synthetic walking signals with known answers for the core's tests."""

from __future__ import annotations

import numpy as np

from gait.consts import GRAVITY_MS2


def walk_signal(
    *,
    step_hz: float = 1.8,
    walk_s: float = 20.0,
    rest_before_s: float = 3.0,
    rest_after_s: float = 3.0,
    amplitude_ms2: float = 2.0,
    rate_hz: float = 100.0,
    jitter_s: float = 0.0,
    tilt_deg: float = 0.0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """A lower-back-like walk: rest, a sinusoidal vertical acceleration at the step frequency, rest.

    Returns time (n,) and acceleration with gravity (n, 3); the sensor is tilted by ``tilt_deg`` about x so
    that the vertical is not a sensor axis.
    """
    rng = np.random.default_rng(seed)
    total_s = rest_before_s + walk_s + rest_after_s
    t = np.arange(0.0, total_s, 1.0 / rate_hz)
    if jitter_s:
        t = t + rng.uniform(-jitter_s, jitter_s, len(t))
        t.sort()
    walking = (t >= rest_before_s) & (t < rest_before_s + walk_s)
    vertical = np.where(walking, amplitude_ms2 * np.sin(2 * np.pi * step_hz * (t - rest_before_s)), 0.0)
    vertical += rng.normal(0, 0.03, len(t))
    world = np.zeros((len(t), 3))
    world[:, 2] = GRAVITY_MS2 + vertical
    world[:, 0] = np.where(walking, 0.5 * np.sin(2 * np.pi * step_hz * (t - rest_before_s) + 1.0), 0.0)
    a = np.deg2rad(tilt_deg)
    rot = np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])
    return t, world @ rot.T


def limping_walk_signal(
    *,
    stride_s: float = 1.2,
    step_ratio: float = 1.9,
    n_strides: int = 14,
    near_leg_ms2: float = 3.0,
    far_leg_ms2: float = 1.5,
    rest_s: float = 3.0,
    rate_hz: float = 100.0,
    seed: int = 9,
    long_first: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A walk whose left and right steps differ: each stride of ``stride_s`` starts with the near leg's heel strike,
    and the far leg's follows ``step_ratio`` times later than the step after it (the long step first), or, with
    ``long_first`` False, ``step_ratio`` times sooner (the short step first: it ends at the far leg's weaker heel
    strike, close after the near leg's strong one).

    The body bobs once per step (1 m/s^2, highest at each heel strike: a cosine of the step phase, which runs
    linearly from one heel strike to the next), and each heel strike adds a sharp impact with a broad dip, stronger
    for the leg the sensor sits on (``near_leg_ms2``) than for the far one, as a phone in a trouser pocket feels
    them; 0.03 m/s^2 noise; rest before and after. Returns time (n,), acceleration with gravity (n, 3) and the heel
    strikes.
    """
    long_s = stride_s * step_ratio / (1.0 + step_ratio)
    near_s = rest_s + stride_s * np.arange(n_strides)
    far_s = near_s + (long_s if long_first else stride_s - long_s)
    heel_strikes_s = np.sort(np.concatenate((near_s, far_s)))
    t = np.arange(0.0, heel_strikes_s[-1] + rest_s, 1.0 / rate_hz)
    phase = np.interp(t, heel_strikes_s, np.arange(len(heel_strikes_s)), left=np.nan, right=np.nan)
    vertical = np.where(np.isfinite(phase), np.cos(2 * np.pi * np.nan_to_num(phase)), 0.0)
    for t0, amplitude_ms2 in [(x, near_leg_ms2) for x in near_s] + [(x, far_leg_ms2) for x in far_s]:
        vertical += amplitude_ms2 * (np.exp(-0.5 * ((t - t0) / 0.06) ** 2) - 0.3 * np.exp(-0.5 * ((t - t0) / 0.2) ** 2))
    vertical += np.random.default_rng(seed).normal(0.0, 0.03, len(t))
    acc = np.zeros((len(t), 3))
    acc[:, 2] = GRAVITY_MS2 + vertical
    return t, acc, heel_strikes_s


def _smooth_step(u: np.ndarray) -> np.ndarray:
    """0 -> 1 with zero velocity and acceleration at both ends (minimum-jerk profile), clipped outside [0, 1]."""
    u = np.clip(u, 0.0, 1.0)
    return u**3 * (10 - 15 * u + 6 * u * u)


def _hump(u: np.ndarray) -> np.ndarray:
    """Zero outside [0, 1]; inside, a smooth bump with zero value and slope at both ends (peak 1 at 0.5)."""
    inside = (u > 0) & (u < 1)
    return np.where(inside, np.sin(np.pi * np.clip(u, 0, 1)) ** 2, 0.0)


def _ricker(t: np.ndarray, width_s: float) -> np.ndarray:
    """A shock of unit peak with zero integral and zero first moment: it changes neither velocity nor position."""
    x = (t / width_s) ** 2
    return (1.0 - x) * np.exp(-x / 2.0)


def foot_walk_signal(
    *,
    stride_m: float = 1.4,
    n_strides: int = 8,
    stride_s: float = 1.1,
    swing_s: float = 0.5,
    rest_before_s: float = 2.0,
    rest_after_s: float = 2.0,
    pitch_deg: float = 35.0,
    heel_strike_ms2: float = 40.0,
    toe_off_ms2: float = 8.0,
    first_swing_pause_s: float = 0.0,
    rate_hz: float = 200.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A foot sensor on a straight level walk whose kinematics are known exactly.

    The foot rests, then makes ``n_strides`` swings of ``stride_m`` each. During a swing it moves forward along a
    minimum-jerk profile, lifts and pitches (toe down, then up, back to flat) and lands with a heel-strike shock;
    it leaves the ground with a smaller toe-off shock. Both shocks have zero integral and zero first moment, so
    the sensor's specific force double-integrates to exactly the foot's displacement. The sensor's x axis points
    forward and z up while the foot is flat; the gyroscope measures the pitch rate about y.

    With ``first_swing_pause_s`` the first swing, from standing, stops rotating halfway for that long while the
    foot keeps moving forward: the slow, flat first step of a walk.

    Returns
    -------
    tuple
        Time (n,), specific force with gravity (n, 3) in m/s^2, angular rate (n, 3) in deg/s, and the heel-strike
        times (n_strides,).
    """
    fine_hz = 2000.0
    stance_s = stride_s - swing_s
    starts = rest_before_s + np.arange(n_strides) * stride_s
    durations = np.full(n_strides, swing_s)
    durations[0] += first_swing_pause_s
    ends = starts + durations
    total_s = ends[-1] + stance_s + rest_after_s
    t = np.arange(0.0, total_s, 1.0 / fine_hz)
    x = np.zeros_like(t)
    z = np.zeros_like(t)
    pitch = np.zeros_like(t)
    for k, (a, d) in enumerate(zip(starts, durations, strict=True)):
        u = (t - a) / d
        x += stride_m * _smooth_step(u)
        z += 0.12 * _hump(u)
        if k == 0 and first_swing_pause_s > 0:
            # two rotation halves (toe down, then back to flat) separated by the pause
            half = (d - first_swing_pause_s) / 2
            second = t - a - half - first_swing_pause_s
            pitch += np.deg2rad(pitch_deg) * (_hump((t - a) / half) - _hump(second / half))
        else:
            pitch += np.deg2rad(pitch_deg) * (_hump(2 * u) - _hump(2 * u - 1))
    dt = 1.0 / fine_hz
    ax = np.gradient(np.gradient(x, dt), dt)
    az = np.gradient(np.gradient(z, dt), dt) + GRAVITY_MS2
    rate = np.gradient(pitch, dt)
    # world -> sensor: the sensor is pitched by `pitch` about y
    c, s = np.cos(pitch), np.sin(pitch)
    acc = np.column_stack((c * ax - s * az, np.zeros_like(t), s * ax + c * az))
    for a, e in zip(starts, ends, strict=True):
        acc[:, 2] += toe_off_ms2 * _ricker(t - a, 0.008) + heel_strike_ms2 * _ricker(t - e, 0.008)
    gyr = np.column_stack((np.zeros_like(t), np.rad2deg(rate), np.zeros_like(t)))
    keep = slice(None, None, round(fine_hz / rate_hz))
    return t[keep], acc[keep], gyr[keep], ends


def swaying_walk_signal(
    *,
    step_s: float = 0.55,
    n_steps: int = 30,
    first_side: str = "left",
    sway_mps: float = 0.1,
    roll_deg: float = 6.0,
    rest_s: float = 3.0,
    rate_hz: float = 100.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """A straight lower-back walk whose trunk sways toward each landing foot and rolls against it.

    World frame: x forward, y the walker's left, z up. The trunk bounces once a step (upward acceleration highest
    at each contact, as a heel strike stops its fall) and moves forward as the inverted pendulum makes it (slowest
    at mid-stance: forward acceleration = minus the vertical velocity, scaled). Its sideways velocity is
    ``sway_mps`` toward the foot that lands at each contact (a cosine at the stride frequency). It also rolls about
    the forward axis by up to ``roll_deg``, in phase to put more gravity on the sideways axis than the sway's own
    acceleration and of the opposite sign: the accelerometer alone reads the sway backwards; the gyroscope reports
    the roll rate.

    Returns
    -------
    time_s, acc_ms2, gyr_dps, contacts_s, sides
        Samples in the sensor frame (aligned with the world frame when not rolled) and the true contacts with the
        foot of each.
    """
    t = np.arange(0.0, rest_s + n_steps * step_s + rest_s, 1.0 / rate_hz)
    contacts_s = rest_s + step_s * np.arange(n_steps)
    other = "right" if first_side == "left" else "left"
    sides = [first_side if k % 2 == 0 else other for k in range(n_steps)]
    walking = (t > contacts_s[0] - step_s / 2) & (t < contacts_s[-1] + step_s / 2)
    step_phase = 2 * np.pi * (t - contacts_s[0]) / step_s
    # The stride's phase, 0 at each left contact: the sway velocity is +sway_mps (toward the left) there.
    left_first = contacts_s[0] if first_side == "left" else contacts_s[1]
    stride_phase = np.pi * (t - left_first) / step_s
    vertical = np.where(walking, 2.0 * np.cos(step_phase), 0.0)
    forward = np.where(walking, -0.8 * np.sin(step_phase), 0.0)
    sideways = np.where(walking, -sway_mps * (np.pi / step_s) * np.sin(stride_phase), 0.0)
    roll_rad = np.where(walking, np.deg2rad(roll_deg) * np.sin(stride_phase), 0.0)
    roll_rate_dps = np.where(walking, roll_deg * (np.pi / step_s) * np.cos(stride_phase), 0.0)
    world = np.column_stack((forward, sideways, GRAVITY_MS2 + vertical))
    # Sensor frame = world frame rolled by roll_rad about x: a world vector w reads R_x(roll)^T w.
    c, s = np.cos(roll_rad), np.sin(roll_rad)
    acc = np.column_stack((world[:, 0], c * world[:, 1] + s * world[:, 2], -s * world[:, 1] + c * world[:, 2]))
    gyr = np.column_stack((roll_rate_dps, np.zeros(len(t)), np.zeros(len(t))))
    return t, acc, gyr, contacts_s, sides
