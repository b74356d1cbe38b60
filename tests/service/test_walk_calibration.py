"""Calibrating from a stored walk ("this walk was N m", POST /api/walks/{id}/calibrate): the factor the command line
fits from the same walk, saved to the profile in one change, the walk then out of date and analysed again to the
distance walked; refused (nothing saved) for somebody else's walk, a walk without model stride lengths, stale
figures and a distance that is not one."""

from __future__ import annotations

import asyncio
import json
import math
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gait.types import Placement, Recording
from ingest.replay import replay_chunks
from service.cli import main
from service.coaching import load_profile
from service.demo import _start_live_walk
from service.livehub import LiveHub
from service.pipeline import process_file, read_recording
from service.settings import Settings
from service.store import NewWalk, Store
from tests.service.test_api import upload
from tests.test_cli_calibrate import long_walk_m, straight_walk_m

SAMPLES = Path(__file__).resolve().parents[2] / "sample_recordings"
FOOT = SAMPLES / "gaitmap_left_foot.csv"
FOOT_DISTANCE_M = 40.0
"""The gaitmap walk is 2 x 20 m with a turn (its reference file's description)."""
BACK = SAMPLES / "mobgap_lower_back_daily_living_2.csv"
"""A real lower-back recording whose file states no body height (its walker is 1.75 m)."""
STRAIGHT = SAMPLES / "mobgap_lower_back_straight_walk.csv"
STRAIGHT_DISTANCE_M = round(straight_walk_m(), 1)
"""The lab's straight walk (about 5 m between its first and last contact, the reference's)."""
POCKET = SAMPLES / "oxford_phone_back_pocket.csv"
POCKET_DISTANCE_M = round(long_walk_m(), 0)
"""A phone in a back pocket for about 110 s of walking: its reference steps at a usual 0.7 m (some 140 m)."""


def cli_factor(path: Path, distance_m: float, placement: str, tmp_path: Path, capsys) -> float:
    """The factor `gait calibrate FILE --distance-m D --dry-run` fits, analysing the file itself (no profile)."""
    args = ["calibrate", str(path), "--distance-m", str(distance_m), "--placement", placement, "--dry-run"]
    assert main([*args, "--data-dir", str(tmp_path / "cli-none")]) == 0
    return float(capsys.readouterr().out.split("factor ")[1].split()[0])


def live_walk(
    store: Store, settings: Settings, recording: Recording, placement: Placement, name: str = "own shoe sensor"
) -> int:
    """The walker's own live walk of ``recording`` (its sensor's IMU replayed at once); its id once it ended."""

    async def walk_live() -> int:
        hub = LiveHub(store, journal_dir=settings.journal_dir)
        feed = hub.subscribe()
        walk_id = await _start_live_walk(
            hub,
            store,
            settings,
            load_profile(store),
            make_source=lambda: replay_chunks(recording, speed=math.inf),
            placement=placement,
            body_height_m=None,
            walk_name=name,
            walk_source={"protocols": ["imu"]},
        )
        while True:
            _, frame = await asyncio.wait_for(feed.get(), timeout=60)
            msg = json.loads(frame.decode().splitlines()[1][6:])
            if msg["type"] == "hub" and msg.get("ended"):
                return walk_id

    return asyncio.run(walk_live())


def uploaded(client: TestClient, path: Path, placement: str) -> dict:
    r = upload(client, path, placement=placement)
    assert r.status_code == 201, r.text
    return r.json()["walks"][0]


def calibrate(client: TestClient, walk_id: int, distance_m: float | str, *, dry_run: bool = False):
    body = f'{{"distance_m": {distance_m}, "dry_run": {json.dumps(dry_run)}}}'
    return client.post(f"/api/walks/{walk_id}/calibrate", content=body, headers={"content-type": "application/json"})


