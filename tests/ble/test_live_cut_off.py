"""A ``gait live`` walk cut off before it ended (kill -9, a power cut) is stored at the next start of ``gait live``
or ``gait serve``, once: real processes killed with SIGKILL, real journals, a real SQLite store, the real bleak API
over the virtual radio (tests/ble)."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from gait.types import Chunk
from service.cli import main
from service.commands.live import recover_cut_off
from service.live import STORE_ON_END, LiveSession, journal_span_s
from service.settings import Settings
from tests.ble.conftest import walk_recording
from tests.ble.test_cli_live_store import stored_walks
from tests.ble.test_cli_own_sensor import own_sensor
from tests.service.serverproc import Server

pytestmark = pytest.mark.timeout(120)


def killed_gait_live(argv: list[str], journal: Path, *, walked_s: float) -> None:
    """Run ``gait live`` in a forked process and kill it with SIGKILL once its journal holds ``walked_s`` seconds of
    samples (nothing of its own clean-up runs, as after kill -9 or a power cut)."""
    pid = os.fork()
    if pid == 0:  # the child: gait live, until it is killed
        try:
            main(argv)
        finally:
            os._exit(0)
    deadline = time.monotonic() + 60.0
    try:
        while time.monotonic() < deadline:
            spans = [journal_span_s(csv) or 0.0 for csv in journal.glob("*.csv")] if journal.is_dir() else []
            if spans and max(spans) >= walked_s:
                break
            assert os.waitpid(pid, os.WNOHANG) == (0, 0), "gait live ended before it was killed"
            time.sleep(0.05)
        else:
            raise AssertionError("gait live never journaled the samples")
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def abandoned_journal(tmp_path: Path, walk_s: float, *, store: bool = True, release: bool = True) -> LiveSession:
    """A journal written by the real LiveSession/Journal of a walk marked to be stored, never ended; its lock given
    up as the kernel gives it up when the process is killed (``release``), else still held."""
    data_dir = Settings.from_env().data_dir
    mark = {"data_dir": str(data_dir.resolve()), "name": "Live: Mine", "height_given": False} if store else None
    never_run = object()  # the session is never run: its journal is written as its run writes it
    session = LiveSession(never_run, placement="lower_back", journal_dir=tmp_path / "journal", store_on_end=mark)
    rec = walk_recording(walk_s)
    session._journal.append(Chunk(rec.time_s, rec.acc_ms2, rec.gyr_dps))
    if release:
        session._journal.unlock()
    return session


def test_a_gait_live_killed_with_kill_9_is_stored_at_the_next_start_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """QA: the journal stayed in journal/ and the walk was never stored, and nothing said so."""
    own_sensor(monkeypatch, tmp_path, walk_s=40.0, speed=8.0)
    journal = tmp_path / "journal"
    killed_gait_live(["live", "Mine", "--json", "--journal-dir", str(journal)], journal, walked_s=25.0)
    (csv,) = journal.glob("*.csv")
    meta = json.loads(csv.with_suffix(".json").read_text())
    assert meta["state"]["phase"] != "ended" and meta[STORE_ON_END]["name"] == "Live: Mine"
    capsys.readouterr()
    argv = ["live", "Mine", "--seconds", "1", "--no-store", "--no-bell", "--journal-dir", str(journal)]
    assert main(argv) == 0
    err = capsys.readouterr().err
    (walk,) = stored_walks(tmp_path / "data")
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(meta["first_sample_unix_s"]))
    assert f"gait: stored walk {walk['id']}, a gait live walk of {when} cut off before it ended (" in err
    assert walk["source"]["ended"] == "crash" and walk["source"]["recorded"] == "gait live"
    assert walk["name"] == "Live: Mine" and walk["placement"] == "lower_back" and walk["strides"] > 0
    # its journal removed, as at a normal end: its samples are kept with the walk
    assert not csv.exists() and not csv.with_suffix(".json").exists()
    assert (tmp_path / "data" / "recordings" / f"walk-{walk['id']}.npz").is_file()
    assert main(argv) == 0  # and not again
    assert "cut off" not in capsys.readouterr().err
    assert [w["id"] for w in stored_walks(tmp_path / "data")] == [walk["id"]]


@pytest.mark.parametrize("flag", ["--no-store", "--demo"])
def test_a_killed_no_store_or_demo_walk_is_left_alone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    own_sensor(monkeypatch, tmp_path, walk_s=40.0, speed=8.0)
    journal = tmp_path / "journal"
    target = ["--speed", "8"] if flag == "--demo" else ["Mine"]
    killed_gait_live(["live", *target, flag, "--json", "--journal-dir", str(journal)], journal, walked_s=20.0)
    (csv,) = journal.glob("*.csv")
    before = csv.read_bytes()
    assert recover_cut_off(Settings.from_env(), journal) == []
    assert csv.read_bytes() == before and not (tmp_path / "data" / "gait.sqlite3").exists()


def test_a_journal_another_process_writes_is_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAIT_DATA_DIR", str(tmp_path / "data"))
    session = abandoned_journal(tmp_path, 40.0, release=False)  # its lock still held, as by a running gait live
    settings = Settings.from_env()
    assert recover_cut_off(settings, tmp_path / "journal") == []
    assert session.journal_path.exists() and not (tmp_path / "data" / "gait.sqlite3").exists()
    session._journal.unlock()  # the holder gone (killed): now it is taken
    (line,) = recover_cut_off(settings, tmp_path / "journal")
    assert line.startswith("stored walk 1, a gait live walk of ") and not session.journal_path.exists()


def test_a_cut_off_walk_too_short_to_store_keeps_its_journal_and_is_said_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GAIT_DATA_DIR", str(tmp_path / "data"))
    session = abandoned_journal(tmp_path, 3.0)
    settings = Settings.from_env()
    (line,) = recover_cut_off(settings, tmp_path / "journal")
    assert "was cut off before it ended (gait live was killed or the power went); not stored in the dashboard" in line
    assert "too little to store as a walk" in line and f"stay in {session.journal_path}" in line
    assert session.journal_path.exists() and stored_walks(tmp_path / "data") == []
    assert recover_cut_off(settings, tmp_path / "journal") == []  # said once; the journal stays
    assert session.journal_path.exists()


def test_gait_serve_stores_a_cut_off_gait_live_walk_at_start_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    monkeypatch.setenv("GAIT_DATA_DIR", str(data_dir))
    session = abandoned_journal(tmp_path, 40.0)
    (tmp_path / "samples").mkdir()
    # the journal where gait serve looks: the data folder's
    (data_dir / "journal").mkdir(parents=True, exist_ok=True)
    for path in (session.journal_path, session.journal_path.with_suffix(".json")):
        path.rename(data_dir / "journal" / path.name)
    outputs = []
    for _ in range(2):
        server = Server(data_dir, tmp_path / "samples", demo=False, port=8851)
        walks = server.client.get("/api/walks").json()
        server.terminate()
        outputs.append(server.proc.stdout.read().decode())
        server.proc.stdout.close()
        server.client.close()
    (walk,) = walks
    assert f"stored walk {walk['id']}, a gait live walk of " in outputs[0]
    assert "cut off" not in outputs[1]
    assert list((data_dir / "journal").iterdir()) == []


def test_a_gait_live_killed_while_it_stores_its_ended_walk_is_stored_at_the_next_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found after QA (cutoff): a walk whose end was written, its process killed in the second it took to store it,
    was never stored and nothing said so (its journal said it had ended, so no start took it)."""
    import service.commands.live as live_command

    own_sensor(monkeypatch, tmp_path, walk_s=40.0, speed=8.0)
    journal, storing = tmp_path / "journal", tmp_path / "storing"

    def stuck(*_args: object, **_kwargs: object) -> None:  # the store of the killed process, which never finishes
        storing.touch()
        time.sleep(600)

    pid = os.fork()
    if pid == 0:  # the child: gait live of a walk ended after 3 s, killed while it stores it
        try:
            monkeypatch.setattr(live_command, "store_walk", stuck)
            main(["live", "Mine", "--seconds", "3", "--json", "--journal-dir", str(journal)])
        finally:
            os._exit(0)
    try:
        deadline = time.monotonic() + 60.0
        while not storing.exists():
            assert time.monotonic() < deadline and os.waitpid(pid, os.WNOHANG) == (0, 0), "gait live never stored"
            time.sleep(0.05)
        (csv,) = journal.glob("*.csv")
        meta = json.loads(csv.with_suffix(".json").read_text())
        assert meta["state"]["phase"] == "ended" and meta[STORE_ON_END]["ended"] == {"ended": "stopped"}
        # while its process stores it, another start leaves it alone (its lock is held past the walk's end)
        assert recover_cut_off(Settings.from_env(), journal) == []
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    capsys.readouterr()
    argv = ["live", "Mine", "--seconds", "1", "--no-store", "--no-bell", "--journal-dir", str(journal)]
    assert main(argv) == 0
    err = capsys.readouterr().err
    (walk,) = stored_walks(tmp_path / "data")
    assert f"gait: stored walk {walk['id']}, a gait live walk of " in err
    assert "not stored when it ended (gait live was killed, the power went or the store failed while it" in err
    # how it ended is the walk's own end (stopped after --seconds), not a crash
    assert walk["source"]["ended"] == "stopped" and "stored at the next start" in walk["source"]["end_detail"]
    assert walk["strides"] > 0 and not csv.exists()
    assert main(argv) == 0  # and not again
    assert "gait live walk of" not in capsys.readouterr().err
    assert len(stored_walks(tmp_path / "data")) == 1


