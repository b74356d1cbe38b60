"""An upload is compared with the stored walks on a snapshot, before the write lock is taken, and inside the write
transaction only with what was written since: what another connection commits in between is still refused, and
the transaction reads no other walk's steps."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from ingest import load
from service import samewalk
from service.store import MIGRATIONS, NewWalk, SameWalkError, Store
from tests.service.conftest import count_rows
from tests.service.test_same_walk import _cut, _steps_s
from tests.service.test_store import _database_before

SAMPLES = Path(__file__).resolve().parents[2] / "sample_recordings"


@cache
def _walk_steps(name: str, start: float = 0.0, stop: float = 1.0) -> tuple[np.ndarray, float, float]:
    """The step times of a real phone recording in a pocket (the shares ``start`` to ``stop`` of it, analysed on
    their own from 0 s, as a cut-short export), its duration and its sample rate."""
    rec = _cut(load(SAMPLES / f"{name}.csv", placement="pocket"), start, stop)
    rec = type(rec)(rec.time_s - rec.time_s[0], rec.acc_ms2, rec.gyr_dps)
    return _steps_s(rec, "pocket"), float(rec.time_s[-1]), 1.0 / float(np.median(np.diff(rec.time_s)))


def _walk(name: str, start: float = 0.0, stop: float = 1.0, *, origin: str = "upload") -> NewWalk:
    """An upload (or a sample walk, not checked itself) of a part of a real phone walk, as the pipeline stores it."""
    steps_s, duration_s, rate_hz = _walk_steps(name, start, stop)
    return NewWalk(
        name=f"{name} {start:.2f}-{stop:.2f}",
        origin=origin,
        placement="pocket",
        summary={"duration_s": duration_s, "steps": len(steps_s)},
        steps=[(float(t), None) for t in steps_s],
        source={"rate_hz": rate_hz},
    )


WHOLE = ("oxford_phone_back_pocket",)
SECOND_HALF = ("oxford_phone_back_pocket", 0.5, 1.0)
FIRST_HALF = ("oxford_phone_back_pocket", 0.0, 0.5)
FIRST_60 = ("oxford_phone_back_pocket", 0.0, 0.6)


@pytest.fixture
def other(tmp_path: Path, store: Store) -> Iterator[Store]:
    """Another writer on the same database file (another process: the CLI, a second service)."""
    s = Store(store.path).open()
    yield s
    s.close()


def _between_the_phases(monkeypatch: pytest.MonkeyPatch, store: Store, meanwhile: Callable[[list], None]) -> list:
    """Run ``meanwhile`` with the snapshots once the upload was compared on one, before its write transaction;
    returns the list the snapshots are put in."""
    seen: list = []
    snapshots = store._snapshots

    def then_meanwhile(walks):
        found = snapshots(walks)
        seen.extend(found)
        meanwhile(found)
        return found

    monkeypatch.setattr(store, "_snapshots", then_meanwhile)
    return seen


@pytest.mark.parametrize(
    ("meanwhile", "upload", "part"), [(WHOLE, SECOND_HALF, "part"), (FIRST_HALF, WHOLE, "holds")], ids=["half", "whole"]
)
def test_a_walk_committed_by_another_connection_after_the_snapshot_is_compared(
    store: Store, other: Store, monkeypatch: pytest.MonkeyPatch, meanwhile: tuple, upload: tuple, part: str
) -> None:
    """Two uploads of one walk at once (a whole and its half) cannot both get in: the one committed by another
    connection after the other was compared on its snapshot is found inside the other's write transaction."""
    store.add_walk(_walk("oxford_phone_in_bag"))
    committed: list[int] = []
    seen = _between_the_phases(monkeypatch, store, lambda _: committed.append(other.add_walk(_walk(*meanwhile))))
    with pytest.raises(SameWalkError) as refused:
        store.add_walk(_walk(*upload))
    assert seen[0] is not None and seen[0].walk_id is None  # the snapshot did not hold it yet
    assert refused.value.existing["id"] == committed[0] and refused.value.part == part
    assert count_rows(store, "walks") == 2


def test_two_walks_of_one_call_are_compared_with_each_other(store: Store) -> None:
    """An upload's walks are written in one transaction: the second, a part of the first, is refused (none stored);
    left out with ``skip_duplicates``."""
    with pytest.raises(SameWalkError) as refused:
        store.add_walks([_walk(*WHOLE), _walk(*SECOND_HALF)])
    assert refused.value.part == "part" and count_rows(store, "walks") == 0
    (whole_id,) = store.add_walks([_walk(*WHOLE), _walk(*SECOND_HALF)], skip_duplicates=True)
    assert store.get_walk(whole_id)["name"] == "oxford_phone_back_pocket 0.00-1.00"
    assert count_rows(store, "walks") == 1


def test_the_walk_found_on_the_snapshot_deleted_meanwhile(store: Store, other: Store, monkeypatch) -> None:
    """The stored walk the upload was found in is deleted before the write transaction: another stored walk
    holding the upload too refuses it; with none left, the upload is stored (no stale refusal)."""
    # sample walks are not checked when stored: the whole and its first 60 % both hold the first half
    held_by = {store.add_walk(_walk(*WHOLE, origin="sample")), store.add_walk(_walk(*FIRST_60, origin="sample"))}
    _between_the_phases(monkeypatch, store, lambda found: other.delete_walk(found[0].walk_id))
    with pytest.raises(SameWalkError) as refused:
        store.add_walk(_walk(*FIRST_HALF))
    (left,) = held_by & store.walk_ids()
    assert refused.value.existing["id"] == left and refused.value.part == "part"
    new_id = store.add_walk(_walk(*FIRST_HALF))  # the snapshot finds the one left, deleted meanwhile again
    assert store.walk_ids() == {new_id}


