"""Zips that are not one recording: only a read-me, several recordings, a zip of zips. Each upload is refused with
what the zip holds and what to upload instead, and stores nothing; a recording with its read-me beside it is read."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.store import Store
from tests.service.conftest import count_rows

SAMPLES = Path(__file__).resolve().parents[2] / "sample_recordings"
WALK = SAMPLES / "mobgap_lower_back_daily_living.csv"
OTHER_WALK = SAMPLES / "oxford_phone_in_hand.csv"
SAMPLES_README = (SAMPLES / "README.md").read_bytes()


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _post(client: TestClient, path: Path):
    with path.open("rb") as fh:
        return client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": "lower_back"})


# a read-me that starts like a table header: read as a recording, it was "a header and no rows"
TABLE_LIKE_README = b"time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2\nThe columns of walk.csv, which I forgot to add.\n"


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        (
            {"README.txt": TABLE_LIKE_README},
            "the zip holds no recording: found README.txt (a read-me, licence or notes: not sensor data); upload "
            "the sensor app's CSV export",
        ),
        (
            {"walk/ReadMe.txt": SAMPLES_README, "walk/LICENSE.txt": b"CC BY 4.0\n"},
            "the zip holds no recording: found ReadMe.txt, LICENSE.txt (a read-me, licence or notes",
        ),
        (
            {"walk.csv": b"", "README.txt": SAMPLES_README},
            "the zip holds no recording: found walk.csv (empty), README.txt; upload the sensor app's CSV export",
        ),
        (
            {"a.csv": WALK.read_bytes(), "b.csv": OTHER_WALK.read_bytes(), "README.txt": SAMPLES_README},
            "holds 2 recordings (a.csv, b.csv); analyse or upload one recording at a time (each file on its own)",
        ),
        (
            {"monday/walk.csv": WALK.read_bytes(), "tuesday/walk.csv": OTHER_WALK.read_bytes()},
            "holds several recordings (monday, tuesday); analyse or upload one at a time",
        ),
        (
            {"monday.zip": WALK.read_bytes(), "tuesday.zip": OTHER_WALK.read_bytes()},
            "holds 2 zipped recordings (monday.zip, tuesday.zip); unzip it and analyse or upload each zip on its own",
        ),
    ],
    ids=["table-like read-me", "read-me and licence", "empty csv and read-me", "two csv", "two folders", "two zips"],
)
def test_a_zip_that_is_not_one_recording_is_refused_saying_what_it_holds(
    client: TestClient, store: Store, tmp_path: Path, members: dict[str, bytes], expected: str
) -> None:
    r = _post(client, _zip(tmp_path / "upload.zip", members))
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert detail.startswith("upload.zip: ") and expected in detail, detail
    assert "header only" not in detail
    assert count_rows(store, "walks") == 0


def test_a_recording_zipped_with_its_read_me_is_read(client: TestClient, store: Store, tmp_path: Path) -> None:
    members = {"walk/README.txt": TABLE_LIKE_README, "walk/walk.csv": WALK.read_bytes()}
    r = _post(client, _zip(tmp_path / "walk.zip", members))
    assert r.status_code == 201, r.text
    (walk,) = r.json()["walks"]
    assert store.get_walk(walk["id"])["strides"] > 20 and count_rows(store, "walks") == 1
