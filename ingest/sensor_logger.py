"""Sensor Logger (Kelvin Choi; iOS and Android) exports: a zip or folder with one CSV per sensor.

Axis files are headed ``time,seconds_elapsed,z,y,x`` (z, y, x order; ``time`` is the Unix epoch in ns) and are
parsed by column name. ``Accelerometer.csv`` holds acceleration WITHOUT gravity, so the gravity-inclusive signal
comes from, in order: ``TotalAcceleration.csv`` (Android), ``Accelerometer.csv`` + ``Gravity.csv``, or
``AccelerometerUncalibrated.csv`` (iOS: in g with CoreMotion's sign, scaled and negated here).

A single axis file is known by its header whatever its name (a second download ``TotalAcceleration (1).csv``, a
file renamed to the walk's date, gzipped): its data then say which file it is (gravity in m/s^2: Total Acceleration;
in g: iOS's Accelerometer Uncalibrated; none: a file without gravity, refused). An Apple Watch recording is
``WristMotion.csv`` (``time,seconds_elapsed,rotationRate{X,Y,Z},gravity{X,Y,Z},acceleration{X,Y,Z},quaternion...``,
as public loaders of Sensor Logger's watch export read it): Core Motion's user acceleration and gravity, in g with
Apple's sign unless Metadata.csv says the units were standardised, read as a wrist recording.

Its JSON export (one file: an array of records, each naming its ``sensor`` beside the columns of that sensor's CSV
file, ``Metadata`` included) is read as the CSV export it matches (:func:`json_export_tables`); so is its SQLite
export (one table per sensor, named as its CSV file, :func:`sqlite_export_tables`).
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import threading
from array import array
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import IO, Any, Final

import numpy as np

from gait.types import GpsTrack, Placement, Recording
from gait.validate import acceleration_magnitudes, median_rate_hz
from ingest.archive import Bundle, TablePlace, tables_bundle
from ingest.common import (
    FormatInfo,
    acc_unit_scale,
    align_gyroscope,
    assumed_gyroscope_dps,
    build_gps,
    build_recording,
    gravity_present,
    infer_acc_unit,
    interp_onto,
    order_samples,
    parse_placement,
)
from ingest.errors import IngestError
from ingest.table import (
    head_lines,
    line_numbers,
    norm_name,
    read_header,
    read_numeric,
    sniff_dialect,
    split_fields,
)

INFO = FormatInfo(
    name="sensor_logger",
    description="Sensor Logger export (iOS or Android): zip or folder with TotalAcceleration / Accelerometer + "
    "Gravity / AccelerometerUncalibrated, Gyroscope, Location and Metadata CSVs; one axis file alone under any name "
    "(known by its header); the Apple Watch's WristMotion.csv (a wrist recording); its JSON or SQLite export (one "
    "file; the SQLite layout, a table per CSV file, from the app's documentation, not yet checked against a real "
    "export)",
    patterns=(
        "<date>.zip",
        "<date>/",
        "TotalAcceleration.csv",
        "AccelerometerUncalibrated.csv",
        "WristMotion.csv",
        "*.csv headed 'time,seconds_elapsed,z,y,x'",
        "<date>.json",
        "<date>.sqlite",
    ),
    checked_versions=("iOS 1.10.4 (Metadata v3)", "Android 1.26.0", "Android 1.60.0"),
    phone=True,
)

WATCH_FILE = "WristMotion.csv"
_WATCH_ACC = tuple(f"acceleration{a}" for a in "xyz")
_WATCH_GRAVITY = tuple(f"gravity{a}" for a in "xyz")
_WATCH_GYRO = tuple(f"rotationrate{a}" for a in "xyz")
AXIS_HEADER = ("time", "seconds_elapsed", "z", "y", "x")
"""Sensor Logger's axis-file header, exactly (names as :func:`ingest.table.norm_name` gives them)."""

AXIS_FILES = (
    "TotalAcceleration.csv",
    "Accelerometer.csv",
    "AccelerometerUncalibrated.csv",
    "Gravity.csv",
    "Gyroscope.csv",
    "GyroscopeUncalibrated.csv",
)


@dataclass(frozen=True)
class _Axes:
    """One axis file: time in seconds (Unix epoch when ``epoch``) and x, y, z columns."""

    time_s: np.ndarray
    xyz: np.ndarray
    epoch: bool
    notes: tuple[str, ...] = ()  # what was dropped while reading (an incomplete last line)


def _header_fields(bundle: Bundle, name: str) -> list[str] | None:
    try:
        header = head_lines(bundle.head(name), 1, what=name)[0]
    except IngestError:
        return None
    return [norm_name(f) for f in split_fields(header, sniff_dialect(header, None))]


