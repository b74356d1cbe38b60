"""Settings of the local service, read from the environment and overridden by CLI flags.

Nothing is read at import time: :func:`Settings.from_env` builds a frozen value that ``create_app`` receives.
"""

from __future__ import annotations

import errno
import ipaddress
import math
import os
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "gait-analyser"
REPO_SAMPLES_DIR = Path(__file__).resolve().parents[1] / "sample_recordings"
DEMO_SAMPLE = "mobgap_lower_back_daily_living.csv"
"""The sample the demos replay (the dashboard's live demo, its virtual sensors, ``gait live --demo``): lower back, as
most walkers wear a sensor, with several walking bouts, and the lower-back sample whose strides the coach trusts
most (30 of 64; its twin, 7 of 51, never gathers the 20 trusted strides a walk's own level needs, so its demo never
coached)."""
DEFAULT_MAX_UPLOAD_MB = 200.0
MIN_TOKEN_CHARS = 16
"""Shortest token accepted: anyone on the network who guesses it sees the walker's health data."""


class SettingsError(ValueError):
    """Raised when a setting from the environment or the command line is invalid."""


def is_loopback(host: str) -> bool:
    """Return True when ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_disk_full(exc: BaseException) -> bool:
    """Return True for the error of a full disk (or quota): OSError ENOSPC / EDQUOT, or SQLite's SQLITE_FULL."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    if isinstance(exc, sqlite3.Error):
        return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in str(exc)
    return False


def _is_full_disk(exc: BaseException, data_dir: Path) -> bool:
    """A full disk: said by the error (:func:`is_disk_full`), or SQLite's "disk I/O error" (opening a database in WAL
    mode on a full disk fails so, growing its shared-memory file) on a disk with no space left."""
    if is_disk_full(exc):
        return True
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None or code & 0xFF != sqlite3.SQLITE_IOERR:
        return False
    try:
        return os.statvfs(data_dir).f_bavail == 0
    except (OSError, AttributeError):  # no statvfs on Windows: said as a disk that cannot be written
        return False


def disk_problem(exc: BaseException, data_dir: Path, *, what: str = "the gait data folder") -> str | None:
    """What is wrong with the disk under the data folder when ``exc`` says it is full or fails writes (an OSError, or
    SQLite's SQLITE_FULL / SQLITE_IOERR), else None: the start of the words every front end says of it (``what``:
    the folder's name when it is another, e.g. the journal folder).

    Examples
    --------
    >>> disk_problem(OSError(errno.ENOSPC, "No space left on device"), Path("/d"))
    'the disk holding the gait data folder (/d) is full'
    >>> disk_problem(sqlite3.OperationalError("disk I/O error"), Path("/d")) is None  # no SQLite error code
    True
    """
    where = f"the disk holding {what} ({data_dir})"
    if _is_full_disk(exc, data_dir):
        return f"{where} is full"
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(exc, OSError) or (code is not None and code & 0xFF in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL)):
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return f"{where} cannot be written ({why}): it may be full or failing"
    return None


def disk_problem_words(
    exc: BaseException, data_dir: Path, *, stopped: str = "", again: str = "try again"
) -> str | None:
    """What a command says when the disk under the data folder is full or fails writes (:func:`disk_problem`), with
    what to do; None for any other error. Never the advice to move the database away: it is fine, and moving it
    would make all the walks seem gone.

    ``stopped`` says what could not go on (", so the service cannot start"), ``again`` what to do once space is free.

    Examples
    --------
    >>> disk_problem_words(OSError(errno.ENOSPC, "No space left on device"), Path("/d"))
    'the disk holding the gait data folder (/d) is full: your walks are kept; free some space on that disk and try \
again (or use --data-dir on another disk)'
    """
    problem = disk_problem(exc, data_dir)
    if problem is None:
        return None
    if _is_full_disk(exc, data_dir):
        return (
            f"{problem}{stopped}: your walks are kept; free some space on that disk and {again} (or use --data-dir "
            "on another disk)"
        )
    return f"{problem}{stopped}. Your walks are kept; free some space on that disk (or check it) and {again}"


def disk_full_message(data_dir: Path) -> str:
    """What a user is told when the data folder's disk is full (nothing was stored: every write is one transaction)."""
    return (
        f"the disk holding the gait data folder ({data_dir}) is full: nothing was stored; free some space on it "
        "(or start the service with GAIT_DATA_DIR on another disk) and try again"
    )


