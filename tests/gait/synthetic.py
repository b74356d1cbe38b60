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
