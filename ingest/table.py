"""Text-table plumbing shared by every CSV reader: decoding, dialect sniffing, header units, fast numeric reads.

Readers decide *which* columns they want by name; this module reads them with pandas' C engine (``usecols``,
``float64``), which is what keeps a one-hour 100 Hz export well under a second per file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from ingest.errors import IngestError

if TYPE_CHECKING:
    from ingest.archive import Member

_UNIT_RE: Final = re.compile(r"[\(\[]([^\)\]]*)[\)\]]")

ACC_UNITS: Final = {
    "m/s^2": "ms2",
    "m/s²": "ms2",
    "m/s2": "ms2",
    "ms^-2": "ms2",
    "m s^-2": "ms2",
    "m/s/s": "ms2",
    "ms2": "ms2",
    "g": "g",
    "mg": "mg",
}
GYR_UNITS: Final = {"rad/s": "rad", "deg/s": "deg", "°/s": "deg", "dps": "deg", "degrees/s": "deg"}
TIME_UNITS: Final = {"s": "s", "sec": "s", "seconds": "s", "ms": "ms", "us": "us", "µs": "us", "ns": "ns"}
TIME_SCALE_S: Final = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}


@dataclass(frozen=True)
class Dialect:
    """How a delimited text file is written.

    Attributes
    ----------
    sep
        Field separator: ``","``, ``";"`` or ``"\\t"``.
    decimal
        Decimal mark: ``"."`` or ``","`` (phyphox and European spreadsheet exports).
    """

    sep: str = ","
    decimal: str = "."


def head_lines(data: bytes, n: int, *, what: str) -> list[str]:
    """Decode the first ``n`` lines of ``data`` as UTF-8 (BOM tolerated), with clear errors for non-text input.

    Raises
    ------
    IngestError
        For empty input, UTF-16 text, binary data or bytes that are not UTF-8.
    """
    if not data[: 64 * 1024].strip() and not data.strip():  # whole-file strip only when the start is blank
        raise IngestError(f"{what}: the file is empty; export the recording again", reason="empty")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise IngestError(
            f"{what}: the file is UTF-16 text (as Excel's 'Unicode text' writes it); save it as 'CSV UTF-8' instead",
            reason="not_utf8",
        )
    kind = _not_a_recording(data)
    if kind:
        raise IngestError(
            f"{what}: this is {kind}, not a sensor recording; use the recording the sensor app exports (a CSV, or "
            "its own export file) instead",
            reason="binary",
        )
    head = data[: 64 * 1024]
    # NUL in the first line means binary or UTF-16 without BOM; GENEActiv pads later header values with NULs.
    if b"\x00" in head.split(b"\n", 1)[0]:
        raise IngestError(
            f"{what}: this is a binary file, not a CSV text export; export the recording from the sensor app as CSV "
            "(gait formats lists the apps and the files that are read) and load that",
            reason="binary",
        )
    pieces = re.split(rb"\r\n|\n|\r", head)
    if len(head) < len(data) and len(pieces) > 1:
        pieces = pieces[:-1]  # the last piece may end inside a line (or a multi-byte character)
    lines_b = pieces[:n]  # re-joined with \n below: only the line structure matters from here
    try:
        text = b"\n".join(lines_b).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"{what}: byte {exc.start} is not UTF-8 text ({exc.reason}); the file was damaged or re-saved in another "
            "encoding: save it as 'CSV UTF-8' or export it from the app again",
            reason="not_utf8",
        ) from None
    text = text.removeprefix("\ufeff")
    # \r\n (Windows), \n, and a bare \r (old Mac exports), which pandas also accepts as line ends.
    return re.split(r"\r\n|\n|\r", text)


_FILE_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (0, b"\xff\xd8\xff", "a JPEG image"),
    (0, b"GIF8", "a GIF image"),
    (0, b"%PDF-", "a PDF document"),
    (4, b"ftypheic", "a HEIC photo"),
    (4, b"ftypmif1", "a HEIF photo"),
    (4, b"ftyp", "a video or audio file"),
    (0, b"\xd0\xcf\x11\xe0", "an old Office document (.xls/.doc)"),
)
"""(offset, leading bytes, what the file is) of files people pick by mistake instead of a recording (a screenshot
of the app, the phone's photo of it, a spreadsheet saved in Excel's old format)."""


def _not_a_recording(data: bytes) -> str | None:
    """What a file is, when its first bytes say it is a common non-recording file (see :data:`_FILE_SIGNATURES`).

    >>> _not_a_recording(bytes.fromhex("89504e470d0a1a0a") + b"....")
    'a PNG image'
    >>> _not_a_recording(b"time_s,acc_x_ms2") is None
    True
    """
    for offset, magic, what in _FILE_SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            return what
    return None


def sniff_dialect(header: str, first_row: str | None) -> Dialect:
    """Guess separator and decimal mark from the header line and the first data line."""
    counts = {sep: _count_outside_quotes(header, sep) for sep in (",", ";", "\t")}
    sep = max(counts, key=lambda s: (counts[s], s == ","))
    decimal = "."
    if sep != "," and first_row is not None and re.search(r"\d,\d", first_row):
        decimal = ","
    return Dialect(sep=sep, decimal=decimal)


def _count_outside_quotes(line: str, sep: str) -> int:
    inside = False
    count = 0
    for ch in line:
        if ch == '"':
            inside = not inside
        elif ch == sep and not inside:
            count += 1
    return count


def split_fields(line: str, dialect: Dialect) -> list[str]:
    """Split one line into stripped fields, honouring double quotes."""
    try:
        row = next(csv.reader([line], delimiter=dialect.sep, quotechar='"'), [])
    except csv.Error as exc:
        raise IngestError(
            f"the header line cannot be split into columns ({exc}); the file is damaged: export it again",
            reason="malformed",
        ) from None
    return [field.strip() for field in row]


def read_header(data: bytes, *, what: str) -> tuple[Dialect, list[str]]:
    """Return the dialect and the normalised column names (see :func:`norm_name`) of a one-header-line file."""
    lines = head_lines(data, 2, what=what)
    dialect = sniff_dialect(lines[0], lines[1] if len(lines) > 1 else None)
    return dialect, [norm_name(f) for f in split_fields(lines[0], dialect)]


def unit_of(name: str) -> str | None:
    """Return the text inside the last parentheses or brackets of a column name (``"X (m/s^2)"`` -> ``"m/s^2"``)."""
    found = _UNIT_RE.findall(name)
    return found[-1].strip() if found else None


def norm_name(name: str) -> str:
    """Lower-case a column name and drop surrounding quotes and spaces."""
    return name.strip().strip('"').strip().lower()


def read_numeric(
    data: bytes,
    *,
    what: str,
    dialect: Dialect,
    skiprows: int,
    usecols: list[int],
    n_fields: int | None = None,
) -> np.ndarray:
    """Read the given columns of a delimited file as a float64 array of shape (rows, len(usecols)).

    Parameters
    ----------
    data
        The whole file.
    what
        File name for messages.
    dialect
        Separator and decimal mark.
    skiprows
        Lines before the first data row (header lines).
    usecols
        Zero-based column indices to return, in this order.
    n_fields
        Fields per row the header announces; when given, the first data row is checked against it so that a
        separator mix-up gets a clear message instead of shifted columns.
    """
    if n_fields is not None:
        _check_first_row(data, what=what, dialect=dialect, skiprows=skiprows, usecols=usecols, n_fields=n_fields)
    try:
        frame = pd.read_csv(io.BytesIO(data), **_numeric_options(dialect, skiprows, usecols))
    except pd.errors.EmptyDataError:
        raise IngestError(f"{what}: header only, no data rows; record for longer", reason="empty") from None
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"{what}: byte {exc.start} is not UTF-8 text; the file is damaged or was re-saved in another encoding: "
            "export it from the app again",
            reason="not_utf8",
        ) from None
    except pd.errors.ParserError as exc:
        raise IngestError(
            f"{what}: rows do not match the header ({str(exc).strip()}); the file is truncated or mixes separators: "
            "export it again",
            reason="malformed",
        ) from None
    except (ValueError, TypeError, OverflowError) as exc:
        cut = data.rfind(b"\n") + 1
        if 0 < cut < len(data) and data[cut:].strip():
            # Cut off mid-line where what is left is no number ("-", "1e"): read the complete rows and keep the
            # partial one as a row of NaN, as a cut after a digit reads, so it is dropped with the same note
            # (ingest.common). Any other bad field is still found and named by the read of the complete rows.
            arr = read_numeric(
                data[:cut], what=what, dialect=dialect, skiprows=skiprows, usecols=usecols, n_fields=n_fields
            )
            return np.vstack([arr, np.full((1, arr.shape[1]), np.nan)])
        found = _first_non_numeric(data, dialect=dialect, skiprows=skiprows, usecols=usecols)
        detail = (
            f"{found[1][:40]!r} on line {line_numbers(data, skiprows=skiprows)(found[0])}"
            if found is not None
            else _short(exc)
        )
        raise IngestError(
            f"{what}: a data column holds text where numbers are expected ({detail}); remove non-numeric rows "
            "or export again",
            reason="non_numeric",
        ) from None
    # usecols returns columns in file order; put them back in the caller's order.
    order = sorted(usecols)
    arr = frame.to_numpy(dtype=np.float64, copy=False)
    if len(arr) == 0:
        raise IngestError(f"{what}: header only, no data rows; record for longer", reason="empty")
    return arr[:, [order.index(c) for c in usecols]]


def _check_first_row(
    head: bytes, *, what: str, dialect: Dialect, skiprows: int, usecols: list[int], n_fields: int
) -> None:
    """Raise when the first data row has fewer fields than the header announces (a separator mix-up), so that it
    gets a clear message instead of shifted columns."""
    lines = head_lines(head, skiprows + 1, what=what)
    if len(lines) > skiprows and lines[skiprows].strip():
        row = lines[skiprows]
        header = lines[skiprows - 1] if skiprows else ""
        # A separator that the data uses but the header does not (a comma is fine as a decimal comma).
        foreign = [s for s in ";\t" if s != dialect.sep and s in row and s not in header]
        got = len(split_fields(row, dialect))
        if foreign or got < max(usecols) + 1 or (got != n_fields and got < n_fields):
            sep_name = {",": "comma", ";": "semicolon", "\t": "tab"}[dialect.sep]
            raise IngestError(
                f"{what}: the header has {n_fields} {sep_name}-separated columns but the first data row has {got}; "
                "header and data use different separators or the file was edited: re-export it unchanged",
                reason="wrong_separators",
            )


def _numeric_options(dialect: Dialect, skiprows: int, usecols: list[int]) -> dict[str, Any]:
    """pandas' ``read_csv`` options of :func:`read_numeric` and :func:`read_column_groups`."""
    return {
        "sep": dialect.sep,
        "decimal": dialect.decimal,
        "header": None,
        "skiprows": skiprows,
        "usecols": usecols,
        "dtype": np.float64,
        "engine": "c",
        "encoding": "utf-8",
        "skip_blank_lines": True,
        "quotechar": '"',
    }


