"""Files the command line writes: checked before any work, written whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

from ingest.common import atomic_path


class OutputError(Exception):
    """Raised when an output file cannot be written; the message says why and what to do (exit code 2)."""


def check_output_path(path: Path, *, flag: str = "") -> Path:
    """Refuse, before any work is done, an output path that cannot be written.

    Parameters
    ----------
    path
        The file to write.
    flag
        How the path was given (e.g. ``"--json"``), named in the message.

    Returns
    -------
    Path
        ``path``, unchanged.

    Raises
    ------
    OutputError
        When ``path`` is a folder, or its folder is missing, not a folder, or not writable.
    """
    given = f"{flag} {path}" if flag else str(path)
    if path.is_dir():
        example = path / ("out.json" if flag == "--json" else "out.csv")
        raise OutputError(f"cannot write {given}: it is a folder; give a file name, e.g. {example}")
    folder = path.parent
    if not folder.exists():
        raise OutputError(
            f"cannot write {given}: the folder {folder} does not exist; create it first (mkdir -p {folder}) "
            "or choose another place"
        )
    if not folder.is_dir():
        raise OutputError(f"cannot write {given}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {given}: no permission to write in {folder}")
    return path


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (a temporary file renamed into place).

    Raises
    ------
    OutputError
        When the file cannot be written (disk full, permissions...); an existing ``path`` is left as it was.
    """
    try:
        with atomic_path(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
