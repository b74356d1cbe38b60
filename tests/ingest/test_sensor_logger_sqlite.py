"""Sensor Logger's SQLite export (one database file: a table per sensor, named and with the columns of that sensor's
CSV file, as the app's documentation reads ``SELECT * FROM Accelerometer``) reads as its CSV export does.

Real exports in ../shared/data/dev are rewritten as such a database and must read as the CSV export they came from.
"""

from __future__ import annotations

import gzip
import sqlite3
import zipfile
from pathlib import Path

import pytest

import ingest
from ingest import IngestError
from service.store import Store
from tests.ingest import exports as ex
from tests.ingest.test_phyphox_workbook import assert_same_recording
from tests.ingest.test_qa19_phone_exports import PHONE
from tests.ingest.test_sensor_logger_json import export_files, told_of_bad_value


@pytest.mark.shared
@pytest.mark.parametrize("as_text", [False, True], ids=["numbers", "text"])
@pytest.mark.parametrize(
    "export",
    [
        "sensor_logger_android_v1.60.0/recording_1",
        "sensor_logger_android_v1.26.0/2023-11-24_07-25-54.zip",
        "sensor_logger_ios_v1.10.4/2022-09-16_11-15-46",
    ],
)
def test_a_real_export_reads_the_same_from_its_sqlite(tmp_path: Path, export: str, as_text: bool) -> None:
    source = PHONE / export
    if not source.exists():
        pytest.skip(f"{source} is not here (../shared/data/dev)")
    db = ex.sensor_logger_sqlite(export_files(source), tmp_path / f"{source.stem}.sqlite", as_text=as_text)
    from_csv = ingest.load(source, placement="pocket")
    from_db = ingest.load(db, placement="pocket")
    assert_same_recording(from_csv, from_db)
    assert from_db.source["format"] == "sensor_logger" and from_db.source["file"] == db.name


def _android_export(gps: bool = False) -> dict[str, str]:
    return ex.sensor_logger_android(ex.signal(duration_s=5.0), gps=gps)


def test_a_sqlite_export_zipped_alone_or_gzipped_and_renamed_reads_too(tmp_path: Path) -> None:
    db = ex.sensor_logger_sqlite(_android_export(), tmp_path / "2026-06-18_13-35-31.sqlite")
    zipped = tmp_path / "walk.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(db, db.name)
    renamed = tmp_path / "my walk.db.gz"
    renamed.write_bytes(gzip.compress(db.read_bytes()))
    plain = ingest.load(db)
    assert_same_recording(plain, ingest.load(zipped))
    assert_same_recording(plain, ingest.load(renamed))


def test_a_sqlite_export_in_wal_mode_reads_as_one_in_rollback_mode(tmp_path: Path) -> None:
    """An app's database copied as it is may be marked as in write-ahead-log mode: what it committed is read."""
    files = _android_export()
    plain = ex.sensor_logger_sqlite(files, tmp_path / "walk.sqlite")
    wal = ex.sensor_logger_sqlite(files, tmp_path / "walk-wal.sqlite")
    conn = sqlite3.connect(wal)
    assert conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
    conn.close()
    assert wal.read_bytes()[18:20] == b"\x02\x02"  # the header says WAL, the -wal file checkpointed and gone
    assert_same_recording(ingest.load(plain), ingest.load(wal))


