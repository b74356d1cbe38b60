"""The ``gait`` command line: a thin layer of sub-commands over the packages.

Each sub-command lives in ``service/commands/<name>.py`` with ``register(subparsers)`` and ``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from gait.errors import GaitError
from ingest.errors import IngestError
from service.commands.output import OutputError

COMMANDS: tuple[str, ...] = ("analyze", "calibrate", "serve", "formats", "convert", "scan", "live")

USER_ERRORS: tuple[type[Exception], ...] = (
    GaitError,
    IngestError,
    OutputError,
    FileNotFoundError,
    IsADirectoryError,
)


CLI_ADVICE: dict[str, str] = {"no_adapter": "'gait live --demo' works without hardware"}
"""What the command line adds to an error of this reason (the layers below do not know which front end asks)."""


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every sub-command registered."""
    return _build_parsers()[0]


def _build_parsers() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The top parser and each sub-command's own parser by name."""
    parser = argparse.ArgumentParser(
        prog="gait",
        description="Stride-by-stride cadence and stride length from accelerometers, with overstride coaching.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"service.commands.{name}").register(subparsers)
    return parser, subparsers.choices


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``gait`` command line; returns the process exit code."""
    parser, command_parsers = _build_parsers()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        # Said by the command's own parser, with its usage (the top parser's usage lists only the commands).
        command_parsers[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        return int(args.func(args) or 0)
    except USER_ERRORS as exc:
        message = exc.strerror + f": {exc.filename}" if isinstance(exc, OSError) and exc.filename else str(exc)
        advice = CLI_ADVICE.get(getattr(exc, "reason", None) or "")
        if advice:
            message += f"; {advice}"
        print(f"gait: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gait: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`gait formats | head`): not an error. Point stdout at devnull so the
        # interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
