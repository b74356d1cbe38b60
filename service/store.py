"""The SQLite store: walks, their strides/steps/bouts, pain reports and the profile.

One writer (a single connection behind a lock, every write in ``BEGIN IMMEDIATE``), WAL journal so readers never
block the writer, short-lived reader connections, and schema migrations numbered by ``PRAGMA user_version``
(after datasette's ``database.py``). All methods block: callers on the event loop run them in a thread.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from service import samewalk
from service.privacy import private_file, private_folder
from service.settings import disk_problem_words


class StoreError(RuntimeError):
    """Raised when the database cannot be opened or migrated (wrong file, newer schema, disk full)."""


class DuplicateRecordingError(StoreError):
    """Raised when a walk's recording is already stored as another walk (same ``recording_sha256``).

    Attributes
    ----------
    existing
        The stored walk: ``id``, ``name``, ``origin``, ``started_at``, ``demo`` and ``source_json``.
    """

    def __init__(self, existing: dict[str, Any]) -> None:
        super().__init__(f"the recording is already stored as walk {existing['id']}")
        self.existing = existing


class OverlappingWalkError(DuplicateRecordingError):
    """Raised when an uploaded recording covers the same time as a stored walk of the walker's own (most of the
    shorter of the two): a part of the same recording (an export cut short, then the whole), or another sensor's
    record of the same walk. Stored too, it would count that walking twice in the trends and the coaching.

    Attributes
    ----------
    existing
        The stored walk, as for :class:`DuplicateRecordingError`, with its ``duration_s``.
    overlap_s
        How long the two cover the same time, in seconds.
    """

    def __init__(self, existing: dict[str, Any], overlap_s: float) -> None:
        StoreError.__init__(self, f"the recording covers the same time as walk {existing['id']}")
        self.existing = existing
        self.overlap_s = overlap_s


class SameWalkError(DuplicateRecordingError):
    """Raised when an uploaded recording's steps fall at the same moments as a stored walk's: the same walk in
    another file (another format, time origin or unit; a row lost), which its fingerprint cannot recognise.

    Attributes
    ----------
    existing
        The stored walk, as for :class:`DuplicateRecordingError`, with its ``steps``.
    matched_steps
        How many steps fall at the same moments.
    tolerance_s
        Within how long of each other (see :func:`service.samewalk.match_tolerance_s`).
    part
        "" for the same walk, "part" when the upload is a part of the stored walk, "holds" when the stored walk is
        a part of the upload (:func:`service.samewalk.find_part`).
    """

    def __init__(self, existing: dict[str, Any], matched_steps: int, tolerance_s: float, part: str = "") -> None:
        StoreError.__init__(self, f"the recording holds the same walk as walk {existing['id']}")
        self.existing = existing
        self.matched_steps = matched_steps
        self.tolerance_s = tolerance_s
        self.part = part


class WalkChangedError(StoreError):
    """Raised when a walk's start or stored coaching changed between reading it for an analysis and storing that
    analysis (:meth:`Store.replace_analysis`): analyse it again from the walk as it is now."""

    def __init__(self, walk_id: int) -> None:
        super().__init__(f"walk {walk_id} was changed while it was analysed again")
        self.walk_id = walk_id


OVERLAP_SHARE = 0.5
"""Share of the shorter walk's duration two walks must cover together to be one walk recorded twice. Walks
recorded back to back share at most a few seconds (two clocks, a logger started early); a cut-short export, or a
phone and a sensor worn on the same walk, share all of the shorter one."""
GAIT_LIVE = "gait live"
"""``source["recorded"]`` of a walk ``gait live`` recorded and stored as an upload of its journal."""


def recorded_live(walk: dict[str, Any]) -> bool:
    """True for a walk recorded live: on the dashboard (origin ``live``) or with ``gait live`` (stored as an upload
    of its journal, its source saying so); its page says how it ended and the export calls its origin live.

    Examples
    --------
    >>> recorded_live({"origin": "upload", "source": {"recorded": "gait live"}}), recorded_live({"origin": "live"})
    (True, True)
    >>> recorded_live({"origin": "upload", "source": {}})
    False
    """
    return walk.get("origin") == "live" or (walk.get("source") or {}).get("recorded") == GAIT_LIVE


UNKNOWN_PLACEMENT = "unknown"
"""The placement of a walk stored without one (an Apple Health summary: the phone's own figures), in trends."""
NOT_CLOCK_DATED = frozenset({"import", "user"})
"""The ``started_at_from`` of walks whose date is no clock's (:func:`service.pipeline.recording_started_at`): dated
at their upload, or by the start the walker gave (a typed minute, often from memory). Walks so dated are never
taken for the same walk by the time they cover (:meth:`Store._overlapping_walk`): two walks of one morning given
about the same time would be refused as one; the same walk in another file is still recognised by its samples or
its steps' timing, which do not depend on the date."""


MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema.
    """
    CREATE TABLE walks (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('upload', 'sample', 'live')),
        status TEXT NOT NULL CHECK (status IN ('complete', 'live', 'interrupted')),
        format TEXT,
        placement TEXT,
        started_at TEXT NOT NULL,
        created_at TEXT NOT NULL,
        duration_s REAL,
        steps INTEGER,
        strides INTEGER,
        cadence_spm REAL,
        stride_length_m REAL,
        distance_m REAL,
        walking_time_s REAL,
        flagged_strides INTEGER NOT NULL DEFAULT 0,
        reason TEXT,
        source_json TEXT NOT NULL DEFAULT '{}',
        coaching_json TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX walks_by_start ON walks (started_at);
    CREATE INDEX walks_by_status ON walks (status);
    CREATE TABLE strides (
        walk_id INTEGER NOT NULL REFERENCES walks (id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        start_s REAL NOT NULL,
        end_s REAL NOT NULL,
        length_m REAL,
        cadence_spm REAL NOT NULL,
        speed_mps REAL,
        confidence REAL NOT NULL,
        method TEXT NOT NULL,
        side TEXT,
        target_m REAL,
        overlong INTEGER,
        PRIMARY KEY (walk_id, idx)
    ) WITHOUT ROWID;
    CREATE TABLE steps (
        walk_id INTEGER NOT NULL REFERENCES walks (id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        t_s REAL NOT NULL,
        side TEXT,
        PRIMARY KEY (walk_id, idx)
    ) WITHOUT ROWID;
    CREATE TABLE bouts (
        walk_id INTEGER NOT NULL REFERENCES walks (id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        start_s REAL NOT NULL,
        end_s REAL NOT NULL,
        steps INTEGER NOT NULL,
        PRIMARY KEY (walk_id, idx)
    ) WITHOUT ROWID;
    CREATE TABLE cues (
        walk_id INTEGER NOT NULL REFERENCES walks (id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        t_s REAL NOT NULL,
        kind TEXT NOT NULL,
        message TEXT NOT NULL,
        reason TEXT,
        PRIMARY KEY (walk_id, idx)
    ) WITHOUT ROWID;
    CREATE TABLE pain_reports (
        id INTEGER PRIMARY KEY,
        reported_at TEXT NOT NULL,
        score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
        walk_id INTEGER REFERENCES walks (id) ON DELETE SET NULL,
        onset_distance_m REAL CHECK (onset_distance_m IS NULL OR onset_distance_m >= 0),
        onset_time_s REAL CHECK (onset_time_s IS NULL OR onset_time_s >= 0),
        note TEXT
    );
    CREATE INDEX pain_by_time ON pain_reports (reported_at);
    CREATE TABLE profile (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        data_json TEXT NOT NULL
    );
    """,
    # 2: the analysis' notes per walk (models used, defaults assumed, a placement the sensor contradicts).
    """
    ALTER TABLE walks ADD COLUMN notes_json TEXT NOT NULL DEFAULT '[]';
    """,
    # 3: sample recordings and demo walks (replays of a sample, virtual sensors) are not the walker's own walking:
    # marked so that coaching never learns from them; walks stored before are marked from their origin and source.
    """
    ALTER TABLE walks ADD COLUMN demo INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1));
    UPDATE walks SET demo = 1 WHERE origin = 'sample' OR (json_valid(source_json)
        AND (json_extract(source_json, '$.demo') = 1 OR json_extract(source_json, '$.sensor.virtual') = 1));
    CREATE INDEX walks_own_by_start ON walks (demo, started_at);
    """,
    # 4: a fingerprint of the recording a walk was analysed from (a hash of its decoded samples), so that the same
    # recording uploaded again is refused instead of becoming a second walk; walks stored before have none.
    """
    ALTER TABLE walks ADD COLUMN recording_sha256 TEXT;
    CREATE INDEX walks_by_recording ON walks (recording_sha256);
    """,
    # walk ids are never reused: a deleted walk's id must not name a later walk (open tabs and links would show
    # another walk). The walks table is rebuilt with AUTOINCREMENT (see _walk_ids_never_reused).
    "walk_ids_never_reused",
    # one personal stride-length factor per sensor placement: a profile's single factor (stride_scale, for
    # stride_scale_placement or the usual placement) becomes its placement's entry of stride_scales.
    "profile_stride_scales_per_placement",
    # a walk's stored plan keeps the pain reports it rested on (so its page can say when one is deleted later);
    # walks stored before get the reports that still exist and would have counted then
    "walk_plans_keep_their_pain_reports",
    # what analysed each walk (the analysis version, the profile's height and calibration factor it used), so that
    # walks analysed by an older version or with another profile can be found and analysed again from their kept
    # samples (service/reanalysis.py); NULL for walks analysed before this was recorded
    """
    ALTER TABLE walks ADD COLUMN analysis_json TEXT;
    """,
    # strides get a target only where there is a level to cut it from (the walker's usual strides, or a walk's own
    # first 20 trusted strides). Old walks stored with coaching off and no personal baseline drew the population line
    # as their "usual stride": not the walker's, so it goes (their charts show no band, as nothing was judged). Old
    # targets that are history stay: a personal baseline's, and those an active plan judged (or would have judged)
    # strides against, which the walk's flags and "Coaching at the time" rest on.
    """
    UPDATE strides SET target_m = NULL WHERE overlong IS NULL AND target_m IS NOT NULL AND walk_id IN (
        SELECT id FROM walks WHERE json_valid(coaching_json)
            AND json_extract(coaching_json, '$.baseline_source') = 'population'
            AND NOT coalesce(json_extract(coaching_json, '$.active'), 0));
    """,
    # an upload is compared with the stored walks of about its duration and step count (the same walk in another
    # file: service/samewalk.py): indexed, so that a store of thousands of walks reads only those few
    """
    CREATE INDEX walks_by_duration ON walks (duration_s, steps);
    """,
    # pain report ids are never reused either: a tab that still lists a deleted report must not delete (or show)
    # a later report that took its id
    "pain_report_ids_never_reused",
    # an upload that is a part of a stored walk, or holds one, is compared with every stored walk of its placement
    # by their step intervals (service/samewalk.py): each walk's step times in one row, so thousands read at once
    "step_timing",
    # each step_timing row gets a number that grows with every row written and is never reused (AUTOINCREMENT):
    # an upload is compared with the stored walks before its write transaction, and inside it only with the rows
    # written since (Store.add_walks)
    "step_timing_numbered",
    # a personal baseline is fitted only from walks of the judged walk's sensor placement: each walk's stored plan
    # names that placement; a walk judged before against a baseline that took walks of other placements too is
    # marked (its analysis is out of date for coaching, see service/reanalysis.py)
    "walk_plans_name_their_baseline_placement",
    # a pain report made for a walk keeps that it was, once that walk is deleted (its walk_id is emptied then), so the
    # pain page says "walk deleted" rather than nothing; see _pain_reports_keep_their_deleted_walk
    "pain_reports_keep_their_deleted_walk",
)
"""Schema migrations in order; ``PRAGMA user_version`` counts those applied. A string is an SQL script; the name
of a function in :data:`MIGRATION_FUNCTIONS` is a migration done in Python (inside the same transaction)."""


