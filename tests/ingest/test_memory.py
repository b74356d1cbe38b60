"""Reading a long gait CSV: the file's text is streamed, not held beside its samples, with the same rows and errors."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import ingest
import ingest.archive
from bench.throughput import build_day
from ingest import IngestError
from ingest.gait_csv import parse_gait_csv, write_gait_csv

REPO = Path(__file__).resolve().parents[2]
SAMPLE_BYTES = 7 * 8
"""Bytes a sample with gyroscope takes in a Recording: time, three acceleration and three gyroscope float64s."""


@pytest.fixture(scope="module")
def walks_csv(tmp_path_factory: pytest.TempPathFactory) -> dict[float, Path]:
    """A quarter of an hour and an hour of real walks and rest at 100 Hz as gait CSVs with gyroscope (an hour is
    360,000 rows, 24 MB of text)."""
    folder = tmp_path_factory.mktemp("memory")
    paths = {}
    for hours in (0.25, 1.0):
        paths[hours] = folder / f"{hours:g}h.csv"
        write_gait_csv(build_day(hours, seed=5), paths[hours])
    return paths


LOAD_IN_A_CHILD = """
import sys
import ingest

def peak_kib():
    status = open("/proc/self/status").read()
    return int(status.split("VmHWM:")[1].split()[0])

before = peak_kib()
rec = ingest.load(sys.argv[1], placement="lower_back")
print(rec.n_samples, (peak_kib() - before) * 1024)
"""
"""Loads a file in a fresh interpreter and prints its samples and how far loading raised its peak resident memory
(VmHWM: ``ru_maxrss`` would count the parent's peak, which a child started by vfork takes over)."""


def load_peak_bytes(path: Path) -> tuple[int, int]:
    """Samples of ``path`` and the bytes by which loading it raised the peak resident memory of a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", LOAD_IN_A_CHILD, str(path)], capture_output=True, text=True, check=True, cwd=REPO
    )
    n_samples, grown = done.stdout.split()
    return int(n_samples), int(grown)


@pytest.mark.parametrize("gz", [False, True], ids=["csv", "csv.gz"])
def test_loading_a_gait_csv_takes_under_100_bytes_a_sample(
    walks_csv: dict[float, Path], tmp_path: Path, gz: bool
) -> None:
    samples, peaks = [], []
    for hours, path in walks_csv.items():
        if gz:
            path = tmp_path / f"{hours:g}h.csv.gz"
            path.write_bytes(gzip.compress(walks_csv[hours].read_bytes(), compresslevel=1))
        n_samples, peak = load_peak_bytes(path)
        assert n_samples == round(hours * 360_000)
        samples.append(n_samples)
        peaks.append(peak)
    # what each further sample costs (the checks' fixed allowances, a few MB, cancel out): the text alone is 68 bytes
    # a row and the samples 56 bytes; holding both, with a copy to order them, took about 280
    per_sample = (peaks[1] - peaks[0]) / (samples[1] - samples[0])
    assert SAMPLE_BYTES < per_sample < 100, f"{per_sample:.0f} bytes a sample"


def test_streamed_rows_equal_those_read_from_the_bytes(walks_csv: dict[float, Path]) -> None:
    path = walks_csv[0.25]
    streamed = ingest.load(path)
    whole = parse_gait_csv(path.read_bytes(), path.name)
    for a, b in ((streamed.time_s, whole.time_s), (streamed.acc_ms2, whole.acc_ms2), (streamed.gyr_dps, whole.gyr_dps)):
        assert a.flags.c_contiguous and a.flags.writeable
        np.testing.assert_array_equal(a, b)
    assert streamed.source == whole.source


HEADER = "time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2\n"
ROWS = [f"{i / 100:.2f},0.1,0.2,9.8\n" for i in range(400)]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (HEADER + "".join(ROWS[:300]) + "3.005,x,0.2,9.8\n" + "".join(ROWS[300:]), "('x' on line 302)"),
        (HEADER, "header only, no data rows"),
        (HEADER + "".join(r.replace(",", ";") for r in ROWS), "different separators"),
        (HEADER + "".join(ROWS[::-1]), "reverse order"),
        (HEADER + "".join(ROWS[:200]) + "0.5,0.1,0.2,9.8\n" + "".join(ROWS[200:]), "on line 202"),
    ],
    ids=["text in a column", "header only", "separator changes", "reversed rows", "time going back"],
)
def test_streamed_errors_are_those_of_the_bytes(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "walk.csv"
    path.write_text(text)
    with pytest.raises(IngestError) as from_bytes:
        parse_gait_csv(text.encode(), path.name)
    with pytest.raises(IngestError) as streamed:
        ingest.load(path)
    assert says in str(from_bytes.value)
    assert (str(streamed.value), streamed.value.reason) == (str(from_bytes.value), from_bytes.value.reason)


def test_a_cut_off_last_row_is_dropped_with_a_note_when_streamed(tmp_path: Path) -> None:
    path = tmp_path / "walk.csv"
    path.write_text(HEADER + "".join(ROWS) + "4.00,0.1,-")
    rec = ingest.load(path, placement="lower_back")
    assert rec.n_samples == 400
    assert any("line 402" in note and "incomplete" in note for note in rec.source["notes"])


def test_a_gzipped_gait_csv_expanding_past_the_limit_is_refused_as_a_bomb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "walk.csv.gz"
    path.write_bytes(gzip.compress((HEADER + "".join(ROWS)).encode()))
    monkeypatch.setattr(ingest.archive, "MAX_FILE_BYTES", 4000)  # the text is 6,800 bytes, the gzip far smaller
    with pytest.raises(IngestError) as exc:
        ingest.load(path)
    assert exc.value.reason == "zip_bomb"
