"""phyphox's Excel export (.xlsx, the first of its export formats on Android and iOS) reads as its CSV export does.

The workbooks are written as phyphox's own Excel writer lays them out (DataExport.ExcelFormat, phyphox-android):
one sheet per export set named as the set (the CSV export's file name without ".csv"), a header row of text cells,
number cells, "NaN" text cells padding a shorter column, then the sheets "Metadata Device" (property, value) and
"Metadata Time" (event, experiment time, system time, system time text). Real exports in ../shared/data/dev are
rewritten so, and each must read as the CSV export it came from.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest

import ingest
from ingest import IngestError
from tests.ingest import exports as ex
from tests.ingest.test_qa19_phone_exports import PHONE as PHONE_EXPORTS


def read_export(folder: Path) -> dict[str, str]:
    """A phyphox export folder's CSV files (name relative to the folder -> text)."""
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*.csv"))
        if p.is_file()
    }


def assert_same_recording(a: ingest.Recording, b: ingest.Recording) -> None:
    """The same samples (to the digits a workbook or JSON keeps) and the same facts of the recording."""
    np.testing.assert_allclose(a.time_s, b.time_s, rtol=0, atol=1e-9)
    np.testing.assert_allclose(a.acc_ms2, b.acc_ms2, rtol=1e-9, atol=1e-9)
    if a.gyr_dps is None:
        assert b.gyr_dps is None
    else:
        np.testing.assert_allclose(a.gyr_dps, b.gyr_dps, rtol=1e-9, atol=1e-9)
    for key in ("format", "acc_source", "pauses", "start_epoch_s", "app_version", "device", "platform"):
        assert a.source.get(key) == b.source.get(key), key


@pytest.mark.shared
@pytest.mark.parametrize(
    "export",
    [
        "phyphox_misc_adtngrha",
        "phyphox_linear_acc_plus_gps_walks/t2koan07",
        "phyphox_acceleration_without_g_iphone",
        "phyphox_acc_gyro_dfb_lab",
    ],
)
def test_a_real_export_reads_the_same_from_its_excel_file(tmp_path: Path, export: str) -> None:
    folder = PHONE_EXPORTS / export
    if not folder.is_dir():
        pytest.skip(f"{folder} is not here (../shared/data/dev)")
    files = read_export(folder)
    book = ex.phyphox_workbook(files, tmp_path / "Accelerometer 2024-05-01 10-00-00.xlsx")
    try:
        from_csv = ingest.load(folder, placement="pocket")
    except IngestError as exc:
        with pytest.raises(IngestError) as same:
            ingest.load(book, placement="pocket")
        # refused for the same reason, said of the workbook
        assert same.value.reason == exc.reason and book.name in str(same.value)
        return
    from_book = ingest.load(book, placement="pocket")
    assert_same_recording(from_csv, from_book)
    assert from_book.source["file"] == book.name
    if from_csv.gps is not None:
        np.testing.assert_allclose(from_book.gps.lat_deg, from_csv.gps.lat_deg)


def test_gyroscope_sheet_with_nan_padding(tmp_path: Path) -> None:
    sig = ex.signal(duration_s=5)
    gyr = ex.phyphox_csv(sig.time_s, np.radians(sig.gyr_dps), ex.PER_SENSOR_GYR)
    lines = gyr.splitlines()
    # a buffer two samples shorter than the other columns' sheet is padded with "NaN" text cells at its end
    gyr = "\n".join([*lines[:-2], *["NaN,NaN,NaN,NaN"] * 2]) + "\n"
    files = {"Accelerometer.csv": ex.phyphox_csv(sig.time_s, sig.acc_ms2, ex.PER_SENSOR_ACC), "Gyroscope.csv": gyr}
    rec = ingest.load(ex.phyphox_workbook(files, tmp_path / "walk.xlsx"))
    assert rec.gyr_dps is not None
    n = len(sig.time_s) - 2
    np.testing.assert_allclose(rec.gyr_dps[: n - 1], sig.gyr_dps[: n - 1], rtol=1e-7, atol=1e-6)


