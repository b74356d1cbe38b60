"""The store: migrations by user_version, one transaction per walk, WAL."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.store import MIGRATION_FUNCTIONS, MIGRATIONS, NewWalk, Store, StoreError


def test_migrations_set_user_version_and_are_idempotent(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3").open()
    assert store.schema_version == len(MIGRATIONS)
    store.add_walk(NewWalk(name="a", origin="upload"))
    store.close()
    again = Store(tmp_path / "db.sqlite3").open()
    assert again.count_walks() == 1 and again.schema_version == len(MIGRATIONS)
    with again.read() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again.close()


def test_a_version_1_database_is_upgraded_and_keeps_its_walks(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "db.sqlite3")
    conn.executescript(MIGRATIONS[0])
    conn.execute(
        "INSERT INTO walks (name, origin, status, started_at, created_at, steps) VALUES (?,?,?,?,?,?)",
        ("old walk", "upload", "complete", "2026-01-01T10:00:00+00:00", "2026-01-01T10:00:00+00:00", 120),
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    store = Store(tmp_path / "db.sqlite3").open()
    assert store.schema_version == len(MIGRATIONS) >= 2
    (old,) = store.list_walks()
    assert old["name"] == "old walk" and old["steps"] == 120 and old["notes"] == []
    new_id = store.add_walk(NewWalk(name="new", origin="upload", notes=["stride length: a model"]))
    assert store.get_walk(new_id)["notes"] == ["stride length: a model"]
    store.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "db.sqlite3")
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        Store(tmp_path / "db.sqlite3").open()


def test_not_a_database_is_refused(tmp_path: Path) -> None:
    (tmp_path / "db.sqlite3").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="--data-dir"):
        Store(tmp_path / "db.sqlite3").open()


def test_failed_insert_leaves_nothing(store: Store) -> None:
    good = (0.0, 1.1, 1.2, 109.0, 1.1, 0.8, "inverted_pendulum", None, None, None)
    bad = (1.0, 2.1, 1.2, None, 1.1, 0.8, "inverted_pendulum", None, None, None)  # cadence NOT NULL
    with pytest.raises(sqlite3.IntegrityError):
        store.add_walk(NewWalk(name="x", origin="upload", strides=[good, bad]))
    assert store.count_walks() == 0
    with store.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM strides").fetchone()[0] == 0
    assert store.integrity_check() == "ok"


def test_pain_report_survives_walk_deletion(store: Store) -> None:
    walk_id = store.add_walk(NewWalk(name="x", origin="upload"))
    pid = store.add_pain(
        {
            "reported_at": "2026-01-01T00:00:00+00:00",
            "score": 4,
            "walk_id": walk_id,
            "onset_distance_m": 900.0,
            "onset_time_s": None,
            "note": None,
        }
    )
    without = store.add_pain(_pain(3))
    assert store.get_pain(pid)["walk_deleted"] == 0
    store.delete_walk(walk_id)
    # unlinked, and the report keeps that it had a walk (the pain page says "walk deleted"); one made without a
    # walk is no such report
    assert (store.get_pain(pid)["walk_id"], store.get_pain(pid)["walk_deleted"]) == (None, 1)
    assert (store.get_pain(without)["walk_id"], store.get_pain(without)["walk_deleted"]) == (None, 0)


@pytest.fixture
def local_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run in New York time (UTC-5 in winter, UTC-4 in summer), then restore the process's zone."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("local_zone")
def test_trend_weeks_are_iso_weeks_in_local_time(store: Store) -> None:
    # (UTC start, local day, ISO week of that local day), from the calendar
    cases = [
        ("2026-11-23T15:00:00+00:00", "2026-11-23", "2026-W48"),  # Monday
        ("2026-11-26T15:00:00+00:00", "2026-11-26", "2026-W48"),  # Thursday
        ("2019-05-16T15:00:00+00:00", "2019-05-16", "2019-W20"),
        ("2019-05-19T15:00:00+00:00", "2019-05-19", "2019-W20"),  # Sunday ends the ISO week
        ("2024-12-31T15:00:00+00:00", "2024-12-31", "2025-W01"),  # the week holding 2 Jan 2025's Thursday
        ("2021-01-01T15:00:00+00:00", "2021-01-01", "2020-W53"),  # a Friday in the last week of 2020
        # 03:00 UTC on Monday 30 Nov is still Sunday 29 Nov, 22:00, in New York: the walker's day and week
        ("2026-11-30T03:00:00+00:00", "2026-11-29", "2026-W48"),
    ]
    for i, (started_at, _, _) in enumerate(cases):
        store.add_walk(NewWalk(name=f"w{i}", origin="upload", started_at=started_at, summary={"strides": 10}))
    days = {row["period"]: row["walks"] for row in store.trends("day")}
    weeks = {row["period"]: row["walks"] for row in store.trends("week")}
    assert set(days) == {day for _, day, _ in cases}
    assert weeks == {"2026-W48": 3, "2019-W20": 2, "2025-W01": 1, "2020-W53": 1}


def test_walk_ids_are_never_reused_after_a_delete(store: Store) -> None:
    first = [store.add_walk(NewWalk(name=f"w{i}", origin="upload")) for i in range(3)]
    for walk_id in first[1:]:  # the newest walks, whose ids SQLite would hand out again without AUTOINCREMENT
        assert store.delete_walk(walk_id)
    later = [store.add_walk(NewWalk(name=f"later{i}", origin="upload")) for i in range(2)]
    assert min(later) > max(first)


def _database_before(path: Path, migration: str) -> sqlite3.Connection:
    """A database made by every migration before ``migration`` (the schema a user's file has before it)."""
    conn = sqlite3.connect(path, isolation_level=None)
    before = MIGRATIONS.index(migration)
    for script in MIGRATIONS[:before]:
        if script in MIGRATION_FUNCTIONS:
            MIGRATION_FUNCTIONS[script](conn)
        else:
            conn.executescript(script)
    conn.execute(f"PRAGMA user_version = {before}")
    return conn


def test_migration_to_unique_walk_ids_keeps_every_row_and_reference(tmp_path: Path) -> None:
    conn = _database_before(tmp_path / "db.sqlite3", "walk_ids_never_reused")
    conn.execute("PRAGMA foreign_keys = ON")
    for walk_id in (1, 2, 5):
        conn.execute(
            "INSERT INTO walks (id, name, origin, status, started_at, created_at, steps, notes_json, demo)"
            " VALUES (?, ?, 'upload', 'complete', '2026-01-01T10:00:00+00:00', '2026-01-01T10:00:00+00:00', 40,"
            " '[\"a note\"]', ?)",
            (walk_id, f"walk {walk_id}", int(walk_id == 2)),
        )
        conn.execute(
            "INSERT INTO strides (walk_id, idx, start_s, end_s, length_m, cadence_spm, confidence, method)"
            " VALUES (?, 0, 1.0, 2.1, 1.3, 109.0, 0.8, 'pendulum')",
            (walk_id,),
        )
        conn.execute("INSERT INTO steps (walk_id, idx, t_s) VALUES (?, 0, 1.0)", (walk_id,))
        conn.execute("INSERT INTO bouts (walk_id, idx, start_s, end_s, steps) VALUES (?, 0, 1.0, 9.0, 8)", (walk_id,))
        conn.execute(
            "INSERT INTO cues (walk_id, idx, t_s, kind, message) VALUES (?, 0, 3.0, 'shorten', 'shorter')", (walk_id,)
        )
    conn.execute("INSERT INTO pain_reports (reported_at, score, walk_id) VALUES ('2026-01-01T11:00:00+00:00', 4, 5)")
    conn.execute("INSERT INTO profile (id, data_json) VALUES (1, '{\"body_height_m\": 1.7}')")
    conn.close()

    store = Store(tmp_path / "db.sqlite3").open()
    try:
        assert store.schema_version == len(MIGRATIONS)
        assert [w["id"] for w in store.list_walks()] == [5, 2, 1]
        assert store.get_walk(5)["notes"] == ["a note"] and store.get_walk(2)["demo"] is True
        for walk_id in (1, 2, 5):
            assert len(store.strides(walk_id)) == len(store.steps(walk_id)) == len(store.bouts(walk_id)) == 1
            assert len(store.cues(walk_id)) == 1
        assert store.list_pain()[0]["walk_id"] == 5
        assert store.get_profile() == {"body_height_m": 1.7}
        assert store.integrity_check() == "ok"
        with store.read() as read:
            indexes = {r[0] for r in read.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
            assert {"walks_by_start", "walks_by_status", "walks_own_by_start"} <= indexes
            assert read.execute("PRAGMA foreign_key_check").fetchall() == []
        # foreign keys are still enforced on the rebuilt table: no stride without its walk, deletes cascade
        with pytest.raises(sqlite3.IntegrityError), store.write() as write:
            write.execute(
                "INSERT INTO strides (walk_id, idx, start_s, end_s, cadence_spm, confidence, method)"
                " VALUES (99, 0, 1.0, 2.0, 100.0, 0.5, 'x')"
            )
        assert store.delete_walk(5)
        assert store.strides(5) == [] and store.cues(5) == [] and store.list_pain()[0]["walk_id"] is None
        # and the deleted highest id is not handed out again
        assert store.add_walk(NewWalk(name="new", origin="upload")) == 6
    finally:
        store.close()


def _pain(score: int, walk_id: int | None = None) -> dict:
    return {
        "reported_at": "2026-01-01T11:00:00+00:00",
        "score": score,
        "walk_id": walk_id,
        "onset_distance_m": None,
        "onset_time_s": None,
        "note": None,
    }


def test_pain_report_ids_are_never_reused_after_a_delete(store: Store) -> None:
    first = [store.add_pain(_pain(score)) for score in (3, 4)]
    assert store.delete_pain(first[-1])  # the newest report: SQLite would hand its id out again without AUTOINCREMENT
    later = store.add_pain(_pain(6))
    assert later > max(first)
    # a stale tab deleting the report it showed deletes nothing else
    assert not store.delete_pain(first[-1])
    assert {r["id"] for r in store.list_pain()} == {first[0], later}


def test_migration_to_unique_pain_report_ids_keeps_every_report(tmp_path: Path) -> None:
    conn = _database_before(tmp_path / "db.sqlite3", "pain_report_ids_never_reused")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(
        "INSERT INTO walks (id, name, origin, status, started_at, created_at, steps)"
        " VALUES (7, 'w', 'upload', 'complete', '2026-01-01T10:00:00+00:00', '2026-01-01T10:00:00+00:00', 40)"
    )
    for report_id, walk_id in ((1, None), (3, 7)):
        conn.execute(
            "INSERT INTO pain_reports (id, reported_at, score, walk_id, onset_distance_m, note)"
            " VALUES (?, '2026-01-01T11:00:00+00:00', 4, ?, 120.0, 'back')",
            (report_id, walk_id),
        )
    conn.close()

    store = Store(tmp_path / "db.sqlite3").open()
    try:
        assert store.schema_version == len(MIGRATIONS)
        reports = {r["id"]: r for r in store.list_pain()}
        assert set(reports) == {1, 3}
        assert (reports[3]["walk_id"], reports[3]["onset_distance_m"], reports[3]["note"]) == (7, 120.0, "back")
        with store.read() as read:
            assert "pain_by_time" in {r[0] for r in read.execute("SELECT name FROM sqlite_master WHERE type='index'")}
            assert read.execute("PRAGMA foreign_key_check").fetchall() == []
        # the rebuilt table still checks its rows and follows its walk
        with pytest.raises(sqlite3.IntegrityError), store.write() as write:
            write.execute("INSERT INTO pain_reports (reported_at, score) VALUES ('2026-01-01T12:00:00+00:00', 11)")
        assert store.delete_pain(3)
        assert store.add_pain(_pain(5)) == 4  # the deleted highest id is not handed out again
        assert store.delete_walk(7)
    finally:
        store.close()


def test_trends_count_a_summary_only_walks_stride_length(store: Store) -> None:
    # an Apple Health walk: 2000 steps (1000 strides) at a 1.20 m stride, no per-stride rows (strides NULL)
    health = {"steps": 2000, "strides": None, "stride_length_m": 1.2, "distance_m": 1200.0}
    store.add_walk(NewWalk(name="health", origin="upload", started_at="2026-11-20T12:00:00+00:00", summary=health))
    (alone,) = store.trends("day")
    assert alone["stride_length_m"] == pytest.approx(1.2)  # as the Walks list shows it, not "–"
    assert alone["strides"] == 1000  # not 0: its steps / 2, as in the means
    # with a measured walk the same day: each counts with its strides (1000 and 100)
    measured = {"steps": 210, "strides": 100, "stride_length_m": 1.4, "cadence_spm": 110.0}
    store.add_walk(NewWalk(name="own", origin="upload", started_at="2026-11-20T13:00:00+00:00", summary=measured))
    (both,) = store.trends("day")
    assert both["stride_length_m"] == pytest.approx((1.2 * 1000 + 1.4 * 100) / 1100)
    assert both["cadence_spm"] == pytest.approx(110.0)  # Health has no cadence: only the measured walk's
    # the Health walk's steps / 2 strides count in the total as in the means (the trends page says so): 1000 + 100
    assert both["strides"] == 1100


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        # the calibration walk's placement recorded: the factor is that placement's
        (
            {"placement": "lower_back", "body_height_m": 1.7, "stride_scale": 1.07, "stride_scale_placement": "pocket"},
            {"placement": "lower_back", "body_height_m": 1.7, "stride_scales": {"pocket": 1.07}},
        ),
        # not recorded (profiles saved before it was): the usual placement's
        ({"placement": "foot", "stride_scale": 0.98}, {"placement": "foot", "stride_scales": {"foot": 0.98}}),
        # no factor: the old keys go, nothing else changes
        ({"placement": "foot", "stride_scale": None, "stride_scale_placement": None}, {"placement": "foot"}),
        ({"body_height_m": 1.7}, {"body_height_m": 1.7}),
    ],
)
def test_migration_keeps_the_single_calibration_factor_for_its_placement(
    tmp_path: Path, stored: dict, expected: dict
) -> None:
    conn = _database_before(tmp_path / "db.sqlite3", "profile_stride_scales_per_placement")
    conn.execute("INSERT INTO profile (id, data_json) VALUES (1, ?)", (json.dumps(stored),))
    conn.close()
    store = Store(tmp_path / "db.sqlite3").open()
    try:
        assert store.schema_version == len(MIGRATIONS)
        assert store.get_profile() == expected
    finally:
        store.close()


