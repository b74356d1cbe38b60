"""Per-stride overstride flags: is this stride longer than the target by more than the tolerance?"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from gait.coach.settings import DEFAULT_MIN_CONFIDENCE, DEFAULT_TOLERANCE_M
from gait.errors import GaitError
from gait.types import StrideEvent


def stride_flag(
    length_m: float | None, confidence: float, target_m: float, *, tolerance_m: float, min_confidence: float
) -> bool | None:
    """Flag one stride: True when ``length_m > target_m + tolerance_m``, None when the length cannot be judged.

    None (no verdict) when the length is unknown or not finite, the confidence is below ``min_confidence``, or
    the target is not finite (for example no baseline at this cadence).
    """
    if length_m is None or not math.isfinite(length_m) or not math.isfinite(target_m):
        return None
    if not confidence >= min_confidence:  # also catches a NaN confidence
        return None
    return bool(length_m > target_m + tolerance_m)  # a plain bool even for numpy scalars: callers test `is True`


def flag_overlong(
    strides: Sequence[StrideEvent],
    target_stride_m: float | Callable[[float], float],
    *,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> list[bool | None]:
    """Mark each stride as overlong (True), fine (False) or not judged (None).

    Parameters
    ----------
    strides
        Stride events, for example ``analyze(...).strides``.
    target_stride_m
        A fixed target in metres (``gait analyze --target-stride-m``), or a function of cadence in steps/min
        (``CoachingPlan.target_stride_m``).
    tolerance_m
        A stride is overlong only when longer than target + tolerance_m.
    min_confidence
        Strides with a lower confidence get None: unreliable estimates are never flagged.

    Returns
    -------
    list of bool or None
        One entry per stride.

    Examples
    --------
    >>> s = StrideEvent(0.0, 1.0, 1.40, 120.0, 1.4, 0.9, "zupt")
    >>> flag_overlong([s], 1.30, tolerance_m=0.05)
    [True]
    """
    if callable(target_stride_m):
        target_of = target_stride_m
    else:
        fixed = float(target_stride_m)
        if not math.isfinite(fixed) or fixed <= 0:
            raise GaitError(
                f"target stride length {target_stride_m!r} m must be a positive number of metres (e.g. 1.2)",
                reason="bad_target",
            )

        def target_of(_cadence_spm: float) -> float:
            return fixed

    if not math.isfinite(tolerance_m) or tolerance_m < 0:
        raise GaitError(f"tolerance {tolerance_m!r} m must be zero or more metres", reason="bad_target")
    return [
        stride_flag(
            s.length_m,
            s.confidence,
            float(target_of(s.cadence_spm)),
            tolerance_m=tolerance_m,
            min_confidence=min_confidence,
        )
        for s in strides
    ]
