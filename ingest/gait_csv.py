"""Read and write "gait CSV", the canonical input format.

One header row ``time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2`` and optionally ``,gyr_x_dps,gyr_y_dps,gyr_z_dps``;
time in seconds from any origin; acceleration in m/s^2 including gravity in the sensor frame; gyroscope in deg/s.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from gait.consts import GAIT_CSV_ACC_COLS, GAIT_CSV_GYR_COLS, GAIT_CSV_TIME_COL
from gait.types import Placement, Recording
from ingest.archive import Member, open_single
from ingest.common import DEG_PER_RAD, FormatInfo, atomic_path, build_recording, unix_start_s
from ingest.errors import IngestError
from ingest.table import head_lines, line_numbers, norm_name, read_column_groups, read_header

GAIT_CSV_COLUMNS = (GAIT_CSV_TIME_COL, *GAIT_CSV_ACC_COLS)

INFO = FormatInfo(
    name="gait_csv",
    description="gait CSV, this project's own format: time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2[,gyr_x_dps,...]",
    patterns=("*.csv starting 'time_s,acc_x_ms2'",),
    checked_versions=("written by `gait convert`",),
)


def looks_like(head: bytes) -> bool:
    """True when the first line is a gait CSV header."""
    try:
        first = head_lines(head, 1, what="")[0]
    except IngestError:
        return False
    return [norm_name(f) for f in first.split(",")[:4]] == list(GAIT_CSV_COLUMNS)


GYR_UNIT_SUFFIXES = {"dps": 1.0, "rads": DEG_PER_RAD, "rad_s": DEG_PER_RAD}
"""Gyroscope column suffixes a gait CSV accepts (``gyr_x_dps``; ``gyr_x_rads``, ``gyr_x_rad_s`` converted), with
their factor to deg/s."""


def _gyroscope_columns(fields: list[str]) -> tuple[list[str], float]:
    """The gyroscope columns of a gait CSV header and their factor to deg/s; ``([], 1.0)`` without a gyroscope."""
    for suffix, scale in GYR_UNIT_SUFFIXES.items():
        names = [col.removesuffix("_dps") + "_" + suffix for col in GAIT_CSV_GYR_COLS]
        if all(n in fields for n in names):
            return names, scale
    return [], 1.0


def parse_gait_csv(data: bytes | Member, what: str, *, placement: Placement | str | None = None) -> Recording:
    """Parse a gait CSV file, its bytes or the file to stream (see :func:`read_gait_csv`)."""
    dialect, fields = read_header(data if isinstance(data, bytes) else data.head(), what=what)
    missing = [c for c in GAIT_CSV_COLUMNS if c not in fields]
    if missing:
        raise IngestError(
            f"{what}: missing column(s) {', '.join(missing)}; a gait CSV starts with the header "
            f"{','.join(GAIT_CSV_COLUMNS)}",
            reason="missing_columns",
        )
    gyr_cols, gyr_scale = _gyroscope_columns(fields)
    wanted = list(GAIT_CSV_COLUMNS) + gyr_cols
    notes = []
    unread = [f for f in fields if f and f not in wanted]
    if unread:
        notes.append(
            f"{what}: column(s) not read: {', '.join(unread[:8])}; a gait CSV is read from time_s, acc_x_ms2.. and "
            "gyr_x_dps.. (deg/s) or gyr_x_rads.. (rad/s)"
        )
    index = [fields.index(c) for c in wanted]
    groups = [index[:1], index[1:4], *([index[4:7]] if gyr_cols else [])]
    time_s, acc_ms2, *gyr = read_column_groups(
        data, what=what, dialect=dialect, skiprows=1, groups=groups, n_fields=len(fields)
    )
    gyr_dps = gyr[0] if gyr else None
    if gyr_dps is not None and gyr_scale != 1.0:
        gyr_dps *= gyr_scale
    return build_recording(
        time_s,
        acc_ms2,
        gyr_dps,
        what=what,
        source={
            "format": INFO.name,
            "file": what,
            "units": "m/s^2 with gravity, " + ("gyroscope converted from rad/s" if gyr_scale != 1.0 else "deg/s"),
            **({"notes": notes} if notes else {}),
            "start_epoch_s": unix_start_s(time_s),  # time from any origin: Unix time dates the recording
        },
        placement=placement,
        line_of=line_numbers(data, skiprows=1),
    )


def read_gait_csv(path: str | os.PathLike[str], *, placement: Placement | str | None = None) -> Recording:
    """Read a gait CSV file into a :class:`~gait.types.Recording`.

    Parameters
    ----------
    path
        The file to read (``.csv`` or ``.csv.gz``).
    placement
        Where the sensor was worn, stored on the recording.

    Raises
    ------
    IngestError
        When the file is empty, misses columns or holds values the core cannot use.
    """
    path = Path(path)
    return parse_gait_csv(open_single(path).member(path.name), path.name, placement=placement)


def write_gait_csv(recording: Recording, path: str | os.PathLike[str]) -> None:
    """Write a recording as gait CSV, atomically (a temporary file renamed into place).

    Time is written with microsecond resolution (fixed point, so long recordings keep it); other values with
    six significant digits. The GPS track and source metadata are not part of gait CSV.

    Parameters
    ----------
    recording
        What to write.
    path
        Destination file.
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        write_gait_csv_to(recording, tmp)


def write_gait_csv_to(recording: Recording, target: str | os.PathLike[str] | IO[str]) -> None:
    """Write a recording as gait CSV to ``target``, a path or an open text file (see :func:`write_gait_csv`)."""
    columns: dict[str, np.ndarray] = {GAIT_CSV_TIME_COL: np.char.mod("%.6f", recording.time_s)}
    for i, col in enumerate(GAIT_CSV_ACC_COLS):
        columns[col] = recording.acc_ms2[:, i]
    if recording.gyr_dps is not None:
        for i, col in enumerate(GAIT_CSV_GYR_COLS):
            columns[col] = recording.gyr_dps[:, i]
    pd.DataFrame(columns).to_csv(target, index=False, float_format="%.6g")


__all__ = ["GAIT_CSV_COLUMNS", "INFO", "parse_gait_csv", "read_gait_csv", "write_gait_csv", "write_gait_csv_to"]
