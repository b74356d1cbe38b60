"""Fuzzing every reader: random bytes and mutated real headers give a Recording or an IngestError, nothing else."""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ingest
from gait.types import Recording
from ingest import HealthSummary, IngestError, read_apple_health
from tests.ingest import exports as ex

# Modest by default so the suite stays fast; INGEST_FUZZ_EXAMPLES=1000 for a deeper run.
FUZZ = settings(
    max_examples=int(os.environ.get("INGEST_FUZZ_EXAMPLES", "40")),
    deadline=10_000,  # ms per example: generous for a loaded CI box, still catches a pathological input
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FORMATS = [f.name for f in ingest.list_formats()]

#: Real header lines of each format (as DESIGN.md and the apps write them), mutated by the tests below.
HEADERS = {
    "TotalAcceleration.csv": "time,seconds_elapsed,z,y,x",
    "Raw Data.csv": '"Time (s)","Acceleration x (m/s^2)","Acceleration y (m/s^2)","Acceleration z (m/s^2)"',
    "Accelerometer.csv": '"Time (s)","X (m/s^2)","Y (m/s^2)","Z (m/s^2)"',
    "andro.csv": "ACCELEROMETER X (m/s²);ACCELEROMETER Y (m/s²);ACCELEROMETER Z (m/s²);Time since start in ms ",
    "metawear.csv": "epoc (ms),timestamp (-0500),elapsed (s),x-axis (g),y-axis (g),z-axis (g)",
    "gait.csv": "time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2,gyr_x_dps,gyr_y_dps,gyr_z_dps",
    "generic.csv": "Timestamp;AccelerationX;AccelerationY;AccelerationZ",
    "geneactiv.csv": "Device Type,GENEActiv\nUnits,g\n2019-08-06 10:25:50:000,-0.4264,0.7279,0.5089,0,0,31.6",
    "accelerometer.csv": "1023881009780408,3,-0.8885523,4.3062453,9.031619",
}


def outcome(path: Path, fmt: str | None = None) -> None:
    """Load and accept only the two allowed outcomes."""
    try:
        rec = ingest.load(path, format=fmt)
    except IngestError as exc:
        assert str(exc)  # a message for the user
        return
    assert isinstance(rec, Recording)
    assert np.all(np.diff(rec.time_s) > 0)
    assert rec.acc_ms2.shape == (rec.n_samples, 3)


@pytest.mark.timeout(60)
@FUZZ
@given(data=st.binary(max_size=2000), fmt=st.sampled_from([None, *FORMATS]))
def test_random_bytes(data: bytes, fmt: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.csv"
        path.write_bytes(data)
        outcome(path, fmt)


def _rows(n: int, ncols: int, rng: np.random.Generator, sep: str) -> str:
    t = np.arange(n) / 100.0
    vals = rng.normal(0, 3, (n, ncols - 1)) + 9.8 / np.sqrt(ncols - 1)
    return "\n".join(sep.join(str(v) for v in (ti, *row)) for ti, row in zip(t.tolist(), vals.tolist(), strict=True))


@pytest.mark.timeout(60)
@FUZZ
@given(
    name=st.sampled_from(sorted(HEADERS)),
    cut=st.integers(0, 80),
    insert=st.text(max_size=5),
    n_rows=st.integers(0, 120),
    seed=st.integers(0, 2**16),
    fmt=st.sampled_from([None, *FORMATS]),
)
def test_mutated_real_headers(name: str, cut: int, insert: str, n_rows: int, seed: int, fmt: str | None) -> None:
    header = HEADERS[name]
    cut = min(cut, len(header))
    mutated = header[:cut] + insert + header[cut + 1 :]
    sep = ";" if ";" in header else ","
    ncols = header.count(sep) + 1
    body = _rows(n_rows, max(ncols, 2), np.random.default_rng(seed), sep)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_text(mutated + "\n" + body + "\n", encoding="utf-8")
        outcome(path, fmt)


@pytest.mark.timeout(60)
@FUZZ
@given(position=st.floats(0, 1), garbage=st.binary(min_size=1, max_size=64), truncate=st.booleans())
def test_mutated_zip(position: float, garbage: bytes, truncate: bool) -> None:
    sig = ex.signal(duration_s=1.0)
    with tempfile.TemporaryDirectory() as tmp:
        good = ex.write_files(Path(tmp) / "rec", ex.sensor_logger_android(sig), as_zip=True)
        data = good.read_bytes()
        at = int(position * (len(data) - 1))
        data = data[:at] if truncate else data[:at] + garbage + data[at + len(garbage) :]
        path = Path(tmp) / "bad.zip"
        path.write_bytes(data)
        outcome(path)


@pytest.mark.timeout(60)
@FUZZ
@given(
    st.lists(
        st.sampled_from(
            [
                "Accelerometer.csv",
                "Gravity.csv",
                "Gyroscope.csv",
                "Location.csv",
                "Metadata.csv",
                "AccelerometerUncalibrated.csv",
                "Annotation.csv",
            ]
        ),
        unique=True,
    ),
    st.binary(max_size=300),
)
def test_sensor_logger_with_broken_members(members: list[str], junk: bytes) -> None:
    sig = ex.signal(duration_s=1.0)
    files = ex.sensor_logger_ios(sig, kind="gravity")
    for name in members:
        files[name] = junk
    with tempfile.TemporaryDirectory() as tmp:
        outcome(ex.write_files(Path(tmp) / "rec", files, as_zip=True))


@pytest.mark.timeout(60)
@FUZZ
@given(st.binary(max_size=1500) | st.text(max_size=400).map(lambda s: f'<HealthData locale="x">{s}</HealthData>'))
def test_apple_health_fuzz(data: bytes | str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.xml"
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
        try:
            summary = read_apple_health(path)
        except IngestError as exc:
            assert str(exc)
            return
        assert isinstance(summary, HealthSummary)


def test_zip_member_limits_respected_by_zip_reader(tmp_path: Path) -> None:
    # Sanity check for the fuzzers' zip case: a valid zip round-trips (so the fuzz above can fail).
    sig = ex.signal(duration_s=1.0)
    path = ex.write_files(tmp_path / "rec", ex.sensor_logger_android(sig), as_zip=True)
    assert zipfile.is_zipfile(path)
    assert ingest.load(path).n_samples == len(sig.time_s)
