"""Contract checks shared by the public entry points: documented parameters equal the real ones."""

from __future__ import annotations

import inspect
import re

import pytest

from gait.analysis import analyze
from gait.coach import Coach, flag_overlong, plan_coaching, recommend_walk_length
from gait.gps import gps_stride_length_m, track_distance_m
from gait.stride_length import fit_stride_scale, pendulum_step_length_m, scale_from_known_distance
from gait.tracker import GaitTracker
from gait.validate import check_samples
from gait.zupt import stride_between_stances_m, zupt_stride_length_m
from ingest import load
from ingest.gait_csv import read_gait_csv, write_gait_csv

PUBLIC = [
    GaitTracker,
    analyze,
    check_samples,
    fit_stride_scale,
    scale_from_known_distance,
    pendulum_step_length_m,
    zupt_stride_length_m,
    stride_between_stances_m,
    gps_stride_length_m,
    track_distance_m,
    flag_overlong,
    plan_coaching,
    recommend_walk_length,
    Coach,
    load,
    read_gait_csv,
    write_gait_csv,
]


def documented_parameters(obj) -> list[str]:
    """Names listed in the numpydoc 'Parameters' section (``a, b`` lines count for each name)."""
    doc = inspect.getdoc(obj) or ""
    match = re.search(r"^Parameters\n-+\n(.*?)(?:\n\n[A-Z][a-z]+\n-+\n|\Z)", doc, flags=re.S | re.M)
    if not match:
        return []
    names: list[str] = []
    for line in match.group(1).splitlines():
        if line and not line.startswith(" "):
            names += [n.strip().split(":")[0].strip() for n in line.split(",")]
    return names


@pytest.mark.parametrize("obj", PUBLIC, ids=lambda o: o.__qualname__)
def test_documented_parameters_are_the_real_ones(obj) -> None:
    target = obj.__init__ if inspect.isclass(obj) else obj
    real = [p for p in inspect.signature(target).parameters if p not in ("self", "args", "kwargs")]
    documented = documented_parameters(obj)
    assert documented, f"{obj.__qualname__} documents no parameters"
    assert set(documented) <= set(real), f"documented but not accepted: {set(documented) - set(real)}"
    assert set(real) <= set(documented), f"accepted but not documented: {set(real) - set(documented)}"


def test_settings_are_keyword_only_and_never_swallowed() -> None:
    params = inspect.signature(GaitTracker.__init__).parameters.values()
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params if p.name != "self")
    with pytest.raises(TypeError):
        GaitTracker(placement="waist", bodyheight_m=1.7)  # a mistyped name is an error, not ignored
