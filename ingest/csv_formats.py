"""Single-file CSV formats: AndroSensor, MetaWear, GENEActiv, Physics Toolbox, the Oxford step-counter layout and
generic CSV.

Generic CSV covers any table with a recognisable time column and x, y, z acceleration columns; units come from the
header (``(g)``, ``(m/s^2)``, ``_ms2``, ``(ms)`` ...), from the caller's flags, or, for acceleration only, from the
data (a median magnitude of about 1 is g, about 9.8 is m/s^2). The time column holds numbers (s, ms, us, ns, an
epoch), a time of day (``23:43:56:095``, ``23:43:56.095``; midnight may be crossed) or a date and time in one of
the forms of :data:`STAMP_FORMS` (ISO ``2018-10-03 17:23:55.4640`` with or without its UTC offset, ``2026/11/05``,
day-first ``05/11/2026`` and ``05.11.2026``, month-first ``11/05/2026 02:03:07 PM``); only a date dates the
recording, and only when its day and month are told apart (see :func:`stamp_format`). A numeric time column that
dates nothing (a sensor's own clock) is dated by a date-and-time column beside it that runs as long.
"""

from __future__ import annotations

import io
import re
import shlex
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final, NamedTuple

import numpy as np
import pandas as pd

from gait.consts import MIN_SAMPLING_RATE_HZ
from gait.types import Placement, Recording
from gait.validate import MIN_ACCEPTED_RATE_HZ, acceleration_magnitudes, median_rate_hz
from ingest.common import (
    DEG_PER_RAD,
    EPOCH_RANGE_S,
    FormatInfo,
    acc_unit_scale,
    assumed_gyroscope_dps,
    build_gps,
    build_recording,
    check_declared_acc_unit,
    gravity_present,
    gyroscope_unit_from_data,
    infer_acc_unit,
    unix_start_s,
)
from ingest.errors import IngestError
from ingest.table import (
    ACC_UNITS,
    GYR_UNITS,
    TIME_SCALE_S,
    TIME_UNITS,
    Dialect,
    head_lines,
    line_numbers,
    norm_name,
    read_numeric,
    read_text,
    sniff_dialect,
    split_fields,
    unit_of,
)

ANDROSENSOR = FormatInfo(
    name="androsensor",
    description="AndroSensor CSV (';'-separated, 'Time since start in ms'); needs a fast logging interval",
    patterns=("*.csv with 'ACCELEROMETER X (m/s²)' and 'Time since start in ms'",),
    checked_versions=("AndroSensor 1.9.x export of 2022 (33 columns)",),
    phone=True,
)
METAWEAR = FormatInfo(
    name="metawear",
    description="MbientLab MetaWear / MetaBase CSV ('epoc (ms),timestamp,elapsed (s),x-axis (g),...'): the "
    "accelerometer file alone, or a session's zip or folder, whose Accelerometer and Gyroscope files (x-axis (deg/s)) "
    "are read as one recording lined up by their 'epoc (ms)' stamps (its other sensors' files are left out with a "
    "note; one device's files at a time)",
    patterns=("*Accelerometer*.csv", "*Gyroscope*.csv", "*.zip (one MetaBase session)"),
    checked_versions=(
        "MetaBase CSV export of a MetaMotion (2022)",
        "Gyroscope file: header and file names ('<session>_<device>_<date>_<MAC>_Gyroscope_100.000Hz_1.3.6.csv') "
        "from public code, synthetic samples",
    ),
)
GENEACTIV = FormatInfo(
    name="geneactiv",
    description="GENEActiv raw CSV (key,value header lines, then 'YYYY-MM-DD HH:MM:SS:mmm,x,y,z,...' in g)",
    patterns=("*.csv starting 'Device Type,GENEActiv'",),
    checked_versions=("GENEActiv 1.1, firmware Ver4.08a (GaitPy demo)",),
)
OXFORD = FormatInfo(
    name="oxford",
    description="Oxford step-counter raw accelerometer.csv(.gz): no header; t_ns, accuracy, ax, ay, az in m/s^2",
    patterns=("accelerometer.csv", "accelerometer.csv.gz"),
    checked_versions=("Oxford-step-counter DataSet 2018 (Android logger)",),
    phone=True,
)
PHYSICS_TOOLBOX = FormatInfo(
    name="physics_toolbox",
    description="Physics Toolbox Sensor Suite CSV (Vieyra Software): g-Force Meter 'time,gFx,gFy,gFz,TgF' or "
    "Multi Record 'time,gFx,gFy,gFz,wx,wy,wz,...' (g with gravity, rad/s); time in s, time of day or date and time",
    patterns=("*.csv with 'gFx,gFy,gFz' (',' or ';')", "*.csv 'time,ax,ay,az,aT' (Linear Accelerometer: refused)"),
    checked_versions=(
        "header layouts from public code (Android 'TgF', iOS 'gFTotal', Multi Record), synthetic samples: no real "
        "export checked",
    ),
    phone=True,
)
GENERIC = FormatInfo(
    name="generic_csv",
    description="any CSV with a time column (numbers, time of day or date and time) and x, y, z acceleration "
    "columns (units from the header, the --acc-unit / --time-unit flags, or the data), optional gyroscope columns; "
    "a sample counter instead of time (or none) is timed by --rate-hz, or by a rate the file states before its "
    "header ('Acquisition frequency: 100 Hz'); of several sensors' columns under two header lines (gaitmap's "
    "'sensor' over 'axis'), the one --sensor names",
    patterns=("*.csv", "*.txt", "*.tsv"),
    checked_versions=(
        "edited Sensor Logger CSVs",
        "unknown iOS logger (';', unix s, g)",
        "sample counters: mobgap data_csv ('samples', g), gaitmap (unnamed index, 'index'), IPOL Xsens MTw "
        "('PacketCounter' under 'Acquisition frequency: 100 Hz')",
        "gaitmap example data 2.6.0: imu_sample*.csv (left_sensor, right_sensor under 'sensor' and 'axis' lines)",
    ),
)

_TIME_NAMES_S: Final = ("time_s", "t_s", "seconds_elapsed", "elapsed (s)", "time (s)", "elapsed_s")
_TIME_WORDS: Final = ("time", "timestamp", "t", "epoch", "epoc", "elapsed", "ts", "zeit", "zeitstempel")
_UNIT_SUFFIX: Final = {
    "_ms2": ("acc", "ms2"),
    "_g": ("acc", "g"),
    "_mg": ("acc", "mg"),
    "_dps": ("gyr", "deg"),
    "_rads": ("gyr", "rad"),
    "_rad_s": ("gyr", "rad"),
}
_GENEACTIV_ROW: Final = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}:\d{3},")
_WALL_CLOCK: Final = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{2})[:\-](\d{2})[:\-](\d{2})(?:[:._](\d{1,6}))?\s*$"
)
_GMT_OFFSET: Final = re.compile(r"^\s*(?:GMT|UTC)\s*(?:([+-])\s*(\d{1,2})(?::?(\d{2}))?)?\s*$", re.IGNORECASE)
_UNIT_TEXT: Final = {"ms2": "m/s^2", "g": "g", "mg": "mg", "deg": "deg/s", "rad": "rad/s"}
_EXCLUDED_ACC_WORDS: Final = ("linear", "gravity", "user", "mag", "orient", "rot", "quat", "angle", "euler")
_TIME_OF_DAY: Final = re.compile(r"^\s*\d{1,2}:\d{2}:\d{2}(?:[:.]\d{1,9})?\s*$")
_DATE_TIME: Final = re.compile(
    r"^\s*\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.:]\d{1,9})?\s*(?:Z|[+-]\d{2}:?\d{2})?\s*$"
)
_HALF_DAY_S: Final = 43_200.0
_COUNTER_NAME: Final = re.compile(r"|index|samples?|sample[ _]?(?:no|nr|number|index)|packet ?counter|counter|frame|n")
"""Names of a column that numbers the samples instead of timing them (gaitmap's unnamed index, Xsens's
'PacketCounter')."""
_STATED_RATE: Final = re.compile(r"(?:frequency|rate)\b[^0-9\n]{0,30}?(\d+(?:\.\d+)?)\s*hz\b", re.IGNORECASE)
_OTHER_SENSOR: Final = re.compile(r"\(.+\)")
"""The name another sensor's column takes when one sensor of several is read ('(right_sensor)'): no axis, time or
counter name."""
_PREAMBLE_LINES: Final = 5
"""Lines without a separator read before a table's header at most (IPOL's one 'Acquisition frequency: 100 Hz')."""


@dataclass(frozen=True)
class _Column:
    index: int
    kind: str  # "acc" | "gyr"
    axis: str
    stem: str
    unit: str | None  # "ms2" | "g" | "mg" | "deg" | "rad" | None


def _axis_of(raw: str) -> tuple[str, str] | None:
    """Return (axis, stem) for an axis column name (``"acc_x"``, ``"x-axis (g)"``, ``"AccelerationX"``, ``"ax"``)."""
    base = raw.split("(")[0].split("[")[0].strip().strip('"').strip()
    low = base.lower()
    if low in ("x", "y", "z"):
        return low, ""
    m = re.fullmatch(r"(gf|[agw])([xyz])", low)  # ax; gx (gyro); gFx (g-force); wx (omega: Physics Toolbox)
    if m:
        return m.group(2), m.group(1)
    m = re.search(r"(?:^|[\s_\-\.:])([xyz])(?:$|[\s_\-\.:]|-?axis)", low)
    if m:
        return m.group(1), (low[: m.start(1)] + "#" + low[m.end(1) :]).strip(" _-.:")
    m = re.search(r"[a-z]([XYZ])$", base)  # camelCase: AccelerationX
    if m:
        return m.group(1).lower(), low[:-1]
    for suffix in _UNIT_SUFFIX:
        if low.endswith(suffix):
            return _axis_of(base[: -len(suffix)])
    return None


def _column(index: int, raw: str, *, keep_excluded: bool = False) -> _Column | None:
    """The axis column ``raw`` names, or None; acceleration named linear, gravity, user... is left out unless
    ``keep_excluded`` (see :func:`_named_triple`)."""
    found = _axis_of(raw)
    if found is None:
        return None
    axis, stem = found
    low = raw.strip().strip('"').lower()
    unit_text = (unit_of(raw) or "").lower()
    kind: str | None = None
    unit: str | None = None
    if unit_text in ACC_UNITS:
        kind, unit = "acc", ACC_UNITS[unit_text]
    elif unit_text in GYR_UNITS:
        kind, unit = "gyr", GYR_UNITS[unit_text]
    for suffix, (k, u) in _UNIT_SUFFIX.items():
        if low.split("(")[0].strip().endswith(suffix):
            kind, unit = k, u
    if "gyr" in low or stem.startswith("rot") or stem in ("g", "w"):
        kind = "gyr"
    elif stem == "gf":  # g-force: acceleration including gravity in g by definition
        kind, unit = "acc", unit or "g"
    elif kind is None and ("acc" in low or stem in ("", "a")):
        kind = "acc"
    if kind == "acc" and not keep_excluded and any(w in low for w in _EXCLUDED_ACC_WORDS):
        return None
    return None if kind is None else _Column(index=index, kind=kind, axis=axis, stem=stem, unit=unit)


