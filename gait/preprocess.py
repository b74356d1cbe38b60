"""Streaming preprocessing: resampling onto a regular grid and the vertical direction from gravity.

Every function here is a pure kernel over numpy arrays; the state that carries from one chunk to the next is
an explicit, picklable dataclass (scipy's ``zi``/``zf`` idiom), so a recording split at any point gives the
same output as the whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
from scipy import signal

GRAVITY_CUTOFF_HZ = 0.25
"""Low-pass corner for the gravity estimate: slow enough to ignore steps, fast enough to follow a phone turning."""


@cache
def lowpass_sos(cutoff_hz: float, sampling_rate_hz: float, order: int = 2) -> np.ndarray:
    """Butterworth low-pass in second-order sections (cached per design)."""
    return signal.butter(order, cutoff_hz, btype="lowpass", fs=sampling_rate_hz, output="sos")


@cache
def bandpass_sos(low_hz: float, high_hz: float, sampling_rate_hz: float, order: int = 2) -> np.ndarray:
    """Butterworth band-pass in second-order sections (cached per design)."""
    return signal.butter(order, (low_hz, high_hz), btype="bandpass", fs=sampling_rate_hz, output="sos")


def sosfilt_state(sos: np.ndarray, x: np.ndarray, zi: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Filter ``x`` along axis 0 with carried state; a missing state starts at the steady state of ``x[0]``.

    The filter runs as a cascade of second-order sections, as :func:`scipy.signal.sosfilt` does, with the same
    state layout, but each section goes through :func:`scipy.signal.lfilter`: for the 10-sample chunks of a live
    sensor, sosfilt's input checks cost about 60 us a call against about 9 us for a biquad in lfilter, and a
    biquad has none of the precision problems of a high-order transfer function.

    Parameters
    ----------
    sos
        Filter in second-order sections, shape (n_sections, 6).
    x
        Samples, shape (n,) or (n, k).
    zi
        State returned by the previous call (shape (n_sections, 2) or (n_sections, 2, k)), or None at the start of
        a segment.

    Returns
    -------
    tuple
        Filtered samples and the state to pass to the next call.
    """
    if zi is None:
        base = signal.sosfilt_zi(sos)  # (sections, 2)
        zi = base[:, :, None] * x[0] if x.ndim == 2 else base * x[0]
        zi = np.asarray(zi, dtype=float)
    zf = np.empty_like(zi)
    y = x
    for k, section in enumerate(sos):
        y, zf[k] = signal.lfilter(section[:3], section[3:], y, axis=0, zi=zi[k])
    return y, zf


@dataclass
class ResamplerState:
    """Where the regular grid stands: its origin, the next grid index and the last input sample.

    Attributes
    ----------
    origin_s
        Time of grid index 0 of the current segment.
    next_index
        Grid index of the next sample to produce.
    last_time_s, last_values
        The latest input sample, needed to interpolate across chunk borders.
    """

    origin_s: float | None = None
    next_index: int = 0
    last_time_s: float | None = None
    last_values: np.ndarray | None = field(default=None, repr=False)


def resample_chunk(
    state: ResamplerState, time_s: np.ndarray, values: np.ndarray, sampling_rate_hz: float
) -> tuple[np.ndarray, np.ndarray]:
    """Linearly interpolate new samples onto the grid ``origin_s + k / sampling_rate_hz``.

    The caller splits chunks at gaps and starts a new segment (fresh state) after each, so no value is ever
    interpolated across a gap. A grid sample depends only on the two input samples around it, which makes
    the output independent of where chunks are split.

    Parameters
    ----------
    state
        Carried state; updated in place.
    time_s
        New input times, strictly increasing and later than ``state.last_time_s``.
    values
        New input values, shape (n, k).
    sampling_rate_hz
        Grid rate.

    Returns
    -------
    tuple
        Grid times (m,) and interpolated values (m, k).
    """
    if len(time_s) == 0:
        return np.empty(0), np.empty((0, values.shape[1]))
    if state.origin_s is None:
        state.origin_s = float(time_s[0])
        state.next_index = 0
        full_t, full_v = time_s, values
    else:
        full_t = np.concatenate(([state.last_time_s], time_s))
        full_v = np.concatenate((state.last_values[None, :], values))
    dt = 1.0 / sampling_rate_hz
    last_index = int(np.floor((full_t[-1] - state.origin_s) / dt + 1e-9))
    idx = np.arange(state.next_index, last_index + 1)
    grid_t = state.origin_s + idx * dt
    out = np.empty((len(idx), values.shape[1]))
    for k in range(values.shape[1]):
        out[:, k] = np.interp(grid_t, full_t, full_v[:, k])
    state.next_index = last_index + 1
    state.last_time_s = float(time_s[-1])
    state.last_values = values[-1].copy()
    return grid_t, out


def vertical_from_gravity(acc_ms2: np.ndarray, gravity_ms2: np.ndarray) -> np.ndarray:
    """Project acceleration on the current gravity direction and remove gravity's magnitude.

    Parameters
    ----------
    acc_ms2
        Acceleration including gravity, shape (n, 3).
    gravity_ms2
        Slowly varying gravity estimate (low-passed acceleration), shape (n, 3).

    Returns
    -------
    numpy.ndarray
        Vertical (upward positive) dynamic acceleration in m/s^2, shape (n,).
    """
    g_norm = np.sqrt(np.einsum("ij,ij->i", gravity_ms2, gravity_ms2))
    g_norm = np.where(g_norm > 1e-6, g_norm, 1.0)
    return np.einsum("ij,ij->i", acc_ms2, gravity_ms2) / g_norm - g_norm
