"""The FastAPI application: ``create_app(settings)`` builds it; the lifespan opens the store and the live hub.

Nothing happens at import time: no settings are read, no database is opened.
"""

from __future__ import annotations

import asyncio
import logging
import math
import shutil
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from gait.coach.text import plural
from gait.errors import GaitError
from ingest.errors import IngestError
from service.datalock import DataDirLock
from service.demo import BleAccess, import_samples, list_samples, no_samples_text, start_demo, virtual_ble
from service.livehub import LiveHub, recover_interrupted
from service.privacy import private_folder, tighten_data_dir
from service.recordings import remove_orphans
from service.routers import coaching, export, health, live, pain, profile, trends, uploads, walks
from service.security import BodyTooLargeError, SecurityMiddleware
from service.settings import Settings, disk_full_message, is_disk_full, upload_limit_message
from service.store import Store
from service.uploads import UploadRegistry

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
ANALYSIS_SLOTS = 2
"""Uploads analysed at the same time (numpy work; more would only slow each down on a small machine)."""


async def first_run(app: FastAPI) -> None:
    """Import the sample recordings into an empty store and start the demo walk (when enabled; with
    ``live_demo`` the demo walk starts on every start).

    A missing or unreadable sample only costs the demo: it is logged and the service runs on.
    """
    try:
        await _first_run(app)
    except (FileNotFoundError, IngestError, GaitError, RuntimeError) as exc:
        log.warning("demo walk not started: %s", exc)


