"""Reading a long gait CSV as a stream gives the same rows and errors as reading its bytes (the memory it saves is
measured by ``python -m bench.cli_memory``: figures belong in benchmarks, not in unit tests)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

import ingest
import ingest.archive
from bench.throughput import build_day
from ingest import IngestError
from ingest.gait_csv import parse_gait_csv, write_gait_csv


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
