"""Suite-wide fixtures: no test reads or writes the user's real data directory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    data_dir = tmp_path_factory.mktemp("gait-data")
    monkeypatch.setenv("GAIT_DATA_DIR", str(data_dir))
    return data_dir


@pytest.fixture(autouse=True)
def _umask_restored() -> Iterator[None]:
    # `main(["live", ...])` in a test sets the command's private umask on the test process (service.privacy)
    before = os.umask(0o022)
    os.umask(before)
    yield
    os.umask(before)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        help="rewrite tests/snapshots/*.json from the current output instead of comparing with them",
    )
