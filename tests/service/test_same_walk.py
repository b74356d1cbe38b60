"""The same walk uploaded twice in two files (another format, time origin, unit; a row lost; resampled) is refused
by its steps' timing; different real walks never are."""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from gait.analysis import analyze
from gait.types import Recording
from ingest import load
from ingest.gait_csv import read_gait_csv, write_gait_csv
from service import samewalk
from service.store import MIGRATIONS, Store
from tests.sample_data import samples
from tests.service.conftest import count_rows
from tests.service.test_store import _database_before

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data" / "dev"
GENEACTIV = SHARED / "gaitpy_demo_geneactiv_lumbar" / "demo_data.csv"
PHONE = SHARED / "phone_exports" / "sensor_logger_android_header_edited" / "Longwalking.csv"


def needs_shared(test: Callable[..., None]) -> Callable[..., None]:
    """Marked ``shared`` and skipped with a reason when ../shared/data/dev is absent."""
    skip = pytest.mark.skipif(not GENEACTIV.is_file(), reason=f"shared dev data not found at {SHARED}")
    return pytest.mark.shared(skip(test))


def _post(client: TestClient, path: Path, placement: str):
    with path.open("rb") as fh:
        return client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": placement})


def _from_zero(recording: Recording, path: Path) -> Path:
    """The recording as gait CSV counting from 0 s (no date: dated when uploaded)."""
    write_gait_csv(replace(recording, time_s=recording.time_s - recording.time_s[0]), path)
    return path


def _in_g_without_last_row(recording: Recording, path: Path) -> Path:
    """The recording as a generic CSV in g (4 decimals, as GENEActiv writes) and milliseconds from 0, last row lost."""
    t_ms = (recording.time_s[:-1] - recording.time_s[0]) * 1000.0
    columns = [np.char.mod("%.3f", t_ms), *np.char.mod("%.4f", recording.acc_ms2[:-1].T / 9.80665)]
    header = "time_ms,acc_x_g,acc_y_g,acc_z_g"
    if recording.gyr_dps is not None:
        columns += list(np.char.mod("%.3f", recording.gyr_dps[:-1].T))
        header += ",gyr_x_dps,gyr_y_dps,gyr_z_dps"
    path.write_text("\n".join([header, *(",".join(row) for row in zip(*columns, strict=True))]) + "\n")
    return path


def _steps_s(recording: Recording, placement: str) -> np.ndarray:
    return np.array([s.t_s for s in analyze(recording, placement=placement).steps])


@needs_shared
def test_a_geneactiv_walk_and_its_gait_csv_from_0_s_are_one_walk(client: TestClient, store: Store, tmp_path: Path):
    first = _post(client, GENEACTIV, "lower_back")
    assert first.status_code == 201, first.text
    (walk,) = first.json()["walks"]
    assert walk["started_at"].startswith("2019-08-06T14:25")  # dated by the GENEActiv clock
    rows = {t: count_rows(store, t) for t in ("walks", "strides", "steps")}

    # `gait convert` of it keeps the date (Unix seconds): the same time as the stored walk
    converted = tmp_path / "converted.csv"
    cli = [sys.executable, "-m", "service.cli", "convert", str(GENEACTIV), str(converted)]
    subprocess.run(cli, cwd=REPO, check=True, capture_output=True)
    r = _post(client, converted, "lower_back")
    assert r.status_code == 409 and f"covers the same time as walk {walk['id']}" in r.json()["detail"]

    # the same gait CSV counting from 0 s has no date to compare: its steps fall at the stored walk's moments
    from_zero = _from_zero(read_gait_csv(converted), tmp_path / "from zero.csv")
    r = _post(client, from_zero, "lower_back")
    assert r.status_code == 409, r.text
    detail = r.json()["detail"]
    assert detail.startswith("from zero.csv: this is the same walk as ")
    assert f'walk {walk["id"]} "demo_data" (recorded 2019-08-06 14:25 UTC)' in detail
    assert f"{store.get_walk(walk['id'])['steps']} of its steps fall at the same moments" in detail
    assert "Nothing was stored" in detail and f"delete walk {walk['id']} first" in detail
    assert {t: count_rows(store, t) for t in ("walks", "strides", "steps")} == rows
    assert [row["walks"] for row in client.get("/api/trends").json()] == [1]
    assert list((client.app.state.settings.recordings_dir).glob("*.npz")) == [
        client.app.state.settings.recordings_dir / f"walk-{walk['id']}.npz"
    ]  # no samples kept for the refused upload

    # what the message says works: delete the stored walk, the other file is then stored
    assert client.delete(f"/api/walks/{walk['id']}").status_code == 200
    again = _post(client, from_zero, "lower_back")
    assert again.status_code == 201 and count_rows(store, "walks") == 1