def test_migration_of_the_calibration_factor_leaves_a_database_without_a_profile_alone(tmp_path: Path) -> None:
    _database_before(tmp_path / "db.sqlite3", "profile_stride_scales_per_placement").close()
    store = Store(tmp_path / "db.sqlite3").open()
    try:
        assert store.schema_version == len(MIGRATIONS) and store.get_profile() == {}
    finally:
        store.close()


def test_migration_drops_only_the_population_line_shown_as_a_usual_stride(tmp_path: Path) -> None:
    (migration,) = [m for m in MIGRATIONS if "target_m = NULL" in m]
    conn = _database_before(tmp_path / "db.sqlite3", migration)
    walks = {
        1: {"active": False, "baseline_source": "population"},  # coaching off: the population line as "usual stride"
        2: {"active": True, "baseline_source": "population"},  # judged against the population target: history
        3: {"active": False, "baseline_source": "personal"},  # the walker's own usual strides
        4: {},  # an old walk without a plan description
    }
    for walk_id, coaching in walks.items():
        conn.execute(
            "INSERT INTO walks (id, name, origin, status, started_at, created_at, coaching_json)"
            " VALUES (?, ?, 'upload', 'complete', '2026-01-01T10:00:00+00:00', '2026-01-01T10:00:00+00:00', ?)",
            (walk_id, f"walk {walk_id}", json.dumps(coaching)),
        )
        for idx, overlong in enumerate((None, 1, 0) if coaching.get("active") else (None, None)):
            conn.execute(
                "INSERT INTO strides (walk_id, idx, start_s, end_s, length_m, cadence_spm, confidence, method,"
                " target_m, overlong) VALUES (?, ?, ?, ?, 1.3, 110.0, 0.8, 'pendulum', 1.2, ?)",
                (walk_id, idx, float(idx), idx + 1.1, overlong),
            )
    conn.close()
    store = Store(tmp_path / "db.sqlite3").open()
    try:
        assert store.schema_version == len(MIGRATIONS)
        targets = {walk_id: [s["target_m"] for s in store.strides(walk_id)] for walk_id in walks}
        assert targets == {1: [None, None], 2: [1.2, 1.2, 1.2], 3: [1.2, 1.2], 4: [1.2, 1.2]}
        assert [s["overlong"] for s in store.strides(2)] == [None, 1, 0]  # verdicts untouched
    finally:
        store.close()


