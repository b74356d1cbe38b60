"""Pick the right reader for a file, folder or zip and return a Recording: the one entry point for file input."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from gait.types import Placement, Recording
from ingest import apple_health, csv_formats, gait_csv, metabase, phyphox, sensor_logger, sensorlog
from ingest.archive import Bundle, is_workbook, open_bundle, open_workbook
from ingest.common import FormatInfo
from ingest.errors import IngestError
from ingest.table import head_lines

_DATA_SUFFIXES = (".csv", ".csv.gz", ".txt", ".tsv", ".gz")
_NOT_DATA_NAME = re.compile(
    r"^(read[ _.-]?me|licen[cs]e|copying|notice|notes?|changelog|changes|authors|citation|about|manifest)([ _.-]|$)"
    r"|read[ _-]?me",
    re.IGNORECASE,
)
"""Names of the files an export or a dataset's zip carries beside its data: read-mes, licences, notes. Such a file
is never the recording (a read-me's text would read as a table's header with no rows)."""


def is_not_data(name: str) -> bool:
    """Whether a file in a zip or folder is a read-me, licence or notes file by its name (not a recording).

    Examples
    --------
    >>> [is_not_data(n) for n in ("README.txt", "walk/ReadMe.md", "LICENSE", "notes.txt", "readings.csv")]
    [True, True, True, True, False]
    """
    return bool(_NOT_DATA_NAME.search(name.rsplit("/", 1)[-1]))


_TIME_G_HEADER = (
    "keep the time and the three acceleration columns (in g) under the header line time,acc_x_g,acc_y_g,acc_z_g "
    "and load that CSV"
)
_RAW_DEVICE_FILES: dict[str, tuple[str, str]] = {
    "geneactiv_bin": (
        "a GENEActiv binary file (.bin)",
        "open it in the GENEActiv PC software and use 'Convert to CSV' (raw data), then load the CSV",
    ),
    "gt3x": (
        "an ActiGraph .gt3x file",
        "export its raw data from ActiLife with 'Export to CSV' (with time stamps), or read it with the pygt3x Python "
        f"package, then {_TIME_G_HEADER}",
    ),
    "cwa": (
        "an Axivity .cwa file",
        f"open it in Axivity's OmGui and use 'Export raw CSV', then {_TIME_G_HEADER}",
    ),
}
"""(what the file is, how to convert it) for a wearable's own binary recording, which no reader reads: the device
makers' software converts it to CSV."""


def raw_device_file(bundle: Bundle) -> str | None:
    """Which wearable's own binary recording ``bundle`` is (a key of :data:`_RAW_DEVICE_FILES`), or None.

    Told by the content, whatever the file is called: a GENEActiv .bin is text beginning 'Device Identity' with
    'key:value' lines (its CSV export has 'key,value'); a .gt3x is a zip of info.txt and log.bin (activity.bin in
    the old format); a .cwa begins with 'MD' and its header's length, 1020 (or 'MD' in a file called .cwa).
    """
    names = {n.lower() for n in bundle.names}
    if bundle.kind != "file":
        return "gt3x" if "info.txt" in names and names & {"log.bin", "activity.bin"} else None
    name = bundle.names[0]
    head = bundle.head(name, 512)
    if head[:2] == b"MD" and (head[2:4] == b"\xfc\x03" or name.lower().endswith(".cwa")):
        return "cwa"
    lines = head.lstrip(b"\xef\xbb\xbf").splitlines()
    if len(lines) > 1 and lines[0].strip() == b"Device Identity" and b"," not in lines[1]:
        return "geneactiv_bin"
    return None


def refuse_raw_device_file(bundle: Bundle) -> None:
    """Raise :class:`IngestError` (``"raw_device_file"``) naming the device format and how to convert it, when
    ``bundle`` is a wearable's own binary recording (see :func:`raw_device_file`)."""
    kind = raw_device_file(bundle)
    if kind is not None:
        what, how = _RAW_DEVICE_FILES[kind]
        raise IngestError(
            f"{bundle.label}: this is {what}, the sensor's own recording, which is not read here; {how}",
            reason="raw_device_file",
        )


_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""Microsoft's compound file: an old-format Office document (.xls, .doc), or an encrypted Office Open XML one."""


