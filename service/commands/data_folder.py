"""The data folder as the commands use it: kept private, its store opened with a full or failing disk said in words.

Every command that opens the store (``gait analyze``, ``gait calibrate``, ``gait live``) does it through
:func:`data_store`, so that each tightens a data folder a previous version left readable by others, as ``gait serve``
does at start (:func:`service.privacy.tighten_data_dir`).
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from service.privacy import tighten_data_dir
from service.store import Store, StoreError


def not_a_folder_words(
    folder: Path, what: str = "the data folder", flag: str = "--data-dir (or GAIT_DATA_DIR)"
) -> str | None:
    """Why ``folder`` cannot be used when it, or a folder above it, is a file, and what to do; None otherwise.

    Examples
    --------
    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "walk.csv"
    >>> _ = f.write_text("x")
    >>> not_a_folder_words(f).split(": ", 1)[1]
    'it is a file, not a folder; give --data-dir (or GAIT_DATA_DIR) a folder (a new one is created)'
    >>> not_a_folder_words(f / "sub").split(": ", 1)[1].startswith(f"{f} is a file")
    True
    >>> not_a_folder_words(f.parent) is None
    True
    """
    blocking = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if blocking is None or blocking.is_dir():
        return None
    which = "it is" if blocking == folder else f"{blocking} is"
    return f"cannot use {what} {folder}: {which} a file, not a folder; give {flag} a folder (a new one is created)"


def keep_data_dir_private(settings: Any) -> None:
    """Tighten an existing data folder that others could read (with its files), saying so once on standard error;
    a folder not made yet is left to be created private when something is written in it."""
    if settings.data_dir.is_dir():
        note = tighten_data_dir(settings.data_dir)
        if note:
            print(f"gait: note: {note}", file=sys.stderr)


@contextmanager
def data_store(settings: Any) -> Iterator[Store]:
    """The data folder's store, open for the command's reads and writes and closed after them.

    Raises
    ------
    StoreError
        When the store cannot be opened, or the disk under it is full or fails a write: the message says what to do
        (never to move the database away for a full disk), and the command ends with exit code 2.
    """
    from service.settings import disk_problem_words, is_disk_full

    keep_data_dir_private(settings)
    store = Store(settings.db_path).open()
    try:
        yield store
    except (sqlite3.Error, OSError) as exc:
        # an OSError of another kind (a file missing) is not the disk's
        words = (
            disk_problem_words(exc, settings.data_dir) if not isinstance(exc, OSError) or is_disk_full(exc) else None
        )
        if words is None:
            raise
        raise StoreError(words) from exc
    finally:
        store.close()