def _walk_ids_never_reused(conn: sqlite3.Connection) -> None:
    """Rebuild ``walks`` with ``id INTEGER PRIMARY KEY AUTOINCREMENT``, keeping every row, id, index and reference
    (the tables that reference ``walks (id)``: strides, steps, bouts, cues, pain reports)."""
    _ids_never_reused(conn, "walks")


def _pain_report_ids_never_reused(conn: sqlite3.Connection) -> None:
    """Rebuild ``pain_reports`` with ``id INTEGER PRIMARY KEY AUTOINCREMENT``, keeping every report and its id."""
    _ids_never_reused(conn, "pain_reports")


def _ids_never_reused(conn: sqlite3.Connection, table: str) -> None:
    """Rebuild ``table`` with ``id INTEGER PRIMARY KEY AUTOINCREMENT``, keeping every row, id, index and reference.

    SQLite's documented table rebuild (foreign keys are off during migrations, checked before the commit): the new
    table's definition is the current one's (so columns added by earlier migrations stay, whatever they are) with
    AUTOINCREMENT; rows are copied with their ids, which also starts ``sqlite_sequence`` at the highest id; the
    tables that reference ``table (id)`` keep their rows and point at the new table once it takes the old one's
    name.
    """
    (table_sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    if "AUTOINCREMENT" in table_sql.upper():
        return
    new_sql, n = re.subn(
        r"\bid\s+INTEGER\s+PRIMARY\s+KEY\b", "id INTEGER PRIMARY KEY AUTOINCREMENT", table_sql, count=1, flags=re.I
    )
    if n != 1:
        raise StoreError(f"cannot make {table} ids unique for good: unexpected table {table_sql!r}")
    rebuilt = f"{table}_rebuilt"
    new_sql = re.sub(rf"^\s*CREATE\s+TABLE\s+\"?{table}\"?", f"CREATE TABLE {rebuilt}", new_sql, count=1, flags=re.I)
    extras = [
        r[0]
        for r in conn.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL",
            (table,),
        )
    ]
    conn.execute(new_sql)
    conn.execute(f"INSERT INTO {rebuilt} SELECT * FROM {table}")
    conn.execute(f"DROP TABLE {table}")
    conn.execute(f"ALTER TABLE {rebuilt} RENAME TO {table}")
    for sql in extras:
        conn.execute(sql)


def _profile_stride_scales_per_placement(conn: sqlite3.Connection) -> None:
    """Rewrite a stored profile's single calibration factor as the factor of its placement (see
    :func:`service.models.upgrade_profile_document`); a profile without one, or none at all, is left as it is."""
    from service.models import upgrade_profile_document

    row = conn.execute("SELECT data_json FROM profile WHERE id = 1").fetchone()
    if row is None:
        return
    data = json.loads(row[0])
    upgraded = upgrade_profile_document(data) if isinstance(data, dict) else data
    if upgraded is not data:
        conn.execute("UPDATE profile SET data_json = ? WHERE id = 1", (json.dumps(upgraded),))


def _walk_plans_keep_their_pain_reports(conn: sqlite3.Connection) -> None:
    """Give each own walk's stored plan the pain reports it rested on, as new walks store them
    (:func:`service.coaching.plan_pain_basis`): the reports that still exist and counted when the walk started
    (pain 1/10 or more within the coach's 90 days before it). A report deleted later is then named on the walk's
    page; one deleted before this upgrade cannot be known."""
    from gait.coach import CoachSettings

    settings = CoachSettings()

    def unix_s(iso: str) -> float:
        dt = datetime.fromisoformat(iso)
        return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp()

    reports = [
        (unix_s(r[1]), {"id": r[0], "reported_at": r[1], "score": r[2]})
        for r in conn.execute("SELECT id, reported_at, score FROM pain_reports")
        if r[2] >= settings.min_pain_0_10
    ]
    walks = conn.execute("SELECT id, started_at, coaching_json FROM walks WHERE demo = 0").fetchall()
    for walk_id, started_at, coaching_json in walks:
        coaching = json.loads(coaching_json or "{}")
        if not isinstance(coaching, dict) or not coaching or "pain_reports" in coaching:
            continue
        start_s = unix_s(started_at)
        lookback_s = settings.pain_lookback_days * 86400.0
        coaching["pain_reports"] = [r for t, r in reports if start_s - lookback_s <= t <= start_s]
        conn.execute("UPDATE walks SET coaching_json = ? WHERE id = ?", (json.dumps(coaching), walk_id))


def _walk_plans_name_their_baseline_placement(conn: sqlite3.Connection) -> None:
    """Name in each own walk's stored plan the placement its baseline was for (``baseline_placement``), as new walks
    store it (:func:`service.coaching.plan_description`).

    Earlier versions fitted the personal baseline from the walker's walks of every placement. A walk whose plan had a
    personal baseline while, in the coach's 180 days before it, a walk of another placement could have entered that
    baseline (an own, finished walk with a trusted stride length that was not a coached live walk) is marked
    ``baseline_placements_mixed`` instead: judged against other sensors' lengths. Any other walk was judged as it
    would be now (a baseline of its own placement's walks, or none: then none of that placement's either)."""
    from gait.coach import CoachSettings

    window_s = CoachSettings().baseline_window_days * 86400.0

    def unix_s(iso: str) -> float:
        dt = datetime.fromisoformat(iso)
        return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp()

    walks = conn.execute(
        "SELECT id, placement, started_at, origin, coaching_json FROM walks WHERE demo = 0 AND status != 'live'"
    ).fetchall()
    # the walks that could have entered a baseline, with the lowest confidence a stride needed to count (0.6 unless
    # the walk's plan said otherwise)
    trusted = {
        r[0]: r[1]
        for r in conn.execute(
            "SELECT walk_id, MAX(confidence) FROM strides WHERE length_m IS NOT NULL GROUP BY walk_id"
        ).fetchall()
    }
    candidates = []
    for walk_id, placement, started_at, origin, coaching_json in walks:
        plan = json.loads(coaching_json or "{}")
        coached = origin == "live" and isinstance(plan, dict) and bool(plan.get("active"))
        if walk_id in trusted and not coached:
            candidates.append((unix_s(started_at), placement, trusted[walk_id]))
    for walk_id, placement, started_at, _origin, coaching_json in walks:
        plan = json.loads(coaching_json or "{}")
        if not isinstance(plan, dict) or "baseline_source" not in plan or "baseline_placement" in plan:
            continue
        start_s = unix_s(started_at)
        min_conf = plan.get("min_confidence", CoachSettings().min_confidence)
        mixed = plan["baseline_source"] == "personal" and any(
            other != placement and start_s - window_s <= t <= start_s and conf >= min_conf
            for t, other, conf in candidates
        )
        if mixed:
            plan["baseline_placements_mixed"] = True
        else:
            plan["baseline_placement"] = placement
        conn.execute("UPDATE walks SET coaching_json = ? WHERE id = ?", (json.dumps(plan), walk_id))


