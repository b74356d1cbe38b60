"""A QA pass's findings on the API: the notes and messages in the dashboard's words, the JSON export as the
`gait analyze --json` document, rounded figures, Apple Health walks' steps."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from service.uploads import dashboard_wording
from tests.service.conftest import synthetic_walk


def _unitless_csv(path: Path) -> Path:
    """A generic CSV whose header names no unit (seconds, m/s^2): the reader guesses the unit and says so."""
    walk = synthetic_walk(duration_s=40.0)
    rows = np.column_stack([walk.time_s, walk.acc_ms2])
    path.write_text("time,acc_x,acc_y,acc_z\n" + "\n".join(",".join(f"{v:.4f}" for v in r) for r in rows) + "\n")
    return path


def test_a_unitless_csvs_note_on_the_walk_page_says_what_the_dashboard_user_can_do(
    client: TestClient, tmp_path: Path
) -> None:
    """The upload form has no unit choice: the note says to rename the columns or convert the file with
    `gait convert --acc-unit`, not to "pass --acc-unit" to an upload."""
    path = _unitless_csv(tmp_path / "unitless.csv")
    with path.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": "lower_back"})
    assert r.status_code == 201, r.text
    walk = client.get(f"/api/walks/{r.json()['walks'][0]['id']}").json()
    note = next(n for n in walk["notes"] if "names no acceleration unit" in n)
    assert "name the columns with their unit (e.g. acc_x_g)" in note, note
    assert "convert the file with gait convert --acc-unit ms2|g|mg and upload the converted file" in note, note
    assert "pass --acc-unit" not in note


def test_an_upload_refusal_for_a_units_hint_says_convert(client: TestClient, tmp_path: Path) -> None:
    """A reader's refusal whose remedy is a unit option says how the dashboard user can give it."""
    path = tmp_path / "odd.csv"
    path.write_text("time,acc_x,acc_y,acc_z\n" + "".join(f"{i * 50_000_000_000},0.1,0.2,9.8\n" for i in range(500)))
    with path.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": "lower_back"})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert "e.g. 'time_s' or 'time_ms'" in detail and "gait convert --time-unit" in detail, detail
    assert "or pass --time-unit" not in detail


REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data" / "dev"
DATED_PHONE = SHARED / "phone_exports" / "sensor_logger_android_header_edited" / "TotalAcceleration.csv"


