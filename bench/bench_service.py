"""Service benchmarks; prints figures (not a test).

1. Upload-to-summary time of a 1-hour recording (100 Hz gait CSV) through `gait serve`.
2. A store holding 1 M stride rows still serves a walk's page (walk JSON + its strides) in under 300 ms.
3. 50 simultaneous live feeds (SSE) during a real-time demo walk: event delivery latency, p50/p99 (target < 100 ms).
4. Dashboard first paint in Chromium (home page and a walk page with its charts).
5. GET /api/coaching (Home, Trends and Profile pages) over half a year of daily walks (the baseline's 180 days):
   the first call reads every stride of them, later calls only the strides of walks new or analysed again.
6. Export all with the raw samples (GET /api/export?samples=1): time to the first byte (the download shows at once)
   and to the last, its size, and the server's peak memory.

Run: .venv/bin/python bench/bench_service.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from service.store import NewWalk, Store  # noqa: E402
from tests.service.conftest import write_walk_csv  # noqa: E402
from tests.service.serverproc import Server  # noqa: E402


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def bench_upload(tmp: Path, samples: Path, duration_s: float) -> None:
    path = write_walk_csv(tmp / "hour.csv", duration_s=duration_s)
    server = Server(tmp / "upload-data", samples, demo=False)
    try:
        t0 = time.perf_counter()
        with path.open("rb") as fh:
            r = server.client.post(
                "/api/uploads", files={"file": (path.name, fh)}, data={"placement": "lower_back"}, timeout=600
            )
        elapsed = time.perf_counter() - t0
        r.raise_for_status()
        s = r.json()["walks"][0]["summary"]
        print(
            f"upload-to-summary, {duration_s / 60:.0f} min recording ({path.stat().st_size / 1e6:.1f} MB, "
            f"{s['strides']} strides): {elapsed:.2f} s"
        )
    finally:
        server.kill()


def fill_store(data_dir: Path, n_rows: int, per_walk: int) -> int:
    """Write n_rows stride rows in walks of per_walk strides; returns the id of a walk in the middle."""
    store = Store(data_dir / "gait.sqlite3").open()
    rng = np.random.default_rng(1)
    t0 = time.perf_counter()
    ids: list[int] = []
    for w in range(n_rows // per_walk):
        start = np.cumsum(np.full(per_walk, 0.55))
        length = rng.normal(1.3, 0.08, per_walk)
        strides = [
            (
                float(a),
                float(a) + 1.1,
                float(b),
                109.0,
                float(b) / 1.1,
                0.8,
                "inverted_pendulum",
                None,
                1.2,
                int(b > 1.25),
            )
            for a, b in zip(start, length, strict=True)
        ]
        summary = {"strides": per_walk, "cadence_spm": 109.0, "stride_length_m": 1.3, "distance_m": 1.3 * per_walk / 2}
        day = f"2026-{1 + w % 12:02d}-{1 + w % 28:02d}T08:00:00+00:00"
        ids += store.add_walks(
            [
                NewWalk(
                    name=f"walk {w}",
                    origin="upload",
                    started_at=day,
                    summary=summary,
                    flagged_strides=int((length > 1.25).sum()),
                    strides=strides,
                )
            ]
        )
    elapsed = time.perf_counter() - t0
    print(f"store fill: {n_rows:,} stride rows in {elapsed:.1f} s ({n_rows / elapsed / 1e3:.0f} k rows/s)")
    store.close()
    return ids[len(ids) // 2]


def bench_big_store(tmp: Path, samples: Path, n_rows: int) -> None:
    data = tmp / "big-data"
    walk_id = fill_store(data, n_rows, per_walk=6500)  # about a 1-hour walk each
    server = Server(data, samples, demo=False)
    try:
        times = []
        for _ in range(20):
            t0 = time.perf_counter()
            server.client.get(f"/api/walks/{walk_id}").raise_for_status()
            r = server.client.get(f"/api/walks/{walk_id}/strides?layout=columns")
            r.raise_for_status()
            times.append((time.perf_counter() - t0) * 1000)
        n = len(r.json()["idx"])
        rows_ms = []
        for _ in range(5):
            t0 = time.perf_counter()
            server.client.get(f"/api/walks/{walk_id}/strides").raise_for_status()
            rows_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        server.client.get("/api/trends?period=week").raise_for_status()
        trends_ms = (time.perf_counter() - t0) * 1000
        print(
            f"walk page with {n_rows:,} stride rows stored ({n} strides in the walk): "
            f"median {statistics.median(times):.0f} ms, max {max(times):.0f} ms (target < 300 ms); "
            f"weekly trends {trends_ms:.0f} ms; strides as rows {statistics.median(rows_ms):.0f} ms"
        )
    finally:
        server.kill()


def bench_coaching_year(tmp: Path, samples: Path, walks: int, per_walk: int) -> None:
    data = tmp / "year-data"
    store = Store(data / "gait.sqlite3").open()
    rng = np.random.default_rng(2)
    now = datetime.now(UTC)
    for w in range(walks):
        start = np.cumsum(np.full(per_walk, 0.55))
        length = rng.normal(1.3, 0.08, per_walk)
        cadence = rng.normal(109.0, 4.0, per_walk)
        strides = [
            (float(a), float(a) + 1.1, float(b), float(c), float(b) / 1.1, 0.8, "inverted_pendulum", None, None, None)
            for a, b, c in zip(start, length, cadence, strict=True)
        ]
        summary = {
            "strides": per_walk,
            "cadence_spm": 109.0,
            "stride_length_m": 1.3,
            "distance_m": 1.3 * per_walk / 2,
            "walking_time_s": 0.55 * per_walk,
            "duration_s": 0.55 * per_walk + 10.0,
        }
        day = (now - timedelta(days=175.0 * (walks - w) / walks)).isoformat(timespec="seconds")
        store.add_walks([NewWalk(name=f"walk {w}", origin="upload", started_at=day, summary=summary, strides=strides)])
    store.close()
    server = Server(data, samples, demo=False)
    try:
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            server.client.get("/api/coaching").raise_for_status()
            times.append((time.perf_counter() - t0) * 1000)
        print(
            f"coaching plan over {walks} walks of the last 180 days ({walks * per_walk:,} strides): first "
            f"{times[0]:.0f} ms, then median {statistics.median(times[1:]):.0f} ms (the strides read once)"
        )
    finally:
        server.kill()


async def _feed(port: int, latencies: list[float], stop_at: float, counts: list[int]) -> None:
    """One SSE client on a raw socket (httpx per line would make the 50 clients, not the server, the bottleneck)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /api/live/feed HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
    await writer.drain()
    n = 0
    marker = b'"sent_ms": '
    while time.monotonic() < stop_at:
        try:
            line = await asyncio.wait_for(reader.readline(), timeout=max(0.01, stop_at - time.monotonic()))
        except TimeoutError:
            break
        at = line.find(marker)
        if at >= 0:
            end = line.find(b"}", at)
            comma = line.find(b",", at)
            stop = min(x for x in (end, comma) if x >= 0)
            latencies.append(time.time() * 1000 - float(line[at + len(marker) : stop]))
            n += 1
    writer.close()
    counts.append(n)


