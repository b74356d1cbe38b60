"""Kill the server (SIGKILL) mid-upload and mid-live-walk: the database stays consistent and a restart resumes."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.service.conftest import write_walk_csv

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A `gait serve` subprocess on a temporary data dir."""

    def __init__(self, data_dir: Path, samples_dir: Path, *, demo: bool) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "GAIT_SAMPLES_DIR": str(samples_dir), "GAIT_DEMO_SPEED": "4"}
        args = [sys.executable, "-m", "service.cli", "serve", "--data-dir", str(data_dir), "--port", str(self.port)]
        self.proc = subprocess.Popen(
            args + ([] if demo else ["--no-demo"]), cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        self.client = httpx.Client(base_url=self.url, timeout=30)
        self.wait_until(lambda: self.client.get("/api/health").status_code == 200, "the server to start")

    def wait_until(self, predicate, what: str, timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                if predicate():
                    return
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited: {self.proc.stdout.read().decode()}")
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self.client.close()


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
    big = write_walk_csv(tmp_path / "big.csv", duration_s=1200.0)

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
        with (samples / "demo_walk.csv").open("rb") as fh:  # the service works again
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
        assert walk["status"] == "interrupted" and walk["summary"]["strides"] == counts[live_id[0]]
        assert walk["summary"]["distance_m"] > 0
        # The demo resumes as a new live walk.
        again.wait_until(lambda: again.client.get("/api/live").json()["running"], "the demo to resume")
        assert again.client.get("/api/live").json()["walk_id"] != live_id[0]
    finally:
        again.kill()
