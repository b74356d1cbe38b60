"""Health data kept private on this computer: the data folder and the folders made in it are the user's alone
(``drwx------``), and the files written there are read by the user alone (``-rw-------``).

Two parts: the commands that write the data folder (``gait serve``, ``gait live``, ``gait calibrate``) set a
restrictive umask before anything is written (:func:`keep_files_private`), so that every file they create (the
database and its ``-wal``/``-shm``, journals, kept samples, an upload's spool copy) is private whatever the
user's umask; and the folders are created private (:func:`private_folder`), so that the files of a process that
did not set the umask (the app run in-process) cannot be reached either. A data folder a previous version left
readable by others is tightened at start (:func:`tighten_data_dir`), with a one-line note. POSIX permissions only:
on Windows this is a no-op (the user's profile folders are private by default).
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
PRIVATE_UMASK = 0o077
"""Group and others get nothing."""

PRODUCT_FOLDERS: tuple[str, ...] = ("journal", "recordings", "spool")
"""The folders the product makes in the data folder (:class:`service.settings.Settings`)."""

POSIX = os.name == "posix"


def keep_files_private() -> None:
    """Make the files and folders this process creates from now on its user's alone (umask 077; no-op on
    Windows)."""
    if POSIX:
        os.umask(PRIVATE_UMASK)


def private_folder(path: Path) -> Path:
    """Create the folder ``path`` (and missing parents) readable by its owner only; a folder of the product that
    exists already keeps its mode (:func:`tighten_data_dir` tightens those at start). Returns ``path``."""
    path = Path(path)
    if not path.is_dir():
        path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        # mkdir's mode is filtered by the umask, which may take less than group and others' bits
        _tighten(path, PRIVATE_DIR_MODE)
    return path


def private_file(path: Path) -> None:
    """Make the existing file ``path`` readable and writable by its owner only (no-op on Windows)."""
    _tighten(Path(path), PRIVATE_FILE_MODE)


def _tighten(path: Path, mode: int) -> int | None:
    """Set ``path`` to ``mode`` when group or others have any access to it; returns its former mode when it was
    wider, else None. A file of another owner (chmod refused) or gone meanwhile is left as it is."""
    if not POSIX:
        return None
    with contextlib.suppress(OSError):
        before = stat.S_IMODE(path.lstat().st_mode)
        if before & ~mode & 0o077:
            path.chmod(mode)
            return before
    return None


def tighten_data_dir(data_dir: Path) -> str | None:
    """At start: create the data folder private, or tighten an existing one that others could read, with the
    product's folders and files in it. Returns a one-line note when the data folder was wider, else None.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     folder = Path(d) / "data"
    ...     folder.mkdir(mode=0o755)
    ...     _ = folder.chmod(0o755)
    ...     note = tighten_data_dir(folder)
    ...     print(oct(folder.stat().st_mode & 0o777), "readable by other users" in note)
    0o700 True
    """
    data_dir = Path(data_dir)
    private_folder(data_dir)
    before = _tighten(data_dir, PRIVATE_DIR_MODE)
    for entry in _product_entries(data_dir):
        _tighten(entry, PRIVATE_DIR_MODE if entry.is_dir() else PRIVATE_FILE_MODE)
    if before is None:
        return None
    return (
        f"the data folder {data_dir} was readable by other users of this computer "
        f"({stat.filemode(stat.S_IFDIR | before)}): it is now yours alone (drwx------), with its files"
    )


def _product_entries(data_dir: Path) -> list[Path]:
    """The files directly in the data folder and the product's folders with their files (not links)."""
    entries: list[Path] = []
    with contextlib.suppress(OSError):
        entries += [p for p in data_dir.iterdir() if p.is_file() and not p.is_symlink()]
    for name in PRODUCT_FOLDERS:
        folder = data_dir / name
        if folder.is_dir() and not folder.is_symlink():
            entries.append(folder)
            with contextlib.suppress(OSError):
                entries += [p for p in folder.iterdir() if p.is_file() and not p.is_symlink()]
    return entries
