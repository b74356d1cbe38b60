"""The options that say how to read an input file, shared by every command that reads one."""

from __future__ import annotations

import argparse
from typing import Any

from ingest import list_formats

ACC_UNITS: tuple[str, ...] = ("ms2", "g", "mg")
TIME_UNITS: tuple[str, ...] = ("s", "ms", "us", "ns")
DATE_ORDERS: tuple[str, ...] = ("dmy", "mdy")


def rate_hz(text: str) -> float:
    """A sampling rate in Hz given on the command line: a positive number.

    Examples
    --------
    >>> rate_hz("102.4")
    102.4
    """
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (value > 0 and value < float("inf")):
        raise argparse.ArgumentTypeError(f"{text!r} is no sampling rate: give it in Hz, e.g. --rate-hz 100")
    return value


def add_reader_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--format``, ``--acc-unit``, ``--time-unit``, ``--date-order``, ``--rate-hz`` and ``--sensor`` to a
    command that reads a recording.

    One definition for ``gait analyze``, ``gait calibrate`` and ``gait convert``: a hint in a reader's message
    ("pass --acc-unit") then holds for each of them.
    """
    parser.add_argument(
        "--format", dest="format", choices=[f.name for f in list_formats()], help="input format (default: detected)"
    )
    parser.add_argument("--acc-unit", choices=ACC_UNITS, help="acceleration unit of a generic CSV without units")
    parser.add_argument("--time-unit", choices=TIME_UNITS, help="time unit of a generic CSV without units")
    parser.add_argument(
        "--date-order",
        choices=DATE_ORDERS,
        help="how a generic CSV's dates are written when every one reads both ways (05/11/2026: dmy is 5 November, "
        "mdy 11 May); without it such a walk is analysed but not dated by them",
    )
    parser.add_argument(
        "--rate-hz",
        type=rate_hz,
        metavar="HZ",
        help="sampling rate of a generic CSV with a sample counter (or none) instead of a time column: "
        "time_s = (sample number - first) / rate (default: the rate the file states, e.g. 'Acquisition frequency: "
        "100 Hz')",
    )
    parser.add_argument(
        "--sensor",
        metavar="NAME",
        help="of a CSV holding several sensors' columns under two header lines (gaitmap's 'sensor' line over its "
        "'axis' line), the sensor to read, as that first line names it (e.g. left_sensor); a foot sensor whose name "
        "says left or right gives its steps that side",
    )


def reader_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of :func:`ingest.load` given by the options :func:`add_reader_arguments` added."""
    return {
        "format": args.format,
        "acc_unit": args.acc_unit,
        "time_unit": args.time_unit,
        "date_order": args.date_order,
        "rate_hz": args.rate_hz,
        "sensor": args.sensor,
    }