def read_column_groups(
    source: bytes | Member,
    *,
    what: str,
    dialect: Dialect,
    skiprows: int,
    groups: Sequence[Sequence[int]],
    n_fields: int | None = None,
) -> list[np.ndarray]:
    """Read groups of columns of a delimited file, each as its own C-contiguous float64 array.

    The rows and the errors are those of :func:`read_numeric`; what differs is the memory taken. A file given as
    a :class:`~ingest.archive.Member` is parsed as a stream, so its text is never held whole, and each group is
    built from pandas' columns as the previous one's are let go, so the samples are not held twice: a day at
    100 Hz (600 MB of text) is read in about 1.5 times the memory of its samples.

    Parameters
    ----------
    source
        The whole file, or the file to stream.
    what, dialect, skiprows, n_fields
        As for :func:`read_numeric`.
    groups
        Zero-based column indices of each array to return: a group of one column gives shape (rows,), a group of
        k columns shape (rows, k).

    Returns
    -------
    list of numpy.ndarray
        One array per group, in the order of ``groups``.
    """
    usecols = sorted({c for group in groups for c in group})
    if isinstance(source, bytes):
        arr = read_numeric(source, what=what, dialect=dialect, skiprows=skiprows, usecols=usecols, n_fields=n_fields)
        picked = [arr[:, [usecols.index(c) for c in group]] for group in groups]
        return [np.ascontiguousarray(p[:, 0]) if p.shape[1] == 1 else p for p in picked]
    if n_fields is not None:
        _check_first_row(
            source.head(), what=what, dialect=dialect, skiprows=skiprows, usecols=usecols, n_fields=n_fields
        )
    try:
        with source.stream() as fh:
            frame = pd.read_csv(fh, **_numeric_options(dialect, skiprows, usecols))
    except MemoryError:
        raise
    except Exception:
        frame = None  # the read of the whole file below says what is wrong, as it words it (or keeps a cut-off row)
    if frame is None or frame.empty:
        return read_column_groups(
            source.read(), what=what, dialect=dialect, skiprows=skiprows, groups=groups, n_fields=n_fields
        )
    # pandas keeps each column as its own array: each is let go as soon as its group is built
    columns = {c: frame[c].to_numpy() for c in usecols}
    del frame
    last_use = {c: i for i, group in enumerate(groups) for c in group}
    out = []
    for i, group in enumerate(groups):
        parts = [columns.pop(c) if last_use[c] == i else columns[c] for c in group]
        # copies: pandas' arrays are read-only views, and a group of several is one (rows, k) array
        out.append(np.array(parts[0]) if len(parts) == 1 else np.column_stack(parts))
        del parts
    return out


