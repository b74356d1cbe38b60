"""Read and write "gait CSV", the canonical input format.

One header row ``time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2`` and optionally ``,gyr_x_dps,gyr_y_dps,gyr_z_dps``;
time in seconds from any origin; acceleration in m/s^2 including gravity in the sensor frame; gyroscope in deg/s.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from gait.consts import GAIT_CSV_ACC_COLS, GAIT_CSV_GYR_COLS, GAIT_CSV_TIME_COL
from gait.errors import GaitError
from gait.types import Placement, Recording
from gait.validate import check_samples
from ingest.errors import IngestError

GAIT_CSV_COLUMNS = (GAIT_CSV_TIME_COL, *GAIT_CSV_ACC_COLS)


def read_gait_csv(path: str | os.PathLike[str], *, placement: Placement | None = None) -> Recording:
    """Read a gait CSV file into a :class:`~gait.types.Recording`.

    Parameters
    ----------
    path
        The file to read.
    placement
        Where the sensor was worn, stored on the recording.

    Raises
    ------
    IngestError
        When the file is empty, misses columns or holds values the core cannot use.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=float, encoding="utf-8")
    except pd.errors.EmptyDataError:
        raise IngestError(f"{path.name}: the file is empty", reason="empty") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise IngestError(
            f"{path.name}: not a gait CSV with numbers in every column ({exc}); see README, 'gait CSV'",
            reason="unparseable",
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in GAIT_CSV_COLUMNS if c not in frame.columns]
    if missing:
        raise IngestError(
            f"{path.name}: missing column(s) {', '.join(missing)}; a gait CSV starts with the header "
            f"{','.join(GAIT_CSV_COLUMNS)}",
            reason="missing_columns",
        )
    has_gyr = all(c in frame.columns for c in GAIT_CSV_GYR_COLS)
    time_s = frame[GAIT_CSV_TIME_COL].to_numpy(dtype=float)
    acc_ms2 = frame[list(GAIT_CSV_ACC_COLS)].to_numpy(dtype=float)
    gyr_dps = frame[list(GAIT_CSV_GYR_COLS)].to_numpy(dtype=float) if has_gyr else None
    if len(time_s) == 0:
        raise IngestError(f"{path.name}: header only, no data rows", reason="empty")
    try:
        check_samples(time_s, acc_ms2, gyr_dps, what=path.name)
    except GaitError as exc:
        raise IngestError(str(exc), reason=exc.reason) from None
    return Recording(
        time_s=time_s,
        acc_ms2=acc_ms2,
        gyr_dps=gyr_dps,
        placement=placement,
        source={"format": "gait_csv", "file": path.name},
    )


def write_gait_csv(recording: Recording, path: str | os.PathLike[str]) -> None:
    """Write a recording as gait CSV, atomically (a temporary file renamed into place).

    Parameters
    ----------
    recording
        What to write.
    path
        Destination file.
    """
    path = Path(path)
    columns = {GAIT_CSV_TIME_COL: recording.time_s}
    for i, col in enumerate(GAIT_CSV_ACC_COLS):
        columns[col] = recording.acc_ms2[:, i]
    if recording.gyr_dps is not None:
        for i, col in enumerate(GAIT_CSV_GYR_COLS):
            columns[col] = recording.gyr_dps[:, i]
    tmp = path.with_name(path.name + ".tmp")
    pd.DataFrame(columns).to_csv(tmp, index=False, float_format="%.6g")
    os.replace(tmp, path)


__all__ = ["GAIT_CSV_COLUMNS", "read_gait_csv", "write_gait_csv"]
