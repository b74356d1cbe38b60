"""bench.not_walking: a shoe sensor with its gyroscope finds no walking in a vehicle's vibration."""

from __future__ import annotations

import pytest

from bench.not_walking import synthesise, with_resting_foot_gyroscope
from gait.analysis import analyze


@pytest.mark.parametrize("case", ["car_0.5", "car_1.0", "noise_1.0", "noise_step_band_1.0"])
def test_a_shoe_resting_on_a_vibrating_floor_takes_no_step(case: str) -> None:
    rec = synthesise(case, duration_s=120.0)
    # the trunk's analysis of the same vibration finds "walking" (the open problem the benchmark measures) ...
    assert len(analyze(rec, placement="lower_back").steps) > 20
    # ... a shoe's swing does not happen on a floor
    result = analyze(with_resting_foot_gyroscope(rec, case), placement="foot")
    assert result.steps == [] and result.bouts == []
