"""Demo walks do not crowd out the walker's own: Home's latest walks are the walker's, a demo replayed again
replaces its earlier replay, and a demo stopped before its first stride is not kept (QA finding 5)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.demo import import_samples
from tests.service.conftest import LOOPBACK, write_walk_csv
from tests.service.test_own_walks import samples, wait_until_idle  # noqa: F401 (a fixture)


@pytest.fixture
def client(tmp_path: Path, samples: Path):  # noqa: F811 (the fixture imported above)
    from service.app import create_app
    from service.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", demo=False, samples_dir=samples)
    with TestClient(create_app(settings), base_url=LOOPBACK) as c:
        yield c


def upload_own(client: TestClient, tmp_path: Path) -> int:
    with write_walk_csv(tmp_path / "mine.csv", duration_s=60.0).open("rb") as fh:
        r = client.post("/api/uploads", files={"file": ("mine.csv", fh)}, data={"placement": "lower_back"})
    assert r.status_code == 201, r.text
    return r.json()["walks"][0]["id"]


def run_demo(client: TestClient, speed: float = 50) -> int:
    r = client.post("/api/live/demo", json={"sample": "a_short_walk.csv", "speed": speed})
    assert r.status_code == 202, r.text
    return r.json()["walk_id"]


def test_the_latest_own_walks_are_listed_apart_from_newer_sample_and_demo_walks(
    client: TestClient,
    samples: Path,  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
) -> None:
    mine = upload_own(client, tmp_path)
    sample_ids = import_samples(client.app.state.store, samples)  # dated now: newer than the upload
    demo_id = run_demo(client)
    wait_until_idle(client)
    newest = client.get("/api/walks?limit=5").json()
    assert mine not in [w["id"] for w in newest]  # what Home listed: five walks of somebody else
    own = client.get("/api/walks?limit=5&demo=false").json()
    assert [w["id"] for w in own] == [mine]
    others = client.get("/api/walks?limit=100&demo=true").json()
    assert {w["id"] for w in others} == {*sample_ids, demo_id} and all(w["demo"] for w in others)
    # how many there are in all, with the same filter, whatever the page's size
    totals = {
        q: client.get(f"/api/walks?limit=1{q}").headers["x-total-count"] for q in ("", "&demo=false", "&demo=true")
    }
    assert totals == {"": str(len(sample_ids) + 2), "&demo=false": "1", "&demo=true": str(len(sample_ids) + 1)}


def test_a_demo_replayed_again_replaces_its_earlier_replay_and_nothing_else(client: TestClient, tmp_path: Path) -> None:
    mine = upload_own(client, tmp_path)
    journal = client.app.state.settings.journal_dir
    first = run_demo(client)
    wait_until_idle(client)
    assert (journal / f"walk-{first}.csv").exists()
    second = run_demo(client)
    wait_until_idle(client)
    live = [w for w in client.get("/api/walks").json() if w["origin"] == "live"]
    assert [w["id"] for w in live] == [second], live
    assert live[0]["summary"]["strides"] > 10 and live[0]["status"] == "complete"
    assert client.get(f"/api/walks/{first}").status_code == 404
    assert not list(journal.glob(f"walk-{first}.*"))  # its journal went with it
    assert client.get(f"/api/walks/{mine}").status_code == 200  # the walker's own walk stays


def test_a_demo_stopped_before_its_first_stride_is_not_kept(client: TestClient) -> None:
    walk_id = run_demo(client, speed=1)
    # at 1x the first stride needs a few seconds of samples: stopped at once, the walk has none
    assert client.get(f"/api/walks/{walk_id}").json()["status"] == "live"
    assert client.post("/api/live/stop").status_code in (200, 202, 204)
    wait_until_idle(client)
    assert client.get(f"/api/walks/{walk_id}").status_code == 404
    assert client.get("/api/walks").json() == []
    assert not list(client.app.state.settings.journal_dir.glob(f"walk-{walk_id}.*"))


def test_a_demo_stopped_after_some_strides_is_kept(client: TestClient) -> None:
    walk_id = run_demo(client, speed=5)
    deadline = time.monotonic() + 30
    while not client.get(f"/api/walks/{walk_id}").json()["summary"]["strides"]:
        assert time.monotonic() < deadline, "no stride stored"
        time.sleep(0.05)
    client.post("/api/live/stop")
    wait_until_idle(client)
    walk = client.get(f"/api/walks/{walk_id}").json()
    assert walk["status"] == "complete" and walk["summary"]["strides"] >= 1
    assert json.dumps(walk["source"]).count('"ended": "stopped"') == 1
