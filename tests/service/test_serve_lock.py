"""One `gait serve` per data directory, and a taken port said before the URL is announced (real processes)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.datalock import LOCK_NAME, DataDirBusyError, DataDirLock
from service.settings import Settings
from tests.service.conftest import write_walk_csv
from tests.service.serverproc import REPO, Server, free_port


@pytest.fixture
def dirs(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    samples = tmp_path / "samples"
    samples.mkdir()
    write_walk_csv(samples / "demo_walk.csv", duration_s=600.0)
    (samples / "demo_walk.reference.json").write_text(json.dumps({"placement": "lower_back"}))
    yield tmp_path / "data", samples


def serve(*args: str, samples: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `gait serve ARGS` to its end (it should refuse to start)."""
    env = {**os.environ, **({"GAIT_SAMPLES_DIR": str(samples)} if samples else {})}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "serve", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_second_server_on_the_same_data_dir_refuses_and_leaves_the_live_walk_alone(dirs: tuple[Path, Path]) -> None:
    data, samples = dirs
    first = Server(data, samples, demo=True)
    try:
        first.wait_until(lambda: first.client.get("/api/live").json()["running"], "the demo walk")
        walk_id = first.client.get("/api/live").json()["walk_id"]
        second = serve("--data-dir", str(data), "--port", str(free_port()), "--no-demo", samples=samples)
        assert second.returncode == 2
        assert second.stdout == ""  # no URL announced, nothing recovered
        assert second.stderr.strip().splitlines() == [
            f"gait: error: another gait serve (pid {first.proc.pid}) is using {data}; stop it or use --data-dir"
        ]
        status = first.client.get("/api/live").json()
        assert status["running"] and status["walk_id"] == walk_id
        assert first.client.get(f"/api/walks/{walk_id}").json()["status"] == "live"
    finally:
        first.kill()


def test_a_crashed_servers_lock_does_not_block_the_next(dirs: tuple[Path, Path]) -> None:
    data, samples = dirs
    crashed = Server(data, samples, demo=False)
    crashed.kill()  # SIGKILL: no clean-up, the lock file stays with the dead pid in it
    assert (data / LOCK_NAME).read_text().strip() == str(crashed.proc.pid)
    again = Server(data, samples, demo=False)
    try:
        assert again.client.get("/api/health").status_code == 200
        assert (data / LOCK_NAME).read_text().strip() == str(again.proc.pid)
    finally:
        again.kill()


def test_taken_port_is_said_before_the_url(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = serve("--data-dir", str(tmp_path / "new" / "data"), "--port", str(port), "--no-demo")
        (tmp_path / "mine").mkdir()
        again = serve("--data-dir", str(tmp_path / "mine"), "--port", str(port), "--no-demo")
    assert again.returncode == 2 and list((tmp_path / "mine").iterdir()) == []  # the user's folder stays, empty
    assert result.returncode == 2
    assert not (tmp_path / "new").exists()  # the refused start leaves nothing behind (it left a serve.lock)
    assert "dashboard at" not in result.stdout
    assert result.stderr.strip().splitlines() == [
        f"gait: error: port {port} is in use; is gait serve already running? use --port"
    ]
    assert not (tmp_path / "new" / "data" / "gait.sqlite3").exists()  # refused before the store was opened


def test_the_app_itself_locks_its_data_dir(tmp_path: Path) -> None:
    """An app started some other way (here a TestClient) takes the lock in its lifespan, before recovery."""
    settings = Settings(data_dir=tmp_path / "data", demo=False, samples_dir=tmp_path / "none")
    with TestClient(create_app(settings), base_url="http://127.0.0.1"):
        with pytest.raises(DataDirBusyError) as busy:
            DataDirLock(settings.data_dir).acquire()
        assert busy.value.pid == os.getpid()
    with DataDirLock(settings.data_dir):  # released on shutdown
        pass


def test_a_data_dir_that_cannot_be_created_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = serve("--data-dir", str(blocker / "data"), "--port", str(free_port()), "--no-demo")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"gait: error: cannot use the data folder {blocker / 'data'}: {blocker} is a file, not a folder; give "
        "--data-dir (or GAIT_DATA_DIR) a folder (a new one is created)"
    ]
