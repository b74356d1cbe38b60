"""One personal stride-length factor per sensor placement: kept apart in the profile, each applied only to walks
with the sensor there (uploads, live walks), never to somebody else's walk (samples, demos); the single factor of
earlier versions (and of clients that still send it) keeps working."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gait.consts import STRIDE_SCALE_RANGE
from gait.types import Placement, Recording
from ingest.gait_csv import write_gait_csv
from service.coaching import load_profile
from service.demo import _start_live_walk
from service.models import ProfileUpdate
from service.pipeline import process_file
from service.settings import Settings
from service.store import Store
from tests.gait.synthetic import foot_walk_signal
from tests.service.conftest import synthetic_walk
from tests.service.test_api import upload

SCALES = {"pocket": 1.07, "foot": 0.98}


def _recordings(tmp_path: Path) -> dict[str, Path]:
    """A phone walk (pocket), a shoe sensor's walk (foot, with its gyroscope) and a lower-back walk, as gait CSV
    (which does not say where the sensor was: the upload form does)."""
    t, acc, gyr, _ = foot_walk_signal(n_strides=24)  # a foot sensor's 24 steps: 20 or more are stored as a walk
    paths = {"pocket": tmp_path / "pocket.csv", "foot": tmp_path / "foot.csv", "lower_back": tmp_path / "back.csv"}
    write_gait_csv(synthetic_walk(duration_s=40.0), paths["pocket"])
    write_gait_csv(Recording(time_s=t, acc_ms2=acc, gyr_dps=gyr), paths["foot"])
    write_gait_csv(synthetic_walk(duration_s=45.0), paths["lower_back"])
    return paths


def _stride_lengths_m(client: TestClient, paths: dict[str, Path]) -> dict[str, list[float]]:
    """Upload each recording with its placement; returns the stored stride lengths and deletes the walks again."""
    lengths = {}
    for placement, path in paths.items():
        r = upload(client, path, placement=placement)
        assert r.status_code == 201, r.text
        (walk,) = r.json()["walks"]
        lengths[placement] = [s["length_m"] for s in client.get(f"/api/walks/{walk['id']}/strides").json()]
        assert len(lengths[placement]) >= 8 and None not in lengths[placement], placement
        assert client.delete(f"/api/walks/{walk['id']}").status_code == 200
    return lengths


def test_each_placements_factor_scales_only_uploads_with_the_sensor_there(client: TestClient, tmp_path: Path) -> None:
    paths = _recordings(tmp_path)
    client.put("/api/profile", json={"placement": "lower_back"})
    plain = _stride_lengths_m(client, paths)
    assert client.put("/api/profile", json={"placement": "lower_back", "stride_scales": SCALES}).status_code == 200
    scaled = _stride_lengths_m(client, paths)
    for placement in paths:
        factor = SCALES.get(placement, 1.0)
        assert scaled[placement] == pytest.approx([factor * x for x in plain[placement]], abs=2e-4), placement


def test_a_sample_recording_never_uses_the_walkers_factor(store: Store, tmp_path: Path) -> None:
    path = _recordings(tmp_path)["lower_back"]
    store.put_profile({"stride_scales": {"lower_back": 1.3}})

    def lengths_m(origin: str) -> list[float]:
        (walk_id,) = process_file(path, store=store, name=origin, origin=origin, placement=Placement.LOWER_BACK)
        lengths = [s["length_m"] for s in store.strides(walk_id)]
        assert store.delete_walk(walk_id)
        return lengths

    # somebody else's walk (a sample) is not scaled by the walker's lower-back factor; the walker's own walk is
    assert lengths_m("upload") == pytest.approx([1.3 * x for x in lengths_m("sample")], abs=2e-4)


class _Hub:
    """Stands in for the live hub: builds the session a live walk would run, and keeps it and the walk."""

    running = False

    async def start(self, make_session, walk) -> int:
        self.session, self.walk = make_session(1), walk
        return 1


async def _nothing() -> AsyncIterator[Any]:
    return
    yield


@pytest.mark.parametrize(
    ("placement", "demo", "expected"),
    [("pocket", False, 1.07), ("foot", False, 0.98), ("lower_back", False, None), ("pocket", True, None)],
)
def test_a_live_walk_uses_its_placements_factor_and_a_demo_none(
    store: Store, tmp_path: Path, placement: str, demo: bool, expected: float | None
) -> None:
    store.put_profile({"placement": "lower_back", "stride_scales": SCALES})
    hub = _Hub()
    settings = Settings(data_dir=tmp_path / "data", demo=False, samples_dir=tmp_path / "no-samples")
    walk_id = asyncio.run(
        _start_live_walk(
            hub,
            store,
            settings,
            load_profile(store),
            make_source=_nothing,
            placement=Placement(placement),
            body_height_m=1.7,
            walk_name="live",
            walk_source={},
            demo=demo,
        )
    )
    assert walk_id == 1
    assert hub.session.tracker.stride_scale == expected
    # the walk page says how its lengths were obtained: with the walker's factor only where it was used
    assert any("personal factor" in note for note in hub.walk.notes) is (expected is not None)


def test_old_clients_single_factor_sets_one_placement_and_keeps_the_others(client: TestClient) -> None:
    def scales() -> dict[str, float]:
        return client.get("/api/profile").json()["stride_scales"]

    # the single factor with its placement, as earlier dashboards sent it
    old = {"placement": "lower_back", "stride_scale": 1.1, "stride_scale_placement": "pocket"}
    assert client.put("/api/profile", json=old).status_code == 200
    assert scales() == {"pocket": 1.1}
    assert "stride_scale" not in client.get("/api/profile").json()
    # the single factor alone is the usual placement's, and the pocket factor stays
    assert client.put("/api/profile", json={"placement": "foot", "stride_scale": 0.97}).status_code == 200
    assert scales() == {"pocket": 1.1, "foot": 0.97}
    # a client that does not send the factors keeps them
    assert client.put("/api/profile", json={"placement": "lower_back", "body_height_m": 1.8}).status_code == 200
    assert scales() == {"pocket": 1.1, "foot": 0.97}
    # null removes the factor of that placement only
    removed = {"stride_scale": None, "stride_scale_placement": "pocket"}
    assert client.put("/api/profile", json=removed).status_code == 200
    assert scales() == {"foot": 0.97}
    # stride_scales sent: exactly those (an empty one removes all)
    assert client.put("/api/profile", json={"stride_scales": {"hand": 1.2}}).status_code == 200
    assert scales() == {"hand": 1.2}
    assert client.put("/api/profile", json={"stride_scales": {}}).status_code == 200
    assert scales() == {}


def test_each_factor_is_checked_against_the_accepted_range(client: TestClient) -> None:
    low, high = STRIDE_SCALE_RANGE
    ok = {"stride_scales": {"pocket": low, "foot": high}}
    assert client.put("/api/profile", json=ok).status_code == 200
    for bad in (
        {"stride_scales": {"pocket": 1.0, "foot": high + 0.01}},
        {"stride_scales": {"pocket": low - 0.01}},
        {"stride_scales": {"knee": 1.0}},
        {"stride_scale": high + 0.1, "placement": "pocket"},
    ):
        r = client.put("/api/profile", json=bad)
        assert r.status_code == 422, bad
    # the factor of an unnamed placement: the message says what to send
    r = client.put("/api/profile", json={"stride_scale": 1.1})
    assert r.status_code == 422 and "stride_scale needs a placement" in r.text and "stride_scales" in r.text
    r = client.put("/api/profile", json={"stride_scales": {"pocket": 1.0}, "stride_scale": 1.2, "placement": "pocket"})
    assert r.status_code == 422 and "contradicts" in r.text
    assert client.get("/api/profile").json()["stride_scales"] == {"pocket": low, "foot": high}  # nothing changed


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ({"placement": "lower_back", "stride_scale": 1.1, "stride_scale_placement": "pocket"}, {"pocket": 1.1}),
        ({"placement": "foot", "stride_scale": 0.95}, {"foot": 0.95}),  # alone: the usual placement's
        ({"stride_scale": 1.2}, {"lower_back": 1.2}),  # no placement at all: the one every command assumes
        ({"placement": "foot", "stride_scale": None, "stride_scale_placement": None}, {}),
        ({"placement": "foot"}, {}),
    ],
)
def test_a_profile_saved_with_the_single_factor_reads_with_it_kept(
    store: Store, stored: dict[str, Any], expected: dict[str, float]
) -> None:
    store.put_profile(stored)  # as an earlier version wrote it (this store has migrated already)
    profile = load_profile(store)
    assert {p.value: f for p, f in profile.stride_scales.items()} == expected
    assert isinstance(profile, ProfileUpdate) and profile.placement == stored.get("placement")


@pytest.mark.parametrize("placement", ["wrist", "chest"])
def test_no_factor_for_a_placement_without_a_stride_length_model(client: TestClient, placement: str) -> None:
    # QA19a #5: a wrist or chest sensor gives cadence only, as `gait calibrate --placement wrist` says
    assert client.patch("/api/profile", json={"changes": {"stride_scales": {"pocket": 0.9}}}).status_code == 200
    for r in (
        client.patch("/api/profile", json={"changes": {"stride_scales": {placement: 1.1}}}),
        client.put("/api/profile", json={"stride_scales": {placement: 1.1}}),
        client.put("/api/profile", json={"stride_scale": 1.1, "stride_scale_placement": placement}),
    ):
        assert r.status_code == 422, r.text
        words = str(r.json()["detail"])
        assert f"a {placement} sensor has no stride-length model (cadence only)" in words, words
        assert "lower-back, waist, foot, pocket or hand" in words and "Traceback" not in words
    assert client.get("/api/profile").json()["stride_scales"] == {"pocket": 0.9}  # nothing saved


def test_a_stored_factor_of_a_cadence_only_placement_is_dropped(client: TestClient, store: Store) -> None:
    # saved before such factors were refused: nothing can use it, and it must not block later saves
    store.put_profile({"placement": "wrist", "stride_scales": {"wrist": 1.1, "pocket": 0.9}})
    assert client.get("/api/profile").json()["stride_scales"] == {"pocket": 0.9}
    r = client.patch("/api/profile", json={"changes": {"body_height_m": 1.7}})
    assert r.status_code == 200, r.text
    assert r.json()["stride_scales"] == {"pocket": 0.9} and r.json()["placement"] == "wrist"
