"""Can the signal tell a phone in a trouser pocket from a sensor on the lower back? (Not built into the analysis:
this prints the figures that decided it.)

A thigh swings the gravity direction of a phone in a front pocket by tens of degrees per stride; the lower back
turns little. The feature: the acceleration low-passed at ``--lp-hz``, as a unit vector; per stride (from the
analysis, pocket model for phones, lower-back model for trunk sensors) the 95th percentile of its angle from the
stride's mean direction; the recording's median over its strides. Run::

    python -m bench.pocket_vs_trunk            # every lower-back and pocket recording of ../shared/data/dev
    python -m bench.pocket_vs_trunk --lp-hz 4  # the acceleration's angle up to 4 Hz (impacts included)

Figures (2026-11-27; per stride as above; 67 lower-back recordings of mobgap (its 9 lab trials, after
``bench/setup_mobgap.sh``) and IPOL, 12 Oxford phones of 3 walkers in a front or back pocket; 5 strides or more each):

- at 2 Hz (the gravity direction): lower back 4.2-10.7 degrees (9.9 without the mobgap daily-living trials), front
  pocket 18.9-25.3, back pocket 9.4-17.1. A back pocket overlaps the lower back: not told apart.
- at 4 Hz (impacts included): lower back 6.7-15.3, pocket 18.3-42.3: a gap of 3 degrees, set by one walker's two
  back-pocket recordings (18.3, 18.4); the two phyphox phone exports of unknown placement, upright as in a
  trouser pocket (phone_exports/phyphox_acc_gyro_dfb_lab), give 13.1 and 12.5 (2 Hz: 9.2, 8.3), inside the lower
  back's range; the GENEActiv on a lower back (gaitpy demo) 10.6 (2 Hz: 8.0). A threshold there would be tuned to a
  few files.

So no placement warning is built on it: only a front (thigh) pocket stands apart, and "pocket" includes the back.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from scipy.signal import butter, sosfiltfilt

from bench.datasets import load_all
from gait.analysis import analyze
from gait.types import Placement, Recording

MIN_STRIDES = 5


def swing_deg(recording: Recording, placement: Placement, lp_hz: float) -> tuple[float, int]:
    """Median over strides of the 95th percentile of the low-passed acceleration's angle from its stride mean
    (degrees), and the strides it rests on."""
    t = recording.time_s
    rate_hz = 1.0 / float(np.median(np.diff(t)))
    sos = butter(2, min(lp_hz, 0.45 * rate_hz), fs=rate_hz, output="sos")
    low = sosfiltfilt(sos, recording.acc_ms2, axis=0)
    unit = low / np.linalg.norm(low, axis=1, keepdims=True)
    per_stride = []
    for stride in analyze(recording, placement=placement).strides:
        a, b = np.searchsorted(t, [stride.start_s, stride.end_s])
        if b - a < 3:
            continue
        mean = unit[a:b].mean(axis=0)
        mean /= np.linalg.norm(mean)
        per_stride.append(np.percentile(np.degrees(np.arccos(np.clip(unit[a:b] @ mean, -1.0, 1.0))), 95))
    return (float(np.median(per_stride)) if per_stride else float("nan")), len(per_stride)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the feature's range per placement group."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--lp-hz", type=float, default=2.0, help="low-pass cut-off (default 2 Hz: gravity direction)")
    args = parser.parse_args(argv)
    groups: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for ref in load_all(["mobgap_lab", "ipol_healthy_gait", "oxford_step_counter"]):
        if ref.placement not in (Placement.LOWER_BACK, Placement.POCKET):
            continue
        value, strides = swing_deg(ref.recording, ref.placement, args.lp_hz)
        if strides >= MIN_STRIDES:
            groups[ref.group].append((value, ref.name))
    for group, values in sorted(groups.items()):
        v = np.array([x for x, _ in values])
        low, high = min(values), max(values)
        print(
            f"{group:20s} n={len(v):3d}  min {v.min():5.1f} ({low[1]})  median {np.median(v):5.1f}  "
            f"max {v.max():5.1f} ({high[1]})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