def _columns(fields: list[str]) -> list[_Column]:
    return [c for c in (_column(i, f) for i, f in enumerate(fields)) if c is not None]


def _triple(columns: list[_Column], kind: str) -> list[_Column] | None:
    stems: dict[str, dict[str, _Column]] = {}
    for col in columns:
        if col.kind == kind:
            stems.setdefault(col.stem, {}).setdefault(col.axis, col)
    for axes in stems.values():
        if set(axes) == {"x", "y", "z"}:
            return [axes[a] for a in "xyz"]
    return None


_LINEAR_WORDS: Final = ("linear", "user")
_GRAVITY_WORDS: Final = ("grav",)


def _named_triple(fields: list[str], words: tuple[str, ...]) -> list[_Column] | None:
    """The x, y, z acceleration columns whose names hold one of ``words`` (``linear_acc_x``, ``gravity_x``, ``gravX``,
    ``userAccelerationX``), which the acceleration triple leaves out, or None.

    Examples
    --------
    >>> [c.index for c in _named_triple(["time", "linear_acc_x", "linear_acc_y", "linear_acc_z"], _LINEAR_WORDS)]
    [1, 2, 3]
    >>> [c.stem for c in _named_triple(["t", "gravX", "gravY", "gravZ", "gyroX"], _GRAVITY_WORDS)]
    ['grav', 'grav', 'grav']
    """
    found = []
    for i, raw in enumerate(fields):
        low = raw.lower()
        axis = _axis_of(raw)
        col = _column(i, raw, keep_excluded=True)
        if axis is None or not any(w in low for w in words) or (col is not None and col.kind == "gyr"):
            continue
        if words is _LINEAR_WORDS and any(w in low for w in _GRAVITY_WORDS):
            continue
        found.append(_Column(index=i, kind="acc", axis=axis[0], stem=axis[1], unit=col.unit if col else None))
    return _triple(found, "acc")


def _gravity_free_beside(acc: np.ndarray, gravity: np.ndarray, rate_hz: float) -> bool:
    """Whether ``acc`` holds no gravity while ``gravity`` does, in any one unit: its one-second mean vectors are
    under a quarter of the gravity columns' (with gravity they are as large)."""
    _, acc_gravity = acceleration_magnitudes(acc, rate_hz)
    _, gravity_size = acceleration_magnitudes(gravity, rate_hz)
    return bool(gravity_size > 0 and acc_gravity < 0.25 * gravity_size)


def _axes_found(columns: list[_Column], kind: str) -> str:
    """What a file without a whole x, y, z triple of ``kind`` has of one: " (only x, y)", or "" for none.

    Examples
    --------
    >>> cols = _columns(["time_s", "acc_x_ms2", "acc_y_ms2"])
    >>> _axes_found(cols, "acc"), _axes_found(cols, "gyr")
    (' (only x, y)', '')
    """
    axes = sorted({col.axis for col in columns if col.kind == kind})
    return f" (only {', '.join(axes)})" if axes else ""


def _time_column(fields: list[str], first_row: list[str]) -> tuple[int, str | None] | None:
    """Return (index, unit or None when it must be guessed) of the time column.

    A numeric column wins; else a column named as a time that holds a time of day (unit ``"time_of_day"``) or a
    date and time (unit ``"date_time"``) in its first row, as Physics Toolbox writes them.
    """

    def numeric(i: int) -> bool:
        return i < len(first_row) and _numeric(first_row[i])

    low = [norm_name(f) for f in fields]
    for i, name in enumerate(low):
        if name in _TIME_NAMES_S and numeric(i):
            return i, "s"
    for i, name in enumerate(low):
        base = name.split("(")[0].strip()
        words = re.split(r"[\s_\-]+", base)
        if not any(w in _TIME_WORDS for w in words) or not numeric(i):
            continue
        unit = (unit_of(name) or "").lower()
        if unit in TIME_UNITS:
            return i, TIME_UNITS[unit]
        if words[-1] in TIME_UNITS:
            return i, TIME_UNITS[words[-1]]
        if "in ms" in name:
            return i, "ms"
        return i, None
    for i, name in enumerate(low):
        words = re.split(r"[\s_\-]+", name.split("(")[0].strip())
        if any(w in _TIME_WORDS for w in words) and i < len(first_row):
            kind = clock_kind(first_row[i])
            if kind is not None:
                return i, kind
    return None


_DATE_FORMATS: Final = (
    ("%Y/%m/%d", None),
    ("%Y.%m.%d", None),
    ("%d/%m/%Y", "dmy"),
    ("%m/%d/%Y", "mdy"),
    ("%d-%m-%Y", "dmy"),
    ("%m-%d-%Y", "mdy"),
    ("%d.%m.%Y", None),  # dotted dates are written day first (German, Russian, ...)
)
"""Date parts of the date-and-time stamps read besides ISO 8601, with the order of day and month where a file may
write either (``None``: one order only)."""
_CLOCK_FORMATS: Final = ("%H:%M:%S.%f", "%H:%M:%S", "%I:%M:%S.%f %p", "%I:%M:%S %p")
STAMP_FORMS: Final = (
    "2026-11-05 14:03:07.123 (ISO 8601, also with T and Z or +01:00), 2026/11/05 14:03:07.123, 05/11/2026 "
    "14:03:07.123 (day first), 11/05/2026 02:03:07.123 PM (month first), 05.11.2026 14:03:07,123 or a time of day "
    "14:03:07.123"
)
"""The text time stamps a time column may hold, as messages name them."""
DATE_ORDERS: Final = {"dmy": "day first", "mdy": "month first"}
"""How a file writes dates whose day and month may be either way round (``--date-order``)."""


@dataclass(frozen=True)
class StampFormat:
    """How a column of date-and-time stamps is written (see :func:`stamp_format`)."""

    format: str
    """The pandas ``to_datetime`` format: ``"ISO8601"`` or a strftime pattern."""
    order: str | None = None
    """``"dmy"`` or ``"mdy"`` for a date whose day and month could be either way round, else None."""
    other: str | None = None
    """The format of the other order when every stamp reads both ways with different dates: the stamps then give
    the samples' spacing but no date."""


def _normal_stamps(texts: pd.Series) -> pd.Series:
    """Stamps without quotes or surrounding spaces, a fraction of a second after ':' (Physics Toolbox's
    ``23:43:56:095``) or ',' (German ``14:03:07,123``) written after '.', as pandas reads it."""
    stripped = texts.astype("string").str.strip().str.strip('"')
    return stripped.str.replace(r"(\d{1,2}:\d{2}:\d{2})[:,](\d+)", r"\1.\2", regex=True)


def _read_stamps(normal: pd.Series, fmt: str) -> pd.Series:
    """``normal`` stamps read in ``fmt`` (unreadable ones NaT)."""
    if fmt != "ISO8601":
        return pd.to_datetime(normal, format=fmt, errors="coerce")
    offset = bool(normal.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True, na=False).any())
    return pd.to_datetime(normal, format=fmt, errors="coerce", utc=offset)


def stamp_format(
    texts: pd.Series, *, date_order: str | None = None, what: str = "input", column: str = "time"
) -> StampFormat | None:
    """The format of a column of date-and-time stamps, chosen by reading the column in each candidate, or None when
    its first stamp is in none of them (see :data:`STAMP_FORMS`).

    A date such as ``05/11/2026`` is day first or month first: a first field above 12 in any row settles it; else
    ``date_order`` does; else, when the two readings give different dates, the day-first one is read and
    ``other`` names the month-first one: every time of day, and so the samples' spacing, is the same either way,
    but the date is not known (the caller leaves such a recording undated and says so).

    Parameters
    ----------
    texts
        The column as text.
    date_order
        ``"dmy"`` or ``"mdy"``: how the file writes such dates, when the walker knows.
    what, column
        The file's and the column's names, for messages.

    Raises
    ------
    IngestError
        When ``date_order`` contradicts the dates (a day-first file with a 25th read month first).

    Examples
    --------
    >>> stamp_format(pd.Series(["05/11/2026 14:03:07.000", "25/11/2026 14:03:07.010"])).format
    '%d/%m/%Y %H:%M:%S.%f'
    >>> stamp_format(pd.Series(["05/11/2026 14:03:07.000"])).other
    '%m/%d/%Y %H:%M:%S.%f'
    >>> stamp_format(pd.Series(["05/11/2026 14:03:07.000"]), date_order="mdy").format
    '%m/%d/%Y %H:%M:%S.%f'
    """
    normal = _normal_stamps(texts)
    present = normal.dropna()
    present = present[present != ""]
    if present.empty:
        return None
    first = present.iloc[:1]
    if _DATE_TIME.match(first.iloc[0]):
        return StampFormat("ISO8601")
    candidates = [
        (f"{date} {clock}", order)
        for date, order in _DATE_FORMATS
        for clock in _CLOCK_FORMATS
        if _read_stamps(first, f"{date} {clock}").notna().all()
    ]
    if not candidates:
        return None
    # the first stamp fits at most a day-first and a month-first reading; the whole column decides between them
    read = {fmt: _read_stamps(present, fmt) for fmt, _ in candidates}
    counts = {fmt: int(stamps.notna().sum()) for fmt, stamps in read.items()}
    best = max(counts.values())
    fitting = [(fmt, order) for fmt, order in candidates if counts[fmt] == best]
    if date_order is not None and any(order for _, order in candidates):
        chosen = [(fmt, order) for fmt, order in fitting if order in (date_order, None)]
        if not chosen:
            wrong = [fmt for fmt, order in candidates if order == date_order]
            bad = present[read[wrong[0]].isna()].iloc[0] if wrong else present.iloc[0]
            other = "mdy" if date_order == "dmy" else "dmy"
            raise IngestError(
                f"{what}: the dates in the column {column!r} are not written {DATE_ORDERS[date_order]}: {bad!r} is "
                f"no date that way; give the other order (--date-order {other}) or leave the option out",
                reason="date_order",
            )
        fmt, order = chosen[0]
        return StampFormat(fmt, order)
    fmt, order = fitting[0]
    others = [f for f, o in fitting if o is not None and o != order]
    if others and not read[fmt].equals(read[others[0]]):
        return StampFormat(fmt, order, others[0])
    return StampFormat(fmt, order)


