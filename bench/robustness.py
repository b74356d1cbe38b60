"""Robustness of ``gait.analysis.analyze`` to the faults of real, cheap sensors, against the references.

Usage::

    .venv/bin/python -m bench.robustness [--dataset NAME] [--perturbation NAME ...] [--limit N] [--carry]
                                         [--jobs N] [--json PATH]

The product will be judged on recordings from sensors and phones we do not have. ``bench.accuracy --rate``
checks slower and jittery sampling; this checks what else a cheap sensor does to a signal. Each perturbation
below turns every reference recording of ``bench.accuracy`` into what such a sensor would have recorded of the
same walk (the reference events are unchanged, on the same time axis), the recording is analysed and scored as
``bench.accuracy`` scores it (its loading, :func:`bench.accuracy.run`, its groups and targets), and one line per
perturbation and group prints IC F1, step count error median, cadence MAE per bout and stride length MAE beside
the unperturbed figure, with the detected strides, bouts and distance relative to the unperturbed analysis and
the recordings that got a new note (what the user is told). A value marked ``*`` misses a target of issue 2
that the unperturbed recording meets. Perturbations are seeded per recording (the same recording gets the same
calibration error or lost packets whatever else is run). A perturbation that leaves a recording unchanged (a
gyroscope fault on a phone without one, a clip no sample reaches) reuses its unperturbed result.

Writes ``bench/out/robustness.json``. Exits 0 with a clear message when the shared data are absent.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.accuracy import (
    TARGET_CADENCE_MAE_SPM,
    TARGET_IC_F1,
    TARGET_STEP_COUNT_MEDIAN_PCT,
    TARGET_STRIDE_MAE_M,
    GroupRow,
    RecordingResult,
    fmt,
    group_results,
    run,
)
from bench.datasets import DATASETS, RefRecording, available, data_root, load_dataset
from gait.consts import GRAVITY_MS2
from gait.types import Placement

OUT_DIR = Path(__file__).resolve().parent / "out"

Fault = Callable[[RefRecording, np.random.Generator], RefRecording | None]
"""A perturbation's kernel: the recording as the faulty sensor gives it, or None where it would be unchanged."""


# ----------------------------------------------------------------------------------------------------------------
# perturbations: each turns a reference recording into what a cheaper sensor would have recorded of the same walk
def _with_signals(
    ref: RefRecording,
    acc_ms2: np.ndarray | None = None,
    gyr_dps: np.ndarray | None = None,
    keep: np.ndarray | None = None,
) -> RefRecording | None:
    """The recording with new signals (and only the samples in ``keep``), or None when nothing changed."""
    rec = ref.recording
    acc = rec.acc_ms2 if acc_ms2 is None else acc_ms2
    gyr = rec.gyr_dps if gyr_dps is None else gyr_dps
    t = rec.time_s
    if keep is not None:
        t, acc, gyr = t[keep], acc[keep], None if gyr is None else gyr[keep]
    same = (
        len(t) == len(rec.time_s)
        and np.array_equal(acc, rec.acc_ms2)
        and (gyr is None or np.array_equal(gyr, rec.gyr_dps))
    )
    if same:
        return None
    return dataclasses.replace(ref, recording=dataclasses.replace(rec, time_s=t, acc_ms2=acc, gyr_dps=gyr))


def clip_acc(range_g: float) -> Fault:
    """Accelerometer range clipping at +-``range_g`` per axis.

    A MEMS accelerometer saturates at its full-scale range: every axis reads at most +-range. The BBC micro:bit,
    which we support, defaults to +-2 g; phones use 2-16 g; ``firmware_notes/PLACEMENT.md`` recommends 8 g on the
    back and 16 g on a shoe. A trunk's vertical axis carries gravity plus up to about 1-2 g of heel-strike
    shock, a pocket phone up to 4 g, and a shoe's heel strike exceeds 8 g (the gaitmap foot recordings are
    already clipped at 16 g).
    """
    limit = range_g * GRAVITY_MS2

    def apply(ref: RefRecording, rng: np.random.Generator) -> RefRecording | None:
        return _with_signals(ref, acc_ms2=np.clip(ref.recording.acc_ms2, -limit, limit))

    return apply


