"""The ``gait`` command line: a thin layer of sub-commands over the packages.

Each sub-command lives in ``service/commands/<name>.py`` with ``register(subparsers)`` and ``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Sequence

from gait.errors import GaitError
from ingest.errors import IngestError
from service.commands.output import OutputError
from service.privacy import keep_files_private
from service.store import StoreError

COMMANDS: tuple[str, ...] = ("analyze", "calibrate", "serve", "formats", "convert", "scan", "live")

PRIVATE_COMMANDS: frozenset[str] = frozenset({"serve", "live", "calibrate"})
"""The commands that write health data in the data folder: what they create is the user's alone
(:func:`service.privacy.keep_files_private`)."""

USER_ERRORS: tuple[type[Exception], ...] = (
    GaitError,
    IngestError,
    OutputError,
    FileNotFoundError,
    IsADirectoryError,
    StoreError,  # the data folder's store: its messages say what to do (a full disk, a newer schema)
)


CLI_ADVICE: dict[str, str] = {"no_adapter": "'gait live --demo' works without hardware"}
"""What the command line adds to an error of this reason (the layers below do not know which front end asks)."""


_COMMAND_LINE_HINT = re.compile(r" \(command line: (?P<inner>[^()]*)\)|; command line: (?P<last>[^()]*)(?=\))")
"""A message's command-line-only hint (the layers below mark them so): " (command line: ...)", or the last part
"; command line: ..." of a parenthesis."""


def command_line_hints(message: str, parser: argparse.ArgumentParser) -> str:
    """``message`` without the command-line hints that name an option this command does not have.

    The ingest layer's messages end with a hint for ``gait convert`` (``--acc-unit``, ``--time-unit``) that
    ``gait analyze`` and ``gait calibrate`` cannot follow: such a hint is dropped, the others are kept.

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> _ = p.add_argument("--format")
    >>> command_line_hints("x.csv: bad (units in the header; command line: or --acc-unit)", p)
    'x.csv: bad (units in the header)'
    >>> command_line_hints("two files (command line: or name the format with --format)", p)
    'two files (command line: or name the format with --format)'
    >>> command_line_hints("odd time (command line: or pass --time-unit s|ms|us|ns)", p)
    'odd time'
    """
    known = {flag for action in parser._actions for flag in action.option_strings}

    def keep(match: re.Match[str]) -> str:
        hint = match.group("inner") if match.group("inner") is not None else match.group("last")
        return match.group(0) if set(re.findall(r"--[a-z][a-z0-9-]*", hint)) <= known else ""

    return _COMMAND_LINE_HINT.sub(keep, message)


def os_error_words(exc: OSError) -> str:
    """One line for a file the system would not open (permissions, a name too long), with what to do.

    Examples
    --------
    >>> os_error_words(PermissionError(13, "Permission denied", "w.csv"))[:60]
    'w.csv: permission denied: your user may not open it; check i'
    >>> os_error_words(OSError(36, "File name too long", "aaaa.csv"))
    'cannot open aaaa.csv: File name too long; check the path'
    """
    name = os.fsdecode(exc.filename)
    if isinstance(exc, PermissionError):
        return (
            f"{name}: permission denied: your user may not open it; check its permissions (ls -ld {name}) "
            "or copy it into a folder of yours"
        )
    return f"cannot open {name}: {exc.strerror or exc}; check the path"


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every sub-command registered."""
    return _build_parsers()[0]


def _build_parsers() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The top parser and each sub-command's own parser by name."""
    parser = argparse.ArgumentParser(
        prog="gait",
        description="Stride-by-stride cadence and stride length from accelerometers, with overstride coaching.",
    )
    from service.pipeline import ANALYSIS_VERSION

    # the version walks store as their analysis's (the package's and the core's revision: "0.1.0+r3")
    parser.add_argument("--version", action="version", version=f"gait {ANALYSIS_VERSION}")
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
    if args.command in PRIVATE_COMMANDS:
        keep_files_private()
    try:
        return int(args.func(args) or 0)
    except USER_ERRORS as exc:
        message = exc.strerror + f": {exc.filename}" if isinstance(exc, OSError) and exc.filename else str(exc)
        message = command_line_hints(message, command_parsers[args.command])
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
    except OSError as exc:  # a file the system would not open (permissions, a name too long): no traceback
        if not exc.filename:
            raise
        print(f"gait: error: {os_error_words(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