def test_a_sqlite_export_cut_off_is_said_so(tmp_path: Path) -> None:
    db = ex.sensor_logger_sqlite(_android_export(), tmp_path / "walk.sqlite")
    data = db.read_bytes()
    cut = tmp_path / "cut.sqlite"
    cut.write_bytes(data[: len(data) // 3])  # a copy that stopped a third of the way
    with pytest.raises(IngestError) as err:
        ingest.load(cut)
    assert err.value.reason == "bad_sqlite", str(err.value)
    assert str(err.value).startswith("cut.sqlite: this SQLite database cannot be read")
    assert "export the recording again" in str(err.value)


@pytest.mark.parametrize("damage", ["garbled", "zeroed"])
def test_a_sqlite_export_damaged_inside_is_said_so(tmp_path: Path, damage: str) -> None:
    """Pages damaged past the header and the schema: found when a table is read, and said as a cut-off file is."""
    db = ex.sensor_logger_sqlite(_android_export(), tmp_path / "walk.sqlite")
    data = bytearray(db.read_bytes())
    half = len(data) // 2
    garbage = bytes(range(256)) * (len(data) // 256 + 1)
    data[half:] = bytes(len(data) - half) if damage == "zeroed" else garbage[: len(data) - half]
    hurt = tmp_path / "hurt.sqlite"
    hurt.write_bytes(bytes(data))
    with pytest.raises(IngestError) as err:
        ingest.load(hurt)
    assert err.value.reason == "bad_sqlite", str(err.value)
    assert str(err.value).startswith("hurt.sqlite: this SQLite database cannot be read"), str(err.value)
    assert "damaged" in str(err.value) and "export the recording again" in str(err.value)


def test_only_the_tables_a_recording_is_read_from_are_offered(tmp_path: Path) -> None:
    """An export with every sensor on holds tables no step is found in: they are left as they are, unread."""
    files = _android_export()
    files["Magnetometer.csv"] = files["Gyroscope.csv"]
    files["Barometer.csv"] = "time,seconds_elapsed,relativeAltitude,pressure\n1,0.1,0,1013\n"
    db = ex.sensor_logger_sqlite(files, tmp_path / "walk.sqlite")
    from ingest.archive import open_bundle
    from ingest.sensor_logger import sqlite_export_tables

    tables = sqlite_export_tables(open_bundle(db))
    assert "Magnetometer.csv" not in tables.names and "Barometer.csv" not in tables.names
    assert {"TotalAcceleration.csv", "Gyroscope.csv", "Metadata.csv"} <= set(tables.names)
    plain = ex.sensor_logger_sqlite(_android_export(), tmp_path / "plain.sqlite")
    assert_same_recording(ingest.load(plain), ingest.load(db))


def test_a_sqlite_database_without_an_accelerometer_table_names_what_it_holds(tmp_path: Path) -> None:
    files = _android_export(gps=True)
    db = ex.sensor_logger_sqlite({n: files[n] for n in ("Location.csv", "Metadata.csv")}, tmp_path / "gps.sqlite")
    with pytest.raises(IngestError) as err:
        ingest.load(db)
    assert err.value.reason == "no_accelerometer"
    assert "gps.sqlite: this SQLite database holds Location, Metadata: none of" in str(err.value)


def test_the_analysers_own_data_store_is_not_taken_for_a_recording(tmp_path: Path) -> None:
    path = tmp_path / "gait.sqlite3"
    Store(path).open().close()
    with pytest.raises(IngestError) as err:
        ingest.load(path)
    assert err.value.reason == "unsupported_format"
    assert "gait.sqlite3: this is the gait analyser's own data store" in str(err.value)


@pytest.mark.parametrize(("z", "said"), [("bad", "('bad' on row {n})"), ("", "the first on row {n} ")])
def test_a_bad_value_in_a_sqlite_export_is_named_by_its_table_and_row(tmp_path: Path, z: str, said: str) -> None:
    """The message names the table and row of the file the user has, not a line of a CSV file made of it."""
    db = ex.sensor_logger_sqlite(_android_export(), tmp_path / "walk.sqlite")
    with sqlite3.connect(db) as conn:
        rowid = conn.execute("SELECT rowid FROM TotalAcceleration LIMIT 1 OFFSET 40").fetchone()[0]
        conn.execute("UPDATE TotalAcceleration SET z = ? WHERE rowid = ?", (z or None, rowid))
    conn.close()
    told = told_of_bad_value(db, z)
    assert told.startswith("the TotalAcceleration table of walk.sqlite: "), told
    assert said.format(n=41) in told, told
    assert ".csv" not in told and "line" not in told


# --- QA31: tables named in another case, an empty accelerometer table, BLOB values --------------------------------


def test_tables_named_in_another_case_read_as_the_apps(tmp_path: Path) -> None:
    """SQLite's names are case-blind (``SELECT * FROM Accelerometer`` reads a table ``accelerometer``): so is this."""
    files = _android_export()
    plain = ex.sensor_logger_sqlite(files, tmp_path / "walk.sqlite")
    lower = ex.sensor_logger_sqlite({n.lower(): t for n, t in files.items()}, tmp_path / "lower.sqlite")
    from_lower = ingest.load(lower)
    assert_same_recording(ingest.load(plain), from_lower)
    assert from_lower.source["acc_source"] == "TotalAcceleration.csv"
    assert from_lower.source["platform"] == "android"  # its metadata table was read too


def test_an_empty_total_acceleration_table_leaves_the_accelerometer_and_gravity_tables_to_read(tmp_path: Path) -> None:
    """A sensor turned on that logged nothing leaves a table without rows: the export's next choice is read, as an
    empty TotalAcceleration.csv in a zip leaves Accelerometer.csv + Gravity.csv to read."""
    files = ex.sensor_logger_ios(ex.signal(duration_s=5.0), kind="gravity")
    plain = ex.sensor_logger_sqlite(files, tmp_path / "walk.sqlite")
    with_empty = {"TotalAcceleration.csv": ex.SL_AXIS_HEADER + "\n", **files}
    db = ex.sensor_logger_sqlite(with_empty, tmp_path / "empty-total.sqlite")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM TotalAcceleration").fetchone()[0] == 0
    conn.close()
    rec = ingest.load(db)
    assert rec.source["acc_source"] == "Accelerometer.csv+Gravity.csv"
    assert_same_recording(ingest.load(plain), rec)


@pytest.mark.parametrize("empty", ["", ex.SL_AXIS_HEADER + "\n"], ids=["0 bytes", "header only"])
def test_an_empty_total_acceleration_csv_leaves_the_accelerometer_and_gravity_files_to_read(
    tmp_path: Path, empty: str
) -> None:
    """The CSV export as its SQLite export: a TotalAcceleration.csv without samples (empty, or its header alone)
    leaves Accelerometer.csv + Gravity.csv to read; alone it is said to hold no samples."""
    files = ex.sensor_logger_ios(ex.signal(duration_s=5.0), kind="gravity")
    plain = ex.write_files(tmp_path / "plain", files, as_zip=True)
    with_empty = ex.write_files(tmp_path / "empty-total", {"TotalAcceleration.csv": empty, **files}, as_zip=True)
    rec = ingest.load(with_empty)
    assert rec.source["acc_source"] == "Accelerometer.csv+Gravity.csv"
    assert_same_recording(ingest.load(plain), rec)
    if not empty:
        return  # a 0-byte file alone leaves no header to know the export by (read as a generic CSV)
    alone = ex.write_files(
        tmp_path / "alone", {"TotalAcceleration.csv": empty, "Metadata.csv": files["Metadata.csv"]}, as_zip=True
    )
    with pytest.raises(IngestError) as err:
        ingest.load(alone)
    assert "(TotalAcceleration.csv holds no samples)" in str(err.value), str(err.value)


def test_a_database_whose_accelerometer_table_is_empty_says_so(tmp_path: Path) -> None:
    files = {"TotalAcceleration.csv": ex.SL_AXIS_HEADER + "\n", "Metadata.csv": _android_export()["Metadata.csv"]}
    db = ex.sensor_logger_sqlite(files, tmp_path / "empty.sqlite")
    with pytest.raises(IngestError) as err:
        ingest.load(db)
    assert err.value.reason == "no_accelerometer", str(err.value)
    assert "empty.sqlite: this SQLite database holds TotalAcceleration (no rows), Metadata: none of" in str(err.value)
    assert (
        "accelerometer tables (TotalAcceleration, Accelerometer, AccelerometerUncalibrated, WristMotion) with "
        "samples" in str(err.value)
    )


def test_values_stored_as_blobs_read_as_the_text_they_hold(tmp_path: Path) -> None:
    """A value some SQLite library stored as bytes reads as the text it holds, not as Python's b'...'."""
    files = _android_export()
    plain = ex.sensor_logger_sqlite(files, tmp_path / "walk.sqlite", as_text=True)
    blobs = ex.sensor_logger_sqlite(files, tmp_path / "blobs.sqlite", as_text=True)
    with sqlite3.connect(blobs) as conn:
        conn.execute("UPDATE TotalAcceleration SET time = CAST(time AS BLOB), z = CAST(z AS BLOB)")
        assert conn.execute("SELECT typeof(z) FROM TotalAcceleration LIMIT 1").fetchone()[0] == "blob"
    conn.close()
    assert_same_recording(ingest.load(plain), ingest.load(blobs))
