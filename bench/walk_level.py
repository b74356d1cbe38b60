"""How a walk's own level changes stride coaching when there is no personal baseline (``python -m bench.walk_level``).

For each real recording (the sample recordings, and longer ones from the shared development data when present) it
analyses the walk as an upload would, with a body height chosen so that the population line (2 x 0.0035 x height x
cadence) sits a given share above or below the walker's own strides, and coaches it as just after back pain
(default 10 % reduction, 0.05 m tolerance, confidence 0.6):

* before: every trusted stride judged against the population target (0.9 x population line);
* after: :class:`gait.coach.StrideJudge`, the walk's first 20 trusted strides setting its level.

It prints, per recording and offset, the trusted strides, the strides flagged before and after, and how far below
the walker's own median stride (at their median cadence) the effective target sits before and after.

Each walk is analysed with its walker's own height (its reference file's, else the assumed 1.70 m; a phone as
calibrated, a factor of 1, since an uncalibrated phone's strides are never trusted), and the coach is given the
height that puts the population line the given share off those strides: the mismatch between the population line
and how the sensor's model measures this walker that the walk's own level removes. (For a foot sensor, whose
strides do not depend on the height, this is exactly an upload with that profile height.)
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.datasets import data_root
from gait.analysis import analyze
from gait.coach import CoachSettings, PainReport, StrideJudge, plan_coaching, population_baseline, stride_flag
from gait.coach.baseline import trusted_strides
from gait.types import Placement, Recording, StrideEvent
from ingest import load

REPO = Path(__file__).resolve().parent.parent
NOW_S = 1_800_000_000.0
SETTINGS = CoachSettings(enabled=True)
PHONE_PLACEMENTS = (Placement.POCKET, Placement.HAND, Placement.WAIST)

DEV_RECORDINGS: tuple[tuple[str, str, Placement, float | None], ...] = (
    ("gaitpy GENEActiv lumbar (1.77 m)", "gaitpy_demo_geneactiv_lumbar/demo_data.csv", Placement.LOWER_BACK, 1.77),
    (
        "MetaWear lumbar",
        "ble_sensor_exports/metawear_metamotion_lumbar_chenliseu/Accelerometer.csv",
        Placement.LOWER_BACK,
        None,
    ),
    (
        "Sensor Logger long walk (pocket)",
        "phone_exports/sensor_logger_android_header_edited/Longwalking.csv",
        Placement.POCKET,
        None,
    ),
)
"""Longer real recordings of the shared development data: (label, path under the data root, placement, height)."""


@dataclass
class Row:
    """One recording at one offset of the population line."""

    name: str
    offset: float
    height_m: float
    strides: int
    trusted: int
    median_m: float
    flagged_before: int
    flagged_after: int
    below_before: float
    below_after: float | None
    judged_after: int


def _recordings(root: Path) -> Iterator[tuple[str, Recording, Placement]]:
    from service.demo import list_samples, sample_recording

    for path in list_samples(REPO / "sample_recordings"):
        rec = sample_recording(path)
        yield path.stem, rec, rec.placement or Placement.LOWER_BACK
    for label, rel, placement, height in DEV_RECORDINGS:
        path = root / rel
        if path.exists():
            rec = load(path, placement=placement)
            yield label, (rec if height is None else Recording(**{**rec.__dict__, "body_height_m": height})), placement


def _trusted(strides: list[StrideEvent]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    length = np.array([np.nan if s.length_m is None else s.length_m for s in strides], dtype=float)
    cadence = np.array([s.cadence_spm for s in strides], dtype=float)
    ok = trusted_strides(length, np.array([s.confidence for s in strides]), cadence, SETTINGS.min_confidence)
    return ok, length, cadence


def measure(name: str, rec: Recording, placement: Placement, offset: float) -> Row:
    """Flags before and after for one recording with the population line ``offset`` off its strides."""
    # a phone's strides are trusted only once calibrated (as the QA walker's were): a factor of 1 stands for that
    scale = 1.0 if placement in PHONE_PLACEMENTS else None
    strides = analyze(rec, placement=placement, body_height_m=rec.body_height_m or 1.7, stride_scale=scale).strides
    ok, length, cadence = _trusted(strides)
    if not ok.any():
        return Row(name, offset, float("nan"), len(strides), 0, float("nan"), 0, 0, float("nan"), None, 0)
    # the population line is proportional to height: the height putting it ``offset`` off the median stride ratio
    ratio_1m = float(np.median(population_baseline(1.0).stride_length_m(cadence[ok]) / length[ok]))
    height_m = (1.0 + offset) / ratio_1m
    plan = plan_coaching([], [PainReport(NOW_S - 3600.0, 5)], SETTINGS, body_height_m=height_m, now_s=NOW_S)
    median_m, median_cad = float(np.median(length[ok])), float(np.median(cadence[ok]))
    # the coach before: every stride against the population target (as the old flagger judged each stride)
    before = [
        stride_flag(
            s.length_m,
            s.confidence,
            float(plan.target_stride_m(s.cadence_spm)),
            tolerance_m=SETTINGS.tolerance_m,
            min_confidence=SETTINGS.min_confidence,
        )
        for s in strides
    ]
    judge = StrideJudge(plan, SETTINGS)
    verdicts = [judge(s) for s in strides]
    usual_after = judge.usual_stride_m(median_cad)
    return Row(
        name=name,
        offset=offset,
        height_m=height_m,
        strides=len(strides),
        trusted=int(ok.sum()),
        median_m=median_m,
        flagged_before=sum(f is True for f in before),
        flagged_after=sum(v[1] is True for v in verdicts),
        below_before=1.0 - float(plan.target_stride_m(median_cad)) / median_m,
        below_after=None if usual_after is None else 1.0 - usual_after * (1.0 - plan.reduction) / median_m,
        judged_after=judge.n_judged,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offsets", type=float, nargs="+", default=[-0.2, -0.12, 0.12, 0.2])
    args = parser.parse_args(argv)
    root = data_root()
    print(
        f"{'recording':42} {'line':>6} {'height':>6} {'strides':>7} {'trusted':>7} {'median':>6} "
        f"{'flagged before':>14} {'after':>5} {'judged':>6} {'target below own median: before':>31} {'after':>6}"
    )
    for name, rec, placement in _recordings(root):
        for offset in args.offsets:
            row = measure(name, rec, placement, offset)
            if row.trusted == 0:
                print(f"{name:42} {'':>6} {'':>6} {row.strides:7d} {0:7d}   no trusted stride: never judged")
                break
            after = "-" if row.below_after is None else f"{100 * row.below_after:5.1f}%"
            print(
                f"{name:42} {100 * row.offset:+5.0f}% {row.height_m:6.2f} {row.strides:7d} {row.trusted:7d} "
                f"{row.median_m:6.2f} {row.flagged_before:14d} {row.flagged_after:5d} {row.judged_after:6d} "
                f"{100 * row.below_before:30.1f}% {after:>6}"
            )


if __name__ == "__main__":
    main()