def _is_watch_header(fields: list[str]) -> bool:
    return {"time", *_WATCH_ACC, *_WATCH_GRAVITY} <= set(fields)


def is_json_export(bundle: Bundle) -> bool:
    """Whether ``bundle`` is one file holding Sensor Logger's JSON export (alone or as the one file of a zip, as a
    phone's share sheet or a mail may pack it): an array of records naming their sensor and its ``seconds_elapsed``."""
    if bundle.kind != "file" and not (len(bundle.names) == 1 and bundle.names[0].lower().endswith(".json")):
        return False
    head = bundle.head(bundle.names[0], 4096).removeprefix(UTF8_BOM).lstrip()
    # a recording's records carry seconds_elapsed; a file holding only the Metadata record is the app's too
    return (
        head[:1] == b"["
        and b'"sensor"' in head
        and (b'"seconds_elapsed"' in head or _METADATA_RECORD.search(head) is not None)
    )


UTF8_BOM: Final = b"\xef\xbb\xbf"
_METADATA_RECORD: Final = re.compile(rb'"sensor"\s*:\s*"Metadata"')
JSON_ACC_SENSORS: Final = ("TotalAcceleration", "Accelerometer", "AccelerometerUncalibrated", "WristMotion")
"""The sensors of a JSON export whose records hold the acceleration a recording is analysed from."""


def json_export_tables(bundle: Bundle) -> Bundle:
    """Sensor Logger's JSON export (one file, see :func:`is_json_export`) as the CSV files of its CSV export: each
    sensor's records as ``<sensor>.csv``, with the columns of the sensor's first record in their order.

    The file is parsed as a stream (ijson): a long recording's JSON is hundreds of MB of records, whose Python
    objects would take gigabytes held at once.

    Raises
    ------
    IngestError
        When the file is not valid JSON, ends early (cut off) or holds something other than sensor records.
    """
    import ijson  # imported here: only a JSON export needs it

    name = bundle.names[0]
    columns: dict[str, list[str]] = {}
    texts: dict[str, io.StringIO] = {}
    writers: dict[str, Any] = {}
    numbers: dict[str, array[int]] = {}  # each sensor's records' numbers in the file, to name them in messages
    try:
        with bundle.member(name).stream() as raw:
            fh = _without_bom(raw)  # a file saved again by a Windows editor starts with one; ijson refuses it
            for n_record, record in enumerate(ijson.items(fh, "item", use_float=True), start=1):
                if not isinstance(record, dict) or not isinstance(record.get("sensor"), str):
                    raise IngestError(
                        f"{name}: record {n_record} names no sensor: this is not Sensor Logger's JSON export; export "
                        "the recording as CSV (Export > CSV (zip))",
                        reason="unsupported_format",
                    )
                sensor = record.pop("sensor").replace("/", "_")
                if sensor not in columns:
                    columns[sensor] = list(record)
                    numbers[sensor] = array("L")
                    texts[sensor] = io.StringIO()
                    writers[sensor] = csv.writer(texts[sensor], lineterminator="\n")
                    writers[sensor].writerow(columns[sensor])
                writers[sensor].writerow([_json_cell(record.get(c)) for c in columns[sensor]])
                numbers[sensor].append(n_record)
    except ijson.JSONError as exc:
        cut = isinstance(exc, ijson.IncompleteJSONError) and "premature" in str(exc).lower()
        why = "ends before its last record: it was cut off" if cut else f"is not valid JSON ({exc})"
        raise IngestError(
            f"{name}: {why}; copy or export the recording again (Sensor Logger: Export > CSV (zip) or JSON)",
            reason="bad_json",
        ) from None
    if not texts:
        raise IngestError(f"{name}: the JSON export holds no records; record again", reason="empty")
    if not any(sensor in texts for sensor in JSON_ACC_SENSORS):
        raise IngestError(
            f"{name}: this Sensor Logger JSON export holds only {', '.join(texts)} records, no accelerometer's, so "
            "there are no steps to find; in Sensor Logger turn on Accelerometer (and Gyroscope) and record the walk "
            "again",
            reason="no_accelerometer",
        )
    places = {f"{s}.csv": TablePlace(f"the {s} records of {name}", partial(_record, numbers[s])) for s in texts}
    return tables_bundle(name, {f"{s}.csv": t.getvalue().encode("utf-8") for s, t in texts.items()}, places)