def test_a_walk_analysed_again_meanwhile_is_compared_as_it_is_now(store: Store, other: Store, monkeypatch) -> None:
    """A stored walk analysed again between the snapshot and the write transaction (its step times rewritten) is
    compared with its new steps: here they become the whole walk the upload is a half of."""
    walk_id = store.add_walk(_walk("oxford_phone_in_bag"))
    _between_the_phases(monkeypatch, store, lambda _: other.replace_analysis(walk_id, _walk(*WHOLE)))
    with pytest.raises(SameWalkError) as refused:
        store.add_walk(_walk(*SECOND_HALF))
    assert refused.value.existing["id"] == walk_id and refused.value.part == "part"


def test_the_write_transaction_compares_no_walk_stored_before_the_snapshot(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stored walks' step times are compared with the upload's before the write lock is taken; inside the
    write transaction no stored walk is (neither for a part nor, by the indexed check, step by step)."""
    stored = [("oxford_phone_in_bag",), ("oxford_phone_in_hand",), FIRST_60]
    for name in stored:
        store.add_walk(_walk(*name, origin="sample"))
    # a stored walk of about the upload's duration and step count: compared step by step
    upload_s, upload_duration_s, _ = _walk_steps(*SECOND_HALF)
    share = upload_duration_s / _walk_steps("oxford_phone_in_hand")[1]
    alike = _walk("oxford_phone_in_hand", 0.0, share, origin="sample")
    low_s, high_s = samewalk.duration_window_s(upload_duration_s)
    assert low_s <= alike.summary["duration_s"] <= high_s
    assert samewalk.steps_window(len(upload_s))[0] <= len(alike.steps) <= samewalk.steps_window(len(upload_s))[1]
    store.add_walk(alike)

    calls: list[tuple[str, bool, int]] = []
    find_part, same_walk = samewalk.find_part, samewalk.same_walk

    def counted_find_part(upload_s, rate_hz, walks):
        calls.append(("find_part", store._write_lock.locked(), len(walks)))
        return find_part(upload_s, rate_hz, walks)

    def counted_same_walk(a_s, b_s, tol_s):
        calls.append(("same_walk", store._write_lock.locked(), 1))
        return same_walk(a_s, b_s, tol_s)

    monkeypatch.setattr(samewalk, "find_part", counted_find_part)
    monkeypatch.setattr(samewalk, "same_walk", counted_same_walk)
    store.add_walk(_walk(*SECOND_HALF))
    before = [(what, n) for what, locked, n in calls if not locked]
    inside = [(what, n) for what, locked, n in calls if locked]
    assert before == [("same_walk", 1), ("find_part", len(stored) + 1)]
    assert inside == [("find_part", 0)]


def test_every_write_of_a_walks_steps_numbers_its_step_timing_anew(tmp_path: Path) -> None:
    """The migration keeps the stored step times, numbered; storing a walk, analysing it again and finishing a live
    walk each write its step times under a higher number (what the write transaction compares)."""
    conn = _database_before(tmp_path / "old.sqlite3", "step_timing_numbered")
    conn.execute(
        "INSERT INTO walks (id, name, origin, status, started_at, created_at, steps, source_json) VALUES (4, 'old',"
        " 'upload', 'complete', '2026-01-01T10:00:00+00:00', '2026-01-01T10:00:00+00:00', 2, '{\"rate_hz\": 50.0}')"
    )
    blob = np.array([0.0, 0.5], dtype=np.float32).tobytes()
    conn.execute("INSERT INTO step_timing (walk_id, rate_hz, steps_s) VALUES (4, 50.0, ?)", (blob,))
    conn.close()
    store = Store(tmp_path / "old.sqlite3").open()
    try:
        assert store.schema_version == len(MIGRATIONS)

        def timing() -> dict[int, tuple[int, float | None, int]]:
            with store.read() as c:
                rows = c.execute("SELECT walk_id, seq, rate_hz, steps_s FROM step_timing").fetchall()
            return {r[0]: (r[1], r[2], len(r[3]) // 4) for r in rows}

        assert timing() == {4: (1, 50.0, 2)}
        walk_id = store.add_walk(_walk(*SECOND_HALF))
        steps = len(_walk_steps(*SECOND_HALF)[0])
        assert timing()[walk_id] == (2, _walk_steps(*SECOND_HALF)[2], steps)
        store.delete_walk(walk_id)
        assert store.replace_analysis(4, _walk(*FIRST_HALF))
        assert timing() == {4: (3, 50.0, len(_walk_steps(*FIRST_HALF)[0]))}  # the old walk's own rate kept

        live_id = store.start_live_walk(NewWalk(name="live", origin="live", placement="pocket"))
        store.append_live(live_id, steps=[(float(t), None) for t in _walk_steps(*FIRST_60)[0]])
        assert live_id not in timing()  # a walk being recorded is not compared
        store.finish_walk(live_id, {"duration_s": 60.0, "steps": len(_walk_steps(*FIRST_60)[0])})
        assert timing()[live_id] == (4, None, len(_walk_steps(*FIRST_60)[0]))
    finally:
        store.close()
