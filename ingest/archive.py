"""Safe access to the files of an export: a zip, a folder, a single (optionally gzipped) file, or the sheets of an
Office workbook (.xlsx, phyphox's default export) as CSV files.

Zip safety lives here and nowhere else: member count, total size and compression-ratio limits (zip bombs),
path-traversal names, truncated or corrupt archives, encrypted members. Every problem becomes an
:class:`~ingest.errors.IngestError` that says what is wrong and what to do.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any, Final

from ingest.errors import IngestError

MAX_MEMBERS: Final = 20_000
"""An export holds one file per sensor (Health exports add one per workout route); more is not an export."""

MAX_TOTAL_BYTES: Final = 2 * 1024**3
"""Uncompressed size limit of one export (about 10 h of every Sensor Logger sensor at 100 Hz)."""

MAX_FILE_BYTES: Final = 1024**3
"""Uncompressed size limit of one file inside an export, and of a gzipped single file."""

MAX_RATIO: Final = 100.0
"""Compression ratio above which a member is treated as a zip bomb (sensor CSV compresses 3-6x)."""

STREAMED_NAMES: Final = ("export.xml", "export_cda.xml")
"""Members parsed as a stream, never read whole (Apple Health)."""

STREAMED_MAX_BYTES: Final = 64 * 1024**3
"""Size limit of a streamed member."""

RATIO_CHECK_MIN_BYTES: Final = 1024**2
"""Ratios are only checked on members larger than this: tiny or empty files legitimately compress far."""

#: What zipfile raises for damaged archives (unsupported "versions" and methods are damage in practice).
_ZIP_ERRORS: Final = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    KeyError,
)

#: File names that are never data: macOS resource forks and folder metadata.
_JUNK_PREFIXES: Final = ("__MACOSX/", ".")
_JUNK_NAMES: Final = (".DS_Store", "Thumbs.db", "desktop.ini")


@dataclass(frozen=True)
class TablePlace:
    """Where a CSV table made in memory (see :func:`tables_bundle`) lies in the file the user has, for messages.

    Attributes
    ----------
    where
        The table as the user knows it: ``"sheet 'Raw Data' of walk.xlsx"``, ``"the Accelerometer records of
        walk.json"``.
    line
        A line number of the table (1-based, its header line 1) as the user finds it in that file (``"row 502"``,
        ``"record 1203"``), or None where it has none.
    """

    where: str
    line: Callable[[int], str | None]


@dataclass(frozen=True)
class Bundle:
    """The files of one export, by relative POSIX name, readable as bytes.

    Attributes
    ----------
    label
        The export's name for messages (the zip or folder name).
    kind
        ``"zip"``, ``"folder"``, ``"file"`` or ``"tables"`` (CSV files made in memory: each sheet of an .xlsx, each
        sensor's records of a JSON export; see :func:`tables_bundle`).
    names
        Relative names of the data files, with one common top-level folder stripped.
    """

    label: str
    kind: str
    names: tuple[str, ...]
    sizes: tuple[int, ...]
    _root: Path
    _prefix: str = ""
    _tables: Mapping[str, bytes] = field(default_factory=dict, hash=False, compare=False)
    _places: Mapping[str, TablePlace] = field(default_factory=dict, hash=False, compare=False)

    def rephrase(self, text: str) -> str:
        """``text`` (a message or note of a reader) naming the tables of a workbook or JSON export as the user finds
        them (:class:`TablePlace`): ``"walk.xlsx/Raw Data.csv: ... on line 502"`` becomes ``"sheet 'Raw Data' of
        walk.xlsx: ... on row 502"``; the user has no such CSV file. Text naming no such table is returned as it is.
        """
        for name, place in self._places.items():
            named = re.compile(rf"{re.escape(self.label)}/{re.escape(name)}|(?<![\w/]){re.escape(name)}")
            if not named.search(text):
                continue
            text = named.sub(lambda _, where=place.where: where, text)
            text = re.sub(r"\bline (\d+)\b", lambda m, at=place.line: at(int(m[1])) or m[0], text)
        return text

    def read(self, name: str) -> bytes:
        """Return the bytes of ``name`` (one of :attr:`names`), at most :data:`MAX_FILE_BYTES`."""
        if name not in self.names:
            raise IngestError(f"{self.label}: no file {name!r} in this export", reason="missing_file")
        if self.kind == "tables":
            return self._tables[name]
        if self.kind == "zip" and self.size(name) > MAX_FILE_BYTES:
            raise IngestError(
                f"{self.label}: {name} expands to {self.size(name) / 1e6:.0f} MB, more than the "
                f"{MAX_FILE_BYTES / 1e6:.0f} MB one file may hold; split the recording",
                reason="too_large",
            )
        if self.kind == "zip":
            return _read_zip_member(self._root, self._prefix + name, self.label)
        path = self._root / name if self.kind == "folder" else self._root
        return read_file_bytes(path)

    def head(self, name: str, n_bytes: int = 8192) -> bytes:
        """Return at most the first ``n_bytes`` of ``name`` without reading the rest (for format detection)."""
        if name not in self.names:
            raise IngestError(f"{self.label}: no file {name!r} in this export", reason="missing_file")
        if self.kind == "tables":
            return self._tables[name][:n_bytes]
        if self.kind == "zip":
            return _read_zip_member(self._root, self._prefix + name, self.label, n_bytes)
        path = self._root / name if self.kind == "folder" else self._root
        return read_file_bytes(path, n_bytes)

    @contextmanager
    def stream(self, name: str) -> Iterator[IO[bytes]]:
        """Open ``name`` as a binary stream (decompressed on the fly), for parsers that must not load it whole."""
        if name not in self.names:
            raise IngestError(f"{self.label}: no file {name!r} in this export", reason="missing_file")
        try:
            if self.kind == "tables":
                yield io.BytesIO(self._tables[name])
            elif self.kind == "zip":
                with zipfile.ZipFile(self._root) as zf, zf.open(self._prefix + name) as fh:
                    yield fh
            else:
                path = self._root / name if self.kind == "folder" else self._root
                opener = gzip.open if _is_gzip(path) else open
                with opener(path, "rb") as fh:
                    yield fh
        except IngestError:
            raise  # the consumer's own verdict, not damage (IngestError is a ValueError)
        except (*_ZIP_ERRORS, gzip.BadGzipFile) as exc:
            raise IngestError(
                f"{self.label}: {name} is damaged ({exc}); the file is probably truncated: copy it again",
                reason="bad_zip",
            ) from None

    def member(self, name: str) -> Member:
        """``name`` (one of :attr:`names`) as a :class:`Member`, to read as a stream rather than as bytes."""
        if name not in self.names:
            raise IngestError(f"{self.label}: no file {name!r} in this export", reason="missing_file")
        return Member(self, name)

    def size(self, name: str) -> int:
        """Uncompressed size of ``name`` in bytes (0 for an empty file)."""
        return self.sizes[self.names.index(name)]

    def sub(self, folder: str) -> Bundle:
        """The bundle of the files below ``folder`` (a relative POSIX path), named relative to it."""
        pre = folder.rstrip("/") + "/"
        kept = [(n[len(pre) :], size) for n, size in zip(self.names, self.sizes, strict=True) if n.startswith(pre)]
        root = self._root / folder if self.kind == "folder" else self._root
        return Bundle(
            label=f"{self.label}/{folder}",
            kind=self.kind,
            names=tuple(n for n, _ in kept),
            sizes=tuple(size for _, size in kept),
            _root=root,
            _prefix=self._prefix + pre if self.kind == "zip" else "",
            _tables={n[len(pre) :]: data for n, data in self._tables.items() if n.startswith(pre)},
            _places={n[len(pre) :]: place for n, place in self._places.items() if n.startswith(pre)},
        )

    def siblings(self) -> list[str]:
        """Names of the other files in the folder of a single file (sorted; empty for a zip or folder bundle, or
        when the folder cannot be listed)."""
        if self.kind != "file":
            return []
        try:
            return sorted(p.name for p in self._root.parent.iterdir() if p.is_file() and p != self._root)
        except OSError:
            return []

    def folder_name(self) -> str:
        """`` (<folder>)``, the folder a single file sits in, for messages; empty for a zip or folder bundle."""
        return f" ({self._root.parent.name})" if self.kind == "file" and self._root.parent.name else ""

    def find(self, name: str) -> str | None:
        """Return the stored name matching ``name`` case-insensitively, or None."""
        low = name.lower()
        for stored in self.names:
            if stored.lower() == low:
                return stored
        return None


@dataclass(frozen=True)
class Member:
    """One file of a :class:`Bundle`, for readers that parse it as a stream: a day at 100 Hz is 600 MB of text,
    which :meth:`Bundle.read` would hold whole beside the samples parsed from it.

    The limits of :meth:`Bundle.read` hold for the stream too: past them, reading it raises the same error.
    """

    bundle: Bundle
    name: str

    def head(self, n_bytes: int = 64 * 1024) -> bytes:
        """The first ``n_bytes`` (see :meth:`Bundle.head`)."""
        return self.bundle.head(self.name, n_bytes)

    def read(self) -> bytes:
        """The whole file (see :meth:`Bundle.read`): for the error paths, which name the line at fault."""
        return self.bundle.read(self.name)

    @contextmanager
    def stream(self) -> Iterator[IO[bytes]]:
        """The file as a binary stream, decompressed on the fly (see :meth:`Bundle.stream`), at most
        :data:`MAX_FILE_BYTES`."""
        if self.bundle.size(self.name) > MAX_FILE_BYTES:
            self.read()  # raises, saying the file is too large
        with self.bundle.stream(self.name) as fh:
            yield _Capped(fh, MAX_FILE_BYTES, self.read)


class _Capped(io.RawIOBase):
    """A binary stream that stops with ``too_much()`` (which raises) once more than ``limit`` bytes were read: a
    gzipped file's size is known only by decompressing it."""

    def __init__(self, raw: IO[bytes], limit: int, too_much: Callable[[], object]) -> None:
        self._raw, self._left, self._too_much = raw, limit, too_much

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        self._left -= len(data)
        if self._left < 0:
            self._too_much()
            raise IngestError("the file grew while it was read; copy it again", reason="too_large")
        buffer[: len(data)] = data
        return len(data)


def _is_junk(name: str) -> bool:
    base = posixpath.basename(name)
    return base in _JUNK_NAMES or any(part.startswith(_JUNK_PREFIXES) for part in name.split("/") if part)


def _check_member_name(name: str, label: str) -> None:
    """Refuse absolute names, drive letters and ``..`` components (zip slip), even though we never extract."""
    norm = name.replace("\\", "/")
    parts = norm.split("/")
    if norm.startswith("/") or (len(norm) > 1 and norm[1] == ":") or ".." in parts or "\x00" in norm:
        raise IngestError(
            f"{label}: the zip holds an unsafe file name {name!r} (absolute path or '..'); this is not a sensor "
            "export as an app writes it: re-export the recording from the app",
            reason="unsafe_zip",
        )


def _strip_common_folder(names: list[str]) -> tuple[list[str], str]:
    """Strip one top folder shared by every name (zips made by 'compress folder' nest the files)."""
    if not names:
        return names, ""
    firsts = {n.split("/", 1)[0] for n in names}
    if len(firsts) == 1 and all("/" in n for n in names):
        prefix = next(iter(firsts)) + "/"
        return [n[len(prefix) :] for n in names], prefix
    return names, ""


def open_zip(path: Path) -> Bundle:
    """Open a zip export after checking it against bombs, traversal names and truncation.

    Apple Health's ``export.xml`` is only ever parsed as a stream, so it may exceed the per-file limit (real ones
    run to several GB) and does not count towards the total; the ratio limit still applies to it.
    """
    label = path.name
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except _ZIP_ERRORS as exc:
        raise IngestError(
            f"{label}: not a readable zip file ({exc}); the download or copy may be incomplete: copy the "
            "export from the phone again",
            reason="bad_zip",
        ) from None
    if len(infos) > MAX_MEMBERS:
        raise IngestError(
            f"{label}: the zip holds {len(infos)} files, more than the {MAX_MEMBERS} a sensor export has; "
            "analyse or upload one recording at a time",
            reason="zip_too_many_files",
        )
    total = 0
    names: list[str] = []
    sizes: list[int] = []
    for info in infos:
        _check_member_name(info.filename, label)
        if info.is_dir() or _is_junk(info.filename):
            continue
        if info.flag_bits & 0x1:
            raise IngestError(
                f"{label}: {info.filename} is encrypted; export the recording again without a password",
                reason="zip_encrypted",
            )
        streamed = posixpath.basename(info.filename).lower() in STREAMED_NAMES
        max_file_bytes = STREAMED_MAX_BYTES if streamed else MAX_FILE_BYTES
        total += 0 if streamed else info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if (
            info.file_size > max_file_bytes
            or total > MAX_TOTAL_BYTES
            or (info.file_size > RATIO_CHECK_MIN_BYTES and ratio > MAX_RATIO)
        ):
            raise IngestError(
                f"{label}: refusing to unpack {info.filename}: it expands to {info.file_size / 1e6:.0f} MB "
                f"(ratio {ratio:.0f}:1, archive total {total / 1e6:.0f} MB); limits are "
                f"{max_file_bytes / 1e6:.0f} MB per file, {MAX_TOTAL_BYTES / 1e6:.0f} MB in all and a ratio of "
                f"{MAX_RATIO:.0f}:1. Split long recordings, or upload the folder instead",
                reason="zip_bomb",
            )
        names.append(info.filename)
        sizes.append(info.file_size)
    stripped, prefix = _strip_common_folder(names)
    return Bundle(label=label, kind="zip", names=tuple(stripped), sizes=tuple(sizes), _root=path, _prefix=prefix)


def _read_zip_member(path: Path, member: str, label: str, n_bytes: int | None = None) -> bytes:
    try:
        with zipfile.ZipFile(path) as zf, zf.open(member) as fh:
            # ZipExtFile stops at the declared size, so a lying header cannot make this read unbounded.
            return fh.read(MAX_FILE_BYTES + 1 if n_bytes is None else n_bytes)
    except _ZIP_ERRORS as exc:
        raise IngestError(
            f"{label}: {member} is damaged inside the zip ({exc}); the file is probably truncated: copy the "
            "export from the phone again",
            reason="bad_zip",
        ) from None


def open_folder(path: Path) -> Bundle:
    """List the files of an export folder (recursively, at most :data:`MAX_MEMBERS`).

    Raises
    ------
    PermissionError
        When the folder or one inside it may not be read.
    """
    names: list[str] = []
    sizes: list[int] = []
    seen = {path.resolve()}
    # links to folders are followed (a folder of links to recordings); each real folder is listed once, so a link
    # back to an ancestor ends there
    for dirpath, dirnames, filenames in os.walk(path, followlinks=True, onerror=_raise_unreadable):
        dirnames[:] = [d for d in sorted(dirnames) if not d.startswith(".") and _first_visit(Path(dirpath, d), seen)]
        rel_dir = Path(dirpath).relative_to(path).as_posix()
        for fname in sorted(filenames):
            rel = fname if rel_dir == "." else f"{rel_dir}/{fname}"
            if _is_junk(rel):
                continue
            try:
                size = (Path(dirpath) / fname).stat().st_size
            except OSError:
                continue  # a dangling link or a file gone or unreadable meanwhile: not part of an export to read
            names.append(rel)
            sizes.append(size)
            if len(names) > MAX_MEMBERS:
                raise IngestError(
                    f"{path.name}: the folder holds more than {MAX_MEMBERS} files; point at one recording's folder",
                    reason="too_many_files",
                )
    return Bundle(label=path.name, kind="folder", names=tuple(names), sizes=tuple(sizes), _root=path)


def _raise_unreadable(exc: OSError) -> None:
    """``os.walk``'s error handler: a folder the user may not read is said (not taken for an empty one)."""
    if isinstance(exc, PermissionError):
        raise exc


def _first_visit(folder: Path, seen: set[Path]) -> bool:
    """Whether ``folder`` (resolved through its links) is not yet in ``seen``; adds it."""
    try:
        real = folder.resolve()
    except OSError:
        return False
    if real in seen:
        return False
    seen.add(real)
    return True


def open_single(path: Path) -> Bundle:
    """Wrap one file (a CSV, a gzipped CSV or an XML) as a bundle of one."""
    return Bundle(label=path.name, kind="file", names=(path.name,), sizes=(path.stat().st_size,), _root=path)


WORKBOOK_PARTS: Final = ("[Content_Types].xml", "xl/workbook.xml")
"""The parts every Office Open XML workbook (.xlsx) has: a zip holding both is a workbook, whatever it is called."""


def is_workbook(bundle: Bundle) -> bool:
    """Whether ``bundle`` (as :func:`open_bundle` opened it) is an Office workbook (.xlsx)."""
    return bundle.kind == "zip" and all(bundle.find(part) is not None for part in WORKBOOK_PARTS)


def open_workbook(path: Path, sheet_file: Callable[[str], str] = lambda sheet: f"{sheet}.csv") -> Bundle:
    """The sheets of the Office workbook at ``path`` (.xlsx) as a bundle of CSV files, one per sheet, named by
    ``sheet_file`` (a sheet's title to a file name, e.g. phyphox's "Metadata Time" to ``meta/time.csv``).

    Each cell is written as read: numbers at full precision, dates in ISO 8601, empty cells empty; an empty sheet
    is an empty file. openpyxl reads the workbook (row by row, as it streams); the zip's limits were checked by
    :func:`open_bundle` first (an .xlsx is a zip).

    Raises
    ------
    IngestError
        When the workbook is damaged or is not a workbook openpyxl reads (an encrypted or a macro workbook).
    """
    import openpyxl  # imported here: only a workbook needs it, and it takes a while to import

    label = path.name
    sheets: dict[str, bytes] = {}
    places: dict[str, TablePlace] = {}
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                text = io.StringIO()
                writer = csv.writer(text, lineterminator="\n")
                for row in sheet.iter_rows(values_only=True):
                    writer.writerow([_cell_text(v) for v in row])
                sheets[sheet_file(sheet.title)] = text.getvalue().encode("utf-8")
                places[sheet_file(sheet.title)] = TablePlace(f"sheet {sheet.title!r} of {label}", _row)
        finally:
            book.close()
    except IngestError:
        raise
    except Exception as exc:
        raise IngestError(
            f"{label}: this Office workbook cannot be read ({exc}); open it in a spreadsheet and save the sheet with "
            "the samples as CSV, or export the recording from the app as CSV",
            reason="bad_workbook",
        ) from None
    return tables_bundle(label, sheets, places)


def _row(line: int) -> str:
    """A line of a sheet's CSV as the sheet's row: one line per row, both counted from 1."""
    return f"row {line}"


def tables_bundle(
    label: str,
    tables: Mapping[str, bytes],
    places: Mapping[str, TablePlace] | None = None,
    *,
    sizes: Mapping[str, int] | None = None,
) -> Bundle:
    """A bundle of the CSV ``tables`` (name -> bytes) made in memory from one export file (a workbook's sheets, a JSON
    export's records), ``label`` (that file's name) naming it in messages and ``places`` each table as the user finds
    it in that file (see :meth:`Bundle.rephrase`). ``sizes`` stand in for the tables' lengths when ``tables`` makes
    each when it is read (a SQLite export's): 0 for an empty table, as readers ask only that of a size."""
    names = tuple(tables)
    return Bundle(
        label=label,
        kind="tables",
        names=names,
        sizes=tuple(sizes[n] if sizes is not None else len(tables[n]) for n in names),
        _root=Path(label),
        _tables=tables if sizes is not None else dict(tables),  # a mapping that makes its tables, kept as it is
        _places=dict(places or {}),
    )


def _cell_text(value: object) -> str:
    """A workbook cell as a CSV cell: a float in full (repr: it reads back the same), a date in ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _is_gzip(path: Path) -> bool:
    """Gzip by content (uploads arrive under any name), not by suffix."""
    with path.open("rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def read_file_bytes(path: Path, n_bytes: int | None = None) -> bytes:
    """Read a file (or its first ``n_bytes``), gunzipping ``.gz`` files with the same size limit as zip members."""
    limit = MAX_FILE_BYTES + 1 if n_bytes is None else n_bytes
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES and n_bytes is None:
            raise IngestError(
                f"{path.name}: {size / 1e6:.0f} MB is more than the {MAX_FILE_BYTES / 1e6:.0f} MB one file may "
                "hold; split the recording",
                reason="too_large",
            )
        if _is_gzip(path):
            with gzip.open(path, "rb") as fh:
                data = fh.read(limit)
        else:
            with path.open("rb") as fh:
                data = fh.read(limit)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise IngestError(f"{path.name}: damaged gzip file ({exc}); copy it again", reason="bad_gzip") from None
    if len(data) > MAX_FILE_BYTES:
        raise IngestError(
            f"{path.name}: expands to more than {MAX_FILE_BYTES / 1e6:.0f} MB; refusing (possible gzip bomb)",
            reason="zip_bomb",
        )
    return data


def open_bundle(path: str | os.PathLike[str]) -> Bundle:
    """Open ``path`` as a bundle: a folder, a zip (by content, not name) or a single file.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    IngestError
        When the zip is unsafe or damaged, or ``path`` is a pipe or device (read more than once, it cannot be).
    """
    path = Path(path)
    if path.is_dir():
        return open_folder(path)
    if not path.exists():
        raise FileNotFoundError(2, "No such file or directory", str(path))
    if not path.is_file():
        # a pipe (`<(...)`, a FIFO) or a device is read more than once here (its head, then whole): the head read
        # first would be gone, or the read would wait for a writer for ever
        raise IngestError(
            f"{path}: is a pipe or device, not a file; save the recording to a file first and give that file",
            reason="not_a_file",
        )
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic[:2] == b"PK" or path.suffix.lower() == ".zip":
        return open_zip(path)
    return open_single(path)


__all__ = [
    "MAX_FILE_BYTES",
    "MAX_RATIO",
    "MAX_TOTAL_BYTES",
    "Bundle",
    "Member",
    "is_workbook",
    "open_bundle",
    "open_single",
    "open_workbook",
    "read_file_bytes",
    "tables_bundle",
]