def test_deleted_health_data_is_overwritten_in_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``secure_delete`` on every connection: a deleted pain report's words and a deleted walk's name are gone from
    the database file and its WAL at once (QA: the note stayed readable in ``gait.sqlite3-wal`` while the server
    ran), not left in free pages or older WAL frames, with an SQLite built with it off by default (most are; Debian's
    is not)."""
    connect = sqlite3.connect

    def connect_default_off(*args: object, **kwargs: object) -> sqlite3.Connection:
        conn = connect(*args, **kwargs)
        conn.execute("PRAGMA secure_delete = OFF")
        return conn

    def files_holding(word: str) -> list[str]:
        return [p.name for p in sorted(tmp_path.glob("gait.sqlite3*")) if word.encode() in p.read_bytes()]

    monkeypatch.setattr(sqlite3, "connect", connect_default_off)
    store = Store(tmp_path / "gait.sqlite3").open()
    try:
        with store.write() as conn:
            assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
        with store.read() as conn:
            assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
        words = "knee pain after the hill at Hampstead Heath"
        report = {"reported_at": "2026-01-01T00:00:00+00:00", "score": 6, "walk_id": None, "note": words}
        pid = store.add_pain({**report, "onset_distance_m": None, "onset_time_s": None})
        walk_name = "Walk to Dr Okonkwo-Lindqvist's clinic"
        walk_id = store.add_walk(NewWalk(name=walk_name, origin="upload"))
        kept = store.add_walk(NewWalk(name="Kept: round the Serpentine", origin="upload"))
        assert files_holding(words) and files_holding(walk_name)  # written, so the checks below can fail
        assert store.delete_pain(pid)
        assert files_holding(words) == []  # the store still open, as the server keeps it
        assert store.delete_walk(walk_id)
        assert files_holding(walk_name) == []
        assert store.get_walk(kept)["name"] == "Kept: round the Serpentine"
    finally:
        store.close()
    assert files_holding(words) == [] and files_holding(walk_name) == []
    assert files_holding("Kept: round the Serpentine") == ["gait.sqlite3"]


def test_migration_marks_the_reports_a_stored_plan_names_with_a_walk_deleted_since(tmp_path: Path) -> None:
    conn = _database_before(tmp_path / "db.sqlite3", "pain_reports_keep_their_deleted_walk")
    conn.execute("PRAGMA foreign_keys = ON")
    # walk 1 was deleted before the upgrade: its report 1 lost its walk_id, but walk 2's plan named it with walk 1;
    # report 2 was made without a walk; report 3 is for walk 2, still stored
    plan = {"pain_walk_reports": [{"id": 1, "reported_at": "2026-01-01T11:00:00+00:00", "score": 4, "walk_id": 1}]}
    conn.execute(
        "INSERT INTO walks (id, name, origin, status, started_at, created_at, steps, coaching_json)"
        " VALUES (2, 'w', 'upload', 'complete', '2026-01-02T10:00:00+00:00', '2026-01-02T10:00:00+00:00', 40, ?)",
        (json.dumps(plan),),
    )
    for report_id, walk_id in ((1, None), (2, None), (3, 2)):
        conn.execute(
            "INSERT INTO pain_reports (id, reported_at, score, walk_id) VALUES (?, '2026-01-01T11:00:00+00:00', 4, ?)",
            (report_id, walk_id),
        )
    conn.close()

    store = Store(tmp_path / "db.sqlite3").open()
    try:
        assert store.schema_version == len(MIGRATIONS)
        assert {r["id"]: (r["walk_id"], r["walk_deleted"]) for r in store.list_pain()} == {
            1: (None, 1),
            2: (None, 0),
            3: (2, 0),
        }
        assert store.delete_walk(2)
        assert store.get_pain(3)["walk_deleted"] == 1
    finally:
        store.close()
