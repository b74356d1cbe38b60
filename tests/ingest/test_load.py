"""The entry point: format list, detection, overrides, gzip by content, the two CLI commands."""

from __future__ import annotations

import argparse
import gzip
from pathlib import Path

import numpy as np
import pytest

import ingest
from gait.types import Recording
from ingest import IngestError
from service.commands import convert, formats
from tests.ingest import exports as ex

EXPECTED = {
    "sensor_logger",
    "phyphox",
    "androsensor",
    "metawear",
    "geneactiv",
    "oxford",
    "physics_toolbox",
    "sensorlog",
    "gait_csv",
    "generic_csv",
    "apple_health",
}


def test_list_formats_describes_each_format() -> None:
    formats = ingest.list_formats()
    assert {f.name for f in formats} == EXPECTED
    for f in formats:
        assert f.description and f.patterns and f.checked_versions
    assert [f.name for f in formats if not f.samples] == ["apple_health"]


def test_source_keys_are_the_same_for_every_format(tmp_path: Path) -> None:
    sig = ex.signal()
    gait = tmp_path / "g.csv"
    ingest.write_gait_csv(Recording(sig.time_s, sig.acc_ms2), gait)
    logger = ex.write_files(tmp_path / "r", ex.sensor_logger_android(sig), as_zip=True)
    for path in (gait, logger):
        src = ingest.load(path).source
        assert {"format", "app", "app_version", "device", "file", "rate_hz", "n_samples", "units"} <= set(src)
        assert src["rate_hz"] == pytest.approx(100.0)


def test_format_override_reads_a_folder_of_one_csv(tmp_path: Path) -> None:
    sig = ex.signal()
    folder = tmp_path / "upload"
    folder.mkdir()
    rows = [
        "t,x,y,z",
        *(f"{t},{a[0]},{a[1]},{a[2]}" for t, a in zip(sig.time_s.tolist(), sig.acc_ms2.tolist(), strict=True)),
    ]
    (folder / "data.txt").write_text("\n".join(rows) + "\n")
    rec = ingest.load(folder, format="generic_csv", time_unit="s", acc_unit="ms2")
    np.testing.assert_allclose(rec.acc_ms2, sig.acc_ms2, atol=1e-9)


def test_folder_with_one_csv_and_a_readme(tmp_path: Path) -> None:
    sig = ex.signal()
    folder = tmp_path / "upload"
    folder.mkdir()
    ingest.write_gait_csv(Recording(sig.time_s, sig.acc_ms2), folder / "walk.csv")
    (folder / "README.txt").write_text("my walk to the shop")
    assert ingest.load(folder).source["format"] == "gait_csv"


@pytest.mark.parametrize("as_zip", [True, False])
def test_export_nested_two_folders_deep(tmp_path: Path, as_zip: bool) -> None:
    sig = ex.signal()
    files = {f"phone/walks/{k}": v for k, v in ex.sensor_logger_android(sig).items()}
    rec = ingest.load(ex.write_files(tmp_path / "up", files, as_zip=as_zip))
    np.testing.assert_allclose(rec.acc_ms2, sig.acc_ms2, atol=1e-9)
    assert rec.gps is not None


def test_several_recordings_in_one_upload(tmp_path: Path) -> None:
    sig = ex.signal(duration_s=1)
    files = {f"{d}/{k}": v for d in ("monday", "tuesday") for k, v in ex.sensor_logger_android(sig).items()}
    with pytest.raises(IngestError, match=r"several recordings \(monday, tuesday\)"):
        ingest.load(ex.write_files(tmp_path / "up", files, as_zip=True))


def test_forcing_the_wrong_format_explains(tmp_path: Path) -> None:
    path = ex.write_files(tmp_path / "r", ex.sensor_logger_android(ex.signal(), gps=False), as_zip=True)
    with pytest.raises(IngestError, match="cannot tell which file"):
        ingest.load(path, format="gait_csv")


def test_gzip_detected_by_content_not_name(tmp_path: Path) -> None:
    sig = ex.signal()
    rec = Recording(sig.time_s, sig.acc_ms2)
    plain = tmp_path / "plain.csv"
    ingest.write_gait_csv(rec, plain)
    upload = tmp_path / "upload.bin"
    upload.write_bytes(gzip.compress(plain.read_bytes()))
    assert ingest.load(upload).n_samples == len(sig.time_s)


def test_placement_is_stored_and_checked(tmp_path: Path) -> None:
    path = ex.write_files(tmp_path / "r", ex.sensor_logger_android(ex.signal(), gps=False), as_zip=True)
    assert ingest.load(path, placement="pocket").placement == "pocket"
    with pytest.raises(IngestError, match="unknown placement"):
        ingest.load(path, placement="ear")