def _record(numbers: array[int], line: int) -> str | None:
    """A line of a sensor's table made from a JSON export as the record of the file it was (its header is line 1)."""
    return f"record {numbers[line - 2]}" if 2 <= line < len(numbers) + 2 else None


SQLITE_MAGIC: Final = b"SQLite format 3\x00"
"""The first bytes of every SQLite database file."""


def is_sqlite(bundle: Bundle) -> bool:
    """Whether ``bundle`` is one SQLite database file (alone, or as the one file of a zip), as Sensor Logger's SQLite
    export is."""
    if bundle.kind != "file" and len(bundle.names) != 1:
        return False
    return bundle.head(bundle.names[0], len(SQLITE_MAGIC)) == SQLITE_MAGIC


def sqlite_export_tables(bundle: Bundle) -> Bundle:
    """Sensor Logger's SQLite export (one database file, see :func:`is_sqlite`) as the CSV files of its CSV export:
    each table as ``<table>.csv``, headed by its column names, made when the reader first reads it.

    The tables' names and columns are the CSV files' (the app's documentation reads ``SELECT * FROM
    Accelerometer``); a value stored as text or as a number reads the same. Not yet checked against a real export.

    Raises
    ------
    IngestError
        When the file is no readable SQLite database (cut off, damaged), is the gait analyser's own data store, or
        holds no table of an accelerometer's samples; a table found damaged when it is read raises it then.
    """
    name = bundle.names[0]
    # one connection for the bundle's life (closed when it is collected): tables are read when needed, from the
    # reader's threads, one at a time
    db = sqlite3.connect(":memory:", check_same_thread=False)
    try:
        db.deserialize(_without_wal(bundle.read(name)))
        tables = [str(r[0]) for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        # SQLite's names are case-blind, so two tables never differ by case alone: each is its CSV file's by name
        read = {_READ_TABLES[t.lower()]: t for t in tables if t.lower() in _READ_TABLES}
        rows = {t: _rows(db, t) for t in read.values()}
        # a lower bound of each CSV file's size (a line per row), 0 for a table without rows (as for an empty file,
        # the export's next choice is read): readers ask only whether it is empty
        sizes = {f"{f}.csv": rows[t] for f, t in read.items()}
    except sqlite3.DatabaseError as exc:
        db.close()
        raise _unreadable(name, exc) from None
    if {"walks", "strides"} <= set(tables):
        raise IngestError(
            f"{name}: this is the gait analyser's own data store (its walks and strides), not a recording; upload "
            "the recording a phone app or sensor exported instead",
            reason="unsupported_format",
        )
    if not any(rows.get(read.get(table, ""), 0) for table in JSON_ACC_SENSORS):
        held = (
            ", ".join(t + ("" if rows.get(t, 1) else " (no rows)") for t in tables if not t.startswith("sqlite_"))
            or "no tables"
        )
        empty = " with samples" if any(table in read for table in JSON_ACC_SENSORS) else ""
        raise IngestError(
            f"{name}: this SQLite database holds {held}: none of Sensor Logger's accelerometer tables "
            f"({', '.join(JSON_ACC_SENSORS)}){empty}, so there are no steps to find; export the recording from Sensor "
            "Logger with Accelerometer turned on, or as CSV (zip)",
            reason="no_accelerometer",
        )
    places = {f"{f}.csv": TablePlace(f"the {t} table of {name}", _table_row) for f, t in read.items()}
    return tables_bundle(name, _SqliteTables(db, name, read), places, sizes=sizes)


_READ_TABLES: Final = {
    f.removesuffix(".csv").lower(): f.removesuffix(".csv")
    for f in (*AXIS_FILES, WATCH_FILE, "Metadata.csv", "Location.csv")
}
"""The files of a Sensor Logger export this reader reads, by their tables' names in lower case: only these tables of
a SQLite export are offered (an export with every sensor on holds magnetometer, orientation, barometer... tables
too)."""


class _SqliteTables(Mapping[str, bytes]):
    """The ``tables`` of a SQLite export as CSV files (``<table>.csv``), each made when first read and kept: turning
    a table into CSV takes about 1.5 s an hour of samples, and a reader reads two or three of an export's tables."""

    def __init__(self, db: sqlite3.Connection, label: str, tables: Mapping[str, str]) -> None:
        self._db, self._label = db, label
        self._tables = {f"{f}.csv": t for f, t in tables.items()}  # the CSV file's name -> its table's
        self._made: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def __getitem__(self, name: str) -> bytes:
        with self._lock:
            if name not in self._made:
                try:
                    self._made[name] = _sqlite_table_csv(self._db, self._tables[name])
                except sqlite3.DatabaseError as exc:
                    raise _unreadable(self._label, exc) from None
            return self._made[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)


def _unreadable(name: str, exc: Exception) -> IngestError:
    return IngestError(
        f"{name}: this SQLite database cannot be read ({exc}): it is damaged, or was cut off while "
        "copying; copy or export the recording again (Sensor Logger: Export > CSV (zip) or SQLite)",
        reason="bad_sqlite",
    )


def _without_wal(data: bytes) -> bytes:
    """A SQLite database file marked as in rollback-journal mode: a file in WAL mode (an app's database copied as it
    is) holds all it committed before its last checkpoint, but an in-memory copy of it cannot be opened in WAL mode.
    Bytes 18 and 19 of the header are the file format's write and read versions (2: WAL, 1: legacy)."""
    if data[18:20] != b"\x02\x02":
        return data
    return data[:18] + b"\x01\x01" + data[20:]


def _quoted(table: str) -> str:
    """A table's name as SQL quotes a name (a name of the file, not ours)."""
    return '"' + table.replace('"', '""') + '"'


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [d[0] for d in db.execute(f"SELECT * FROM {_quoted(table)} LIMIT 0").description]


def _rows(db: sqlite3.Connection, table: str) -> int:
    return int(db.execute(f"SELECT count(*) FROM {_quoted(table)}").fetchone()[0])


def _sqlite_table_csv(db: sqlite3.Connection, table: str) -> bytes:
    """A table's rows, in their stored order, as CSV headed by its column names."""
    rows = db.execute(f"SELECT * FROM {_quoted(table)}")
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow([d[0] for d in rows.description])
    # as _json_cell writes a cell: NULL empty, a float in full (repr), text as it is; a BLOB as the text it holds
    writer.writerows(rows if not _has_blob(db, table) else ([_blob_text(v) for v in row] for row in rows))
    return text.getvalue().encode("utf-8")


def _has_blob(db: sqlite3.Connection, table: str) -> bool:
    """Whether any value of ``table`` is stored as a BLOB (a number written as bytes by some SQLite library)."""
    cells = " OR ".join(f"typeof({_quoted(c)}) = 'blob'" for c in _columns(db, table)) or "0"
    return db.execute(f"SELECT EXISTS (SELECT 1 FROM {_quoted(table)} WHERE {cells})").fetchone()[0] == 1


def _blob_text(value: object) -> object:
    """A BLOB value as the text it holds (a CSV export writes each value as text), others as they are."""
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value


def _table_row(line: int) -> str | None:
    """A line of a table made from a SQLite export as its row in that table (its header is line 1)."""
    return f"row {line - 1}" if line >= 2 else None


def _without_bom(fh: IO[bytes]) -> IO[bytes]:
    """``fh`` past a leading UTF-8 byte order mark, if it has one."""
    buffered = io.BufferedReader(fh)  # type: ignore[arg-type]
    if buffered.peek(len(UTF8_BOM)).startswith(UTF8_BOM):
        buffered.read(len(UTF8_BOM))
    return buffered


def _json_cell(value: object) -> str:
    """A JSON value as a CSV cell (Sensor Logger writes its numbers as strings; a float in full, null empty)."""
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def looks_like(bundle: Bundle) -> bool:
    """True when the bundle holds Sensor Logger axis files (recognised by name and header), its Apple Watch file,
    or is a single file headed exactly as Sensor Logger heads an axis file or its watch file, whatever its name."""
    for name in bundle.names:
        base = name.rsplit("/", 1)[-1]
        if base not in (*AXIS_FILES, WATCH_FILE) and bundle.kind != "file":
            continue
        fields = _header_fields(bundle, name)
        if fields is None:
            continue
        if bundle.kind == "file" and base not in AXIS_FILES:
            # a renamed or re-downloaded copy: only the app's own header (a generic x,y,z table is not the app's)
            if tuple(fields) == AXIS_HEADER or _is_watch_header(fields):
                return True
            continue
        if base == WATCH_FILE:
            if _is_watch_header(fields):
                return True
            continue
        if {"x", "y", "z"} <= set(fields) and ("seconds_elapsed" in fields or "time" in fields):
            return True
    return False


def _read_axes(bundle: Bundle, name: str) -> _Axes:
    data = bundle.read(name)
    dialect, fields = read_header(data, what=name)
    missing = [c for c in ("x", "y", "z") if c not in fields]
    if missing or not ({"time", "seconds_elapsed"} & set(fields)):
        raise IngestError(
            f"{name}: missing column(s) {', '.join(missing) or 'time'}; Sensor Logger axis files have the header "
            "time,seconds_elapsed,z,y,x: export the recording again without editing it",
            reason="missing_columns",
        )
    epoch = "time" in fields
    tcol = fields.index("time") if epoch else fields.index("seconds_elapsed")
    usecols = [tcol, fields.index("x"), fields.index("y"), fields.index("z")]
    arr = read_numeric(data, what=name, dialect=dialect, skiprows=1, usecols=usecols, n_fields=len(fields))
    time_s = arr[:, 0] * 1e-9 if epoch else arr[:, 0]
    notes: list[str] = []
    time_s, xyz = order_samples(time_s, arr[:, 1:4], what=name, line_of=line_numbers(data, skiprows=1), notes=notes)
    return _Axes(time_s=time_s, xyz=xyz, epoch=epoch, notes=tuple(notes))


def read_metadata(bundle: Bundle) -> dict[str, str]:
    """Return ``Metadata.csv`` as a name -> value dict (any generation: columns are matched by name)."""
    name = bundle.find("Metadata.csv")
    if name is None:
        return {}
    try:
        text = bundle.read(name).decode("utf-8-sig")
    except UnicodeDecodeError:
        return {}
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 2:
        return {}
    return {k.strip(): v.strip() for k, v in zip(rows[0], rows[1], strict=False)}


def _pick(bundle: Bundle, name: str) -> str | None:
    """The export's file ``name`` when it holds data: in an export, an empty file or one of its header alone (a
    sensor turned on that logged nothing) leaves the export's next choice to read, as an empty table of its SQLite
    export does; a single file of its header alone is read, to be told so."""
    found = bundle.find(name)
    if found is None or bundle.size(found) == 0:
        return None
    small = bundle.kind != "file" and bundle.size(found) <= _HEADER_ONLY_BYTES
    if small and len(bundle.head(found).strip().splitlines()) < 2:
        return None
    return found


_HEADER_ONLY_BYTES: Final = 1024
"""Files this small are looked into for a data row (Sensor Logger's headers are under 200 bytes)."""


class _AxesReader:
    """Reads axis files once each, the ones certainly needed two at a time (zlib and pandas' tokenizer release
    the GIL, so the accelerometer and gyroscope files of a long export parse in parallel)."""

    def __init__(self, bundle: Bundle) -> None:
        self.bundle = bundle
        self._done: dict[str, _Axes] = {}
        self.roles: dict[str, str] = {}  # axis file name -> the file playing it (a renamed single file)

    def pick(self, name: str) -> str | None:
        """The stored file that is the export's ``name`` (by its name, or by its role), when it holds data."""
        if name in self.roles:
            return self.roles[name]
        return _pick(self.bundle, name)

    def prefetch(self, names: list[str]) -> None:
        todo = [n for n in dict.fromkeys(names) if n not in self._done]
        if len(todo) < 2:
            return
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {n: pool.submit(_read_axes, self.bundle, n) for n in todo}
            for name, future in futures.items():
                self._done[name] = future.result()

    def read_files(self) -> list[_Axes]:
        """The axis files read so far."""
        return list(self._done.values())

    def get(self, name: str) -> _Axes:
        if name not in self._done:
            self._done[name] = _read_axes(self.bundle, name)
        return self._done[name]


def _gravity_inclusive(
    reader: _AxesReader, platform: str, standardised: bool, *, foot: bool, notes: list[str]
) -> tuple[_Axes, str, str]:
    """Choose and build gravity-inclusive acceleration in m/s^2, Android sign; returns axes, origin, sign note.

    Accelerometer + Gravity without Metadata.csv (which says the platform, so the sign) read with Android's sign
    and a note: the core finds the vertical from the data, so negating the whole vector changes no step, cadence or
    stride length; a foot recording is refused, since its zero-velocity integration needs acceleration and
    gyroscope in one convention."""
    bundle = reader.bundle
    total = reader.pick("TotalAcceleration.csv")
    if total is not None:
        axes = reader.get(total)
        scale = acc_unit_scale(infer_acc_unit(axes.xyz))
        return _Axes(axes.time_s, axes.xyz * scale, axes.epoch), "TotalAcceleration.csv", "android"

    uncal_name = reader.pick("AccelerometerUncalibrated.csv")
    uncal = reader.get(uncal_name) if uncal_name else None
    uncal_unit = infer_acc_unit(uncal.xyz) if uncal is not None else None
    if platform not in ("ios", "android") and uncal_unit == "g":
        platform = "ios"  # only iOS writes this file in g
    negate = platform == "ios" and not standardised

    lin, grav = reader.pick("Accelerometer.csv"), reader.pick("Gravity.csv")
    sign_unknown = platform not in ("ios", "android") and uncal is None
    if lin is not None and grav is not None and (platform in ("ios", "android") or (sign_unknown and not foot)):
        a, g = reader.get(lin), reader.get(grav)
        inside = (a.time_s >= g.time_s[0]) & (a.time_s <= g.time_s[-1])
        if inside.sum() >= 2:
            t = a.time_s[inside]
            total_ms2 = a.xyz[inside] + interp_onto(g.time_s, g.xyz, t)
            sign = -1.0 if negate else 1.0
            if sign_unknown:
                notes.append(
                    f"{bundle.label}: Metadata.csv is missing, so iOS cannot be told from Android (their signs "
                    "differ); read with Android's sign, which changes no step, cadence or stride length here (the "
                    "vertical is found from the data); a foot recording needs Metadata.csv from the original export"
                )
            return _Axes(t, sign * total_ms2, a.epoch), "Accelerometer.csv+Gravity.csv", _sign_note(negate)

    if uncal is not None:
        xyz = uncal.xyz * acc_unit_scale(uncal_unit or "ms2")
        origin = "AccelerometerUncalibrated.csv"  # its role: a renamed single file is named in a note
        return _Axes(uncal.time_s, -xyz if negate else xyz, uncal.epoch), origin, _sign_note(negate)

    if lin is not None and grav is not None:
        raise IngestError(
            f"{bundle.label}: Metadata.csv is missing, so iOS cannot be told from Android (their signs differ), and a "
            "foot recording's stride length needs the acceleration's sign to match the gyroscope's; include "
            "Metadata.csv from the original export",
            reason="unknown_platform",
        )
    if bundle.kind == "file":
        raise IngestError(_part_message(bundle), reason="gravity_missing")
    without = " (Accelerometer.csv is without gravity)" if lin is not None else ""
    # a sensor turned on that logged nothing: its file is there, without samples (not a setting to change)
    files = ("TotalAcceleration.csv", "AccelerometerUncalibrated.csv", "Gravity.csv")
    logged = [n for n in files if bundle.find(n) is not None and _pick(bundle, n) is None]
    if logged:
        without += f" ({' and '.join(logged)} {'holds' if len(logged) == 1 else 'hold'} no samples)"
    raise IngestError(
        f"{bundle.label}: this Sensor Logger export has no acceleration including gravity{without}; in Sensor Logger "
        "enable 'Total Acceleration' (Android) or 'Gravity' / 'Accelerometer Uncalibrated' (iOS) and record again",
        reason="gravity_missing",
    )


def _part_message(bundle: Bundle) -> str:
    """What one axis file of an export without gravity in it is told (a Sensor Logger export is never one such
    file): the export's folder, or the file of it that holds gravity, when the folder beside it says which;
    otherwise (an uploaded file, or one copied out of its folder) the files that may."""
    siblings = bundle.siblings()
    beside = [n for n in ("TotalAcceleration.csv", "AccelerometerUncalibrated.csv") if n in siblings]
    in_export = bool(beside) or "Metadata.csv" in siblings
    folder = bundle.folder_name() if in_export else ""
    if beside:
        other = f", or {beside[0]} on its own"
    elif in_export:
        other = ""  # the folder has no file with gravity either: the folder's own message says what to do
    else:
        other = ", or its TotalAcceleration.csv (Android) or AccelerometerUncalibrated.csv (iOS) on its own"
    return (
        f"{bundle.label}: this file is one part of a Sensor Logger export and holds no acceleration including "
        f"gravity on its own; analyse the export's folder{folder} (or upload it zipped){other}"
    )


def _sign_note(negated: bool) -> str:
    return "ios_negated" if negated else "android"


def _read_location(bundle: Bundle, t0: float, epoch: bool) -> GpsTrack | None:
    name = _pick(bundle, "Location.csv")
    if name is None:
        return None
    data = bundle.read(name)
    dialect, fields = read_header(data, what=name)
    tname = "time" if epoch else "seconds_elapsed"
    if not {tname, "latitude", "longitude"} <= set(fields):
        raise IngestError(
            f"{name}: missing time, latitude or longitude column; export the recording again unedited",
            reason="missing_columns",
        )
    wanted = [tname, "latitude", "longitude", "horizontalaccuracy", "speed"]
    present = [c for c in wanted if c in fields]
    arr = read_numeric(data, what=name, dialect=dialect, skiprows=1, usecols=[fields.index(c) for c in present])
    col = {c: arr[:, i] for i, c in enumerate(present)}
    time_s = col[tname] * (1e-9 if epoch else 1.0) - t0
    return build_gps(time_s, col["latitude"], col["longitude"], col.get("horizontalaccuracy"), col.get("speed"))


def _take_role(reader: _AxesReader, name: str, notes: list[str]) -> None:
    """Say which axis file a single file headed as Sensor Logger's but named otherwise is, from its data: gravity
    in m/s^2 is Total Acceleration (Android), in g iOS's Accelerometer Uncalibrated; without gravity it plays no
    role, and the export's gravity-free refusal follows."""
    axes = reader.get(name)
    rate_hz = median_rate_hz(axes.time_s) or 100.0
    unit = infer_acc_unit(axes.xyz, rate_hz)
    if unit == "g":
        role = "AccelerometerUncalibrated.csv"
    elif unit == "ms2" and gravity_present(axes.xyz, rate_hz):
        role = "TotalAcceleration.csv"
    else:
        return
    reader.roles[role] = name
    notes.append(f"{name}: read as Sensor Logger's {role} (the app's own header; gravity in {unit_text(unit)})")


def unit_text(unit: str) -> str:
    """How a message writes an acceleration unit code (``"ms2"`` -> ``"m/s^2"``)."""
    return {"ms2": "m/s^2", "g": "g", "mg": "mg"}[unit]


def _watch_file(bundle: Bundle) -> str | None:
    """The Apple Watch motion file of the bundle: ``WristMotion.csv``, or a single file with its header."""
    if bundle.kind == "file":
        fields = _header_fields(bundle, bundle.names[0])
        return bundle.names[0] if fields is not None and _is_watch_header(fields) else None
    name = _pick(bundle, WATCH_FILE)
    fields = _header_fields(bundle, name) if name is not None else None
    return name if fields is not None and _is_watch_header(fields) else None


def _read_watch(bundle: Bundle, name: str, meta: dict[str, str], *, placement: Placement | str | None) -> Recording:
    """Read Sensor Logger's Apple Watch file as a wrist recording: user acceleration + gravity, the gyroscope.

    Units: m/s^2 when Metadata.csv says standardised, else g (Core Motion's); without Metadata.csv, the unit the
    gravity columns' size gives (1 g or 9.8 m/s^2). Sign: Apple's (negated to Android's) unless standardised (Sensor
    Logger's standardisation also turns the frame to Android's). When the acceleration columns already hold
    gravity, they are read alone (adding gravity twice would double it)."""
    data = bundle.read(name)
    dialect, fields = read_header(data, what=name)
    epoch = "time" in fields
    wanted = ["time" if epoch else "seconds_elapsed", *_WATCH_ACC, *_WATCH_GRAVITY]
    has_gyro = set(_WATCH_GYRO) <= set(fields)
    wanted += list(_WATCH_GYRO) if has_gyro else []
    arr = read_numeric(
        data, what=name, dialect=dialect, skiprows=1, usecols=[fields.index(c) for c in wanted], n_fields=len(fields)
    )
    notes: list[str] = []
    time_s, values = order_samples(
        arr[:, 0] * (1e-9 if epoch else 1.0), arr[:, 1:], what=name, line_of=line_numbers(data, skiprows=1), notes=notes
    )
    user, gravity = values[:, 0:3], values[:, 3:6]
    rate_hz = median_rate_hz(time_s) or 100.0
    said = meta.get("standardisation", "").lower()
    unit = infer_acc_unit(gravity, rate_hz)
    standardised = said == "true" or (said == "" and unit == "ms2")
    if said:
        unit = "ms2" if standardised else "g"
    _, user_gravity = acceleration_magnitudes(user, rate_hz)
    _, gravity_size = acceleration_magnitudes(gravity, rate_hz)
    if user_gravity > 0.5 * gravity_size:
        total, how = user, "its acceleration columns (they already hold gravity)"
    else:
        total, how = user + gravity, "acceleration + gravity"
    acc_ms2 = total * acc_unit_scale(unit) * (1.0 if standardised else -1.0)
    gyr_dps, gyr_unit = (None, None)
    if has_gyro:
        gyr_dps, gyr_unit = assumed_gyroscope_dps(time_s, acc_ms2, values[:, 6:9], "rad", what=name, notes=notes)
    t0 = float(time_s[0]) if len(time_s) else 0.0
    notes.insert(
        0,
        f"{name}: an Apple Watch recording (Sensor Logger's Wrist Motion): read as a wrist recording from {how}, in "
        f"{unit_text(unit)}" + ("" if standardised else " with Apple's sign"),
    )
    source: dict[str, Any] = {
        "format": INFO.name,
        "app": "Sensor Logger",
        "app_version": meta.get("appVersion"),
        "platform": meta.get("platform", "").lower() or None,
        "device": "Apple Watch",
        "metadata_version": meta.get("version"),
        "file": bundle.label,
        "acc_source": name,
        "sign_convention": "android" if standardised else "ios_negated",
        "units": f"{unit_text(unit)} (user acceleration + gravity)"
        + ("; gyroscope converted from rad/s" if gyr_unit == "rad" else "; gyroscope in deg/s" if has_gyro else ""),
        "start_epoch_s": t0 if epoch else None,
        "notes": notes,
    }
    gps = _read_location(bundle, t0, epoch) if bundle.kind != "file" else None
    return build_recording(
        time_s - t0,
        acc_ms2,
        gyr_dps,
        what=bundle.label,
        source=source,
        gps=gps,
        placement=placement or Placement.WRIST,  # the watch is on the wrist unless the walker says otherwise
    )


def read(bundle: Bundle, *, placement: Placement | str | None = None) -> Recording:
    """Read a Sensor Logger export (zip, folder or a single axis CSV).

    Parameters
    ----------
    bundle
        The export's files.
    placement
        Where the phone was carried, stored on the recording.

    Raises
    ------
    IngestError
        When no gravity-inclusive acceleration can be built or a file is malformed.
    """
    meta = read_metadata(bundle)
    platform = meta.get("platform", "").lower()
    standardised = meta.get("standardisation", "").lower() == "true"
    reader = _AxesReader(bundle)
    notes: list[str] = []
    watch = _watch_file(bundle)
    phone_files = ("TotalAcceleration.csv", "AccelerometerUncalibrated.csv", "Accelerometer.csv")
    if watch is not None:
        if bundle.kind == "file" or not any(_pick(bundle, n) for n in phone_files):
            return _read_watch(bundle, watch, meta, placement=placement)
        notes.append(
            f"{watch} (the Apple Watch's motion) was not used: the phone's acceleration was analysed; to analyse the "
            f"watch's, load {watch} on its own"
        )
    if bundle.kind == "file" and bundle.names[0] not in AXIS_FILES:
        _take_role(reader, bundle.names[0], notes)
    gyr_name = reader.pick("Gyroscope.csv") or reader.pick("GyroscopeUncalibrated.csv")
    total = reader.pick("TotalAcceleration.csv")
    reader.prefetch([n for n in (total or reader.pick("AccelerometerUncalibrated.csv"), gyr_name) if n])
    foot = parse_placement(placement) is Placement.FOOT
    acc, acc_origin, sign = _gravity_inclusive(reader, platform, standardised, foot=foot, notes=notes)

    gyr_dps, gyr_unit = None, None
    time_s, acc_ms2 = acc.time_s, acc.xyz
    if gyr_name is not None:
        gyr = reader.get(gyr_name)
        if gyr.epoch != acc.epoch:
            notes.append(f"{gyr_name} has no 'time' column like the accelerometer's and was ignored")
        else:
            time_s, acc_ms2, gyr_raw = align_gyroscope(time_s, acc_ms2, gyr.time_s, gyr.xyz)
            if gyr_raw is None:
                notes.append(f"{gyr_name} covers too little of the recording and was ignored")
            else:
                gyr_dps, gyr_unit = assumed_gyroscope_dps(time_s, acc_ms2, gyr_raw, "rad", what=gyr_name, notes=notes)

    notes += [note for axes in reader.read_files() for note in axes.notes]
    t0 = float(time_s[0]) if len(time_s) else 0.0
    gps = _read_location(bundle, t0, acc.epoch)
    source: dict[str, Any] = {
        "format": INFO.name,
        "app": "Sensor Logger",
        "app_version": meta.get("appVersion"),
        "platform": platform or None,
        "device": meta.get("device name"),
        "metadata_version": meta.get("version"),
        "requested_rate_ms": meta.get("sampleRateMs"),
        "file": bundle.label,
        "acc_source": acc_origin,
        "sign_convention": sign,
        "units": "m/s^2 with gravity"
        + {"rad": "; gyroscope converted from rad/s", "deg": "; gyroscope in deg/s"}.get(gyr_unit or "", ""),
        "start_epoch_s": t0 if acc.epoch else None,
    }
    if notes:
        source["notes"] = notes
    return build_recording(
        time_s - t0, acc_ms2, gyr_dps, what=bundle.label, source=source, gps=gps, placement=placement
    )


__all__ = ["INFO", "looks_like", "read", "read_metadata"]
