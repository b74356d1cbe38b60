"""Bout starts and left/right step asymmetry: how soon a walk's steps are found, on real and time-warped walks.

Usage::

    .venv/bin/python -m bench.asymmetry [--dataset NAME] [--group TEXT] [-v]
        [--warp RATIO [--phase 0|1] [--stride-scale K]]

Per reference walking bout: the delay from its first reference initial contact (IC) to the first detected step
inside it, and how many of its reference ICs come before its first matched one (missed at the bout's start);
per detected bout: the ratio of each detected step interval to the one before it (max / min), the figure the
bout-start regularity rule of :mod:`gait.tracker` tests. Summed per dataset and group (placement / carry
position, as in ``bench.accuracy``), with IC recall and F1 and the step count error.

``--warp R`` first time-warps every recording so that within each reference bout the two legs' steps alternate
with interval ratio R while every stride (reference IC i to i + 2) keeps its duration: the even-numbered ICs of
the bout stay, each odd-numbered one moves to split its stride R : 1 (``--phase 0``, the step that ends at it is
the long one) or 1 : R (``--phase 1``); the sample times are mapped piecewise-linearly between those knots
(identity outside the bouts), the sample values are kept, and the references, spans and bouts move with them.
It is real signal of a walker whose two legs' steps differ by R: a limp, or a phone that feels one leg's contact
later than the other's. A limping walker is usually slower than these healthy walkers: ``--stride-scale K`` also
slows every bout by K (its strides K times longer; the recording after it shifts later).
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from bench.datasets import BOUT_GAP_S, DATASETS, RefRecording, available, data_root, load_dataset, split_runs
from bench.metrics import IC_TOLERANCE_S, in_spans, match_ics, score_ics, step_count_error


def warp_knots(
    ref_ic_s: np.ndarray, ratio: float, phase: int, stride_scale: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Old and new times of the warp's knots: every reference IC, odd ones of each run moved (see module doc);
    with ``stride_scale`` every run is also slowed by that factor from its first IC on (what follows it shifts).

    Examples
    --------
    >>> old, new = warp_knots(np.array([0.0, 0.5, 1.0, 1.5, 2.0]), 2.0, 0)
    >>> [round(float(x), 3) for x in new]
    [0.0, 0.667, 1.0, 1.667, 2.0]
    >>> [round(float(x), 3) for x in warp_knots(np.array([0.0, 0.5, 1.0]), 1.0, 0, stride_scale=1.5)[1]]
    [0.0, 0.75, 1.5]
    """
    old: list[float] = []
    new: list[float] = []
    shift_s = 0.0  # how much later the runs before this one made it
    for run in split_runs(np.sort(np.asarray(ref_ic_s, dtype=float)), BOUT_GAP_S):
        moved = run[0] + shift_s + stride_scale * (run - run[0])
        share = ratio / (1.0 + ratio) if phase == 0 else 1.0 / (1.0 + ratio)
        for k in range(1, len(run) - 1, 2):
            moved[k] = moved[k - 1] + share * (moved[k + 1] - moved[k - 1])
        shift_s = moved[-1] - run[-1]
        old += run.tolist()
        new += moved.tolist()
    return np.asarray(old), np.asarray(new)


def warp_recording(ref: RefRecording, ratio: float, phase: int, stride_scale: float = 1.0) -> RefRecording:
    """The recording with its sample times, references, spans and bouts time-warped (see the module doc)."""
    old, new = warp_knots(ref.ref_ic_s, ratio, phase, stride_scale)
    if len(old) == 0:
        return ref
    t = ref.recording.time_s
    # Slope 1 outside the knots (before the first: identity; after the last: shifted by the slowing).
    lo, hi = min(t[0], old[0]) - 10.0, max(t[-1], old[-1]) + 10.0
    ko = np.concatenate(([lo], old, [hi]))
    kn = np.concatenate(([lo], new, [hi + new[-1] - old[-1]]))

    def fwd(x: np.ndarray | float) -> np.ndarray:
        return np.interp(x, ko, kn)

    rec = dataclasses.replace(ref.recording, time_s=fwd(t))
    return dataclasses.replace(
        ref,
        recording=rec,
        ref_ic_s=np.sort(fwd(ref.ref_ic_s)),
        ref_bouts=[(float(fwd(a)), float(fwd(b)), c) for a, b, c in ref.ref_bouts],
        walking_spans=[(float(fwd(a)), float(fwd(b))) for a, b in ref.walking_spans],
        ref_strides=[(float(fwd(a)), float(fwd(b)), m) for a, b, m in ref.ref_strides],
    )