def clock_kind(text: str) -> str | None:
    """``"time_of_day"`` (``23:43:56:095``), ``"date_time"`` (a date and time in one of :data:`STAMP_FORMS`, e.g.
    ``2018-10-03 17:23:55.4640``, optional UTC offset) or None for a time stamp written as text.

    Examples
    --------
    >>> clock_kind("23:43:56:095"), clock_kind("2024-05-01 10:00:01.123 +0200"), clock_kind("0.014144")
    ('time_of_day', 'date_time', None)
    >>> clock_kind("11/05/2026 02:03:07.009995 PM"), clock_kind("05.11.2026 14:03:07,123"), clock_kind("Nov 5th 2pm")
    ('date_time', 'date_time', None)
    """
    text = text.strip().strip('"')
    if _TIME_OF_DAY.match(text):
        return "time_of_day"
    if stamp_format(pd.Series([text])) is not None:
        return "date_time"
    return None


class Stamps(NamedTuple):
    """Text time stamps read (:func:`clock_seconds`)."""

    seconds: np.ndarray
    """Seconds from midnight of the first day for a time of day; from the first stamp for a date and time without
    offset (or whose date is not known); Unix seconds with an offset."""
    epoch_s: float | None
    """The first stamp as Unix seconds when the stamps carry a UTC offset."""
    local_start: str | None
    """The first stamp, a date and time without offset, as ISO 8601 in this computer's zone (as
    :func:`wall_clock_start`): a phone logs its owner's local time."""


def clock_seconds(texts: pd.Series, kind: str, fmt: StampFormat | None = None) -> Stamps:
    """Seconds of text time stamps on one axis, and the first stamp's date and time when the stamps give it.

    Parameters
    ----------
    texts
        The time column as text, one stamp per row (missing ones become NaN, which the caller reports by line).
    kind
        ``"time_of_day"``: ``HH:MM:SS`` with optional fraction after ``:`` or ``.`` (Physics Toolbox on Android
        writes ``23:43:56:095``, milliseconds after a colon). A recording that runs past midnight starts again at
        0: a step back of more than half a day is read as the next day. Such stamps do not date the recording.
        ``"date_time"``: a date and time read by pandas in ``fmt``.
    fmt
        The stamps' format (:func:`stamp_format`; ISO 8601 when None). One whose day and month are not told apart
        (``fmt.other``) dates nothing.

    Examples
    --------
    >>> clock_seconds(pd.Series(["23:59:59:990", "00:00:00:000"]), "time_of_day").seconds.round(3).tolist()
    [86399.99, 86400.0]
    >>> clock_seconds(pd.Series(["2026-11-05T14:03:07Z", "2026-11-05T14:03:07.01Z"]), "date_time").epoch_s
    1793887387.0
    """
    normal = _normal_stamps(texts)
    if kind == "time_of_day":
        seconds = pd.to_timedelta(normal, errors="coerce").dt.total_seconds().to_numpy(dtype=np.float64)
        days = np.concatenate(([0.0], np.cumsum(np.diff(seconds) < -_HALF_DAY_S)))
        return Stamps(seconds + days * 86_400.0, None, None)
    fmt = fmt or StampFormat("ISO8601")
    stamps = _read_stamps(normal, fmt.format)
    first = stamps.dropna()
    if first.empty:
        return Stamps(np.full(len(stamps), np.nan), None, None)
    origin = first.iloc[0]
    seconds = ((stamps - origin) / pd.Timedelta(seconds=1)).to_numpy(dtype=np.float64, na_value=np.nan)
    if fmt.other is not None:
        return Stamps(seconds, None, None)
    if origin.tzinfo is None:
        seconds = _clock_changes_out(stamps, seconds)
        return Stamps(seconds, None, _local_start(stamps, seconds).isoformat(timespec="seconds"))
    epoch_s = origin.timestamp()
    return Stamps(seconds + epoch_s, epoch_s, None)


CLOCK_CHANGE_MIN_S = 15 * 60.0
"""The smallest step of local clock time read as the clocks changing (summer time's hour; 30 min at Lord Howe)."""


def _clock_changes_out(stamps: pd.Series, seconds: np.ndarray) -> np.ndarray:
    """``seconds`` between local dates and times without zone (a phone logs its owner's clock) with the clocks'
    change for summer time taken out, read in this computer's zone: a walk through 02:00 on the night they go back
    reads 01:59:59 then 01:00:00 (time going back an hour, which was refused), and one on the night they go forward
    01:59:59 then 03:00:00 (an hour too long). A step of local time of :data:`CLOCK_CHANGE_MIN_S` or more is taken
    out when this computer's clock rules make the two stamps a moment apart (the later in the hour that came twice
    read as its second time); any other step (a logger paused, a clock set back) stays, to be said as it is.
    """
    steps = np.diff(seconds)
    out = seconds
    for i in np.flatnonzero(np.abs(steps) >= CLOCK_CHANGE_MIN_S):
        before = stamps.iloc[i].to_pydatetime()
        after = stamps.iloc[i + 1].to_pydatetime().replace(fold=1 if steps[i] < 0 else 0)
        real_s = after.timestamp() - before.timestamp()  # on this computer's clock rules (PEP 495 fold)
        if 0.0 <= real_s < CLOCK_CHANGE_MIN_S and abs(steps[i] - real_s) >= CLOCK_CHANGE_MIN_S:
            out = out.copy() if out is seconds else out
            out[i + 1 :] += real_s - steps[i]
    return out


def _local_start(stamps: pd.Series, seconds: np.ndarray) -> datetime:
    """The first of local dates and times without zone (see :func:`_clock_changes_out`, whose ``seconds`` these are)
    in this computer's zone. A first stamp in the hour that comes twice when the clocks go back is read as the pass
    the walk's own stamps point to: the one from which its length (``seconds``) ends at its last stamp's clock time.
    A walk from 01:30 to 02:10 without a step back was walked in the second pass (from the first, the clock would have
    gone back at 02:00); one that stays within the hour fits both and is read as the first.
    """
    valid = np.flatnonzero(np.isfinite(seconds))
    first, last = stamps.iloc[valid[0]].to_pydatetime(), stamps.iloc[valid[-1]].to_pydatetime()
    return _local_pass(first, last, float(seconds[valid[-1]] - seconds[valid[0]]))


def _local_pass(first: datetime, last: datetime | None, length_s: float) -> datetime:
    """``first``, a local date and time without zone, in this computer's zone; in the hour that comes twice, the
    pass from which a walk of ``length_s`` ends at ``last``'s clock time (the first pass when both fit, or without
    ``last``)."""
    passes = [first.replace(fold=fold).astimezone() for fold in (0, 1)]
    if passes[0] == passes[1] or last is None:
        return passes[0]  # not in a repeated hour (PEP 495: both folds read as one moment)
    ends = [datetime.fromtimestamp(start.timestamp() + length_s) for start in passes]  # clock time at the end
    fits = [abs((end - last.replace(tzinfo=None)).total_seconds()) < CLOCK_CHANGE_MIN_S for end in ends]
    return passes[1] if fits[1] and not fits[0] else passes[0]


def date_readings(texts: pd.Series, fmt: StampFormat) -> str:
    """The two dates an ambiguous first stamp reads as ("5 November 2026 (day first) or 11 May 2026 (month first)").

    Examples
    --------
    >>> date_readings(pd.Series(["05/11/2026 14:03:07"]), stamp_format(pd.Series(["05/11/2026 14:03:07"])))
    '5 November 2026 (day first) or 11 May 2026 (month first)'
    """
    first = _normal_stamps(texts).dropna().iloc[:1]
    orders = (fmt.order or "dmy", "mdy" if fmt.order == "dmy" else "dmy")
    days = [_read_stamps(first, f).iloc[0] for f in (fmt.format, fmt.other or fmt.format)]
    return " or ".join(
        f"{when.day} {when:%B %Y} ({DATE_ORDERS[order]})" for when, order in zip(days, orders, strict=True)
    )


def guess_time_scale(raw: np.ndarray, *, what: str) -> tuple[float, str]:
    """Seconds per unit of a time column without a declared unit, judged from the sample spacing.

    Of s, ms, us and ns, the unit whose median spacing is the most plausible sampling interval (nearest to
    10 ms, within 0.1 ms .. 2 s) wins; magnitudes are not used, because clocks since boot look like epochs.
    """
    step = _median_step(raw)
    if step is None:
        raise IngestError(f"{what}: too few distinct time stamps to tell their unit", reason="empty")
    plausible = _plausible_units(step)
    if not plausible:
        raise IngestError(
            f"{what}: cannot tell the unit of the time column (median step {step!r}); name the column with its "
            "unit, e.g. 'time_s' or 'time_ms' (command line: or pass --time-unit s|ms|us|ns)",
            reason="unknown_units",
        )
    scale, unit = plausible[0]
    return scale, f"{unit} (from the sample spacing)"


PLAUSIBLE_STEP_S: Final = (1e-4, 2.0)
"""The median sample spacing, in s, a time column's unit must give: 10 kHz .. 0.5 Hz."""


def _plausible_units(step: float) -> list[tuple[float, str]]:
    """(seconds per unit, unit) of s, ms, us and ns whose reading of a median ``step`` is a plausible sampling
    interval (:data:`PLAUSIBLE_STEP_S`), the nearest to 10 ms first."""
    fits = [
        (scale, unit)
        for scale, unit in ((1.0, "s"), (1e-3, "ms"), (1e-6, "us"), (1e-9, "ns"))
        if PLAUSIBLE_STEP_S[0] <= step * scale <= PLAUSIBLE_STEP_S[1]
    ]
    return sorted(fits, key=lambda fit: abs(np.log10(step * fit[0] / 0.01)))


def _median_step(raw: np.ndarray) -> float | None:
    """The median positive step of a time column in its own unit, or None with fewer than two distinct times."""
    dt = np.diff(raw[np.isfinite(raw)])
    dt = dt[dt > 0]
    return float(np.median(dt)) if len(dt) else None


def _spacing_words(seconds: float) -> str:
    """A sample spacing in the unit that reads best ("10 us", "2.5 s").

    Examples
    --------
    >>> _spacing_words(9.995e-6), _spacing_words(10.0)
    ('10 us', '10 s')
    """
    for scale, unit in ((1.0, "s"), (1e-3, "ms"), (1e-6, "us")):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def _check_named_unit(raw: np.ndarray, unit: str, name: str, what: str) -> None:
    """Refuse a time column whose name declares ``unit`` when that unit makes its median step no sampling interval
    (:data:`PLAUSIBLE_STEP_S`) and another unit makes it one (``time_ms`` holding seconds), saying which."""
    step = _median_step(raw)
    if step is None or PLAUSIBLE_STEP_S[0] <= step * TIME_SCALE_S[unit] <= PLAUSIBLE_STEP_S[1]:
        return
    fits = _plausible_units(step)
    if not fits:
        return  # no unit reads as a sampling interval: the rate and time checks say what is wrong
    scale, better = fits[0]
    raise IngestError(
        f"{what}: the time column {name!r} is named in {unit}, but its median step {step:g} would mean samples "
        f"{_spacing_words(step * TIME_SCALE_S[unit])} apart; in {better} it is {1.0 / (step * scale):.0f} Hz: rename "
        f"the column time_{better} (command line: or pass --time-unit {better})",
        reason="time_unit_contradicted",
    )


