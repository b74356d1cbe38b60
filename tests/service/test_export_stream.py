"""Export all is sent while it is written, over real HTTP (uvicorn in this process, so a test can hold the writer):
the download starts at once, a failed writing breaks the download off rather than ending a ZIP that looks whole,
and a cancelled download stops the writing."""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn

import service.routers.export as export
from service.app import create_app
from service.settings import Settings
from tests.service.serverproc import free_port
from tests.service.test_export_all import BACK, FOOT, upload

HOLD_S = 20.0
"""The longest a held writer waits for the test (a writer released late means the test failed anyway)."""


@pytest.fixture
def served(settings: Settings) -> Iterator[httpx.Client]:
    """The service over real HTTP with two uploaded walks, whose export is sent in small pieces."""
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=free_port(), log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.config.port}"
    with httpx.Client(base_url=url, timeout=60) as client:
        for _ in range(200):
            if server.started:
                break
            threading.Event().wait(0.05)
        assert server.started, "uvicorn did not start"
        upload(client, FOOT, placement="foot", sensor_side="left")
        upload(client, BACK, placement="pocket")
        yield client
    server.should_exit = True
    thread.join(30)


class HeldWriter:
    """Holds the export's writing at its second walk's strides until released (or ``HOLD_S`` passes)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.holding = threading.Event()
        self.release = threading.Event()
        self.released_in_time = False
        self.calls = 0
        strides_csv = export.strides_csv

        def held(*args: Any, **kwargs: Any) -> str:
            self.calls += 1
            if self.calls == 2:
                self.holding.set()
                self.released_in_time = self.release.wait(HOLD_S)
            return strides_csv(*args, **kwargs)

        monkeypatch.setattr(export, "strides_csv", held)
        monkeypatch.setattr(export, "EXPORT_CHUNK_BYTES", 4096)


def export_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "gait-export"]


def test_the_download_starts_before_the_export_is_written(served: httpx.Client, monkeypatch) -> None:
    writer = HeldWriter(monkeypatch)
    with served.stream("GET", "/api/export?samples=1") as r:
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/zip"
        assert r.headers["content-disposition"].startswith('attachment; filename="gait-export-')
        pieces = r.iter_raw()
        first = next(pieces)
        # the first walk's files arrived while the writing is (or will be) held at the second walk, until released
        assert first.startswith(b"PK\x03\x04") and writer.holding.wait(HOLD_S)
        writer.release.set()
        body = first + b"".join(pieces)
    assert writer.released_in_time
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert archive.testzip() is None
    names = archive.namelist()
    assert {"walks.csv", "pain_reports.csv", "profile.json", "README.txt"} <= set(names)
    assert len([n for n in names if n.startswith("samples/")]) == 2
    assert len([n for n in names if n.startswith("strides/")]) == 2


def test_a_writing_that_fails_breaks_the_download_off(served: httpx.Client, monkeypatch) -> None:
    calls = []

    def failing(*args: Any, **kwargs: Any) -> str:
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return strides_csv(*args, **kwargs)

    strides_csv = export.strides_csv
    monkeypatch.setattr(export, "strides_csv", failing)
    monkeypatch.setattr(export, "EXPORT_CHUNK_BYTES", 4096)
    # the browser is told the download failed: never a complete-looking ZIP that lacks a walk
    with pytest.raises(httpx.RemoteProtocolError), served.stream("GET", "/api/export?samples=1") as r:
        assert r.status_code == 200
        r.read()


def test_a_cancelled_download_stops_the_writing(served: httpx.Client, monkeypatch) -> None:
    writer = HeldWriter(monkeypatch)
    with served.stream("GET", "/api/export?samples=1") as r:
        pieces = r.iter_raw()  # kept: a generator of httpx's dropped closes the response
        next(pieces)
        assert writer.holding.wait(HOLD_S)
        (thread,) = export_threads()
    # the browser's Cancel: the connection is closed with the export half written
    writer.release.set()
    thread.join(HOLD_S)
    # the held walk's samples alone are more than the pieces written ahead (8 of 4 KiB): a writer that did not stop
    # would wait for room for ever
    assert BACK.stat().st_size > 8 * 4096
    assert not thread.is_alive(), "the export went on writing for nobody"
