"""Which calibrated phone strides the coach would trust, and how many of those are not one true stride.

Usage::

    .venv/bin/python -m bench.phone_confidence

A phone's stride length comes from a step model with the walker's personal factor; the coach judges only strides
of confidence >= 0.6 (a calibrated phone stride starts at 0.8, halved per doubt, :mod:`gait.confidence`). The
Oxford walks have no stride lengths, but their pressure pads tell whether a detected stride spans one true stride:
its duration within 25 % of the reference stride (two reference steps) that starts at the reference contact nearest
its start. Each walk is analysed as calibrated (factor 1); strides with both ends inside the reference walking spans
are counted. Per carry position: strides, share trusted, share spanning one stride, and the share of trusted /
untrusted strides that do not (a good confidence trusts many strides and few of the wrong ones).
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from bench import datasets
from bench.metrics import in_spans
from gait.analysis import analyze

COACH_MIN_CONFIDENCE = 0.6
ONE_STRIDE_TOLERANCE = 0.25
POSITIONS = ("InHand", "FrontPocket", "BackPocket", "Purse")  # the carry positions with a stride-length model


def main(argv: Sequence[str] | None = None) -> int:
    """Print the table; returns the exit status."""
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    counts: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(4))  # strides, trusted, one stride, trusted+wrong
    for ref in datasets.load_dataset("oxford_step_counter"):
        if ref.carry_position not in POSITIONS:
            continue
        ref_ic_s = ref.ref_ic_s
        for s in analyze(ref.recording, stride_scale=1.0).strides:
            if not in_spans(np.array([s.start_s, s.end_s]), ref.walking_spans).all():
                continue
            i = int(np.argmin(np.abs(ref_ic_s - s.start_s)))
            if i + 2 >= len(ref_ic_s):
                continue
            one_stride = abs(s.duration_s / (ref_ic_s[i + 2] - ref_ic_s[i]) - 1.0) < ONE_STRIDE_TOLERANCE
            trusted = s.confidence >= COACH_MIN_CONFIDENCE
            counts[ref.carry_position] += [1, trusted, one_stride, trusted and not one_stride]
    header = ("carry position", "strides", "trusted", "1 stride", "wrong|trusted", "wrong|untrusted")
    print("{:15s} {:>7s} {:>8s} {:>8s} {:>13s} {:>15s}".format(*header))
    for position in POSITIONS:
        n, trusted, one, trusted_wrong = counts[position]
        untrusted_wrong = (n - one) - trusted_wrong
        print(
            f"{position:15s} {int(n):7d} {trusted / n:8.3f} {one / n:8.3f} {trusted_wrong / max(trusted, 1):13.4f} "
            f"{untrusted_wrong / max(n - trusted, 1):15.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
