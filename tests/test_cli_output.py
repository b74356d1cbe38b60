"""Files the command line writes (`gait convert OUT`, `gait analyze --json PATH`): a path that cannot be written
gets one clear line and exit code 2, before any work, and nothing is half-written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gait.types import Recording
from ingest.gait_csv import write_gait_csv
from tests.gait.synthetic import walk_signal
from tests.service.serverproc import REPO


@pytest.fixture(scope="module")
def walk_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    t, acc = walk_signal(step_hz=1.8, walk_s=20.0, tilt_deg=30)
    path = tmp_path_factory.mktemp("cli-out") / "walk.csv"
    write_gait_csv(Recording(time_s=t, acc_ms2=acc), path)
    return path


def gait(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gait: error: "), proc.stderr
    return lines[0]


def test_convert_into_a_missing_folder(walk_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "nodir" / "out.csv"
    line = one_error_line(gait("convert", str(walk_csv), str(out)))
    assert f"the folder {out.parent} does not exist" in line
    assert not out.parent.exists()


def test_convert_onto_a_folder(walk_csv: Path, tmp_path: Path) -> None:
    line = one_error_line(gait("convert", str(walk_csv), str(tmp_path)))
    assert "it is a folder" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing written into it


def test_convert_into_a_read_only_folder_leaves_the_old_file(walk_csv: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    old = folder / "out.csv"
    old.write_text("old\n")
    folder.chmod(0o555)
    try:
        proc = gait("convert", str(walk_csv), str(old))
        if proc.returncode == 0:
            pytest.skip("running as root: permissions do not stop writes")
        assert "no permission to write in" in one_error_line(proc)
        assert old.read_text() == "old\n" and [p.name for p in folder.iterdir()] == ["out.csv"]
    finally:
        folder.chmod(0o755)


def test_analyze_json_into_a_missing_folder(walk_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "nodir" / "walk.json"
    proc = gait("analyze", str(walk_csv), "--json", str(out))
    line = one_error_line(proc)
    assert f"--json {out}" in line and "does not exist" in line
    assert proc.stdout == ""  # refused before the analysis: no summary printed
    assert not out.parent.exists()


def test_analyze_json_onto_a_folder(walk_csv: Path, tmp_path: Path) -> None:
    line = one_error_line(gait("analyze", str(walk_csv), "--json", str(tmp_path)))
    assert "it is a folder" in line and f"e.g. {tmp_path / 'out.json'}" in line  # a JSON file for --json


def test_an_unknown_flag_is_named_with_the_commands_own_usage(walk_csv: Path) -> None:
    proc = gait("analyze", str(walk_csv), "--frobnicate")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "usage: gait analyze" in proc.stderr  # not the top-level usage, which lists only the commands
    assert "gait analyze: error: unrecognized arguments: --frobnicate" in proc.stderr


def test_convert_and_json_still_write(walk_csv: Path, tmp_path: Path) -> None:
    assert gait("convert", str(walk_csv), str(tmp_path / "out.csv")).returncode == 0
    assert (tmp_path / "out.csv").read_text().startswith("time_s,acc_x_ms2")
    assert gait("analyze", str(walk_csv), "--json", str(tmp_path / "w.json")).returncode == 0
    assert (tmp_path / "w.json").read_text().startswith("{")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "w.json"]  # no temporary file left


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    walk_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import errno

    import pandas as pd

    from service.cli import main

    def disk_full(self, path, *args, **kwargs) -> None:
        Path(path).write_text("time_s,acc_x")  # a first part went out, then the disk filled up
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", disk_full)
    old = tmp_path / "out.csv"
    old.write_text("old\n")
    assert main(["convert", str(walk_csv), str(old)]) == 2
    assert capsys.readouterr().err.strip() == f"gait: error: cannot write {old}: No space left on device"
    assert old.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["out.csv"]


SHARED = REPO.parent / "shared" / "data" / "dev"
TWO_RECORDINGS = SHARED / "phone_exports" / "phyphox_acc_gyro_dfb_lab"


@pytest.mark.shared
@pytest.mark.skipif(not TWO_RECORDINGS.is_dir(), reason=f"shared dev data not found at {TWO_RECORDINGS}")
@pytest.mark.parametrize("command", ["analyze", "convert"])
def test_a_folder_of_two_recordings_is_refused_with_the_list(tmp_path: Path, command: str) -> None:
    out = tmp_path / "out.csv"
    proc = gait(command, str(TWO_RECORDINGS), *([str(out)] if command == "convert" else []))
    line = one_error_line(proc)
    assert "Accelerometer.csv + Gyroscope.csv; Accelerometer_2.csv + Gyroscope_2.csv" in line
    assert proc.stdout == "" and not out.exists()
    picked = gait(command, str(TWO_RECORDINGS / "Accelerometer_2.csv"), *([str(out)] if command == "convert" else []))
    assert picked.returncode == 0, picked.stderr  # the way the message gives to take the other one works


def test_an_unreadable_recording_is_said_in_one_line_with_what_to_do(
    walk_csv: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # QA qa21: a file the user may not read gave a PermissionError traceback (root reads anything: the refusal is
    # made by the system call here)
    import pathlib

    from service.cli import main

    real_open = pathlib.Path.open

    def refused(self, *args, **kwargs):
        if Path(self) == walk_csv:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", refused)
    assert main(["analyze", str(walk_csv)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"gait: error: {walk_csv}: permission denied: your user may not open it; check its permissions "
        f"(ls -ld {walk_csv}) or copy it into a folder of yours\n"
    )


def test_an_unreadable_folder_is_not_taken_for_an_empty_one(
    walk_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # QA qa21: a folder the user may not read was called "the folder holds no recording: it is empty"
    import os

    from service.cli import main

    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "walk.csv").write_bytes(walk_csv.read_bytes())
    real_scandir = os.scandir

    def refused(path=".", *args):
        if Path(path) == folder:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path, *args)

    monkeypatch.setattr(os, "scandir", refused)
    assert main(["analyze", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"gait: error: {folder}: permission denied: your user may not open it") and "empty" not in err


def test_a_file_name_too_long_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    line = one_error_line(gait("analyze", str(tmp_path / ("a" * 300 + ".csv"))))
    assert "File name too long" in line and "check the path" in line


def test_a_pipe_is_refused_in_one_line_not_read_without_its_header(walk_csv: Path) -> None:
    # QA qa21: `gait analyze <(cat walk.csv)` read the pipe's head (its header) to tell its format, then the rest
    # alone: "63: missing columns ... found '8.134766', ..."; a named pipe with no writer waited for ever
    proc = subprocess.run(
        ["bash", "-c", f'exec "$0" -m service.cli analyze <(cat {walk_csv})', sys.executable],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    line = one_error_line(proc)
    assert line.endswith(": is a pipe or device, not a file; save the recording to a file first and give that file")
    assert line.startswith("gait: error: /dev/fd/")
