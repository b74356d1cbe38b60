"""``gait serve``: the local service with its dashboard (sample recordings and a live demo on first run)."""

from __future__ import annotations

import argparse
import contextlib
import errno
import logging
import os
import secrets
import socket
import sqlite3
import sys
from pathlib import Path
from typing import Any

from service.commands.data_folder import not_a_folder_words
from service.datalock import DataDirBusyError, DataDirLock
from service.settings import Settings, SettingsError, disk_problem_words, is_disk_full, is_loopback
from service.store import Store, StoreError

WRITE_CHECK_BYTES = 64 * 1024
"""What a start writes (and removes) in the data folder to know its disk takes writes: a few database pages."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``serve`` sub-command."""
    p = subparsers.add_parser(
        "serve",
        help="run the dashboard and API at http://127.0.0.1:8765",
        description="Run the local service. Binds 127.0.0.1 unless --host says otherwise; any other host requires "
        "a token, generated and printed once (or set GAIT_TOKEN). Settings also come from GAIT_* variables.",
    )
    p.add_argument("--host", default=None, help="address to bind (default 127.0.0.1; env GAIT_HOST)")
    p.add_argument("--port", type=int, default=None, help="port (default 8765; env GAIT_PORT)")
    p.add_argument("--data-dir", type=Path, default=None, help="where the database lives (env GAIT_DATA_DIR)")
    p.add_argument("--no-demo", action="store_true", help="no sample import and no demo walk on first run")
    p.add_argument(
        "--live-demo",
        action="store_true",
        help="replay a sample as a live demo walk on every start, not only the first (what ./run demo does)",
    )
    p.add_argument("--demo-speed", type=float, default=None, help="replay speed of the demo walk (default 1)")
    p.add_argument(
        "--ble-virtual",
        action="store_true",
        help="testing aid: virtual Bluetooth sensors replaying a sample recording instead of this computer's "
        "Bluetooth (env GAIT_BLE_VIRTUAL=1)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Start the server; returns when it stops."""
    import uvicorn

    from service.app import create_app

    host = bind_host(args.host or os.environ.get("GAIT_HOST") or "127.0.0.1")
    token = None
    if not is_loopback(host):
        token = os.environ.get("GAIT_TOKEN") or secrets.token_urlsafe(24)
    try:
        settings = Settings.from_env(
            host=host,
            port=args.port,
            data_dir=args.data_dir,
            demo=False if args.no_demo else None,
            live_demo=True if args.live_demo else None,
            demo_speed=args.demo_speed,
            ble_virtual=True if args.ble_virtual else None,
            token=token,
        )
    except SettingsError as exc:
        print(f"gait: error: {exc}", file=sys.stderr)
        return 2
    # Before anything touches the data: one server per data directory (a second one would take the first one's
    # live walk for a crashed one and close it), and the port bound before the URL is announced.
    data_lock = DataDirLock(settings.data_dir)
    # what acquiring creates (the folders, the lock file), removed again when the port refuses: nothing left behind
    created = [d for d in (settings.data_dir, *settings.data_dir.parents) if not d.exists()]
    lock_existed = data_lock.path.exists()
    try:
        data_lock.acquire()
    except DataDirBusyError as exc:
        print(f"gait: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a data folder that cannot be created or locked (permissions, a read-only disk)
        why = start_error_words(exc, settings.data_dir) if is_disk_full(exc) else None
        why = why or not_a_folder_words(settings.data_dir)
        print(
            f"gait: error: {why or f'cannot use the data folder {settings.data_dir}: {exc.strerror or exc}'}",
            file=sys.stderr,
        )
        return 2
    try:
        sock = bind_socket(host, settings.port)
    except OSError as exc:
        data_lock.release()
        _remove_created(data_lock.path if not lock_existed else None, created)
        if exc.errno == errno.EADDRINUSE:
            print(
                f"gait: error: port {settings.port} is in use; is gait serve already running? use --port",
                file=sys.stderr,
            )
        else:
            print(f"gait: error: cannot listen on {host} port {settings.port}: {exc.strerror}", file=sys.stderr)
        return 2
    # the database opened (and migrated) before the URL is announced: a full disk or a bad file is said in words
    problem = data_dir_problem(settings.data_dir, settings.db_path)
    if problem is not None:
        sock.close()
        data_lock.release()
        print(f"gait: error: {problem}", file=sys.stderr)
        return 2
    # 0.0.0.0 / :: are bind-all addresses, not something a browser can open: show this machine's name instead, and
    # its addresses on the network (another device may not resolve the name).
    bind_all = host in ("0.0.0.0", "::")
    shown_host = socket.gethostname() if bind_all else url_host(host)
    query = f"?token={settings.token}" if settings.token else ""
    url = f"http://{shown_host}:{settings.port}/{query}"
    if settings.token:
        print("gait: the token is in the URL below and is shown only once; anyone with it can see your data.")
        print(f"gait: {PLAIN_HTTP}")
    print(f"gait: dashboard at {url}  (data in {settings.data_dir})", flush=True)
    for address in network_addresses(socket.AF_INET6 if host == "::" else socket.AF_INET) if bind_all else ():
        print(
            f"gait: or at http://{url_host(address)}:{settings.port}/{query}  (this computer's address on the network)"
        )
    sys.stdout.flush()
    if settings.ble_virtual:
        print("gait: Bluetooth is virtual (testing aid): the sensors found are demo sensors replaying a sample.")
    logging.basicConfig(level=logging.INFO, format="gait: %(message)s")
    app = create_app(settings)
    app.state.data_lock = data_lock
    config = uvicorn.Config(app, host=host, port=settings.port, log_level="warning", timeout_graceful_shutdown=5)
    try:
        _server(config).run(sockets=[sock])
    finally:
        sock.close()
        data_lock.release()
    return 0


def data_dir_problem(data_dir: Path, db_path: Path) -> str | None:
    """Why the service cannot start on ``data_dir`` in words that say what to do, or None when it can.

    A full disk (or one that fails writes) is said as such, never with the advice to move the database away: the
    database is fine, and moving it would make all the walks seem gone.
    """
    check = data_dir / ".write-check"
    try:
        with open(check, "wb") as f:
            f.write(b"\0" * WRITE_CHECK_BYTES)
            f.flush()
            os.fsync(f.fileno())
        Store(db_path).open().close()
    except (OSError, sqlite3.Error, StoreError) as exc:
        return start_error_words(exc, data_dir)
    finally:
        with contextlib.suppress(OSError):
            check.unlink()
    return None


def start_error_words(exc: BaseException, data_dir: Path) -> str:
    """What ``gait serve`` says when its data folder fails at the start (:func:`data_dir_problem`).

    Examples
    --------
    >>> full = OSError(errno.ENOSPC, "No space left on device")
    >>> start_error_words(full, Path("/d")).startswith("the disk holding the gait data folder (/d) is full")
    True
    >>> "move" in start_error_words(full, Path("/d"))
    False
    """
    cause = exc.__context__ if isinstance(exc, StoreError) and exc.__context__ is not None else exc
    words = disk_problem_words(cause, data_dir, stopped=", so the service cannot start", again="start again")
    return str(exc) if words is None else words


PLAIN_HTTP = (
    "the dashboard is served over plain HTTP: your data and the token cross the network unencrypted, readable by "
    "anyone on it; use a network you trust (your home's, not public Wi-Fi), and the default (this computer only) "
    "when that is enough"
)
"""What ``gait serve`` says when it is reachable from the network (a token is required then)."""


def network_addresses(family: int = socket.AF_INET) -> list[str]:
    """This computer's addresses on its networks (not loopback), the one of its default route first; [] when
    there is none.

    The default route's address is the one the system would send from (a UDP socket "connected" to a documentation
    address sends nothing); the others are those its name resolves to.
    """
    probe = ("192.0.2.1", 9) if family == socket.AF_INET else ("2001:db8::1", 9)
    found: list[str] = []
    with contextlib.suppress(OSError), socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.connect(probe)
        found.append(sock.getsockname()[0])
    with contextlib.suppress(OSError):
        found += [info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, family, socket.SOCK_STREAM)]
    return [a for a in dict.fromkeys(found) if not is_loopback(a) and not a.startswith("fe80:")]


def _remove_created(lock_file: Path | None, folders: list[Path]) -> None:
    """Remove a lock file and the folders (deepest first) a refused start created; a folder that holds anything
    else by now stays."""
    with contextlib.suppress(OSError):
        if lock_file is not None:
            lock_file.unlink()
        for folder in folders:
            folder.rmdir()


def bind_host(host: str) -> str:
    """The address to bind as ``--host`` (or ``GAIT_HOST``) gives it, without an IPv6 address's URL brackets, and
    ``0`` (which the system binds as every IPv4 address) as ``0.0.0.0``, so that it is told as a bind-all address.

    Examples
    --------
    >>> bind_host("[::]"), bind_host("0"), bind_host("[::1]"), bind_host("192.168.1.5")
    ('::', '0.0.0.0', '::1', '192.168.1.5')
    """
    host = host.strip().removeprefix("[").removesuffix("]")
    return "0.0.0.0" if host == "0" else host


def url_host(address: str) -> str:
    """An address as a URL writes it: an IPv6 address in brackets.

    Examples
    --------
    >>> url_host("fe80::1"), url_host("192.168.1.5")
    ('[fe80::1]', '192.168.1.5')
    """
    return f"[{address}]" if ":" in address else address


def bind_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` for uvicorn to listen on (as uvicorn binds it); raises OSError when the port
    is taken, so the caller can say so before announcing the URL."""
    sock = socket.socket(family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _server(config: Any) -> Any:
    """A uvicorn server that ends the live feeds as soon as a shutdown is asked for.

    uvicorn waits for open connections before it runs the app's lifespan shutdown, and a live feed never ends by
    itself: without this, Ctrl-C with a dashboard open would wait out the grace period and cancel the feeds.
    """
    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            state = config.app.state
            loop = getattr(state, "loop", None)
            if loop is not None and hasattr(state, "hub"):
                loop.call_soon_threadsafe(state.hub.close)
            super().handle_exit(sig, frame)

    return Server(config)