def read_text(data: bytes, *, dialect: Dialect, skiprows: int, column: int) -> pd.Series:
    """Read one column of a delimited file as text (time stamps written as text), rows as :func:`read_numeric`."""
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            sep=dialect.sep,
            header=None,
            skiprows=skiprows,
            usecols=[column],
            dtype=str,
            engine="c",
            encoding="utf-8",
            skip_blank_lines=True,
            quotechar='"',
        )
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise IngestError(
            f"the time column cannot be read ({_short(exc)}); export the file again", reason="malformed"
        ) from None
    return frame.iloc[:, 0]


def line_numbers(data: bytes | Member, *, skiprows: int) -> Callable[[int], int]:
    """Return a function from a data row's index (as :func:`read_numeric` returns rows) to its file line number.

    Line numbers count from 1, as an editor shows them, header lines included. Blank lines, which the reader
    skips, are accounted for; the file is scanned for them only when a line number is first asked for (that is,
    when there is something to report), so reading stays fast.

    Parameters
    ----------
    data
        The whole file, or the file to read whole when a line number is first asked for.
    skiprows
        Lines before the first data row.
    """
    found: list[np.ndarray | None] = []

    def line_of(row: int) -> int:
        if not found:
            found.append(_non_blank_lines(data if isinstance(data, bytes) else data.read(), skiprows))
        lines = found[0]
        if lines is None or row >= len(lines):
            return skiprows + 1 + row
        return int(lines[row])

    return line_of


