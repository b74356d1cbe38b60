"""``gait formats``: list the input formats ``gait analyze`` and ``gait convert`` read."""

from __future__ import annotations

import argparse
import json

from ingest import list_formats


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``formats`` sub-command."""
    p = subparsers.add_parser(
        "formats",
        help="list supported input formats",
        description="List the phone and sensor export formats that can be read, with the app versions checked.",
    )
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print every format: name, description, file patterns and checked versions."""
    formats = list_formats()
    if args.json:
        print(json.dumps([f.__dict__ for f in formats], indent=1))
        return 0
    for f in formats:
        kind = "" if f.samples else "  (summaries only: trends, not stride analysis)"
        print(f"{f.name}{kind}")
        print(f"    {f.description}")
        print(f"    files:   {', '.join(f.patterns)}")
        print(f"    checked: {', '.join(f.checked_versions)}")
    return 0