def office_document(bundle: Bundle, path: Path) -> str | None:
    """What ``bundle`` (opened from ``path``) is when it is a spreadsheet in a form not read here (an old-format
    Excel workbook, a password-protected one, an OpenDocument spreadsheet), else None.

    Old phyphox versions wrote their Excel export as .xls (Apache POI's HSSFWorkbook), so that is said as a phyphox
    export may be; a compound file's directory names its streams (UTF-16), at its start or at its end.
    """
    if bundle.kind == "zip":
        name = bundle.find("mimetype")
        if name is None:
            return None
        kind = bundle.head(name, 200).strip()
        if kind.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            return "an OpenDocument spreadsheet (.ods)"
        if kind.startswith(b"application/vnd.oasis.opendocument"):
            return "an OpenDocument file (LibreOffice or OpenOffice), not a recording"
        return None
    if bundle.kind != "file" or bundle.head(bundle.names[0], len(_CFB_MAGIC)) != _CFB_MAGIC:
        return None
    try:
        with path.open("rb") as fh:
            start = fh.read(64 * 1024)
            fh.seek(max(0, path.stat().st_size - 64 * 1024))
            end = fh.read()
    except OSError:
        return None
    streams = start + end
    if "EncryptedPackage".encode("utf-16-le") in streams:
        return "a password-protected Office document"
    if "Workbook".encode("utf-16-le") in streams or "Book".encode("utf-16-le") in streams:
        return "an Excel workbook in the old .xls format (as older phyphox versions export)"
    return None


def refuse_office_document(bundle: Bundle, path: Path) -> None:
    """Raise :class:`IngestError` (``"unsupported_format"``) saying what to do, when ``bundle`` is a spreadsheet in a
    form not read here (see :func:`office_document`)."""
    what = office_document(bundle, path)
    if what is None:
        return
    if what.endswith("not a recording"):
        how = "upload the sensor app's export (gait formats lists the apps and their files)"
    else:
        how = (
            "open it in a spreadsheet"
            + (" with its password, remove the password" if "password" in what else "")
            + " and save it as an Excel workbook (.xlsx) or save the sheet with the samples as CSV, or export the "
            "recording from the app as CSV (phyphox: 'CSV (Comma, decimal point)')"
        )
    raise IngestError(f"{bundle.label}: this is {what}, which is not read here; {how}", reason="unsupported_format")


FORMATS: tuple[FormatInfo, ...] = (
    sensor_logger.INFO,
    phyphox.INFO,
    csv_formats.ANDROSENSOR,
    csv_formats.METAWEAR,
    csv_formats.GENEACTIV,
    csv_formats.OXFORD,
    csv_formats.PHYSICS_TOOLBOX,
    sensorlog.INFO,
    gait_csv.INFO,
    csv_formats.GENERIC,
    apple_health.INFO,
)

_SingleReader = Callable[..., Recording]
_SINGLE: dict[str, _SingleReader] = {
    csv_formats.ANDROSENSOR.name: csv_formats.read_androsensor,
    csv_formats.METAWEAR.name: csv_formats.read_metawear,
    csv_formats.GENEACTIV.name: csv_formats.read_geneactiv,
    csv_formats.OXFORD.name: csv_formats.read_oxford,
    csv_formats.PHYSICS_TOOLBOX.name: csv_formats.read_physics_toolbox,
    sensorlog.INFO.name: sensorlog.read,
}


def list_formats() -> list[FormatInfo]:
    """Return every supported input format with its patterns and the app versions it was checked against."""
    return list(FORMATS)


def is_phone_recording(recording: Recording) -> bool:
    """Whether ``recording`` was read from a phone app's export (see :attr:`FormatInfo.phone`)."""
    return recording.source.get("format") in {f.name for f in FORMATS if f.phone}


_HEALTH_NAMES = ("export.xml", "export_cda.xml")


def _is_health(bundle: Bundle) -> bool:
    """Whether the bundle is an Apple Health export: its ``export.xml`` at the top (a Health export in a sub-folder
    is one of the recordings a parent folder holds, see :func:`focus`), or a single Health XML file."""
    for name in bundle.names:
        if name.lower() in _HEALTH_NAMES:
            return True
        if bundle.kind == "file" and name.lower().endswith(".xml"):
            return b"<HealthData" in bundle.head(name, 64 * 1024)
    return False