def test_a_walk_of_known_distance_fits_the_clis_factor_and_reanalysis_gives_that_distance(
    client: TestClient, tmp_path: Path, capsys
) -> None:
    walk = uploaded(client, FOOT, "foot")
    page = client.get(f"/api/walks/{walk['id']}").json()
    assert page["calibration"] == {
        **{"can_calibrate": True, "why_not": None, "placement": "foot", "factor": None},
        **{"good_walk_m": 100.0, "min_walk_m": 20.0},
    }

    dry = calibrate(client, walk["id"], FOOT_DISTANCE_M, dry_run=True)
    assert dry.status_code == 200, dry.text
    fit = dry.json()
    # the same fit as the command line's, though the walk is not analysed again: its stored distance is the model's
    assert fit["factor"] == pytest.approx(cli_factor(FOOT, FOOT_DISTANCE_M, "foot", tmp_path, capsys), abs=1e-3)
    assert fit["saved"] is False and fit["factor_before"] is None and fit["walk_factor"] is None
    assert fit["distance_before_m"] == walk["summary"]["distance_m"]
    assert fit["distance_after_m"] == pytest.approx(FOOT_DISTANCE_M, rel=0.005)
    assert client.get("/api/profile").json()["stride_scales"] == {}  # a dry run saves nothing

    r = calibrate(client, walk["id"], FOOT_DISTANCE_M)
    assert r.status_code == 200, r.text
    saved = r.json()
    assert saved["saved"] is True and saved["factor"] == fit["factor"]
    assert saved["factors"] == {"foot": fit["factor"]} and saved["out_of_date"] == 1
    assert any("usual sensor placement was not set: it is now foot" in n for n in saved["notes"])
    profile = client.get("/api/profile").json()
    assert profile["stride_scales"] == {"foot": fit["factor"]} and profile["placement"] == "foot"

    # the walk itself is now out of date (its factor); analysed again, its distance is the one walked
    page = client.get(f"/api/walks/{walk['id']}").json()
    assert page["reanalysis"]["out_of_date"] and page["calibration"]["factor"] == fit["factor"]
    again = client.post(f"/api/walks/{walk['id']}/reanalyse")
    assert again.status_code == 200, again.text
    assert again.json()["after"]["distance_m"] == pytest.approx(FOOT_DISTANCE_M, rel=0.005)


def test_a_40_m_walk_fits_a_rough_factor_said_in_the_dry_run_and_the_save(client: TestClient) -> None:
    walk = uploaded(client, FOOT, "foot")
    for dry_run in (True, False):
        r = calibrate(client, walk["id"], FOOT_DISTANCE_M, dry_run=dry_run)
        assert r.status_code == 200, r.text
        warning = r.json()["warning"]
        assert warning.startswith("a 40 m walk gives a rough factor"), warning
        assert "starting and stopping strides" in warning and "walk at least 100 m at your usual pace" in warning
        assert "400 m track lap" in warning and "a route measured on a map" in warning
    # rough, but saved: a factor from 40 m is better than none (the walker is told to walk further)
    assert r.json()["saved"] is True
    assert client.get("/api/profile").json()["stride_scales"] == {"foot": r.json()["factor"]}


def test_a_long_walk_fits_a_factor_without_a_warning(client: TestClient) -> None:
    walk = uploaded(client, POCKET, "pocket")
    for dry_run in (True, False):
        r = calibrate(client, walk["id"], POCKET_DISTANCE_M, dry_run=dry_run)
        assert r.status_code == 200, r.text
        assert r.json()["warning"] is None
    assert r.json()["saved"] is True


def test_a_walk_under_20_m_is_refused_saying_how_long_to_walk_and_nothing_saved(
    client: TestClient, store: Store, settings: Settings
) -> None:
    # 11 steps: too little walking to upload, but a live walk is kept whatever its length
    walk_id = live_walk(store, settings, read_recording(STRAIGHT), Placement.LOWER_BACK, "straight walk")
    assert client.get(f"/api/walks/{walk_id}").json()["calibration"]["can_calibrate"] is True
    for dry_run in (True, False):
        r = calibrate(client, walk_id, STRAIGHT_DISTANCE_M, dry_run=dry_run)
        assert r.status_code == 422, r.text
        detail = r.json()["detail"]
        assert f"a {STRAIGHT_DISTANCE_M:g} m walk is too short to calibrate" in detail
        assert "walk at least 100 m at your usual pace" in detail and "implausible" not in detail
    assert client.get("/api/profile").json()["stride_scales"] == {}


def test_a_walk_analysed_with_an_earlier_factor_is_fitted_from_the_models_own_distance(
    client: TestClient, tmp_path: Path, capsys
) -> None:
    assert client.put("/api/profile", json={"stride_scales": {"foot": 1.2, "pocket": 0.9}}).status_code == 200
    walk = uploaded(client, FOOT, "foot")
    r = calibrate(client, walk["id"], FOOT_DISTANCE_M)
    assert r.status_code == 200, r.text
    fit = r.json()
    assert fit["walk_factor"] == 1.2 and fit["factor_before"] == 1.2
    assert fit["distance_before_m"] == pytest.approx(1.2 * fit["model_distance_m"], rel=1e-3)
    assert fit["factor"] == pytest.approx(cli_factor(FOOT, FOOT_DISTANCE_M, "foot", tmp_path, capsys), abs=1e-3)
    assert any("replaces your earlier foot factor 1.200" in n for n in fit["notes"])
    # only the foot factor changed
    assert client.get("/api/profile").json()["stride_scales"] == {"foot": fit["factor"], "pocket": 0.9}