def clip_gyr(range_dps: float) -> Fault:
    """Gyroscope range clipping at +-``range_dps`` per axis.

    Cheap IMUs default to +-250 or +-500 deg/s (MPU-6050, LSM6DS3 at power-up). A shoe sensor's pitch rate in the
    swing reaches 300-620 deg/s in walking (the benchmark's foot recordings: up to 1,600 deg/s in fast IPOL
    walks), so a foot sensor left at its default range saturates in every swing; a trunk turns far slower.
    """

    def apply(ref: RefRecording, rng: np.random.Generator) -> RefRecording | None:
        gyr = ref.recording.gyr_dps
        return None if gyr is None else _with_signals(ref, gyr_dps=np.clip(gyr, -range_dps, range_dps))

    return apply


def quantise_acc(bits: int, range_g: float) -> Fault:
    """Accelerometer quantisation to ``bits`` signed bits over +-``range_g`` (the codes saturate at the range).

    The micro:bit's accelerometer in its 8-bit mode at +-2 g has steps of 4 g / 256 = 15.6 mg (0.15 m/s^2), the
    order of a slow walker's trunk bounce at the band-pass's lower corner; a 12-bit sensor at +-8 g has 3.9 mg.
    """
    lsb_ms2 = 2.0 * range_g * GRAVITY_MS2 / 2**bits
    lowest, highest = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1

    def apply(ref: RefRecording, rng: np.random.Generator) -> RefRecording | None:
        codes = np.clip(np.round(ref.recording.acc_ms2 / lsb_ms2), lowest, highest)
        return _with_signals(ref, acc_ms2=codes * lsb_ms2)

    return apply


def acc_calibration(scale: float = 0.03, offset_ms2: float = 0.3) -> Fault:
    """Accelerometer calibration error: per-axis scale within +-``scale`` and offset within +-``offset_ms2``.

    A MEMS accelerometer out of the box (no six-position calibration) has a sensitivity error of a few percent
    per axis and a zero-g offset of tens of mg (datasheets: +-3 %, +-40 to +-100 mg after soldering), more after
    temperature changes; phones calibrate some of it away, a DIY sensor none. Uniform, seeded per recording.
    """

    def apply(ref: RefRecording, rng: np.random.Generator) -> RefRecording | None:
        gain = 1.0 + rng.uniform(-scale, scale, 3)
        bias = rng.uniform(-offset_ms2, offset_ms2, 3)
        return _with_signals(ref, acc_ms2=ref.recording.acc_ms2 * gain + bias)

    return apply


def gyr_bias(low_dps: float = 1.0, high_dps: float = 3.0) -> Fault:
    """Gyroscope bias of ``low_dps``-``high_dps`` per axis, random sign (seeded per recording).

    A MEMS gyroscope's zero-rate offset is +-1 to +-5 deg/s out of the box and drifts with temperature. Strapdown
    integration (the foot's ZUPT) integrates it into orientation: 3 deg/s over a 1 s stride tilts the frame 3
    degrees, which leaks 0.5 m/s^2 of gravity into the horizontal.
    """

    def apply(ref: RefRecording, rng: np.random.Generator) -> RefRecording | None:
        gyr = ref.recording.gyr_dps
        if gyr is None:
            return None
        bias = rng.uniform(low_dps, high_dps, 3) * rng.choice([-1.0, 1.0], 3)
        return _with_signals(ref, gyr_dps=gyr + bias)

    return apply


def mount_rotated() -> Fault:
    """The sensor worn in another orientation: one random rotation (uniform over all orientations, seeded per
    recording) of its frame, applied to the accelerometer and the gyroscope alike.

    Our references' sensors sit in their makers' mounts (an INDIP clip at L5, Xsens straps, phones in the pocket
    as the walker put them); a DIY clip or a phone's case goes on any way up. The analysis estimates the vertical
    from gravity and the walking direction from the walk, so a rotated mount must change nothing but rounding.
    """
    from scipy.spatial.transform import Rotation

    def apply(ref: RefRecording, rng: np.random.Generator) -> RefRecording | None:
        turn = Rotation.random(random_state=rng)
        rec = ref.recording
        gyr = None if rec.gyr_dps is None else turn.apply(rec.gyr_dps)
        return _with_signals(ref, acc_ms2=turn.apply(rec.acc_ms2), gyr_dps=gyr)

    return apply