def _env_number(env: Mapping[str, str], name: str, kind: type[int] | type[float], example: str) -> Any:
    """The number the environment variable ``name`` holds, or a :class:`SettingsError` naming it and its value.

    Examples
    --------
    >>> _env_number({"GAIT_PORT": "8080"}, "GAIT_PORT", int, "8765")
    8080
    >>> try:
    ...     _env_number({"GAIT_PORT": "abc"}, "GAIT_PORT", int, "8765")
    ... except SettingsError as exc:
    ...     print(exc)
    GAIT_PORT='abc' is not a whole number: set it to one (e.g. GAIT_PORT=8765) or unset it
    >>> try:
    ...     _env_number({"GAIT_MAX_UPLOAD_MB": "inf"}, "GAIT_MAX_UPLOAD_MB", float, "200")
    ... except SettingsError as exc:
    ...     print(exc)
    GAIT_MAX_UPLOAD_MB='inf' is not a number: set it to one (e.g. GAIT_MAX_UPLOAD_MB=200) or unset it
    """
    try:
        value = kind(env[name])
    except ValueError:
        value = math.nan
    if not math.isfinite(value):  # "nan" and "inf" read as floats: no size, speed or port either
        what = "a whole number" if kind is int else "a number"
        raise SettingsError(f"{name}={env[name]!r} is not {what}: set it to one (e.g. {name}={example}) or unset it")
    return value


def _flag(value: str) -> bool:
    """An on/off environment variable: anything but 0, false, no or off is on."""
    return value.strip().lower() not in ("0", "false", "no", "off")