@dataclass(frozen=True)
class _Layout:
    """Where a table's header and data start, and what lines before the header state."""

    dialect: Dialect
    fields: list[str]
    first_row: list[str]
    skiprows: int  # lines before the first data row
    stated_rate_hz: float | None = None
    stated_line: str | None = None
    sensor: str | None = None  # the sensor whose columns are read, of a file holding several sensors' columns


def stated_rate_hz(line: str) -> float | None:
    """The sampling rate a line before a table's header states, or None.

    Examples
    --------
    >>> stated_rate_hz("Acquisition frequency: 100 Hz"), stated_rate_hz("Sampling rate = 102.4Hz")
    (100.0, 102.4)
    >>> stated_rate_hz("Subject 12, 100 m walk") is None
    True
    """
    m = _STATED_RATE.search(line)
    rate = float(m.group(1)) if m else 0.0
    return rate if rate > 0 else None


def _layout(data: bytes, what: str, *, sensor: str | None = None, rate_given: bool = False) -> _Layout:
    """Find the header: after lines that state something (IPOL's 'Acquisition frequency: 100 Hz'), and the second of
    two header lines (gaitmap's 'sensor,...' over 'axis,acc_x,...'), of which only ``sensor``'s columns are read
    (see :func:`_sensor_fields`); a file of several sensors without one named is refused, naming them."""
    lines = head_lines(data, _PREAMBLE_LINES + 3, what=what)
    start = 0
    # lines without a separator before a line with them are a preamble, not the header
    while start < min(_PREAMBLE_LINES, len(lines) - 2) and not re.search(r"[,;\t]", lines[start]):
        start += 1
    if start and not re.search(r"[,;\t]", lines[start]):
        start = 0
    if len(lines) < start + 2 or not lines[start + 1].strip():
        raise IngestError(f"{what}: header only, no data rows; record for longer", reason="empty")
    dialect = sniff_dialect(lines[start], lines[start + 1])
    fields = split_fields(lines[start], dialect)
    stated = next(((r, line) for line in lines[:start] if (r := stated_rate_hz(line)) is not None), (None, None))
    under = split_fields(lines[start + 1], dialect)
    chosen = None
    if len(lines) > start + 2 and _triple(_columns(under), "acc") and not _triple(_columns(fields), "acc"):
        sensors = list(dict.fromkeys(f for f, u in zip(fields, under, strict=False) if f and _column(0, u)))
        if sensors:
            first_row = split_fields(lines[start + 2], dialect)
            timed = rate_given or stated[0] is not None or _time_column(under, first_row) is not None
            chosen = _chosen_sensor(what, sensors, sensor, timed=timed)
            start, fields = start + 1, _sensor_fields(fields, under, chosen)
        else:
            # no sensor named over the axes: a title line above the header (a spreadsheet's merged title cell,
            # saved as 'My walk,,,')
            start, fields = start + 1, under
        dialect = sniff_dialect(lines[start], lines[start + 1])
    return _Layout(dialect, fields, split_fields(lines[start + 1], dialect), start + 1, *stated, sensor=chosen)


def _own(fields: list[str]) -> list[str]:
    """The column names of the sensor read (others' columns left out: see :func:`_sensor_fields`)."""
    return [f for f in fields if not _OTHER_SENSOR.fullmatch(f)]


def _sensor_options(sensors: list[str]) -> str:
    """The command-line options that pick each of ``sensors`` ("--sensor left_sensor or --sensor right_sensor").

    Examples
    --------
    >>> _sensor_options(["left_sensor", "right foot"])
    "--sensor left_sensor or --sensor 'right foot'"
    """
    return " or ".join(f"--sensor {shlex.quote(s)}" for s in sensors)


RATE_NEEDED: Final = "the sensors' sampling rate: the file has no time column"
"""Why a refusal to read a file of several sensors asks for ``--rate-hz`` too (:func:`rate_too`)."""
RATE_WHERE: Final = "the sensor's or the data set's documentation gives it"
"""Where a walker finds the sampling rate of a file that holds none."""
GAITMAP_EXAMPLE_RATES_HZ: Final = {
    "imu_sample.csv": 204.8,
    "imu_sample_not_rotated.csv": 204.8,
    "imu_sample_ic_stride.csv": 102.4,
}
"""Sampling rates of gaitmap's example files of two sensors (left_sensor, right_sensor) timed by a sample index, as
gaitmap's documentation states them (gaitmap.example_data 2.6.0, whose loaders divide the index by them)."""


def rate_too(what: str, sensors: list[str]) -> str:
    """What a refusal to read a file of several sensors adds when the file has no time column and no rate was given:
    the rate, when the file is recognisably one of gaitmap's examples (its name and sensors), else where to find it.

    Examples
    --------
    >>> rate_too("imu_sample.csv", ["left_sensor", "right_sensor"]).split("; ")
    ["(and --rate-hz 204.8, the sensors' sampling rate: the file has no time column", \
"gaitmap's documentation gives it for its example imu_sample.csv)"]
    >>> rate_too("my_shoes.csv", ["left_sensor", "right_sensor"])[:30]
    '(and --rate-hz <Hz>, the senso'
    """
    name = what.rsplit("/", 1)[-1]
    known_hz = GAITMAP_EXAMPLE_RATES_HZ.get(name) if sensors == ["left_sensor", "right_sensor"] else None
    if known_hz is None:
        return f"(and --rate-hz <Hz>, {RATE_NEEDED}; {RATE_WHERE})"
    return f"(and --rate-hz {known_hz:g}, {RATE_NEEDED}; gaitmap's documentation gives it for its example {name})"


def _chosen_sensor(what: str, sensors: list[str], sensor: str | None, *, timed: bool) -> str:
    """The sensor of a file holding several sensors' columns to read: ``sensor`` (its case or surrounding spaces
    aside), or the only one; refused, naming the sensors and the option to add, when it is none of them or missing.
    ``timed``: the file has a time column or a rate given or stated (else the refusal says the rate is needed too)."""
    if sensor is None and len(sensors) == 1:
        return sensors[0]
    listed = ", ".join(sensors)
    # the dashboard words this hint as a gait convert command (service.uploads.dashboard_wording)
    rate = "" if timed else f" {rate_too(what, sensors)}"
    if sensor is None:
        raise IngestError(
            f"{what}: holds the columns of {len(sensors)} sensors ({listed}) under two header lines (sensor, then "
            f"axis); a recording is one sensor's: add {_sensor_options(sensors)}{rate}",
            reason="sensor_not_chosen",
        )
    if sensor in sensors:
        return sensor
    same = [s for s in sensors if s.strip().lower() == sensor.strip().lower()]
    if len(same) == 1:
        return same[0]
    raise IngestError(
        f"{what}: no sensor {sensor!r} in its first header line; its sensors are {listed}: add "
        f"{_sensor_options(sensors)}{rate}",
        reason="unknown_sensor",
    )


def _sensor_fields(top: list[str], under: list[str], sensor: str) -> list[str]:
    """The axis header line (``under``) with only ``sensor``'s columns named by their axis.

    Other sensors' columns are named ``(their sensor)``, which no reader takes for an axis, a time or a counter. The
    first column of pandas' two-level header ('sensor' over 'axis') holds the names of the levels: the samples'
    index, unnamed.

    Examples
    --------
    >>> _sensor_fields(["sensor", "left", "right"], ["axis", "acc_x", "acc_x"], "right")
    ['', '(left)', 'acc_x']
    """
    sensors = {t for t, u in zip(top, under, strict=False) if t and _column(0, u)}
    fields = []
    for i, (t, u) in enumerate(zip(top, under, strict=False)):
        if t in sensors:
            fields.append(u if t == sensor else f"({t})")
        else:
            fields.append("" if i == 0 and norm_name(u) == "axis" else u)
    return fields + under[len(top) :]


def side_of_sensor(name: str | None) -> str | None:
    """The shoe a sensor's name says it was on ('left_sensor' is the left foot's), or None when it says neither.

    Examples
    --------
    >>> side_of_sensor("left_sensor"), side_of_sensor("RightFoot"), side_of_sensor("sensor_2"), side_of_sensor(None)
    ('left', 'right', None, None)
    """
    low = (name or "").lower()
    sides = [side for side in ("left", "right") if side in low]
    return sides[0] if len(sides) == 1 else None


def detect(head: bytes, name: str) -> str | None:
    """Name the single-file format whose signature ``head`` carries, or None."""
    try:
        lines = head_lines(head, 3, what=name)
    except IngestError:
        return None
    first = lines[0]
    low = first.lower()
    if "geneactiv" in low:
        return GENEACTIV.name
    if "time since start in ms" in low:
        return ANDROSENSOR.name
    if low.startswith("epoc (ms)") and "elapsed (s)" in low:
        return METAWEAR.name
    names = [norm_name(f) for f in re.split(r"[,;\t]", low)]
    if (
        names
        and names[0] == "time"
        and ({"gfx", "gfy", "gfz"} <= set(names) or [n for n in names if n] == ["time", "ax", "ay", "az", "at"])
    ):
        return PHYSICS_TOOLBOX.name
    fields = first.split(",")
    if (
        len(fields) == 5
        and all(re.fullmatch(r"-?[\d.eE+\-]+", f.strip()) for f in fields)
        and re.fullmatch(r"\d{6,}", fields[0].strip())
        and re.fullmatch(r"\d", fields[1].strip())
    ):
        return OXFORD.name
    return None


