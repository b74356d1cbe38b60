"""Sensor Logger's JSON export (one file: an array of records, each naming its sensor beside that sensor's CSV
columns, every value a string, as public recordings of the app show) reads as its CSV export does.

Real exports in ../shared/data/dev are rewritten as the app's JSON and must read as the CSV export they came from.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

import ingest
from ingest import IngestError
from tests.ingest import exports as ex
from tests.ingest.test_phyphox_workbook import assert_same_recording
from tests.ingest.test_qa19_phone_exports import PHONE


def export_files(source: Path) -> dict[str, str]:
    """A Sensor Logger CSV export's files (a folder or a zip): name -> text."""
    if source.suffix == ".zip":
        with zipfile.ZipFile(source) as zf:
            return {
                n.rsplit("/", 1)[-1]: zf.read(n).decode("utf-8")
                for n in zf.namelist()
                if n.endswith(".csv") and not n.startswith("__MACOSX")
            }
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(source.glob("*.csv"))}


@pytest.mark.shared
@pytest.mark.parametrize(
    "export",
    [
        "sensor_logger_android_v1.60.0/recording_1",
        "sensor_logger_android_v1.26.0/2023-11-24_07-25-54.zip",
        "sensor_logger_ios_v1.10.4/2022-09-16_11-15-46",
        "sensor_logger_ios_v1.10.4/2022-09-26_15-32-56",
    ],
)
def test_a_real_export_reads_the_same_from_its_json(tmp_path: Path, export: str) -> None:
    source = PHONE / export
    if not source.exists():
        pytest.skip(f"{source} is not here (../shared/data/dev)")
    as_json = tmp_path / f"{source.stem}.json"
    as_json.write_text(ex.sensor_logger_json(export_files(source)), encoding="utf-8")
    from_csv = ingest.load(source, placement="pocket")
    from_json = ingest.load(as_json, placement="pocket")
    assert_same_recording(from_csv, from_json)
    assert from_json.source["format"] == "sensor_logger" and from_json.source["file"] == as_json.name


def _android_export() -> dict[str, str]:
    return ex.sensor_logger_android(ex.signal(duration_s=5.0), gps=False)


def test_a_json_export_gzipped_or_renamed_reads_too(tmp_path: Path) -> None:
    import gzip

    files = _android_export()
    zipped = ex.write_files(tmp_path / "csv", files, as_zip=True)
    path = tmp_path / "my walk.txt"  # a download renamed: known by its content
    path.write_bytes(gzip.compress(ex.sensor_logger_json(files).encode()))
    from_json, from_csv = ingest.load(path), ingest.load(zipped)
    np.testing.assert_allclose(from_json.acc_ms2, from_csv.acc_ms2, rtol=1e-12)
    np.testing.assert_allclose(from_json.time_s, from_csv.time_s, atol=1e-9)


def test_a_json_export_cut_off_is_said_so(tmp_path: Path) -> None:
    text = ex.sensor_logger_json(_android_export())
    path = tmp_path / "cut.json"
    path.write_text(text[: len(text) * 2 // 3])  # a copy that stopped two thirds of the way
    with pytest.raises(IngestError) as err:
        ingest.load(path)
    assert err.value.reason == "bad_json"
    assert "cut.json: ends before its last record: it was cut off" in str(err.value)


def test_a_json_export_with_a_record_naming_no_sensor_is_refused(tmp_path: Path) -> None:
    text = ex.sensor_logger_json(_android_export())
    path = tmp_path / "odd.json"
    path.write_text(text.replace("[\n", '[\n{"seconds_elapsed":"0","x":"1"},\n', 1))
    with pytest.raises(IngestError) as err:
        ingest.load(path)
    assert err.value.reason == "unsupported_format" and "record 1 names no sensor" in str(err.value)


def test_a_json_export_saved_with_a_byte_order_mark_reads_as_without(tmp_path: Path) -> None:
    files = _android_export()
    text = ex.sensor_logger_json(files)
    plain, bom = tmp_path / "walk.json", tmp_path / "walk saved in Notepad.json"
    plain.write_text(text, encoding="utf-8")
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))  # Windows editors save UTF-8 so
    assert_same_recording(ingest.load(plain), ingest.load(bom))


@pytest.mark.parametrize(
    ("kept", "named"),
    [(("Location.csv", "Metadata.csv"), "only Location, Metadata records"), (("Metadata.csv",), "only Metadata")],
)
def test_a_json_export_without_an_accelerometer_says_so(tmp_path: Path, kept: tuple[str, ...], named: str) -> None:
    files = ex.sensor_logger_android(ex.signal(duration_s=5.0), gps=True)
    path = tmp_path / "gps only.json"
    path.write_text(ex.sensor_logger_json({n: files[n] for n in kept}), encoding="utf-8")
    with pytest.raises(IngestError) as err:
        ingest.load(path)
    assert err.value.reason == "no_accelerometer"
    assert f"gps only.json: this Sensor Logger JSON export holds {named}" in str(err.value)
    assert "turn on Accelerometer" in str(err.value)


def test_a_json_export_zipped_alone_reads_as_the_json(tmp_path: Path) -> None:
    """A phone's share sheet or a mail zips the one file: read it, not 'the zip holds no recording'."""
    text = ex.sensor_logger_json(_android_export())
    plain = tmp_path / "2026-06-18_13-35-31.json"
    plain.write_text(text, encoding="utf-8")
    zipped = tmp_path / "walk.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("2026-06-18_13-35-31.json", text)
        zf.writestr("__MACOSX/._2026-06-18_13-35-31.json", b"\0\5\26\7")
    assert_same_recording(ingest.load(plain), ingest.load(zipped))


def _json_with(files: dict[str, str], sensor: str, k: int, z: str) -> tuple[str, int]:
    """The JSON export of ``files`` with the ``k``-th record of ``sensor`` holding ``z`` as its z value, and that
    record's number in the file (1-based, as a reader counts the array's records)."""
    records = json.loads(ex.sensor_logger_json(files))
    at = [i for i, r in enumerate(records) if r["sensor"] == sensor][k]
    records[at]["z"] = z
    return json.dumps(records), at + 1


def told_of_bad_value(path: Path, z: str) -> str:
    """What loading ``path`` says of its bad value ``z``: the error for a value that is no number, the note of the
    rows dropped for a missing one."""
    if z == "bad":
        with pytest.raises(IngestError) as err:
            ingest.load(path)
        return str(err.value)
    return next(note for note in ingest.load(path).source["notes"] if "dropped" in note)


@pytest.mark.parametrize(("z", "said"), [("bad", "('bad' on record {n})"), ("", "the first on record {n} ")])
def test_a_bad_value_in_a_json_export_is_named_by_its_record(tmp_path: Path, z: str, said: str) -> None:
    """The message names the record of the file the user has, not a line of a CSV file made of it."""
    files = _android_export()
    files = {"Accelerometer.csv": files["Accelerometer.csv"], **files}  # another sensor's records come first
    text, n = _json_with(files, "TotalAcceleration", 40, z)
    assert n > 41  # numbered in the file, not among the sensor's own records
    path = tmp_path / "walk.json"
    path.write_text(text, encoding="utf-8")
    told = told_of_bad_value(path, z)
    assert told.startswith("the TotalAcceleration records of walk.json: ")
    assert said.format(n=n) in told
    assert ".csv" not in told and "line" not in told