def _pain_reports_keep_their_deleted_walk(conn: sqlite3.Connection) -> None:
    """Add ``pain_reports.walk_deleted`` (1: the report was made for a walk deleted since, set by
    :meth:`Store.delete_walk`), and set it for the reports deleted walks left before, as far as they can be known: a
    report that a walk's stored plan names with its walk (``pain_walk_reports``, see
    :func:`service.coaching.plan_pain_basis`) had that walk; reports are never edited, so when it has none now, that
    walk was deleted. Any other report without a walk cannot be told from one made without a walk."""
    conn.execute(
        "ALTER TABLE pain_reports ADD COLUMN walk_deleted INTEGER NOT NULL DEFAULT 0 CHECK (walk_deleted IN (0, 1))"
    )
    had_walk: set[int] = set()
    for (coaching_json,) in conn.execute("SELECT coaching_json FROM walks WHERE json_valid(coaching_json)"):
        plan = json.loads(coaching_json)
        named = plan.get("pain_walk_reports") if isinstance(plan, dict) else None
        had_walk.update(r["id"] for r in named or () if isinstance(r, dict) and r.get("walk_id") is not None)
    conn.executemany(
        "UPDATE pain_reports SET walk_deleted = 1 WHERE id = ? AND walk_id IS NULL", [(i,) for i in sorted(had_walk)]
    )


