"""Without a personal baseline a walk is judged against its own first 20 trusted strides: uploads, live walks, demos
and crash recovery alike, on a real recording (the gaitmap foot sensor: its strides do not depend on the body
height, so the profile's height moves only the population line)."""

from __future__ import annotations

import asyncio
import math
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from gait.types import Placement, StrideEvent
from ingest.replay import replay_chunks
from service import coaching
from service.demo import sample_recording
from service.live import LiveSession
from service.livehub import _stride_row, recover_interrupted
from service.store import NewWalk, Store
from tests.service.serverproc import REPO

SAMPLE = REPO / "sample_recordings" / "gaitmap_left_foot.csv"
TOLERANCE_M = 0.05


def population_m(height_m: float, cadence_spm: float) -> float:
    """The population line, 2 x 0.0035 x height x cadence, cadence held within 98-130 steps/min."""
    return 2 * 0.0035 * height_m * min(max(cadence_spm, 98.0), 130.0)


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 9)


def trusted(s: dict) -> bool:
    return s["length_m"] is not None and 0.2 <= s["length_m"] <= 2.5 and s["confidence"] >= 0.6


def upload_sample(client: TestClient, tmp_path: Path, height_m: float) -> dict:
    profile = {"body_height_m": height_m, "placement": "foot", "coaching": {"enabled": True}}
    assert client.put("/api/profile", json=profile).status_code == 200
    path = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, path)
    with path.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (path.name, fh, "text/csv")}, data={"placement": "foot"})
    assert r.status_code == 201, r.text
    return r.json()["walks"][0]


def test_an_upload_is_judged_against_its_own_first_strides_not_the_population_line(
    client: TestClient, tmp_path: Path
) -> None:
    assert client.post("/api/pain", json={"score": 5}).status_code == 201
    # a 1.40 m profile puts the population line about 20 % below this walker's strides (1.36 m at 110 steps/min
    # against 1.08 m): every stride was overlong against its 10 % target
    walk = upload_sample(client, tmp_path, 1.40)
    strides = client.get(f"/api/walks/{walk['id']}/strides").json()
    level_idx = [i for i, s in enumerate(strides) if trusted(s)][:20]
    assert len(level_idx) == 20 and len(strides) > level_idx[-1] + 5
    first, later = strides[: level_idx[-1] + 1], strides[level_idx[-1] + 1 :]
    assert {(s["target_m"], s["overlong"]) for s in first} == {(None, None)}  # they set the level: not judged
    scale = float(
        np.median([strides[i]["length_m"] / population_m(1.40, strides[i]["cadence_spm"]) for i in level_idx])
    )
    for s in later:
        assert s["target_m"] == pytest.approx(0.9 * scale * population_m(1.40, s["cadence_spm"]), rel=1e-9)
        if trusted(s):
            assert s["overlong"] == int(s["length_m"] > s["target_m"] + TOLERANCE_M)
    against_line = [
        s for s in strides if trusted(s) and s["length_m"] > 0.9 * population_m(1.40, s["cadence_spm"]) + TOLERANCE_M
    ]
    flagged = [s for s in strides if s["overlong"]]
    assert len(against_line) >= 0.8 * len(strides)  # the old target: 10 % below the line meant about 28 % shorter
    assert 0 < len(flagged) < len(against_line) / 2
    assert walk["summary"]["flagged_strides"] == len(flagged)
    # the walk's coaching says what it was judged against, with the level it found
    coaching_then = client.get(f"/api/walks/{walk['id']}").json()["coaching"]
    assert coaching_then["judged_against"] == "this walk's first 20 strides"
    assert coaching_then["walk_level_scale"] == pytest.approx(scale)
    said = [
        r
        for r in coaching_then["reasons"]
        if r.startswith("There is no baseline of yours for a foot sensor yet, so strides were compared")
    ]
    assert len(said) == 1 and f"{100 * (scale - 1):.0f} % above the population default for 1.40 m" in said[0]

    # a 2.10 m profile puts the line about 20 % above the strides: the old target flagged none of them; the walk's
    # own level flags the same strides as before, whatever the height
    assert client.delete(f"/api/walks/{walk['id']}").status_code == 200
    tall = upload_sample(client, tmp_path, 2.10)
    tall_strides = client.get(f"/api/walks/{tall['id']}/strides").json()
    assert not any(
        trusted(s) and s["length_m"] > 0.9 * population_m(2.10, s["cadence_spm"]) + TOLERANCE_M for s in tall_strides
    )
    assert [s["overlong"] for s in tall_strides] == [s["overlong"] for s in strides]
    assert [rounded(s["target_m"]) for s in tall_strides] == [rounded(s["target_m"]) for s in strides]


