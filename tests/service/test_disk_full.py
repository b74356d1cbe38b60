"""A full disk under the data folder: a clear 507 naming the folder and what to do; nothing stored or left behind."""

from __future__ import annotations

import errno
import os
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


def _gait(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command line as a walker does (its own process, so nothing of the test's state helps it)."""
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )


def _says_the_disk_is_full(done: subprocess.CompletedProcess[str], data_dir: Path) -> str:
    """The command ended as on a user error (exit 2) with the words of ``gait serve``, no traceback, no advice to
    move the database away; returns its error line."""
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "move" not in done.stderr, done.stderr
    (error,) = [line for line in done.stderr.splitlines() if line.startswith("gait: error: ")]
    assert f"the disk holding the gait data folder ({data_dir})" in error, error
    assert "free some space on that disk" in error, error
    return error


def test_analyze_and_calibrate_on_a_full_disk_say_so_without_a_traceback(small_disk: Path) -> None:
    """QA: both ended on a traceback whose StoreError advised moving the database away (a disk I/O error when the
    disk is full): every walk would seem gone."""
    data_dir = small_disk / "data"
    store = Store(data_dir / "gait.sqlite3").open()
    with store.write() as conn:
        conn.execute("INSERT INTO profile (id, data_json) VALUES (1, '{\"body_height_m\": 1.8}')")
    store.close()
    filler = _fill(small_disk)
    recording = str(SAMPLES_DIR / "mobgap_lower_back_daily_living.csv")
    for args in (["analyze", recording], ["calibrate", recording, "--distance-m", "180"]):
        error = _says_the_disk_is_full(_gait(*args, "--data-dir", str(data_dir)), data_dir)
        assert "your walks are kept" in error and "try again" in error, error
        # the analysis itself needs no store (QA 14th pass): the way to have it now is said
        assert ("add --no-profile" in error) == (args[0] == "analyze"), error
    assert _gait("analyze", recording, "--data-dir", str(data_dir), "--no-profile").returncode == 0
    filler.unlink()
    store = Store(data_dir / "gait.sqlite3").open()  # untouched: the profile is there once space is freed
    try:
        assert store.get_profile() == {"body_height_m": 1.8}
    finally:
        store.close()


def test_gait_live_on_a_full_disk_says_nothing_was_recorded(small_disk: Path) -> None:
    """QA: the journal's first write failed with a traceback (exit 1)."""
    data_dir = small_disk / "data"
    data_dir.mkdir()
    _fill(small_disk)
    env = {**os.environ, "GAIT_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    error = _says_the_disk_is_full(_gait("live", "--demo", "--seconds", "3", "--no-bell", env=env), data_dir)
    assert "so the walk could not start: nothing was recorded" in error and "start again" in error, error


def test_gait_live_whose_disk_fills_during_the_walk_says_what_was_kept_and_what_to_do(
    small_disk: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """QA: a journal write failing mid-walk ended on a traceback; the walk was neither stored nor its journal named.
    The walker's own sensor: the samples before it are in the journal, which the error names with how to keep it."""
    from ingest.ble.virtual import SensorFaults
    from service.cli import main
    from service.live import load_journal
    from tests.ble.test_cli_own_sensor import own_sensor

    own_sensor(monkeypatch, small_disk, SensorFaults(), walk_s=40.0, speed=8.0)
    data_dir = small_disk / "data"
    filler = _fill(small_disk)
    with open(filler, "r+b") as f:  # room for the journal's sidecar and a few seconds of samples
        f.truncate(filler.stat().st_size - 48 * 1024)
    assert main(["live", "Mine", "--seconds", "30", "--no-bell", "--json"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    error = err.strip().splitlines()[-1]
    assert error.startswith(f"gait: error: the disk holding the gait data folder ({data_dir}) is full, so the walk")
    (csv,) = (data_dir / "journal").glob("*.csv")
    assert f"samples before it are kept in {csv}, but the last seconds of samples could not be written" in error
    assert f"then to keep the walk, gait convert {csv} walk.csv, then upload walk.csv" in error
    assert "gait analyze" in error
    assert ": at least the " in error  # the chunk the disk refused may have been written in part (QA, 14th pass)
    said = int(error.split(" samples before it are kept")[0].rsplit(" ", 1)[-1])
    assert said > 0 and len(load_journal(csv).time_s) >= said  # the journal holds what it says, cut line skipped
    assert not list(data_dir.glob("recordings/*"))  # not stored (it would be a partial second copy on a full disk)