def _data_files(bundle: Bundle) -> list[str]:
    if bundle.kind == "file":
        return list(bundle.names)  # whatever it is called, a single file is the recording (or says why not)
    return [n for n in bundle.names if n.lower().endswith(_DATA_SUFFIXES) and bundle.size(n) > 0 and not is_not_data(n)]


def _named_by_format(files: list[str], fmt: str | None) -> list[str]:
    """The files whose base name a format's literal file pattern names (Oxford: ``accelerometer.csv.gz``); with
    ``fmt`` None, those of any format whose patterns single out exactly one file."""
    infos = [f for f in FORMATS if fmt is None or f.name == fmt]
    for info in infos:
        literal = {p.lower() for p in info.patterns if not any(c in p for c in " *<")}
        found = [f for f in files if f.rsplit("/", 1)[-1].lower() in literal]
        if len(found) == 1 or (fmt is not None and found):
            return found
    return []


def _single_file(bundle: Bundle, *, detecting: bool = True, fmt: str | None = None) -> str:
    files = _data_files(bundle)
    named = _named_by_format(files, fmt) if fmt is not None else []
    if len(named) == 1:
        return named[0]
    tables = [f for f in files if not f.lower().endswith(".txt")]  # .txt beside a CSV is usually a read-me
    if len(tables) == 1:
        return tables[0]
    if len(files) == 1:
        return files[0]
    if not files:
        inside = [n.rsplit("/", 1)[-1] for n in bundle.names]
        if inside and all(n.lower().endswith(".npy") for n in inside):
            raise IngestError(
                f"{bundle.label}: a NumPy archive (.npz of {', '.join(inside[:6])}), not a sensor export; write its "
                "time and acceleration as a gait CSV (header time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2, see gait formats) "
                "and load that",
                reason="unsupported_format",
            )
        raise IngestError(_no_recording_message(bundle, inside), reason="no_recording")
    recordings = [f for f in tables if _looks_like_recording(bundle, f)]
    if len(recordings) > 1:
        raise IngestError(
            f"{bundle.label}: holds {len(recordings)} recordings ({', '.join(recordings[:6])}"
            f"{', …' if len(recordings) > 6 else ''}); analyse or upload one recording at a time (each file on its "
            "own)",
            reason="several_recordings",
        )
    if len(recordings) == 1 and all(not _could_be_table(bundle, f) for f in tables if f != recordings[0]):
        # one file in a format known by its content beside files that are no sensor table (Oxford's stepcounter.csv)
        return recordings[0]
    # --format helps only where a format's file name singles one file out
    hint = (
        " (command line: or name the app's format with --format)" if detecting and _named_by_format(files, None) else ""
    )
    raise IngestError(
        f"{bundle.label}: cannot tell which file holds the recording ({', '.join(files[:8])}); load or upload that "
        f"one file on its own{hint}",
        reason="ambiguous",
    )


def _several_message(bundle: Bundle, folders: list[str], zips: list[str]) -> str:
    """What a folder or zip holding several recordings (sub-folders, zips) is told, naming them."""
    listed = ", ".join([*folders, *zips][:8])
    if not folders:
        where = "unzip it and " if bundle.kind == "zip" else ""
        return (
            f"{bundle.label}: holds {len(zips)} zipped recordings ({listed}); {where}analyse or upload each zip on its "
            "own: one recording at a time"
        )
    return (
        f"{bundle.label}: holds several recordings ({listed}); analyse or upload one at a time: one recording's "
        "folder (or that folder zipped), or its zip"
    )


def _mixed_message(bundle: Bundle, tables: list[str], others: list[str]) -> str:
    """What a folder or zip holding a loose table beside another recording's folder or zip is told, naming both."""
    listed = ", ".join([*tables[:4], *others[:4]])
    return (
        f"{bundle.label}: holds several recordings ({listed}): a file beside an export's "
        f"{'zip' if all(o.lower().endswith('.zip') for o in others) else 'folder'}; analyse or upload one at a time "
        "(that file on its own, or the export's zip or folder)"
    )


