"""docs/COACHING.md states the real defaults, limits, tips and disclaimer (documented params equal real ones)."""

from __future__ import annotations

import doctest
import importlib
import re
from fractions import Fraction
from pathlib import Path

import pytest

from gait.coach import NOT_MEDICAL_ADVICE, REDUCTION_RANGE, TIPS, CoachSettings

DOC = Path(__file__).resolve().parents[2] / "docs" / "COACHING.md"


def _doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def _table_defaults() -> dict[str, str]:
    rows = {}
    for line in _doc_text().splitlines():
        m = re.match(r"\| `([a-z0-9_]+)`(?:, `([a-z0-9_]+)`)? \| ([^|]+) \|", line)
        if m:
            names = [n for n in m.group(1, 2) if n]
            values = [v.strip() for v in m.group(3).split(",")]
            rows.update(zip(names, values, strict=True))
    return rows


def _parse(value: str) -> object:
    if value in ("true", "false"):
        return value == "true"
    return float(Fraction(value))


def test_settings_table_lists_every_setting_with_its_real_default() -> None:
    rows = _table_defaults()
    defaults = CoachSettings().to_dict()
    assert set(rows) == set(defaults)
    for name, value in rows.items():
        assert _parse(value) == pytest.approx(defaults[name]), name


def test_doc_states_the_disclaimer_the_reduction_range_and_the_tips() -> None:
    text = " ".join(_doc_text().replace("> ", "").split())
    assert " ".join(NOT_MEDICAL_ADVICE.split()).removeprefix("Not medical advice. ") in text
    low, high = REDUCTION_RANGE
    assert f"between **{low * 100:.0f} % and {high * 100:.0f} %**" in text
    for tip in TIPS:
        assert f"**{tip.title}.** {tip.text}" in text


@pytest.mark.parametrize(
    "module",
    [
        "gait.coach.baseline",
        "gait.coach.flags",
        "gait.coach.judge",
        "gait.coach.pain",
        "gait.coach.plan",
        "gait.coach.stream",
    ],
)
def test_docstring_examples_run(module: str) -> None:
    mod = importlib.import_module(module)
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
