"""Coaching learns only from the walker's own walks: sample recordings and demo walks are stored, shown and labelled,
never counted; walks are dated by the recording's own start time."""

from __future__ import annotations

import json
import math
import shutil
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.demo import import_samples
from service.store import MIGRATIONS, NewWalk, Store
from tests.service.conftest import LOOPBACK, write_walk_csv
from tests.service.serverproc import REPO

SHARED = REPO.parent / "shared" / "data" / "dev"
SENSOR_LOGGER_IOS = SHARED / "phone_exports" / "sensor_logger_ios_v1.10.4" / "2022-09-26_15-32-56"
"""A Sensor Logger export folder of 2 min 31 s (165 steps): uploaded zipped, as the dashboard takes a folder."""


def iso_ago(seconds: float) -> str:
    return (datetime.now(UTC) - timedelta(seconds=seconds)).isoformat(timespec="seconds")


def wait_until_idle(client: TestClient, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while client.get("/api/live").json()["running"]:
        assert time.monotonic() < deadline, "the demo walk did not end"
        time.sleep(0.05)


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    """The repo's sample recordings (four walkers) plus a short synthetic walk for a quick demo replay."""
    folder = tmp_path / "samples"
    folder.mkdir()
    for f in (REPO / "sample_recordings").glob("*"):
        if f.is_file():
            shutil.copy(f, folder / f.name)
    write_walk_csv(folder / "a_short_walk.csv", duration_s=30.0)
    (folder / "a_short_walk.reference.json").write_text(json.dumps({"placement": "lower_back"}))
    return folder


def test_samples_and_demo_walks_are_shown_but_never_coach(tmp_path: Path, samples: Path) -> None:
    from service.app import create_app
    from service.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", demo=False, samples_dir=samples)
    with TestClient(create_app(settings), base_url=LOOPBACK) as client:
        # back pain an hour ago: every walk after it would count as pain-free, and relax the target
        client.put("/api/profile", json={"coaching": {"enabled": True}})
        assert client.post("/api/pain", json={"score": 5, "reported_at": iso_ago(3600)}).status_code == 201
        store = client.app.state.store
        sample_ids = import_samples(store, samples)
        assert len(sample_ids) >= 5
        assert client.post("/api/live/demo", json={"sample": "a_short_walk.csv", "speed": 50}).status_code == 202
        wait_until_idle(client)

        walks = client.get("/api/walks").json()
        assert len(walks) == len(sample_ids) + 1 and all(w["demo"] for w in walks)
        assert {w["origin"] for w in walks} == {"sample", "live"}
        plan = client.get("/api/coaching").json()["plan"]
        assert plan["baseline"]["source"] == "population", plan["reasons"]
        assert plan["pain_free_walks_since_pain"] == 0
        assert "0 pain-free walks" in " ".join(plan["reasons"])
        assert client.get("/api/trends").json() == []  # trends are the walker's own walking

        # pain cannot be pinned on somebody else's walk
        r = client.post("/api/pain", json={"score": 4, "walk_id": walks[0]["id"], "onset_distance_m": 500})
        assert r.status_code == 422 and "sample or demo walk" in r.json()["detail"]

        # a walk of the walker's own counts (a walk for the coach: at least 2 minutes of walking)
        with write_walk_csv(tmp_path / "mine.csv", duration_s=150.0).open("rb") as fh:
            r = client.post("/api/uploads", files={"file": ("mine.csv", fh)}, data={"placement": "lower_back"})
        assert r.status_code == 201
        (mine,) = r.json()["walks"]
        assert mine["demo"] is False and mine["origin"] == "upload"
        plan = client.get("/api/coaching").json()["plan"]
        assert plan["pain_free_walks_since_pain"] == 1
        assert [row["walks"] for row in client.get("/api/trends").json()] == [1]


def test_personal_baseline_comes_from_own_walks_only(store: Store, samples: Path) -> None:
    from service.coaching import current_plan, history, load_profile

    import_samples(store, samples)
    with store.read() as conn:
        confident = conn.execute("SELECT COUNT(*) FROM strides WHERE confidence >= 0.6 AND length_m IS NOT NULL")
        assert confident.fetchone()[0] >= 100  # enough for a personal baseline, were the samples the walker's
    assert current_plan(store, load_profile(store)).baseline.source == "population"
    # over any window back to 1970: the samples are dated by their recordings (2019-2023)
    assert history(store, window_days=365.25 * 60) == []


def test_version_2_store_marks_its_sample_and_demo_walks(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:2]:
        conn.executescript(script)
    rows = [
        ("mine", "upload", "{}"),
        ("a sample", "sample", "{}"),
        ("Live demo: x", "live", json.dumps({"demo": True, "sample": "x.csv", "format": "replay"})),
        ("Live: virtual", "live", json.dumps({"format": "ble", "sensor": {"name": "demo", "virtual": True}})),
        ("Live: my pod", "live", json.dumps({"format": "ble", "sensor": {"name": "pod", "virtual": False}})),
        ("odd", "upload", '{"speed_mps": NaN}'),  # what json.dumps writes for a NaN: not strict JSON for SQLite
    ]
    for name, origin, source in rows:
        conn.execute(
            "INSERT INTO walks (name, origin, status, started_at, created_at, source_json) VALUES (?,?,?,?,?,?)",
            (name, origin, "complete", "2026-01-01T10:00:00+00:00", "2026-01-01T10:00:00+00:00", source),
        )
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    store = Store(path).open()
    try:
        assert store.schema_version == len(MIGRATIONS) >= 3
        demo = {w["name"]: w["demo"] for w in store.list_walks()}
        assert demo == {
            "mine": False,
            "a sample": True,
            "Live demo: x": True,
            "Live: virtual": True,
            "Live: my pod": False,
            "odd": False,
        }
        new_id = store.add_walk(NewWalk(name="new demo", origin="live", demo=True))
        assert store.get_walk(new_id)["demo"] is True
    finally:
        store.close()


def test_a_pain_onset_tied_to_a_demo_walk_in_an_old_store_is_not_learnt(store: Store) -> None:
    from service.coaching import current_plan, load_profile

    demo_id = store.add_walk(NewWalk(name="Live demo", origin="live", demo=True))
    store.add_pain(
        {
            "reported_at": iso_ago(600),
            "score": 5,
            "walk_id": demo_id,
            "onset_distance_m": 800.0,
            "onset_time_s": None,
            "note": None,
        }
    )
    plan = current_plan(store, load_profile(store))
    assert plan.onset is None and plan.recommendation is None
    assert plan.last_pain_at_s is not None  # the pain itself still counts


@pytest.mark.skipif(not SENSOR_LOGGER_IOS.exists(), reason="shared Sensor Logger export not found")
def test_an_upload_is_dated_by_the_recording_not_the_upload(client: TestClient, tmp_path: Path) -> None:
    # Sensor Logger names a recording by its start: 2022-09-26 15:32:56 (this phone's clock was on UTC)
    zipped = Path(shutil.make_archive(str(tmp_path / SENSOR_LOGGER_IOS.name), "zip", SENSOR_LOGGER_IOS))
    with zipped.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (zipped.name, fh)}, data={"placement": "pocket"})
    assert r.status_code == 201, r.text
    (walk,) = r.json()["walks"]
    assert walk["started_at"].startswith("2022-09-26T15:32:5"), walk["started_at"]
    assert walk["source"]["started_at_from"] == "recording"
    assert [row["period"] for row in client.get("/api/trends").json()] == ["2022-09-26"]
    # pain today: a walk from 2022 is not a pain-free walk since
    client.put("/api/profile", json={"coaching": {"enabled": True}})
    client.post("/api/pain", json={"score": 5})
    assert client.get("/api/coaching").json()["plan"]["pain_free_walks_since_pain"] == 0


