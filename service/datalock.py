"""One server per data directory: an exclusive lock on a file in it, held for the server's lifetime.

Two servers on one data directory would each take the other's live walk for one a crash left behind, recover
it from the journal and close it as interrupted. The lock is taken before any crash recovery. It is an OS file
lock (``fcntl.flock``; ``msvcrt.locking`` on Windows), which the kernel releases when the holder exits, however it
exits: a lock file left by a crashed server never blocks the next one.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import IO

from service.privacy import private_folder

LOCK_NAME = "serve.lock"


class DataDirBusyError(RuntimeError):
    """Raised when another process holds the data directory's lock.

    Attributes
    ----------
    data_dir
        The data directory in use.
    pid
        Process id of the holder, as it wrote it into the lock file; None when it cannot be read.
    """

    def __init__(self, data_dir: Path, pid: int | None) -> None:
        self.data_dir = data_dir
        self.pid = pid
        who = f"another gait serve (pid {pid})" if pid is not None else "another gait serve"
        super().__init__(f"{who} is using {data_dir}; stop it or use --data-dir")


def try_lock(fh: IO[str]) -> bool:
    """Take an exclusive, non-blocking lock on ``fh``; False when another process holds it."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class DataDirLock:
    """The exclusive lock of one data directory (``DATA_DIR/serve.lock``, holding the owner's pid).

    Parameters
    ----------
    data_dir
        The data directory; created when missing.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d, DataDirLock(Path(d)):
    ...     try:
    ...         DataDirLock(Path(d)).acquire()
    ...     except DataDirBusyError as exc:
    ...         print(exc.pid == os.getpid())
    True
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / LOCK_NAME
        self._fh: IO[str] | None = None

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._fh is not None

    def acquire(self) -> DataDirLock:
        """Take the lock, or raise :class:`DataDirBusyError` naming the holder's pid; returns ``self``."""
        if self._fh is not None:
            return self
        private_folder(self.data_dir)
        # "a+" neither truncates (the holder's pid stays readable) nor fails when the file exists.
        fh = self.path.open("a+", encoding="ascii")
        fh.seek(0)  # msvcrt locks from the current position
        if not try_lock(fh):
            fh.seek(0)
            text = fh.read().strip()
            fh.close()
            raise DataDirBusyError(self.data_dir, int(text) if text.isdigit() else None)
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        self._fh = fh
        return self

    def release(self) -> None:
        """Give the lock up (closing the file releases it); the file stays, harmless without a holder."""
        if self._fh is None:
            return
        with contextlib.suppress(OSError):
            self._fh.seek(0)
            self._fh.truncate()
        self._fh.close()
        self._fh = None

    def __enter__(self) -> DataDirLock:
        return self.acquire()

    def __exit__(self, *_exc: object) -> None:
        self.release()