@dataclass
class GroupFigures:
    """Figures of one group of recordings."""

    n_rec: int = 0
    n_ref: int = 0
    n_det: int = 0
    n_match: int = 0
    step_errors: list[float] = field(default_factory=list)
    start_delays_s: list[float] = field(default_factory=list)  # per reference bout with a detection
    missed_at_start: list[int] = field(default_factory=list)  # per reference bout
    bouts_without_step: int = 0
    det_ratios: list[float] = field(default_factory=list)
    ref_ratios: list[float] = field(default_factory=list)
    det_bouts: int = 0
    ref_bouts: int = 0
    restarts: int = 0  # a detected bout that starts inside a reference bout after another detected bout there
    missed_at_restarts: int = 0  # reference ICs between two detected bouts inside one reference bout


def interval_ratios(t_s: np.ndarray) -> np.ndarray:
    """max / min of each pair of consecutive intervals of sorted times."""
    d = np.diff(np.asarray(t_s, dtype=float))
    if len(d) < 2:
        return np.zeros(0)
    return np.maximum(d[1:], d[:-1]) / np.minimum(d[1:], d[:-1])


def score(ref: RefRecording, fig: GroupFigures, verbose: bool) -> None:
    """Analyse one recording and add its figures to ``fig``."""
    from gait.analysis import analyze

    res = analyze(
        ref.recording, placement=ref.placement, body_height_m=ref.body_height_m, sensor_height_m=ref.sensor_height_m
    )
    det = np.array([s.t_s for s in res.steps], dtype=float)
    ic = score_ics(ref.ref_ic_s, det, ref.walking_spans)
    fig.n_rec += 1
    fig.n_ref += ic.n_ref
    fig.n_det += ic.n_det
    fig.n_match += ic.n_match
    fig.step_errors.append(step_count_error(ref.ref_ic_s, det, ref.walking_spans))
    ref_ic = np.sort(ref.ref_ic_s)
    pairs = dict(match_ics(ref_ic, det, IC_TOLERANCE_S))
    line = []
    for a, b, _ in ref.ref_bouts:
        fig.ref_bouts += 1
        idx = np.flatnonzero((ref_ic >= a) & (ref_ic <= b))
        fig.ref_ratios += interval_ratios(ref_ic[idx]).tolist()
        inside = det[in_spans(det, [(a, b)], pad_s=IC_TOLERANCE_S)]
        matched = [i for i in idx if i in pairs]
        fig.missed_at_start.append(int(matched[0] - idx[0]) if matched else len(idx))
        if len(inside) == 0:
            fig.bouts_without_step += 1
            line.append("no step")
            continue
        fig.start_delays_s.append(float(inside[0] - ref_ic[idx[0]]))
        line.append(f"delay {inside[0] - ref_ic[idx[0]]:+.2f} s, missed {fig.missed_at_start[-1]}")
    for prev, bout in zip(res.bouts, res.bouts[1:], strict=False):
        if any(a <= prev.start_s and bout.start_s <= b for a, b, _ in ref.ref_bouts):
            fig.restarts += 1
            gap = (ref_ic > prev.end_s + IC_TOLERANCE_S) & (ref_ic < bout.start_s - IC_TOLERANCE_S)
            fig.missed_at_restarts += int(gap.sum())
    for bout in res.bouts:
        fig.det_bouts += 1
        steps = det[(det >= bout.start_s - 1e-9) & (det <= bout.end_s + 1e-9)]
        fig.det_ratios += interval_ratios(steps).tolist()
    if verbose:
        print(f"  {ref.name:<40} F1 {ic.f1:.3f} steps {ic.n_det}/{ic.n_ref} bouts {len(res.bouts)}: " + "; ".join(line))