def _no_recording_message(bundle: Bundle, inside: list[str]) -> str:
    """Why an export with no data file cannot be read: what it holds instead, and what to upload."""
    what = {"zip": "the zip", "folder": "the folder"}.get(bundle.kind, "it")
    empty = {n.rsplit("/", 1)[-1] for n in bundle.names if bundle.size(n) == 0}
    listed = ", ".join(n + (" (empty)" if n in empty else "") for n in inside[:8])
    found = f"found {listed}" if inside else "it is empty"
    zips = [n for n in inside if n.lower().endswith(".zip")]
    if zips:  # several zips are named by focus() as several recordings
        todo = f"unzip it and upload the zip inside ({zips[0]})"
    else:
        todo = (
            "upload the sensor app's CSV export, or a zip of its export folder (gait formats lists the apps and "
            "their files)"
        )
    readme = " (a read-me, licence or notes: not sensor data)" if inside and all(map(is_not_data, inside)) else ""
    return f"{bundle.label}: {what} holds no recording: {found}{readme}; {todo}"


def _could_be_table(bundle: Bundle, name: str) -> bool:
    """Whether a file could hold acceleration samples: its first line names columns (a generic CSV) or it has more
    than three columns (Oxford's ``stepcounter.csv``, headerless time,count,type, has three)."""
    try:
        first = head_lines(bundle.head(name, 64 * 1024), 1, what=name)[0]
    except IngestError:
        return False
    fields = [f for f in re.split(r"[,;\t]", first) if f.strip()]
    return len(fields) > 3 or any(re.search(r"[a-df-z]", f, re.IGNORECASE) for f in fields)


def _looks_like_recording(bundle: Bundle, name: str) -> bool:
    """Whether a table's header is one of a recording format we know by its header (not merely a generic table)."""
    head = bundle.head(name, 64 * 1024)
    return gait_csv.looks_like(head) or sensorlog.looks_like(head) or csv_formats.detect(head, name) is not None


def focus(bundle: Bundle) -> Bundle:
    """Descend into the one folder that holds an export's data files (zips of a parent folder nest them).

    Raises
    ------
    IngestError
        When data files sit in several sibling folders: the upload holds several recordings.
    """
    while bundle.kind != "file":
        if _is_health(bundle):
            # an Apple Health export's summaries are its export.xml; the CSVs in its sub-folders (electrocardiograms
            # of an Apple Watch) are other records, not a recording to descend to
            return bundle
        files = [n for n in _data_files(bundle) if not n.lower().startswith("meta/") and "/meta/" not in n.lower()]
        # a sub-folder holding a Health export.xml is a recording too (its summaries), however few CSVs it has
        health = [n for n in bundle.names if n.count("/") == 1 and n.rsplit("/", 1)[-1].lower() in _HEALTH_NAMES]
        tops = sorted({n.split("/", 1)[0] for n in [*files, *health] if "/" in n})
        zips = [n for n in bundle.names if "/" not in n and n.lower().endswith(".zip")]
        loose = [n for n in files if "/" not in n]
        tables = [n for n in loose if not n.lower().endswith(".txt")]
        if len(tops) + len(zips) > 1 and not tables:
            # recordings side by side (beside a read-me or source note at most): name them, folders and zips
            raise IngestError(_several_message(bundle, tops, zips), reason="several_recordings")
        if tables and (tops or zips):
            # a loose table beside an export's zip or folder: reading the table alone would drop the other
            # recording without a word (a phone export zipped with a CSV of another walk)
            raise IngestError(_mixed_message(bundle, tables, [*tops, *zips]), reason="several_recordings")
        if not tops or loose:
            return bundle
        bundle = bundle.sub(tops[0])
    return bundle


