"""Bad input: every case ends in an IngestError whose message says what is wrong and what to do."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

import ingest
from ingest import IngestError
from ingest.archive import RATIO_CHECK_MIN_BYTES
from tests.ingest import exports as ex

GOOD_ROWS = "\n".join(f"{i / 100},0.1,0.2,9.8" for i in range(300))


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_truncated_zip(tmp_path: Path) -> None:
    good = ex.write_files(tmp_path / "rec", ex.sensor_logger_android(ex.signal(), gps=False), as_zip=True)
    data = good.read_bytes()
    bad = write(tmp_path, "cut.zip", data[: len(data) * 2 // 3])
    with pytest.raises(IngestError, match="copy the export from the phone again") as err:
        ingest.load(bad)
    assert err.value.reason == "bad_zip"


def test_zip_with_damaged_member(tmp_path: Path) -> None:
    good = ex.write_files(tmp_path / "rec", ex.sensor_logger_android(ex.signal(), gps=False), as_zip=True)
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("TotalAcceleration.csv")
    start = info.header_offset + 30 + len(info.filename) + 10
    data[start : start + 40] = b"\xff" * 40  # corrupt the deflate stream; the central directory stays intact
    bad = write(tmp_path, "corrupt.zip", bytes(data))
    with pytest.raises(IngestError, match="damaged") as err:
        ingest.load(bad)
    assert err.value.reason == "bad_zip"


def test_zip_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("TotalAcceleration.csv", b"0" * (8 * RATIO_CHECK_MIN_BYTES))  # ratio about 1000:1
    with pytest.raises(IngestError, match="refusing to unpack") as err:
        ingest.load(path)
    assert err.value.reason == "zip_bomb"


@pytest.mark.parametrize("name", ["../evil.csv", "/etc/passwd", "a/../../b.csv", "C:\\win.csv"])
def test_path_traversal_names(tmp_path: Path, name: str) -> None:
    path = tmp_path / "slip.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("TotalAcceleration.csv", ex.sl_axis_csv(np.arange(3) / 100, np.ones((3, 3))))
        zf.writestr(name, "x")
    with pytest.raises(IngestError, match="unsafe file name") as err:
        ingest.load(path)
    assert err.value.reason == "unsafe_zip"


def test_wrong_separators(tmp_path: Path) -> None:
    # Header written with commas, data with semicolons (an edited export).
    rows = "\n".join(f"{i / 100};0,1;0,2;9,8" for i in range(300))
    path = write(tmp_path, "g.csv", "time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2\n" + rows)
    with pytest.raises(IngestError, match="different separators") as err:
        ingest.load(path)
    assert err.value.reason == "wrong_separators"


def test_missing_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "g.csv", "time_s,acc_x_ms2,acc_y_ms2\n" + "\n".join(f"{i},1,2" for i in range(50)))
    with pytest.raises(IngestError, match="missing columns") as err:
        ingest.load(path)
    assert err.value.reason == "missing_columns"
    # it says which axes it did find (it read as if x and y were missing too)
    assert "x, y, z acceleration (only x, y)" in str(err.value), err.value


def test_missing_column_in_forced_gait_csv(tmp_path: Path) -> None:
    path = write(tmp_path, "g.csv", "time_s,acc_x_ms2,acc_y_ms2\n" + "\n".join(f"{i},1,2" for i in range(50)))
    with pytest.raises(IngestError, match=r"acc_z_ms2.*time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2"):
        ingest.load(path, format="gait_csv")


def test_mixed_units(tmp_path: Path) -> None:
    header = "time (s),x (g),y (m/s^2),z (g)\n"
    path = write(tmp_path, "m.csv", header + "\n".join(f"{i / 100},0.01,0.2,1.0" for i in range(300)))
    with pytest.raises(IngestError, match="different units") as err:
        ingest.load(path)
    assert err.value.reason == "mixed_units"


def test_non_utf8_bytes(tmp_path: Path) -> None:
    path = write(
        tmp_path, "latin.csv", "time (s),x (m/s\xb2),y (m/s\xb2),z (m/s\xb2)\n".encode("latin-1") + b"0,1,2,3\n"
    )
    with pytest.raises(IngestError, match="not UTF-8") as err:
        ingest.load(path)
    assert err.value.reason == "not_utf8"


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("screenshot.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "a PNG image"),
        ("photo.csv", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64), "a JPEG image"),
        ("IMG_0001.csv", b"\x00\x00\x00\x18ftypheic" + bytes(64), "a HEIC photo"),
        ("report.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(64), "a PDF document"),
    ],
)
def test_a_picture_or_document_picked_by_mistake_is_named(tmp_path: Path, name: str, content: bytes, kind: str) -> None:
    """A screenshot of the app or a photo picked instead of the export: say what the file is, not 'byte 0 is not
    UTF-8 text'."""
    with pytest.raises(IngestError) as err:
        ingest.load(write(tmp_path, name, content))
    assert f"this is {kind}, not a sensor recording" in str(err.value) and "UTF-8" not in str(err.value)