@needs_shared
def test_a_phone_export_in_g_without_its_last_row_is_the_same_walk(client: TestClient, store: Store, tmp_path: Path):
    assert _post(client, PHONE, "pocket").status_code == 201
    copy = _in_g_without_last_row(load(PHONE, placement="pocket"), tmp_path / "walk in g.csv")
    r = _post(client, copy, "pocket")
    assert r.status_code == 409 and "this is the same walk as walk 1" in r.json()["detail"], r.text
    assert count_rows(store, "walks") == 1


def test_the_real_sample_walks_are_told_apart_and_each_is_recognised_in_other_files(tmp_path: Path) -> None:
    """Every pair of different real walks is told apart; each walk is recognised re-saved from 0 s, in g without
    its last row, and (trunk and phone sensors) at half its sample rate."""
    walks = {}
    for s in samples():
        rec = s.load()
        rate_hz = 1.0 / float(np.median(np.diff(rec.time_s)))
        walks[s.name] = (rec, s.placement.value, rate_hz, _steps_s(rec, s.placement.value))
    assert len(walks) >= 8
    for (a, (_, _, rate_a, steps_a)), (b, (_, _, rate_b, steps_b)) in itertools.combinations(walks.items(), 2):
        same, matched = samewalk.same_walk(steps_a, steps_b, samewalk.match_tolerance_s(rate_a, rate_b))
        assert not same, (a, b, matched)
    for name, (rec, placement, rate_hz, steps_s) in walks.items():
        copies = [
            read_gait_csv(_from_zero(rec, tmp_path / f"{name}.csv")),
            load(_in_g_without_last_row(rec, tmp_path / f"{name} in g.csv")),
        ]
        if placement != "foot":  # a shoe's contacts move by a sample or two at half its rate (module docstring)
            gyr_dps = None if rec.gyr_dps is None else rec.gyr_dps[::2]
            copies.append(Recording(rec.time_s[::2], rec.acc_ms2[::2], gyr_dps))
        for copy in copies:
            copy_rate_hz = 1.0 / float(np.median(np.diff(copy.time_s)))
            tol_s = samewalk.match_tolerance_s(rate_hz, copy_rate_hz)
            same, matched = samewalk.same_walk(steps_s, _steps_s(copy, placement), tol_s)
            assert same, (name, copy_rate_hz, matched, len(steps_s))


def test_a_metronome_is_never_the_same_walk_as_another() -> None:
    """Steps at a constant interval carry no timing of their own: two such walks are not taken for one."""
    steps_s = np.arange(200) * 0.55
    assert samewalk.periodic_share(steps_s, 0.015) == 1.0
    assert samewalk.same_walk(steps_s, steps_s + 3.0, 0.015) == (False, 0)
    # a walker's steps, another origin, the first step lost: one walk
    walker_s = np.cumsum(np.random.default_rng(0).normal(0.55, 0.02, 200))
    assert samewalk.same_walk(walker_s, walker_s[1:] + 1.7e9, 0.015) == (True, 199)
    # the same walker's next walk at the same cadence: another walk
    other_s = np.cumsum(np.random.default_rng(1).normal(0.55, 0.02, 200))
    assert not samewalk.same_walk(walker_s, other_s, 0.015)[0]