def packet_loss(share: float, min_s: float, max_s: float) -> Fault:
    """BLE packet loss: the stream in packets of ``min_s``-``max_s`` of samples, ``share`` of them lost.

    A BLE sensor sends a few to a few dozen samples per notification; a notification lost to interference (a
    body between sensor and phone, Wi-Fi, a busy central) takes its samples with it, and a sensor with a sample
    counter leaves a hole in the time axis (at 100 Hz a packet of 5-20 samples is a gap of 50-200 ms). Losses
    are independent per packet, so two in a row make a longer gap; a fade (the phone in the other pocket, a
    connection event missed several times) loses 0.3-1 s. Packet lengths are uniform in time, seeded per
    recording; the first and last sample are kept (the recording's span stays the same).
    """

    def apply(ref: RefRecording, rng: np.random.Generator) -> RefRecording | None:
        t = ref.recording.time_s
        lengths = rng.uniform(min_s, max_s, int((t[-1] - t[0]) / min_s) + 2)
        edges = t[0] + np.cumsum(lengths)
        lost = rng.random(len(edges) + 1) < share
        keep = ~lost[np.searchsorted(edges, t, side="right")]
        keep[[0, -1]] = True
        return _with_signals(ref, keep=keep)

    return apply


TEMPO_PLACEMENTS = (Placement.LOWER_BACK, Placement.WAIST)
"""Placements a tempo change is simulated for: a trunk turns a few degrees per stride, so a low-pass separates
gravity's direction from the walk's own acceleration (a shoe or a phone in a pocket turns tens of degrees per
stride, which a low-pass cannot separate)."""


def tempo(factor: float) -> Fault:
    """The same walk ``factor`` times quicker: every time divided by ``factor``, cadence multiplied by it.

    The data top out at 126 steps/min (IPOL fast walks), while our walkers' backs ache on brisk walks of 120-145
    steps/min; this stretches the recorded walks to cadences we have no recording of. Kinematics scaled in time:
    a trajectory ``x(t)`` walked ``f`` times quicker is ``x(f t)``, so its acceleration is ``f^2`` times larger
    and its turn rates ``f`` times, while gravity's direction follows the (quicker) trunk orientation. The
    acceleration is split into gravity (a 0.3 Hz zero-phase low-pass: a trunk's slow tilt) and the rest, which is
    scaled by ``f^2``; the samples keep their values at the new times (the rate rises by ``f``). The reference
    is mapped the same way: contact and bout times divided by ``f``, bout cadences multiplied by it, stride
    lengths unchanged (the same strides, walked quicker). Real brisk walking is not only quicker (longer strides,
    a harder heel strike), so this tests the timing rules and filters at those cadences, not the stride-length
    model. Only trunk placements (:data:`TEMPO_PLACEMENTS`).
    """
    from scipy import signal

    def apply(ref: RefRecording, rng: np.random.Generator) -> RefRecording | None:
        rec = ref.recording
        if ref.placement not in TEMPO_PLACEMENTS:
            return None
        fs_hz = (len(rec.time_s) - 1) / (rec.time_s[-1] - rec.time_s[0])
        sos = signal.butter(2, 0.3, fs=fs_hz, output="sos")
        gravity = signal.sosfiltfilt(sos, rec.acc_ms2, axis=0)
        acc = gravity + (rec.acc_ms2 - gravity) * factor**2
        gyr = None if rec.gyr_dps is None else rec.gyr_dps * factor

        def times(pairs: Sequence[tuple[float, ...]] | None) -> list[tuple[float, ...]] | None:
            return None if pairs is None else [(a / factor, b / factor, *rest) for a, b, *rest in pairs]

        return dataclasses.replace(
            ref,
            recording=dataclasses.replace(rec, time_s=rec.time_s / factor, acc_ms2=acc, gyr_dps=gyr),
            ref_ic_s=np.asarray(ref.ref_ic_s) / factor,
            ref_strides=times(ref.ref_strides),
            ref_bouts=[(a / factor, b / factor, c * factor) for a, b, c in ref.ref_bouts],
            walking_spans=times(ref.walking_spans),
            turns_s=times(ref.turns_s),
        )

    return apply