def test_utf16_text(tmp_path: Path) -> None:
    path = write(tmp_path, "u16.csv", ("time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2\n" + GOOD_ROWS).encode("utf-16"))
    with pytest.raises(IngestError, match="CSV UTF-8"):
        ingest.load(path)


def test_exact_duplicate_rows_are_dropped(tmp_path: Path) -> None:
    lines = [f"{i / 100},0.1,0.2,9.8" for i in range(300)]
    lines.insert(100, lines[100])
    rec = ingest.load(write(tmp_path, "d.csv", "time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2\n" + "\n".join(lines)))
    assert rec.n_samples == 300
    assert any("dropped 1 row repeating the row before exactly" in n for n in rec.source["notes"])  # and said so


def test_an_isolated_conflicting_duplicate_time_stamp_is_merged(tmp_path: Path) -> None:
    lines = [f"{i / 100},0.1,0.2,9.8" for i in range(300)]
    lines.insert(100, "0.99,5,5,5")
    path = write(tmp_path, "d.csv", "time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2\n" + "\n".join(lines))
    # one glitch in 301 rows: the two samples sharing 0.99 s become their mean, and the note says so
    rec = ingest.load(path)
    assert rec.n_samples == 300
    np.testing.assert_allclose(rec.acc_ms2[99], [(0.1 + 5) / 2, (0.2 + 5) / 2, (9.8 + 5) / 2])
    assert any("1 time stamp repeated with different values" in n for n in rec.source["notes"])


def test_small_jitter_backwards_is_sorted(tmp_path: Path) -> None:
    lines = [f"{i / 100},{i / 1000},0.2,9.8" for i in range(300)]
    lines[50], lines[51] = lines[51], lines[50]
    rec = ingest.load(write(tmp_path, "j.csv", "time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2\n" + "\n".join(lines)))
    np.testing.assert_array_equal(rec.acc_ms2[:, 0], np.arange(300) / 1000)
    # sorted, and said: the user sees the file had rows out of order, and where (row 51 is line 53 after the header)
    (note,) = [n for n in rec.source.get("notes", []) if "went back" in n]
    assert "1 time stamp" in note and "line 53" in note and "sorted by time" in note, note


