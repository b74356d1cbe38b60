"""Writers of small synthetic exports in the real apps' layouts, with known contents (no real files copied).

Every signal is exact: three different sines on x, y, z on top of gravity along +z (Android convention), so a
reader that swaps columns, forgets a unit or a sign fails a test.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl

G = 9.80665
EPOCH0_NS = 1_700_000_000_000_000_000

SL_AXIS_HEADER = "time,seconds_elapsed,z,y,x"
SL_METADATA = {
    "ios_1.10.4": (
        "version,device name,recording time,platform,appVersion,device id,sensors,sampleRateMs",
        "3,iPhone 12 mini,2022-09-26_15-32-56,ios,1.10.4,abc,Accelerometer|Gravity|Gyroscope,10|10|10",
    ),
    "android_1.26.0": (
        "version,device name,recording epoch time,recording time,recording timezone,platform,appVersion,device id,"
        "sensors,sampleRateMs",
        "3,SM-N986B,1700851554000,2023-11-24_07-25-54,Africa/Nairobi,android,1.26.0,abc,"
        "TotalAcceleration|Gyroscope,10|10",
    ),
    "android_1.60.0": (
        "version,device name,recording epoch time,recording time,recording timezone,platform,appVersion,device id,"
        "sensors,sampleRateMs,standardisation,platform version",
        "3,SM-S721B,1781789731282,2026-06-18_13-35-31,America/Recife,android,1.60.0,abc,"
        "TotalAcceleration|Gyroscope,10|10,false,34",
    ),
}


@dataclass(frozen=True)
class Signal:
    """Known samples in the core's convention: m/s^2 with gravity up (+z), deg/s."""

    time_s: np.ndarray
    acc_ms2: np.ndarray
    gyr_dps: np.ndarray


def signal(duration_s: float = 5.0, rate_hz: float = 100.0) -> Signal:
    """Return distinct x, y, z sines on gravity along +z, and a distinct gyroscope."""
    t = np.arange(round(duration_s * rate_hz)) / rate_hz
    acc = np.column_stack(
        [1.0 * np.sin(2 * np.pi * 1.0 * t), 2.0 * np.sin(2 * np.pi * 2.0 * t + 0.3), G + 0.5 * np.cos(2 * np.pi * t)]
    )
    gyr = np.column_stack([30 * np.sin(2 * np.pi * t), -20 * np.cos(2 * np.pi * t), 10 * np.sin(4 * np.pi * t)])
    return Signal(time_s=t, acc_ms2=acc, gyr_dps=gyr)


def sl_axis_csv(time_s: np.ndarray, xyz: np.ndarray) -> str:
    """A Sensor Logger axis file: ``time,seconds_elapsed,z,y,x`` with epoch ns."""
    ns = EPOCH0_NS + np.round(time_s * 1e9).astype(np.int64)
    rows = [SL_AXIS_HEADER]
    rows += [f"{n},{t},{v[2]},{v[1]},{v[0]}" for n, t, v in zip(ns, time_s.tolist(), xyz.tolist(), strict=True)]
    return "\n".join(rows) + "\n"


