"""The ``gait`` console script: the command line (:func:`service.cli.main`), with a Ctrl-C while it loads said in
one line.

Loading the command line imports numpy, scipy, pandas and every reader (about 1.3 s on a small machine): a Ctrl-C
then, before :func:`service.cli.main` can catch it, printed the interpreter's traceback from inside an import.
"""

from __future__ import annotations

import sys


def main() -> int:
    """Run ``gait``; returns the process exit code (130 when interrupted, as shells count a Ctrl-C)."""
    try:
        from service.cli import main as cli_main

        return cli_main()
    except KeyboardInterrupt:
        print("gait: interrupted", file=sys.stderr)
        return 130