def detect_format(bundle: Bundle) -> str:
    """Name the format of an opened bundle (see :func:`list_formats`), judged from names and headers."""
    if _is_health(bundle):
        return apple_health.INFO.name
    if bundle.find("[Content_Types].xml") is not None:
        raise IngestError(
            f"{bundle.label}: this is an Office document (Word, PowerPoint, or an Excel workbook that cannot be read), "
            "not an app export; open it and save the sheet "
            "as CSV, or export the recording from the app as CSV (phyphox: 'CSV (Comma, decimal point)')",
            reason="unsupported_format",
        )
    if sensor_logger.looks_like(bundle):
        return sensor_logger.INFO.name
    if phyphox.looks_like(bundle):
        return phyphox.INFO.name
    if metabase.looks_like(bundle):
        return csv_formats.METAWEAR.name
    name = _single_file(bundle)
    head = bundle.head(name, 64 * 1024)
    if head.lstrip()[:1] in (b"[", b"{"):
        raise IngestError(
            f"{name}: this is a JSON file, but not Sensor Logger's JSON export (the one JSON export read); export the "
            "recording as CSV instead",
            reason="unsupported_format",
        )
    if gait_csv.looks_like(head):
        return gait_csv.INFO.name
    if sensorlog.looks_like(head):
        return sensorlog.INFO.name
    return csv_formats.detect(head, name) or csv_formats.GENERIC.name


def load(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    placement: Placement | str | None = None,
    acc_unit: str | None = None,
    time_unit: str | None = None,
    rate_hz: float | None = None,
    sensor: str | None = None,
    date_order: str | None = None,
) -> Recording:
    """Load a recording from a phone or sensor export.

    Parameters
    ----------
    path
        A zip, an export folder or a single file (``.csv``, ``.csv.gz``, ``.txt``).
    format
        Force a reader by name (see :func:`list_formats`); detected from the content when None.
    placement
        Where the sensor was worn or carried, stored on the recording.
    acc_unit, time_unit
        Units for generic CSV columns whose header does not state them (``"ms2"``, ``"g"``, ``"mg"``;
        ``"s"``, ``"ms"``, ``"us"``, ``"ns"``).
    rate_hz
        Sampling rate of a generic CSV without a time column: its sample counter (or row order) is timed by it;
        without it, a rate the file states before its header is used, else such a file is refused.
    sensor
        Of a generic CSV holding several sensors' columns under two header lines (gaitmap's 'sensor' over 'axis'),
        the sensor to read; such a file is refused without it (``"sensor_not_chosen"``), naming its sensors.
        ``source["sensor"]`` then names it (:func:`ingest.csv_formats.side_of_sensor` tells its shoe). Another
        format holds one sensor: it is not used there, with a note.
    date_order
        ``"dmy"`` or ``"mdy"``: how a generic CSV writes dates whose day and month could be either way round
        (``05/11/2026``); without it such dates date nothing unless a day above 12 settles the order (see
        :func:`ingest.csv_formats.stamp_format`).

    Returns
    -------
    Recording
        Acceleration in m/s^2 with gravity in the sensor frame (Android sign), gyroscope in deg/s, strictly
        increasing time, ``source`` metadata with format, app, version, device and achieved rate, GPS when present.

    Raises
    ------
    IngestError
        When the input cannot be used; the message says what is wrong and what to do. ``reason`` codes a
        caller may branch on include ``"summary_export"`` (an Apple Health export: call
        :func:`ingest.read_apple_health` instead), ``"gravity_missing"``, ``"units_look_like_g"``,
        ``"units_look_like_mg"``, ``"units_look_like_ms2"`` (a declared unit the data contradicts),
        ``"gyro_units_look_like_rad"``,
        ``"implausible_acceleration"``, ``"no_signal"``, ``"time_not_seconds"``,
        ``"non_finite"``, ``"non_numeric"``, ``"rate_too_low"``, ``"unsafe_zip"``,
        ``"zip_bomb"``, ``"bad_zip"``, ``"missing_columns"``, ``"mixed_units"``, ``"not_utf8"``, ``"empty"``,
        ``"time_backwards"``, ``"time_unit_contradicted"`` (a time column's name declares a unit its spacing
        contradicts), ``"unreadable_time"`` (time stamps in no form read), ``"date_order"`` (``date_order``
        contradicts the dates), ``"duplicate_time"``, ``"several_recordings"``, ``"no_recording"`` (a zip or folder
        holding no data file: only a read-me, another zip...), ``"bad_rate"`` (``rate_hz`` not a positive number),
        ``"sensor_not_chosen"``, ``"raw_device_file"`` (a GENEActiv .bin, ActiGraph .gt3x or Axivity .cwa: convert
        it to CSV with the maker's software), ``"unknown_sensor"`` (``sensor`` names none of the file's),
        ``"several_devices"`` (a MetaBase session's files of two devices) and ``"ambiguous"``.
    FileNotFoundError
        When ``path`` does not exist.
    """
    bundle = open_bundle(path)
    refuse_office_document(bundle, Path(path))
    if is_workbook(bundle):
        # an Excel export (phyphox's first choice) read as the CSV files its sheets hold
        bundle = open_workbook(Path(path), sheet_file=phyphox.sheet_file)
    elif sensor_logger.is_json_export(bundle):
        bundle = sensor_logger.json_export_tables(bundle)
    elif sensor_logger.is_sqlite(bundle):
        bundle = sensor_logger.sqlite_export_tables(bundle)
    try:
        recording = _read(bundle, format, placement, acc_unit, time_unit, rate_hz, sensor, date_order)
    except IngestError as exc:
        if bundle.kind != "tables":
            raise
        # a workbook's sheets and a JSON or SQLite export's records were read as CSV files the user does not have
        raise IngestError(bundle.rephrase(str(exc)), reason=exc.reason) from None
    if bundle.kind != "tables":
        return recording
    source = dict(recording.source)
    if isinstance(source.get("file"), str):
        source["file"] = bundle.rephrase(source["file"])
    if source.get("notes"):
        source["notes"] = [bundle.rephrase(note) for note in source["notes"]]
    return replace(recording, source=source)