def test_a_file_without_a_start_time_is_dated_to_end_at_upload_and_says_so(client: TestClient, walk_csv: Path) -> None:
    # dated to start at upload, a 5-minute walk "ended" 5 minutes in the future, after pain reports made meanwhile
    before = datetime.now(UTC).replace(microsecond=0)
    with walk_csv.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": ("walk.csv", fh)}, data={"placement": "lower_back"})
    (walk,) = r.json()["walks"]
    ended = datetime.fromisoformat(walk["started_at"]) + timedelta(seconds=walk["summary"]["duration_s"])
    assert walk["summary"]["duration_s"] > 30  # long enough to tell "ends at upload" from "starts at upload"
    assert before - timedelta(seconds=1) <= ended <= datetime.now(UTC) + timedelta(seconds=1)
    assert walk["source"]["started_at_from"] == "import"


@pytest.mark.parametrize(
    ("source", "basis"),
    [
        ({"start_epoch_s": 1662729295.0}, "recording"),
        ({"start_epoch_s": 12.5}, "import"),  # seconds since boot, not a date
        ({"start_epoch_s": math.nan}, "import"),
        ({"start_epoch_s": 4e9}, "import"),  # 2096: a wrong phone clock
        ({"started_at": "2024-05-01T08:00:00+00:00"}, "recording"),
        ({}, "import"),
    ],
)
def test_recording_start_is_used_only_when_it_is_a_date(source: dict, basis: str) -> None:
    from service.pipeline import recording_started_at

    assert recording_started_at(source)[1] == basis