def _step_timing(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE step_timing (walk_id INTEGER PRIMARY KEY REFERENCES walks (id) ON DELETE CASCADE,"
        " rate_hz REAL, steps_s BLOB NOT NULL)"
    )
    _fill_step_timing(conn)


def _fill_step_timing(conn: sqlite3.Connection, walk_id: int | None = None) -> None:
    """Keep each finished walk's step times (float32 seconds from its first step) and sample rate in
    ``step_timing``: written again for ``walk_id`` (stored, finished live or analysed again just now), or filled
    for every walk that lacks it (walks stored before the table, or by a path that did not write it).

    A row is replaced, never updated: its new ``seq`` tells an upload's write transaction that it changed.
    """
    if walk_id is None:
        missing = conn.execute(
            "SELECT w.id, w.source_json FROM walks w LEFT JOIN step_timing t ON t.walk_id = w.id"
            " WHERE t.walk_id IS NULL AND w.status != 'live'"
        ).fetchall()
    else:
        conn.execute("DELETE FROM step_timing WHERE walk_id = ?", (walk_id,))
        missing = conn.execute(
            "SELECT id, source_json FROM walks WHERE id = ? AND status != 'live'", (walk_id,)
        ).fetchall()
    for missing_id, source_json in missing:
        steps_s = np.sort([r[0] for r in conn.execute("SELECT t_s FROM steps WHERE walk_id = ?", (missing_id,))])
        try:
            rate_hz = _rate_hz(json.loads(source_json or "{}"))
        except ValueError:
            rate_hz = None
        conn.execute(
            "INSERT INTO step_timing (walk_id, rate_hz, steps_s) VALUES (?, ?, ?)",
            (missing_id, rate_hz, (steps_s - (steps_s[0] if len(steps_s) else 0.0)).astype(np.float32).tobytes()),
        )


def _written_since_sql(walk_id: str, since: _Snapshot | None) -> str:
    """A condition keeping the walks (their id in the column ``walk_id``) whose step times were written after the
    snapshot ``since``, and the walk it found (none when None); with the parameters of :func:`_written_since_params`."""
    if since is None:
        return ""
    return f" AND ({walk_id} IN (SELECT walk_id FROM step_timing WHERE seq > ?) OR {walk_id} IS ?)"


def _written_since_params(since: _Snapshot | None) -> tuple[Any, ...]:
    return () if since is None else (since.seq, since.walk_id)


def _rate_hz(source: Any) -> float | None:
    """The sample rate a walk's source names, or None."""
    rate_hz = source.get("rate_hz") if isinstance(source, dict) else None
    return rate_hz if isinstance(rate_hz, int | float) else None


def _step_timing_numbered(conn: sqlite3.Connection) -> None:
    """Rebuild ``step_timing`` with ``seq INTEGER PRIMARY KEY AUTOINCREMENT`` (rows numbered in the order they are
    written, a number never reused) and ``walk_id`` unique, keeping every row."""
    conn.execute(
        "CREATE TABLE step_timing_numbered (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
        " walk_id INTEGER NOT NULL UNIQUE REFERENCES walks (id) ON DELETE CASCADE, rate_hz REAL, steps_s BLOB NOT NULL)"
    )
    conn.execute(
        "INSERT INTO step_timing_numbered (walk_id, rate_hz, steps_s)"
        " SELECT walk_id, rate_hz, steps_s FROM step_timing ORDER BY walk_id"
    )
    conn.execute("DROP TABLE step_timing")
    conn.execute("ALTER TABLE step_timing_numbered RENAME TO step_timing")


MIGRATION_FUNCTIONS: dict[str, Callable[[sqlite3.Connection], None]] = {
    "step_timing": _step_timing,
    "step_timing_numbered": _step_timing_numbered,
    "walk_ids_never_reused": _walk_ids_never_reused,
    "pain_report_ids_never_reused": _pain_report_ids_never_reused,
    "profile_stride_scales_per_placement": _profile_stride_scales_per_placement,
    "walk_plans_keep_their_pain_reports": _walk_plans_keep_their_pain_reports,
    "walk_plans_name_their_baseline_placement": _walk_plans_name_their_baseline_placement,
    "pain_reports_keep_their_deleted_walk": _pain_reports_keep_their_deleted_walk,
}

WALK_COLUMNS = (
    "id",
    "name",
    "origin",
    "status",
    "format",
    "placement",
    "started_at",
    "created_at",
    "duration_s",
    "steps",
    "strides",
    "cadence_spm",
    "stride_length_m",
    "distance_m",
    "walking_time_s",
    "flagged_strides",
    "reason",
    "source_json",
    "coaching_json",
    "notes_json",
    "demo",
    "analysis_json",
)
STRIDE_COLUMNS = (
    "idx",
    "start_s",
    "end_s",
    "length_m",
    "cadence_spm",
    "speed_mps",
    "confidence",
    "method",
    "side",
    "target_m",
    "overlong",
)
ANALYSIS_SOURCE_KEYS = ("gps_bout_stride_length_m", "gps_riding", "reader_notes")
"""The keys of a walk's source that its analysis writes (:func:`service.pipeline.analyse_to_walk`: the JSON
document's GPS stride lengths and rides, the notes of the file's reader it began its notes with): an analysis again
replaces them with the rest of the analysis, a key it does not write is removed (:meth:`Store.replace_analysis`)."""

SUMMARY_COLUMNS = ("steps", "strides", "cadence_spm", "stride_length_m", "distance_m", "walking_time_s", "duration_s")


def utc_now_iso() -> str:
    """Current UTC time as ISO-8601 with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class NewWalk:
    """Everything needed to insert one analysed walk in one transaction.

    ``strides`` rows follow :data:`STRIDE_COLUMNS` without ``idx``; ``steps`` rows are ``(t_s, side)``;
    ``bouts`` rows are ``(start_s, end_s, steps)``. ``demo`` marks a walk that is not the walker's own walking (a
    sample recording, a replay of one, a virtual sensor): it is listed and shown, never used for coaching.
    ``recording_sha256`` fingerprints the recording it came from (None for live walks): a second walk with the
    same fingerprint is refused (:class:`DuplicateRecordingError`). ``analysis`` says what analysed it (see
    :func:`service.pipeline.analysis_record`).
    """

    name: str
    origin: str
    status: str = "complete"
    format: str | None = None
    placement: str | None = None
    started_at: str = field(default_factory=utc_now_iso)
    summary: dict[str, Any] = field(default_factory=dict)
    flagged_strides: int = 0
    reason: str | None = None
    source: dict[str, Any] = field(default_factory=dict)
    coaching: dict[str, Any] = field(default_factory=dict)
    notes: Sequence[str] = ()
    strides: Sequence[Sequence[Any]] = ()
    steps: Sequence[Sequence[Any]] = ()
    bouts: Sequence[Sequence[Any]] = ()
    demo: bool = False
    recording_sha256: str | None = None
    analysis: dict[str, Any] | None = None


@dataclass(frozen=True)
class StartChange:
    """What :meth:`Store.change_start` writes: the walk's new start (ISO 8601) and source, and the walks (the walk
    itself among them) whose stored coaching changes, by id, with that coaching."""

    started_at: str
    source: dict[str, Any]
    coaching: dict[int, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Snapshot:
    """An upload compared with the stored walks before its write transaction (:meth:`Store._same_walk`, see
    :meth:`Store.add_walks`): the highest ``step_timing.seq`` of that snapshot, and the stored walk found to be the
    same walk, a part of it or holding it (None when none was)."""

    seq: int
    walk_id: int | None


_SUMMARY_ORDER = ("duration_s", "steps", "strides", "cadence_spm", "stride_length_m", "distance_m", "walking_time_s")


def _summary_values(summary: dict[str, Any]) -> tuple[Any, ...]:
    """A summary's figures in the order the walks table's statements list them (:data:`_SUMMARY_ORDER`)."""
    return tuple(summary.get(k) for k in _SUMMARY_ORDER)


SQLITE_INTEGERS = range(-(2**63), 2**63)
"""The integers SQLite holds (64-bit): a row id outside them is no stored row (binding one raises OverflowError)."""


def _walk_row(row: sqlite3.Row) -> dict[str, Any]:
    walk = {k: row[k] for k in WALK_COLUMNS}
    walk["source"] = json.loads(walk.pop("source_json") or "{}")
    walk["coaching"] = json.loads(walk.pop("coaching_json") or "{}")
    walk["notes"] = json.loads(walk.pop("notes_json") or "[]")
    walk["demo"] = bool(walk["demo"])
    walk["analysis"] = json.loads(walk.pop("analysis_json") or "null")
    return walk


def local_period(started_at: str, period: str) -> str:
    """The local day (``2026-11-26``), ISO 8601 week (``2026-W48``) or calendar month (``2026-11``) of an ISO-8601
    time (UTC when it has no zone).

    The ISO week runs Monday to Sunday and belongs to the year holding its Thursday, so a week's year can differ
    from the date's.

    Examples
    --------
    >>> local_period("2024-12-31T12:00:00+00:00", "week")  # Tuesday of the week 2024-12-30 to 2025-01-05
    '2025-W01'
    >>> local_period("2024-12-31T12:00:00+00:00", "month")
    '2024-12'
    """
    when = datetime.fromisoformat(started_at)
    local = aware_utc(when).astimezone()
    if period == "day":
        return local.date().isoformat()
    if period == "month":
        return f"{local.year:04d}-{local.month:02d}"
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


def aware_utc(when: datetime) -> datetime:
    """``when`` with its time zone, UTC when it names none (the store's times are UTC)."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def local_minute(when: datetime) -> str:
    """A time as refusals about pain and walk times say it: to the minute, in this computer's local time, the
    walker's (the service runs on their machine), as the Pain page's "When" box and the trends are: a time in UTC
    would read as hours off. ``when`` without a zone is UTC."""
    return aware_utc(when).astimezone().strftime("%Y-%m-%d %H:%M %Z")


def local_wall_time(iso: str) -> str:
    """An ISO time as a clock on this computer read it, to the second and without a zone, as a spreadsheet reads a
    date and time (the export's ``*_local`` columns); a time without a zone is UTC."""
    return aware_utc(datetime.fromisoformat(iso)).astimezone().strftime("%Y-%m-%d %H:%M:%S")


class Store:
    """The service's SQLite database.

    Parameters
    ----------
    path
        Database file; its folder is created when missing.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._write_lock = threading.Lock()
        self._writer: sqlite3.Connection | None = None

    # -- connections ---------------------------------------------------------------------------------------------

    def _connect(self, *, readonly: bool = False) -> sqlite3.Connection:
        if readonly:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None, timeout=30.0)
        else:
            # check_same_thread=False: the writer is used from worker threads, one at a time under _write_lock.
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=30.0, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 30000")
        # deleted health data is overwritten, not left readable in the file's free pages (off in most SQLite builds)
        conn.execute("PRAGMA secure_delete = ON")
        return conn

    def open(self) -> Store:
        """Create or migrate the database and open the writer connection."""
        private_folder(self.path.parent)
        try:
            conn = self._connect()
            # before the -wal and -shm exist: SQLite gives them the database file's mode
            for path in (self.path, *(self.path.with_name(self.path.name + s) for s in ("-wal", "-shm"))):
                private_file(path)
            conn.execute("PRAGMA journal_mode = WAL")
            # NORMAL is durable in WAL mode against process crashes (a committed stride survives SIGKILL);
            # only a power cut can lose the last transactions.
            conn.execute("PRAGMA synchronous = NORMAL")
            self._migrate(conn)
        except sqlite3.DatabaseError as exc:
            # a full or failing disk: the file is fine, and moving it away would make every walk seem gone
            disk = disk_problem_words(exc, self.path.parent)
            advice = f"{exc}; move the file away or use another --data-dir" if disk is None else disk
            raise StoreError(f"cannot open the database {self.path}: {advice}") from None
        self._writer = conn
        return self

    def close(self) -> None:
        """Close the writer connection (checkpointing the WAL)."""
        with self._write_lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StoreError(
                f"the database {self.path} has schema version {version}, newer than this program "
                f"({len(MIGRATIONS)}): upgrade gait-analyser or use another --data-dir"
            )
        if version == len(MIGRATIONS):
            return
        # Foreign keys off while the schema changes (SQLite's documented procedure: rebuilding a table referenced by
        # others would otherwise cascade its deletion into them), checked before each commit, on again after.
        conn.execute("PRAGMA foreign_keys = OFF")
        try:
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                conn.execute("BEGIN IMMEDIATE")
                try:
                    if script in MIGRATION_FUNCTIONS:
                        MIGRATION_FUNCTIONS[script](conn)
                    else:
                        for statement in script.split(";"):
                            if statement.strip():
                                conn.execute(statement)
                    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise StoreError(
                            f"schema migration {number} of {self.path} would break {len(broken)} references "
                            f"(first: table {broken[0][0]}, row {broken[0][1]}); nothing was changed"
                        )
                    conn.execute(f"PRAGMA user_version = {number}")
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
        finally:
            conn.execute("PRAGMA foreign_keys = ON")

    def _write_through(self) -> None:
        """Copy the WAL into the database file and empty it, after a delete of health data.

        ``secure_delete`` zeroes the deleted rows in the pages it writes, but those go to the WAL, whose older frames
        keep the rows as they were until a checkpoint: the checkpoint copies the zeroed pages into the database file
        and TRUNCATE empties the WAL, so the words deleted are readable in neither file while the server runs.
        """
        with self._write_lock:
            if self._writer is None:
                return
            # the delete is committed: a checkpoint refused (a full disk) leaves it to the next one, at close at last
            with contextlib.suppress(sqlite3.Error):
                self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @property
    def schema_version(self) -> int:
        """Current ``PRAGMA user_version``."""
        with self.read() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """Yield the writer inside ``BEGIN IMMEDIATE``; commit on success, roll back on any exception."""
        with self._write_lock:
            if self._writer is None:
                raise StoreError("the store is closed")
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """Yield a short-lived read-only connection (a consistent snapshot per statement)."""
        conn = self._connect(readonly=True)
        try:
            yield conn
        finally:
            conn.close()

    def integrity_check(self) -> str:
        """Return SQLite's ``PRAGMA integrity_check`` verdict (``"ok"`` when the file is consistent)."""
        with self.read() as conn:
            return "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))

    # -- walks ---------------------------------------------------------------------------------------------------

    def add_walk(self, walk: NewWalk) -> int:
        """Insert a walk with all its rows in one transaction; returns its id."""
        return self.add_walks([walk])[0]

    def add_walks(
        self,
        walks: Sequence[NewWalk],
        *,
        skip_duplicates: bool = False,
        before_commit: Callable[[list[int]], None] | None = None,
    ) -> list[int]:
        """Insert walks with all their rows in one transaction (all or none); returns their ids.

        A walk whose ``recording_sha256`` is already stored raises :class:`DuplicateRecordingError` and nothing is
        inserted (an upload covering the time of a stored walk :class:`OverlappingWalkError`, one whose steps fall
        at a stored walk's moments :class:`SameWalkError`); with ``skip_duplicates`` such walks are left out
        instead (and only the others are returned). The check is decided inside the write transaction, so two
        uploads of one walk at once cannot both get in.
        ``before_commit`` is called with the new ids inside the transaction, just before it commits (an upload's
        samples are renamed into place there); when it raises, nothing is inserted.

        Comparing an upload's steps with the stored walks' (:meth:`_same_walk`: every walk of its placement, to find
        a part of one or one holding it) takes 0.5 s of CPU for a 105-step upload and 6 s for a 30 min one against
        2000 stored walks (``python -m bench.same_walk --timing``); it is done on a snapshot before the write lock
        is taken (a live walk storing its strides, or another upload, would wait meanwhile: 1-1.4 s and 31-70 s
        when it was done inside; now the lock is held 1-8 ms).
        Inside the transaction the upload is compared only with the walks whose step times were written since
        (stored, finished or analysed again: a new ``step_timing.seq``; the walks of this call before it among
        them) and with the walk found on the snapshot; only when that walk is no longer found is every stored walk
        compared again there (another may hold the upload too).
        """
        snapshots = self._snapshots(walks)
        ids = []
        with self.write() as conn:
            _fill_step_timing(conn)  # a walk stored without its step times gets them now, numbered after the snapshot
            for walk, snapshot in zip(walks, snapshots, strict=True):
                refusal = self._refusal(conn, walk, snapshot)
                if refusal is not None:
                    if skip_duplicates:
                        continue
                    raise refusal
                walk_id = self._insert_walk(conn, walk)
                self._insert_rows(conn, walk_id, walk.strides, walk.steps, walk.bouts, first_idx=(0, 0, 0))
                _fill_step_timing(conn, walk_id)
                ids.append(walk_id)
            if before_commit is not None:
                before_commit(ids)
        return ids

    def _refusal(
        self, conn: sqlite3.Connection, walk: NewWalk, snapshot: _Snapshot | None = None, except_id: int | None = None
    ) -> DuplicateRecordingError | None:
        """Why ``walk`` is refused as a walk already stored (the same recording, time or steps: see
        :meth:`add_walks`), or None; the walk ``except_id`` is not compared (:meth:`replace_analysis`)."""
        if walk.recording_sha256 is not None:
            existing = conn.execute(
                "SELECT id, name, origin, started_at, created_at, demo, source_json, format FROM walks"
                " WHERE recording_sha256 = ? AND id IS NOT ? ORDER BY id LIMIT 1",
                (walk.recording_sha256, except_id),
            ).fetchone()
            if existing is not None:
                return DuplicateRecordingError(dict(existing))
        overlapping = self._overlapping_walk(conn, walk, except_id)
        if overlapping is not None:
            return OverlappingWalkError(*overlapping)
        same = self._same_walk(conn, walk, snapshot, except_id)
        if same is None and snapshot is not None and snapshot.walk_id is not None:
            same = self._same_walk(conn, walk, except_id=except_id)  # the walk found on the snapshot is gone or changed
        return None if same is None else SameWalkError(*same)

    def replace_analysis(
        self,
        walk_id: int,
        walk: NewWalk,
        *,
        as_upload: bool = False,
        before_commit: Callable[[list[int]], None] | None = None,
        read_as: dict[str, Any] | None = None,
    ) -> bool:
        """Swap a stored walk's analysis for ``walk``'s in one transaction: its strides, steps and bouts, summary
        figures, flagged count, reason, notes, coaching, analysis record and what the analysis wrote in its source
        (:data:`ANALYSIS_SOURCE_KEYS`) (a crash leaves the old analysis or the new one, never a mix). What the walk
        is stays: name, origin, start, the rest of its source, fingerprint (recorded from ``walk`` when the walk
        was stored without one), its cues (what was said during a live
        walk) and pain reports. Returns False when there is no such walk; a walk still being recorded live is left
        alone (False too).

        ``as_upload``: ``walk`` is an upload of the walk's file (:func:`service.reanalysis.replace_unkept_upload`):
        it must be refused by no other stored walk (that walk's refusal, :class:`DuplicateRecordingError`, is
        raised and nothing changes), and its fingerprint becomes the walk's (its samples are those kept now).
        ``before_commit`` is called with ``[walk_id]`` inside the transaction, just before it commits (the upload's
        samples are renamed into place there); when it raises, nothing changes.
        ``read_as``: the walk as it was read for the analysis; when its start or stored coaching is another now (its
        date was changed meanwhile, or another walk's date change marked its plan), :class:`WalkChangedError` is
        raised and nothing changes: the analysis was judged by a plan that is no longer the walk's.
        """
        s = walk.summary
        with self.write() as conn:
            row = conn.execute(
                "SELECT source_json, started_at, coaching_json FROM walks WHERE id = ? AND status != 'live'", (walk_id,)
            ).fetchone()
            if row is None:
                return False
            if read_as is not None and (
                row[1] != read_as["started_at"] or json.loads(row[2] or "{}") != read_as["coaching"]
            ):
                raise WalkChangedError(walk_id)
            if as_upload:
                _fill_step_timing(conn)
                refusal = self._refusal(conn, walk, except_id=walk_id)
                if refusal is not None:
                    raise refusal
                conn.execute("UPDATE walks SET recording_sha256 = ? WHERE id = ?", (walk.recording_sha256, walk_id))
            kept = {k: v for k, v in json.loads(row[0] or "{}").items() if k not in ANALYSIS_SOURCE_KEYS}
            source = {**kept, **{k: walk.source[k] for k in ANALYSIS_SOURCE_KEYS if k in walk.source}}
            conn.execute(
                "UPDATE walks SET placement = COALESCE(?, placement), duration_s = ?, steps = ?, strides = ?,"
                " cadence_spm = ?, stride_length_m = ?, distance_m = ?, walking_time_s = ?, flagged_strides = ?,"
                " reason = ?, coaching_json = ?, notes_json = ?, analysis_json = ?, source_json = ?,"
                " recording_sha256 = COALESCE(recording_sha256, ?) WHERE id = ?",
                (
                    walk.placement,
                    *_summary_values(s),
                    walk.flagged_strides,
                    walk.reason,
                    json.dumps(walk.coaching, default=str),
                    json.dumps(list(walk.notes)),
                    None if walk.analysis is None else json.dumps(walk.analysis, default=str),
                    json.dumps(source, default=str),
                    walk.recording_sha256,
                    walk_id,
                ),
            )
            for table in ("strides", "steps", "bouts"):
                conn.execute(f"DELETE FROM {table} WHERE walk_id = ?", (walk_id,))
            self._insert_rows(conn, walk_id, walk.strides, walk.steps, walk.bouts, first_idx=(0, 0, 0))
            _fill_step_timing(conn, walk_id)
            if before_commit is not None:
                before_commit([walk_id])
        return True

    @staticmethod
    def _overlapping_walk(
        conn: sqlite3.Connection, walk: NewWalk, except_id: int | None = None
    ) -> tuple[dict[str, Any], float] | None:
        """A stored walk of the walker's own that covers most of the same time as an uploaded recording (see
        :data:`OVERLAP_SHARE`), with the time they share; None when there is none.

        Only recordings dated by their own clock are compared (one dated at upload says nothing about when it
        was walked, one dated by the walker says it to the minute at best: :data:`NOT_CLOCK_DATED`), and only
        walks with samples (an Apple Health walk is a summary of the phone's own count,
        which a recording of the same walk does not repeat in the trends' walk list).
        """
        duration_s = walk.summary.get("duration_s")
        if (
            walk.origin != "upload"
            or walk.demo
            or walk.format == "apple_health"
            or walk.source.get("started_at_from") != "recording"
            or not duration_s
        ):
            return None
        start_s = datetime.fromisoformat(walk.started_at).timestamp()
        end_s = start_s + float(duration_s)
        rows = conn.execute(
            "SELECT id, name, origin, started_at, demo, source_json, duration_s FROM walks"
            " WHERE demo = 0 AND origin IN ('upload', 'live') AND COALESCE(format, '') != 'apple_health'"
            " AND duration_s > 0 AND julianday(started_at) < julianday(?)"
            " AND julianday(started_at) + duration_s / 86400.0 > julianday(?) AND id IS NOT ? ORDER BY id",
            (
                datetime.fromtimestamp(end_s, UTC).isoformat(),
                datetime.fromtimestamp(start_s, UTC).isoformat(),
                except_id,
            ),
        ).fetchall()
        for row in rows:
            if json.loads(row["source_json"] or "{}").get("started_at_from") in NOT_CLOCK_DATED:
                continue
            other_start_s = datetime.fromisoformat(row["started_at"]).timestamp()
            other_end_s = other_start_s + float(row["duration_s"])
            shared_s = min(end_s, other_end_s) - max(start_s, other_start_s)
            if shared_s >= OVERLAP_SHARE * min(float(duration_s), float(row["duration_s"])):
                return dict(row), shared_s
        return None

    @staticmethod
    def _same_walk(
        conn: sqlite3.Connection, walk: NewWalk, since: _Snapshot | None = None, except_id: int | None = None
    ) -> tuple[dict[str, Any], int, float, str] | None:
        """A stored walk whose steps fall at the same moments as an upload's (:func:`service.samewalk.same_walk`),
        with the steps matched, the tolerance and "" (or, when there is none, :meth:`_part_walk`'s: a part of a
        stored walk, or one holding a stored walk); None when there is none. With ``since``, only the walks whose
        step times were written after that snapshot, and the walk it found, are compared.

        Only the stored walks of about the upload's duration and step count are read (an index on both), so the
        check costs a few small reads however many walks are stored; but a walker whose walks all last about 30
        min has many of about an upload's duration (146 of 2000 stored walks of 28-32 min: 0.27 s, their steps'
        rows read and compared), hence it is done before the write transaction too. Every stored walk with steps
        counts (a sample walk too: the message then points to it), except one still being recorded live.
        """
        steps_s = Store._upload_steps_s(walk)
        if len(steps_s) < samewalk.SAME_WALK_MIN_STEPS:
            return None
        rate_hz = _rate_hz(walk.source)
        rows = conn.execute(
            "SELECT id, name, origin, started_at, created_at, demo, source_json, duration_s, steps FROM walks"
            " WHERE duration_s BETWEEN ? AND ? AND steps BETWEEN ? AND ? AND status != 'live' AND id IS NOT ?"
            f"{_written_since_sql('id', since)} ORDER BY id",
            (
                *samewalk.duration_window_s(float(walk.summary["duration_s"])),
                *samewalk.steps_window(len(steps_s)),
                except_id,
                *_written_since_params(since),
            ),
        ).fetchall()
        for row in rows:
            tol_s = samewalk.match_tolerance_s(rate_hz, _rate_hz(json.loads(row["source_json"] or "{}")))
            other_s = [r[0] for r in conn.execute("SELECT t_s FROM steps WHERE walk_id = ? ORDER BY idx", (row["id"],))]
            same, matched = samewalk.same_walk(steps_s, other_s, tol_s)
            if same:
                return dict(row), matched, tol_s, ""
        return Store._part_walk(conn, walk, steps_s, since, except_id)

    @staticmethod
    def _upload_steps_s(walk: NewWalk) -> list[float]:
        """The step times of an upload of the walker's own, compared with the stored walks (:meth:`_same_walk`);
        none for another walk (live, sample, demo, without a duration)."""
        if walk.origin != "upload" or walk.demo or not walk.summary.get("duration_s"):
            return []
        return [row[0] for row in walk.steps]

    def _snapshots(self, walks: Sequence[NewWalk]) -> list[_Snapshot | None]:
        """Each walk's :meth:`_same_walk` on one snapshot of the store, read without the write lock (see
        :meth:`add_walks`); None for a walk not compared with stored walks, or whose recording is stored already
        (refused at once inside the transaction)."""
        snapshots: list[_Snapshot | None] = [None] * len(walks)
        compared = [i for i, w in enumerate(walks) if len(self._upload_steps_s(w)) >= samewalk.SAME_WALK_MIN_STEPS]
        if not compared:
            return snapshots
        with self.read() as conn:
            conn.execute("BEGIN")  # every read below sees the same snapshot
            seq = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM step_timing").fetchone()[0]
            for i in compared:
                walk = walks[i]
                if (
                    walk.recording_sha256 is not None
                    and conn.execute(
                        "SELECT 1 FROM walks WHERE recording_sha256 = ?", (walk.recording_sha256,)
                    ).fetchone()
                ):
                    continue
                found = self._same_walk(conn, walk)
                snapshots[i] = _Snapshot(seq, None if found is None else found[0]["id"])
            conn.execute("COMMIT")
        return snapshots

    @staticmethod
    def _part_walk(
        conn: sqlite3.Connection,
        walk: NewWalk,
        steps_s: list[float],
        since: _Snapshot | None = None,
        except_id: int | None = None,
    ) -> tuple[dict[str, Any], int, float, str] | None:
        """A stored walk of the upload's placement that the upload is a part of, or that is a part of the upload
        (:func:`service.samewalk.find_part`): the walk, the steps matched, the tolerance and "part" or "holds".
        With ``since``, only the walks whose step times were written after that snapshot, and the walk it found,
        are compared.

        Another sensor's record of the walk (a foot's contacts, half the steps) is not compared: its placement
        differs. The stored walks' step times are read in one query (2000 walks of 20-40 min: 20-35 ms) and
        compared at once (see :func:`service.samewalk.find_part`).
        """
        if len(steps_s) < samewalk.PART_MIN_STEPS:
            return None
        rows = conn.execute(
            "SELECT t.walk_id, t.rate_hz, t.steps_s FROM step_timing t JOIN walks w ON w.id = t.walk_id"
            " WHERE w.status != 'live' AND w.steps >= ? AND w.placement IS ? AND w.id IS NOT ?"
            f"{_written_since_sql('t.walk_id', since)} ORDER BY t.walk_id",
            (samewalk.PART_MIN_STEPS, walk.placement, except_id, *_written_since_params(since)),
        ).fetchall()
        found = samewalk.find_part(
            steps_s, _rate_hz(walk.source), [(r[1], np.frombuffer(r[2], dtype=np.float32).astype(float)) for r in rows]
        )
        if found is None:
            return None
        index, holds, matched, tol_s = found
        existing = conn.execute(
            "SELECT id, name, origin, started_at, created_at, demo, source_json, duration_s, steps FROM walks"
            " WHERE id = ?",
            (rows[index][0],),
        ).fetchone()
        return dict(existing), matched, tol_s, "holds" if holds else "part"

    def _insert_walk(self, conn: sqlite3.Connection, walk: NewWalk) -> int:
        s = walk.summary
        cur = conn.execute(
            "INSERT INTO walks (name, origin, status, format, placement, started_at, created_at, duration_s, steps,"
            " strides, cadence_spm, stride_length_m, distance_m, walking_time_s, flagged_strides, reason,"
            " source_json, coaching_json, notes_json, demo, recording_sha256, analysis_json)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                walk.name,
                walk.origin,
                walk.status,
                walk.format,
                walk.placement,
                walk.started_at,
                utc_now_iso(),
                *_summary_values(s),
                walk.flagged_strides,
                walk.reason,
                json.dumps(walk.source, default=str),
                json.dumps(walk.coaching, default=str),
                json.dumps(list(walk.notes)),
                int(bool(walk.demo)),
                walk.recording_sha256,
                None if walk.analysis is None else json.dumps(walk.analysis, default=str),
            ),
        )
        return int(cur.lastrowid)

    @staticmethod
    def _insert_rows(
        conn: sqlite3.Connection,
        walk_id: int,
        strides: Iterable[Sequence[Any]],
        steps: Iterable[Sequence[Any]],
        bouts: Iterable[Sequence[Any]],
        *,
        first_idx: tuple[int, int, int],
    ) -> None:
        conn.executemany(
            "INSERT INTO strides (walk_id, idx, start_s, end_s, length_m, cadence_spm, speed_mps, confidence,"
            " method, side, target_m, overlong) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            ((walk_id, first_idx[0] + i, *row) for i, row in enumerate(strides)),
        )
        conn.executemany(
            "INSERT INTO steps (walk_id, idx, t_s, side) VALUES (?,?,?,?)",
            ((walk_id, first_idx[1] + i, *row) for i, row in enumerate(steps)),
        )
        conn.executemany(
            "INSERT INTO bouts (walk_id, idx, start_s, end_s, steps) VALUES (?,?,?,?,?)",
            ((walk_id, first_idx[2] + i, *row) for i, row in enumerate(bouts)),
        )

    def start_live_walk(self, walk: NewWalk) -> int:
        """Insert a walk with status ``live`` and no rows yet; returns its id."""
        walk.status = "live"
        with self.write() as conn:
            return self._insert_walk(conn, walk)

    def append_live(
        self,
        walk_id: int,
        *,
        strides: Sequence[Sequence[Any]] = (),
        steps: Sequence[Sequence[Any]] = (),
        bouts: Sequence[Sequence[Any]] = (),
        cues: Sequence[Sequence[Any]] = (),
    ) -> None:
        """Commit a batch of live rows in one transaction (each batch is all-or-nothing)."""
        with self.write() as conn:
            nxt = [
                conn.execute(f"SELECT COALESCE(MAX(idx) + 1, 0) FROM {t} WHERE walk_id = ?", (walk_id,)).fetchone()[0]
                for t in ("strides", "steps", "bouts", "cues")
            ]
            self._insert_rows(conn, walk_id, strides, steps, bouts, first_idx=(nxt[0], nxt[1], nxt[2]))
            conn.executemany(
                "INSERT INTO cues (walk_id, idx, t_s, kind, message, reason) VALUES (?,?,?,?,?,?)",
                ((walk_id, nxt[3] + i, *row) for i, row in enumerate(cues)),
            )
            if strides:
                flagged = sum(1 for row in strides if row[-1])
                conn.execute(
                    "UPDATE walks SET strides = COALESCE(strides, 0) + ?, flagged_strides = flagged_strides + ?"
                    " WHERE id = ?",
                    (len(strides), flagged, walk_id),
                )

    def finish_walk(
        self,
        walk_id: int,
        summary: dict[str, Any],
        *,
        status: str = "complete",
        reason: str | None = None,
        notes: Sequence[str] | None = None,
        source: dict[str, Any] | None = None,
        coaching: dict[str, Any] | None = None,
    ) -> None:
        """Write a walk's final summary and status (and, when given, why its figures are what they are and how they
        were obtained, fields added to its source such as how it ended, and its coaching as judged)."""
        with self.write() as conn:
            if reason is not None or notes is not None:
                conn.execute(
                    "UPDATE walks SET reason = COALESCE(?, reason), notes_json = COALESCE(?, notes_json) WHERE id = ?",
                    (reason, None if notes is None else json.dumps(list(notes)), walk_id),
                )
            if source:
                row = conn.execute("SELECT source_json FROM walks WHERE id = ?", (walk_id,)).fetchone()
                merged = {**json.loads((row[0] if row else None) or "{}"), **source}
                conn.execute("UPDATE walks SET source_json = ? WHERE id = ?", (json.dumps(merged), walk_id))
            if coaching is not None:
                conn.execute("UPDATE walks SET coaching_json = ? WHERE id = ?", (json.dumps(coaching), walk_id))
            conn.execute(
                "UPDATE walks SET status = ?, duration_s = ?, steps = ?, strides = ?, cadence_spm = ?,"
                " stride_length_m = ?, distance_m = ?, walking_time_s = ?,"
                " flagged_strides = (SELECT COUNT(*) FROM strides WHERE walk_id = ? AND overlong = 1)"
                " WHERE id = ?",
                (
                    status,
                    summary.get("duration_s"),
                    summary.get("steps"),
                    summary.get("strides"),
                    summary.get("cadence_spm"),
                    summary.get("stride_length_m"),
                    summary.get("distance_m"),
                    summary.get("walking_time_s"),
                    walk_id,
                    walk_id,
                ),
            )
            _fill_step_timing(conn, walk_id)

    def live_walk_ids(self) -> list[int]:
        """Ids of walks still marked ``live`` (after a crash these were interrupted)."""
        with self.read() as conn:
            return [r[0] for r in conn.execute("SELECT id FROM walks WHERE status = 'live' ORDER BY id")]

    def count_walks(self, *, demo: bool | None = None) -> int:
        """Number of walks in the store; ``demo`` as in :meth:`list_walks`."""
        where, params = ("", ()) if demo is None else ("WHERE demo = ?", (int(demo),))
        with self.read() as conn:
            return int(conn.execute(f"SELECT COUNT(*) FROM walks {where}", params).fetchone()[0])

    def list_walks(self, *, limit: int = 100, offset: int = 0, demo: bool | None = None) -> list[dict[str, Any]]:
        """Walks, newest first; ``demo`` False lists the walker's own walks only, True sample and demo walks only."""
        where = "" if demo is None else "WHERE demo = ? "
        # an offset past SQLite's integers is past every walk too: the empty page beyond the last
        params = (() if demo is None else (int(demo),)) + (limit, min(offset, SQLITE_INTEGERS[-1]))
        with self.read() as conn:
            rows = conn.execute(
                f"SELECT {', '.join(WALK_COLUMNS)} FROM walks {where}"
                "ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?",
                params,
            ).fetchall()
        return [_walk_row(r) for r in rows]

    def finished_demo_replays(self, sample: str) -> list[int]:
        """Ids of the live demo walks that replayed the sample file ``sample`` and ended normally (complete), oldest
        first; an interrupted one is not among them (its page says what stopped it)."""
        with self.read() as conn:
            rows = conn.execute(
                "SELECT id FROM walks WHERE demo = 1 AND origin = 'live' AND status = 'complete'"
                " AND json_valid(source_json) AND json_extract(source_json, '$.format') = 'replay'"
                " AND json_extract(source_json, '$.sample') = ? ORDER BY id",
                (sample,),
            ).fetchall()
        return [r[0] for r in rows]

    def get_walk(self, walk_id: int) -> dict[str, Any] | None:
        """One walk, or None."""
        if walk_id not in SQLITE_INTEGERS:
            return None
        with self.read() as conn:
            row = conn.execute(f"SELECT {', '.join(WALK_COLUMNS)} FROM walks WHERE id = ?", (walk_id,)).fetchone()
        return _walk_row(row) if row else None

    def walk_ids(self) -> set[int]:
        """Ids of every stored walk."""
        with self.read() as conn:
            return {r[0] for r in conn.execute("SELECT id FROM walks")}

    def walks_relying_on(self, walk_id: int) -> list[dict[str, Any]]:
        """The walks whose stored coaching plan relied on walk ``walk_id`` (its ``relied_on_walks``: its baseline's
        walks, its count of pain-free walks), oldest first; also after that walk was deleted (the plans keep ids).
        One scan of the plans (about 35 ms for 5000 walks)."""
        with self.read() as conn:
            rows = conn.execute(
                f"SELECT {', '.join(WALK_COLUMNS)} FROM walks WHERE json_valid(coaching_json) AND EXISTS ("
                "SELECT 1 FROM json_each(coaching_json, '$.relied_on_walks') WHERE value = ?)"
                " ORDER BY started_at, id",
                (walk_id,),
            ).fetchall()
        return [_walk_row(r) for r in rows]

    def walk_fingerprint(self, walk_id: int) -> str | None:
        """The fingerprint of the recording a walk was analysed from (see :class:`NewWalk`), or None."""
        with self.read() as conn:
            row = conn.execute("SELECT recording_sha256 FROM walks WHERE id = ?", (walk_id,)).fetchone()
        return row[0] if row else None

    def delete_walk(self, walk_id: int) -> bool:
        """Delete a walk and its rows; returns False when there was none. Nothing of it stays readable in the files
        (:meth:`_write_through`)."""
        if walk_id not in SQLITE_INTEGERS:
            return False
        with self.write() as conn:
            # its pain reports are kept, unlinked from it (ON DELETE SET NULL), and keep that they had a walk
            conn.execute("UPDATE pain_reports SET walk_deleted = 1 WHERE walk_id = ?", (walk_id,))
            deleted = conn.execute("DELETE FROM walks WHERE id = ?", (walk_id,)).rowcount > 0
        self._write_through()
        return deleted

    def change_start(
        self,
        walk_id: int,
        started_at: str,
        decide: Callable[[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]], StartChange],
        *,
        window_days: float,
    ) -> tuple[dict[str, Any], StartChange] | None:
        """Give a stored walk another start, in one transaction: its id, figures, rows and pain reports stay.

        Inside the transaction ``decide`` is called with the walk as it is, the walker's own finished walks (not it)
        whose plan's time (start, or upload: ``created_at``) lies within ``window_days`` after its start now or
        ``started_at`` (the plans whose history can hold it, before or after), and its pain reports; it returns the
        :class:`StartChange` to write (the walk's new source, other walks' new stored coaching) or raises, and then
        nothing changes. Returns the walk as it was and the change made; None when there is no such walk.
        """
        if walk_id not in SQLITE_INTEGERS:
            return None
        with self.write() as conn:
            row = conn.execute(f"SELECT {', '.join(WALK_COLUMNS)} FROM walks WHERE id = ?", (walk_id,)).fetchone()
            if row is None:
                return None
            walk = _walk_row(row)
            starts = (walk["started_at"], started_at)
            columns = ("started_at", "created_at")
            near = " OR ".join(
                f"julianday({c}) BETWEEN julianday(?) AND julianday(?) + ?" for c in columns for _ in starts
            )
            others = conn.execute(
                f"SELECT {', '.join(WALK_COLUMNS)} FROM walks WHERE demo = 0 AND status != 'live' AND id != ?"
                f" AND ({near}) ORDER BY started_at, id",
                (walk_id, *(v for _ in columns for t in starts for v in (t, t, window_days))),
            ).fetchall()
            pain = conn.execute("SELECT * FROM pain_reports WHERE walk_id = ? ORDER BY id", (walk_id,)).fetchall()
            change = decide(walk, [_walk_row(r) for r in others], [dict(r) for r in pain])
            conn.execute(
                "UPDATE walks SET started_at = ?, source_json = ? WHERE id = ?",
                (change.started_at, json.dumps(change.source, default=str), walk_id),
            )
            conn.executemany(
                "UPDATE walks SET coaching_json = ? WHERE id = ?",
                [(json.dumps(coaching, default=str), other_id) for other_id, coaching in change.coaching.items()],
            )
        return walk, change

    def strides(self, walk_id: int) -> list[dict[str, Any]]:
        """A walk's strides in order, as dicts keyed by :data:`STRIDE_COLUMNS`."""
        with self.read() as conn:
            rows = conn.execute(
                f"SELECT {', '.join(STRIDE_COLUMNS)} FROM strides WHERE walk_id = ? ORDER BY idx", (walk_id,)
            ).fetchall()
        return [dict(zip(STRIDE_COLUMNS, r, strict=True)) for r in rows]

    def stride_columns(self, walk_id: int) -> dict[str, list[Any]]:
        """A walk's strides as one list per column (the compact form charts use)."""
        with self.read() as conn:
            conn.row_factory = None  # plain tuples: a third faster than sqlite3.Row for thousands of rows
            rows = conn.execute(
                f"SELECT {', '.join(STRIDE_COLUMNS)} FROM strides WHERE walk_id = ? ORDER BY idx", (walk_id,)
            ).fetchall()
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in STRIDE_COLUMNS]
        return {name: list(values) for name, values in zip(STRIDE_COLUMNS, columns, strict=True)}

    def steps(self, walk_id: int) -> list[dict[str, Any]]:
        """A walk's initial contacts in order."""
        with self.read() as conn:
            rows = conn.execute("SELECT t_s, side FROM steps WHERE walk_id = ? ORDER BY idx", (walk_id,)).fetchall()
        return [{"t_s": r[0], "side": r[1]} for r in rows]

    def bouts(self, walk_id: int) -> list[dict[str, Any]]:
        """A walk's walking bouts in order."""
        with self.read() as conn:
            rows = conn.execute(
                "SELECT start_s, end_s, steps FROM bouts WHERE walk_id = ? ORDER BY idx", (walk_id,)
            ).fetchall()
        return [{"start_s": r[0], "end_s": r[1], "steps": r[2]} for r in rows]

    def cues(self, walk_id: int) -> list[dict[str, Any]]:
        """Cues given during a live walk."""
        with self.read() as conn:
            rows = conn.execute(
                "SELECT t_s, kind, message, reason FROM cues WHERE walk_id = ? ORDER BY idx", (walk_id,)
            ).fetchall()
        return [dict(r) for r in rows]

    def trends(self, period: str, *, placement: str | None = None) -> list[dict[str, Any]]:
        """Per-day, per-week or per-month totals and stride-weighted means over the walker's own walks (not sample or
        demo walks). A summary-only walk (Apple Health: steps, distance, step length, no strides) counts its steps / 2
        strides, in the stride total and as its weight in the means. Each row's ``placements`` counts its walks per
        sensor placement (:data:`UNKNOWN_PLACEMENT` for a walk without one).

        Parameters
        ----------
        period
            ``"day"`` (``2026-11-26``), ``"week"`` (ISO 8601 week with its own year, ``2025-W01`` for
            2024-12-31) or ``"month"`` (calendar month, ``2026-11``), all in this computer's local time, the
            walker's (the service runs on their machine).
        placement
            Only the walks with the sensor worn there (:data:`UNKNOWN_PLACEMENT`: the walks without a placement);
            None for all. Stride lengths of two placements come from different models and calibrations: a
            change of placement read as a change of stride.
        """
        # Each walk's means weigh as many strides as it holds; a summary-only walk (an Apple Health export, no
        # per-stride rows) as the strides its steps make, so its stride length counts as the Walks list shows it.
        weight = "COALESCE(strides, steps / 2.0)"
        if period not in ("day", "week", "month"):
            raise ValueError(f"period must be 'day', 'week' or 'month', not {period!r}")
        where, args = "demo = 0", [period]
        if placement is not None:
            where += " AND placement IS ?"
            args.append(None if placement == UNKNOWN_PLACEMENT else placement)
        with self.read() as conn:
            conn.create_function("local_period", 2, local_period, deterministic=True)
            counts: dict[str, dict[str, int]] = {}
            for row in conn.execute(
                f"SELECT local_period(started_at, ?) AS period, placement, COUNT(*) FROM walks WHERE {where}"
                " GROUP BY 1, 2",
                args,
            ):
                counts.setdefault(row[0], {})[row[1] or UNKNOWN_PLACEMENT] = row[2]
            rows = conn.execute(
                "SELECT local_period(started_at, ?) AS period, COUNT(*) AS walks,"
                f" CAST(ROUND(SUM(COALESCE({weight}, 0))) AS INTEGER) AS strides,"
                f" SUM(cadence_spm * {weight})"
                f" / NULLIF(SUM(CASE WHEN cadence_spm IS NOT NULL THEN {weight} END), 0) AS cadence_spm,"
                f" SUM(stride_length_m * {weight})"
                f" / NULLIF(SUM(CASE WHEN stride_length_m IS NOT NULL THEN {weight} END), 0) AS stride_length_m,"
                " SUM(distance_m) AS distance_m, SUM(walking_time_s) AS walking_time_s,"
                " SUM(flagged_strides) AS flagged_strides"
                f" FROM walks WHERE {where} GROUP BY period ORDER BY period",
                args,
            ).fetchall()
        return [{**dict(r), "placements": counts.get(r["period"], {})} for r in rows]

    # -- pain reports --------------------------------------------------------------------------------------------

    def add_pain(self, report: dict[str, Any]) -> int:
        """Insert a pain report; returns its id."""
        with self.write() as conn:
            cur = conn.execute(
                "INSERT INTO pain_reports (reported_at, score, walk_id, onset_distance_m, onset_time_s, note)"
                " VALUES (:reported_at, :score, :walk_id, :onset_distance_m, :onset_time_s, :note)",
                report,
            )
            return int(cur.lastrowid)

    def list_pain(self) -> list[dict[str, Any]]:
        """All pain reports, newest first."""
        with self.read() as conn:
            rows = conn.execute("SELECT * FROM pain_reports ORDER BY reported_at DESC, id DESC").fetchall()
        return [dict(r) for r in rows]

    def get_pain(self, report_id: int) -> dict[str, Any] | None:
        """One pain report, or None."""
        if report_id not in SQLITE_INTEGERS:
            return None
        with self.read() as conn:
            row = conn.execute("SELECT * FROM pain_reports WHERE id = ?", (report_id,)).fetchone()
        return dict(row) if row else None

    def delete_pain(self, report_id: int) -> bool:
        """Delete a pain report; returns False when there was none. Nothing of it stays readable in the files
        (:meth:`_write_through`)."""
        if report_id not in SQLITE_INTEGERS:
            return False
        with self.write() as conn:
            deleted = conn.execute("DELETE FROM pain_reports WHERE id = ?", (report_id,)).rowcount > 0
        self._write_through()
        return deleted

    # -- profile -------------------------------------------------------------------------------------------------

    def get_profile(self) -> dict[str, Any]:
        """The stored profile document ({} before the first save)."""
        with self.read() as conn:
            row = conn.execute("SELECT data_json FROM profile WHERE id = 1").fetchone()
        return json.loads(row[0]) if row else {}

    def update_profile(self, change: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
        """Read the profile document, pass it to ``change`` and store what it returns, in one transaction: a save
        elsewhere (another tab, ``gait calibrate``) cannot slip in between and be overwritten. An exception from
        ``change`` leaves the profile as it was. Returns the stored document."""
        with self.write() as conn:
            row = conn.execute("SELECT data_json FROM profile WHERE id = 1").fetchone()
            data = change(json.loads(row[0]) if row else {})
            conn.execute(
                "INSERT INTO profile (id, data_json) VALUES (1, ?)"
                " ON CONFLICT (id) DO UPDATE SET data_json = excluded.data_json",
                (json.dumps(data),),
            )
        return data

    def put_profile(self, data: dict[str, Any]) -> None:
        """Replace the profile document."""
        self.update_profile(lambda _stored: data)

    @contextmanager
    def snapshot(self) -> Iterator[Store]:
        """A read-only view of the store whose every read sees one snapshot (one read transaction): what an export
        of everything reads is consistent even while walks, strides or reports are written meanwhile.

        The view has this store's reading methods (``list_walks``, ``strides``, ``list_pain``, ``get_profile``...);
        writing through it raises :class:`StoreError`. Its connection belongs to the calling thread.
        """
        conn = self._connect(readonly=True)
        try:
            conn.execute("BEGIN")
            # a read transaction's snapshot is taken at its first read, so at once: not at the caller's first query
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            yield _SnapshotStore(self.path, conn)
        finally:
            conn.close()


class _SnapshotStore(Store):
    """The view :meth:`Store.snapshot` yields: every read on its one connection, inside its read transaction."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        super().__init__(path)
        self._snapshot_conn = conn

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """Yield the snapshot's connection (rows as :class:`sqlite3.Row`, whatever a reader set before)."""
        self._snapshot_conn.row_factory = sqlite3.Row
        yield self._snapshot_conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """Refused: a snapshot is read-only."""
        raise StoreError("a snapshot of the store is read-only")
        yield self._snapshot_conn  # pragma: no cover (a generator, for contextmanager)
