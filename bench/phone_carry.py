"""Can the signal tell a phone swinging with the thigh (trouser pocket) from one carried steadily (hand, bag, neck
pouch, arm band)? And what does each carry's step count become analysed as pocket and as hand? (Not built into the
analysis: this prints the figures that decided it, QA19b #5.)

A phone app's export does not say where the phone was; with no placement from the walker or the profile it is
analysed as a pocket, and two Oxford in-hand walks on carpet then count 27 % and 11 % too many steps (as hand: -3 %
and +1 %). Per Oxford step-counter recording (48 real walks of 3 walkers, 4 phones; carry and the authors' step
count in ``stats.csv``), over the 5 s windows (2.5 s apart) in which the phone moves throughout (standard deviation
of the acceleration norm over 1 s above 0.5 m/s^2; the step frequency is the acceleration norm's spectral peak in
1.2-2.8 Hz), the median over the windows of:

- ``stride``: the gravity direction's swing at the stride frequency (half the step frequency), in degrees: the
  amplitude of the unit vector of the acceleration low-passed at 3 Hz. A thigh swings once per stride.
- ``side``: the acceleration norm's amplitude at the stride frequency over its amplitude at the step frequency, in
  %. A phone at one side of the body (either pocket) feels its own leg's steps unlike the other leg's.
- ``p95``: the angle of the acceleration low-passed at 2 Hz from its window mean, 95th percentile, in degrees (the
  whole swing, as ``bench/pocket_vs_trunk.py`` measures it per stride).

and the steps the analysis finds as pocket and as hand against the authors' count. Then per carry the ranges,
whether the pockets (front and back) and the steady carries overlap, and what a rule that moves only the clearly
steady walks to hand (``--rule-stride-deg``, ``--rule-side-pct``) would do. Run::

    python -m bench.phone_carry [--rule-stride-deg 7] [--rule-side-pct 20]

No phone export of ``phone_exports`` says how its phone was carried (their SOURCE.txt: unknown, "presumably in
hand/pocket"): the Oxford walks are the only ones with a known carry.
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.signal import sosfiltfilt

import ingest
from bench.datasets import data_root
from gait.analysis import analyze
from gait.preprocess import lowpass_sos
from gait.types import Placement, Recording

RATE_HZ = 50.0
"""The grid the features are computed on (the Oxford phones sample irregularly at about 100-400 Hz)."""
WINDOW_S = 5.0
MOVING_STD_MS2 = 0.5
STEP_BAND_HZ = (1.2, 2.8)
MIN_WINDOWS = 4

POCKETS = ("FrontPocket", "BackPocket")
"""Carries that swing with the thigh."""
STEADY = ("InHand", "Purse", "NeckPouch", "Armband")
"""Carries held steadily by the trunk or an arm held still (the swinging arm is neither: it swings by itself)."""
CARRY_SPELLING = {"Backpocket": "BackPocket", "ArmBand": "Armband"}


@dataclass(frozen=True)
class CarryFeatures:
    """The features of one recording (medians over its moving windows; NaN with fewer than MIN_WINDOWS)."""

    stride_deg: float
    side_pct: float
    p95_deg: float
    windows: int


def carry_features(recording: Recording) -> CarryFeatures:
    """The gravity direction's swing at the stride frequency, the stride/step ratio of the acceleration norm and
    the whole swing of the gravity direction (module docstring), over the windows where the phone moves."""
    t = recording.time_s
    grid = np.arange(t[0], t[-1], 1.0 / RATE_HZ)
    acc = np.column_stack([np.interp(grid, t, recording.acc_ms2[:, i]) for i in range(3)])
    norm = np.linalg.norm(acc, axis=1)
    second = round(RATE_HZ)
    mean = uniform_filter1d(norm, second)
    moving = uniform_filter1d(norm * norm, second) - mean * mean > MOVING_STD_MS2**2
    low3 = sosfiltfilt(lowpass_sos(3.0, RATE_HZ), acc, axis=0)
    unit3 = low3 / np.linalg.norm(low3, axis=1, keepdims=True)
    low2 = sosfiltfilt(lowpass_sos(2.0, RATE_HZ), acc, axis=0)
    unit2 = low2 / np.linalg.norm(low2, axis=1, keepdims=True)
    n = round(WINDOW_S * RATE_HZ)
    tt = np.arange(n) / RATE_HZ
    freqs = np.fft.rfftfreq(n, 1.0 / RATE_HZ)
    band = (freqs > STEP_BAND_HZ[0]) & (freqs < STEP_BAND_HZ[1])
    rows = []
    for start in range(0, len(grid) - n + 1, n // 2):
        if moving[start : start + n].mean() < 0.9:
            continue
        seg = norm[start : start + n] - norm[start : start + n].mean()
        step_hz = freqs[band][np.argmax(np.abs(np.fft.rfft(seg * np.hanning(n)))[band])]
        at_stride, at_step = np.exp(-1j * np.pi * step_hz * tt), np.exp(-2j * np.pi * step_hz * tt)
        u = unit3[start : start + n] - unit3[start : start + n].mean(axis=0)
        # amplitude (radians, small angles) of the unit vector's oscillation at the stride frequency
        stride_deg = np.degrees(np.sqrt(np.sum(np.abs(u.T @ at_stride * 2 / n) ** 2)))
        side_pct = abs(seg @ at_stride) / abs(seg @ at_step) * 100
        w = unit2[start : start + n]
        centre = w.mean(axis=0) / np.linalg.norm(w.mean(axis=0))
        p95_deg = np.percentile(np.degrees(np.arccos(np.clip(w @ centre, -1.0, 1.0))), 95)
        rows.append((stride_deg, side_pct, p95_deg))
    if len(rows) < MIN_WINDOWS:
        return CarryFeatures(float("nan"), float("nan"), float("nan"), len(rows))
    med = np.median(np.array(rows), axis=0)
    return CarryFeatures(float(med[0]), float(med[1]), float(med[2]), len(rows))


def _steps(recording: Recording, placement: Placement) -> int:
    return int(analyze(recording, placement=placement).summary["steps"])


def _gap(pockets: list[float], steady: list[float]) -> str:
    """Whether the pockets lie above the steady carries (the side the feature should put them on)."""
    low, high = min(pockets), max(steady)
    return f"gap {low - high:.1f}" if low > high else f"overlap (pockets from {low:.1f}, steady up to {high:.1f})"


def main(argv: Sequence[str] | None = None) -> int:
    """Print the features and step counts per recording, the ranges per carry and the separation."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rule-stride-deg", type=float, default=7.0, help="rule: hand below this stride swing")
    parser.add_argument("--rule-side-pct", type=float, default=20.0, help="rule: ... and below this one-sidedness")
    args = parser.parse_args(argv)
    root = data_root()
    base = root / "oxford_step_counter" / "optimisation"
    if not base.is_dir():
        print(f"no Oxford step-counter data under {root}: nothing to measure")
        return 0
    with open(base / "stats.csv", newline="") as fh:
        rows = [[c.strip() for c in r] for r in csv.reader(fh)]
    found: list[tuple[str, str, CarryFeatures, float, float]] = []
    print(f"{'recording':36s} {'carry':12s} {'stride':>6s} {'side':>5s} {'p95':>5s} {'truth':>5s} {'pocket':>13s} hand")
    for row in rows[1:]:
        name, carry, truth = row[0], CARRY_SPELLING.get(row[3], row[3]), int(row[-1])
        path = base / "data" / name / "accelerometer.csv.gz"
        if not path.is_file():
            continue
        recording = ingest.load(path, format="oxford")
        f = carry_features(recording)
        pocket, hand = _steps(recording, Placement.POCKET), _steps(recording, Placement.HAND)
        err_pocket, err_hand = (pocket - truth) / truth * 100, (hand - truth) / truth * 100
        found.append((name, carry, f, err_pocket, err_hand))
        print(
            f"{name:36s} {carry:12s} {f.stride_deg:6.1f} {f.side_pct:5.1f} {f.p95_deg:5.1f} {truth:5d} "
            f"{pocket:5d} ({err_pocket:+5.1f}%) {hand:5d} ({err_hand:+5.1f}%)"
        )
    by_carry: dict[str, list[tuple[str, str, CarryFeatures, float, float]]] = defaultdict(list)
    for item in found:
        by_carry[item[1]].append(item)
    print("\nper carry: stride (deg) / side (%) / p95 (deg) min..max; steps as pocket, as hand (error min..max %)")
    for carry in (*POCKETS, *STEADY, *sorted(set(by_carry) - set(POCKETS) - set(STEADY))):
        items = by_carry.get(carry, [])
        if not items:
            continue

        def span(values: list[float]) -> str:
            return f"{min(values):5.1f}..{max(values):5.1f}"

        print(
            f"  {carry:12s} n={len(items):2d}  {span([x[2].stride_deg for x in items])}  "
            f"{span([x[2].side_pct for x in items])}  {span([x[2].p95_deg for x in items])}   "
            f"pocket {span([x[3] for x in items])}  hand {span([x[4] for x in items])}"
        )
    pockets = [x for x in found if x[1] in POCKETS]
    steady = [x for x in found if x[1] in STEADY]
    if not pockets or not steady:
        return 0
    print("\npockets (front and back) against the steady carries:")
    for label, key in (("stride", "stride_deg"), ("side", "side_pct"), ("p95", "p95_deg")):
        print(f"  {label:6s} {_gap([getattr(x[2], key) for x in pockets], [getattr(x[2], key) for x in steady])}")
    front = [x for x in pockets if x[1] == "FrontPocket"]
    back = [x for x in pockets if x[1] == "BackPocket"]
    print(
        f"  front pockets by stride: {_gap([x[2].stride_deg for x in front], [x[2].stride_deg for x in steady])}; "
        f"back pockets by side: {_gap([x[2].side_pct for x in back], [x[2].side_pct for x in steady])}"
    )
    stride_max, side_max = args.rule_stride_deg, args.rule_side_pct
    moved = [x for x in found if x[2].stride_deg < stride_max and x[2].side_pct < side_max]
    print(f"\nrule (not built): hand when stride < {stride_max:g} deg and side < {side_max:g} %: moves {len(moved)}")
    for carry in sorted({x[1] for x in found}):
        of = [x for x in moved if x[1] == carry]
        if of:
            print(
                f"  {carry:12s} {len(of):2d} of {len(by_carry[carry]):2d}: as pocket "
                f"{min(x[3] for x in of):+5.1f}..{max(x[3] for x in of):+5.1f} %, as hand "
                f"{min(x[4] for x in of):+5.1f}..{max(x[4] for x in of):+5.1f} %"
            )
    margin = [
        max(x[2].stride_deg / stride_max, x[2].side_pct / side_max)
        for x in found
        if x[1] not in STEADY and x not in moved
    ]
    # how far outside the rule's box the pocket (and swinging-arm) walk nearest to it lies, in thresholds
    print(f"  nearest pocket or swinging-arm walk: {min(margin):.2f} x its threshold" if margin else "")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
