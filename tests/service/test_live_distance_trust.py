"""A live walk with an uncalibrated phone (QA19a #12): the walk's running distance, summed from the phone's
untrusted stride lengths, never makes the coach say "You have walked 84 m"; each stride message says why the
prompt near the usual point of pain stays silent, for the Live page.

The real phone recording sample_recordings/oxford_phone_in_hand.csv streamed through a LiveSession.
"""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

from gait.coach import Coach, CoachSettings, PainReport, plan_coaching
from ingest.replay import replay_chunks
from service.demo import sample_recording
from service.live import LiveSession
from tests.service.serverproc import REPO

NOW_S = 1_800_000_000.0


def stream(coach: Coach, tmp_path: Path) -> list[dict]:
    rec = sample_recording(REPO / "sample_recordings" / "oxford_phone_in_hand.csv")
    session = LiveSession(
        replay_chunks(rec, speed=math.inf), placement="hand", body_height_m=1.75, coach=coach, journal_dir=tmp_path
    )
    queue = session.subscribe()
    asyncio.run(session.run())
    return [queue.get_nowait() for _ in range(queue.qsize())]


def test_an_uncalibrated_phones_live_distance_gives_no_prompt_and_says_why(tmp_path: Path) -> None:
    settings = CoachSettings(enabled=True)
    # pain usually 30 m in: the plan (25 m) ends well inside the recording's walk, by the phone's guess
    reports = [PainReport(NOW_S - 86400.0, 5, onset_distance_m=30.0)]
    plan = plan_coaching([], reports, settings, body_height_m=1.75, now_s=NOW_S, placement="hand")
    messages = stream(Coach(plan, settings), tmp_path)
    strides = [m for m in messages if m["type"] == "stride"]
    assert strides and not any(m["trusted"] for m in strides)  # an uncalibrated phone: lengths at confidence 0.35
    assert max(m["walk_distance_m"] or 0.0 for m in strides) > 2 * plan.recommendation.walk_length_m
    assert [m for m in messages if m["type"] == "cue" and m["kind"] == "near_pain_distance"] == []
    note = strides[-1]["distance_cue_note"]
    assert note.startswith("No prompt near your usual point of pain on this walk: this walk's distance is a guess")