def _live_walk(store: Store, journal_dir: Path, *, demo: bool) -> tuple[int, list[dict], list[dict]]:
    """Stream the sample through a live session coached as the service coaches a live (or demo) walk; returns the
    walk id, its stride messages and its cue messages (nothing is stored yet: the hub would)."""
    recording = sample_recording(SAMPLE)
    profile = coaching.load_profile(store)
    if demo:
        coach, plan, _ = coaching.demo_coach(profile.coaching.coach_settings(), body_height_m=recording.body_height_m)
    else:
        coach, plan = coaching.live_coach(store, profile)
    walk_id = store.start_live_walk(
        NewWalk(
            name="live",
            origin="live",
            placement="foot",
            coaching=coaching.plan_description(plan, profile, None if demo else store),
            demo=demo,
        )
    )
    session = LiveSession(
        replay_chunks(recording, speed=math.inf),
        placement=Placement.FOOT,
        body_height_m=recording.body_height_m,
        coach=coach,
        journal_dir=journal_dir,
        session_id=f"walk-{walk_id}",
        sensor_side="left",
    )
    queue = session.subscribe()
    asyncio.run(session.run())
    messages = [queue.get_nowait() for _ in range(queue.qsize())]
    return (
        walk_id,
        [m for m in messages if m["type"] == "stride"],
        [m for m in messages if m["type"] == "cue"],
    )


@pytest.fixture
def coached_store(store: Store) -> Store:
    """A walker with coaching on, a 1.40 m height and pain reported a minute ago (no personal baseline)."""
    store.put_profile({"body_height_m": 1.40, "placement": "foot", "coaching": {"enabled": True}})
    reported = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="seconds")
    store.add_pain({"reported_at": reported, "score": 5, "walk_id": None, "onset_distance_m": None,
                    "onset_time_s": None, "note": None})  # fmt: skip
    return store


def test_a_live_walk_cues_only_after_its_level_and_judges_as_an_upload_would(
    coached_store: Store, tmp_path: Path
) -> None:
    _, strides, cues = _live_walk(coached_store, tmp_path / "journal", demo=False)
    level_end = [i for i, m in enumerate(strides) if trusted(m)][19] + 1
    assert {(m["target_m"], m["overlong"]) for m in strides[:level_end]} == {(None, None)}
    assert {m["judged_against"] for m in strides} == {"this walk's first 20 strides"}
    # an upload's judge fed the same strides in the same order says the same of each
    judge, _ = coaching.stride_flagger(coached_store, coaching.load_profile(coached_store))
    for m in strides:
        event = StrideEvent(m["start_s"], m["end_s"], m["length_m"], m["cadence_spm"], m["speed_mps"],
                            m["confidence"], m["method"], m["side"])  # fmt: skip
        target_m, overlong = judge(event)
        assert (m["target_m"], m["overlong"]) == (pytest.approx(target_m), overlong)
    shorten = [c for c in cues if c["kind"] == "shorten_stride"]
    assert shorten and all(c["t_s"] > strides[level_end - 1]["end_s"] for c in shorten)
    assert all("below this walk's first 20 strides" in c["reason"] for c in shorten)


@pytest.mark.parametrize("demo", [False, True])
def test_strides_recovered_after_a_crash_are_judged_as_they_were_live(
    coached_store: Store, tmp_path: Path, demo: bool
) -> None:
    if demo:  # the walker's own coaching off: a demo walk is coached all the same, by the demo coach
        coached_store.put_profile({"body_height_m": 1.40, "placement": "foot"})
    journal_dir = tmp_path / "journal"
    walk_id, strides, _ = _live_walk(coached_store, journal_dir, demo=demo)
    level_end = [i for i, m in enumerate(strides) if trusted(m)][19] + 1
    # the crash: only the strides up to a few after the level were committed (the rest are in the journal)
    kept = level_end + 2
    coached_store.append_live(walk_id, strides=[_stride_row(m) for m in strides[:kept]])
    (walk,) = recover_interrupted(coached_store, journal_dir)
    assert walk["id"] == walk_id and walk["status"] == "interrupted"
    stored = coached_store.strides(walk_id)
    assert len(stored) == len(strides)
    recovered = stored[kept:]
    # a fresh judge would have had no level for these: no target, no verdict; they are judged as live
    assert [s["start_s"] for s in recovered] == pytest.approx([m["start_s"] for m in strides[kept:]])
    assert [s["target_m"] for s in recovered] == pytest.approx([m["target_m"] for m in strides[kept:]])
    assert [s["overlong"] for s in recovered] == [None if m["overlong"] is None else int(m["overlong"])
                                                  for m in strides[kept:]]  # fmt: skip
    assert any(s["overlong"] is not None for s in recovered)


def test_the_walk_page_reasons_state_the_rule_then_what_this_walk_found(client: TestClient, tmp_path: Path) -> None:
    assert client.post("/api/pain", json={"score": 5}).status_code == 201
    walk = upload_sample(client, tmp_path, 1.40)
    reasons = client.get(f"/api/walks/{walk['id']}").json()["coaching"]["reasons"]
    first = "Baseline for a foot sensor: none of your own yet; population default from height 1.40"
    baseline = next(i for i, r in enumerate(reasons) if r.startswith(first))
    assert reasons[baseline + 1].startswith("Until then each walk sets its own level")
    assert reasons[baseline + 2].startswith(
        "There is no baseline of yours for a foot sensor yet, so strides were compared"
    )
