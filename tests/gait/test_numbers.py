"""round_half_away: ties away from zero on the float's exact value, and only ties pay for exact decimal arithmetic.

An export of a year's walks (400 walks, about 700,000 strides and as many steps) rounds millions of times; with
every call through Decimal the rounding alone took about a third of the export's time.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import gait.numbers
from gait.numbers import round_half_away


def exact_half_up(value: float, decimals: int) -> float:
    """The reference: the float's exact binary value, rounded half away from zero (what JavaScript's toFixed does)."""
    return float(Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)) + 0.0


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12), st.integers(0, 4))
def test_rounding_is_the_exact_half_up_rounding(value: float, decimals: int) -> None:
    got = round_half_away(value, decimals)
    assert got == exact_half_up(value, decimals)
    assert math.copysign(1.0, got) == 1.0 or got != 0.0  # never "-0"


@pytest.mark.parametrize("decimals", [0, 1, 2, 3])
def test_values_just_beside_a_tie_round_as_their_exact_value(decimals: int) -> None:
    for k in range(-2000, 2000):
        tie = (k + 0.5) / 10**decimals
        for value in (math.nextafter(tie, -math.inf), tie, math.nextafter(tie, math.inf)):
            assert round_half_away(value, decimals) == exact_half_up(value, decimals), (value, decimals)


class CountingDecimal(Decimal):
    made = 0

    def __new__(cls, *args: object) -> CountingDecimal:
        CountingDecimal.made += 1
        return super().__new__(cls, *args)


def test_only_a_tie_is_rounded_with_exact_decimals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gait.numbers, "Decimal", CountingDecimal)
    CountingDecimal.made = 0
    # stride times and lengths as an export rounds them: none of them a tie
    values = [0.01 * i + 0.0037 for i in range(1000)] + [1.23456, 98.7654321, -3.14159]
    assert [round_half_away(v, 3) for v in values[:3]] == [0.004, 0.014, 0.024]
    for v in values:
        round_half_away(v, 3)
    assert CountingDecimal.made == 0
    # ties (on the float's exact value) still go away from zero, as the dashboard rounds them
    assert (round_half_away(134.5), round_half_away(1.125, 2), round_half_away(-2.5)) == (135.0, 1.13, -3.0)
    assert CountingDecimal.made > 0
