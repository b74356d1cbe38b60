"""QA23: the coach's history reads a walk's strides once, not on every page.

A year of daily walks holds about 380,000 strides in the baseline's 180 days; every GET /api/coaching (Home, Trends
and Profile pages), every upload and every walk of "Analyse all N again" read them all again: 1.1-1.3 s a page at
400 walks. Now a walk's strides are read again only when its analysis changed (or it is new)."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from fastapi.testclient import TestClient

from ingest.gait_csv import write_gait_csv_to
from service.coaching import history
from service.store import Store
from tests.service.conftest import synthetic_walk


def upload(client: TestClient, *, days_ago: float, step_hz: float) -> int:
    text = io.StringIO()
    write_gait_csv_to(synthetic_walk(step_hz=step_hz, duration_s=180.0), text)
    started = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(timespec="seconds")
    r = client.post(
        "/api/uploads",
        files={"file": ("walk.csv", text.getvalue().encode())},
        data={"placement": "lower_back", "started_at": started},
    )
    assert r.status_code == 201, r.text
    return r.json()["walks"][0]["id"]


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SQL statement run on the store's read connections."""
    seen: list[str] = []
    real_read = Store.read

    @contextmanager
    def traced(self: Store) -> Iterator[sqlite3.Connection]:
        with real_read(self) as conn:
            conn.set_trace_callback(seen.append)
            yield conn

    monkeypatch.setattr(Store, "read", traced)
    return seen


def stride_reads(statements: list[str]) -> list[str]:
    return [s for s in statements if "FROM strides" in s]


def test_the_coaching_page_reads_the_strides_of_unchanged_walks_once(
    client: TestClient, store: Store, statements: list[str]
) -> None:
    for i in range(3):
        upload(client, days_ago=3 - i, step_hz=1.6 + 0.1 * i)
    assert client.get("/api/coaching").status_code == 200
    statements.clear()
    assert client.get("/api/coaching").status_code == 200
    assert stride_reads(statements) == []


def test_a_walk_analysed_again_or_added_is_read_again(client: TestClient, store: Store, statements: list[str]) -> None:
    first = upload(client, days_ago=2, step_hz=1.7)
    (before,) = history(store, window_days=30)
    # another height: the walk's stride lengths change when it is analysed again
    assert client.patch("/api/profile", json={"changes": {"body_height_m": 1.95}}).status_code == 200
    assert client.post(f"/api/walks/{first}/reanalyse").status_code == 200
    statements.clear()
    (after,) = history(store, window_days=30)
    assert len(stride_reads(statements)) == 1
    stored = [s for s in store.strides(first) if s["cadence_spm"] > 0]
    np.testing.assert_allclose(after.stride_length_m, [s["length_m"] for s in stored])
    assert not np.allclose(after.stride_length_m, before.stride_length_m)
    second = upload(client, days_ago=1, step_hz=1.8)
    statements.clear()
    records = {r.walk_id: r for r in history(store, window_days=30)}
    assert set(records) == {str(first), str(second)}
    (read,) = stride_reads(statements)
    assert read.endswith(f"json_each('[{second}]'))")  # only the new walk's strides
    assert len(records[str(second)].cadence_spm) == len([s for s in store.strides(second) if s["cadence_spm"] > 0])
    # a deleted walk leaves the history
    assert client.delete(f"/api/walks/{first}").status_code == 200
    assert [r.walk_id for r in history(store, window_days=30)] == [str(second)]
