"""One rounding for every figure shown: half away from zero, as people round and as the dashboard does.

Python's ``round`` and ``format`` round a tie (a float exactly halfway, 134.5) to the even neighbour, so the command
line said "134 m" where the dashboard (JavaScript's ``toFixed`` and ``Math.round``) said "135 m" for the same stored
134.5 m. Both work on the float's exact binary value, so they agree everywhere except on ties; rounding ties away
from zero here makes every figure the same wherever it is shown.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

TIE_MARGIN = 1e-9
"""A value whose scaled fraction lies further than this (relative to the scaled value, at least 1) from one half is
no tie, whatever the error of scaling it in floating point (about 1e-16 relative): rounded the fast way."""


def round_half_away(value: float, decimals: int = 0) -> float:
    """``value`` rounded to ``decimals`` places, a tie away from zero (on the float's exact value, as ``toFixed``).

    Examples
    --------
    >>> round_half_away(134.5), round_half_away(1.125, 2), round_half_away(-2.5), round_half_away(2.675, 2)
    (135.0, 1.13, -3.0, 2.67)
    """
    if not math.isfinite(value):
        return value
    scaled = abs(value) * 10.0**decimals
    if abs(scaled % 1.0 - 0.5) > TIE_MARGIN * (scaled if scaled > 1.0 else 1.0):
        # Clearly no tie: Python's round rounds the float's exact value correctly too, and differs from the exact
        # rounding below only on a tie (to the even neighbour). About 20 times as fast: an export of a year's walks
        # rounds millions of step and stride times.
        return round(value, decimals) + 0.0
    # Decimal(float) is the float's exact value: 2.675 is 2.67499999..., below the tie, as toFixed sees it.
    exact = Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return float(exact) + 0.0  # + 0.0: no "-0"


def fixed(value: float, decimals: int = 0) -> str:
    """``value`` as text with ``decimals`` places, rounded as :func:`round_half_away` (JavaScript's ``toFixed``).

    Examples
    --------
    >>> fixed(134.5), fixed(1.125, 2), fixed(0.5), fixed(-0.4)
    ('135', '1.13', '1', '0')
    """
    return f"{round_half_away(value, decimals):.{decimals}f}"
