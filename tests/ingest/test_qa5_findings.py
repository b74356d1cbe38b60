"""Findings of a fifth QA pass on reading folders and parts of exports, each on the real exports of ../shared/data/dev
(copied or linked into tmp_path the way a user's folder holds them)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import ingest
from ingest import IngestError

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "dev"
PHONE = SHARED / "phone_exports"
SENSOR_LOGGER_IOS = PHONE / "sensor_logger_ios_v1.10.4"
WITHOUT_GRAVITY = SENSOR_LOGGER_IOS / "2022-09-26_15-32-56"
"""An iOS export whose gravity-inclusive acceleration is only in AccelerometerUncalibrated.csv."""
HEALTH = PHONE / "apple_health_export_ios12"

pytestmark = [pytest.mark.shared, pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared data not at {SHARED}")]


def _refusal(path: Path) -> IngestError:
    with pytest.raises(IngestError) as err:
        ingest.load(path)
    return err.value


# --- finding 4: one axis file of an export, alone, is a part of it (not an export to record again) ----------------


@pytest.mark.parametrize("part", ["Gyroscope.csv", "Accelerometer.csv"])
def test_one_axis_file_copied_out_of_its_export_is_called_a_part(part: str, tmp_path: Path) -> None:
    alone = tmp_path / "downloads" / part
    alone.parent.mkdir()
    shutil.copyfile(WITHOUT_GRAVITY / part, alone)
    (tmp_path / "downloads" / "notes.txt").write_text("walk to the shop\n")  # a folder that is no export
    err = _refusal(alone)
    text = str(err)
    assert err.reason == "gravity_missing"
    assert text.startswith(f"{part}: this file is one part of a Sensor Logger export"), text
    assert "TotalAcceleration.csv (Android) or AccelerometerUncalibrated.csv (iOS) on its own" in text
    assert "record again" not in text and "(downloads)" not in text  # the folder it sits in is no export
    if part != "Accelerometer.csv":
        assert "Accelerometer.csv is without gravity" not in text
    # what the message offers does load
    (tmp_path / "uncal").mkdir()
    shutil.copyfile(WITHOUT_GRAVITY / "AccelerometerUncalibrated.csv", tmp_path / "uncal" / "x.csv")
    assert ingest.load(tmp_path / "uncal" / "x.csv").n_samples > 0


def test_one_axis_file_in_its_export_folder_still_names_the_folder() -> None:
    text = str(_refusal(WITHOUT_GRAVITY / "Gyroscope.csv"))
    assert "analyse the export's folder (2022-09-26_15-32-56) (or upload it zipped)" in text
    assert text.endswith(", or AccelerometerUncalibrated.csv on its own"), text


# --- finding 5: a folder of recordings among them a Health export, or of links to recordings ------------------------


def test_a_folder_with_recordings_and_a_health_export_names_each(tmp_path: Path) -> None:
    parent = tmp_path / "mixed2"
    shutil.copytree(SENSOR_LOGGER_IOS / "2022-09-16_11-15-46", parent / "walk_a")
    shutil.copytree(WITHOUT_GRAVITY, parent / "walk_b")
    shutil.copytree(HEALTH, parent / HEALTH.name)
    (parent / HEALTH.name / "SOURCE.txt").unlink()  # a Health export as the phone writes it: no CSV beside its XML
    err = _refusal(parent)
    assert err.reason == "several_recordings"
    assert f"holds several recordings ({HEALTH.name}, walk_a, walk_b)" in str(err), str(err)


def test_the_shared_phone_exports_folder_is_several_recordings() -> None:
    err = _refusal(PHONE)
    assert err.reason == "several_recordings" and HEALTH.name in str(err) and "androsensor_walking" in str(err)


def test_a_health_export_alone_in_a_folder_is_still_a_health_export(tmp_path: Path) -> None:
    shutil.copytree(HEALTH, tmp_path / "only" / HEALTH.name)
    assert _refusal(tmp_path / "only").reason == "summary_export"


def test_a_folder_of_links_to_recordings_follows_them(tmp_path: Path) -> None:
    links = tmp_path / "links"
    links.mkdir()
    (links / "walk_a").symlink_to(SENSOR_LOGGER_IOS / "2022-09-16_11-15-46", target_is_directory=True)
    (links / "walk_b").symlink_to(WITHOUT_GRAVITY, target_is_directory=True)
    (links / "gone").symlink_to(tmp_path / "nothing_here", target_is_directory=True)  # dangling: skipped
    (links / "loop").symlink_to(links, target_is_directory=True)  # back to itself: listed once
    err = _refusal(links)
    assert err.reason == "several_recordings" and "(walk_a, walk_b)" in str(err), str(err)
    (links / "walk_b").unlink()
    assert ingest.load(links).source["format"] == "sensor_logger"  # one linked recording is read through its link
