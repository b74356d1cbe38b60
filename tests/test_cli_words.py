"""QA10's words on the command line: `gait convert` of a file without a start time says how its walk is dated as the
upload page does, and `gait live` with a cadence-only sensor says why a stride has no length; `gait --version`."""

from __future__ import annotations

import gzip
import importlib.metadata
from pathlib import Path

import numpy as np
import pytest

from gait.analysis import ANALYSIS_REVISION
from service.cli import main
from tests.ble.test_cli import virtual_ble
from tests.ingest import exports as ex


def test_convert_of_an_oxford_recording_says_its_walk_is_dated_to_end_when_uploaded(tmp_path: Path, capsys) -> None:
    """QA: it ended "left empty, the walk is dated when uploaded" while the upload page said "dated to end now"."""
    # the Oxford step counter's raw accelerometer.csv.gz: no header; ns since boot, accuracy, x, y, z in m/s^2
    sig = ex.signal(duration_s=10.0, rate_hz=200)
    ns = 1023881009780408 + np.round(sig.time_s * 1e9).astype(np.int64)
    rows = [f"{n},3,{a[0]},{a[1]},{a[2]}" for n, a in zip(ns.tolist(), sig.acc_ms2.tolist(), strict=True)]
    path = tmp_path / "accelerometer.csv.gz"
    path.write_bytes(gzip.compress(("\n".join(rows) + "\n").encode()))
    assert main(["convert", str(path), str(tmp_path / "out.csv")]) == 0
    err = capsys.readouterr().err
    assert "(from oxford)" in err, err
    assert "left empty, the walk is dated to end when uploaded)" in err, err


@pytest.mark.timeout(60)
def test_live_with_a_wrist_sensor_says_its_strides_have_no_length_in_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """QA: `gait live 'Polar Sense DEMO' --placement wrist` showed "last stride n/a (confidence 0.00, none)", "none"
    being the method's id."""
    virtual_ble(monkeypatch, tmp_path / "data", 10)
    argv = ["live", "Polar Sense DEMO", "--placement", "wrist", "--seconds", "3", "--no-bell"]
    assert main([*argv, "--journal-dir", str(tmp_path / "journal")]) == 0
    out = capsys.readouterr().out
    (line,) = [ln for ln in out.splitlines() if "last stride" in ln]
    assert "no stride length: wrist sensor, cadence only" in line, out
    assert "confidence" not in line and "none" not in line, line


def test_version_names_the_package_and_the_analysis_revision_walks_store(capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    revision = f"+r{ANALYSIS_REVISION}"
    assert capsys.readouterr().out.strip() == f"gait {importlib.metadata.version('gait-analyser')}{revision}"
