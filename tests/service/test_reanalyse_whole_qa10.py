"""QA 10: "Analyse again" replaces a walk's analysis as a whole, and says in words what a newer version changes.

- An upload analysed by the revision before rides were left out (r1) and analysed again: its JSON document's rides,
  bouts' GPS stride lengths, notes and figures are a fresh upload's (they were the old ones: the rides and GPS
  strides live in the walk's source, which "Analyse again" kept).
- The notes of the file's reader (a sample counter that skips, the rate and units it read) stay after analysing
  again: the kept samples are no longer the file and its reader says nothing of them.
- A walk is out of date for a newer revision only when that revision can change it (r2: a recording with a GPS
  track), and the reason says what changed (the all-ride refusal's words: tests/service/test_upload_riding.py).

Real recordings (the Oxford phone in the hand with a GPS track as Sensor Logger exports it, an IPOL lower-back
file from ../shared/data/dev), real SQLite stores, the real service through its API.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import gait.analysis
from gait.analysis import ANALYSIS_REVISIONS
from service import pipeline
from service.app import create_app
from service.demo import import_samples
from service.deps import get_store
from service.settings import Settings
from service.store import Store
from tests.service.conftest import LOOPBACK
from tests.service.test_upload_riding import RIDE_S, export

REPO = Path(__file__).resolve().parents[2]
IPOL = REPO.parent / "shared" / "data" / "dev" / "ipol_healthy_gait" / "GaitData" / "1-1_lb.txt.gz"
"""A real lower-back recording whose sample counter skips and whose header names no acceleration unit."""
NO_GPS = REPO / "sample_recordings" / "mobgap_lower_back_daily_living_2.csv"
"""A real lower-back recording without a GPS track."""
PREVIOUS = f"{pipeline.ANALYSIS_VERSION.rsplit('+r', 1)[0]}+r1"
"""The analysis version before the revision that leaves out rides (r2, which these tests are about): the same
package, revision 1 (0.1.0+r1)."""


def upload(client: TestClient, path: Path, placement: str) -> dict:
    with path.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": placement})
    assert r.status_code == 201, r.text
    return r.json()["walks"][0]


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[TestClient]:
    """A second service on a store of its own: a fresh upload of the same file there."""
    settings = Settings(data_dir=tmp_path / "fresh-data", demo=False, samples_dir=tmp_path / "no-samples")
    store = Store(tmp_path / "fresh.sqlite3").open()
    app = create_app(settings)
    app.dependency_overrides[get_store] = lambda: store
    with TestClient(app, base_url=LOOPBACK) as c:
        yield c
    store.close()


def as_previous_revision(store: Store, walk_id: int) -> None:
    """Mark a walk's analysis as the previous revision's (its version, as that version recorded it)."""
    with store.write() as conn:
        conn.execute(
            "UPDATE walks SET analysis_json = json_set(analysis_json, '$.version', ?) WHERE id = ?",
            (PREVIOUS, walk_id),
        )


def comparable(doc: dict) -> dict:
    """What an analysis makes of a walk in its JSON document (not the walk's id, name or dates)."""
    return {k: doc[k] for k in ("summary", "notes", "steps", "strides", "bouts", "riding")}


@pytest.fixture
def older_gps_walk(
    client: TestClient, store: Store, fresh: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict, dict, dict]:
    """A walk with a ride in its GPS track as the previous revision analysed and stored it (the same analysis
    without leaving the ride out, what r2 added; its version r1), its JSON document, and the JSON document of a
    fresh upload of the same file."""
    path = export(tmp_path, ride_s=RIDE_S)
    with monkeypatch.context() as m:
        m.setattr(gait.analysis, "leave_out_riding", lambda result, track: None)
        walk = upload(client, path, "hand")
    as_previous_revision(store, walk["id"])
    old = client.get(f"/api/walks/{walk['id']}/export.json").json()
    assert old["riding"] == [] and old["bouts"][0]["gps_stride_length_m"] > 2.0  # the car counted as strides
    new = fresh.get(f"/api/walks/{upload(fresh, path, 'hand')['id']}/export.json").json()
    assert new["riding"] and [b["gps_stride_length_m"] for b in new["bouts"]] != [
        b["gps_stride_length_m"] for b in old["bouts"]
    ]
    return walk, old, new


def test_an_older_gps_walk_analysed_again_has_the_rides_and_gps_strides_of_a_fresh_upload(
    client: TestClient, older_gps_walk: tuple[dict, dict, dict]
) -> None:
    walk, _, new = older_gps_walk
    r = client.post(f"/api/walks/{walk['id']}/reanalyse")
    assert r.status_code == 200, r.text
    assert comparable(client.get(f"/api/walks/{walk['id']}/export.json").json()) == comparable(new)
    assert client.get(f"/api/walks/{walk['id']}").json()["reanalysis"]["out_of_date"] is False
    # and again: the same
    assert client.post(f"/api/walks/{walk['id']}/reanalyse").status_code == 200
    assert comparable(client.get(f"/api/walks/{walk['id']}/export.json").json()) == comparable(new)


def test_an_older_gps_walk_is_out_of_date_saying_what_changed_and_analyse_all_reports_its_distance(
    client: TestClient, older_gps_walk: tuple[dict, dict, dict]
) -> None:
    walk, old, new = older_gps_walk
    page = client.get(f"/api/walks/{walk['id']}").json()["reanalysis"]
    # a phone in the hand: the later revision for phones' vigorous steps (r3) can change it too
    assert page["reasons"] == [
        "analysed before this version's changes: rides in a vehicle are now left out where the recording has a GPS "
        f"track; {ANALYSIS_REVISIONS[2].change}"
    ]
    overview = client.get("/api/walks/reanalysis").json()
    assert overview["out_of_date"] == 1 and overview["out_of_date_by_reason"]["version"] == 1
    assert overview["version_changes"] == [
        {"revision": r.number, "change": r.change, "walks": 1} for r in ANALYSIS_REVISIONS[1:3]
    ]

    batch = client.post("/api/walks/reanalyse").json()
    assert batch["reanalysed"] == 1, batch
    (result,) = batch["results"]
    assert result["reasons"] == page["reasons"]
    # the ride's metres are no walk's: the distance before and after, for "distance 309 -> 236 m"
    assert result["before"]["distance_m"] == old["summary"]["distance_m"]
    assert result["after"]["distance_m"] == new["summary"]["distance_m"] < old["summary"]["distance_m"]
    assert client.get("/api/walks/reanalysis").json()["version_changes"] == []


def test_analysing_again_a_walk_whose_ride_is_gone_removes_its_rides(
    client: TestClient, store: Store, tmp_path: Path
) -> None:
    # the other way round: an analysis that finds no ride (here: the stored rides were put there by hand) leaves
    # none behind in the walk's document
    walk = upload(client, export(tmp_path, ride_s=None), "hand")
    with store.write() as conn:
        conn.execute(
            "UPDATE walks SET source_json = json_set(source_json, '$.gps_riding',"
            ' json(\'[{"start_s": 10.0, "end_s": 40.0, "speed_mps": 9.0, "steps": 30}]\')) WHERE id = ?',
            (walk["id"],),
        )
    assert client.get(f"/api/walks/{walk['id']}/export.json").json()["riding"] != []
    assert client.post(f"/api/walks/{walk['id']}/reanalyse").status_code == 200
    assert client.get(f"/api/walks/{walk['id']}/export.json").json()["riding"] == []


def test_a_walk_the_newer_revisions_cannot_change_is_not_out_of_date(client: TestClient, store: Store) -> None:
    # r2 leaves out rides where GPS shows them: a recording without a GPS track is analysed as before
    walk = upload(client, NO_GPS, "lower_back")
    as_previous_revision(store, walk["id"])
    status = client.get(f"/api/walks/{walk['id']}").json()["reanalysis"]
    assert status["out_of_date"] is False and status["reasons"] == [], status
    assert status["version"] == PREVIOUS
    overview = client.get("/api/walks/reanalysis").json()
    assert overview["out_of_date"] == 0 and overview["version_changes"] == []
    assert client.post("/api/walks/reanalyse").json()["results"] == []


def test_a_sample_walk_without_gps_is_not_out_of_date_after_the_ride_revision(tmp_path: Path, store: Store) -> None:
    samples = tmp_path / "samples"
    samples.mkdir()
    for name in ("mobgap_lower_back_straight_walk.csv", "mobgap_lower_back_straight_walk.reference.json"):
        (samples / name).write_bytes((REPO / "sample_recordings" / name).read_bytes())
    (walk_id,) = import_samples(store, samples)
    as_previous_revision(store, walk_id)
    app = create_app(Settings(data_dir=tmp_path / "data", demo=False, samples_dir=samples))
    app.dependency_overrides[get_store] = lambda: store
    with TestClient(app, base_url=LOOPBACK) as client:
        status = client.get(f"/api/walks/{walk_id}").json()["reanalysis"]
        assert status["can_reanalyse"] is True and status["version"] == PREVIOUS
        assert status["out_of_date"] is False, status
        assert client.get("/api/walks/reanalysis").json()["out_of_date"] == 0


@pytest.mark.skipif(not IPOL.is_file(), reason=f"shared dev data not found at {IPOL}")
@pytest.mark.parametrize("stored_before", [False, True], ids=["reader_notes_kept", "walk_stored_before"])
def test_analysing_again_keeps_the_notes_of_the_files_reader(
    client: TestClient, store: Store, stored_before: bool
) -> None:
    walk = upload(client, IPOL, "lower_back")
    notes = store.get_walk(walk["id"])["notes"]
    reader = [n for n in notes if n.startswith(f"{IPOL.name}: ")]
    # what the reader said: the counter skips, the rate it took from the file, the units it read from the data
    assert len(reader) == 4 and "skips 124 sample number(s) in 82 place(s)" in reader[0], notes
    assert "at 100 Hz" in reader[1] and "no acceleration unit" in reader[2]
    if stored_before:
        # as a walk stored before the reader's notes were kept with it left them: only in its notes
        with store.write() as conn:
            conn.execute("UPDATE walks SET source_json = json_remove(source_json, '$.reader_notes')")
        assert "reader_notes" not in store.get_walk(walk["id"])["source"]
    client.put("/api/profile", json={"body_height_m": 1.85, "placement": "lower_back"})
    assert client.get(f"/api/walks/{walk['id']}").json()["reanalysis"]["out_of_date"] is True
    r = client.post(f"/api/walks/{walk['id']}/reanalyse")
    assert r.status_code == 200, r.text
    after = store.get_walk(walk["id"])["notes"]
    assert after[: len(reader)] == reader, after
    # the model's note is this analysis' own: with the height given, not the default
    model = [n for n in after if n.startswith("stride length:")]
    assert len(model) == 1 and "body height 1.85 m" in model[0] and "default" not in model[0], after
    # and again: the notes are kept with the walk now
    assert store.get_walk(walk["id"])["source"]["reader_notes"] == reader
    client.put("/api/profile", json={"body_height_m": 1.60, "placement": "lower_back"})
    assert client.post(f"/api/walks/{walk['id']}/reanalyse").status_code == 200
    assert store.get_walk(walk["id"])["notes"][: len(reader)] == reader
    # the walk's page shows them in its own words, as after the upload
    page = client.get(f"/api/walks/{walk['id']}").json()["notes"]
    assert len([n for n in page if n.startswith(f"{IPOL.name}: ")]) == len(reader)