def test_gyroscope_covering_little_of_the_recording_is_dropped(tmp_path: Path) -> None:
    sig = ex.signal(duration_s=10)
    files = ex.sensor_logger_android(sig, gps=False)
    files["Gyroscope.csv"] = ex.sl_axis_csv(sig.time_s[:300], np.radians(sig.gyr_dps[:300]))
    rec = ingest.load(ex.write_files(tmp_path / "r", files, as_zip=True))
    assert rec.gyr_dps is None
    assert rec.n_samples == len(sig.time_s)
    assert "ignored" in rec.source["notes"][0]


def main(argv: list[str]) -> int:
    """``gait`` with only this issue's commands, so other commands' imports cannot affect these tests."""
    parser = argparse.ArgumentParser(prog="gait")
    sub = parser.add_subparsers(required=True)
    formats.register(sub)
    convert.register(sub)
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli_formats_lists_every_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["formats"]) == 0
    out = capsys.readouterr().out
    for name in EXPECTED:
        assert name in out


def test_cli_convert_writes_gait_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sig = ex.signal()
    src = ex.write_files(tmp_path / "r", ex.sensor_logger_android(sig), as_zip=True)
    out = tmp_path / "out.csv"
    assert main(["convert", str(src), str(out)]) == 0
    back = ingest.read_gait_csv(out)
    np.testing.assert_allclose(back.acc_ms2, sig.acc_ms2, rtol=1e-5)
    np.testing.assert_allclose(back.gyr_dps, sig.gyr_dps, rtol=1e-5, atol=1e-4)
    assert "500 samples" in capsys.readouterr().err


def test_cli_convert_keeps_the_recording_start_and_the_sample_timing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sig = ex.signal()
    src = ex.write_files(tmp_path / "r", ex.sensor_logger_android(sig), as_zip=True)
    out = tmp_path / "out.csv"
    assert main(["convert", str(src), str(out)]) == 0
    assert "Unix seconds" in capsys.readouterr().err  # says how time_s is written
    back = ingest.read_gait_csv(out)
    # the Sensor Logger export's first sample (epoch ns), so an upload of the converted file is dated by it
    assert back.source["start_epoch_s"] == pytest.approx(ex.EPOCH0_NS / 1e9, abs=1e-6)
    np.testing.assert_allclose(back.time_s - back.time_s[0], sig.time_s - sig.time_s[0], atol=2e-6)


def test_cli_convert_without_a_start_time_keeps_the_file_s_own_times(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sig = ex.signal()
    src = tmp_path / "walk.csv"
    rows = ["time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2"]
    rows += [
        f"{t + 5:.3f},{a[0]},{a[1]},{a[2]}" for t, a in zip(sig.time_s.tolist(), sig.acc_ms2.tolist(), strict=True)
    ]
    src.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out.csv"
    assert main(["convert", str(src), str(out)]) == 0
    err = capsys.readouterr().err
    # QA9: where to give it its date (it said only "an upload of it is dated when uploaded")
    said = 'it holds no start time: to date its walk, fill in "When did you walk?" on the dashboard\'s upload page'
    assert said in err, err
    assert ingest.read_gait_csv(out).source["start_epoch_s"] is None


def test_cli_convert_bad_input_raises_the_user_error_and_writes_nothing(tmp_path: Path) -> None:
    # service.cli.main turns IngestError into one 'gait: error: ...' line and exit code 2.
    bad = tmp_path / "empty.csv"
    bad.write_text("")
    with pytest.raises(IngestError, match=r"empty\.csv: the file is empty"):
        main(["convert", str(bad), str(tmp_path / "o.csv")])
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("nested", ["zip", "folder"])
def test_a_file_beside_an_exports_zip_or_folder_is_several_recordings(tmp_path: Path, nested: str) -> None:
    """A phone export's zip zipped with a CSV of another walk: the CSV alone was analysed, the export's longer walk
    dropped without a word (QA20 #1)."""
    sig = ex.signal(duration_s=3)
    export = ex.sensor_logger_android(sig)
    other = tmp_path / "other.csv"
    ingest.write_gait_csv(Recording(sig.time_s, sig.acc_ms2), other)
    if nested == "zip":
        inner = ex.write_files(tmp_path / "export", export, as_zip=True)
        files = {"2022-09-26_15-32-56.zip": inner.read_bytes(), "walk_today.csv": other.read_bytes()}
    else:
        files = {**{f"2022-09-26_15-32-56/{k}": v for k, v in export.items()}, "walk_today.csv": other.read_bytes()}
    with pytest.raises(IngestError, match=r"several recordings \(walk_today\.csv, 2022-09-26_15-32-56") as err:
        ingest.load(ex.write_files(tmp_path / "up", files, as_zip=True))
    assert err.value.reason == "several_recordings" and "one at a time" in str(err.value)
