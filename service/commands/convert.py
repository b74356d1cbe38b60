"""``gait convert FILE OUT.csv``: write any supported input as gait CSV."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from gait.numbers import round_half_away
from gait.types import Recording
from ingest import is_phone_recording, write_gait_csv
from service.commands.analyze import load_recording
from service.commands.output import OutputError, check_output_path
from service.commands.reader_args import add_reader_arguments
from service.pipeline import on_clock_axis, recording_start_epoch_s


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``convert`` sub-command."""
    p = subparsers.add_parser(
        "convert",
        help="convert a phone/sensor export to gait CSV",
        description="Read any supported export (see `gait formats`) and write it as gait CSV "
        "(time_s, acceleration in m/s^2 with gravity, gyroscope in deg/s). When the export knows when it started, "
        "time_s is written in Unix seconds, so the converted file keeps the recording's date.",
    )
    p.add_argument("file", type=Path, help="input file, zip or folder")
    p.add_argument("out", type=Path, help="gait CSV to write (replaced atomically)")
    add_reader_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the input and write gait CSV; prints one line describing what was written."""
    check_output_path(args.out)  # before reading: a long read should not end in "cannot write"
    # a live walk's journal is read with its sidecar (its start time dates the converted file), as gait analyze reads it
    recording = load_recording(args.file, args)
    start_s = recording_start_epoch_s(recording.source)
    if start_s is not None:
        recording = on_clock_axis(recording, start_s)  # the converted file keeps the recording's date
    try:
        write_gait_csv(recording, args.out)  # atomic: a failed write leaves nothing half-written
    except OSError as exc:
        raise OutputError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    src = recording.source
    gyro = "with gyroscope" if recording.gyr_dps is not None else "no gyroscope"
    if start_s is None:
        when = (
            "time_s from the file's own origin (it holds no start time: to date its walk, fill in \"When did you "
            "walk?\" on the dashboard's upload page when you upload it; left empty, the walk is dated to end when "
            "uploaded)"
        )
    else:
        started = datetime.fromtimestamp(start_s, UTC).isoformat(timespec="seconds")
        when = (
            f"time_s in Unix seconds from the recording's start, {started}, so an upload of it is dated when the walk "
            "was made"
        )
    placement = placement_kept_note(recording)
    rate_hz = src.get("rate_hz")
    if rate_hz is None and recording.n_samples > 1:  # a journal does not state its rate: its samples' median spacing
        rate_hz = round_half_away(1.0 / float(np.median(np.diff(recording.time_s))), 1)
    print(
        f"{args.out}: {recording.n_samples} samples, {recording.duration_s:.1f} s at {rate_hz} Hz, "
        f"{gyro} (from {src.get('format')}); {when}{placement}",
        file=sys.stderr,
    )
    return 0


def placement_kept_note(recording: Recording) -> str:
    """What of the sensor's placement a gait CSV cannot keep, and how to give it back ("" when nothing is lost).

    Gait CSV holds samples only: a placement the export stated, or that the export came from a phone (which
    ``gait analyze`` and uploads would place in a pocket rather than on a usual lower-back sensor), is not in it.
    """
    if recording.placement is not None:
        where = f"{recording.placement.value}, as the export said"
    elif is_phone_recording(recording):
        where = "pocket or hand, where the phone was"
    else:
        return ""
    return f"; gait CSV holds no placement, so say it ({where}) when you analyse this file (--placement) or upload it"
