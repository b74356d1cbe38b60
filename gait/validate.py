"""Boundary checks on sample arrays: one place that says what is wrong with input and what to do."""

from __future__ import annotations

import numpy as np

from gait.consts import GRAVITY_MS2, MIN_SAMPLING_RATE_HZ
from gait.errors import GaitError


def median_rate_hz(time_s: np.ndarray) -> float:
    """Median sampling rate of a time axis in Hz (0 when fewer than two samples)."""
    if len(time_s) < 2:
        return 0.0
    # A strided subsample of the intervals tells the rate as well as all of them, at a fraction of the cost on
    # a day of data.
    idx = np.arange(0, len(time_s) - 1, max(1, len(time_s) // 200_000))
    dt = time_s[idx + 1] - time_s[idx]
    dt = dt[dt > 0]
    return float(1.0 / np.median(dt)) if len(dt) else 0.0


def check_samples(
    time_s: np.ndarray, acc_ms2: np.ndarray, gyr_dps: np.ndarray | None = None, *, what: str = "input"
) -> None:
    """Raise :class:`GaitError` when samples break the core's contract.

    Checks shapes, non-finite values, time that goes backwards or repeats, a sampling rate below
    20 Hz, and acceleration that looks like g although m/s^2 is declared.

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
    """
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
        bad = ~np.isfinite(arr)
        if bad.any():
            row = int(np.argwhere(bad)[0][0])
            raise GaitError(
                f"{what}: {name} has {int(bad.sum())} missing or non-finite values (first at row {row}); "
                "remove or interpolate those rows and try again",
                reason="non_finite",
            )
    if n >= 2:
        not_increasing = time_s[1:] <= time_s[:-1]
        if not_increasing.any():
            row = int(np.argmax(not_increasing)) + 1
            kind = "repeats" if time_s[row] == time_s[row - 1] else "goes backwards"
            raise GaitError(
                f"{what}: time {kind} at row {row} ({float(time_s[row - 1]):g} s -> {float(time_s[row]):g} s); "
                "time stamps must strictly increase: sort the rows and drop duplicates",
                reason="time_not_increasing",
            )
        rate = median_rate_hz(time_s)
        if rate < MIN_SAMPLING_RATE_HZ:
            raise GaitError(
                f"{what}: sampled at {rate:.1f} Hz, below the {MIN_SAMPLING_RATE_HZ:.0f} Hz needed to see "
                "individual steps; record again at 50 Hz or more",
                reason="rate_too_low",
            )
    # The median of a strided subsample is as telling as the full median and far cheaper on a day of data.
    sample = acc_ms2[:: max(1, n // 100_000)]
    median_norm = float(np.median(np.sqrt(np.einsum("ij,ij->i", sample, sample))))
    if 0.5 < median_norm < 2.0:
        raise GaitError(
            f"{what}: acceleration has a median magnitude of {median_norm:.2f}, which looks like units of g, "
            f"not m/s^2 (expected about {GRAVITY_MS2:.1f}); multiply by {GRAVITY_MS2} or declare the unit as g",
            reason="units_look_like_g",
        )
    if median_norm < 0.5:
        raise GaitError(
            f"{what}: acceleration has a median magnitude of {median_norm:.2f} m/s^2, so gravity is missing "
            "(a 'linear acceleration' export); export acceleration including gravity instead",
            reason="gravity_missing",
        )
