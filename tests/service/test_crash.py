"""Kill the server (SIGKILL) mid-upload and mid-live-walk: the database stays consistent and a restart resumes."""

from __future__ import annotations

import json
import signal
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gait.analysis import analyze
from service.live import load_journal
from tests.service.conftest import write_walk_csv
from tests.service.serverproc import Server


@pytest.fixture
def dirs(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    samples = tmp_path / "samples"
    samples.mkdir()
    write_walk_csv(samples / "demo_walk.csv", duration_s=120.0)
    (samples / "demo_walk.reference.json").write_text(json.dumps({"placement": "lower_back"}))
    yield tmp_path / "data", samples


def db_facts(data_dir: Path) -> tuple[str, dict[int, int]]:
    conn = sqlite3.connect(data_dir / "gait.sqlite3")
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        counts = dict(
            conn.execute("SELECT w.id, COUNT(s.idx) FROM walks w LEFT JOIN strides s ON s.walk_id = w.id GROUP BY w.id")
        )
    finally:
        conn.close()
    return check, counts


def test_kill_mid_upload_keeps_db_consistent(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    data, samples = dirs
    server = Server(data, samples, demo=False)
    with (samples / "demo_walk.csv").open("rb") as fh:
        r = server.client.post("/api/uploads", files={"file": ("a.csv", fh)}, data={"placement": "lower_back"})
    assert r.status_code == 201
    first = r.json()["walks"][0]
    # an hour at 100 Hz: its reading and analysis take seconds, where 20 minutes' were over between two polls on a
    # fast machine (the kill then came after the commit)
    big = write_walk_csv(tmp_path / "big.csv", duration_s=3600.0)

    def send() -> None:
        with big.open("rb") as fh, pytest.raises(httpx.TransportError):
            server.client.post(
                "/api/uploads?upload_id=big", files={"file": ("big.csv", fh)}, data={"placement": "lower_back"}
            )

    sender = threading.Thread(target=send)
    sender.start()
    server.wait_until(
        lambda: server.client.get("/api/uploads/big").json().get("stage") in ("reading", "analysing"), "the analysis"
    )
    server.kill()
    sender.join(30)
    check, counts = db_facts(data)
    assert check == "ok"
    assert counts == {first["id"]: first["summary"]["strides"]}  # nothing of the killed upload, nothing lost
    again = Server(data, samples, demo=False)
    try:
        walks = again.client.get("/api/walks").json()
        assert [w["id"] for w in walks] == [first["id"]]
        assert not any((data / "spool").iterdir()), "the killed upload's spool file was not cleaned up"
        # the service works again (another recording: the first one again would be refused as a duplicate)
        with write_walk_csv(tmp_path / "b.csv", duration_s=45.0).open("rb") as fh:
            r = again.client.post("/api/uploads", files={"file": ("b.csv", fh)}, data={"placement": "lower_back"})
        assert r.status_code == 201
    finally:
        again.kill()


def test_kill_mid_live_walk_loses_no_committed_stride(dirs: tuple[Path, Path]) -> None:
    data, samples = dirs
    server = Server(data, samples, demo=True)
    live_id: list[int] = []

    def live_has_strides() -> bool:
        status = server.client.get("/api/live").json()
        if not status["running"]:
            return False
        live_id[:] = [status["walk_id"]]
        return len(server.client.get(f"/api/walks/{status['walk_id']}/strides").json()) >= 10

    server.wait_until(live_has_strides, "the demo walk to store strides")
    seen = len(server.client.get(f"/api/walks/{live_id[0]}/strides").json())
    server.kill()
    check, counts = db_facts(data)
    assert check == "ok"
    assert counts[live_id[0]] >= seen
    again = Server(data, samples, demo=True)
    try:
        walk = again.client.get(f"/api/walks/{live_id[0]}").json()
        assert walk["status"] == "interrupted" and walk["summary"]["distance_m"] > 0
        # Committed strides are all kept, and the ones the crash kept from being committed come back from the
        # session's sample journal: the walk now holds exactly the strides of the samples received.
        journaled = analyze(load_journal(data / "journal" / f"walk-{live_id[0]}.csv"))
        strides = again.client.get(f"/api/walks/{live_id[0]}/strides").json()
        assert walk["summary"]["strides"] == len(strides) == len(journaled.strides) >= counts[live_id[0]]
        assert [s["start_s"] for s in strides] == pytest.approx([s.start_s for s in journaled.strides])
        # the walk's page says what happened, what was kept and what came back from the journal
        kept, added = counts[live_id[0]], len(strides) - counts[live_id[0]]
        assert walk["reason"].startswith("This live walk was interrupted: the service stopped while it was running")
        assert f"The {kept} strides saved during the walk were kept" in walk["reason"]
        assert ("1 more stride was" if added == 1 else f"{added} more strides were") in walk["reason"]
        # The demo resumes as a new live walk.
        again.wait_until(lambda: again.client.get("/api/live").json()["running"], "the demo to resume")
        assert again.client.get("/api/live").json()["walk_id"] != live_id[0]
    finally:
        again.kill()


def test_ctrl_c_with_open_feed_stops_cleanly(dirs: tuple[Path, Path]) -> None:
    data, samples = dirs
    server = Server(data, samples, demo=True)
    server.wait_until(lambda: server.client.get("/api/live").json()["running"], "the demo walk")
    walk_id = server.client.get("/api/live").json()["walk_id"]
    server.wait_until(lambda: len(server.client.get(f"/api/walks/{walk_id}/strides").json()) >= 3, "strides")
    got_event = threading.Event()

    def watch() -> None:
        with httpx.stream("GET", server.url + "/api/live/feed", timeout=30) as feed:
            for line in feed.iter_lines():
                if line.startswith("event:"):
                    got_event.set()

    viewer = threading.Thread(target=watch)
    viewer.start()
    assert got_event.wait(30)
    server.proc.send_signal(signal.SIGINT)
    output = server.proc.communicate(timeout=60)[0].decode()
    viewer.join(30)
    assert server.proc.returncode in (0, 130) and "Traceback" not in output, output  # 130: interrupted by Ctrl-C
    assert not viewer.is_alive()  # the feed ended with the server
    server.kill()  # already stopped: only closes the pipes
    check, counts = db_facts(data)
    conn = sqlite3.connect(data / "gait.sqlite3")
    status = conn.execute("SELECT status FROM walks WHERE id = ?", (walk_id,)).fetchone()[0]
    conn.close()
    assert check == "ok" and status == "complete" and counts[walk_id] > 0
