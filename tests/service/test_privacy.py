"""Health data kept private on the machine: the data folder and the product's folders in it are the user's alone
(0700), the files written there 0600, whatever the user's umask; a wider data folder is tightened at start."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import REPO_SAMPLES_DIR, Settings
from tests.service.conftest import LOOPBACK, write_walk_csv
from tests.service.serverproc import REPO, Server

pytestmark = [
    pytest.mark.skipif(os.name != "posix", reason="POSIX permissions (a no-op on Windows)"),
    pytest.mark.timeout(120),
]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def others_can_reach(data_dir: Path) -> list[str]:
    """Every folder and file under ``data_dir`` (itself included) that group or others have any access to."""
    paths = [data_dir, *data_dir.rglob("*")]
    return [f"{p} {stat.filemode(p.stat().st_mode)}" for p in paths if mode(p) & 0o077]


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual umask, under which files are created -rw-r--r-- (the child processes inherit it)."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_gait_serve_keeps_the_store_uploads_and_live_journals_private(tmp_path: Path, umask_022: None) -> None:
    data_dir = tmp_path / "data"
    server = Server(data_dir, REPO_SAMPLES_DIR, demo=True)  # the samples imported, a live demo walk journaled
    try:
        server.wait_until(lambda: any((data_dir / "journal").glob("walk-*.csv")), "the demo walk's journal")
        csv = write_walk_csv(tmp_path / "walk.csv")
        with csv.open("rb") as fh:
            r = server.client.post(
                "/api/uploads", files={"file": ("walk.csv", fh, "text/csv")}, data={"placement": "lower_back"}
            )
        assert r.status_code == 201, r.text
        walk_id = r.json()["walks"][0]["id"]
        assert (data_dir / "recordings" / f"walk-{walk_id}.npz").is_file()
        for name in ("gait.sqlite3", "gait.sqlite3-wal", "gait.sqlite3-shm"):
            assert mode(data_dir / name) == 0o600, name
        for name in ("journal", "recordings", "spool"):
            assert mode(data_dir / name) == 0o700, name
        assert mode(data_dir) == 0o700
        assert others_can_reach(data_dir) == []
    finally:
        server.kill()


def test_gait_live_keeps_its_journal_private(tmp_path: Path, umask_022: None) -> None:
    journal_dir = tmp_path / "journal"
    env = {**os.environ, "GAIT_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}
    args = ["live", "--demo", "--speed", "20", "--seconds", "2", "--no-bell", "--journal-dir", str(journal_dir)]
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=100
    )
    assert done.returncode == 0, done.stderr
    files = list(journal_dir.iterdir())
    assert any(p.suffix == ".csv" for p in files) and any(p.suffix == ".json" for p in files)
    assert mode(journal_dir) == 0o700
    assert others_can_reach(journal_dir) == []


def test_a_data_folder_readable_by_others_is_tightened_at_start(
    tmp_path: Path, umask_022: None, caplog: pytest.LogCaptureFixture
) -> None:
    data_dir = tmp_path / "data"
    (data_dir / "journal").mkdir(parents=True)
    (data_dir / "journal" / "walk-1.csv").write_text("t_s,ax,ay,az\n")
    for path, wide in ((data_dir, 0o755), (data_dir / "journal", 0o755), (data_dir / "journal" / "walk-1.csv", 0o644)):
        path.chmod(wide)
    settings = Settings(data_dir=data_dir, demo=False)
    with caplog.at_level(logging.WARNING), TestClient(create_app(settings), base_url=LOOPBACK) as client:
        assert client.get("/api/health").status_code == 200
        assert others_can_reach(data_dir) == []
    (note,) = [r.getMessage() for r in caplog.records if "readable by other users" in r.getMessage()]
    assert str(data_dir) in note and "drwxr-xr-x" in note and "yours alone" in note
    # once private, nothing more is said
    caplog.clear()
    with caplog.at_level(logging.WARNING), TestClient(create_app(settings)):
        pass
    assert not [r for r in caplog.records if "readable by other users" in r.getMessage()]


@pytest.mark.parametrize(
    "command",
    [["analyze", "{walk}"], ["calibrate", "{walk}", "--distance-m", "60", "--placement", "lower_back"]],
    ids=["analyze", "calibrate"],
)
def test_every_command_that_opens_the_store_tightens_a_data_folder_readable_by_others(
    tmp_path: Path, umask_022: None, command: list[str]
) -> None:
    """QA: only gait serve and gait live tightened it; gait analyze and gait calibrate left the folder and the kept
    samples (recordings/*.npz, where the walker walked) readable by every user of the computer."""
    from service.store import Store

    data_dir = tmp_path / "data"
    Store(data_dir / "gait.sqlite3").open().close()
    (data_dir / "recordings").mkdir()
    kept = data_dir / "recordings" / "walk-1.npz"
    kept.write_bytes(b"samples")
    for path, wide in ((data_dir, 0o755), (data_dir / "recordings", 0o755), (kept, 0o644)):
        path.chmod(wide)
    (data_dir / "gait.sqlite3").chmod(0o644)
    walk = str(write_walk_csv(tmp_path / "walk.csv"))
    args = [part.format(walk=walk) for part in command]
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", *args, "--data-dir", str(data_dir)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=100,
    )
    assert done.returncode == 0, done.stderr
    assert others_can_reach(data_dir) == []
    assert f"gait: note: the data folder {data_dir} was readable by other users" in done.stderr