@dataclass(frozen=True)
class Perturbation:
    """A named sensor fault: ``apply(ref, rng)`` returns the recording as the faulty sensor gives it (None where
    it would be unchanged)."""

    name: str
    apply: Fault
    what: str


PERTURBATIONS: dict[str, Perturbation] = {
    p.name: p
    for p in (
        Perturbation("acc_clip_2g", clip_acc(2.0), "accelerometer clipped at +-2 g per axis (micro:bit default)"),
        Perturbation("acc_clip_4g", clip_acc(4.0), "accelerometer clipped at +-4 g"),
        Perturbation("acc_clip_8g", clip_acc(8.0), "accelerometer clipped at +-8 g"),
        Perturbation("gyr_clip_250", clip_gyr(250.0), "gyroscope clipped at +-250 deg/s"),
        Perturbation("gyr_clip_500", clip_gyr(500.0), "gyroscope clipped at +-500 deg/s"),
        Perturbation("acc_8bit_2g", quantise_acc(8, 2.0), "accelerometer 8-bit at +-2 g (15.6 mg steps)"),
        Perturbation("acc_12bit_8g", quantise_acc(12, 8.0), "accelerometer 12-bit at +-8 g (3.9 mg steps)"),
        Perturbation("acc_calib", acc_calibration(), "accelerometer scale +-3 % and offset +-0.3 m/s^2 per axis"),
        Perturbation("gyr_bias", gyr_bias(), "gyroscope bias 1-3 deg/s per axis"),
        Perturbation("mount_rotated", mount_rotated(), "sensor worn in a random orientation (whole recording)"),
        Perturbation("loss_1pct", packet_loss(0.01, 0.05, 0.2), "1 % of packets of 50-200 ms lost"),
        Perturbation("loss_5pct", packet_loss(0.05, 0.05, 0.2), "5 % of packets of 50-200 ms lost"),
        Perturbation("loss_fade", packet_loss(0.02, 0.3, 1.0), "2 % of 0.3-1 s stretches lost (fades)"),
        Perturbation("tempo_1.15", tempo(1.15), "trunk walks 15 % quicker (cadence 84-145 steps/min), see tempo()"),
        Perturbation("tempo_1.25", tempo(1.25), "trunk walks 25 % quicker (cadence 91-158 steps/min)"),
        Perturbation("tempo_0.8", tempo(0.8), "trunk walks 20 % slower (cadence 58-101 steps/min)"),
    )
}


def perturb(ref: RefRecording, perturbation: Perturbation, seed: int = 0) -> RefRecording | None:
    """Apply a perturbation to one recording with its own seed (from its dataset and name, so that a recording
    gets the same fault however the recordings are subset or ordered)."""
    key = zlib.crc32(f"{ref.dataset}:{ref.name}:{perturbation.name}".encode())
    return perturbation.apply(ref, np.random.default_rng([key, seed]))


# ----------------------------------------------------------------------------------------------------------------
# running and scoring
_REFS: list[RefRecording] = []  # the recordings, set before the worker processes fork


def _run_perturbation(name: str) -> tuple[str, list[list[RecordingResult] | None]]:
    """Per recording of ``_REFS``, its results under one perturbation (None where the recording is unchanged)."""
    out: list[list[RecordingResult] | None] = []
    for ref in _REFS:
        if name == "none":
            out.append(run([ref]))
            continue
        changed = perturb(ref, PERTURBATIONS[name])
        out.append(None if changed is None else run([changed]))
    return name, out


