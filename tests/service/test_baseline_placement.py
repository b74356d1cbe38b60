"""The personal baseline per sensor placement, on real recordings and a real SQLite store: a pocket phone's baseline
is never used for a lower-back walk and the reverse (the walk's own level instead, and its page says why), the same
placement's baseline still is; uploads and live walks alike; the dashboard's plan names each placement's baseline.

The walker's history is the 5-minute pocket-phone walk of the shared development data (Sensor Logger, calibrated
with a factor of 1.132, 511 trusted strides), analysed as an upload and stored three times on three days (the
store refuses the same upload twice; a baseline needs three walks of two minutes). The lower-back walk is a
MetaWear lumbar recording of the same data (32 strides at 127 steps/min).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from gait.types import Placement, Recording
from ingest import load
from ingest.gait_csv import write_gait_csv
from ingest.replay import replay_chunks
from service import coaching, pipeline, reanalysis
from service.app import create_app
from service.demo import _start_live_walk
from service.settings import Settings
from service.store import MIGRATIONS, Store
from tests.service.conftest import LOOPBACK, write_walk_csv
from tests.service.test_sensors import feed_until
from tests.service.test_store import _database_before
from tests.service.test_walk_states import until

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data" / "dev"
POCKET_WALK = SHARED / "phone_exports" / "sensor_logger_android_header_edited" / "Longwalking.csv"
BACK_WALK = SHARED / "ble_sensor_exports" / "metawear_metamotion_lumbar_chenliseu" / "Accelerometer.csv"
POCKET_SAMPLE = REPO / "sample_recordings" / "oxford_phone_back_pocket.csv"
FACTOR = 1.132
HEIGHT_M = 1.75
TOLERANCE_M = 0.05

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not POCKET_WALK.is_file(), reason=f"shared dev data not found at {SHARED}"),
    pytest.mark.timeout(120),
]


def population_m(cadence_spm: float) -> float:
    """The population line for 1.75 m, 2 x 0.0035 x height x cadence, cadence held within 98-130 steps/min."""
    return 2 * 0.0035 * HEIGHT_M * min(max(cadence_spm, 98.0), 130.0)


def trusted(s: dict) -> bool:
    return s["length_m"] is not None and 0.2 <= s["length_m"] <= 2.5 and s["confidence"] >= 0.6


def from_zero(recording: Recording, path: Path) -> Path:
    """The recording as gait CSV counting from 0 s: no start time, so dated when uploaded (after the history)."""
    write_gait_csv(replace(recording, time_s=recording.time_s - recording.time_s[0]), path)
    return path


def upload(client: TestClient, path: Path, placement: str) -> dict:
    with path.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": placement})
    assert r.status_code == 201, r.text
    return client.get(f"/api/walks/{r.json()['walks'][0]['id']}").json()


def strides_of(client: TestClient, walk_id: int) -> list[dict]:
    return client.get(f"/api/walks/{walk_id}/strides").json()


def assert_own_level(strides: list[dict]) -> int:
    """The walk was judged against its own first 20 trusted strides: none of them has a target, every later stride's
    target is 10 % below the level they set (their median ratio to the population line) at its cadence, and a
    trusted stride is flagged when longer than that plus 0.05 m. Returns how many were flagged."""
    level_idx = [i for i, s in enumerate(strides) if trusted(s)][:20]
    assert len(level_idx) == 20
    assert {(s["target_m"], s["overlong"]) for s in strides[: level_idx[-1] + 1]} == {(None, None)}
    scale = float(np.median([strides[i]["length_m"] / population_m(strides[i]["cadence_spm"]) for i in level_idx]))
    later = strides[level_idx[-1] + 1 :]
    assert later
    for s in later:
        # to a micrometre: the level is recomputed here from the strides as the API gives them, and once in a full
        # suite run it differed from the judge's in the 8th digit (4.6e-8 relative; not reproduced alone)
        assert s["target_m"] == pytest.approx(0.9 * scale * population_m(s["cadence_spm"]), abs=1e-6)
        if trusted(s):
            assert s["overlong"] == int(s["length_m"] > s["target_m"] + TOLERANCE_M)
    return sum(bool(s["overlong"]) for s in later)


def make_pocket_walker(store: Store) -> Store:
    """Coaching on, pocket phone calibrated (1.132), three pocket walks 10, 9 and 8 days ago, back pain an hour ago."""
    store.put_profile(
        {"body_height_m": HEIGHT_M, "placement": "pocket", "stride_scales": {"pocket": FACTOR},
         "coaching": {"enabled": True}}
    )  # fmt: skip
    recording = load(POCKET_WALK, placement="pocket")
    options = pipeline.AnalysisOptions(placement=Placement.POCKET, body_height_m=HEIGHT_M, stride_scale=FACTOR)
    walk = pipeline.analyse_to_walk(recording, name="pocket walk", origin="upload", options=options)
    now = datetime.now(UTC)
    for day in (10, 9, 8):
        # without its step times: the store (rightly) refuses the same walk stored twice by their timing
        started = (now - timedelta(days=day)).isoformat(timespec="seconds")
        store.add_walk(replace(walk, name=f"pocket walk {day}", started_at=started, steps=[]))
    reported = (now - timedelta(hours=1)).isoformat(timespec="seconds")
    store.add_pain({"reported_at": reported, "score": 5, "walk_id": None, "onset_distance_m": None,
                    "onset_time_s": None, "note": None})  # fmt: skip
    return store


@pytest.fixture
def pocket_walker(store: Store) -> Store:
    """The store of :func:`make_pocket_walker` (the ``client`` fixture's)."""
    return make_pocket_walker(store)


def pocket_baseline_m(store: Store, cadence_spm: np.ndarray) -> np.ndarray:
    """The pocket walks' baseline worked out from their stored strides: their cadences barely vary, so the line is
    the walker's own walk ratio (median length / cadence), held within the 5th-95th percentile of their cadences."""
    history = [w for w in store.list_walks() if w["name"].startswith("pocket walk ")]
    assert len(history) == 3
    rows = [s for w in history for s in store.strides(w["id"]) if trusted(s)]
    length = np.array([s["length_m"] for s in rows])
    cadence = np.array([s["cadence_spm"] for s in rows])
    lo, hi = np.percentile(cadence, [5.0, 95.0])
    return float(np.median(length / cadence)) * np.clip(cadence_spm, lo, hi)


def test_a_pocket_baseline_is_not_used_for_a_lower_back_upload(
    client: TestClient, pocket_walker: Store, tmp_path: Path
) -> None:
    walk = upload(client, from_zero(load(BACK_WALK, placement="lower_back"), tmp_path / "back.csv"), "lower_back")
    strides = strides_of(client, walk["id"])
    median_m = float(np.median([s["length_m"] for s in strides if trusted(s)]))
    # the pocket baseline at these cadences sits well above the lower-back strides: judged against it (10 % below),
    # no stride of this walk would be flagged
    old_target = 0.9 * pocket_baseline_m(pocket_walker, np.array([s["cadence_spm"] for s in strides]))
    assert not any(trusted(s) and s["length_m"] > t + TOLERANCE_M for s, t in zip(strides, old_target, strict=True))
    assert float(np.median(old_target)) > 1.05 * median_m
    # judged against its own first 20 strides instead: a target below how it was walked, and strides flagged
    flagged = assert_own_level(strides)
    assert flagged > 0 and walk["summary"]["flagged_strides"] == flagged
    later_targets = [s["target_m"] for s in strides if s["target_m"] is not None]
    assert float(np.median(later_targets)) < median_m
    said = walk["coaching"]
    assert said["baseline_source"] == "population" and said["baseline_placement"] == "lower_back"
    reasons = said["reasons"]
    assert (
        "Baseline for a lower-back sensor: none of your own yet; population default from height 1.75 m; a personal "
        "baseline needs 3 pain-free walks with the sensor there (of 2 minutes' walking or more) with 100 confident "
        "strides; so far 0 walks, 0 strides."
    ) in reasons
    (level,) = [r for r in reasons if "this walk's first 20 strides" in r and r.startswith("There is")]
    assert level.startswith(
        "There is no baseline of yours for a lower-back sensor yet, so strides were compared with this walk's first "
        "20 strides: they set this walk's level at"
    ), level
    assert not any("personal baseline)" in r for r in reasons)


def test_the_same_placements_baseline_is_still_used(client: TestClient, pocket_walker: Store) -> None:
    walk = upload(client, POCKET_SAMPLE, "pocket")
    strides = strides_of(client, walk["id"])
    assert sum(trusted(s) for s in strides) >= 100  # the calibrated phone's lengths are trusted
    expected = 0.9 * pocket_baseline_m(pocket_walker, np.array([s["cadence_spm"] for s in strides]))
    # judged from the first stride on (no level to wait for), against 10 % below the pocket walks' baseline
    assert [s["target_m"] for s in strides] == pytest.approx(list(expected), rel=1e-9)
    for s in strides:
        if trusted(s):
            assert s["overlong"] == int(s["length_m"] > s["target_m"] + TOLERANCE_M)
    reasons = walk["coaching"]["reasons"]
    assert next(r for r in reasons if r.startswith("Baseline")).startswith(
        "Baseline for a pocket sensor: personal: "
    ) and "in proportion to cadence" in next(r for r in reasons if r.startswith("Baseline"))
    assert "Strides compared with your usual strides (your personal baseline for a pocket sensor); the target 10 % " \
        "below them." in reasons  # fmt: skip
    assert walk["coaching"]["baseline_placement"] == "pocket"


def test_a_walk_corrected_to_another_placement_is_judged_by_that_placements_baseline(
    client: TestClient, pocket_walker: Store
) -> None:
    """A pocket walk uploaded as waist (no waist baseline) and corrected in place with "Analyse again" as pocket: the
    pocket walks' baseline and the pocket factor then apply, and its pain report stays its own."""
    walk = upload(client, POCKET_SAMPLE, "waist")
    assert walk["coaching"]["baseline_placement"] == "waist" and walk["coaching"]["baseline_source"] == "population"
    report = client.post("/api/pain", json={"score": 2, "walk_id": walk["id"]}).json()
    r = client.post(f"/api/walks/{walk['id']}/reanalyse", json={"placement": "pocket"})
    assert r.status_code == 200, r.text
    assert r.json()["change"].startswith("placement waist -> pocket: ")
    again = client.get(f"/api/walks/{walk['id']}").json()
    assert again["placement"] == "pocket" and again["analysis"]["stride_scale"] == FACTOR
    assert again["coaching"]["baseline_placement"] == "pocket"
    strides = strides_of(client, walk["id"])
    expected = 0.9 * pocket_baseline_m(pocket_walker, np.array([s["cadence_spm"] for s in strides]))
    assert [s["target_m"] for s in strides] == pytest.approx(list(expected), rel=1e-9)
    assert [p["id"] for p in again["pain_reports"]] == [report["id"]]
    assert again["reanalysis"]["out_of_date"] is False


def test_a_lower_back_baseline_is_not_used_for_a_pocket_upload(client: TestClient, tmp_path: Path) -> None:
    # the reverse. No real lower-back recording here holds two minutes of walking, so the lower-back history is
    # three synthetic 150 s walks (strides of 1.09-1.23 m); the calibrated phone reads this walker about 15 % longer
    profile = {"body_height_m": HEIGHT_M, "placement": "lower_back", "stride_scales": {"pocket": FACTOR},
               "coaching": {"enabled": True}}  # fmt: skip
    assert client.put("/api/profile", json=profile).status_code == 200
    for hz in (1.6, 1.7, 1.8):
        upload(client, write_walk_csv(tmp_path / f"back-{hz}.csv", step_hz=hz, duration_s=150.0), "lower_back")
    assert client.post("/api/pain", json={"score": 5}).status_code == 201
    pocket = upload(client, from_zero(load(POCKET_WALK, placement="pocket"), tmp_path / "pocket.csv"), "pocket")
    strides = strides_of(client, pocket["id"])
    judged = [s for s in strides if s["overlong"] is not None]
    flagged = assert_own_level(strides)
    assert len(judged) == sum(trusted(s) for s in strides) - 20 and flagged > 0
    assert any(
        r.startswith("There is no baseline of yours for a pocket sensor yet, so strides were compared")
        for r in pocket["coaching"]["reasons"]
    )
    # a lower-back walk still has its baseline: judged from its first stride against the lower-back walks
    back = upload(client, write_walk_csv(tmp_path / "back-again.csv", step_hz=1.75, duration_s=150.0), "lower_back")
    back_strides = strides_of(client, back["id"])
    assert all(s["target_m"] is not None for s in back_strides)
    assert (
        "Strides compared with your usual strides (your personal baseline for a lower-back sensor); the target 10 % "
        "below them."
    ) in back["coaching"]["reasons"]


def test_the_dashboards_plan_names_the_baseline_of_each_placement_used(
    client: TestClient, pocket_walker: Store, tmp_path: Path
) -> None:
    reasons = client.get("/api/coaching").json()["plan"]["reasons"]
    baselines = [r for r in reasons if r.startswith("Baseline")]
    assert len(baselines) == 1 and baselines[0].startswith("Baseline for a pocket sensor: personal: ")
    assert (
        "from 1533 confident strides in 3 baseline walks (pain-free, not coached, in the last 180 days)" in baselines[0]
    )  # 3 x 511: the pocket walks only
    upload(client, from_zero(load(BACK_WALK, placement="lower_back"), tmp_path / "back.csv"), "lower_back")
    plan = client.get("/api/coaching").json()["plan"]
    baselines = [r for r in plan["reasons"] if r.startswith("Baseline")]
    # the usual placement (the profile's) first, then the other placement walked with, each with its own baseline
    assert [b.split(":")[0] for b in baselines] == ["Baseline for a pocket sensor", "Baseline for a lower-back sensor"]
    assert baselines[1].startswith("Baseline for a lower-back sensor: none of your own yet; population default")
    assert plan["placement"] == "pocket" and [b["placement"] for b in plan["other_baselines"]] == ["lower_back"]
    # the rest of the plan is the walker's, not a sensor's: one target, one count of pain-free walks
    assert sum(r.startswith("Target: ") for r in plan["reasons"]) == 1
    assert any(r.startswith("Until then each walk sets its own level") for r in plan["reasons"])


@pytest.fixture
def app_client(tmp_path: Path) -> Iterator[TestClient]:
    """The app with its own store and hub (a live walk runs in the app's hub)."""
    settings = Settings(data_dir=tmp_path / "data", demo=False, samples_dir=tmp_path / "no-samples")
    with TestClient(create_app(settings), base_url=LOOPBACK) as client:
        yield client


def _live_replay(client: TestClient, recording: Recording, placement: Placement) -> dict:
    """A live walk of the walker's own (not a demo) replaying ``recording`` in the app's hub; the stored walk."""
    app = client.app
    walk_id = client.portal.call(
        lambda: _start_live_walk(
            app.state.hub,
            app.state.store,
            app.state.settings,
            coaching.load_profile(app.state.store),
            make_source=lambda: replay_chunks(recording, speed=math.inf),
            placement=placement,
            body_height_m=HEIGHT_M,
            walk_name="live walk",
            walk_source={},
        )
    )
    until(lambda: not app.state.hub.running, "the walk to end")
    return until(lambda: (w := client.get(f"/api/walks/{walk_id}").json())["status"] != "live" and w, "its close")


def test_a_live_walk_gets_its_placements_baseline_as_an_upload_does(app_client: TestClient, tmp_path: Path) -> None:
    make_pocket_walker(app_client.app.state.store)  # the same walker as the uploads'
    recording = replace(load(BACK_WALK, placement="lower_back"), body_height_m=HEIGHT_M)
    upload_walk = upload(app_client, from_zero(recording, tmp_path / "back.csv"), "lower_back")
    up_strides = strides_of(app_client, upload_walk["id"])
    # deleted before the live walk of the same recording (the store refuses the same walk twice)
    assert app_client.delete(f"/api/walks/{upload_walk['id']}").status_code == 200
    live = _live_replay(app_client, recording, Placement.LOWER_BACK)
    live_strides = strides_of(app_client, live["id"])
    assert_own_level(live_strides)
    assert live["coaching"]["baseline_placement"] == "lower_back"
    # the same words and the same targets as an upload of the same recording
    level = [r for r in live["coaching"]["reasons"] if r.startswith("There is no baseline of yours for a lower-back")]
    assert len(level) == 1 and level == [
        r for r in upload_walk["coaching"]["reasons"] if r.startswith("There is no baseline of yours for a lower-back")
    ]
    assert [s["target_m"] for s in live_strides] == pytest.approx([s["target_m"] for s in up_strides])
    # a live pocket walk is judged against the pocket walks' baseline from its first stride
    pocket = _live_replay(app_client, load(POCKET_SAMPLE, placement="pocket"), Placement.POCKET)
    assert all(s["target_m"] is not None for s in strides_of(app_client, pocket["id"]))
    assert any("your personal baseline for a pocket sensor" in r for r in pocket["coaching"]["reasons"])


def test_coaching_off_says_the_level_was_set_and_nothing_flagged(client: TestClient, tmp_path: Path) -> None:
    profile = {"body_height_m": HEIGHT_M, "placement": "lower_back", "coaching": {"enabled": False}}
    assert client.put("/api/profile", json=profile).status_code == 200
    walk = upload(client, from_zero(load(BACK_WALK, placement="lower_back"), tmp_path / "back.csv"), "lower_back")
    (said,) = [r for r in walk["coaching"]["reasons"] if r.startswith("There is no baseline of yours")]
    assert said.startswith(
        "There is no baseline of yours for a lower-back sensor yet, so this walk's first 20 strides (trusted ones) "
        "set this walk's level at "
    ), said
    assert said.endswith("; coaching was inactive, so no stride was flagged.") and "compared" not in said
    assert walk["summary"]["flagged_strides"] == 0


def _old_walk(conn, walk_id: int, placement: str, started: str, plan: str, confidence: float) -> None:
    """A walk as an earlier version stored it (its plan without ``baseline_placement``), with one stride."""
    analysis = f'{{"version": "{pipeline.ANALYSIS_VERSION}", "uses_profile": true, "stride_scale": null}}'
    conn.execute(
        "INSERT INTO walks (id, name, origin, status, placement, started_at, created_at, coaching_json, analysis_json,"
        " demo) VALUES (?, ?, 'upload', 'complete', ?, ?, ?, ?, ?, 0)",
        (walk_id, f"walk {walk_id}", placement, started, started, plan, analysis),
    )
    conn.execute(
        "INSERT INTO strides (walk_id, idx, start_s, end_s, length_m, cadence_spm, confidence, method)"
        " VALUES (?, 0, 1.0, 2.1, 1.3, 109.0, ?, 'model')",
        (walk_id, confidence),
    )


def test_the_upgrade_marks_walks_judged_against_other_placements_walks(tmp_path: Path) -> None:
    conn = _database_before(tmp_path / "db.sqlite3", "walk_plans_name_their_baseline_placement")
    personal = '{"active": true, "baseline_source": "personal", "reasons": []}'
    population = '{"active": true, "baseline_source": "population", "reasons": []}'
    # March: a calibrated phone's walk (trusted lengths), then lower-back walks judged with and without a baseline
    _old_walk(conn, 1, "pocket", "2026-03-01T10:00:00+00:00", "{}", 0.8)
    _old_walk(conn, 2, "lower_back", "2026-03-05T10:00:00+00:00", personal, 0.8)  # could hold the phone's strides
    _old_walk(conn, 3, "lower_back", "2026-03-06T10:00:00+00:00", population, 0.8)  # none then: none of its own
    # October (over 180 days later): shoe walks, and an uncalibrated phone whose lengths (0.5) enter no baseline
    _old_walk(conn, 4, "foot", "2026-10-01T10:00:00+00:00", "{}", 0.9)
    _old_walk(conn, 5, "hand", "2026-10-02T10:00:00+00:00", "{}", 0.5)
    _old_walk(conn, 6, "foot", "2026-10-05T10:00:00+00:00", personal, 0.9)  # only shoe walks could enter it
    lowered = '{"active": true, "baseline_source": "personal", "min_confidence": 0.4, "reasons": []}'
    _old_walk(conn, 7, "foot", "2026-10-06T10:00:00+00:00", lowered, 0.9)  # the phone's 0.5 entered this one
    conn.close()

    store = Store(tmp_path / "db.sqlite3").open()
    try:
        assert store.schema_version == len(MIGRATIONS)
        walks = {w["id"]: w for w in store.list_walks()}
    finally:
        store.close()
    plans = {i: w["coaching"] for i, w in walks.items()}
    assert plans[1] == plans[4] == plans[5] == {}  # no plan stored: nothing to name
    assert plans[2]["baseline_placements_mixed"] is True and "baseline_placement" not in plans[2]
    assert plans[7]["baseline_placements_mixed"] is True
    assert plans[3]["baseline_placement"] == "lower_back" and plans[6]["baseline_placement"] == "foot"
    assert "baseline_placements_mixed" not in plans[3] and "baseline_placements_mixed" not in plans[6]
    profile = coaching.ProfileUpdate()
    assert reanalysis.out_of_date_reasons(walks[2], profile) == [
        reanalysis.MIXED_BASELINE.format(sensor="lower-back sensor")
    ]
    assert reanalysis.out_of_date_reasons(walks[6], profile) == []
    # calibrating with a walk needs up-to-date lengths, not up-to-date coaching
    assert reanalysis.out_of_date_reasons(walks[2], profile, factor=False, coaching_too=False) == []


def test_analysing_again_judges_a_mixed_baseline_walk_against_its_own_placement(
    client: TestClient, pocket_walker: Store, tmp_path: Path
) -> None:
    walk = upload(client, from_zero(load(BACK_WALK, placement="lower_back"), tmp_path / "back.csv"), "lower_back")
    fresh = strides_of(client, walk["id"])
    # the walk as an earlier version left it: judged against the pocket walks' baseline (nothing flagged)
    old_plan = {**walk["coaching"], "baseline_source": "personal", "baseline_placements_mixed": True}
    del old_plan["baseline_placement"]
    with pocket_walker.write() as conn:
        conn.execute(
            "UPDATE walks SET coaching_json = ?, flagged_strides = 0 WHERE id = ?", (json.dumps(old_plan), walk["id"])
        )
        conn.execute("UPDATE strides SET target_m = 1.5, overlong = 0 WHERE walk_id = ?", (walk["id"],))
    status = client.get(f"/api/walks/{walk['id']}").json()["reanalysis"]
    assert status["out_of_date"] is True and status["can_reanalyse"] is True
    assert status["reasons"] == [reanalysis.MIXED_BASELINE.format(sensor="lower-back sensor")]
    assert status["reason_kinds"] == ["mixed_baseline"]
    overview = client.get("/api/walks/reanalysis").json()
    assert overview["out_of_date"] == 1
    # QA: the profile page said such walks had another height or factor or an earlier version: the count per kind
    by_reason = {"version": 0, "height": 0, "factor": 0, "mixed_baseline": 1, "pain": 0, "deleted_walk": 0, "date": 0}
    assert overview["out_of_date_by_reason"] == by_reason
    assert client.post(f"/api/walks/{walk['id']}/reanalyse").status_code == 200
    again = client.get(f"/api/walks/{walk['id']}").json()
    assert again["reanalysis"]["out_of_date"] is False
    assert again["coaching"]["baseline_placement"] == "lower_back"
    redone = strides_of(client, walk["id"])
    assert_own_level(redone)
    assert [(s["target_m"], s["overlong"]) for s in redone] == [(s["target_m"], s["overlong"]) for s in fresh]


@pytest.fixture
def virtual(tmp_path: Path) -> Iterator[TestClient]:
    """The service on the virtual radio (GAIT_BLE_VIRTUAL=1): its demo sensors replay a 60 s synthetic walk (108
    steps/min) at 10x; the walker of :func:`make_pocket_walker` has a personal pocket baseline."""
    samples = tmp_path / "samples"
    samples.mkdir()
    write_walk_csv(samples / "walk.csv", duration_s=60.0)
    # the demo walker's height makes its lower-back lengths trusted (an assumed height's never are)
    (samples / "walk.reference.json").write_text(json.dumps({"placement": "lower_back", "body_height_m": 1.75}))
    settings = Settings(data_dir=tmp_path / "data", demo=False, samples_dir=samples, demo_speed=10, ble_virtual=True)
    with TestClient(create_app(settings), base_url=LOOPBACK) as client:
        make_pocket_walker(client.app.state.store)
        yield client


def _sensor_walk(client: TestClient, placement: str) -> tuple[list[dict], dict]:
    """Connect the virtual IMU sensor worn at ``placement``, stream 30 strides; the stride messages and the walk."""
    imu = next(
        s for s in client.get("/api/sensors", params={"seconds": 1}).json()["sensors"] if s["protocols"] == ["imu"]
    )
    started: list = []

    def start() -> None:
        started.append(client.post("/api/live/sensor", json={"target": imu["address"], "placement": placement}))

    messages = feed_until(client, lambda ms: sum(m["type"] == "stride" for m in ms) >= 30, start=start)
    assert started[0].status_code == 202, started[0].text
    client.post("/api/live/stop")
    walk = client.get(f"/api/walks/{started[0].json()['walk_id']}").json()
    return [m for m in messages if m["type"] == "stride"], walk


def test_a_virtual_sensors_live_notes_give_the_demo_as_the_reason(virtual: TestClient) -> None:
    strides, walk = _sensor_walk(virtual, "lower_back")
    assert walk["demo"] is True
    before = [m for m in strides if m["target_m"] is None]
    counted = 0
    for m in before[:-1]:
        counted += m["trusted"] and 0.2 <= m["length_m"] <= 2.5 and 60 <= m["cadence_spm"] <= 150
        assert m["no_target_note"] == (
            "No target yet: this walk's first 20 strides (trusted ones) set this walk's level, as a demo walk never "
            f"uses your baseline ({counted} of 20 so far)."
        )
    assert counted == 19 and before[-1]["no_target_note"] == (
        "No target for this stride: it completed the 20 trusted strides that set this walk's level, as a demo walk "
        "never uses your baseline; the strides after it get a target."
    )
    assert all(m["target_m"] is not None and m["no_target_note"] is None for m in strides[len(before) :])
    assert not any("no personal baseline" in (m["no_target_note"] or "") for m in strides)
    reasons = walk["coaching"]["reasons"]
    assert reasons[0].startswith("Demo: coached as if you had reported back pain just now")
    assert not any(r.startswith("Baseline for a pocket sensor") for r in reasons)  # the walker's baseline: unused


def test_a_chest_sensor_says_it_measures_no_stride_length(virtual: TestClient) -> None:
    strides, walk = _sensor_walk(virtual, "chest")
    note = "No target: a chest sensor has no stride-length model (cadence only), so no stride is judged."
    assert {(m["target_m"], m["no_target_note"]) for m in strides} == {(None, note)}
    reasons = walk["coaching"]["reasons"]
    assert reasons[0] == (
        "Demo: coached as if you had reported back pain just now (no target: a chest sensor has no stride-length "
        "model); nothing is stored in your coaching."
    )
    assert (
        "Baseline for a chest sensor: none: it has no stride-length model (cadence only), so no stride of its walks "
        "has a target or is judged."
    ) in reasons
    assert not any(r.startswith("Until then each walk sets its own level") for r in reasons)


def test_an_uncalibrated_phone_demo_says_at_once_why_it_gets_no_target(virtual: TestClient) -> None:
    # a phone's lengths start at 0.35 without a calibration factor, and a demo is never scaled by the walker's: no
    # stride can set the walk's level, and the note says so from the first stride (QA coachwords #2)
    strides, walk = _sensor_walk(virtual, "pocket")
    assert walk["demo"] is True
    note = (
        "No target on this walk, as its lengths are not trusted: a pocket sensor's stride lengths have confidence "
        "0.35 without a calibration factor (below the 0.60 the coach needs). A demo walk is somebody else's walking: "
        "your calibration factor and body height do not apply to it."
    )
    assert {(m["target_m"], m["no_target_note"]) for m in strides} == {(None, note)}
