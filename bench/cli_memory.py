"""Memory of ``gait analyze`` on a long gait CSV: peak resident memory per sample, end to end.

Usage::

    .venv/bin/python -m bench.cli_memory [--hours H]

Writes a ``hours``-long 100 Hz gait CSV with gyroscope (real walks and rest: :func:`bench.throughput.build_day`)
to a temporary folder, runs ``gait analyze FILE --placement lower_back --no-profile --json OUT`` on it in a
subprocess and prints its wall time and peak resident memory (the child's own ``ru_maxrss``, from ``os.wait4``),
per sample: in all, and beyond a run on the file's first minute (what the interpreter and its imports take,
whatever the length). Target (QA): under 100 bytes a sample beyond that.

The file is written by another subprocess: a child started by vfork takes over its parent's peak in
``ru_maxrss``, so this process stays small and never holds the samples.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = Path(__file__).resolve().parent / "out"
TARGET_BYTES_PER_SAMPLE = 100.0
GAIT = Path(sys.executable).with_name("gait")

WRITE_FILES = """
import sys
from bench.throughput import build_day
from ingest.gait_csv import write_gait_csv
rec = build_day(float(sys.argv[1]))
write_gait_csv(rec, sys.argv[2])
head = sys.argv[2].replace(".csv", "-first-minute.csv")
with open(sys.argv[2]) as long, open(head, "w") as short:
    short.writelines(line for _, line in zip(range(6001), long))
print(rec.n_samples)
"""
"""Writes the long file and its first minute (header and 6,000 rows) beside it; prints the samples."""


def analyze_peak(path: Path, out_json: Path) -> tuple[float, int]:
    """Wall time (s) and peak resident memory (bytes) of ``gait analyze`` on ``path``."""
    cmd = [str(GAIT), "analyze", str(path), "--placement", "lower_back", "--no-profile", "--json", str(out_json)]
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, cwd=REPO)
        _, status, usage = os.wait4(proc.pid, 0)
        wall_s = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"bench.cli_memory: gait analyze failed:\n{err.read().decode(errors='replace')}")
    return wall_s, usage.ru_maxrss * 1024  # Linux reports KiB


def measure(hours: float) -> dict[str, float]:
    """Write the files, analyse both and return the figures."""
    with tempfile.TemporaryDirectory(prefix="gait-cli-memory-") as tmp:
        long = Path(tmp) / f"{hours:g}h.csv"
        made = subprocess.run(
            [sys.executable, "-c", WRITE_FILES, str(hours), str(long)],
            capture_output=True,
            text=True,
            check=False,
            cwd=REPO,
        )
        if made.returncode != 0:
            raise SystemExit(f"bench.cli_memory: writing the gait CSV failed:\n{made.stderr.strip()}")
        samples = int(made.stdout.split()[-1])
        file_mb = long.stat().st_size / 1e6
        _, base_bytes = analyze_peak(long.with_name(long.stem + "-first-minute.csv"), Path(tmp) / "short.json")
        wall_s, peak_bytes = analyze_peak(long, Path(tmp) / "long.json")
    return {
        "hours": hours,
        "samples": samples,
        "file_mb": file_mb,
        "wall_s": wall_s,
        "peak_mb": peak_bytes / 2**20,
        "first_minute_peak_mb": base_bytes / 2**20,
        "bytes_per_sample": peak_bytes / samples,
        "bytes_per_sample_beyond_first_minute": (peak_bytes - base_bytes) / samples,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m bench.cli_memory", description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=float, default=6.0, help="length of the gait CSV analysed")
    args = parser.parse_args(argv)
    if not GAIT.exists():
        raise SystemExit(f"bench.cli_memory: no {GAIT}: install the project (./run test) first")
    fig = measure(args.hours)
    beyond = fig["bytes_per_sample_beyond_first_minute"]
    print(
        f"gait analyze on {fig['hours']:g} h at 100 Hz with gyroscope ({fig['samples']:,} samples, "
        f"{fig['file_mb']:.0f} MB of gait CSV): {fig['wall_s']:.1f} s"
    )
    print(
        f"  peak memory (maxrss) {fig['peak_mb']:.0f} MB = {fig['bytes_per_sample']:.0f} bytes a sample; "
        f"the file's first minute alone {fig['first_minute_peak_mb']:.0f} MB (interpreter and imports)"
    )
    print(
        f"  beyond that: {beyond:.0f} bytes a sample   [target < {TARGET_BYTES_PER_SAMPLE:g}]  "
        f"{'PASS' if beyond < TARGET_BYTES_PER_SAMPLE else 'FAIL'}"
    )
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "cli_memory.json").write_text(json.dumps(fig, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
