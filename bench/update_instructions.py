"""Instruction count of one live streaming update, for valgrind (wall time on a shared VM wobbles by 40 %).

Usage::

    OPENBLAS_NUM_THREADS=1 PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.%p \\
        .venv/bin/python -m bench.update_instructions 300
    (the same with 900)

Builds the lower-back tracker and the recording of ``bench.throughput``'s streaming part (real walks and rest,
100 Hz, acceleration and gyroscope, seed 1), warms a first tracker up on 200 chunks as that benchmark does, then
feeds a fresh tracker ``N`` chunks of 10 samples. Everything but the ``N`` updates is the same for every ``N``
(the recording and the chunks are built for ``MAX_CALLS`` updates), so ``(total(900) - total(300)) / 600`` from
the two runs' ``summary:`` lines (``callgrind_annotate`` prints them) is the cost of one update in instructions:
repeatable to a few hundred, where its wall time is not. ``--profile`` runs cProfile over the updates instead.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
from collections.abc import Sequence

from bench.throughput import FS_HZ, build_day
from gait.tracker import GaitTracker
from gait.types import Chunk, Placement

MAX_CALLS = 2000
CHUNK = 10
WARM_UP_CALLS = 200


def chunks(n_calls: int = MAX_CALLS) -> list[Chunk]:
    """The 10-sample chunks of ``bench.throughput``'s streaming recording (seed 1), as it cuts them."""
    rec = build_day(n_calls * CHUNK / FS_HZ / 3600 + 0.01, seed=1)
    return [
        Chunk(rec.time_s[i : i + CHUNK], rec.acc_ms2[i : i + CHUNK], rec.gyr_dps[i : i + CHUNK])
        for i in range(0, n_calls * CHUNK, CHUNK)
    ]


def new_tracker() -> GaitTracker:
    """The tracker ``bench.throughput`` times."""
    return GaitTracker(placement=Placement.LOWER_BACK, body_height_m=1.70)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m bench.update_instructions", description=__doc__.split("\n\n")[0])
    parser.add_argument("calls", type=int, help=f"updates to feed (at most {MAX_CALLS})")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the updates")
    args = parser.parse_args(argv)
    if not 0 <= args.calls <= MAX_CALLS:
        parser.error(f"calls must be 0-{MAX_CALLS}")
    feed = chunks()
    warm = new_tracker()
    for c in feed[:WARM_UP_CALLS]:  # first-call costs (imports, caches) are not the steady state
        warm.update(c)
    tracker = new_tracker()
    profile = cProfile.Profile() if args.profile else None
    if profile is not None:
        profile.enable()
    n_events = 0
    for c in feed[: args.calls]:
        n_events += len(tracker.update(c))
    if profile is not None:
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)
    print(f"{args.calls} updates, {n_events} events")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