def test_the_migration_indexes_what_an_upload_is_compared_by(tmp_path: Path) -> None:
    (migration,) = [m for m in MIGRATIONS if "walks_by_duration" in m]
    path = tmp_path / "old.sqlite3"
    _database_before(path, migration).close()
    store = Store(path).open()
    try:
        assert store.schema_version == len(MIGRATIONS)
        with store.read() as c:
            plan = " ".join(
                str(r[3])
                for r in c.execute(
                    "EXPLAIN QUERY PLAN SELECT id FROM walks WHERE duration_s BETWEEN 1 AND 2 AND steps BETWEEN 1 AND 2"
                )
            )
        assert "walks_by_duration" in plan
    finally:
        store.close()


def _cut(recording: Recording, start: float, stop: float) -> Recording:
    """The samples between the shares ``start`` and ``stop`` of a recording (a cut-short export, a half)."""
    i, j = round(start * len(recording.time_s)), round(stop * len(recording.time_s))
    gyr_dps = None if recording.gyr_dps is None else recording.gyr_dps[i:j]
    return Recording(recording.time_s[i:j], recording.acc_ms2[i:j], gyr_dps)


def test_a_half_of_a_stored_walk_and_a_walk_holding_a_stored_half_are_refused(
    client: TestClient, store: Store, tmp_path: Path
) -> None:
    """QA: the halves of an undated phone walk were stored beside it (its steps counted twice); the other way round
    too. A half from 0 s starts mid-walk: it is aligned anywhere in the whole."""
    rec = load(REPO / "sample_recordings" / "oxford_phone_back_pocket.csv", placement="pocket")
    whole = _from_zero(rec, tmp_path / "whole.csv")
    first = _from_zero(_cut(rec, 0.0, 0.5), tmp_path / "first half.csv")
    second = _from_zero(_cut(rec, 0.5, 1.0), tmp_path / "second half.csv")
    stored = _post(client, whole, "pocket")
    assert stored.status_code == 201, stored.text
    (walk,) = stored.json()["walks"]
    rows = {t: count_rows(store, t) for t in ("walks", "strides", "steps")}
    for half in (first, second):
        r = _post(client, half, "pocket")
        assert r.status_code == 409, r.text
        detail = r.json()["detail"]
        assert detail.startswith(f'{half.name}: this is a part of walk {walk["id"]} "whole"'), detail
        assert "Nothing was stored" in detail and f"delete walk {walk['id']} first" in detail
    assert {t: count_rows(store, t) for t in ("walks", "strides", "steps")} == rows

    # the other way round: a half stored, then the whole
    assert client.delete(f"/api/walks/{walk['id']}").status_code == 200
    half = _post(client, second, "pocket")
    assert half.status_code == 201, half.text
    (part,) = half.json()["walks"]
    r = _post(client, whole, "pocket")
    assert r.status_code == 409, r.text
    detail = r.json()["detail"]
    assert detail.startswith(f'whole.csv: this recording holds walk {part["id"]} "second half"'), detail
    assert f"delete the stored part, walk {part['id']}, first" in detail
    # what it says works
    assert client.delete(f"/api/walks/{part['id']}").status_code == 200
    assert _post(client, whole, "pocket").status_code == 201
    # the first half is then a part again, and the other phone walks of the samples are not parts of it
    assert _post(client, first, "pocket").status_code == 409
    for other in ("oxford_phone_in_bag", "oxford_phone_in_hand"):
        path = _from_zero(load(REPO / "sample_recordings" / f"{other}.csv"), tmp_path / f"{other}.csv")
        assert _post(client, path, "pocket").status_code == 201, other


