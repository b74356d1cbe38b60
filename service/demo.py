"""First run and the demo walk: import the sample recordings, replay one through a live session."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from gait.errors import GaitError
from gait.types import Placement, Recording
from ingest.errors import IngestError
from ingest.replay import replay_chunks
from service.coaching import live_coach, load_profile, plan_description
from service.live import LiveSession
from service.livehub import LiveHub
from service.pipeline import personal_scale, process_file, read_recording
from service.settings import Settings
from service.store import NewWalk, Store

log = logging.getLogger(__name__)

RECORDING_SUFFIXES = (".csv", ".zip", ".gz", ".json", ".xml", ".txt")


def list_samples(samples_dir: Path) -> list[Path]:
    """Recordings in ``samples_dir`` (not their ``*.reference.json`` or licence files), sorted by name."""
    if not samples_dir.is_dir():
        return []
    return sorted(
        p
        for p in samples_dir.iterdir()
        if p.is_file() and p.suffix.lower() in RECORDING_SUFFIXES and ".reference." not in p.name
    )


def sample_reference(path: Path) -> dict[str, Any]:
    """The sample's ``<name>.reference.json`` ({} when there is none or it cannot be read)."""
    ref = path.with_name(path.name.split(".")[0] + ".reference.json")
    try:
        data = json.loads(ref.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def sample_placement(path: Path) -> Placement | None:
    """Placement stated in the sample's reference file, when there is one."""
    value = sample_reference(path).get("placement")
    return Placement.parse(value) if value else None


def sample_recording(path: Path) -> Recording:
    """Read a sample with the placement and heights its reference file states (they improve stride lengths)."""
    ref = sample_reference(path)
    recording = read_recording(path, placement=sample_placement(path))
    return replace(
        recording,
        body_height_m=recording.body_height_m or ref.get("body_height_m"),
        sensor_height_m=recording.sensor_height_m or ref.get("sensor_height_m"),
    )


def find_sample(samples_dir: Path, name: str | None) -> Path:
    """The sample called ``name`` (default: the first); raises FileNotFoundError with the choices."""
    samples = list_samples(samples_dir)
    if not samples:
        raise FileNotFoundError(f"no sample recordings in {samples_dir}")
    if name is None:
        # The longest lower-back recording makes the most telling demo (the placement most walkers use).
        return max(samples, key=lambda p: (sample_placement(p) is Placement.LOWER_BACK, p.stat().st_size))
    for p in samples:
        if p.name == name:
            return p
    raise FileNotFoundError(f"no sample {name!r}: choose one of {', '.join(p.name for p in samples)}")


async def start_demo(hub: LiveHub, store: Store, settings: Settings, *, sample: str | None, speed: float) -> int:
    """Replay a sample recording through a live session as a new live walk; returns the walk id."""
    path = find_sample(settings.samples_dir, sample)
    recording = await asyncio.to_thread(sample_recording, path)
    profile = await asyncio.to_thread(load_profile, store)
    coach, plan = await asyncio.to_thread(live_coach, store, profile)
    placement = recording.placement or sample_placement(path) or profile.placement or Placement.LOWER_BACK
    settings.journal_dir.mkdir(parents=True, exist_ok=True)

    def make_session(walk_id: int) -> object:
        return LiveSession(
            replay_chunks(recording, speed=speed),
            placement=placement,
            body_height_m=recording.body_height_m or profile.body_height_m,
            stride_scale=personal_scale(profile.placement, profile.stride_scale, placement),
            coach=coach,
            journal_dir=settings.journal_dir,
            session_id=f"walk-{walk_id}",
        )

    walk = NewWalk(
        name=f"Live demo: {path.stem}",
        origin="live",
        format="replay",
        placement=placement.value,
        source={"demo": True, "sample": path.name, "speed": speed, "format": "replay"},
        coaching=plan_description(plan, profile),
    )
    return await hub.start(make_session, walk)


def import_samples(store: Store, samples_dir: Path) -> list[int]:
    """Import every sample recording as a walk (blocking); a sample that cannot be read is logged and skipped."""
    ids = []
    for path in list_samples(samples_dir):
        try:
            ids += process_file(path, store=store, name=path.stem, origin="sample", recording=sample_recording(path))
        except (IngestError, GaitError) as exc:
            log.warning("sample %s not imported: %s", path.name, exc)
    return ids
