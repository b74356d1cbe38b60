"""Fixtures for the service tests: an app on a temporary database and synthetic walking recordings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from gait.types import Recording
from ingest.gait_csv import write_gait_csv
from service.app import create_app
from service.deps import get_store
from service.settings import Settings
from service.store import Store

LOOPBACK = "http://127.0.0.1"


def synthetic_walk(*, step_hz: float = 1.8, duration_s: float = 60.0, rate_hz: float = 100.0) -> Recording:
    """A lower-back-like signal: vertical acceleration oscillating once per step (cadence = 60 x step_hz)."""
    t = np.arange(0.0, duration_s, 1.0 / rate_hz)
    acc = np.zeros((len(t), 3))
    acc[:, 2] = 9.81 + 2.0 * np.sin(2 * np.pi * step_hz * t)
    acc[:, 0] = 0.5 * np.sin(np.pi * step_hz * t)
    return Recording(t, acc)


def write_walk_csv(path: Path, **kwargs: float) -> Path:
    """Write :func:`synthetic_walk` as gait CSV at ``path``."""
    write_gait_csv(synthetic_walk(**kwargs), path)
    return path


@pytest.fixture
def walk_csv(tmp_path: Path) -> Path:
    """A 60 s synthetic walk at 108 steps/min as gait CSV."""
    return write_walk_csv(tmp_path / "walk.csv")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on a temporary data dir, no demo, no samples."""
    return Settings(data_dir=tmp_path / "data", demo=False, samples_dir=tmp_path / "no-samples")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh store on a temporary database."""
    s = Store(tmp_path / "test.sqlite3").open()
    yield s
    s.close()


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    """A TestClient whose store is the temporary ``store`` (via dependency_overrides)."""
    app = create_app(settings)
    app.dependency_overrides[get_store] = lambda: store
    with TestClient(app, base_url=LOOPBACK) as c:
        yield c


def count_rows(store: Store, table: str) -> int:
    """Rows in a store table."""
    with store.read() as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