def _rows(results: Sequence[RecordingResult], carry: bool) -> dict[tuple[str, str], GroupRow]:
    """The primary (not ``uncut``) group rows, per dataset and placement (and carry position with ``carry``)."""
    return {
        (row.dataset, row.group): row
        for row in group_results(results)
        if not row.variant and (carry or "/" not in row.group)
    }


def row_figures(row: GroupRow) -> dict[str, Any]:
    """The figures of one group: its metrics plus detected strides, bouts and distance, and notes per recording."""
    m = row.metrics()
    c = row.confidence_metrics()
    return {
        **m,
        # What the coach judges: the matched strides with confidence >= its threshold, and their coverage.
        "stride_mae_confident_m": c["stride_mae_confident_m"],
        "stride_coverage_confident": c["stride_coverage_confident"],
        "n_det_strides": sum(r.n_det_strides for r in row.results),
        "n_det_bouts": sum(r.n_det_bouts for r in row.results),
        "distance_m": sum(r.distance_m or 0.0 for r in row.results),
        "targets_failed": sorted(t["target"] for t in row.targets() if not t["pass"]),
    }


def _failed(m: dict[str, Any], kind: str) -> dict[str, bool]:
    """Which of the four headline figures miss their target (False where the group has no such target)."""

    def above(v: float | None, limit: float) -> bool:
        return v is not None and v > limit

    return {
        "ic_f1": m["ic_f1"] is not None and m["ic_f1"] < TARGET_IC_F1[kind],
        "step_count_error_median_pct": above(m["step_count_error_median_pct"], TARGET_STEP_COUNT_MEDIAN_PCT),
        "cadence_mae_spm": above(m["cadence_mae_spm"], TARGET_CADENCE_MAE_SPM)
        or (m["n_bouts"] > 0 and m["n_bouts_missed"] > 0),
        "stride_mae_m": kind in TARGET_STRIDE_MAE_M and above(m["stride_mae_m"], TARGET_STRIDE_MAE_M[kind]),
    }


HEADER = (
    f"{'perturbation':<13} {'dataset':<10} {'group':<18} {'n':>3} {'F1 base -> now':>16} {'steps med% ->':>15} "
    f"{'cad MAE ->':>13} {'SL MAE m ->':>15} {'SL>=thr m (cov) ->':>25} {'strides':>7} {'bouts':>6} {'dist':>6} "
    f"{'notes':>6}"
)