def test_clock_reset_backwards_is_refused(tmp_path: Path) -> None:
    lines = [f"{i / 100},0.1,0.2,9.8" for i in range(300)] + [f"{i / 100 + 0.005},0.1,0.2,9.8" for i in range(300)]
    path = write(tmp_path, "r.csv", "time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2\n" + "\n".join(lines))
    with pytest.raises(IngestError, match="time goes back") as err:
        ingest.load(path)
    assert err.value.reason == "time_backwards"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.csv", b"", "empty"),
        ("blank.csv", b"\n\n  \n", "empty"),
        ("header.csv", b"time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2\n", "empty"),
        ("TotalAcceleration.csv", b"time,seconds_elapsed,z,y,x\n", "empty"),
    ],
)
def test_empty_files(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    with pytest.raises(IngestError) as err:
        ingest.load(write(tmp_path, name, content))
    assert err.value.reason == reason


def test_empty_zip(tmp_path: Path) -> None:
    path = tmp_path / "e.zip"
    with zipfile.ZipFile(path, "w"):
        pass
    # nothing in it: said so, not "cannot tell which file" (there is none to choose)
    with pytest.raises(IngestError, match="the zip holds no recording: it is empty; upload the sensor app") as err:
        ingest.load(path)
    assert "on its own" not in str(err.value) and err.value.reason == "no_recording"


def test_apple_health_export_is_not_a_recording(tmp_path: Path) -> None:
    path = write(tmp_path, "export.xml", '<?xml version="1.0"?>\n<HealthData locale="en_US"></HealthData>\n')
    with pytest.raises(IngestError, match=r"Apple Health export.*upload it on the dashboard's Upload page") as err:
        ingest.load(path)
    assert err.value.reason == "summary_export"


def test_unknown_format_name(tmp_path: Path) -> None:
    path = write(tmp_path, "g.csv", "time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2\n" + GOOD_ROWS)
    with pytest.raises(IngestError, match=r"unknown format 'nope'.*sensor_logger"):
        ingest.load(path, format="nope")


def test_missing_path() -> None:
    with pytest.raises(FileNotFoundError):
        ingest.load("/nonexistent/recording.zip")


def test_json_export_is_explained(tmp_path: Path) -> None:
    path = write(tmp_path, "rec.json", '[{"sensor": "Accelerometer", "time": "1", "x": "0.1"}]')
    with pytest.raises(IngestError, match="JSON export") as err:
        ingest.load(path)
    assert err.value.reason == "unsupported_format"


def test_excel_workbook_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "Raw Data.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    with pytest.raises(IngestError, match="save the sheet as CSV"):
        ingest.load(path)


def test_partial_last_line_of_a_cut_off_recording_is_dropped(tmp_path: Path) -> None:
    sig = ex.signal()
    text = ex.sl_axis_csv(sig.time_s, sig.acc_ms2)
    cut = text[: text.rstrip().rfind(",")]  # the last line loses its x value
    rec = ingest.load(write(tmp_path, "TotalAcceleration.csv", cut))
    assert rec.n_samples == len(sig.time_s) - 1
    last_line = len(sig.time_s) + 1  # after the header line
    assert any(f"(line {last_line}) was incomplete" in note for note in rec.source["notes"])


@pytest.mark.parametrize("left", ["-", "-0.", "1e", "."])
def test_a_cut_that_leaves_no_number_is_dropped_like_any_cut(tmp_path: Path, left: str) -> None:
    """A cut just after a minus sign (or an exponent's e) leaves text, not a number: still a cut-off line."""
    lines = [f"{i / 100},0.1,0.2,9.8" for i in range(300)]
    path = write(tmp_path, "g.csv", "time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2\n" + "\n".join(lines) + f"\n3.0,{left}")
    rec = ingest.load(path)
    assert rec.n_samples == 300
    assert any("(line 302) was incomplete" in note for note in rec.source["notes"]), rec.source.get("notes")


def test_text_in_a_complete_row_is_still_refused_when_the_last_line_is_cut(tmp_path: Path) -> None:
    lines = [f"{i / 100},0.1,0.2,9.8" for i in range(300)]
    lines[10] = "0.1,0.1,oops,9.8"
    path = write(tmp_path, "g.csv", "time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2\n" + "\n".join(lines) + "\n3.0,-")
    with pytest.raises(IngestError, match="'oops' on line 12") as err:
        ingest.load(path)
    assert err.value.reason == "non_numeric"


def test_a_missing_value_inside_the_data_drops_its_row_and_says_so(tmp_path: Path) -> None:
    lines = [f"{i / 100},0.1,0.2,9.8" for i in range(300)]
    lines[100] = "1.0,0.1,,9.8"
    path = write(tmp_path, "g.csv", "time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2\n" + "\n".join(lines))
    rec = ingest.load(path)
    assert rec.n_samples == 299
    assert any("dropped 1 row with a missing" in n and "first on line 102" in n for n in rec.source["notes"])


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_windows_and_old_mac_line_ends(tmp_path: Path, newline: str) -> None:
    lines = ["time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2", *(f"{i / 100},0.1,0.2,9.8" for i in range(300))]
    rec = ingest.load(write(tmp_path, "g.csv", newline.join(lines) + newline))
    assert rec.n_samples == 300


def _first_remedy_is_in_the_file(message: str) -> bool:
    """Whether a message's first remedy is something a dashboard user can do too (edit or pick the file): a flag of
    the command line comes only after it."""
    first_flag = message.find("--")
    return first_flag == -1 or "command line" in message[:first_flag]


def test_unit_and_column_messages_lead_with_what_a_dashboard_user_can_do(tmp_path: Path) -> None:
    # The same messages reach the Upload page, which has no flags: the file-level remedy comes first.
    unknown_time = tmp_path / "x.csv"
    rows = "".join(f"{i * 50_000_000_000},0.1,0.2,9.8\n" for i in range(500))  # time steps of no known unit
    unknown_time.write_text("time,acc_x,acc_y,acc_z\n" + rows)
    no_acc = tmp_path / "y.csv"
    no_acc.write_text("time_s,foo,bar\n0,1,2\n0.01,1,2\n")
    folder = tmp_path / "two"
    folder.mkdir()
    for name in ("a.csv", "b.csv"):  # tables of no format we know by its header: either might be the recording
        (folder / name).write_text("t,ax,ay,az\n0,0,0,9.8\n")
    for path, reason, remedy in [
        (unknown_time, "unknown_units", "name the column with its unit, e.g. 'time_s'"),
        (no_acc, "missing_columns", "Name the columns in the header"),
        (folder, "ambiguous", "upload that one file on its own"),
    ]:
        with pytest.raises(IngestError) as err:
            ingest.load(path, placement="lower_back")
        assert err.value.reason == reason
        assert remedy in str(err.value) and _first_remedy_is_in_the_file(str(err.value)), str(err.value)
        if reason == "missing_columns":  # a unit flag cannot make up a missing column: none is offered
            assert "--acc-unit" not in str(err.value)


def test_a_folder_of_two_tables_is_not_told_to_name_a_format_that_cannot_choose(tmp_path: Path) -> None:
    folder = tmp_path / "two"
    folder.mkdir()
    for name in ("a.csv", "b.csv"):
        (folder / name).write_text("t,ax,ay,az\n0,0,0,9.8\n")
    with pytest.raises(IngestError) as detected:
        ingest.load(folder)
    # no format's file name picks one of two generic tables: --format would not help, so it is not offered
    assert detected.value.reason == "ambiguous" and "--format" not in str(detected.value)
    with pytest.raises(IngestError) as forced:
        ingest.load(folder, format="generic_csv")
    assert forced.value.reason == "ambiguous" and "--format" not in str(forced.value), str(forced.value)


def test_a_numpy_archive_is_named_as_such(tmp_path: Path) -> None:
    npz = tmp_path / "walk.npz"
    np.savez(npz, time=np.arange(10.0), accel=np.zeros((10, 3)))
    with pytest.raises(IngestError) as err:
        ingest.load(npz)
    assert err.value.reason == "unsupported_format"
    assert "NumPy archive" in str(err.value) and "gait CSV" in str(err.value), str(err.value)