def test_a_lower_back_walk_needs_its_figures_current_before_it_calibrates(client: TestClient) -> None:
    walk = uploaded(client, BACK, "lower_back")
    assert client.put("/api/profile", json={"body_height_m": 1.75}).status_code == 200
    # analysed without a height: the factor would correct the old model, so it asks for an analysis first
    r = calibrate(client, walk["id"], 100.0)
    assert r.status_code == 409
    assert "out of date" in r.json()["detail"] and "analyse it again first" in r.json()["detail"]
    assert client.get("/api/profile").json()["stride_scales"] == {}
    assert client.get(f"/api/walks/{walk['id']}").json()["calibration"]["can_calibrate"] is False

    after = client.post(f"/api/walks/{walk['id']}/reanalyse").json()["after"]["distance_m"]
    r = calibrate(client, walk["id"], round(after * 1.1, 1))
    assert r.status_code == 200, r.text
    assert r.json()["factor"] == pytest.approx(1.1, abs=0.002)
    assert client.get("/api/profile").json()["stride_scales"] == {"lower_back": r.json()["factor"]}


def test_a_live_walk_of_the_walkers_own_sensor_calibrates(
    store: Store, client: TestClient, settings: Settings, tmp_path: Path, capsys
) -> None:
    walk_id = live_walk(store, settings, read_recording(FOOT, placement=Placement.FOOT), Placement.FOOT)
    assert store.get_walk(walk_id)["demo"] is False
    r = calibrate(client, walk_id, FOOT_DISTANCE_M, dry_run=True)
    assert r.status_code == 200, r.text
    # the live walk's strides are the offline analysis' (one algorithm): the same factor as the command line's
    assert r.json()["factor"] == pytest.approx(cli_factor(FOOT, FOOT_DISTANCE_M, "foot", tmp_path, capsys), abs=2e-3)


def test_somebody_elses_walk_or_one_without_model_strides_is_refused_and_nothing_saved(
    client: TestClient, store: Store
) -> None:
    (sample_id,) = process_file(FOOT, store=store, name="gaitmap", origin="sample", placement=Placement.FOOT)
    pod_id = store.add_walk(
        NewWalk(name="pod", origin="live", placement="foot", coaching={"active": False, "pod": True})
    )
    demo_id = store.add_walk(NewWalk(name="demo", origin="live", placement="foot", demo=True))
    # a sensor offering an IMU and a pod, whose IMU gave no stride: the walk's distance is the pod's odometer
    pod_figures_id = store.add_walk(
        NewWalk(name="pod figures", origin="live", placement="foot", summary={"distance_m": 120.0, "strides": 0})
    )
    wrist = uploaded(client, SAMPLES / "gaitmap_right_foot.csv", "wrist")
    expected = {
        sample_id: "is a sample walk, somebody else's",
        pod_id: "is a foot pod's walk",
        demo_id: "is a live demo",
        pod_figures_id: "has no distance from stride lengths of this analyser",
        wrist["id"]: "a wrist sensor has no stride-length model",
    }
    for walk_id, words in expected.items():
        r = calibrate(client, walk_id, FOOT_DISTANCE_M)
        assert r.status_code == 409, (walk_id, r.text)
        assert words in r.json()["detail"]
        # the walk page does not offer it, and says why
        status = client.get(f"/api/walks/{walk_id}").json()["calibration"]
        assert status["can_calibrate"] is False and words in status["why_not"]
    assert calibrate(client, 999, FOOT_DISTANCE_M).status_code == 404
    assert store.get_profile() == {}


@pytest.mark.parametrize(
    ("distance_m", "words"),
    [
        # a hundred times the walk, a tenth of it: the range that fits, in plain words (not the factor: QA9)
        ("4000", "does not fit this walk: the model measured it at about"),
        ("4", "A calibration corrects the measured distance by up to 50 % either way"),
        ("-40", "the known distance must be a positive number of metres"),
        ("0", "the known distance must be a positive number of metres"),
        ("NaN", "the known distance must be a positive number of metres"),
    ],
)
def test_a_distance_that_cannot_be_is_refused_with_the_clis_words(
    client: TestClient, store: Store, distance_m: str, words: str
) -> None:
    walk = uploaded(client, FOOT, "foot")
    r = calibrate(client, walk["id"], distance_m)
    assert r.status_code == 422, r.text
    assert words in r.json()["detail"]
    assert load_profile(store).stride_scales == {}


def test_the_documented_warning_names_the_calibration_walk_constant(client: TestClient) -> None:
    """The API's description of the warning names :data:`gait.stride_length.CALIBRATION_WALK_GOOD_M` (as the
    warning itself does), written without a trailing ".0"."""
    from gait.stride_length import CALIBRATION_WALK_GOOD_M

    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["CalibrationResult"]
    described = schema["properties"]["warning"]["description"]
    good = f"{CALIBRATION_WALK_GOOD_M:g} m"
    assert ".0 m" not in good
    assert f"shorter than {good}" in described and f"walk at least {good} at your usual pace" in described