def _keys(doc: object) -> object:
    """The key tree of a JSON document (lists by their first item)."""
    if isinstance(doc, dict):
        return {k: _keys(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_keys(doc[0])] if doc else []
    return None


def _within(sub: object, full: object, where: str = "") -> None:
    """Every key of ``sub`` is in ``full`` (extra keys allowed)."""
    if isinstance(sub, dict):
        assert isinstance(full, dict), where
        for k, v in sub.items():
            assert k in full, f"{where}.{k} missing"
            _within(v, full[k], f"{where}.{k}")
    elif isinstance(sub, list) and sub:
        _within(sub[0], full[0], f"{where}[0]")


def _cli_json(path: Path, placement: str) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "service.cli",
            "analyze",
            str(path),
            "--no-profile",
            "--placement",
            placement,
            "--json",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout
    return json.loads(out)


@pytest.mark.parametrize(
    ("path", "placement"),
    [
        (DATED_PHONE, "pocket"),  # a clock column dates it: times from its start, time_origin its clock time
        (REPO / "sample_recordings" / "mobgap_lower_back_daily_living.csv", "lower_back"),
    ],
)
def test_the_json_export_is_the_cli_document(client: TestClient, path: Path, placement: str) -> None:
    """export.json is the `gait analyze --json` document (the same keys and values, rounded alike), plus the walk."""
    if not path.is_file():
        pytest.skip(f"{path} not found")
    with path.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": placement})
    assert r.status_code == 201, r.text
    exported = client.get(f"/api/walks/{r.json()['walks'][0]['id']}/export.json").json()
    cli = _cli_json(path, placement)
    _within(_keys(cli), _keys(exported))
    for key in ("placement", "reason", "steps", "bouts", "time_origin"):
        assert exported[key] == cli[key], key
    assert exported["notes"] == [dashboard_wording(n) for n in cli["notes"]]  # in the dashboard's words
    assert {k: v for k, v in exported["summary"].items() if k in cli["summary"]} == cli["summary"]
    assert [{k: s[k] for k in c} for s, c in zip(exported["strides"], cli["strides"], strict=True)] == cli["strides"]
    assert all(len(str(s["t_s"]).partition(".")[2]) <= 3 for s in exported["steps"])  # no float noise
    assert all(b["cadence_spm"] is not None for b in exported["bouts"])
    if path == DATED_PHONE:  # the file's own axis counts from its start; its clock time is the origin's
        assert exported["steps"][0]["t_s"] < 60 and cli["time_origin"].startswith("2024-10-18T14:09:34.5")


def test_the_json_export_keeps_the_gps_stride_length_and_the_stored_judgements(
    client: TestClient, store, tmp_path: Path
) -> None:
    """A walk recorded with GPS keeps its bouts' GPS stride lengths; a coached walk's strides keep their stored
    overlong judgement, counted in overlong_strides."""
    from gait.types import GpsTrack, Placement, Recording
    from service.pipeline import AnalysisOptions, analyse_to_walk
    from tests.gait.synthetic import walk_signal

    t, acc = walk_signal(step_hz=1.8, walk_s=100.0, rest_before_s=2.0)
    fix_t = np.arange(0.0, t[-1], 1.0)
    lon = np.rad2deg(1.4 * 1.8 / 2 * np.clip(fix_t - 2.0, 0.0, 100.0) / 6_371_008.8)
    rec = Recording(t, acc, gps=GpsTrack(fix_t, np.zeros_like(fix_t), lon))
    walk = analyse_to_walk(
        rec,
        name="gps",
        origin="upload",
        options=AnalysisOptions(placement=Placement.LOWER_BACK),
        flagger=lambda s: (1.0, s.length_m > 1.0),
    )
    walk_id = store.add_walk(walk)
    doc = client.get(f"/api/walks/{walk_id}/export.json").json()
    assert doc["summary"]["gps_stride_length_m"] == pytest.approx(1.4, abs=0.03)
    assert doc["bouts"][0]["gps_stride_length_m"] == pytest.approx(1.4, abs=0.03)
    flags = [s["overlong"] for s in doc["strides"]]
    assert flags == [s["length_m"] > 1.0 for s in doc["strides"]]
    assert doc["summary"]["overlong_strides"] == sum(flags) == doc["summary"]["flagged_strides"] > 0


HEALTH = SHARED / "phone_exports" / "apple_health_export_ios12" / "export.xml"


@pytest.mark.skipif(not HEALTH.is_file(), reason=f"{HEALTH} not found")
def test_apple_health_walks_figures_are_rounded_and_count_their_strides_in_trends(client: TestClient) -> None:
    """An Apple Health walk's stride is 2 x the phone's step length (float noise, 1.1478503194317755): the API gives
    lengths to the millimetre and cadence to 0.1 steps/min; trends count its steps / 2 strides, as the page says."""
    with HEALTH.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (HEALTH.name, fh)})
    assert r.status_code == 201, r.text
    walks = client.get("/api/walks").json()
    assert walks and all(w["format"] == "apple_health" for w in walks)
    for w in walks:
        for key, decimals in (("stride_length_m", 3), ("distance_m", 3), ("cadence_spm", 1)):
            value = w["summary"][key]
            assert value is None or value == round(value, decimals), (key, value)
    assert any(len(str(w["summary"]["stride_length_m"]).partition(".")[2]) > 0 for w in walks)
    trends = client.get("/api/trends?period=day").json()
    for row in trends:
        assert row["stride_length_m"] is None or row["stride_length_m"] == round(row["stride_length_m"], 3)
        assert row["cadence_spm"] is None or row["cadence_spm"] == round(row["cadence_spm"], 1)
    steps = sum(w["summary"]["steps"] for w in walks)
    assert abs(sum(row["strides"] for row in trends) - steps / 2) <= len(trends)  # each day's total rounded
