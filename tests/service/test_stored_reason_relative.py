"""QA16 #8: a walk's "Coaching at the time" said "back pain 3/10 reported 3 minutes ago" for ever (it meant three
minutes before the walk). The plan stored with a walk says the time relative to the walk; Home's plan of now stays
relative to now. A real phone recording, dated by its epoch column, on a real SQLite file through the API."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from service.store import Store
from tests.service.test_coaching_honesty import iso
from tests.service.test_pain_added_later import DAY_S, POCKET, coached_walker, upload_dated, walk_page

ACTIVE = "Stride coaching is switched on and active:"


def test_a_walks_stored_reason_says_the_pain_time_relative_to_the_walk(
    client: TestClient, store: Store, tmp_path: Path
) -> None:
    start_s = float(int(time.time() - 2 * DAY_S))
    coached_walker(client, first_pain_s=start_s - 3 * 60.0)
    walk = upload_dated(client, tmp_path, POCKET, start_s)
    assert walk["started_at"] == iso(start_s)
    said = f"{ACTIVE} back pain 4/10 reported 3 minutes before this walk."
    # as stored (what every later reading starts from), and as the walk page shows it
    stored = store.get_walk(walk["id"])["coaching"]["reasons"]
    assert stored[0] == said, stored
    assert walk_page(client, walk["id"])["coaching"]["reasons"][0] == said
    assert not any(" ago" in r for r in stored), stored
    # Home's plan is read at once: relative to now (the report two days old)
    now_reasons = client.get("/api/coaching").json()["plan"]["reasons"]
    assert now_reasons[0] == f"{ACTIVE} back pain 4/10 reported 2 days ago.", now_reasons


def test_an_undated_uploads_stored_reason_says_the_pain_time_relative_to_its_upload(
    client: TestClient, store: Store, tmp_path: Path
) -> None:
    # a file without a start time is dated to end at its upload and judged by the plan of its upload: the report
    # made just before the upload came after the walk's dated start, so "before this walk" would be untrue
    coached_walker(client, first_pain_s=time.time() - 3 * 60.0)
    walk = upload_dated(client, tmp_path, POCKET, None)
    assert walk["source"]["started_at_from"] == "import"
    said = f"{ACTIVE} back pain 4/10 reported 3 minutes before this walk was uploaded."
    assert store.get_walk(walk["id"])["coaching"]["reasons"][0] == said
    assert walk_page(client, walk["id"])["coaching"]["reasons"][0] == said
