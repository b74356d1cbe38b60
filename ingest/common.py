"""What every reader shares: format descriptions, unit conversion, time ordering and building the Recording.

Readers only find and parse columns; the rules on duplicate or backwards time stamps, units and validation live
here once, so every format behaves the same.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np

from gait.coach.text import plural
from gait.consts import GRAVITY_MS2
from gait.errors import GaitError
from gait.tracker import MAX_GAP_S
from gait.types import GpsTrack, Placement, Recording
from gait.validate import (
    DEG_PER_RAD,
    GYRO_UNIT_SPLIT,
    acceleration_magnitudes,
    check_samples,
    gravity_unit,
    gyroscope_turn_ratio,
    gyroscope_unit,
    median_rate_hz,
    sample_index,
)
from ingest.errors import IngestError

MAX_SORTABLE_JUMP_S: Final = 1.0
"""Out-of-order stamps that go back less than this (in one step, or over consecutive rows whose time keeps
falling) are logger jitter and are sorted; more is a clock reset, two files joined or rows in reverse order, which
sorting would interleave or hide, so they are refused, as is time that falls on every row."""

MAX_MERGED_DUPLICATE_SHARE: Final = 0.01
"""Share of rows that may repeat the time stamp before them with different values and be merged (a logger's
occasional glitch); more is a time axis that lost its resolution or two streams in one file, which merging would
hide, so it is refused. A time axis rounded to the sampling step repeats on about every other row."""

MAX_MISSING_ROW_SHARE: Final = 0.05
"""Share of rows that may miss a value (an empty cell, NaN or inf: a sample a phone logger lost) and be dropped,
when no run of them leaves a hole longer than :data:`gait.tracker.MAX_GAP_S` (the gap the analysis bridges inside a
walk, where a longer one starts a new walk segment). More is a broken column or export, which dropping would hide,
so it is refused."""

GRAVITY_PRESENT_MIN_MS2: Final = 5.0
"""Median norm of 1-s mean acceleration above which gravity is present (about 9.8 with, under 2 without)."""


@dataclass(frozen=True)
class FormatInfo:
    """One supported input format, as ``gait formats`` lists it.

    Attributes
    ----------
    name
        Identifier accepted by ``--format``.
    description
        One line for users.
    patterns
        File and folder patterns the format is recognised by.
    checked_versions
        App and firmware versions whose real exports the reader was checked against.
    samples
        False for summary exports (Apple Health) that cannot be analysed stride by stride.
    phone
        True for a phone app's export: without a placement from the user, a phone is assumed in a pocket (the
        commonest carry), not on the lower back as a body-worn sensor is.
    """

    name: str
    description: str
    patterns: tuple[str, ...]
    checked_versions: tuple[str, ...]
    samples: bool = True
    phone: bool = False


def acc_unit_scale(unit: str) -> float:
    """Factor from ``unit`` (``"ms2"``, ``"g"``, ``"mg"``) to m/s^2."""
    return {"ms2": 1.0, "g": GRAVITY_MS2, "mg": GRAVITY_MS2 / 1000.0}[unit]


def infer_acc_unit(acc: np.ndarray, rate_hz: float = 100.0) -> str:
    """Tell g and milli-g from m/s^2 by gravity's magnitude in the data (about 1, 1000 or 9.8).

    Uses the mean acceleration vector over about a second (see :func:`gait.validate.acceleration_magnitudes`),
    which is gravity whatever the walking does; ``"ms2"`` when that fits no unit (gravity removed, or implausible
    values), which validation then explains.
    """
    _, gravity = acceleration_magnitudes(acc, rate_hz)
    return {"g": "g", "milli-g": "mg"}.get(gravity_unit(gravity) or "", "ms2")


def gravity_present(acc_ms2: np.ndarray, rate_hz: float) -> bool:
    """True when acceleration includes gravity, judged from the data, never from a file name.

    The mean vector over about one second keeps gravity (norm near 9.8 whatever the orientation) and averages
    walking accelerations out, so linear-acceleration exports (norm of the mean under 2) are told apart even
    when their instantaneous magnitude is large during brisk walking.
    """
    _, gravity = acceleration_magnitudes(acc_ms2, rate_hz)
    return gravity > GRAVITY_PRESENT_MIN_MS2


LineOf = Callable[[int], int]
"""Maps a data row's index (0-based, as read) to its line number in the file (1-based, as an editor shows it)."""


