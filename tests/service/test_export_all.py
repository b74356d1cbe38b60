"""GET /api/export: all the walker's own data in one ZIP, from real uploads of the sample recordings on a real
SQLite store: its files and columns, figures equal to the per-walk export and GET /api/walks/N, pain reports,
the profile, raw samples on request equal to the uploaded file's, sample walks left out, one snapshot."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.demo import import_samples
from service.settings import Settings
from service.store import Store, StoreError
from tests.sample_data import SAMPLES_DIR
from tests.service.test_api import los_angeles  # noqa: F401 (a fixture)

FOOT = SAMPLES_DIR / "gaitmap_left_foot.csv"  # with a gyroscope
BACK = SAMPLES_DIR / "oxford_phone_back_pocket.csv"  # a phone: no gyroscope
SAMPLE_WALK = "oxford_phone_in_hand"  # imported as a sample walk: somebody else's walking

WALKS_HEADER = [
    "id",
    "name",
    "started_at",
    "started_at_local",
    "time_origin",
    "placement",
    "origin",
    "format",
    "status",
    "demo",
    "steps",
    "strides",
    "cadence_spm",
    "stride_length_m",
    "distance_m",
    "walking_time_s",
    "duration_s",
    "flagged_strides",
    "gps_stride_length_m",
    "strides_file",
    "samples_file",
]
STRIDES_HEADER = "idx,start_s,end_s,length_m,cadence_spm,speed_mps,confidence,method,side,target_m,overlong"
PAIN_HEADER = [
    "id",
    "walk_id",
    "walk_deleted",
    "reported_at",
    "reported_at_local",
    "score",
    "onset_distance_m",
    "onset_time_s",
    "note",
]
SUMMARY_FIGURES = ("steps", "strides", "cadence_spm", "stride_length_m", "distance_m", "walking_time_s", "duration_s")


@pytest.fixture
def app_client(settings: Settings, tmp_path: Path):
    """The service on its own data folder (a real store there), with one sample recording imported as the demo's
    sample walks are."""
    samples = tmp_path / "samples"
    samples.mkdir()
    shutil.copy(SAMPLES_DIR / f"{SAMPLE_WALK}.csv", samples)
    shutil.copy(SAMPLES_DIR / f"{SAMPLE_WALK}.reference.json", samples)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        store: Store = client.app.state.store
        (sample_id,) = import_samples(store, samples)
        client.sample_id = sample_id  # type: ignore[attr-defined]
        yield client


def upload(client: TestClient, path: Path, **form: str) -> dict:
    with path.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (path.name, fh, "text/csv")}, data=form)
    assert r.status_code == 201, r.text
    (walk,) = r.json()["walks"]
    return walk


def open_export(client: TestClient, query: str = "") -> zipfile.ZipFile:
    r = client.get(f"/api/export{query}")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/zip"
    today = datetime.now().astimezone().date().isoformat()
    assert r.headers["content-disposition"] == f'attachment; filename="gait-export-{today}.zip"'
    return zipfile.ZipFile(io.BytesIO(r.content))


def csv_rows(archive: zipfile.ZipFile, name: str) -> tuple[list[str], list[dict[str, str]]]:
    text = archive.read(name).decode("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), list(reader)


def cell(value: object) -> str:
    """A JSON figure as a CSV cell shows it (an empty cell for null)."""
    return "" if value is None else str(value)


@pytest.fixture
def walks(app_client: TestClient) -> tuple[dict, dict]:
    foot = upload(app_client, FOOT, placement="foot", sensor_side="left")
    back = upload(app_client, BACK, placement="pocket")
    return foot, back


def test_the_export_holds_every_file_with_its_documented_columns(app_client: TestClient, walks) -> None:
    foot, back = walks
    archive = open_export(app_client)
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == sorted(
        [
            "README.txt",
            "walks.csv",
            "pain_reports.csv",
            "profile.json",
            f"strides/walk-{foot['id']}-strides.csv",
            f"strides/walk-{back['id']}-strides.csv",
        ]
    )  # no samples unless asked for, no sample walk
    header, rows = csv_rows(archive, "walks.csv")
    assert header == WALKS_HEADER
    oldest_first = sorted(walks, key=lambda w: (w["started_at"], w["id"]))
    assert foot["started_at"] != back["started_at"]
    assert [r["id"] for r in rows] == [str(w["id"]) for w in oldest_first]
    for name in (f"strides/walk-{foot['id']}-strides.csv", f"strides/walk-{back['id']}-strides.csv"):
        assert archive.read(name).decode().splitlines()[0] == STRIDES_HEADER
    assert csv_rows(archive, "pain_reports.csv")[0] == PAIN_HEADER
    readme = archive.read("README.txt").decode()
    for documented in ("walks.csv", "strides/walk-<id>-strides.csv", "pain_reports.csv", "profile.json", "samples/"):
        assert documented in readme
    for column in [*WALKS_HEADER, *STRIDES_HEADER.split(","), *PAIN_HEADER]:
        assert column in readme, column
    health = app_client.get("/api/health").json()
    assert health["version"] in readme and "Not medical advice" in readme
    assert datetime.now().astimezone().date().isoformat() in readme  # the export time
    assert "demo walks" in readme and "left out" in readme


def test_each_walk_s_figures_are_its_page_s_and_its_exports(app_client: TestClient, walks) -> None:
    archive = open_export(app_client)
    _, rows = csv_rows(archive, "walks.csv")
    by_id = {int(r["id"]): r for r in rows}
    for walk in walks:
        row = by_id[walk["id"]]
        page = app_client.get(f"/api/walks/{walk['id']}").json()
        document = app_client.get(f"/api/walks/{walk['id']}/export.json").json()
        assert (row["name"], row["started_at"], row["placement"]) == (
            page["name"],
            page["started_at"],
            page["placement"],
        )
        assert (row["origin"], row["format"], row["status"], row["demo"]) == ("upload", "gait_csv", "complete", "0")
        assert page["summary"]["strides"] > 10 and page["summary"]["cadence_spm"] is not None
        for figure in SUMMARY_FIGURES:
            assert row[figure] == cell(page["summary"][figure]) == cell(document["summary"][figure]), figure
        assert row["flagged_strides"] == cell(page["summary"]["flagged_strides"])
        assert row["time_origin"] == cell(document["time_origin"])
        strides_file = f"strides/walk-{walk['id']}-strides.csv"
        assert row["strides_file"] == strides_file and row["samples_file"] == ""
        per_walk = app_client.get(f"/api/walks/{walk['id']}/export.csv").text
        assert archive.read(strides_file).decode() == per_walk
        assert len(per_walk.splitlines()) == page["summary"]["strides"] + 1


def test_pain_reports_and_the_profile_are_in_it(app_client: TestClient, walks) -> None:
    foot, _ = walks
    profile = {
        "body_height_m": 1.72,
        "placement": "lower_back",
        "stride_scales": {"foot": 1.04},
        "coaching": {"enabled": True, "reduction": 0.12, "tolerance_m": 0.06, "audio_cue": False},
    }
    assert app_client.put("/api/profile", json=profile).status_code == 200
    on_walk = {"score": 4, "walk_id": foot["id"], "onset_distance_m": 20.0, "note": 'lower back, "sharp" – left'}
    assert app_client.post("/api/pain", json=on_walk).status_code == 201
    alone = {"score": 2, "reported_at": "2026-01-05T08:00:00+00:00"}
    assert app_client.post("/api/pain", json=alone).status_code == 201
    archive = open_export(app_client)
    _, rows = csv_rows(archive, "pain_reports.csv")
    assert [(r["score"], r["walk_id"]) for r in rows] == [("2", ""), ("4", str(foot["id"]))]  # oldest first
    assert rows[0]["reported_at"] == "2026-01-05T08:00:00+00:00" and rows[0]["onset_distance_m"] == ""
    assert rows[1]["onset_distance_m"] == "20.0" and rows[1]["onset_time_s"] == ""
    assert rows[1]["note"] == 'lower back, "sharp" – left'
    stored = {p["id"]: p for p in app_client.get("/api/pain").json()}
    assert {int(r["id"]) for r in rows} == set(stored)
    exported = json.loads(archive.read("profile.json"))
    assert exported == app_client.get("/api/profile").json()
    assert exported["body_height_m"] == 1.72 and exported["stride_scales"] == {"foot": 1.04}
    assert exported["coaching"]["reduction"] == 0.12 and exported["not_medical_advice"]


def test_a_report_whose_walk_was_deleted_says_so(app_client: TestClient, walks) -> None:
    foot, back = walks
    kept = {"score": 5, "walk_id": back["id"], "note": "kept walk"}
    gone = {"score": 6, "walk_id": foot["id"], "note": "deleted walk"}
    alone = {"score": 1, "reported_at": "2026-01-05T08:00:00+00:00", "note": "no walk"}
    for report in (kept, gone, alone):
        assert app_client.post("/api/pain", json=report).status_code == 201
    assert app_client.delete(f"/api/walks/{foot['id']}").status_code == 200
    archive = open_export(app_client)
    header, rows = csv_rows(archive, "pain_reports.csv")
    assert header == PAIN_HEADER
    by_note = {r["note"]: (r["walk_id"], r["walk_deleted"]) for r in rows}
    assert by_note == {"kept walk": (str(back["id"]), "0"), "deleted walk": ("", "1"), "no walk": ("", "0")}
    readme = archive.read("README.txt").decode()
    assert "walk_deleted (1 when the walk the report was made for\n            was deleted since" in readme


def test_samples_on_request_are_the_uploaded_file_s(app_client: TestClient, walks, settings: Settings) -> None:
    foot, back = walks
    # an upload of a version that did not keep samples yet: its samples file is not there
    (settings.recordings_dir / f"walk-{back['id']}.npz").unlink()
    archive = open_export(app_client, "?samples=1")
    assert f"samples/walk-{back['id']}.csv" not in archive.namelist()
    exported = archive.read(f"samples/walk-{foot['id']}.csv").decode()
    assert exported.splitlines()[0] == FOOT.read_text().splitlines()[0]  # time_s, acc_*, gyr_* as uploaded
    ours = np.loadtxt(io.StringIO(exported), delimiter=",", skiprows=1)
    uploaded = np.loadtxt(FOOT, delimiter=",", skiprows=1)
    assert ours.shape == uploaded.shape and ours.shape[1] == 7
    np.testing.assert_allclose(ours[:, 0], uploaded[:, 0], atol=1e-6)
    np.testing.assert_allclose(ours[:, 1:], uploaded[:, 1:], rtol=1e-5, atol=1e-9)
    _, rows = csv_rows(archive, "walks.csv")
    by_id = {int(r["id"]): r for r in rows}
    assert by_id[foot["id"]]["samples_file"] == f"samples/walk-{foot['id']}.csv"
    assert by_id[back["id"]]["samples_file"] == ""
    readme = archive.read("README.txt").decode()
    assert f"walk {back['id']}: uploaded before samples were kept" in readme
    assert f"walk {foot['id']}:" not in readme
    # QA17 #11: the samples entry is dated as the others, at the export (it was 1980-01-01), and private as they are
    samples = archive.getinfo(f"samples/walk-{foot['id']}.csv")
    for other in archive.infolist():
        assert abs(datetime(*samples.date_time) - datetime(*other.date_time)) <= timedelta(seconds=60), other
        assert other.external_attr >> 16 == 0o600 and other.compress_type == zipfile.ZIP_DEFLATED, other
    assert datetime(*samples.date_time).date() >= datetime.now().date() - timedelta(days=1)


def test_sample_walks_are_left_out(app_client: TestClient, walks) -> None:
    sample_id = app_client.sample_id  # type: ignore[attr-defined]
    listed = app_client.get("/api/walks").json()
    assert any(w["id"] == sample_id and w["demo"] for w in listed)  # the sample walk is stored and listed
    archive = open_export(app_client, "?samples=1")
    _, rows = csv_rows(archive, "walks.csv")
    assert sample_id not in {int(r["id"]) for r in rows} and len(rows) == len(walks)
    assert not [n for n in archive.namelist() if f"walk-{sample_id}" in n]


def test_the_export_leaves_no_file_behind(app_client: TestClient, walks, settings: Settings) -> None:
    open_export(app_client, "?samples=1")
    assert [p.name for p in settings.spool_dir.iterdir()] == []


def test_an_empty_store_exports_its_profile_and_readme(client: TestClient) -> None:
    archive = open_export(client)
    assert sorted(archive.namelist()) == ["README.txt", "pain_reports.csv", "profile.json", "walks.csv"]
    header, rows = csv_rows(archive, "walks.csv")
    assert header == WALKS_HEADER and rows == []


def test_the_export_needs_the_token_off_loopback(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d", demo=False, host="0.0.0.0", token="s3cret-token-16ch")
    with TestClient(create_app(settings), base_url="http://192.168.1.20:8765") as remote:
        assert remote.get("/api/export").status_code == 401
        ok = remote.get("/api/export", headers={"Authorization": "Bearer s3cret-token-16ch"})
        assert ok.status_code == 200 and zipfile.ZipFile(io.BytesIO(ok.content)).testzip() is None


def pain_row(score: int, day: int) -> dict:
    day_s = f"2026-01-{day:02d}T08:00:00+00:00"
    return {
        "reported_at": day_s,
        "score": score,
        "walk_id": None,
        "onset_distance_m": None,
        "onset_time_s": None,
        "note": None,
    }


def test_a_snapshot_reads_one_moment_of_the_store(store: Store) -> None:
    store.add_pain(pain_row(3, 5))
    with store.snapshot() as snapshot:
        before = snapshot.list_pain()
        assert [p["score"] for p in before] == [3]
        # written meanwhile (a live walk's strides, another tab's report): not seen by this snapshot's reads
        store.add_pain(pain_row(7, 6))
        store.put_profile({"body_height_m": 1.8})
        assert snapshot.list_pain() == before and snapshot.get_profile() == {}
        with pytest.raises(StoreError, match="read-only"):
            snapshot.add_pain(pain_row(5, 7))
    assert [p["score"] for p in store.list_pain()] == [7, 3] and store.get_profile() == {"body_height_m": 1.8}


def test_text_cells_a_spreadsheet_would_run_as_formulas_are_quoted(app_client: TestClient) -> None:
    """OWASP's CSV injection advice: a walk's name or pain note starting with = + - @ gets a single quote before
    it; numbers (a negative one too) and other text stay as they are."""
    foot = upload(app_client, FOOT, placement="foot", name='=HYPERLINK("http://x.invalid","open")')
    back = upload(app_client, BACK, placement="pocket", name="@SUM(A1) walk")
    notes = ["+cmd|' /C calc'!A0", "-2 after the stairs", "sharp, = left"]
    for note in notes:
        r = app_client.post("/api/pain", json={"score": 3, "walk_id": foot["id"], "note": note})
        assert r.status_code == 201, r.text
    archive = open_export(app_client)
    _, rows = csv_rows(archive, "walks.csv")
    names = {int(r["id"]): r["name"] for r in rows}
    assert names == {foot["id"]: '\'=HYPERLINK("http://x.invalid","open")', back["id"]: "'@SUM(A1) walk"}
    # the figures stay numbers a spreadsheet reads as such
    page = app_client.get(f"/api/walks/{foot['id']}").json()
    (row,) = [r for r in rows if int(r["id"]) == foot["id"]]
    assert float(row["distance_m"]) == page["summary"]["distance_m"] and row["started_at"][0].isdigit()
    _, pain = csv_rows(archive, "pain_reports.csv")
    assert sorted(r["note"] for r in pain) == sorted(["'+cmd|' /C calc'!A0", "'-2 after the stairs", "sharp, = left"])
    assert {r["score"] for r in pain} == {"3"}
    # the strides' text cells (method, side) are the analyser's words, never a formula; their numbers stay numbers
    strides = archive.read(f"strides/walk-{foot['id']}-strides.csv").decode()
    assert "'" not in strides and all(not line.startswith(("=", "+", "@")) for line in strides.splitlines())
    readme = archive.read("README.txt").decode()
    assert "A text cell that starts with = + - @" in readme and "single quote" in readme
    # the names and notes themselves are stored and shown as typed
    assert app_client.get(f"/api/walks/{back['id']}").json()["name"] == "@SUM(A1) walk"


DATED_PHONE = SAMPLES_DIR.parents[1] / "shared/data/dev/phone_exports/sensor_logger_android_header_edited"
DATED_PHONE /= "TotalAcceleration.csv"  # a clock column dates it


def test_exported_samples_uploaded_again_on_a_new_computer_keep_the_walk_s_date(
    app_client: TestClient, tmp_path: Path
) -> None:
    # QA17 #2: the samples were written on the recording's own axis (0.04 s...), so the walk a phone's clock dated
    # (or the walker dated) was dated at the upload when its exported file was uploaded again
    if not DATED_PHONE.is_file():
        pytest.skip(f"{DATED_PHONE} not found")
    clocked = upload(app_client, DATED_PHONE, placement="pocket")
    given = upload(app_client, FOOT, placement="foot", sensor_side="left", started_at="2026-11-20T08:00:00+01:00")
    undated = upload(app_client, BACK, placement="pocket")
    stored = {w["id"]: app_client.get(f"/api/walks/{w['id']}").json() for w in (clocked, given, undated)}
    assert stored[clocked["id"]]["source"]["started_at_from"] == "recording"
    assert stored[given["id"]]["source"]["started_at_from"] == "user"
    archive = open_export(app_client, "?samples=1")
    _, rows = csv_rows(archive, "walks.csv")
    origin = {int(r["id"]): r["time_origin"] for r in rows}
    first_s = {
        walk_id: float(archive.read(f"samples/walk-{walk_id}.csv").decode().splitlines()[1].split(",")[0])
        for walk_id in stored
    }
    # the phone's samples in clock time: its strides' times plus its time_origin (2024-10-18T14:09:34.5...)
    strides = archive.read(f"strides/walk-{clocked['id']}-strides.csv").decode().splitlines()
    first_stride_s = float(strides[1].split(",")[1])
    origin_s = datetime.fromisoformat(origin[clocked["id"]]).timestamp()
    assert abs(first_s[clocked["id"]] - datetime.fromisoformat("2024-10-18T14:09:34.556+00:00").timestamp()) < 0.01
    assert origin_s + first_stride_s > first_s[clocked["id"]]
    assert first_s[given["id"]] == datetime.fromisoformat("2026-11-20T08:00:00+01:00").timestamp()
    assert first_s[undated["id"]] < 100  # dated at its upload: no date is made up for its file

    # a new computer: a fresh data folder, the exported files uploaded as they are
    fresh = Settings(data_dir=tmp_path / "new computer", demo=False, samples_dir=tmp_path / "no-samples")
    with TestClient(create_app(fresh), base_url="http://127.0.0.1") as client:
        for walk_id, walk in stored.items():
            name = f"walk-{walk_id}.csv"
            r = client.post(
                "/api/uploads",
                files={"file": (name, archive.read(f"samples/{name}"), "text/csv")},
                data={"placement": walk["placement"]},
            )
            assert r.status_code == 201, r.text
            (again,) = r.json()["walks"]
            if walk_id == undated["id"]:
                assert again["source"]["started_at_from"] == "import"
                continue
            assert again["source"]["started_at_from"] == "recording"
            assert again["started_at"] == walk["started_at"], (again["started_at"], walk["started_at"])
            assert again["summary"]["steps"] == walk["summary"]["steps"]


def test_a_walk_re_dated_on_its_page_exports_its_samples_at_the_new_date(app_client: TestClient) -> None:
    # a phone with a wrong clock: the walker's date, given on the walk's page, wins over the recording's clock
    if not DATED_PHONE.is_file():
        pytest.skip(f"{DATED_PHONE} not found")
    walk = upload(app_client, DATED_PHONE, placement="pocket")
    r = app_client.patch(f"/api/walks/{walk['id']}", json={"started_at": "2026-11-20T08:00:00+01:00"})
    assert r.status_code == 200, r.text
    archive = open_export(app_client, "?samples=1")
    first_s = float(archive.read(f"samples/walk-{walk['id']}.csv").decode().splitlines()[1].split(",")[0])
    assert first_s == datetime.fromisoformat("2026-11-20T08:00:00+01:00").timestamp()


def test_times_are_also_given_in_local_time(app_client: TestClient, los_angeles) -> None:  # noqa: F811
    # a walker in Los Angeles reads 09:30 for the walk they started at 09:30 (16:30 UTC in summer), and the pain
    # they felt at midnight in winter (08:00 UTC) on its own local day, as the dashboard shows them
    walk = upload(app_client, BACK, placement="pocket", started_at="2026-07-04T09:30:27-07:00")
    pain = {"score": 3, "reported_at": "2026-01-05T08:00:00+00:00"}
    assert app_client.post("/api/pain", json=pain).status_code == 201
    archive = open_export(app_client)
    _, (row,) = csv_rows(archive, "walks.csv")
    assert row["id"] == str(walk["id"])
    assert datetime.fromisoformat(row["started_at"]) == datetime.fromisoformat("2026-07-04T16:30:27+00:00")
    assert row["started_at_local"] == "2026-07-04 09:30:27"
    _, (report,) = csv_rows(archive, "pain_reports.csv")
    assert report["reported_at"] == "2026-01-05T08:00:00+00:00" and report["reported_at_local"] == "2026-01-05 00:00:00"
    readme = archive.read("README.txt").decode()
    assert "started_at_local" in readme and "reported_at_local" in readme and ("PST" in readme or "PDT" in readme)


def test_every_entry_is_deflated_at_zlib_s_fastest_level(
    app_client: TestClient, walks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """QA23: a year of raw samples (7,600 minutes, about 4 GB of CSV) took 6 minutes to deflate at zlib's default
    level; the samples entries (a ZipInfo of the export's own) were deflated at level 6 even where the archive said
    otherwise. Every entry is deflated at level 1 (3-7 times as fast, the file about 13 % larger)."""
    levels: list[int] = []
    compressobj = zipfile.zlib.compressobj

    def recording(level: int = -1, *args: object) -> object:
        levels.append(level)
        return compressobj(level, *args)

    monkeypatch.setattr(zipfile.zlib, "compressobj", recording)
    archive = open_export(app_client, "?samples=1")
    names = archive.namelist()
    assert any(n.startswith("samples/") for n in names) and any(n.startswith("strides/") for n in names)
    assert len(levels) == len(names)
    assert set(levels) == {1}