async def _first_run(app: FastAPI) -> None:
    settings: Settings = app.state.settings
    store: Store = app.state.store
    hub: LiveHub = app.state.hub
    recovered = app.state.recovered
    if await asyncio.to_thread(store.count_walks) == 0:
        if not list_samples(settings.samples_dir):
            # installed from a package (pip), not run from a checkout: nothing to show, and nothing wrong
            log.info(
                "%s; the dashboard starts empty: upload a recording or connect a sensor",
                no_samples_text(settings.samples_dir),
            )
            return
        ids = await asyncio.to_thread(import_samples, store, settings.samples_dir)
        log.info("imported %d sample recordings", len(ids))
        await start_demo(hub, store, settings, sample=None, speed=settings.demo_speed)
    elif any(w["source"].get("demo") for w in recovered):
        # The server died during the demo walk: the walk stays stored (interrupted); the demo starts again.
        await start_demo(hub, store, settings, sample=recovered[-1]["source"].get("sample"), speed=settings.demo_speed)
    elif settings.live_demo:
        # ``./run demo`` again: the samples are stored already, the live walk is what the demo is for.
        await start_demo(hub, store, settings, sample=None, speed=settings.demo_speed)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Lock the data directory, open the store, close walks a crash left live, run the first-run demo; close
    everything on the way out.

    ``gait serve`` takes the data directory's lock before it announces the server (and sets ``app.state.data_lock``);
    otherwise the lock is taken here, before anything is recovered, and :class:`service.datalock.DataDirBusyError`
    stops the start when another server holds it.
    """
    settings: Settings = app.state.settings
    own_lock = getattr(app.state, "data_lock", None) is None
    data_lock: DataDirLock = DataDirLock(settings.data_dir).acquire() if own_lock else app.state.data_lock
    try:
        async with _opened(app):
            yield
    finally:
        if own_lock:
            data_lock.release()


@asynccontextmanager
async def _opened(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    # health data: the data folder is the user's alone (one a previous version left readable by others is tightened)
    note = await asyncio.to_thread(tighten_data_dir, settings.data_dir)
    if note:
        log.warning(note)
    # Files of uploads a crash interrupted: never stored (the walk goes in one transaction), so just delete them.
    await asyncio.to_thread(shutil.rmtree, settings.spool_dir, True)
    private_folder(settings.spool_dir)
    store = Store(settings.db_path)
    await asyncio.to_thread(store.open)
    app.state.store = store
    app.state.uploads = UploadRegistry()
    app.state.analysis_slots = asyncio.Semaphore(ANALYSIS_SLOTS)
    app.state.hub = LiveHub(store, journal_dir=settings.journal_dir, recordings_dir=settings.recordings_dir)
    app.state.loop = asyncio.get_running_loop()  # lets a signal handler end the live feeds on shutdown
    app.state.recovered = await asyncio.to_thread(recover_interrupted, store, settings.journal_dir)
    # walks of `gait live` cut off before they ended (kill -9, a power cut): stored as their end would have
    from service.commands.live import recover_cut_off

    for line in await asyncio.to_thread(recover_cut_off, settings, settings.journal_dir):
        log.warning("%s", line)
    # samples and journals of walks that are not stored (a crash between a rename and its commit, a deletion whose
    # files could not be removed): health data of no walk, removed before any new walk starts
    orphans = await asyncio.to_thread(
        remove_orphans,
        await asyncio.to_thread(store.walk_ids),
        recordings_dir=settings.recordings_dir,
        journal_dir=settings.journal_dir,
    )
    if orphans:
        log.info("%s", leftovers_words(len(orphans)))
    # The virtual radio's sensors (a testing aid) live on this event loop, so they are made here, not in create_app.
    app.state.ble = await virtual_ble(settings) if settings.ble_virtual else BleAccess()
    startup: asyncio.Task[None] | None = None
    if settings.demo:
        startup = asyncio.create_task(first_run(app), name="first-run")
    try:
        yield
    finally:
        if startup is not None and not startup.done():
            startup.cancel()
        await app.state.hub.stop("shutdown")
        app.state.hub.close()
        await app.state.ble.close()
        await asyncio.to_thread(store.close)


def leftovers_words(n_files: int) -> str:
    """The start-up line of the files :func:`service.recordings.remove_orphans` removed.

    Examples
    --------
    >>> print(leftovers_words(1))  # doctest: +NORMALIZE_WHITESPACE
    removed 1 file left over from an interrupted upload or live walk, or from a deleted walk (samples or a
    journal of no stored walk)
    >>> leftovers_words(3).split(" (")[0][:36]
    'removed 3 files left over from an in'
    """
    what = "samples or a journal" if n_files == 1 else "samples or journals"
    return (
        f"removed {plural(n_files, 'file')} left over from an interrupted upload or live walk, or from a deleted walk "
        f"({what} of no stored walk)"
    )


def json_safe(value: object) -> object:
    """``value`` with every NaN or infinite float (which JSON cannot hold) replaced by its JSON5 spelling as text.

    Examples
    --------
    >>> json_safe({"input": float("nan"), "loc": ["body", 1.5], "ctx": (float("-inf"),)})
    {'input': 'NaN', 'loc': ['body', 1.5], 'ctx': ['-Infinity']}
    """
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def dashboard_address(path: str) -> str | None:
    """The dashboard address a page path meant (``/walks`` -> ``/#/walks``), None for the API and static files.

    Examples
    --------
    >>> dashboard_address("/walk/12"), dashboard_address("/index.html"), dashboard_address("/api/walks/9")
    ('/#/walk/12', '/', None)
    """
    if path.startswith(("/api/", "/static/")) or path in ("/api", "/static", "/docs", "/openapi.json"):
        return None
    route = path.strip("/")
    return "/" if route in ("", "index.html") else f"/#/{route}"


def create_app(settings: Settings) -> FastAPI:
    """Build the service for ``settings`` (see :class:`service.settings.Settings`)."""
    app = FastAPI(
        title="Gait analyser",
        summary="Stride-by-stride cadence and stride length, with opt-in overstride coaching.",
        version="0.1.0",
        lifespan=lifespan,
        # The interactive docs pages load scripts from a CDN, which the CSP (and the no-outside-requests rule)
        # forbids; the OpenAPI document itself is served.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    for module in (walks, uploads, trends, profile, pain, coaching, live, health, export):
        app.include_router(module.router)
    app.include_router(live.sensors_router)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own handler echoes the bad input back, and a NaN or Infinity in a JSON body (Python's JSON
        # reader accepts them) cannot be written as JSON: that was a 500. Spelled as text, it stays a clear 422.
        errors = []
        for error in exc.errors():
            given = error.get("input")
            if isinstance(given, float) and not math.isfinite(given):
                error = {
                    **error,
                    "type": "finite_number",
                    "msg": f"Input should be a finite number, not {json_safe(given)}",
                }
                error.pop("ctx", None)
            errors.append(error)
        return JSONResponse({"detail": json_safe(jsonable_encoder(errors))}, status_code=422)

    async def disk_full(_request: Request, exc: Exception) -> JSONResponse:
        # a full disk is no bug of ours: the walker needs to know what to do, not see "Internal Server Error"
        if not is_disk_full(exc):
            raise exc
        return JSONResponse({"detail": disk_full_message(settings.data_dir)}, status_code=507)

    app.add_exception_handler(OSError, disk_full)
    app.add_exception_handler(sqlite3.Error, disk_full)

    @app.exception_handler(BodyTooLargeError)
    async def too_large(_request: Request, exc: BodyTooLargeError) -> JSONResponse:
        return JSONResponse({"detail": upload_limit_message(exc.limit_bytes)}, status_code=413)

    @app.exception_handler(StarletteHTTPException)
    async def not_found_page(request: Request, exc: StarletteHTTPException) -> Response:
        # the dashboard's pages are addresses after '#' (/#/walks): a browser sent to /walks, /walk/12 or
        # /index.html is taken to the page it meant, not shown {"detail": "Not Found"}; the API keeps its JSON
        page = dashboard_address(request.url.path)
        wants_page = "text/html" in request.headers.get("accept", "")
        if exc.status_code == 404 and request.method == "GET" and page and wants_page:
            return RedirectResponse(page, status_code=307)
        return await http_exception_handler(request, exc)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers={"cache-control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(
        SecurityMiddleware,
        token=settings.token,
        loopback_only=settings.token is None,
        max_body_bytes=settings.max_upload_bytes,
    )
    return app