def read_generic(
    data: bytes,
    what: str,
    *,
    placement: Placement | str | None = None,
    acc_unit: str | None = None,
    time_unit: str | None = None,
    rate_hz: float | None = None,
    sensor: str | None = None,
    date_order: str | None = None,
    fmt: FormatInfo = GENERIC,
    extra_source: dict[str, Any] | None = None,
) -> Recording:
    """Read a CSV with a time column and x, y, z acceleration columns (and optionally a gyroscope).

    The time column holds numbers in the unit its name declares (refused, naming the unit that fits, when that unit
    makes the sample spacing implausible and another does not: ``time_ms`` holding seconds), ``time_unit``, or the
    unit the spacing gives; or text stamps (:func:`clock_kind`, :func:`stamp_format`). The recording is dated by
    stamps with a date, a column named as an epoch, Unix times, a second numeric clock that runs as long, or else a
    column of dates and times beside the time column that runs as long (Polar Sensor Logger's 'Phone timestamp'
    beside its 'sensor timestamp [ns]'); dates that read both day first and month first date nothing (a note says
    so) unless ``date_order`` settles them.

    Parameters
    ----------
    data
        The file's bytes.
    what
        File name for messages.
    placement
        Where the sensor was worn.
    acc_unit
        ``"g"``, ``"mg"`` or ``"ms2"`` when the header does not say (otherwise taken from the data).
    time_unit
        ``"s"``, ``"ms"``, ``"us"`` or ``"ns"`` when the header does not say.
    rate_hz
        The sampling rate of a file without a time column: its sample counter (``samples``, ``PacketCounter``,
        an unnamed index), else its row order, becomes time_s = (n - n0) / rate. Without it, a rate the file states
        in a line before its header (``Acquisition frequency: 100 Hz``) is used, with a note.
    sensor
        Of a file holding several sensors' columns under two header lines (gaitmap's ``sensor,left_sensor,...``
        over ``axis,acc_x,...``), the sensor whose columns to read (named as the first header line names it; its
        case aside). Such a file is refused without it; ``source["sensor"]`` says the one read (see
        :func:`side_of_sensor`). A file of one sensor's columns reads as itself, with a note that it was not used.
    date_order
        ``"dmy"`` or ``"mdy"``: how the file's dates are written when their day and month could be either way round
        (``05/11/2026``). Without it a first field above 12 in any row settles the order; a file whose every date
        reads both ways is analysed all the same (its times of day give the samples' spacing) but left undated,
        with a note naming both dates and how to give the order (see :func:`stamp_format`).
    fmt
        The format being read (generic CSV, or AndroSensor / MetaWear which share this code).
    extra_source
        Metadata to add to the recording's source.

    Raises
    ------
    IngestError
        Missing or ambiguous columns, mixed units, too low a rate, or samples the core cannot use.
    """
    layout = _layout(data, what, sensor=sensor, rate_given=rate_hz is not None)
    dialect, raw_fields, first_row = layout.dialect, layout.fields, layout.first_row
    columns = _columns(raw_fields)
    acc_cols = _triple(columns, "acc")
    tcol = _time_column(raw_fields, first_row)
    if rate_hz is not None and not (np.isfinite(rate_hz) and rate_hz > 0):
        raise IngestError(f"the sampling rate must be a positive number of Hz, not {rate_hz!r}", reason="bad_rate")
    rate = rate_hz if rate_hz is not None else layout.stated_rate_hz
    counter = _counter_column(raw_fields)
    linear_cols = _named_triple(raw_fields, _LINEAR_WORDS)
    gravity_cols = _named_triple(raw_fields, _GRAVITY_WORDS)
    linear_sum = acc_cols is None and linear_cols is not None and gravity_cols is not None
    if linear_sum:
        acc_cols = linear_cols  # with gravity added once read (many Android loggers write these two sensors)
    elif acc_cols is None and linear_cols is not None:
        names = ", ".join(repr(raw_fields[c.index]) for c in linear_cols)
        raise IngestError(
            f"{what}: this file has linear acceleration only ({names}: gravity removed) and no gravity or total "
            "acceleration columns, so the walker's vertical cannot be found; export the accelerometer including "
            "gravity (or the gravity sensor's columns beside these) and try again",
            reason="gravity_missing",
        )
    counting = tcol is None and acc_cols is not None and rate is not None
    if acc_cols is None or (tcol is None and not counting):
        missing = ", ".join(
            part
            for part, bad in (
                ("a numeric time column", tcol is None),
                (f"x, y, z acceleration{_axes_found(columns, 'acc')}", acc_cols is None),
            )
            if bad
        )
        gyro_only = acc_cols is None and _triple(columns, "gyr") is not None
        hint = " (this looks like a gyroscope-only file: load the accelerometer file)" if gyro_only else ""
        if tcol is None and acc_cols is not None:
            counted = "row" if counter is None else "sample"
            # an unnamed column is pandas' index (gaitmap's): '' would read as a name
            named = f"the column {raw_fields[counter]!r}" if counter is not None and raw_fields[counter] else None
            hint = (
                " (if the rows were sampled at a fixed rate"
                if counter is None
                else f" ({named or 'the unnamed index column'} counts samples, it is no time"
            ) + (
                f": add a column time_s = {counted} number / sampling rate in Hz, e.g. 0, 0.01, 0.02 ... at 100 Hz; "
                "command line: or pass --rate-hz <Hz>)"
            )
        _refuse_unread_stamps(what, raw_fields, first_row)
        found = ", ".join(repr(f) for f in _own(raw_fields)[:12])
        raise IngestError(
            # a unit flag cannot make up a missing column: the header has to name it
            f"{what}: missing columns: {missing}{hint}; found {found}. Name the columns in the header as a generic "
            "CSV does, e.g. 'time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2' (the unit in each name), and try again",
            reason="missing_columns",
        )
    units = {c.unit for c in acc_cols}
    gravity_units = {c.unit for c in gravity_cols or []} - {None}
    if len(units - {None}) > 1 or (None in units and len(units) > 1) or len(gravity_units | units - {None}) > 1:
        raise IngestError(
            f"{what}: the acceleration columns declare different units ({', '.join(sorted(str(u) for u in units))}); "
            "convert them to one unit (m/s^2 or g) and try again",
            reason="mixed_units",
        )
    gyr_cols = _triple(columns, "gyr")
    if gyr_cols is not None and len({c.unit for c in gyr_cols}) > 1:
        raise IngestError(
            f"{what}: the gyroscope columns declare different units; convert them to deg/s or rad/s",
            reason="mixed_units",
        )
    tindex, tunit = tcol if tcol is not None else (counter, "counter")
    text_time = tunit in ("time_of_day", "date_time")
    data_cols = [c.index for c in acc_cols] + ([c.index for c in gyr_cols] if gyr_cols else [])
    gravity_at = 1 + len(data_cols)  # where the gravity columns, read last, are in the table read
    data_cols += [c.index for c in gravity_cols] if gravity_cols else []
    numeric_time = tindex is not None and not text_time
    # a second clock beside the time column (Sensor Logger's 'time' in epoch ns beside 'seconds_elapsed', renamed
    # 'Timestamp' by hand) may date the recording: read along, as the last column
    clock = _other_clock_column(raw_fields, first_row, skip=[tindex, *data_cols]) if tcol and numeric_time else None
    arr = read_numeric(
        data,
        what=what,
        dialect=dialect,
        skiprows=layout.skiprows,
        usecols=([tindex] if numeric_time else []) + data_cols + ([] if clock is None else [clock]),
        n_fields=len(raw_fields),
    )
    clock_raw = None if clock is None else arr[:, -1]
    text_epoch_s = None
    stamps = None
    notes: list[str] = []
    if text_time:
        # the stamps say their own unit: a --time-unit flag does not apply to them
        stamps, stamp_note = _read_stamp_column(data, what, layout, tindex, tunit, date_order, notes)
        text_epoch_s = stamps.epoch_s
        arr = np.column_stack([stamps.seconds, arr])
    elif tindex is None:
        arr = np.column_stack([np.arange(len(arr), dtype=np.float64), arr])
    arr = arr[:, : 1 + len(data_cols)]
    notes += _rate_notes(what, layout, rate_hz, raw_fields[tindex] if tcol else None)
    if sensor is not None and layout.sensor is None:
        notes.append(
            f"{what}: the sensor given ({sensor!r}) is not used: the file holds one sensor's columns under one header "
            "line"
        )

    unit = None if text_time or counting else time_unit or tunit
    if counting:
        assert rate is not None
        stated = layout.stated_line if rate_hz is None else None
        name = None if counter is None else raw_fields[counter]
        time_scale, time_note = 1.0 / rate, _counter_time(arr[:, 0], what, rate, name, stated, notes)
    elif text_time:
        time_scale, time_note = 1.0, stamp_note
    elif unit is not None:
        if unit not in TIME_SCALE_S:
            raise IngestError(f"unknown time unit {unit!r}: use s, ms, us or ns", reason="unknown_units")
        if time_unit is None:
            _check_named_unit(arr[:, 0], unit, raw_fields[tindex], what)
        time_scale, time_note = TIME_SCALE_S[unit], unit
    else:
        time_scale, time_note = guess_time_scale(arr[:, 0], what=what)
    time_raw = arr[:, 0] * time_scale
    t0 = float(time_raw[np.isfinite(time_raw)][0]) if np.isfinite(time_raw).any() else 0.0
    time_s = time_raw - t0

    acc = arr[:, 1:4]
    if gravity_cols is not None:
        gravity = arr[:, gravity_at : gravity_at + 3]
        finite_t = time_s[np.isfinite(time_s)]
        if linear_sum or _gravity_free_beside(acc, gravity, median_rate_hz(finite_t) or 100.0):
            acc = acc + gravity
            named = [", ".join(repr(raw_fields[c.index]) for c in cols) for cols in (acc_cols, gravity_cols)]
            notes.append(
                f"{what}: no acceleration including gravity; read as the linear acceleration ({named[0]}) plus the "
                f"gravity ({named[1]}), added column by column"
            )
    declared = acc_cols[0].unit or next((c.unit for c in gravity_cols or [] if c.unit), None)
    if acc_unit is not None and acc_unit not in ("ms2", "g", "mg"):
        raise IngestError(f"unknown acceleration unit {acc_unit!r}: use ms2, g or mg", reason="unknown_units")
    acc_rate_hz = median_rate_hz(time_s[np.isfinite(time_s)])
    if (declared or acc_unit) and fmt is not PHYSICS_TOOLBOX:  # its g-Force columns are in g by definition
        check_declared_acc_unit(acc, acc_rate_hz, declared or acc_unit, what=what, by_flag=not declared)
    a_unit = declared or acc_unit or infer_acc_unit(acc, acc_rate_hz)
    acc_ms2 = acc * acc_unit_scale(a_unit)
    sign = None
    if fmt is PHYSICS_TOOLBOX:
        # Android's g-Force Meter gives the normal force over the weight, +1 on z face up (our convention). The iOS
        # app ('gFTotal', date-and-time stamps) passes Core Motion's raw sign on: its one public sample reads
        # (0.035, -0.517, -0.821) g at the start of a recording, a phone held screen up and facing its user, which
        # is +0.5, +0.8 in Android's sign. The core finds the vertical either way (same steps), but laterality
        # (gait.laterality: up x forward against the gyroscope's roll) needs acceleration and gyroscope in one
        # right-handed convention, so iOS acceleration is negated and its gyroscope kept.
        ios = tunit == "date_time" or any(norm_name(f) == "gftotal" for f in raw_fields)
        sign = "ios_negated" if ios else "android"
        if ios:
            acc_ms2 = -acc_ms2

    gyr_dps = None
    g_unit = None
    gyr_note = None
    if gyr_cols is not None:
        gyr = arr[:, 4:7]
        g_unit = gyr_cols[0].unit
        if g_unit is None and fmt is PHYSICS_TOOLBOX:
            # Physics Toolbox's gyroscope (wx, wy, wz) is in rad/s, as Android and iOS give it, but its header says so
            # nowhere: the data may overrule it
            gyr_dps, g_unit = assumed_gyroscope_dps(time_s, acc_ms2, gyr, "rad", what=what, notes=notes)
        elif g_unit is None:
            g_unit = gyroscope_unit_from_data(time_s, acc_ms2, gyr)
            told = "from how the accelerometer turns"
            if g_unit is None:
                # too little turning to compare: walking turns reach a few rad/s but hundreds of deg/s
                p99 = float(np.nanpercentile(np.abs(gyr), 99)) if np.isfinite(gyr).any() else 0.0
                g_unit, told = ("deg" if p99 > 20.0 else "rad"), "from the size of its values"
            gyr_note = (
                f"{what}: the header names no gyroscope unit; read as {_UNIT_TEXT[g_unit]} {told}; name the columns "
                "with their unit (e.g. gyr_x_dps or gyr_x_rads) if that is wrong"
            )
        if gyr_dps is None:
            gyr_dps = gyr if g_unit == "deg" else gyr * DEG_PER_RAD

    rate = median_rate_hz(time_s[np.isfinite(time_s)])
    if fmt is ANDROSENSOR and 0 < rate < MIN_ACCEPTED_RATE_HZ:
        raise IngestError(
            f"{what}: AndroSensor logged this file at {rate:.1f} Hz (one row every {1000 / rate:.0f} ms), far too slow "
            f"to see steps (at least {MIN_SAMPLING_RATE_HZ:.0f} Hz is needed); in AndroSensor's settings set the "
            "recording interval to 'Very fast' or 10 ms and record again",
            reason="rate_too_low",
        )
    if fmt is PHYSICS_TOOLBOX and not gravity_present(acc_ms2[np.isfinite(acc_ms2).all(axis=1)], rate or 100.0):
        raise IngestError(
            f"{what}: this looks like linear acceleration (gravity removed): Physics Toolbox's Linear Accelerometer "
            "subtracts gravity, so the walker's vertical cannot be found; record with Physics Toolbox's g-Force Meter "
            "(gFx, gFy, gFz), or with Multi Record with the g-Force Meter and Gyroscope ticked, and export again",
            reason="gravity_missing",
        )
    gps = _androsensor_gps(data, what, dialect, raw_fields, time_scale, t0, tindex) if fmt is ANDROSENSOR else None
    source: dict[str, Any] = {
        "format": fmt.name,
        "file": what,
        "time_unit": time_note,
        "acc_unit": a_unit + ("" if declared or acc_unit else " (from the data)"),
        "gyr_unit": g_unit,
        "units": f"acceleration in {_UNIT_TEXT[a_unit]}" + (f", gyroscope in {_UNIT_TEXT[g_unit]}" if g_unit else ""),
        # A column named as an epoch dates the recording; else the time column itself, in the unit its header or
        # its sample spacing gives, when it holds Unix times.
        "start_epoch_s": text_epoch_s
        or start_epoch_s(raw_fields, first_row)
        or (None if counting else unix_start_s(time_raw))
        or (None if clock_raw is None else clock_start_s(clock_raw, time_raw)),
        **(extra_source or {}),
    }
    if stamps is not None and text_epoch_s is None:
        # a date and time without its zone (Physics Toolbox on iOS): the phone's local time, read in this computer's
        # zone as for AndroSensor; a time of day alone, or a date whose day and month are not told apart, dates
        # nothing
        source["started_at"] = stamps.local_start
    elif numeric_time and tcol and source["start_epoch_s"] is None:
        # a sensor's own clock (Polar's ns since 2000) dates nothing; the phone's date and time beside it may
        dated = _stamp_clock_start(
            data, what, layout, time_raw, skip=[tindex, *data_cols], date_order=date_order, notes=notes
        )
        if dated is not None:
            source["start_epoch_s"], source["started_at"] = dated
    if sign is not None:
        source["sign"] = sign
    if layout.sensor is not None:
        source["sensor"] = layout.sensor
    if not (declared or acc_unit) and fmt is GENERIC:
        # the header named no unit: say which one the data's size gave, so a wrong guess can be put right
        notes.append(
            f"{what}: the header names no acceleration unit; read as {_UNIT_TEXT[a_unit]} from the data's size "
            "(gravity about 9.8 m/s^2 = 1 g = 1000 mg); if that is wrong, name the columns with their unit (e.g. "
            "acc_x_g) (command line: or pass --acc-unit ms2|g|mg)"
        )
    if gyr_note is not None:
        notes.append(gyr_note)
    if notes:
        source["notes"] = notes
    if fmt is ANDROSENSOR:
        # AndroSensor's last column is the phone's local wall clock ('2022-10-02 18:09:00:359'), without its zone.
        # A phone's clock follows summer time: its last stamp and the walk's length (by the app's own timer) tell
        # which pass of the hour that comes twice a first stamp in it was.
        index = next((i for i, f in enumerate(raw_fields) if norm_name(f).startswith("yyyy-")), None)
        if index is not None and index < len(first_row):
            finite = time_s[np.isfinite(time_s)]
            length_s = float(finite[-1] - finite[0]) if finite.size else None
            source["started_at"] = wall_clock_start(
                first_row[index], last=_last_stamp(data, layout.dialect, index), length_s=length_s
            )
        else:
            source["started_at"] = None
    return build_recording(
        time_s,
        acc_ms2,
        gyr_dps,
        what=what,
        source=source,
        gps=gps,
        placement=placement,
        line_of=line_numbers(data, skiprows=layout.skiprows),
    )


