"""Replay a recording as a live stream of chunks: the live demo and tests without Bluetooth."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator

import numpy as np

from gait.types import Chunk, Recording
from ingest.errors import IngestError


async def replay_chunks(recording: Recording, *, speed: float = 1.0, chunk_s: float = 0.1) -> AsyncIterator[Chunk]:
    """Yield a recording's samples as :class:`~gait.types.Chunk` objects, paced like a live sensor.

    Each chunk holds the samples of ``chunk_s`` seconds of recording time and is released when that much time
    (divided by ``speed``) has passed since the start, against the event loop's clock so that pacing errors do not
    accumulate. Times keep the recording's own time axis.

    Parameters
    ----------
    recording
        What to replay.
    speed
        1.0 is real time, 10.0 ten times faster, ``math.inf`` as fast as the consumer takes chunks.
    chunk_s
        Recording time per chunk in seconds.

    Raises
    ------
    IngestError
        For a non-positive speed or chunk length, or an empty recording.
    """
    if not speed > 0 or not chunk_s > 0:
        raise IngestError(
            f"replay needs speed > 0 and chunk_s > 0 (got speed={speed}, chunk_s={chunk_s})", reason="bad_setting"
        )
    n = recording.n_samples
    if n == 0:
        raise IngestError("replay: the recording holds no samples", reason="empty")
    time_s = np.asarray(recording.time_s, dtype=float)
    t0 = float(time_s[0])
    # chunk boundaries on the recording's time axis
    edges = np.searchsorted(time_s, t0 + chunk_s * np.arange(1, math.ceil((time_s[-1] - t0) / chunk_s) + 2))
    loop = asyncio.get_running_loop()
    start = loop.time()
    first = 0
    for k, last in enumerate(edges):
        if last <= first:
            continue
        if math.isfinite(speed):
            due = start + (k + 1) * chunk_s / speed
            await asyncio.sleep(max(0.0, due - loop.time()))
        else:
            await asyncio.sleep(0)  # let the consumer's other tasks run
        gyr = None if recording.gyr_dps is None else recording.gyr_dps[first:last]
        yield Chunk(time_s[first:last], recording.acc_ms2[first:last], gyr)
        first = int(last)
        if first >= n:
            return


__all__ = ["replay_chunks"]
