"""A full disk under the data folder: a clear 507 naming the folder and what to do; nothing stored or left behind."""

from __future__ import annotations

import errno
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.datalock import DataDirLock
from service.deps import get_store
from service.settings import Settings, is_disk_full
from service.store import Store
from tests.sample_data import SAMPLES_DIR
from tests.service.conftest import LOOPBACK, count_rows
from tests.service.serverproc import REPO, free_port

SMALL_DISK_BYTES = 4 * 1024 * 1024


def test_the_errors_of_a_full_disk_are_recognised() -> None:
    # a real ENOSPC: /dev/full refuses every write that way
    with pytest.raises(OSError) as nospace, open("/dev/full", "wb") as f:
        f.write(b"x" * 65536)
        f.flush()
    assert is_disk_full(nospace.value)
    # a real SQLITE_FULL: a database not allowed to grow past a few pages
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (x BLOB)")
    conn.execute("PRAGMA max_page_count = 3")
    with pytest.raises(sqlite3.Error) as full:
        conn.execute("INSERT INTO t VALUES (?)", (b"x" * 100_000,))
    assert is_disk_full(full.value)
    # other errors are not mistaken for it
    assert not is_disk_full(OSError(errno.EACCES, "Permission denied"))
    assert not is_disk_full(sqlite3.OperationalError("no such table: walks"))
    assert not is_disk_full(ValueError("disk is full"))


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs (needs the right to mount, as root in CI; skipped with the reason otherwise)."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SMALL_DISK_BYTES}", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path) -> Path:
    """Fill the disk under ``folder`` to the last byte; returns the filler file."""
    filler = folder / "filler.bin"
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def test_upload_on_a_full_disk_says_so_and_stores_nothing(small_disk: Path) -> None:
    data_dir = small_disk / "data"
    settings = Settings(data_dir=data_dir, demo=False, samples_dir=small_disk / "no-samples")
    data_dir.mkdir()
    store = Store(data_dir / "gait.sqlite3").open()
    app = create_app(settings)
    app.dependency_overrides[get_store] = lambda: store
    recording = SAMPLES_DIR / "mobgap_lower_back_daily_living.csv"
    try:
        with TestClient(app, base_url=LOOPBACK) as client:
            filler = _fill(small_disk)
            with open(recording, "rb") as f:
                form = {"placement": "lower_back"}
                r = client.post("/api/uploads?upload_id=full1", files={"file": (recording.name, f)}, data=form)
            assert r.status_code == 507, r.text
            detail = r.json()["detail"]
            assert "is full" in detail and str(data_dir) in detail and "free some space" in detail, detail
            assert "Traceback" not in r.text
            assert count_rows(store, "walks") == 0 and count_rows(store, "strides") == 0
            status = client.get("/api/uploads/full1").json()
            assert status["stage"] == "failed" and "is full" in status["error"]
            assert not any((data_dir / "spool").glob("*/*"))  # the half-copied file is gone
            # space freed: the same file goes in whole
            filler.unlink()
            with open(recording, "rb") as f:
                r = client.post("/api/uploads", files={"file": (recording.name, f)}, data={"placement": "lower_back"})
            assert r.status_code == 201, r.text
            assert count_rows(store, "walks") == 1 and count_rows(store, "strides") > 0
    finally:
        store.close()


@pytest.mark.parametrize("in_use", [False, True], ids=["new-lock", "lock-and-database-there"])
def test_serve_on_a_full_disk_says_so_without_a_traceback_or_moving_the_database(
    small_disk: Path, in_use: bool
) -> None:
    """QA: a full disk at start printed the address, then a traceback ending 'move the file away' (which would make
    every walk seem gone). Either way (the lock file to create, or the folder of an earlier run) it says the disk is
    full and to free space, before any address."""
    data_dir = small_disk / "data"
    store = Store(data_dir / "gait.sqlite3").open()
    with store.write() as conn:
        conn.execute("INSERT INTO profile (id, data_json) VALUES (1, '{}')")
    store.close()
    if in_use:
        DataDirLock(data_dir).acquire().release()  # an earlier run's lock file stays
    filler = _fill(small_disk)
    args = [sys.executable, "-m", "service.cli", "serve", "--data-dir", str(data_dir), "--port", str(free_port())]
    done = subprocess.run([*args, "--no-demo"], cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "dashboard at" not in done.stdout, done.stdout + done.stderr
    assert f"the disk holding the gait data folder ({data_dir}) is full" in done.stderr, done.stderr
    assert "free some space on that disk and start again" in done.stderr and "move" not in done.stderr
    # the database is untouched: the walker's data is all there once space is freed
    filler.unlink()
    store = Store(data_dir / "gait.sqlite3").open()
    try:
        assert count_rows(store, "profile") == 1
    finally:
        store.close()