def default_data_dir() -> Path:
    """The user's data directory for the service (platformdirs), e.g. ``~/.local/share/gait-analyser``."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class Settings:
    """Configuration of one service instance.

    Attributes
    ----------
    data_dir
        Where the SQLite store, upload spool, live journals and kept samples of uploads live.
    host, port
        Address to bind. Any host other than loopback requires ``token``.
    token
        Shared secret checked on every request (at least ``MIN_TOKEN_CHARS`` characters); None on loopback binds.
    max_upload_bytes
        Uploads larger than this are refused with 413 before anything is stored (``GAIT_MAX_UPLOAD_MB`` counts
        MiB: 200 is 209,715,200 bytes).
    demo
        On first run with an empty store, import the sample recordings and replay one live.
    live_demo
        Also replay a sample as a live demo walk when the store already holds walks (what ``./run demo`` asks for,
        so that every demo start shows a live walk); needs ``demo``.
    samples_dir
        Folder with the sample recordings imported on first run.
    demo_speed
        Replay speed of the demo walk (1.0 = real time), and of the virtual sensors.
    ble_virtual
        Testing aid, off by default: the service reaches Bluetooth LE sensors on an in-process virtual radio whose
        demo sensors (one per protocol, as ``gait scan --demo`` lists) replay a sample recording, instead of the
        computer's Bluetooth adapter. Lets the dashboard's "Connect a sensor" path run without hardware
        (``GAIT_BLE_VIRTUAL=1`` or ``gait serve --ble-virtual``).
    """

    data_dir: Path = field(default_factory=default_data_dir)
    host: str = "127.0.0.1"
    port: int = 8765
    token: str | None = None
    max_upload_bytes: int = int(DEFAULT_MAX_UPLOAD_MB * 1024 * 1024)
    demo: bool = True
    live_demo: bool = False
    samples_dir: Path = REPO_SAMPLES_DIR
    demo_speed: float = 1.0
    ble_virtual: bool = False

    def __post_init__(self) -> None:
        if not is_loopback(self.host) and not self.token:
            raise SettingsError(
                f"binding to {self.host} exposes your data to the network: a token is required "
                "(gait serve generates one; set GAIT_TOKEN to choose it)"
            )
        if self.token is not None and len(self.token) < MIN_TOKEN_CHARS:
            raise SettingsError(
                f"GAIT_TOKEN is too short ({len(self.token)} characters; at least {MIN_TOKEN_CHARS}): anyone on the "
                "network could guess it; leave GAIT_TOKEN unset and gait serve generates one, or choose a long random "
                "one (python -c 'import secrets; print(secrets.token_urlsafe(24))')"
            )
        if not 0 < self.port < 65536:
            raise SettingsError(f"port {self.port} is out of range: use 1-65535")
        if self.max_upload_bytes <= 0:
            raise SettingsError("GAIT_MAX_UPLOAD_MB must be a positive number of megabytes")
        if not (math.isfinite(self.demo_speed) and self.demo_speed > 0):
            raise SettingsError(
                f"the demo speed must be a number above 0 (1 is real time, 2 twice as fast), got {self.demo_speed:g}: "
                "give --demo-speed (or GAIT_DEMO_SPEED) such a number"
            )

    @property
    def db_path(self) -> Path:
        """Path of the SQLite database file."""
        return self.data_dir / "gait.sqlite3"

    @property
    def journal_dir(self) -> Path:
        """Folder for live-session journals."""
        return self.data_dir / "journal"

    @property
    def recordings_dir(self) -> Path:
        """Folder where the raw samples of uploaded walks are kept, to analyse them again (service.recordings)."""
        return self.data_dir / "recordings"

    @property
    def spool_dir(self) -> Path:
        """Folder where uploads are written while they are analysed (deleted afterwards)."""
        return self.data_dir / "spool"

    @property
    def requires_token(self) -> bool:
        """True when requests must carry the token."""
        return self.token is not None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from ``GAIT_*`` environment variables, then apply non-None ``overrides``.

        Variables: ``GAIT_DATA_DIR``, ``GAIT_HOST``, ``GAIT_PORT``, ``GAIT_TOKEN``, ``GAIT_MAX_UPLOAD_MB``,
        ``GAIT_DEMO`` (0/1), ``GAIT_LIVE_DEMO`` (0/1), ``GAIT_SAMPLES_DIR``, ``GAIT_DEMO_SPEED``,
        ``GAIT_BLE_VIRTUAL`` (0/1, testing aid).
        """
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        if env.get("GAIT_DATA_DIR"):
            values["data_dir"] = Path(env["GAIT_DATA_DIR"]).expanduser()
        if env.get("GAIT_HOST"):
            values["host"] = env["GAIT_HOST"]
        if env.get("GAIT_PORT"):
            values["port"] = _env_number(env, "GAIT_PORT", int, "8765")
        if env.get("GAIT_TOKEN"):
            values["token"] = env["GAIT_TOKEN"]
        if env.get("GAIT_MAX_UPLOAD_MB"):
            values["max_upload_bytes"] = int(_env_number(env, "GAIT_MAX_UPLOAD_MB", float, "200") * 1024 * 1024)
        if env.get("GAIT_DEMO"):
            values["demo"] = _flag(env["GAIT_DEMO"])
        if env.get("GAIT_LIVE_DEMO"):
            values["live_demo"] = _flag(env["GAIT_LIVE_DEMO"])
        if env.get("GAIT_BLE_VIRTUAL"):
            values["ble_virtual"] = _flag(env["GAIT_BLE_VIRTUAL"])
        if env.get("GAIT_SAMPLES_DIR"):
            values["samples_dir"] = Path(env["GAIT_SAMPLES_DIR"]).expanduser()
        if env.get("GAIT_DEMO_SPEED"):
            values["demo_speed"] = _env_number(env, "GAIT_DEMO_SPEED", float, "1")
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        """Return a copy with ``changes`` applied."""
        return replace(self, **changes)


def upload_limit_message(limit_bytes: int) -> str:
    """What a refused upload says of the limit: in MiB (``GAIT_MAX_UPLOAD_MB`` counts 1024 x 1024 bytes) and in
    bytes, so that a "207.5 MB" file under a 200 MiB limit is no surprise; and what to do.

    Examples
    --------
    >>> upload_limit_message(200 * 1024 * 1024).split(":")[0]
    'the upload is larger than the limit of 200 MiB (209,715,200 bytes)'
    >>> upload_limit_message(200 * 1024 * 1024).split(": ")[1].split(" (")[0]
    'compress it first'
    """
    return (
        f"the upload is larger than the limit of {limit_bytes / 1024**2:.4g} MiB ({limit_bytes:,} bytes): "
        "compress it first (a CSV zipped or gzipped is read as it is, and often shrinks to under half), split the "
        "recording, or start the service with a larger GAIT_MAX_UPLOAD_MB"
    )