def test_a_walk_refused_when_it_ended_is_not_taken_again_at_a_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own_sensor(monkeypatch, tmp_path, walk_s=40.0, speed=8.0)
    journal = tmp_path / "journal"
    # 0.3 s of an 8x replay: about 2 s of walking, too little to store: said now, with what to do
    argv = ["live", "Mine", "--seconds", "0.3", "--json", "--journal-dir", str(journal)]
    main(argv)
    (csv,) = journal.glob("*.csv")
    meta = json.loads(csv.with_suffix(".json").read_text())
    assert meta["state"]["phase"] == "ended" and meta[STORE_ON_END]["recovered"]
    assert recover_cut_off(Settings.from_env(), journal) == [] and csv.exists()
    assert stored_walks(tmp_path / "data") == []


def test_a_walk_whose_store_failed_when_it_ended_is_stored_at_the_next_start_once_fixed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    import service.pipeline as pipeline

    own_sensor(monkeypatch, tmp_path, walk_s=40.0, speed=8.0)
    journal, data = tmp_path / "journal", tmp_path / "data"

    def failing(*_args: object, **_kwargs: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")  # the store failing as the walk ends (a disk going bad)

    with monkeypatch.context() as broken:
        broken.setattr(pipeline, "process_file", failing)
        assert main(["live", "Mine", "--seconds", "3", "--no-bell", "--journal-dir", str(journal)]) == 2
    err = capsys.readouterr().err
    assert "the store failed: disk I/O error" in err
    assert "once that is fixed, the next start of gait live or gait serve stores it (or: gait convert " in err
    argv = ["live", "Mine", "--seconds", "1", "--no-store", "--no-bell", "--journal-dir", str(journal)]
    assert main(argv) == 0
    (walk,) = stored_walks(data)
    assert f"gait: stored walk {walk['id']}, a gait live walk of " in capsys.readouterr().err
    assert walk["source"]["ended"] == "stopped" and walk["strides"] > 0