def sl_location_csv(time_s: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> str:
    """A Sensor Logger Location.csv (newer column order; parsed by name)."""
    ns = EPOCH0_NS + np.round(time_s * 1e9).astype(np.int64)
    rows = [
        "time,seconds_elapsed,bearingAccuracy,speedAccuracy,verticalAccuracy,horizontalAccuracy,speed,bearing,"
        "altitude,longitude,latitude"
    ]
    rows += [
        f"{n},{t},0,0.5,3,4.0,1.2,90,50,{lo},{la}"
        for n, t, la, lo in zip(ns, time_s.tolist(), lat.tolist(), lon.tolist(), strict=True)
    ]
    return "\n".join(rows) + "\n"


def write_files(target: Path, files: dict[str, str | bytes], *, as_zip: bool) -> Path:
    """Write ``files`` into a folder, or into a zip named ``target.zip``; returns the path to load."""
    if as_zip:
        path = target.with_suffix(".zip")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, content in files.items():
                zf.writestr(name, content)
        return path
    target.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        p = target / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return target


def sensor_logger_android(sig: Signal, *, metadata: str = "android_1.60.0", gps: bool = True) -> dict[str, str]:
    """An Android export: TotalAcceleration (with gravity), linear Accelerometer, Gyroscope (rad/s), Location."""
    files = {
        "TotalAcceleration.csv": sl_axis_csv(sig.time_s, sig.acc_ms2),
        "Accelerometer.csv": sl_axis_csv(sig.time_s, sig.acc_ms2 - [0, 0, G]),
        "Gyroscope.csv": sl_axis_csv(sig.time_s, np.radians(sig.gyr_dps)),
        "Annotation.csv": "",
        "Metadata.csv": "\n".join(SL_METADATA[metadata]) + "\n",
    }
    if gps:
        t = np.arange(0, sig.time_s[-1] + 1e-9, 1.0)
        files["Location.csv"] = sl_location_csv(t, np.full(len(t), 60.0), 25.0 + t * 1e-5)
    return files


def sensor_logger_ios(sig: Signal, *, kind: str) -> dict[str, str]:
    """An iOS export in CoreMotion's sign: ``kind`` is ``"uncalibrated"`` (g) or ``"gravity"`` (user acc + gravity)."""
    raw_ms2 = -sig.acc_ms2  # CoreMotion reports the opposite sign of Android's specific force
    files = {"Annotation.csv": "", "Metadata.csv": "\n".join(SL_METADATA["ios_1.10.4"]) + "\n"}
    files["Gyroscope.csv"] = sl_axis_csv(sig.time_s, np.radians(sig.gyr_dps))
    if kind == "uncalibrated":
        files["AccelerometerUncalibrated.csv"] = sl_axis_csv(sig.time_s, raw_ms2 / G)
    else:
        gravity = np.tile([0.0, 0.0, -G], (len(sig.time_s), 1))
        files["Accelerometer.csv"] = sl_axis_csv(sig.time_s, raw_ms2 - gravity)
        files["Gravity.csv"] = sl_axis_csv(sig.time_s, gravity)
    return files


def _fmt(v: float, decimal: str) -> str:
    if v != v:
        return "NaN"
    text = f"{v:.9E}".replace("E+0", "E").replace("E-0", "E-")
    return text.replace(".", ",") if decimal == "," else text


def phyphox_csv(time_s: np.ndarray, xyz: np.ndarray, header: list[str], *, sep: str = ",", decimal: str = ".") -> str:
    """A phyphox CSV: quoted headers, Java-style scientific numbers, any separator and decimal mark."""
    rows = [sep.join(f'"{h}"' for h in header)]
    rows += [sep.join(_fmt(v, decimal) for v in (t, *row)) for t, row in zip(time_s, xyz, strict=True)]
    return "\n".join(rows) + "\n"


RAW_WITH_G = ["Time (s)", "Acceleration x (m/s^2)", "Acceleration y (m/s^2)", "Acceleration z (m/s^2)"]
RAW_LINEAR = [
    "Time (s)",
    "Linear Acceleration x (m/s^2)",
    "Linear Acceleration y (m/s^2)",
    "Linear Acceleration z (m/s^2)",
]
PER_SENSOR_ACC = ["Time (s)", "X (m/s^2)", "Y (m/s^2)", "Z (m/s^2)"]
PER_SENSOR_GYR = ["Time (s)", "X (rad/s)", "Y (rad/s)", "Z (rad/s)"]
PHYPHOX_LOCATION = [
    "Time (s)",
    "Latitude (°)",
    "Longitude (°)",
    "Height (m)",
    "Velocity (m/s)",
    "Direction (°)",
    "Horizontal Accuracy (m)",
    "Vertical Accuracy (°)",
]


def phyphox_time_csv(events: list[tuple[str, float, float]]) -> str:
    """meta/time.csv with (event, experiment time, system time) rows."""
    rows = ['"event","experiment time","system time","system time text"']
    rows += [f'"{e}",{_fmt(x, ".")},{_fmt(s, ".")},"text"' for e, x, s in events]
    return "\n".join(rows) + "\n"


META_SHEETS = {"meta/device.csv": "Metadata Device", "meta/time.csv": "Metadata Time"}


def _cell(text: str) -> float | str:
    """A CSV cell as phyphox's Excel writer puts it: a number cell for a number, a text cell otherwise ("NaN"
    padding, names, the time as text)."""
    try:
        value = float(text)
    except ValueError:
        return text
    return text if np.isnan(value) else value


def phyphox_workbook(files: dict[str, str], path: Path) -> Path:
    """Write ``files`` (a phyphox CSV export: name -> text) as phyphox's Excel export of the same recording, laid out
    as its own Excel writer does (DataExport.ExcelFormat, phyphox-android): a sheet per export set named as the set,
    a header row of text cells, number cells, "NaN" text cells padding a shorter column, then "Metadata Device" and
    "Metadata Time"."""
    book = openpyxl.Workbook(write_only=True)
    data = [n for n in files if n not in META_SHEETS]
    for name in [*data, *[n for n in META_SHEETS if n in files]]:
        sheet = book.create_sheet(META_SHEETS.get(name, name.removesuffix(".csv")))
        text = files[name]
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
        rows = list(csv.reader(io.StringIO(text), dialect))
        sheet.append(rows[0])
        for row in rows[1:]:
            sheet.append([_cell(c) for c in row])
    book.save(path)
    return path


def sensor_logger_json(files: dict[str, str]) -> str:
    """Sensor Logger's JSON export of the recording whose CSV export is ``files`` (name -> text), as the app writes
    it: one array of records, each ``{"sensor": <file name without .csv>, <that file's columns>: "<value>"...}``,
    every value a string, one record per line, a sensor's records together (Metadata's one record included)."""
    records = []
    for name, text in files.items():
        sensor = name.rsplit("/", 1)[-1].removesuffix(".csv")
        for row in csv.DictReader(io.StringIO(text)):
            records.append(json.dumps({"sensor": sensor, **row}, separators=(",", ":")))
    return "[\n" + ",\n".join(records) + "\n]\n"


def sensor_logger_sqlite(files: dict[str, str], path: Path, *, as_text: bool = False) -> Path:
    """Write Sensor Logger's SQLite export of the recording whose CSV export is ``files`` (name -> text) at ``path``:
    one table per file, named as the file without .csv, its columns the file's, each value stored as a number
    (integers, such as ns epochs, exactly) or, with ``as_text``, as the CSV's text."""
    import sqlite3

    def stored(cell: str) -> object:
        if as_text or cell == "":
            return cell if cell != "" else None
        for kind in (int, float):
            try:
                return kind(cell)
            except ValueError:
                pass
        return cell

    db = sqlite3.connect(path)
    with db:
        for name, text in files.items():
            table = name.rsplit("/", 1)[-1].removesuffix(".csv")
            rows = list(csv.reader(io.StringIO(text)))
            if not rows:
                continue  # an empty file (the iOS app's Annotation.csv) makes no table
            columns = ", ".join(f'"{c}"' for c in rows[0])
            db.execute(f'CREATE TABLE "{table}" ({columns})')
            marks = ", ".join("?" * len(rows[0]))
            db.executemany(f'INSERT INTO "{table}" VALUES ({marks})', [[stored(c) for c in r] for r in rows[1:]])
    db.close()
    return path


def _java_double(value: float) -> str:
    """``value`` as Java's Double.toString writes it (phyphox's XlsxWriter writes number cells so): plain from 1e-3
    to 1e7, else a mantissa and ``E`` exponent ("1.0E-4", "1.7E9")."""
    if value == 0 or 1e-3 <= abs(value) < 1e7:
        text = repr(float(value))
        return text if "." in text or "e" in text else text + ".0"
    mantissa, exponent = f"{value:.16e}".split("e")
    digits = repr(float(f"{float(mantissa):.15g}"))
    return f"{digits if '.' in digits else digits + '.0'}E{int(exponent)}"


def phyphox_xlsx_writer(files: dict[str, str], path: Path) -> Path:
    """Write ``files`` (a phyphox CSV export) as the current phyphox-android writes its Excel export, with its own
    minimal writer (helper/XlsxWriter.java) rather than openpyxl: rows and cells without references (no ``r``),
    text as inline strings (no shared string table), numbers as Java prints them, "NaN" as a text cell, the
    ``[Content_Types].xml`` and ``xl/workbook.xml`` parts written last; sheets as :func:`phyphox_workbook` orders
    them."""

    def text_cell(value: str, bold: bool = False) -> str:
        style = ' s="1"' if bold else ""
        escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        return f'<c t="inlineStr"{style}><is><t xml:space="preserve">{escaped}</t></is></c>'

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    names = [n for n in files if n not in META_SHEETS] + [n for n in META_SHEETS if n in files]
    titles = [META_SHEETS.get(n, n.removesuffix(".csv")) for n in names]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        for i, name in enumerate(names, start=1):
            text = files[name]
            dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
            rows = list(csv.reader(io.StringIO(text), dialect))
            body = ["<row>" + "".join(text_cell(h, bold=True) for h in rows[0]) + "</row>"]
            for row in rows[1:]:
                cells = [_cell(c) for c in row]
                body.append(
                    "<row>"
                    + "".join(text_cell(c) if isinstance(c, str) else f"<c><v>{_java_double(c)}</v></c>" for c in cells)
                    + "</row>"
                )
            zf.writestr(
                f"xl/worksheets/sheet{i}.xml",
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{main}"><sheetData>'
                + "".join(body)
                + "</sheetData></worksheet>",
            )
        sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{sheet_type}.worksheet+xml"/>'
            for i in range(1, len(names) + 1)
        )
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{sheet_type}.sheet.main+xml"/>{overrides}'
            f'<Override PartName="/xl/styles.xml" ContentType="{sheet_type}.styles+xml"/></Types>',
        )
        sheets = "".join(f'<sheet name="{t}" sheetId="{i}" r:id="rId{i}"/>' for i, t in enumerate(titles, start=1))
        zf.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{main}" xmlns:r="{rel}">'
            f"<sheets>{sheets}</sheets></workbook>",
        )
        links = "".join(
            f'<Relationship Id="rId{i}" Type="{rel}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(names) + 1)
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{pkg}">{links}'
            f'<Relationship Id="rId{len(names) + 1}" Type="{rel}/styles" Target="styles.xml"/></Relationships>',
        )
        zf.writestr(
            "xl/styles.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="{main}">'
            '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
            '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
        )
    return path