def gait_csv_workbook(sig: ex.Signal, title: str) -> openpyxl.Workbook:
    """A workbook of one sheet, ``title``, holding ``sig`` as gait CSV's columns (a gait CSV saved in Excel)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(["time_s", "acc_x_ms2", "acc_y_ms2", "acc_z_ms2"])
    for t, (x, y, z) in zip(sig.time_s, sig.acc_ms2, strict=True):
        sheet.append([float(t), float(x), float(y), float(z)])
    return book


def test_a_gait_csv_saved_as_a_workbook_reads_as_the_gait_csv(tmp_path: Path) -> None:
    sig = ex.signal(duration_s=5)
    book = gait_csv_workbook(sig, "walk")
    book.create_sheet("notes")  # an empty second sheet: no recording, left out
    book.save(tmp_path / "walk.xlsx")
    rec = ingest.load(tmp_path / "walk.xlsx", placement="lower_back")
    assert rec.source["format"] == "gait_csv"
    # a workbook keeps 15 significant digits (openpyxl writes them so, as Excel does)
    np.testing.assert_allclose(rec.acc_ms2, sig.acc_ms2, rtol=1e-13, atol=0)
    np.testing.assert_allclose(rec.time_s, sig.time_s, rtol=1e-13, atol=0)


def test_a_damaged_workbook_is_said_so(tmp_path: Path) -> None:
    sig = ex.signal()
    good = ex.phyphox_workbook(
        {"Raw Data.csv": ex.phyphox_csv(sig.time_s, sig.acc_ms2, ex.RAW_WITH_G)}, tmp_path / "g.xlsx"
    )
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(damaged, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, data[: len(data) // 2] if info.filename == "xl/workbook.xml" else data)
    with pytest.raises(IngestError) as err:
        ingest.load(damaged)
    assert err.value.reason == "bad_workbook"
    assert "damaged.xlsx" in str(err.value) and "save the sheet with the samples as CSV" in str(err.value)


def _compound_file(*streams: str) -> bytes:
    """The start of a Microsoft compound file (an .xls, or an encrypted .xlsx) whose directory names ``streams``:
    its 512-byte header, then directory entries of 128 bytes, each a UTF-16 name."""
    header = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)
    entries = b"".join(
        ("Root Entry", *streams)[i].encode("utf-16-le").ljust(128, b"\0") for i in range(len(streams) + 1)
    )
    return header + entries + bytes(4096)


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        # phyphox before its .xlsx writers exported Excel with Apache POI's HSSFWorkbook: an .xls
        ("phyphox 2019-05-01.xls", _compound_file("Workbook", "\x05SummaryInformation"), "the old .xls format"),
        ("walk.xlsx", _compound_file("EncryptionInfo", "EncryptedPackage"), "a password-protected Office document"),
    ],
)
def test_an_old_or_locked_workbook_says_how_to_save_it(tmp_path: Path, name: str, content: bytes, said: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError) as err:
        ingest.load(path)
    assert str(err.value).startswith(f"{name}: this is ") and said in str(err.value)
    assert "save it as an Excel workbook (.xlsx) or save the sheet with the samples as CSV" in str(err.value)
    assert "not a sensor recording" not in str(err.value)


def test_an_opendocument_spreadsheet_says_how_to_save_it(tmp_path: Path) -> None:
    path = tmp_path / "walk.ods"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
        zf.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    with pytest.raises(IngestError) as err:
        ingest.load(path)
    assert str(err.value).startswith("walk.ods: this is an OpenDocument spreadsheet (.ods), which is not read here")
    assert "holds no recording" not in str(err.value)


def test_a_sheet_with_a_merged_title_above_its_header_reads_as_without(tmp_path: Path) -> None:
    """A title typed above the header and merged across the columns (saved as 'My walk,,,') is no second header
    line naming sensors: the table under it is read, as the same table without the title."""
    sig = ex.signal(duration_s=5)
    header = ["time_s", "acc_x_ms2", "acc_y_ms2", "acc_z_ms2"]
    rows = [[float(t), float(x), float(y), float(z)] for t, (x, y, z) in zip(sig.time_s, sig.acc_ms2, strict=True)]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["My walk, 1 May"])
    sheet.merge_cells("A1:D1")
    for row in [header, *rows]:
        sheet.append(row)
    book.save(tmp_path / "titled.xlsx")
    plain = tmp_path / "plain.csv"
    plain.write_text("\n".join(",".join(map(str, r)) for r in [header, *rows]) + "\n")
    titled_csv = tmp_path / "titled.csv"
    titled_csv.write_text('"My walk, 1 May",,,\n' + plain.read_text())
    expected = ingest.load(plain, placement="lower_back")
    for titled in (tmp_path / "titled.xlsx", titled_csv):
        rec = ingest.load(titled, placement="lower_back")
        np.testing.assert_allclose(rec.acc_ms2, expected.acc_ms2, rtol=1e-13)
        np.testing.assert_allclose(rec.time_s, expected.time_s, rtol=1e-13)


def test_a_workbook_written_by_phyphox_s_own_xlsx_writer_reads_as_its_csv_export(tmp_path: Path) -> None:
    """phyphox-android now writes its Excel export with its own minimal writer (no cell references, inline strings,
    Java's number text, the workbook parts last), not with a library as :func:`ex.phyphox_workbook` does."""
    sig = ex.signal(duration_s=8)
    gyr = ex.phyphox_csv(sig.time_s, np.radians(sig.gyr_dps), ex.PER_SENSOR_GYR).splitlines()
    files = {
        "Accelerometer.csv": ex.phyphox_csv(sig.time_s, sig.acc_ms2, ex.PER_SENSOR_ACC),
        "Gyroscope.csv": "\n".join([*gyr[:-3], *["NaN,NaN,NaN,NaN"] * 3]) + "\n",
        "meta/device.csv": '"property","value"\n"version","1.1.16"\n"deviceModel","Pixel 7"\n',
        "meta/time.csv": ex.phyphox_time_csv(
            [
                ("START", 0.0, 1.7e9),
                ("PAUSE", 4.0, 1.7e9 + 4.0),
                ("START", 4.0, 1.7e9 + 34.0),
                ("PAUSE", 8.0, 1.7e9 + 38),
            ]
        ),
    }
    folder = ex.write_files(tmp_path / "csv", files, as_zip=False)
    book = ex.phyphox_xlsx_writer(files, tmp_path / "Acceleration with g 2023-11-14 22-13-20.xlsx")
    with zipfile.ZipFile(book) as zf:
        assert ' r="' not in zf.read("xl/worksheets/sheet1.xml").decode()  # as phyphox writes it
    from_csv, from_book = ingest.load(folder, placement="pocket"), ingest.load(book, placement="pocket")
    assert_same_recording(from_csv, from_book)
    assert from_book.source["pauses"] == [{"start_s": 4.0, "duration_s": 30.0}]


@pytest.mark.parametrize(("cell", "said"), [("abc", "('abc' on row {n})"), (None, "the first on row {n} ")])
def test_a_bad_cell_of_a_workbook_is_named_by_its_sheet_and_row(tmp_path: Path, cell: str | None, said: str) -> None:
    """The message names the sheet and row the user sees in a spreadsheet, not a line of a CSV file made of it."""
    book = gait_csv_workbook(ex.signal(duration_s=5), "my walk")
    book.active.cell(row=123, column=3).value = cell
    book.save(tmp_path / "walk.xlsx")
    if cell is not None:
        with pytest.raises(IngestError) as err:
            ingest.load(tmp_path / "walk.xlsx", placement="lower_back")
        told = str(err.value)
    else:  # an empty cell: the row is dropped with a note
        rec = ingest.load(tmp_path / "walk.xlsx", placement="lower_back")
        told = next(note for note in rec.source["notes"] if "dropped" in note)
        assert rec.source["file"] == "sheet 'my walk' of walk.xlsx"
    assert told.startswith("sheet 'my walk' of walk.xlsx: ")
    assert said.format(n=123) in told
    assert ".csv" not in told and "line" not in told