def _non_blank_lines(data: bytes, skiprows: int) -> np.ndarray | None:
    """Line numbers (from 1) of the non-blank lines after the header, or None when no line is blank."""
    pieces = re.split(rb"\r\n|\n|\r", data)
    if pieces and not pieces[-1].strip():
        pieces = pieces[:-1]  # the final line end
    body = pieces[skiprows:]
    blank = [not p.strip() for p in body]
    if not any(blank):
        return None
    return np.array([skiprows + 1 + i for i, b in enumerate(blank) if not b])


def _first_non_numeric(data: bytes, *, dialect: Dialect, skiprows: int, usecols: list[int]) -> tuple[int, str] | None:
    """Row index and text of the first field in ``usecols`` that is neither a number nor empty (error path only)."""
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            sep=dialect.sep,
            header=None,
            skiprows=skiprows,
            usecols=usecols,
            dtype=str,
            engine="c",
            encoding="utf-8",
            skip_blank_lines=True,
            keep_default_na=True,
        )
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError):
        return None
    first: tuple[int, str] | None = None
    for col in frame.columns:
        text = frame[col]
        if dialect.decimal != ".":
            text = text.str.replace(dialect.decimal, ".", regex=False)
        bad = pd.to_numeric(text, errors="coerce").isna() & frame[col].notna()
        if bad.any():
            row = int(np.argmax(bad.to_numpy()))
            if first is None or row < first[0]:
                first = (row, str(frame[col].iloc[row]))
    return first


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


__all__ = [
    "ACC_UNITS",
    "GYR_UNITS",
    "TIME_SCALE_S",
    "TIME_UNITS",
    "Dialect",
    "head_lines",
    "line_numbers",
    "norm_name",
    "read_column_groups",
    "read_header",
    "read_numeric",
    "read_text",
    "sniff_dialect",
    "split_fields",
    "unit_of",
]
