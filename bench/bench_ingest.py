"""Load time and peak memory of the file readers on large synthetic exports.

Usage::

    .venv/bin/python -m bench.bench_ingest [--hours 1.0] [--health-mb 500] [--repeat 3] [--keep DIR]

1. Builds a Sensor Logger Android zip (TotalAcceleration, linear Accelerometer, Gyroscope at 100 Hz, Location at
   1 Hz, Metadata, empty Annotation) of ``--hours`` and times ``ingest.load`` on it in a fresh subprocess,
   reporting wall time and peak resident memory (``ru_maxrss``), with the interpreter + imports baseline.
   Targets (issue 3): 1 h at 100 Hz in under 2 s and under 500 MB.
   The same recording is then written as Sensor Logger's SQLite export (with the two uncalibrated tables a phone's
   export also holds) and read the same way.
2. Builds an Apple Health ``export.xml`` of about ``--health-mb`` MB (step count from a phone and a watch,
   distance, step length, walking speed, and heart-rate records as bulk) and times ``ingest.read_apple_health``
   the same way. Target: memory bounded (independent of file size).

Everything is written to a temporary folder (removed afterwards unless ``--keep``).
"""

from __future__ import annotations

import argparse
import io
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

# Peak memory comes from VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so a child started by a big
# parent would report the parent's peak.
_PROBE = """
import json, sys, time

def hwm_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")

t0 = time.perf_counter()
import ingest
base = hwm_mb()
t1, c1 = time.perf_counter(), time.process_time()
result = getattr(ingest, sys.argv[1])(sys.argv[2])
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"load_s": t2 - t1, "cpu_s": c2 - c1, "import_s": t1 - t0, "peak_mb": hwm_mb(), "base_mb": base,
                  "n_samples": getattr(result, "n_samples", None), "days": len(getattr(result, "days", []))}))
"""


def _measure(func: str, path: Path, repeat: int) -> dict[str, float]:
    """Run ``ingest.<func>(path)`` in fresh interpreters; keep the fastest run (and its memory)."""
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", _PROBE, func, str(path)], check=True, capture_output=True, text=True
        ).stdout
        runs.append(json.loads(out))
    return min(runs, key=lambda r: r["load_s"])


def _axis_frame(time_s: np.ndarray, xyz: np.ndarray, epoch_ns: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "time": epoch_ns + np.round(time_s * 1e9).astype(np.int64),
            "seconds_elapsed": time_s,
            "z": xyz[:, 2],
            "y": xyz[:, 1],
            "x": xyz[:, 0],
        }
    )


def build_sensor_logger_zip(folder: Path, hours: float, rate_hz: float = 100.0) -> Path:
    """Write a Sensor Logger Android export of ``hours`` at ``rate_hz`` with gyroscope and GPS; return the zip."""
    rng = np.random.default_rng(1)
    n = int(hours * 3600 * rate_hz)
    # Jittered sample times, as phones deliver them.
    t = np.arange(n) / rate_hz + rng.uniform(0, 0.2 / rate_hz, n)
    step = 2 * np.pi * 1.8 * t
    acc = np.column_stack([0.8 * np.sin(step), 1.5 * np.sin(step / 2), 9.81 + 2.0 * np.cos(step)])
    acc += rng.normal(0, 0.05, acc.shape)
    gyr = np.column_stack([0.5 * np.sin(step / 2), 0.3 * np.cos(step), 0.1 * np.sin(step)])
    epoch_ns = 1_700_000_000_000_000_000
    path = folder / "2024-05-14_18-00-00.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, xyz in (
            ("TotalAcceleration.csv", acc),
            ("Accelerometer.csv", acc - [0, 0, 9.81]),
            ("Gyroscope.csv", gyr),
        ):
            zf.writestr(name, _axis_frame(t, xyz, epoch_ns).to_csv(index=False))
        tg = np.arange(0.0, t[-1], 1.0)
        loc = pd.DataFrame(
            {
                "time": epoch_ns + np.round(tg * 1e9).astype(np.int64),
                "seconds_elapsed": tg,
                "bearingAccuracy": 10.0,
                "speedAccuracy": 0.5,
                "verticalAccuracy": 3.0,
                "horizontalAccuracy": 4.0,
                "speed": 1.3,
                "bearing": 90.0,
                "altitude": 50.0,
                "longitude": 25.0 + 1.3 * tg / 55_800.0,
                "latitude": 60.0,
            }
        )
        zf.writestr("Location.csv", loc.to_csv(index=False))
        zf.writestr(
            "Metadata.csv",
            "version,device name,recording epoch time,recording time,recording timezone,platform,appVersion,"
            "device id,sensors,sampleRateMs,standardisation,platform version\n"
            "3,SM-S721B,1700000000000,2024-05-14_18-00-00,Europe/Helsinki,android,1.60.0,x,"
            "Accelerometer|Gyroscope|TotalAcceleration|Location,10|10|10|1000,false,34\n",
        )
        zf.writestr("Annotation.csv", "")
    return path


def sensor_logger_sqlite(zpath: Path) -> Path:
    """The Sensor Logger export ``zpath`` as the app's SQLite export beside it: a table per CSV file, values as
    numbers, with the AccelerometerUncalibrated and GyroscopeUncalibrated tables an Android phone's export also holds
    (copies of TotalAcceleration and Gyroscope: read by nobody, so they must cost nothing)."""
    path = zpath.with_suffix(".sqlite")
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    with db, zipfile.ZipFile(zpath) as zf:
        for name in zf.namelist():
            data = zf.read(name)
            if data:
                pd.read_csv(io.BytesIO(data)).to_sql(name.removesuffix(".csv"), db, index=False)
        db.execute("CREATE TABLE AccelerometerUncalibrated AS SELECT * FROM TotalAcceleration")
        db.execute("CREATE TABLE GyroscopeUncalibrated AS SELECT * FROM Gyroscope")
    db.close()
    return path