def _counter_column(fields: list[str]) -> int | None:
    """Index of the column that numbers the samples (a named one before an unnamed index), or None."""
    found = [i for i, f in enumerate(fields) if _COUNTER_NAME.fullmatch(norm_name(f))]
    named = [i for i in found if norm_name(fields[i])]
    return (named or found or [None])[0]


def _rate_notes(what: str, layout: _Layout, rate_hz: float | None, time_name: str | None) -> list[str]:
    """What a reader says about a rate given or stated that it used differently from how it was meant."""
    if rate_hz is not None and time_name is not None:
        return [
            f"{what}: the sampling rate given ({rate_hz:g} Hz) is not used: the column {time_name!r} times the rows"
        ]
    if rate_hz is not None and layout.stated_rate_hz is not None and rate_hz != layout.stated_rate_hz:
        return [
            f"{what}: the file states {layout.stated_rate_hz:g} Hz ({layout.stated_line!r}); read at {rate_hz:g} Hz, "
            "the rate given"
        ]
    return []


COUNTER_WIDTHS: Final = (2**8, 2**16, 2**32)
"""Moduli a sensor's sample counter may wrap at (an 8-, 16- or 32-bit field: Xsens MTw's PacketCounter is 16-bit)."""
MAX_WRAP_GAP: Final = 1000
"""Most samples a counter may skip across a wrap and still be read as wrapping (10 s at 100 Hz): a larger drop is
time going backwards, refused as such."""