def test_another_placement_of_a_part_is_not_compared(client: TestClient, tmp_path: Path) -> None:
    """Another sensor of the same walk (a foot's contacts beside the lower back's) is not refused by this rule: only
    stored walks of the upload's placement are compared (here the very same samples, told to be held in the hand)."""
    rec = load(REPO / "sample_recordings" / "oxford_phone_back_pocket.csv", placement="pocket")
    assert _post(client, _from_zero(rec, tmp_path / "whole.csv"), "pocket").status_code == 201
    r = _post(client, _from_zero(_cut(rec, 0.0, 0.5), tmp_path / "half.csv"), "hand")
    assert r.status_code == 201, r.text


PARTS = {"first half": (0.0, 0.5), "second half": (0.5, 1.0), "first 60 %": (0.0, 0.6), "middle third": (1 / 3, 2 / 3)}


def test_parts_of_a_real_walk_are_found_anywhere_in_it_and_not_in_other_walks() -> None:
    walks = {}
    for s in samples():
        rec = s.load()
        rate_hz = 1.0 / float(np.median(np.diff(rec.time_s)))
        parts = {name: _steps_s(_cut(rec, a, b), s.placement.value) for name, (a, b) in PARTS.items()}
        walks[s.name] = (rate_hz, _steps_s(rec, s.placement.value), parts)
    checked = 0
    for name, (rate_hz, whole_s, parts) in walks.items():
        tol_s = samewalk.match_tolerance_s(rate_hz, rate_hz)
        for part, part_s in parts.items():
            if len(part_s) >= samewalk.PART_MIN_STEPS:
                checked += 1
                assert samewalk.part_of_walk(part_s - part_s[0] + 5.0, whole_s, tol_s)[0], (name, part)
            for other, (other_rate_hz, other_s, _) in walks.items():
                if other != name:
                    tol_s = samewalk.match_tolerance_s(rate_hz, other_rate_hz)
                    assert not samewalk.part_of_walk(part_s, other_s, tol_s)[0], (name, part, other)
        stored = [(other_rate_hz, other_s) for other, (other_rate_hz, other_s, _) in walks.items() if other != name]
        assert samewalk.find_part(whole_s, rate_hz, stored) is None, name
    assert checked >= 12


def test_votes_count_each_anchor_once_at_one_alignment() -> None:
    """A stored walk's votes are the most distinct anchors found at one alignment: a part's runs at one offset
    count each anchor once (twice found, once counted), another walk's scattered runs one each."""
    tols_s = np.full(3, 0.015)  # bins of 4 tolerances, 0.06 s: edges at 9.96, 10.02, ... and 9.99, 10.05, ...
    walk = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1])
    anchor = np.array([1, 2, 3, 4, 1, 1, 2, 3, 4])
    offset_s = np.array([10.0, 10.005, 10.01, 10.015, 10.0, 3.0, 7.0, 11.0, 15.0])
    assert samewalk._consistent_votes(walk, anchor, offset_s, tols_s, 3).tolist() == [4, 1, 0]
    # across an edge of one grid (10.02), within a bin of the grid half a bin over
    across_s = np.array([10.0, 10.01, 10.03, 10.04])
    assert samewalk._consistent_votes(walk[:4], anchor[:4], across_s, tols_s, 1).tolist() == [4]


@pytest.mark.parametrize("spread", [10, 2**50], ids=["one key", "too wide for one key"])
def test_distinct_triples_are_those_of_a_set(spread: int) -> None:
    rng = np.random.default_rng(3)
    a, c = rng.integers(0, 50, 20_000), rng.integers(0, 30, 20_000)
    b = rng.integers(-5, 5, 20_000) * (spread // 10) + 7
    expected = sorted({(int(x), int(y), int(z)) for x, y, z in zip(a, b, c, strict=True)})
    got_a, got_b = samewalk._distinct_triples(a, b, c)
    assert list(zip(got_a.tolist(), (got_b + b.min()).tolist(), strict=True)) == [(x, y) for x, y, _ in expected]