def _read(
    bundle: Bundle,
    format: str | None,
    placement: Placement | str | None,
    acc_unit: str | None,
    time_unit: str | None,
    rate_hz: float | None,
    sensor: str | None,
    date_order: str | None,
) -> Recording:
    """:func:`load` of the export ``bundle`` once it is opened (a workbook or JSON export as its CSV tables)."""
    refuse_raw_device_file(bundle)
    bundle = focus(bundle)
    fmt = format.strip().lower() if format else detect_format(bundle)
    known = {f.name for f in FORMATS}
    if fmt not in known:
        raise IngestError(f"unknown format {format!r}: use one of {', '.join(sorted(known))}", reason="unknown_format")
    if fmt == apple_health.INFO.name:
        raise IngestError(
            f"{bundle.label}: this is an Apple Health export: it holds step, distance and step-length summaries, not "
            "sensor samples, so strides cannot be analysed from it; to keep its walks (steps, distance, step length "
            "per walk), upload it on the dashboard's Upload page (start the dashboard with 'gait serve')",
            reason="summary_export",
        )
    if fmt == sensor_logger.INFO.name:
        return _sensor_unused(sensor_logger.read(bundle, placement=placement), sensor)
    if fmt == phyphox.INFO.name:
        return _sensor_unused(phyphox.read(bundle, placement=placement), sensor)
    if fmt == csv_formats.METAWEAR.name and metabase.looks_like(bundle):
        return _sensor_unused(metabase.read(bundle, placement=placement), sensor)
    name = _single_file(bundle, detecting=format is None, fmt=fmt)
    what = name if bundle.kind == "file" else f"{bundle.label}/{name}"
    if fmt == gait_csv.INFO.name:
        # streamed: a day's gait CSV is 600 MB of text, not to be held beside its samples
        return _sensor_unused(gait_csv.parse_gait_csv(bundle.member(name), what, placement=placement), sensor)
    data = bundle.read(name)
    if fmt == csv_formats.GENERIC.name:
        return csv_formats.read_generic(
            data,
            what,
            placement=placement,
            acc_unit=acc_unit,
            time_unit=time_unit,
            rate_hz=rate_hz,
            sensor=sensor,
            date_order=date_order,
        )
    return _sensor_unused(_SINGLE[fmt](data, what, placement=placement), sensor)


def _sensor_unused(recording: Recording, sensor: str | None) -> Recording:
    """``recording`` with a note that the sensor given was not used (its format holds one sensor's samples)."""
    if sensor is None:
        return recording
    fmt = recording.source.get("format")
    what = recording.source.get("file") or fmt
    note = f"{what}: the sensor given ({sensor!r}) is not used: a {fmt} file holds one sensor"
    return replace(recording, source={**recording.source, "notes": [*recording.source.get("notes", []), note]})


__all__ = ["FORMATS", "detect_format", "is_phone_recording", "list_formats", "load"]
