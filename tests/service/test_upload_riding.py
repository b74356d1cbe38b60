"""An upload whose GPS track shows a ride: the walk's page says so and its figures leave the ride's steps out.

A Sensor Logger export (the app's own file layout, tests/ingest/exports.py) holding a real walk's acceleration (the
Oxford phone carried in the hand, sample_recordings) and a GPS track at walking speed, moved at 15 m/s over a
stretch in the middle: uploaded through the API, analysed and stored by the real service on a real SQLite file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

import ingest
from gait.analysis import analyze
from gait.gps import EARTH_RADIUS_M
from tests.ingest import exports as ex
from tests.sample_data import sample

LAT_DEG = 60.0
RIDE_S = (50.0, 100.0)


def export(tmp_path: Path, *, ride_s: tuple[float, float] | None, gps: bool = True) -> Path:
    """The walk as a zipped Sensor Logger export; with a track at 1.4 m/s, and 15 m/s during ``ride_s``."""
    rec = sample("oxford_phone_in_hand").load()
    t = rec.time_s - rec.time_s[0]
    files = {
        "TotalAcceleration.csv": ex.sl_axis_csv(t, rec.acc_ms2),
        "Annotation.csv": "",
        "Metadata.csv": "\n".join(ex.SL_METADATA["android_1.60.0"]) + "\n",
    }
    if gps:
        fix_t = np.arange(0.0, t[-1], 1.0)
        east_m = 1.4 * fix_t
        if ride_s is not None:
            east_m += 13.6 * np.clip(fix_t - ride_s[0], 0.0, ride_s[1] - ride_s[0])
        lon = 25.0 + np.degrees(east_m / (EARTH_RADIUS_M * np.cos(np.radians(LAT_DEG))))
        files["Location.csv"] = ex.sl_location_csv(fix_t, np.full(len(fix_t), LAT_DEG), lon)
    name = "ride" if ride_s is not None else "walk"
    return ex.write_files(tmp_path / f"2026-01-01_10-00-00_{name}{'' if gps else '_nogps'}", files, as_zip=True)


def upload(client: TestClient, path: Path):
    with path.open("rb") as fh:
        return client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": "hand"})


def test_an_upload_with_a_ride_in_its_gps_shows_the_note_and_the_figures_without_it(
    client: TestClient, tmp_path: Path
) -> None:
    path = export(tmp_path, ride_s=RIDE_S)
    # the same export without its Location.csv, read and analysed as the service does
    base = analyze(ingest.load(export(tmp_path, ride_s=RIDE_S, gps=False), placement="hand"))
    base_t = np.array([s.t_s for s in base.steps])
    inside = int(((base_t >= RIDE_S[0]) & (base_t <= RIDE_S[1])).sum())
    assert 80 <= inside <= 100

    r = upload(client, path)
    assert r.status_code == 201, r.text
    walk = r.json()["walks"][0]
    assert walk["summary"]["steps"] == len(base.steps) - inside
    walk_time_s = walk["summary"]["walking_time_s"]
    assert walk_time_s < base.summary["walking_time_s"] - 45.0  # the 50 s ride is not walking

    page = client.get(f"/api/walks/{walk['id']}").json()
    notes = [n for n in page["notes"] if n.startswith("GPS:")]
    assert notes == [f"GPS: 50 s at 54 km/h (a vehicle, not walking): {inside} steps in it left out"], page["notes"]
    doc = client.get(f"/api/walks/{walk['id']}/export.json").json()
    assert doc["riding"] == [{"start_s": 50.0, "end_s": 100.0, "speed_mps": 15.0, "steps": inside}]
    assert doc["summary"]["steps"] == len(doc["steps"]) == len(base.steps) - inside
    assert not any(RIDE_S[0] <= s["t_s"] <= RIDE_S[1] for s in doc["steps"])
    assert len(doc["bouts"]) == 2 and doc["summary"]["walking_time_s"] == walk_time_s


def test_an_upload_with_a_walking_gps_track_keeps_every_step(client: TestClient, tmp_path: Path) -> None:
    base = analyze(ingest.load(export(tmp_path, ride_s=None, gps=False), placement="hand"))
    r = upload(client, export(tmp_path, ride_s=None))
    assert r.status_code == 201, r.text
    walk = r.json()["walks"][0]
    assert walk["summary"]["steps"] == len(base.steps)
    doc = client.get(f"/api/walks/{walk['id']}/export.json").json()
    assert doc["riding"] == [] and not any(n.startswith("GPS:") for n in doc["notes"])


def test_an_upload_that_is_all_ride_is_refused_saying_so(client: TestClient, tmp_path: Path) -> None:
    path = export(tmp_path, ride_s=(0.0, 1000.0))
    r = upload(client, path)
    assert r.status_code == 422, r.text
    # fixes every second from 0 to 145 s, all at 15 m/s (54 km/h): the steps in it are no walking, not "left out"
    assert r.json()["detail"] == (
        f"{path.name}: GPS shows it moving at 54 km/h for the whole 2 min 25 s (a vehicle), so nothing in it counts "
        "as walking; nothing was stored"
    )
    assert client.get("/api/walks").json() == []