def bench_feeds(tmp: Path, samples: Path, n_feeds: int, seconds: float) -> None:
    server = Server(tmp / "feed-data", samples, demo=False)
    try:
        latencies: list[float] = []
        counts: list[int] = []

        async def main() -> None:
            stop_at = time.monotonic() + seconds
            tasks = [asyncio.create_task(_feed(server.port, latencies, stop_at, counts)) for _ in range(n_feeds)]
            await asyncio.sleep(1.0)
            async with httpx.AsyncClient(base_url=server.url) as c:
                (await c.post("/api/live/demo", json={"speed": 1})).raise_for_status()
            await asyncio.gather(*tasks)

        asyncio.run(main())
        print(
            f"{n_feeds} simultaneous live feeds for {seconds:.0f} s: {len(latencies)} events delivered "
            f"({min(counts)}-{max(counts)} per feed); latency p50 {pct(latencies, 50):.1f} ms, "
            f"p99 {pct(latencies, 99):.1f} ms, max {max(latencies):.1f} ms (target p99 < 100 ms)"
        )
    finally:
        server.kill()


def bench_first_paint(tmp: Path, samples: Path) -> None:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    server = Server(tmp / "paint-data", samples, demo=False)
    try:
        with (samples / "demo_walk.csv").open("rb") as fh:
            walk = server.client.post("/api/uploads", files={"file": ("w.csv", fh)}, data={"placement": "lower_back"})
        walk_id = walk.json()["walks"][0]["id"]
        with sync_playwright() as p:
            ctx = p.chromium.launch_persistent_context(
                str(tmp / "profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            page = ctx.new_page()
            for label, route, ready in (
                ("home", "/#/", "#recommendation"),
                ("walk page", f"/#/walk/{walk_id}", "#chart-hist canvas"),
            ):
                fcp, ready_ms = [], []
                for _ in range(5):
                    t0 = time.perf_counter()
                    page.goto("about:blank")
                    t0 = time.perf_counter()
                    page.goto(server.url + route)
                    page.wait_for_selector(ready)
                    ready_ms.append((time.perf_counter() - t0) * 1000)
                    fcp.append(
                        page.evaluate("performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN")
                    )
                print(
                    f"dashboard {label}: first contentful paint median {statistics.median(fcp):.0f} ms; "
                    f"content ready (charts drawn) median {statistics.median(ready_ms):.0f} ms"
                )
            ctx.close()
    finally:
        server.kill()


def _peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (Linux: VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench_export(tmp: Path, samples: Path, n_walks: int, walk_s: float) -> None:
    server = Server(tmp / "export-data", samples, demo=False)
    try:
        day0 = datetime.now(UTC) - timedelta(days=n_walks + 1)
        for i in range(n_walks):
            # each walk its own step rate: the same walk uploaded twice is refused
            path = write_walk_csv(tmp / "export-walk.csv", duration_s=walk_s, step_hz=1.6 + 0.01 * i)
            with path.open("rb") as fh:
                r = server.client.post(
                    "/api/uploads",
                    files={"file": (f"walk{i}.csv", fh)},
                    data={"placement": "lower_back", "started_at": (day0 + timedelta(days=i)).isoformat()},
                    timeout=120,
                )
            r.raise_for_status()
        rss_before = _peak_rss_mb(server.proc.pid)
        t0 = time.perf_counter()
        first_s, size = None, 0
        with server.client.stream("GET", "/api/export?samples=1", timeout=600) as r:
            r.raise_for_status()
            for piece in r.iter_raw():
                if first_s is None:
                    first_s = time.perf_counter() - t0
                size += len(piece)
        total_s = time.perf_counter() - t0
        print(
            f"export all with samples, {n_walks} walks of {walk_s / 60:.0f} min ({n_walks * walk_s / 60:.0f} min, "
            f"{size / 1e6:.0f} MB): first byte after {first_s:.2f} s, last after {total_s:.1f} s; server peak memory "
            f"{_peak_rss_mb(server.proc.pid):.0f} MB ({rss_before:.0f} MB before the export)"
        )
    finally:
        server.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (10 min upload, 200 k rows, 10 s feeds)")
    sections = ("upload", "store", "feeds", "paint", "coaching", "export")
    parser.add_argument("--only", choices=sections, action="append", help="run only these")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        samples = tmp / "samples"
        samples.mkdir()
        write_walk_csv(samples / "demo_walk.csv", duration_s=600.0)
        (samples / "demo_walk.reference.json").write_text(json.dumps({"placement": "lower_back"}))
        only = set(args.only or sections)
        if "upload" in only:
            bench_upload(tmp, samples, 600.0 if args.quick else 3600.0)
        if "store" in only:
            bench_big_store(tmp, samples, 200_000 if args.quick else 1_000_000)
        if "coaching" in only:
            bench_coaching_year(tmp, samples, 50 if args.quick else 200, 1900)
        if "export" in only:
            bench_export(tmp, samples, 10 if args.quick else 40, 1200.0)
        if "feeds" in only:
            bench_feeds(tmp, samples, 50, 10.0 if args.quick else 20.0)
        if "paint" in only:
            bench_first_paint(tmp, samples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