def _at(line_of: LineOf | None, row: int) -> str:
    return f"line {line_of(row)}" if line_of is not None else sample_index(row)


def order_samples(
    time_s: np.ndarray,
    values: np.ndarray,
    *,
    what: str,
    line_of: LineOf | None = None,
    notes: list[str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return samples in strictly increasing time, or raise when the order cannot be fixed unambiguously.

    See :func:`order_rows`, which also returns where each kept sample came from.
    """
    time_s, values, _ = order_rows(time_s, values, what=what, line_of=line_of, notes=notes)
    return time_s, values


def order_rows(
    time_s: np.ndarray,
    values: np.ndarray,
    *,
    what: str,
    line_of: LineOf | None = None,
    notes: list[str] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Return samples in strictly increasing time and the index each came from, or raise with the file line.

    An incomplete last row (a recording cut off mid-line, as when the phone's battery dies) is dropped and said
    so in ``notes``; exact duplicate rows (same time and values, as loggers sometimes write twice) are dropped, and
    a few samples (up to :data:`MAX_MERGED_DUPLICATE_SHARE` of the rows) sharing a time stamp with different values
    are merged into their mean, and rows with a missing or non-finite value are dropped when few and isolated (see
    :data:`MAX_MISSING_ROW_SHARE`), each said in ``notes``.
    Stamps that go back by less than :data:`MAX_SORTABLE_JUMP_S` are logger jitter and sorted. Everything else
    raises :class:`IngestError` naming the line: many or long runs of missing values, time going back by more (a clock
    reset, joined files, a reversed stretch of rows), time falling on every row (a reversed file), or more shared
    time stamps than a glitch makes (a rounded time axis).

    Parameters
    ----------
    time_s, values
        Times, shape (n,), and the values of each row, shape (n, k), as read from the file.
    what
        File name for messages.
    line_of
        The file line of a data row, for messages (by default the sample index is named).
    notes
        Where to say what was dropped.

    Returns
    -------
    tuple
        Times, values and the original row index of each kept sample, None when sample ``i`` is row ``i`` (no
        index array is built for a file in order: a day of data would need 70 MB for it).
    """
    rows: np.ndarray | None = None
    if len(time_s) < 2:
        return time_s, values, rows
    finite = np.isfinite(time_s) & np.isfinite(values).all(axis=1)
    if not finite[-1] and finite[:-1].all():
        # A recording cut off by the app or the phone leaves a partial last line; that row alone is dropped.
        if notes is not None:
            notes.append(
                f"{what}: the last row ({_at(line_of, len(time_s) - 1)}) was incomplete (the recording was cut off "
                f"mid-line) and was dropped; the {len(time_s) - 1} complete rows before it were used"
            )
        time_s, values, finite = time_s[:-1], values[:-1], finite[:-1]
        if len(time_s) < 2:
            return time_s, values, rows
    if not finite.all():
        time_s, values, rows = _drop_missing_rows(time_s, values, finite, what=what, line_of=line_of, notes=notes)
        if len(time_s) < 2:
            return time_s, values, rows
    dropped = rows

    def where(i: int) -> str:
        """The file position of sample ``i`` before sorting (after rows with missing values were dropped)."""
        return _at(line_of, i if dropped is None else int(dropped[i]))

    dt = np.diff(time_s)
    if (dt > 0).all():
        return time_s, values, rows
    back = dt < 0
    if back.any():
        if back.all():
            raise IngestError(
                f"{what}: time runs backwards on every row, from {float(time_s[0])!r} s on "
                f"{where(0)} down to {float(time_s[-1])!r} s on {where(len(time_s) - 1)}: the rows are "
                "in reverse order; sort them by time, oldest first, and try again",
                reason="time_backwards",
            )
        # Each run of rows whose time keeps falling goes back by its first minus its last time stamp.
        edges = np.diff(np.concatenate(([0], back.astype(np.int8), [0])))
        run_start, run_end = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        drop_s = time_s[run_start] - time_s[run_end]
        worst = int(np.argmax(drop_s))
        if drop_s[worst] >= MAX_SORTABLE_JUMP_S:
            a, b = int(run_start[worst]), int(run_end[worst])
            span = "" if b == a + 1 else f" through {where(b)}"
            raise IngestError(
                f"{what}: time goes back by {drop_s[worst]:.3f} s on {where(a + 1)}{span} "
                f"({float(time_s[a])!r} s on the line before -> {float(time_s[b])!r} s); the clock was reset, two "
                "recordings were joined or the rows are out of order: sort the rows by time, or split the file at "
                "that line and load each part",
                reason="time_backwards",
            )
        if notes is not None:
            first = int(run_start[0])
            notes.append(
                f"{what}: {plural(int(back.sum()), 'time stamp')} went back (by up to {drop_s[worst]:.3f} s, the "
                f"first on {where(first + 1)}): logger jitter, so the rows were sorted by time"
            )
        order = np.argsort(time_s, kind="stable")
        time_s, values, rows = time_s[order], values[order], (order if rows is None else rows[order])
        dt = np.diff(time_s)
    same = dt == 0
    if same.any():
        equal_rows = np.all(values[1:] == values[:-1], axis=1)
        conflict = same & ~equal_rows
        if conflict.any():
            row = int(np.argmax(conflict)) + 1
            first, second = (_at(line_of, row - 1 + k if rows is None else int(rows[row - 1 + k])) for k in (0, 1))
            n_conflict = int(conflict.sum())
            if n_conflict > MAX_MERGED_DUPLICATE_SHARE * len(time_s):
                raise IngestError(
                    f"{what}: {plural(n_conflict, 'time stamp')} of {len(time_s)} rows are shared by two different "
                    f"samples, the first {float(time_s[row])!r} ({first} and {second}): the time column lost its "
                    "resolution (rounded to fewer decimals, as a spreadsheet re-saving the file does) or the file "
                    "mixes two streams; load the file the app exported, unedited, or format the time column with "
                    "6 decimals before saving it",
                    reason="duplicate_time",
                )
            if notes is not None:
                notes.append(
                    f"{what}: {plural(n_conflict, 'time stamp')} repeated with different values (the first on {first} "
                    f"and {second}): a logger glitch, so each group of samples sharing a time stamp was replaced by "
                    "its mean"
                )
        elif notes is not None:
            notes.append(
                f"{what}: dropped {plural(int(same.sum()), 'row')} repeating the row before exactly (same time and "
                "values: the logger wrote a sample twice)"
            )
        starts = np.flatnonzero(np.concatenate(([True], ~same)))
        if conflict.any():
            # every run of a shared stamp becomes one sample, the mean of the run (a run of exact copies is the copy)
            values = np.add.reduceat(values, starts, axis=0) / np.diff(np.append(starts, len(time_s)))[:, None]
        else:
            values = values[starts]
        time_s, rows = time_s[starts], (starts if rows is None else rows[starts])
    return time_s, values, rows


def _in_order(time_s: np.ndarray, acc_ms2: np.ndarray, gyr_dps: np.ndarray | None) -> bool:
    """Whether every value is finite and time strictly increases: the samples :func:`order_rows` returns as they
    are, so that a file in order (nearly every file) is not copied into one array of all its values to be ordered.

    A sum is finite only when every term is (as in :func:`gait.validate.check_samples`): no mask of a day's values.
    """
    finite = all(math.isfinite(float(np.sum(a))) for a in (time_s, acc_ms2, gyr_dps) if a is not None)
    return finite and bool(np.all(time_s[1:] > time_s[:-1]))


def _drop_missing_rows(
    time_s: np.ndarray,
    values: np.ndarray,
    finite: np.ndarray,
    *,
    what: str,
    line_of: LineOf | None,
    notes: list[str] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Drop the rows with an empty, NaN or inf value (``~finite``) when they are few and isolated, with a note;
    raise :class:`IngestError` when they are not (see :data:`MAX_MISSING_ROW_SHARE`).

    Returns the kept times, values and the original index of each kept row.
    """
    missing = ~finite
    n_missing = int(missing.sum())
    row = int(np.argmax(missing))
    column = "time" if not np.isfinite(time_s[row]) else "a sensor value"
    # Each run of missing rows leaves a hole from the row before it to the row after it (a run at either end of the
    # file only shortens the recording); the neighbours' times are finite, as they are not missing.
    edges = np.diff(np.concatenate(([0], missing.astype(np.int8), [0])))
    run_start, run_end = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    inner = (run_start > 0) & (run_end < len(time_s))
    hole_s = time_s[run_end[inner]] - time_s[run_start[inner] - 1]
    widest = int(np.argmax(hole_s)) if len(hole_s) else -1
    why = None
    if n_missing > MAX_MISSING_ROW_SHARE * len(time_s):
        why = f"more than {MAX_MISSING_ROW_SHARE:.0%} of the {len(time_s)} rows"
    elif widest >= 0 and hole_s[widest] > MAX_GAP_S:
        a, b = int(run_start[inner][widest]), int(run_end[inner][widest])
        why = (
            f"{plural(b - a, 'row')} in a row from {_at(line_of, a)} leave {hole_s[widest]:.2f} s without samples, "
            f"more than the {MAX_GAP_S:g} s a gap may last inside a walk"
        )
    if why is not None:
        raise IngestError(
            f"{what}: {n_missing} row(s) have a missing or non-finite value (empty, NaN or inf), the first on "
            f"{_at(line_of, row)} ({column}): {why}; remove or interpolate those rows and try again",
            reason="non_finite",
        )
    if notes is not None:
        widest_text = f", the longest leaving {hole_s[widest]:.3f} s without samples" if widest >= 0 else ""
        notes.append(
            f"{what}: dropped {plural(n_missing, 'row')} with a missing or non-finite value (empty, NaN or inf), the "
            f"first on {_at(line_of, row)} ({column}){widest_text}: samples the logger lost, bridged as any short gap"
        )
    kept = np.flatnonzero(finite)
    return time_s[kept], values[kept], kept


def check_gyroscope_unit(time_s: np.ndarray, acc_ms2: np.ndarray, gyr_dps: np.ndarray, *, what: str) -> None:
    """Raise when a gyroscope read as deg/s holds rad/s (see :func:`gait.validate.gyroscope_turn_ratio`).

    As acceleration declared in m/s^2 that is in g is refused with the factor to apply, not converted behind the
    user's back: the header said deg/s, and the user is the one to put it right.
    """
    ratio = gyroscope_turn_ratio(time_s, acc_ms2, gyr_dps)
    if ratio is not None and ratio > GYRO_UNIT_SPLIT:
        raise IngestError(
            f"{what}: the gyroscope looks like rad/s, not deg/s: the gravity direction turns in the sensor {ratio:.0f} "
            f"times as fast as the gyroscope says in deg/s (about 1 for deg/s, {DEG_PER_RAD:.1f} for rad/s); multiply "
            f"the gyroscope columns by {DEG_PER_RAD:.4g} (rad/s to deg/s), or name them with their unit (gyr_x_rads "
            "or 'gyro x (rad/s)'), and try again",
            reason="gyro_units_look_like_rad",
        )


def gyroscope_unit_from_data(time_s: np.ndarray, acc_ms2: np.ndarray, gyr: np.ndarray) -> str | None:
    """``"deg"`` or ``"rad"`` for a gyroscope whose header names no unit, told from the accelerometer (see
    :func:`gait.validate.gyroscope_unit`); None when the recording does not turn enough to tell."""
    ok = np.isfinite(time_s) & np.isfinite(acc_ms2).all(axis=1) & np.isfinite(gyr).all(axis=1)
    order = np.argsort(time_s[ok], kind="stable")
    t = time_s[ok][order]
    keep = np.concatenate(([True], np.diff(t) > 0))
    unit = gyroscope_unit(t[keep], acc_ms2[ok][order][keep], gyr[ok][order][keep])
    return None if unit is None else unit.split("/")[0]


_GYR_UNIT_TEXT: Final = {"deg": "deg/s", "rad": "rad/s"}


def assumed_gyroscope_dps(
    time_s: np.ndarray, acc_ms2: np.ndarray, gyr: np.ndarray, assumed: str, *, what: str, notes: list[str]
) -> tuple[np.ndarray, str]:
    """A gyroscope whose file names no unit, in deg/s: in the unit the format's convention gives (``assumed``,
    ``"deg"`` or ``"rad"``), unless physics clearly says the other (see :func:`gyroscope_unit_from_data`).

    A file that states its unit and contradicts physics is refused instead (:func:`check_gyroscope_unit`); here
    nothing but a convention said the unit, so the data's unit is used and said in ``notes``. Where the recording
    turns too little to tell, the convention stands, silently.

    Returns
    -------
    tuple
        The gyroscope in deg/s and the unit it was read in (``"deg"`` or ``"rad"``).
    """
    unit = gyroscope_unit_from_data(time_s, acc_ms2, gyr) or assumed
    if unit != assumed:
        notes.append(
            f"{what}: gyroscope read as {_GYR_UNIT_TEXT[unit]}: the file names no unit and its turning matches "
            f"{_GYR_UNIT_TEXT[unit]}, not the {_GYR_UNIT_TEXT[assumed]} its app writes"
        )
    return (gyr if unit == "deg" else gyr * DEG_PER_RAD), unit


_ACC_UNIT_NAME: Final = {"ms2": "m/s^2", "g": "g", "mg": "milli-g"}
_ACC_UNIT_OF_GRAVITY: Final = {"m/s^2": "ms2", "g": "g", "milli-g": "mg"}


def check_declared_acc_unit(acc: np.ndarray, rate_hz: float, declared: str, *, what: str, by_flag: bool) -> None:
    """Raise when acceleration declared in ``declared`` (``"ms2"``, ``"g"``, ``"mg"``) is, read unscaled, clearly
    in another unit: its gravity (see :func:`gait.validate.gravity_unit`) fits that unit and not the declared one.

    Refused, not converted: as for the gyroscope (:func:`check_gyroscope_unit`), the header (or the ``--acc-unit``
    flag) said the unit, and the user is the one to put it right. Gravity fitting no unit is left to validation.
    """
    _, gravity = acceleration_magnitudes(acc, rate_hz)
    fits = _ACC_UNIT_OF_GRAVITY.get(gravity_unit(gravity) or "")
    if fits is None or fits == declared:
        return
    said, found = _ACC_UNIT_NAME[declared], _ACC_UNIT_NAME[fits]
    if by_flag:
        who, fix = "--acc-unit says", f"pass --acc-unit {fits} (or leave it out: the data's unit is then used)"
    else:
        who = "the header says"
        fix = f"rename the columns acc_x_{fits}, acc_y_{fits}, acc_z_{fits} (or write {found} as the header's unit)"
    raise IngestError(
        f"{what}: {who} the acceleration is in {said}, but its gravity reads {gravity:.3g}, as {found} does (gravity "
        f"is {GRAVITY_MS2:.2f} m/s^2 = 1 g = 1000 milli-g): {fix} and try again",
        reason=f"units_look_like_{fits}",
    )


def interp_onto(t_src: np.ndarray, v_src: np.ndarray, t_dst: np.ndarray) -> np.ndarray:
    """Linearly interpolate the columns of ``v_src`` (sampled at ``t_src``) onto ``t_dst``."""
    return np.column_stack([np.interp(t_dst, t_src, v_src[:, i]) for i in range(v_src.shape[1])])


def align_gyroscope(
    time_s: np.ndarray, acc_ms2: np.ndarray, gyr_time_s: np.ndarray, gyr: np.ndarray, *, min_coverage: float = 0.9
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Put a separately stamped gyroscope on the accelerometer's time axis.

    Accelerometer samples outside the gyroscope's span are trimmed when the gyroscope covers at least
    ``min_coverage`` of the accelerometer's span; otherwise the gyroscope is dropped (None) rather than
    cutting the recording short.
    """
    inside = (time_s >= gyr_time_s[0]) & (time_s <= gyr_time_s[-1])
    span = float(time_s[-1] - time_s[0]) if len(time_s) > 1 else 0.0
    covered = float(time_s[inside][-1] - time_s[inside][0]) if inside.sum() > 1 else 0.0
    if span <= 0 or covered < min_coverage * span:
        return time_s, acc_ms2, None
    t = time_s[inside]
    return t, acc_ms2[inside], interp_onto(gyr_time_s, gyr, t)


EPOCH_RANGE_S: Final = (946_684_800.0, 4_102_444_800.0)
"""2000-01-01 to 2100-01-01 UTC as Unix seconds: where a time must fall to date a recording."""


def unix_start_s(time_s: np.ndarray) -> float | None:
    """The first finite time, in s, when it is a Unix time (2000-2100), else None.

    No clock since boot or since the start of a recording runs for 30 years, so a time that large is a date (given
    the right unit: the header's, or the one the sample spacing implies).

    Examples
    --------
    >>> unix_start_s(np.array([1_700_000_000.0, 1_700_000_000.01]))
    1700000000.0
    >>> unix_start_s(np.array([12.5, 12.51])) is None
    True
    """
    finite = time_s[np.isfinite(time_s)]
    if not len(finite):
        return None
    first_s = float(finite[0])
    return first_s if EPOCH_RANGE_S[0] <= first_s <= EPOCH_RANGE_S[1] else None


def parse_placement(placement: Placement | str | None) -> Placement | None:
    """Accept a Placement, its name or None, with an IngestError for unknown names."""
    if placement is None or isinstance(placement, Placement):
        return placement
    try:
        return Placement.parse(placement)
    except GaitError as exc:
        raise IngestError(str(exc), reason=exc.reason) from None


def build_recording(
    time_s: np.ndarray,
    acc_ms2: np.ndarray,
    gyr_dps: np.ndarray | None,
    *,
    what: str,
    source: dict[str, Any],
    gps: GpsTrack | None = None,
    placement: Placement | str | None = None,
    line_of: LineOf | None = None,
) -> Recording:
    """Order, validate and wrap samples as a Recording, adding the achieved rate to ``source``.

    ``line_of`` gives the file line of each data row as read, so that messages name the line a user finds in an
    editor; what was dropped on the way (an incomplete last row) is added to ``source["notes"]``.

    Raises
    ------
    IngestError
        When time cannot be ordered or the samples break the core's contract (converted from GaitError).
    """
    time_s = np.asarray(time_s, dtype=np.float64)
    acc_ms2 = np.asarray(acc_ms2, dtype=np.float64)
    if acc_ms2.ndim != 2 or acc_ms2.shape[1] != 3 or len(acc_ms2) != len(time_s):
        raise IngestError(f"{what}: expected three acceleration columns", reason="missing_columns")
    if len(time_s) == 0:
        raise IngestError(f"{what}: no data rows; record for longer", reason="empty")
    notes = list(source.get("notes", []))
    rows: np.ndarray | None = None
    if not _in_order(time_s, acc_ms2, gyr_dps):
        values = acc_ms2 if gyr_dps is None else np.hstack([acc_ms2, gyr_dps])
        time_s, values, rows = order_rows(time_s, values, what=what, line_of=line_of, notes=notes)
        acc_ms2 = values[:, :3]
        gyr_dps = None if gyr_dps is None else values[:, 3:6]
    acc_ms2 = np.ascontiguousarray(acc_ms2)
    gyr_dps = None if gyr_dps is None else np.ascontiguousarray(gyr_dps, dtype=np.float64)

    def locate(i: int) -> str:
        return _at(line_of, i if rows is None else int(rows[i]))

    try:
        check_samples(time_s, acc_ms2, gyr_dps, what=what, locate=locate)
    except GaitError as exc:
        raise IngestError(str(exc), reason=exc.reason) from None
    if gyr_dps is not None:
        check_gyroscope_unit(time_s, acc_ms2, gyr_dps, what=what)
    rate_hz = median_rate_hz(time_s)
    source = {
        "app": None,  # every reader's source has these keys, None when the export does not say
        "app_version": None,
        "device": None,
        **source,
        "rate_hz": round(rate_hz, 3),
        "mean_rate_hz": round((len(time_s) - 1) / float(time_s[-1] - time_s[0]), 3) if len(time_s) > 1 else 0.0,
        "n_samples": len(time_s),
        "has_gyroscope": gyr_dps is not None,
        "has_gps": gps is not None,
    }
    if notes:
        source["notes"] = notes
    return Recording(
        time_s=time_s,
        acc_ms2=acc_ms2,
        gyr_dps=gyr_dps,
        placement=parse_placement(placement),
        source=source,
        gps=gps,
    )


def build_gps(
    time_s: np.ndarray,
    lat_deg: np.ndarray,
    lon_deg: np.ndarray,
    accuracy_m: np.ndarray | None = None,
    speed_mps: np.ndarray | None = None,
) -> GpsTrack | None:
    """Return a GpsTrack of the valid fixes in increasing time, or None when fewer than two remain.

    Fixes without coordinates, at (0, 0) (no fix yet), outside the WGS-84 range or repeating a time stamp are
    dropped: a speed reference must not invent positions.
    """
    time_s = np.asarray(time_s, dtype=np.float64)
    lat_deg = np.asarray(lat_deg, dtype=np.float64)
    lon_deg = np.asarray(lon_deg, dtype=np.float64)
    ok = np.isfinite(time_s) & np.isfinite(lat_deg) & np.isfinite(lon_deg)
    ok &= (np.abs(lat_deg) <= 90) & (np.abs(lon_deg) <= 180) & ~((lat_deg == 0) & (lon_deg == 0))
    idx = np.flatnonzero(ok)
    idx = idx[np.argsort(time_s[idx], kind="stable")]
    if len(idx) > 1:
        idx = idx[np.concatenate(([True], np.diff(time_s[idx]) > 0))]
    if len(idx) < 2:
        return None

    def pick(arr: np.ndarray | None) -> np.ndarray | None:
        return None if arr is None else np.asarray(arr, dtype=np.float64)[idx]

    return GpsTrack(
        time_s=time_s[idx],
        lat_deg=lat_deg[idx],
        lon_deg=lon_deg[idx],
        accuracy_m=pick(accuracy_m),
        speed_mps=pick(speed_mps),
    )


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path`` to write; renamed onto ``path`` when the block ends without error, removed
    otherwise, so ``path`` holds the whole new file or its old content, never half of one.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_path(out) as tmp:
    ...     _ = tmp.write_text("done")
    >>> out.read_text(), sorted(p.name for p in out.parent.iterdir())
    ('done', ['a.txt'])
    """
    tmp = path.with_name(path.name + ".tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


__all__ = [
    "DEG_PER_RAD",
    "FormatInfo",
    "LineOf",
    "acc_unit_scale",
    "align_gyroscope",
    "assumed_gyroscope_dps",
    "atomic_path",
    "build_gps",
    "build_recording",
    "check_declared_acc_unit",
    "check_gyroscope_unit",
    "gravity_present",
    "gyroscope_unit_from_data",
    "infer_acc_unit",
    "interp_onto",
    "order_rows",
    "order_samples",
    "parse_placement",
]