def _q(x: Sequence[float], p: float) -> float:
    return float(np.percentile(x, p)) if len(x) else float("nan")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m bench.asymmetry", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", action="append", choices=DATASETS, help="only this dataset (repeatable)")
    parser.add_argument(
        "--group", action="append", help="only groups containing this text, e.g. pocket (repeatable: any of them)"
    )
    parser.add_argument("--warp", type=float, default=None, help="left/right step interval ratio to impose")
    parser.add_argument("--phase", type=int, choices=(0, 1), default=0, help="which steps of a bout are long")
    parser.add_argument(
        "--stride-scale", type=float, default=1.0, help="with --warp: also slow every bout by this factor"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per recording")
    args = parser.parse_args(argv)
    if not available():
        print(f"shared data not found at {data_root()}: nothing to measure")
        return 0
    groups: dict[tuple[str, str], GroupFigures] = {}
    for name in args.dataset or DATASETS:
        for ref in load_dataset(name, data_root()):
            if args.group and not any(g in ref.group for g in args.group):
                continue
            if args.warp is not None:
                ref = warp_recording(ref, args.warp, args.phase, args.stride_scale)
            fig = groups.setdefault((ref.dataset, ref.group), GroupFigures())
            if args.verbose and fig.n_rec == 0:
                print(f"{ref.dataset} {ref.group}")
            score(ref, fig, args.verbose)
    if args.warp is not None:
        print(
            f"time-warped: left/right step interval ratio {args.warp:g} (phase {args.phase}), strides "
            + ("kept" if args.stride_scale == 1.0 else f"slowed {args.stride_scale:g}x")
        )
    head = (
        f"{'dataset':<20} {'group':<20} {'n':>3} {'recall':>6} {'F1':>6} {'steps med%':>10} {'bouts':>6} "
        f"{'no step':>7} {'delay med s':>11} {'max s':>6} {'missed@start':>12} {'det bouts':>9} "
        f"{'det ratio med/p90/max >1.6':>27} {'ref ratio med/p90':>17} {'restarts (missed)':>17}"
    )
    print(head)
    print("-" * len(head))
    for (ds, group), f in groups.items():
        recall = f.n_match / f.n_ref if f.n_ref else float("nan")
        prec = f.n_match / f.n_det if f.n_det else float("nan")
        f1 = 2 * recall * prec / (recall + prec) if recall + prec > 0 else float("nan")
        dr = f.det_ratios
        share = float(np.mean(np.asarray(dr) > 1.6)) if dr else float("nan")
        print(
            f"{ds:<20} {group:<20} {f.n_rec:>3} {recall:>6.3f} {f1:>6.3f} {100 * np.nanmedian(f.step_errors):>10.1f} "
            f"{f.ref_bouts:>6} {f.bouts_without_step:>7} {_q(f.start_delays_s, 50):>11.2f} "
            f"{max(f.start_delays_s, default=float('nan')):>6.2f} "
            f"{sum(f.missed_at_start):>5} ({max(f.missed_at_start, default=0)} max) {f.det_bouts:>9} "
            f"{_q(dr, 50):>7.2f}/{_q(dr, 90):.2f}/{max(dr, default=float('nan')):.2f} {share:>6.2f} "
            f"{_q(f.ref_ratios, 50):>8.2f}/{_q(f.ref_ratios, 90):.2f} {f.restarts:>8} ({f.missed_at_restarts})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