def format_line(name: str, base: dict[str, Any], now: dict[str, Any], kind: str, n_noted: int) -> str:
    """One line: the perturbed figures beside the unperturbed ones; ``*`` where a target newly fails."""
    base_fail, now_fail = _failed(base, kind), _failed(now, kind)

    def pair(key: str, spec: str) -> str:
        mark = "*" if now_fail[key] and not base_fail[key] else " "
        return f"{fmt(base[key], spec)} -> {fmt(now[key], spec)}{mark}"

    def ratio(key: str) -> str:
        return f"{now[key] / base[key]:.2f}" if base[key] else "-"

    def judged(m: dict[str, Any]) -> str:
        return f"{fmt(m['stride_mae_confident_m'], '.3f')} ({fmt(m['stride_coverage_confident'], '.2f')})"

    confident = f"{judged(base)} -> {judged(now)}" if base["stride_n_ref"] else "-"
    dist = f"{100 * (now['distance_m'] / base['distance_m'] - 1):+.1f}%" if base["distance_m"] > 0 else "-"
    missed = f"{now['n_bouts_missed']}m" if now["n_bouts_missed"] and not base["n_bouts_missed"] else ""
    return (
        f"{name:<13} {now['dataset'][:10]:<10} {now['group']:<18} {now['n_recordings']:>3} "
        f"{pair('ic_f1', '.3f'):>16} {pair('step_count_error_median_pct', '.1f'):>15} "
        f"{pair('cadence_mae_spm', '.2f') + missed:>13} {pair('stride_mae_m', '.3f'):>15} {confident:>25} "
        f"{ratio('n_det_strides'):>7} "
        f"{ratio('n_det_bouts'):>6} {dist:>6} {n_noted:>2}/{now['n_recordings']:<3}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m bench.robustness", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", action="append", choices=DATASETS, help="only this dataset (repeatable)")
    parser.add_argument(
        "--perturbation", "-p", action="append", choices=list(PERTURBATIONS), help="only this one (repeatable)"
    )
    parser.add_argument("--limit", type=int, default=None, help="at most N recordings per dataset")
    parser.add_argument("--carry", action="store_true", help="also one line per phone carry position")
    parser.add_argument("--jobs", "-j", type=int, default=1, help="perturbations run in parallel (processes)")
    parser.add_argument("--verbose", "-v", action="store_true", help="also print the new notes per perturbation")
    parser.add_argument("--json", type=Path, default=OUT_DIR / "robustness.json", help="where to write the results")
    args = parser.parse_args(argv)
    t_start = time.perf_counter()
    root = data_root()
    if not available(root):
        print(f"bench.robustness: shared data not found at {root}: nothing to measure (set GAIT_DEV_DATA)")
        return 0
    _REFS.clear()
    for name in args.dataset or DATASETS:
        recs = load_dataset(name, root)
        _REFS.extend(recs[: args.limit] if args.limit else recs)
    names = ["none", *(args.perturbation or PERTURBATIONS)]
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:  # forked: the workers share the loaded recordings
            done = dict(pool.map(_run_perturbation, names))
    else:
        done = dict(map(_run_perturbation, names))
    base_per_ref = done.pop("none")
    base_results = [r for rs in base_per_ref for r in rs]
    base_rows = _rows(base_results, args.carry)
    base_notes = {(r.dataset, r.name): set(r.notes) for r in base_results}
    print(f"{len(_REFS)} recordings; per perturbation and group: unperturbed -> perturbed; '*' a target of issue 2")
    print("newly missed (m: bouts without an estimate); strides, bouts: detected, as a share of the unperturbed;")
    print("dist: distance walked vs unperturbed; notes: recordings with a note the unperturbed analysis did not give\n")
    print(HEADER)
    print("-" * len(HEADER))
    doc: dict[str, Any] = {"perturbations": {}, "unperturbed": {}}
    for key, row in base_rows.items():
        doc["unperturbed"][" ".join(key)] = row_figures(row)
    for name, per_ref in done.items():
        results = [r for base, now in zip(base_per_ref, per_ref, strict=True) for r in (base if now is None else now)]
        rows = _rows(results, args.carry)
        new_notes: dict[str, int] = {}
        doc["perturbations"][name] = {"what": PERTURBATIONS[name].what, "groups": {}}
        for key, row in rows.items():
            noted = [r for r in row.results if set(r.notes) - base_notes[(r.dataset, r.name)]]
            for r in noted:
                for note in set(r.notes) - base_notes[(r.dataset, r.name)]:
                    gist = re.sub(r"\b\d+ of \d+\b", "N of M", note)  # one line per kind of note
                    new_notes[gist] = new_notes.get(gist, 0) + 1
            now = row_figures(row)
            print(format_line(name, doc["unperturbed"][" ".join(key)], now, row.kind, len(noted)))
            doc["perturbations"][name]["groups"][" ".join(key)] = {**now, "n_noted": len(noted)}
        if args.verbose and new_notes:
            for note, n in sorted(new_notes.items(), key=lambda kv: -kv[1]):
                print(f"    new note in {n} recording(s): {note}")
        print()
    wall_s = time.perf_counter() - t_start
    print(f"total wall time {wall_s:.1f} s")
    doc.update({"generated_unix_s": time.time(), "datasets": list(args.dataset or DATASETS), "wall_s": wall_s})
    args.json.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.json.with_name(args.json.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=1, default=float))
    os.replace(tmp, args.json)
    print(f"wrote {args.json}")
    crashed = [r for rs in done.values() for res in rs if res for r in res if r.error and r.error.startswith("CRASH")]
    if crashed:
        for r in crashed:
            print(f"CRASH {r.dataset}:{r.name}: {r.error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
