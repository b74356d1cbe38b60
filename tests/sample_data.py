"""The real sample recordings in ``sample_recordings/`` and their reference events, for tests.

Works on a fresh clone (no ``../shared`` needed): each ``<name>.csv`` has a ``<name>.reference.json`` beside it
(written by ``python -m bench.make_samples``; the README there explains the fields).

Example::

    from tests.sample_data import samples
    for s in samples():
        recording = s.load()
        ics = s.initial_contacts_s
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from gait.types import Placement, Recording
from ingest.gait_csv import read_gait_csv

SAMPLES_DIR = Path(__file__).resolve().parents[1] / "sample_recordings"
REFERENCE_SUFFIX = ".reference.json"


@dataclass(frozen=True)
class Sample:
    """One sample recording: its gait CSV and its reference document."""

    path: Path
    reference: dict[str, Any]

    @property
    def name(self) -> str:
        """File name without ``.csv``."""
        return self.path.stem

    @property
    def placement(self) -> Placement:
        """Where the sensor was worn (nearest of our placements)."""
        return Placement.parse(self.reference["placement"])

    @property
    def initial_contacts_s(self) -> np.ndarray:
        """Reference initial contacts on the CSV's time axis (one foot only when ``side`` is set)."""
        return np.asarray(self.reference["reference"]["initial_contacts_s"], dtype=float)

    @property
    def initial_contact_sides(self) -> list[str | None] | None:
        """The foot (``"left"`` / ``"right"``) of each reference initial contact, None where the reference does not
        name it; None when the reference names no sides."""
        return self.reference["reference"].get("initial_contact_sides")

    @property
    def strides(self) -> list[tuple[float, float, float]]:
        """Reference strides ``(start_s, end_s, length_m)``, NaN length where the reference has none."""
        return [
            (s["start_s"], s["end_s"], float("nan") if s["length_m"] is None else s["length_m"])
            for s in self.reference["reference"]["strides"]
        ]

    @property
    def bouts(self) -> list[tuple[float, float, float]]:
        """Reference walking bouts ``(start_s, end_s, cadence_spm)``."""
        return [(b["start_s"], b["end_s"], b["cadence_spm"]) for b in self.reference["reference"]["bouts"]]

    @property
    def walking_spans(self) -> list[tuple[float, float]]:
        """Spans inside which the reference annotates every initial contact."""
        return [(float(a), float(b)) for a, b in self.reference["reference"]["walking_spans"]]

    @property
    def side(self) -> str | None:
        """``"left"`` / ``"right"`` for a foot sensor, else None."""
        return self.reference["side"]

    def load(self) -> Recording:
        """Read the CSV into a Recording with the sample's placement and known heights."""
        rec = read_gait_csv(self.path, placement=self.placement)
        return dataclasses.replace(
            rec, body_height_m=self.reference["body_height_m"], sensor_height_m=self.reference["sensor_height_m"]
        )

    @cached_property
    def recording(self) -> Recording:
        """:meth:`load`, cached per Sample object."""
        return self.load()


def samples(directory: Path = SAMPLES_DIR) -> list[Sample]:
    """Every sample recording in ``directory``, sorted by name."""
    out = []
    for ref_path in sorted(directory.glob(f"*{REFERENCE_SUFFIX}")):
        reference = json.loads(ref_path.read_text(encoding="utf-8"))
        out.append(Sample(path=directory / reference["file"], reference=reference))
    return out


def sample(name: str, directory: Path = SAMPLES_DIR) -> Sample:
    """The sample called ``name`` (file name without ``.csv``)."""
    for s in samples(directory):
        if s.name == name:
            return s
    names = ", ".join(s.name for s in samples(directory))
    raise KeyError(f"no sample recording {name!r}; there are: {names}")


__all__ = ["SAMPLES_DIR", "Sample", "sample", "samples"]