def _unwrap_counter(counts: np.ndarray) -> list[int]:
    """Count on, in place, across each place where a sample counter of fixed width starts again from 0.

    A drop is a wrap when, for one of :data:`COUNTER_WIDTHS`, the counter was near the top of that width and went
    on by 1 to :data:`MAX_WRAP_GAP` samples (a quarter of an 8-bit field) modulo it: the lost packets of a radio link
    included. Returns the widths wrapped at, one per wrap.

    Examples
    --------
    >>> c = np.array([65534.0, 65535.0, 0.0, 1.0, 3.0])
    >>> _unwrap_counter(c), c.tolist()
    ([65536], [65534.0, 65535.0, 65536.0, 65537.0, 65539.0])
    >>> _unwrap_counter(np.array([10.0, 11.0, 5.0]))  # backwards, no wrap: left for the time checks to refuse
    []
    """
    wraps: list[int] = []
    finite = np.flatnonzero(np.isfinite(counts))
    drops = finite[1:][np.diff(counts[finite]) < 0]
    for i in drops:
        before = counts[finite[finite < i][-1]]
        for width in COUNTER_WIDTHS:
            # near the top of the field before, near 0 after: a small counter (8 bits) allows a quarter of its range
            limit = min(MAX_WRAP_GAP, width // 4)
            if width - limit <= before < width and 1 <= counts[i] + width - before <= limit:
                counts[i:] += width
                wraps.append(width)
                break
    return wraps


def _counter_time(
    counts: np.ndarray, what: str, rate_hz: float, counter: str | None, stated_line: str | None, notes: list[str]
) -> str:
    """Check a sample counter (whole numbers) and say how time was made of it (or of the row order), noting gaps
    in the counter and a rate the file stated (``stated_line``, when that rate was used)."""
    name = {None: "the row order", "": "the unnamed index column"}.get(counter, f"the sample counter {counter!r}")
    finite = counts[np.isfinite(counts)]
    if counter is not None and finite.size and not np.array_equal(finite, np.round(finite)):
        bad = finite[finite != np.round(finite)][0]
        column = f"the column {counter!r}" if counter else name
        raise IngestError(
            f"{what}: {column} holds {bad:g}, not a sample number; if it is the time, name it with its "
            "unit (e.g. time_s or time_ms)",
            reason="missing_columns",
        )
    wraps = _unwrap_counter(counts) if counter is not None else []
    if wraps:
        finite = counts[np.isfinite(counts)]
        notes.append(
            f"{what}: {name} wraps around {len(wraps)} time(s) (at {', '.join(f'{w:,}' for w in sorted(set(wraps)))}: "
            "a sensor's counter of fixed width starts again from 0); counted on across each wrap"
        )
    steps = np.diff(finite)
    missing = int(np.sum(steps[steps > 1] - 1))
    if missing:
        notes.append(
            f"{what}: {name} skips {missing} sample number(s) in {int(np.sum(steps > 1))} place(s) (samples the "
            "sensor lost, as radio links drop packets); the times follow the counter"
        )
    if stated_line is not None:
        notes.append(
            f"{what}: times from {name} at {rate_hz:g} Hz, the rate the file states ({stated_line!r}); if the "
            "sensor ran at another rate, add a column time_s (command line: or pass --rate-hz <Hz>)"
        )
    return f"{name} at {rate_hz:g} Hz" + (" (stated in the file)" if stated_line else " (as given)")


def _androsensor_gps(
    data: bytes, what: str, dialect: Dialect, fields: list[str], time_scale: float, t0: float, tindex: int
) -> Any:
    low = [norm_name(f) for f in fields]

    def col(prefix: str) -> int | None:
        return next((i for i, f in enumerate(low) if f.startswith(prefix)), None)

    lat, lon = col("location latitude"), col("location longitude")
    if lat is None or lon is None:
        return None
    acc_col = col("location accuracy")
    usecols = [tindex, lat, lon] + ([acc_col] if acc_col is not None else [])
    arr = read_numeric(data, what=what, dialect=dialect, skiprows=1, usecols=usecols)
    return build_gps(arr[:, 0] * time_scale - t0, arr[:, 1], arr[:, 2], arr[:, 3] if acc_col is not None else None)


def read_oxford(data: bytes, what: str, *, placement: Placement | str | None = None) -> Recording:
    """Read the Oxford step-counter ``accelerometer.csv``: no header; t_ns (since boot), accuracy, ax, ay, az."""
    lines = head_lines(data, 1, what=what)
    n_fields = len(lines[0].split(","))
    if n_fields != 5:
        raise IngestError(
            f"{what}: expected 5 columns (t_ns, accuracy, ax, ay, az), found {n_fields}", reason="missing_columns"
        )
    arr = read_numeric(data, what=what, dialect=Dialect(), skiprows=0, usecols=[0, 2, 3, 4], n_fields=5)
    time_s = (arr[:, 0] - arr[0, 0]) * 1e-9
    source = {"format": OXFORD.name, "file": what, "units": "m/s^2 with gravity (Android TYPE_ACCELEROMETER)"}
    return build_recording(
        time_s, arr[:, 1:4], None, what=what, source=source, placement=placement, line_of=line_numbers(data, skiprows=0)
    )


GENEACTIV_LOCATIONS: dict[str, Placement] = {
    "back": Placement.LOWER_BACK,
    "lower back": Placement.LOWER_BACK,
    "lumbar": Placement.LOWER_BACK,
    "waist": Placement.WAIST,
    "hip": Placement.WAIST,
    "wrist": Placement.WRIST,
    "chest": Placement.CHEST,
    "thigh": Placement.POCKET,
}
"""GENEActiv 'Device Location Code' words (GENEActiv PC software writes e.g. 'left wrist', 'waist', 'back') and our
placements. A thigh strap moves with the thigh as a phone in a trouser pocket does (the pocket model's own carry).
An ankle or upper arm has no placement of ours: the walker is asked (an ankle is not a shoe sensor's foot), never
given another placement's figures (:func:`unmodelled_location`)."""


def geneactiv_placement(code: str | None) -> Placement | None:
    """The placement a GENEActiv header's location code names, or None (unknown, ankle, upper arm, empty).

    Examples
    --------
    >>> geneactiv_placement("left wrist"), geneactiv_placement("back"), geneactiv_placement("left ankle")
    (<Placement.WRIST: 'wrist'>, <Placement.LOWER_BACK: 'lower_back'>, None)
    >>> geneactiv_placement("Right thigh")
    <Placement.POCKET: 'pocket'>
    """
    words = re.sub(r"[\s_\-]+", " ", (code or "").strip().lower())
    words = re.sub(r"^(left|right) ", "", words)
    return GENEACTIV_LOCATIONS.get(words)


def unmodelled_location(source: dict[str, Any]) -> str | None:
    """The body location a recording's header names that no placement of ours models (a GENEActiv 'right ankle'),
    or None (none named, or one we model).

    Examples
    --------
    >>> unmodelled_location({"device_location": "Right Ankle"}), unmodelled_location({"device_location": "back"})
    ('Right Ankle', None)
    >>> unmodelled_location({"device_location": "not specified"}) is None
    True
    """
    code = str(source.get("device_location") or "").strip()
    unsaid = code.lower().replace("_", " ") in {"", "not specified", "unspecified", "unknown", "none", "n/a", "other"}
    return None if unsaid or geneactiv_placement(code) is not None else code


def read_geneactiv(data: bytes, what: str, *, placement: Placement | str | None = None) -> Recording:
    """Read a GENEActiv raw CSV: ``key,value`` header lines, then ``timestamp,x,y,z,lux,button,temp`` in g."""
    lines = head_lines(data, 200, what=what)
    start = next((i for i, line in enumerate(lines) if _GENEACTIV_ROW.match(line)), None)
    if start is None:
        raise IngestError(
            f"{what}: no GENEActiv data rows ('YYYY-MM-DD HH:MM:SS:mmm,x,y,z,...') within the first 200 lines; "
            "export the raw data as CSV from GENEActiv PC software",
            reason="missing_columns",
        )
    meta = {}
    for line in lines[:start]:
        key, _, value = line.partition(",")
        if key.strip():
            meta[key.strip()] = value.strip()
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            header=None,
            skiprows=start,
            usecols=[0, 1, 2, 3],
            names=["t", "x", "y", "z"],
            dtype={"t": str, "x": np.float64, "y": np.float64, "z": np.float64},
            engine="c",
        )
        stamps = pd.to_datetime(frame["t"].str.strip(), format="%Y-%m-%d %H:%M:%S:%f")
    except (ValueError, TypeError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise IngestError(
            f"{what}: GENEActiv data rows are malformed ({str(exc).splitlines()[0][:120]}); export the file again",
            reason="malformed",
        ) from None
    ns = stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    time_s = (ns - ns[0]) * 1e-9
    source = {
        "format": GENEACTIV.name,
        "file": what,
        "app": "GENEActiv",
        "device": f"{meta.get('Device Type', 'GENEActiv')} {meta.get('Device Model', '')}".strip(),
        "app_version": meta.get("Device Firmware Version"),
        "declared_rate_hz": meta.get("Measurement Frequency"),
        # The rows are the device's wall clock; its header names the zone ('Time Zone,GMT -04').
        "started_at": wall_clock_start(frame["t"].iloc[0], meta.get("Time Zone")),
        "device_location": meta.get("Device Location Code"),
        "units": "acceleration in g",
    }
    acc = frame[["x", "y", "z"]].to_numpy(dtype=np.float64) * acc_unit_scale("g")
    # the header says where the device was worn: used unless the user says otherwise
    placement = placement or geneactiv_placement(source["device_location"])
    return build_recording(
        time_s, acc, None, what=what, source=source, placement=placement, line_of=line_numbers(data, skiprows=start)
    )


def _other_clock_column(
    fields: list[str], first_row: list[str], *, skip: list[int], stamps: bool = False
) -> int | None:
    """Index of a column named as a time ('Timestamp', 'time', 'ts'...) that is not read already: a numeric one, or
    with ``stamps`` one holding dates and times (:func:`clock_kind`)."""
    for i, name in enumerate(fields):
        words = re.split(r"[\s_\-]+", norm_name(name).split("(")[0].strip())
        if i in skip or i >= len(first_row) or not any(w in _TIME_WORDS for w in words):
            continue
        if stamps and clock_kind(first_row[i]) == "date_time":
            return i
        if not stamps and _numeric(first_row[i]):
            return i
    return None


def _date_column(fields: list[str], first_row: list[str], *, time_index: int) -> int | None:
    """Index of a column named as a date ('Date', 'date (dd/mm/yyyy)') whose first value is a date that, written
    before the time of day in column ``time_index``, reads as one of :data:`STAMP_FORMS`; else None.

    Examples
    --------
    >>> _date_column(["Date", "Time", "X"], ["05/11/2026", "14:03:07.123", "0.1"], time_index=1)
    0
    >>> _date_column(["Date", "Time", "X"], ["Thursday", "14:03:07.123", "0.1"], time_index=1) is None
    True
    """
    if time_index >= len(first_row):
        return None
    time = _normal_stamps(pd.Series([first_row[time_index]])).iloc[0]
    for i, name in enumerate(fields):
        words = re.split(r"[\s_\-]+", norm_name(name).split("(")[0].strip())
        if i == time_index or i >= len(first_row) or not any(w in ("date", "datum", "day") for w in words):
            continue
        if clock_kind(f"{first_row[i].strip().strip(chr(34))} {time}") == "date_time":
            return i
    return None


def _numeric(text: str) -> bool:
    """Whether a field reads as a number (with a decimal point or comma)."""
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def _refuse_unread_stamps(what: str, fields: list[str], first_row: list[str]) -> None:
    """Refuse a file whose column named as a time holds text that is no time stamp read here (``Nov 5th 2pm``),
    naming the column, its first value and the forms that are read."""
    for i, name in enumerate(fields):
        words = re.split(r"[\s_\-]+", norm_name(name).split("(")[0].strip())
        value = first_row[i].strip().strip('"') if i < len(first_row) else ""
        if any(w in _TIME_WORDS for w in words) and value and not _numeric(value):
            raise IngestError(
                f"{what}: the time column {name!r} holds {value!r} (its first value), which is no time stamp read "
                "here; write the times as seconds (a column time_s: 0, 0.01, 0.02 ...) or as dates and times in one "
                f"of these forms: {STAMP_FORMS}",
                reason="unreadable_time",
            )


def _undated_note(what: str, column: str, texts: pd.Series, fmt: StampFormat) -> str:
    """Why a recording whose dates read both day first and month first is not dated by them, and how to date it."""
    first = str(texts.dropna().iloc[0]).strip().strip('"')
    return (
        f"{what}: the dates in the column {column!r} ({first!r}) read as {date_readings(texts, fmt)}, so they do not "
        "date the walk (its steps and strides are the same either way); to date it, export the dates as YYYY-MM-DD "
        "or give its date when you upload it (command line: or pass --date-order dmy|mdy)"
    )


def _read_stamp_column(
    data: bytes, what: str, layout: _Layout, index: int, kind: str, date_order: str | None, notes: list[str]
) -> tuple[Stamps, str]:
    """The time column of text stamps read (:func:`clock_seconds`), and its unit as ``source["time_unit"]`` says
    it; a note is added to ``notes`` when its dates do not date the recording."""
    text = read_text(data, dialect=layout.dialect, skiprows=layout.skiprows, column=index)
    column = layout.fields[index]
    if kind == "time_of_day":
        date_index = _date_column(layout.fields, layout.first_row, time_index=index)
        if date_index is None:
            return clock_seconds(text, kind), "time of day"
        # a date column beside the time of day (Date,Time,...): the two read as one stamp date the recording
        dates = read_text(data, dialect=layout.dialect, skiprows=layout.skiprows, column=date_index)
        text = dates.astype("string").str.strip().str.strip('"') + " " + _normal_stamps(text)
        kind, column = "date_time", f"{layout.fields[date_index]} + {column}"
    fmt = stamp_format(text, date_order=date_order, what=what, column=column) or StampFormat("ISO8601")
    if fmt.other is not None:
        notes.append(_undated_note(what, column, text, fmt))
    return clock_seconds(text, kind, fmt), "date and time" + (f" ({DATE_ORDERS[fmt.order]})" if fmt.order else "")


def _stamp_clock_start(
    data: bytes,
    what: str,
    layout: _Layout,
    time_raw: np.ndarray,
    *,
    skip: list[int],
    date_order: str | None,
    notes: list[str],
) -> tuple[float | None, str | None] | None:
    """The start of a recording timed by a clock that dates nothing (a sensor's own), from a column of dates and
    times beside it that runs as long (:data:`CLOCK_SPAN_TOLERANCE`: Polar Sensor Logger's 'Phone timestamp' beside
    its 'sensor timestamp [ns]'): (Unix seconds, None) for stamps with a UTC offset, (None, local ISO 8601) for
    stamps without, or None."""
    index = _other_clock_column(layout.fields, layout.first_row, skip=skip, stamps=True)
    if index is None:
        return None
    text = read_text(data, dialect=layout.dialect, skiprows=layout.skiprows, column=index)
    column = layout.fields[index]
    fmt = stamp_format(text, date_order=date_order, what=what, column=column)
    if fmt is None:
        return None
    stamps = clock_seconds(text, "date_time", fmt)
    if not _spans_agree(stamps.seconds, time_raw):
        return None
    if fmt.other is not None:
        notes.append(_undated_note(what, column, text, fmt))
        return None
    return stamps.epoch_s, stamps.local_start


CLOCK_SPAN_TOLERANCE: Final = 0.01
"""How far (share of the recording's span) a second clock column may run from the time column and still be read as
the same samples' Unix times."""


def clock_start_s(clock_raw: np.ndarray, time_s: np.ndarray) -> float | None:
    """The recording's start as Unix seconds from a second clock column, else None.

    The clock's unit (s, ms, us or ns) must put its first value in this century and make it run as long as the time
    column (within :data:`CLOCK_SPAN_TOLERANCE`): a clock since boot in nanoseconds that would read as an epoch in
    milliseconds runs 1000 times too long, and dates nothing.

    Examples
    --------
    >>> clock_start_s(np.array([1729260574556450300.0, 1729260574566033200.0]), np.array([0.0504502, 0.0600332]))
    1729260574.5564504
    >>> clock_start_s(np.array([1.2e12, 1.2e12 + 9.6e6]), np.array([0.0, 0.0096])) is None  # ns since boot
    True
    """
    ok = np.isfinite(clock_raw) & np.isfinite(time_s)
    if ok.sum() < 2:
        return None
    for scale in (1.0, 1e-3, 1e-6, 1e-9):
        first_s = float(clock_raw[ok][0]) * scale
        if EPOCH_RANGE_S[0] <= first_s <= EPOCH_RANGE_S[1] and _spans_agree(clock_raw * scale, time_s):
            return first_s
    return None


def _spans_agree(clock_s: np.ndarray, time_s: np.ndarray) -> bool:
    """Whether a second clock runs as long as the time column, first to last sample both have (within
    :data:`CLOCK_SPAN_TOLERANCE`), so that both time the same samples."""
    ok = np.isfinite(clock_s) & np.isfinite(time_s)
    if ok.sum() < 2:
        return False
    clock, time = clock_s[ok], time_s[ok]
    span_s = float(time[-1] - time[0])
    return span_s > 0 and abs(float(clock[-1] - clock[0]) - span_s) <= CLOCK_SPAN_TOLERANCE * span_s


def start_epoch_s(fields: list[str], first_row: list[str]) -> float | None:
    """The recording's start as Unix seconds, from the first row of a column named as an epoch, else None.

    (A generic CSV's time column is also read as a date when its times are Unix times: see ``read_generic``.)

    MetaWear writes 'epoc (ms)' beside its elapsed time; other loggers 'epoch', 'epoch_ms'. The unit is the one
    (s, ms, us, ns) that puts the value in this century; a clock since boot or since the start dates nothing.

    Examples
    --------
    >>> start_epoch_s(["epoc (ms)", "elapsed (s)", "x-axis (g)"], ["1659731173153", "0.000", "0.99"])
    1659731173.153
    >>> start_epoch_s(["time_s", "acc_x_ms2"], ["0.0", "9.8"]) is None
    True
    """
    for name, value in zip(fields, first_row, strict=False):
        if "epoc" not in name.lower():
            continue
        try:
            raw = float(value)
        except ValueError:
            continue
        for scale in (1.0, 1e-3, 1e-6, 1e-9):
            if EPOCH_RANGE_S[0] <= raw * scale <= EPOCH_RANGE_S[1]:
                return raw * scale
    return None


def wall_clock_start(
    stamp: str, zone: str | None = None, *, last: str | None = None, length_s: float | None = None
) -> str | None:
    """A logger's wall-clock time stamp as ISO-8601 with its UTC offset, or None when it is not one.

    Parameters
    ----------
    stamp
        ``YYYY-MM-DD HH:MM:SS`` with optional milliseconds after ``:``, ``.`` or ``_`` (GENEActiv
        ``2019-08-06 10:25:45:000``, AndroSensor ``2022-10-02 18:09:00:359``).
    zone
        The file's zone (GENEActiv ``GMT -04``). Without one the stamp is read in this computer's zone: a phone
        logs its owner's local time, and the owner's computer is usually set to the same zone.
    last, length_s
        The clock's last stamp and the recording's length in s by its own timer, for a clock that follows summer
        time (a phone's): a ``stamp`` in the hour that comes twice is read as the pass from which the recording
        ends at ``last`` (:func:`_local_pass`). Without them, as the first pass.

    Examples
    --------
    >>> wall_clock_start("2019-08-06 10:25:45:000", "GMT -04")
    '2019-08-06T10:25:45-04:00'
    >>> wall_clock_start("n/a") is None
    True
    """
    when = _wall_clock(stamp)
    if when is None:
        return None
    z = _GMT_OFFSET.match(zone) if zone else None
    if z is None:
        end = _wall_clock(last) if last is not None and length_s is not None else None
        return _local_pass(when, end, length_s or 0.0).isoformat(timespec="seconds")
    sign = -1 if z.group(1) == "-" else 1
    offset = timedelta(hours=int(z.group(2) or 0), minutes=int(z.group(3) or 0))
    return when.replace(tzinfo=UTC if not offset else timezone(sign * offset)).isoformat(timespec="seconds")


_LAST_STAMP_BYTES: Final = 64 * 1024
"""How far from its end a delimited file is searched for its clock's last stamp (a few hundred rows)."""


def _last_stamp(data: bytes, dialect: Dialect, index: int) -> str | None:
    """Field ``index`` of the last line of a delimited file in which it is a wall-clock stamp (a clock's last stamp),
    or None without one near the end: a last line cut off while copying (before or inside its stamp) or a stamp left
    unreadable gives way to the line before, a few rows earlier than the walk's end, far less than the hour the
    stamp tells apart."""
    lines = data[-_LAST_STAMP_BYTES:].split(b"\n")
    if len(data) > _LAST_STAMP_BYTES:
        lines = lines[1:]  # the first began before the part searched
    for line in reversed(lines):
        try:
            fields = split_fields(line.decode("utf-8", errors="replace").strip(), dialect)
        except IngestError:
            continue  # a line that cannot be split (a stray carriage return inside it): the one before
        if index < len(fields) and _wall_clock(fields[index]) is not None:
            return fields[index]
    return None


def _wall_clock(stamp: str) -> datetime | None:
    """A wall-clock stamp (:func:`wall_clock_start`) as a date and time without zone, or None when it is not one."""
    m = _WALL_CLOCK.match(stamp.strip())
    if m is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    micro = int((m.group(7) or "0").ljust(6, "0"))
    try:
        return datetime(year, month, day, hour, minute, second, micro)
    except ValueError:
        return None


def read_metawear(data: bytes, what: str, *, placement: Placement | str | None = None) -> Recording:
    """Read a MetaWear / MetaBase CSV (``epoc (ms),timestamp (...),elapsed (s),x-axis (g),...``)."""
    return read_generic(
        data, what, placement=placement, fmt=METAWEAR, extra_source={"app": "MetaBase", "device": "MetaWear"}
    )


def read_metawear_gyroscope(data: bytes, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Read a MetaBase Gyroscope CSV (``epoc (ms),timestamp (...),elapsed (s),x-axis (deg/s),...``).

    Returns
    -------
    tuple of numpy.ndarray
        Unix times in s of the rows (from ``epoc (ms)``, which lines the gyroscope up with the accelerometer file
        of the same session: each sensor's file is stamped on its own), in increasing order without repeats, and
        the angular rates in deg/s, shape (n, 3).

    Raises
    ------
    IngestError
        When the file has no ``epoc`` column or no x, y, z gyroscope columns, or too few rows.
    """
    layout = _layout(data, what)
    fields = layout.fields
    gyr_cols = _triple(_columns(fields), "gyr")
    epoc = next((i for i, f in enumerate(fields) if norm_name(f).startswith("epoc")), None)
    if gyr_cols is None or epoc is None:
        found = ", ".join(repr(f) for f in fields[:12])
        raise IngestError(
            f"{what}: not a MetaBase Gyroscope file: it needs an 'epoc (ms)' column and x-axis, y-axis and z-axis "
            f"(deg/s) columns; found {found}. Export the session from MetaBase again",
            reason="missing_columns",
        )
    arr = read_numeric(
        data,
        what=what,
        dialect=layout.dialect,
        skiprows=layout.skiprows,
        usecols=[epoc] + [c.index for c in gyr_cols],
        n_fields=len(fields),
    )
    arr = arr[np.isfinite(arr).all(axis=1)]
    epoch_s, first = np.unique(arr[:, 0] * TIME_SCALE_S["ms"], return_index=True)
    gyr = arr[first, 1:4]
    if len(epoch_s) < 2:
        raise IngestError(f"{what}: fewer than two gyroscope rows; record for longer", reason="empty")
    return epoch_s, gyr if gyr_cols[0].unit != "rad" else gyr * DEG_PER_RAD


def read_physics_toolbox(data: bytes, what: str, *, placement: Placement | str | None = None) -> Recording:
    """Read a Physics Toolbox Sensor Suite CSV: g-Force Meter or Multi Record (g with gravity, gyroscope in rad/s).

    The time column holds seconds since the start, a time of day (``23:43:56:095``, Android) or a date and time
    (``2018-10-03 17:23:55.4640``, iOS); only the last dates the recording. iOS acceleration is negated to Android's
    sign (see :func:`read_generic`). A Linear Accelerometer file (``time,ax,ay,az,aT``, gravity removed) is refused
    with what to record instead.
    """
    return read_generic(
        data, what, placement=placement, fmt=PHYSICS_TOOLBOX, extra_source={"app": "Physics Toolbox Sensor Suite"}
    )


def read_androsensor(data: bytes, what: str, *, placement: Placement | str | None = None) -> Recording:
    """Read an AndroSensor CSV; refuses slow logs (2 Hz by default in some setups) with advice."""
    return read_generic(data, what, placement=placement, fmt=ANDROSENSOR, extra_source={"app": "AndroSensor"})


__all__ = [
    "ANDROSENSOR",
    "GENEACTIV",
    "GENERIC",
    "METAWEAR",
    "OXFORD",
    "PHYSICS_TOOLBOX",
    "clock_kind",
    "clock_seconds",
    "detect",
    "guess_time_scale",
    "read_androsensor",
    "read_geneactiv",
    "read_generic",
    "read_metawear",
    "read_metawear_gyroscope",
    "read_oxford",
    "read_physics_toolbox",
    "side_of_sensor",
]
