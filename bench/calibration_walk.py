"""How long must a calibration walk be? (The figures behind ``gait.stride_length.CALIBRATION_WALK_MIN_M`` and
``CALIBRATION_WALK_GOOD_M``.)

A factor fitted from a walk of known distance is the distance walked over the model's distance. A short walk is
mostly starting and stopping: about two strides at each end are shorter than the walker's usual ones (and the model
misjudges them differently), and where the walk starts and ends against the measured line is uncertain by about a
step. Both weigh as their share of the walk, so a factor's error shrinks with the walk's length. Run::

    python -m bench.calibration_walk     # every figure below (mobgap after bench/setup_mobgap.sh for MS_001)

It prints, from the real recordings of ``../shared/data/dev``:

- mobgap lab (lower back, INDIP stride lengths): each walker's factor from each of the two straight-walk trials
  (Test5, 7 reference strides: the factor that maps the matched model strides' total onto the reference's), and
  the stride-length mean absolute error of the walker's daily-living trial (Test11) and of the other straight walk
  without a factor and with it;
- mobgap lab: the factor of the first and last two matched strides of each reference bout of 8 strides or more
  against that of the strides between them (starting and stopping against walking);
- IPOL (lower back and both feet, stand, 10 m, U-turn, 10 m back, stop; the shared copy holds subjects 1-10):
  the known-distance factor as ``gait calibrate`` fits it, 20 m over the analysis' distance per trial, and 10 m
  over each straight half's; the spread of each subject's factors over their trials (coefficient of variation,
  max - min over the mean), median over the subjects;
- gaitmap (one 2 x 20 m walk with a turn, a sensor on each foot): 40 m over each foot's distance.

Figures (2026-11-27):

- mobgap HA_001: 1.098 (Trial1) and 1.015 (Trial2); daily-living MAE 0.145 m without a factor, 0.214 with
  Trial1's, 0.153 with Trial2's (the best factor for it is 0.894); Trial2's own MAE 0.059 -> 0.105 with Trial1's.
  MS_001: 1.004 and 0.998 (0.6 % apart), daily-living MAE 0.149 with either.
- mobgap starting and stopping strides: factor 0.834 (24 strides) against 0.969 (53 strides between them): the
  model overestimates them by about 14 % more than the others.
- IPOL 20 m (whole trial): within-subject CV 3.1 % lower back, 4.9 % left foot, 3.8 % right foot (max - min 8.5,
  12.2, 9.9 %); 10 m (each straight): CV 9.2, 9.1, 9.5 % (max - min 32-34 %). Median factors at 20 m: lower back
  1.131, feet 1.016 and 1.025.
- gaitmap 40 m: left foot 1.030, right foot 1.001 (2.8 % apart for one walk).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from bench.datasets import REPO_ROOT, RefRecording, load_dataset
from bench.metrics import StrideMatch, match_strides
from gait.analysis import Analysis, analyze, strides_spanned
from ingest.gait_csv import read_gait_csv

END_STRIDES = 2  # starting (or stopping) strides at each end of a walk
IPOL_STRAIGHT_M = 10.0  # the protocol's straight walk, each way
GAITMAP_WALK_M = 40.0  # 2 x 20 m with a turn (the reference file's description)


def _analysis(rec: RefRecording) -> Analysis:
    return analyze(
        rec.recording, placement=rec.placement, body_height_m=rec.body_height_m, sensor_height_m=rec.sensor_height_m
    )


def _matched(rec: RefRecording, result: Analysis) -> list[StrideMatch]:
    est = [(s.start_s, s.end_s, s.length_m) for s in result.strides]
    return [m for m in match_strides(rec.ref_strides, est) if np.isfinite(m.est_length_m)]


def _factor(matches: list[StrideMatch]) -> float:
    return float(sum(m.ref_length_m for m in matches) / sum(m.est_length_m for m in matches))


def _mae_m(matches: list[StrideMatch], factor: float = 1.0) -> float:
    return float(np.mean([abs(factor * m.est_length_m - m.ref_length_m) for m in matches]))


def mobgap_figures() -> None:
    """Each walker's straight-walk factors, what they do to the daily-living error, and the end strides' factor."""
    matched = {}
    for rec in load_dataset("mobgap_lab"):
        matched[rec.name] = (rec, _matched(rec, _analysis(rec)))
    walkers = sorted({name.rsplit("_Test", 1)[0] for name in matched})
    print("mobgap lab, lower back: factor from each straight walk (Test5), stride-length MAE (m) with it")
    for walker in walkers:
        trials = {t: matched.get(f"{walker}_Test5_{t}", (None, []))[1] for t in ("Trial1", "Trial2")}
        daily = matched.get(f"{walker}_Test11_Trial1", (None, []))[1]
        if not all(trials.values()) or not daily:
            print(f"  {walker}: no reference stride lengths")
            continue
        factors = {t: _factor(m) for t, m in trials.items()}
        line = ", ".join(f"{t} {f:.3f}" for t, f in factors.items())
        print(f"  {walker}: factors {line} ({abs(factors['Trial1'] / factors['Trial2'] - 1):.1%} apart)")
        with_each = ", ".join(f"with {t}'s {_mae_m(daily, f):.3f}" for t, f in factors.items())
        print(f"    daily living: {_mae_m(daily):.3f} without, {with_each} (best factor {_factor(daily):.3f})")
        for own, other in (("Trial1", "Trial2"), ("Trial2", "Trial1")):
            print(
                f"    {own}: {_mae_m(trials[own]):.3f} without, {_mae_m(trials[own], factors[other]):.3f} "
                f"with {other}'s"
            )
    ends, middles = [], []
    for rec, matches in matched.values():
        for start_s, end_s, _ in rec.ref_bouts:
            bout = sorted(
                (m for m in matches if start_s - 0.01 <= m.ref_start_s and m.ref_end_s <= end_s + 0.01),
                key=lambda m: m.ref_start_s,
            )
            if len(bout) >= 4 * END_STRIDES:
                ends += bout[:END_STRIDES] + bout[-END_STRIDES:]
                middles += bout[END_STRIDES:-END_STRIDES]
    print(
        f"  starting and stopping strides (first and last {END_STRIDES} of bouts of {4 * END_STRIDES}+): factor "
        f"{_factor(ends):.3f} ({len(ends)} strides); the strides between them {_factor(middles):.3f} "
        f"({len(middles)})"
    )


def _window_distance_m(result: Analysis, start_s: float, end_s: float) -> float:
    """The model's distance over a time window, as the analysis counts a bout's (mean length x strides spanned)."""
    steps = sum(start_s <= s.t_s <= end_s for s in result.steps)
    lengths = [s.length_m for s in result.strides if start_s <= s.start_s and s.end_s <= end_s and s.length_m]
    if steps < 3 or not lengths:
        return float("nan")
    return float(np.mean(lengths)) * strides_spanned(steps, result.placement)


def _spread(factors_by_subject: dict[int, list[float]]) -> str:
    subjects = [np.asarray(f) for f in factors_by_subject.values() if len(f) >= 3]
    cv = np.median([f.std(ddof=1) / f.mean() for f in subjects])
    span = [(f.max() - f.min()) / f.mean() for f in subjects]
    return f"CV {cv:.1%}, max - min {np.median(span):.1%} (largest {max(span):.1%}; {len(subjects)} subjects)"


def ipol_figures() -> None:
    """The known-distance factor of each IPOL trial (20 m) and straight (10 m), spread within each subject."""
    whole: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    half: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for rec in load_dataset("ipol_healthy_gait"):
        sensor, subject = rec.name.rsplit("_", 1)[1], rec.extra["subject"]
        result = _analysis(rec)
        ((turn_start_s, turn_end_s),) = rec.turns_s
        if result.distance_m > 0:
            whole[sensor][subject].append(2 * IPOL_STRAIGHT_M / result.distance_m)
        for start_s, end_s in ((0.0, turn_start_s), (turn_end_s, np.inf)):
            straight_m = _window_distance_m(result, start_s, end_s)
            if straight_m > 0:
                half[sensor][subject].append(IPOL_STRAIGHT_M / straight_m)
    print("IPOL: known-distance factor, spread of each subject's factors over their trials (median over subjects)")
    for sensor in sorted(whole):
        median = np.median([f for fs in whole[sensor].values() for f in fs])
        print(f"  {sensor}: 20 m (whole trial) {_spread(whole[sensor])}, median factor {median:.3f}")
        print(f"  {sensor}: 10 m (each straight) {_spread(half[sensor])}")


def gaitmap_figures() -> None:
    """One 40 m walk, a sensor on each foot: the factor each gives."""
    factors = {}
    for side in ("left", "right"):
        rec = read_gait_csv(REPO_ROOT / "sample_recordings" / f"gaitmap_{side}_foot.csv")
        factors[side] = GAITMAP_WALK_M / analyze(rec, placement="foot").distance_m
    line = ", ".join(f"{side} foot {f:.3f}" for side, f in factors.items())
    print(f"gaitmap, one {GAITMAP_WALK_M:.0f} m walk: {line} ({abs(factors['left'] / factors['right'] - 1):.1%} apart)")


def main() -> int:
    """Print every figure."""
    mobgap_figures()
    ipol_figures()
    gaitmap_figures()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
