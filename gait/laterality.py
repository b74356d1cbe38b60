"""Which foot landed: the side of a lower-back initial contact from the trunk's sideways sway.

Walking moves the trunk from one stance foot toward the next: over each stride it sways once to the left and once
to the right, and at a heel strike it is on its way toward the foot that lands (its sideways velocity points to that
foot; Zijlstra & Hof's inverted pendulum in the frontal plane). A trunk sensor measures that sway in its
acceleration, mixed with gravity wherever the trunk rolls: a roll of a few degrees, which the pelvis makes with every
step, puts as much gravity on the sideways axis as the sway itself, with its own phase, so the gyroscope's roll
rate is used to take it out. What is left is the stride-frequency component of the sideways velocity at the
contact, measured over the stride that ends there (its two steps: causal, decided with the contact).

Left and right need the walker's forward direction with its sign. It comes from the accelerometer alone: in the
inverted pendulum the trunk is slowest at the top of its arc (mid-stance) and fastest at the bottom (double
support), so its forward acceleration follows minus its vertical velocity; left is up x forward. One stride is
noisy evidence of it (a turn, a shuffle), so the tracker sums it over the walk (the sensor does not move on the
trunk).

The functions here are pure kernels; :class:`gait.tracker.GaitTracker` calls them once per contact.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from gait.consts import GRAVITY_MS2

LEFT, RIGHT = "left", "right"
Vector = tuple[float, float, float]
"""A 3-vector in the sensor frame as Python floats (once per contact, cheaper than a numpy array)."""


def stride_sway(
    acc_ms2: np.ndarray, gyr_time_s: np.ndarray, gyr_dps: np.ndarray, start_s: float, end_s: float
) -> tuple[Vector, Vector] | None:
    """Evidence of the walker's forward direction and of the side of the contact that ends a stride.

    Parameters
    ----------
    acc_ms2
        Acceleration including gravity in the sensor frame on a regular grid, shape (n, 3), from the stride's first
        contact (``start_s``, the same foot's previous contact) to its last (``end_s``), both included.
    gyr_time_s, gyr_dps
        Gyroscope sample times (increasing) and angular rates in deg/s in the sensor frame, covering the stride.
    start_s, end_s
        The stride's first and last contacts.

    Returns
    -------
    (forward, lever) or None
        ``forward``: the horizontal acceleration weighted by minus the vertical velocity over the stride (sensor
        frame, m^2/s^3 x s; it points forward, see the module docstring); its length grows with how clearly the
        stride shows the pendulum. ``lever``: a vector whose dot product with the forward direction is the
        stride-frequency sideways velocity at ``end_s`` (positive toward the walker's left), tilt removed. None for
        fewer than 4 acceleration samples, no gravity, or no gyroscope sample in the stride.

    Examples
    --------
    One stride of 1 s ending at a left contact: the trunk bounces twice (highest upward acceleration at the contacts),
    moves forward (+x) as the pendulum makes it, and sways toward +y (the walker's left) at the end:

    >>> t = np.arange(0.0, 1.0 + 1e-9, 0.01)
    >>> acc = np.zeros((len(t), 3))
    >>> acc[:, 2] = 9.81 + 2.0 * np.cos(4 * np.pi * (t - 1.0))
    >>> acc[:, 0] = -0.8 * np.sin(4 * np.pi * (t - 1.0))  # fastest at the contacts, slowest at mid-stance
    >>> acc[:, 1] = -0.5 * np.sin(2 * np.pi * (t - 1.0))  # sideways velocity ~ cos: toward +y at t = 1 s
    >>> forward, lever = stride_sway(acc, t, np.zeros((len(t), 3)), 0.0, 1.0)
    >>> forward[0] > 10 * max(abs(forward[1]), abs(forward[2]))
    True
    >>> contact_side(forward, lever)
    'left'
    """
    n = len(acc_ms2)
    i0 = int(gyr_time_s.searchsorted(start_s))
    i1 = int(gyr_time_s.searchsorted(end_s))
    duration_s = end_s - start_s
    if n < 4 or i1 <= i0 or not duration_s > 0.0:
        return None
    # Called once per contact: one product with a cached basis, then Python floats for the 3-vectors.
    # (.dot rather than @: the same BLAS product, bit for bit, with less call overhead, about 1.3 us a contact)
    (mx, my, mz), (sx, sy, sz), (cx2, cy2, cz2), (sx2, sy2, sz2) = _stride_basis(n).dot(acc_ms2).tolist()
    norm = math.sqrt(mx * mx + my * my + mz * mz)
    if not norm > 0.0:
        return None
    ux, uy, uz = mx / norm, my / norm, mz / norm
    # Forward: the horizontal acceleration that follows minus the vertical velocity. At the step frequency (phase
    # psi, two steps a stride) with complex amplitudes Z = C - iS of the acceleration, the velocity is Z / (i omega),
    # and the mean of a_h (-v) is proportional to Im(Z_h conj(Z_v)) = C_h S_v - S_h C_v (horizontal parts).
    cv, sv = cx2 * ux + cy2 * uy + cz2 * uz, sx2 * ux + sy2 * uy + sz2 * uz
    fx = (cx2 - cv * ux) * sv - (sx2 - sv * ux) * cv
    fy = (cy2 - cv * uy) * sv - (sy2 - sv * uy) * cv
    fz = (cz2 - cv * uz) * sv - (sz2 - sv * uz) * cv
    # Sideways velocity at the contact, v(0) ~ the cosine component of v = -(sine component of the acceleration)
    # / omega (integration by parts over a whole period); the same for the gravity that a roll angle theta puts on
    # the sideways axis (g theta, with d theta / dt = the roll rate about the forward axis). Demodulating at the
    # stride frequency keeps the part of the sway that differs between the legs; the step-frequency part, the same
    # for both legs, and any constant or linear drift over the whole period cancel.
    omega_rad_s = 2.0 * math.pi / duration_s
    dt_s = duration_s / (n - 1)
    gyr_phase = gyr_time_s[i0:i1] - end_s
    gyr_phase *= omega_rad_s
    np.cos(gyr_phase, out=gyr_phase)  # in place: one array for the phase and its cosine
    scale = GRAVITY_MS2 / omega_rad_s * math.radians(1.0) * duration_s / (i1 - i0)  # deg/s summed -> mean rad x T
    gx, gy, gz = gyr_phase.dot(gyr_dps[i0:i1]).tolist()
    gx, gy, gz = gx * scale, gy * scale, gz * scale
    # v(0) ~ -(L . sine_acc - (g / omega) F . cos_gyr) with L = up x F, i.e. F . (up x sine_acc + (g / omega) cos_gyr).
    lx = (uy * sz - uz * sy) * dt_s + gx
    ly = (uz * sx - ux * sz) * dt_s + gy
    lz = (ux * sy - uy * sx) * dt_s + gz
    # Horizontal only: the yaw rate (turning) has nothing to do with the sway, and the forward direction summed over
    # earlier strides may lean a little out of this stride's horizontal plane.
    along = lx * ux + ly * uy + lz * uz
    return (fx, fy, fz), (lx - along * ux, ly - along * uy, lz - along * uz)


@functools.lru_cache(maxsize=512)
def _stride_basis(n_samples: int) -> np.ndarray:
    """Rows: the mean, the stride-frequency sine (phase -2 pi at the first sample, 0 at the last), and the
    step-frequency cosine and sine, over ``n_samples`` samples (cached: strides have a few hundred lengths)."""
    phase = np.linspace(-2.0 * math.pi, 0.0, n_samples)
    basis = np.vstack((np.full(n_samples, 1.0 / n_samples), np.sin(phase), np.cos(2 * phase), np.sin(2 * phase)))
    basis.flags.writeable = False
    return basis


def contact_side(forward: Vector, lever: Vector) -> str | None:
    """The side of a contact from its sway lever (:func:`stride_sway`) and the walker's forward direction.

    Examples
    --------
    >>> contact_side((1.0, 0.0, 0.0), (0.3, 0.0, 0.0))
    'left'
    >>> contact_side((1.0, 0.0, 0.0), (-0.3, 0.0, 0.0))
    'right'
    >>> contact_side((0.0, 0.0, 0.0), (0.3, 0.0, 0.0)) is None
    True
    """
    value = forward[0] * lever[0] + forward[1] * lever[1] + forward[2] * lever[2]
    if not math.isfinite(value) or value == 0.0:
        return None
    return LEFT if value > 0.0 else RIGHT


__all__ = ["LEFT", "RIGHT", "contact_side", "stride_sway"]