_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData locale CDATA #REQUIRED>
]>
<HealthData locale="en_US">
 <ExportDate value="2024-06-17 21:07:11 -0400"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="" HKCharacteristicTypeIdentifierBiologicalSex=""/>
"""
_REC = (
    ' <Record type="HKQuantityTypeIdentifier{kind}" sourceName="{src}" sourceVersion="17.1" '
    'device="&lt;&lt;HKDevice: 0x283c&gt;, name:{src}, manufacturer:Apple Inc.&gt;" unit="{unit}" '
    'creationDate="{day} {h2:02d}:{m:02d}:00 -0400" startDate="{day} {h:02d}:{m:02d}:00 -0400" '
    'endDate="{day} {h:02d}:{m2:02d}:00 -0400" value="{value}">\n'
    '  <MetadataEntry key="HKMetadataKeySyncVersion" value="1"/>\n </Record>\n'
)


def build_health_export(folder: Path, target_mb: float) -> Path:
    """Write an ``export.xml`` of about ``target_mb`` MB, day after day, streamed to disk."""
    path = folder / "export.xml"
    target = int(target_mb * 1e6)
    day0 = np.datetime64("2015-01-01")
    written = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write(_HEAD)
        d = 0
        while written < target:
            day = str(day0 + np.timedelta64(d, "D"))
            parts = []
            for h in range(7, 22):
                for m in range(0, 60, 5):
                    m2 = m + 4
                    common = {"day": day, "h": h, "m": m, "m2": m2, "h2": h}
                    for src in ("Phone", "Watch"):  # overlapping sources, as real exports have
                        parts.append(_REC.format(kind="StepCount", src=src, unit="count", value=480, **common))
                    parts.append(
                        _REC.format(kind="DistanceWalkingRunning", src="Phone", unit="km", value=0.33, **common)
                    )
                    parts.append(_REC.format(kind="WalkingStepLength", src="Phone", unit="cm", value=69, **common))
                    parts.append(_REC.format(kind="WalkingSpeed", src="Phone", unit="km/hr", value=4.8, **common))
                    for _ in range(6):  # heart rate: the bulk of a real export, ignored by the reader
                        parts.append(_REC.format(kind="HeartRate", src="Watch", unit="count/min", value=72, **common))
            chunk = "".join(parts)
            fh.write(chunk)
            written += len(chunk)
            d += 1
        fh.write("</HealthData>\n")
    return path


def main(argv: list[str] | None = None) -> int:
    """Build the inputs, measure, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=float, default=1.0, help="length of the Sensor Logger recording")
    parser.add_argument("--health-mb", type=float, default=500.0, help="size of the Apple Health export (0: skip)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (fastest kept)")
    parser.add_argument("--keep", type=Path, help="write the inputs here and keep them")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        zpath = build_sensor_logger_zip(folder, args.hours)
        with zipfile.ZipFile(zpath) as zf:
            unpacked = sum(i.file_size for i in zf.infolist())
        zipped_mb = zpath.stat().st_size / 1e6
        print(
            f"Sensor Logger zip: {args.hours:g} h at 100 Hz (+ gyroscope, GPS 1 Hz), {zipped_mb:.1f} MB zipped, "
            f"{unpacked / 1e6:.1f} MB unpacked (built in {time.perf_counter() - t:.1f} s)"
        )
        r = _measure("load", zpath, args.repeat)
        ok = r["load_s"] < 2.0 * args.hours and r["peak_mb"] < 500
        verdict = "PASS" if ok else "FAIL"
        print(
            f"  ingest.load: {r['load_s']:.2f} s wall ({r['cpu_s']:.2f} s CPU over 2 threads), {r['n_samples']} samples"
        )
        print(f"  peak RSS {r['peak_mb']:.0f} MB (interpreter + imports {r['base_mb']:.0f} MB)")
        print(f"  target per hour of recording: < 2 s and < 500 MB -> {verdict}")
        t = time.perf_counter()
        dbpath = sensor_logger_sqlite(zpath)
        print(
            f"The same recording as Sensor Logger's SQLite export (+ the uncalibrated twins a phone's export holds): "
            f"{dbpath.stat().st_size / 1e6:.1f} MB (built in {time.perf_counter() - t:.1f} s)"
        )
        d = _measure("load", dbpath, args.repeat)
        print(f"  ingest.load: {d['load_s']:.2f} s wall, peak RSS {d['peak_mb']:.0f} MB, {d['n_samples']} samples")
        if args.health_mb > 0:
            t = time.perf_counter()
            hpath = build_health_export(folder, args.health_mb)
            size_mb = hpath.stat().st_size / 1e6
            print(f"Apple Health export.xml: {size_mb:.0f} MB (built in {time.perf_counter() - t:.1f} s)")
            h = _measure("read_apple_health", hpath, 1)
            print(
                f"  ingest.read_apple_health: {h['load_s']:.1f} s wall, {h['cpu_s']:.1f} s CPU "
                f"({size_mb / h['load_s']:.0f} MB/s), "
                f"peak RSS {h['peak_mb']:.0f} MB (interpreter + imports {h['base_mb']:.0f} MB), {h['days']} days"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
