"""Side (left / right foot) of lower-back initial contacts against the references that label them.

Usage::

    .venv/bin/python -m bench.side [--dataset NAME] [-v]

Issue 2 asks for each step's initial-contact time and its side "when known". A foot sensor knows its foot; a
lower-back sensor sees both feet, and a wrong side is worse than none. This measures, on every lower-back recording
whose reference names the foot of each contact (the mobgap lab INDIP ``InitialContact_LeftRight``, the IPOL
``LeftFootEvents`` / ``RightFootEvents``), how often a side would be right:

- ``analyser``: the sides ``gait.analysis.analyze`` gives its steps (the product: share correct, wrong and None):
  the trunk's sideways sway toward the landing foot, the roll's gravity taken out with the gyroscope, causal over the
  stride that ends at the contact, None in turns and where two consecutive contacts point to the same foot
  (``gait.laterality``, ``GaitTracker._sway_side``);
- candidate rules, evaluated on the analyser's own contacts (the contacts a live rule would have) with zero-phase
  filters on the whole recording, so each figure is an upper bound of what the same rule can do live (a live
  tracker must decide each step within the latency budget, with causal filters):

  - ``yaw 0.5-2 Hz``: the sign at the contact of the angular velocity about the vertical (the gyroscope projected
    on the gravity direction: its sign is the same whatever the mounting), band-passed 0.5-2 Hz (4th order
    Butterworth): McCamley et al. 2012 with the filter of Ullrich et al. 2021 (mobgap's ``LrcMcCamley``). The
    pelvis turns toward the stance side as the swinging leg's hip advances; left where <= 0.
  - ``yaw stride band``: the same in 0.5-1.3 Hz, which keeps the stride-frequency part (the only one that differs
    between the legs) and drops the step-frequency part (the same for both legs).
  - ``heading diff``: the step's heading change (the yaw rate integrated from the previous contact to this one, as
    the tracker's turn check) minus the previous step's: a steady turn cancels; left where < 0 (a step that ends
    on the left foot swung the left hip forward, a clockwise turn seen from above). Causal: the tracker could
    use it at no cost.
  - ``lateral velocity``: the sign of the trunk's mediolateral velocity at the contact, accelerometer only (the
    roll's gravity left in) (the trunk moves from one
    stance foot toward the next, so at a contact it moves toward the landing foot): 0.5-1.3 Hz. The lateral
    direction comes from the accelerometer alone: forward is the horizontal acceleration that correlates with
    minus the vertical velocity (the inverted pendulum: the trunk slows as it rises over the stance leg), left is
    up x forward (one direction per recording, from the whole recording).

  Each rule is scored per step and with one assignment per run of contacts (``vote``: the sides alternate along a
  run of contacts less than ``MAX_STEP_S`` apart and the majority of the steps' signs picks the run's assignment,
  a whole run ahead: again an upper bound for a live tracker).

A detected contact counts where it matches a reference contact (one-to-one within +-0.25 s inside the walking
spans, as ``bench.accuracy``). ``straight`` / ``turn``: the contact lies outside / inside a reference turn
(mobgap: the INDIP turns; IPOL: the U-turn) widened by 0.5 s. JSON: ``bench/out/side.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import signal

from bench.datasets import RefRecording, available, data_root, load_dataset
from bench.metrics import IC_TOLERANCE_S, in_spans, match_ics
from gait.preprocess import GRAVITY_CUTOFF_HZ, lowpass_sos
from gait.tracker import MAX_STEP_S

OUT_DIR = Path(__file__).resolve().parent / "out"
FS_HZ = 100.0
SIDE_DATASETS = ("mobgap_lab", "ipol_healthy_gait")
TURN_MARGIN_S = 0.5
"""A contact this close to a reference turn counts as in the turn (the trunk starts turning a step early)."""
TARGET_CORRECT = 0.95
"""Share of the sides given (None left out) a rule must get right on every dataset before the analyser may emit
them; the share None says what it costs."""


@dataclass
class SideCounts:
    """Matched contacts by outcome."""

    correct: int = 0
    wrong: int = 0
    none: int = 0

    def add(self, predicted: str | None, reference: str) -> None:
        """Count one matched contact."""
        if predicted is None:
            self.none += 1
        elif predicted == reference:
            self.correct += 1
        else:
            self.wrong += 1

    def __iadd__(self, other: SideCounts) -> SideCounts:
        self.correct += other.correct
        self.wrong += other.wrong
        self.none += other.none
        return self

    @property
    def n(self) -> int:
        """Matched contacts counted."""
        return self.correct + self.wrong + self.none

    @property
    def accuracy(self) -> float:
        """Share of the sides given that are right (None left out); NaN when none is given."""
        given = self.correct + self.wrong
        return self.correct / given if given else float("nan")

    def shares(self) -> tuple[float, float, float]:
        """Shares correct, wrong and None (NaN without contacts)."""
        if not self.n:
            return (float("nan"),) * 3
        return self.correct / self.n, self.wrong / self.n, self.none / self.n


@dataclass
class SideScore:
    """Counts of one recording (or a pooled group), straight walking and turns apart."""

    straight: SideCounts = field(default_factory=SideCounts)
    turn: SideCounts = field(default_factory=SideCounts)

    def __iadd__(self, other: SideScore) -> SideScore:
        self.straight += other.straight
        self.turn += other.turn
        return self

    @property
    def all(self) -> SideCounts:
        """Straight and turns together."""
        out = SideCounts()
        out += self.straight
        out += self.turn
        return out


def in_turn(t_s: np.ndarray, turns_s: Sequence[tuple[float, float]], margin_s: float = TURN_MARGIN_S) -> np.ndarray:
    """Whether each time lies in a turn widened by ``margin_s``.

    Examples
    --------
    >>> in_turn(np.array([1.0, 2.0, 5.0]), [(2.4, 3.0)]).tolist()
    [False, True, False]
    """
    t = np.asarray(t_s, dtype=float)
    out = np.zeros(len(t), dtype=bool)
    for a, b in turns_s:
        out |= (t >= a - margin_s) & (t <= b + margin_s)
    return out


def score_sides(
    ref: RefRecording, det_ic_s: np.ndarray, det_side: Sequence[str | None], tol_s: float = IC_TOLERANCE_S
) -> SideScore:
    """Score the sides of detected contacts that match a reference contact (as ``bench.accuracy`` matches them).

    Parameters
    ----------
    ref
        A recording whose reference names the foot of each contact (``ref_ic_side``).
    det_ic_s, det_side
        Detected contact times (sorted) and their sides (``"left"``, ``"right"`` or None).

    Returns
    -------
    SideScore
        Matched contacts, straight and in turns, by outcome (a reference contact without a side is left out).
    """
    if ref.ref_ic_side is None:
        raise ValueError(f"{ref.name}: the reference has no sides")
    keep_ref = in_spans(ref.ref_ic_s, ref.walking_spans)
    ref_t, ref_side = ref.ref_ic_s[keep_ref], ref.ref_ic_side[keep_ref]
    det = np.asarray(det_ic_s, dtype=float)
    keep_det = np.flatnonzero(in_spans(det, ref.walking_spans, pad_s=tol_s))
    turning = in_turn(ref_t, ref.turns_s or [])
    score = SideScore()
    for i, j in match_ics(ref_t, det[keep_det], tol_s):
        if ref_side[i] not in ("left", "right"):
            continue
        (score.turn if turning[i] else score.straight).add(det_side[keep_det[j]], str(ref_side[i]))
    return score


# ------------------------------------------------------------------------------------------- candidate rules


def grid_signals(ref: RefRecording, fs_hz: float = FS_HZ) -> dict[str, np.ndarray]:
    """The recording on a regular grid: ``t``, ``up`` (unit vertical from a zero-phase low-pass of the
    acceleration), ``yaw_dps`` (gyroscope about the vertical) and ``lat_ms2`` (acceleration toward the walker's left,
    see the module docstring)."""
    rec = ref.recording
    t = np.arange(rec.time_s[0], rec.time_s[-1], 1.0 / fs_hz)
    acc = np.column_stack([np.interp(t, rec.time_s, rec.acc_ms2[:, k]) for k in range(3)])
    gravity = signal.sosfiltfilt(lowpass_sos(GRAVITY_CUTOFF_HZ, fs_hz), acc, axis=0)
    up = gravity / np.linalg.norm(gravity, axis=1, keepdims=True)
    vertical = np.einsum("ij,ij->i", acc, up)
    horizontal = acc - vertical[:, None] * up
    step_band = signal.butter(2, (0.3, 3.0), btype="bandpass", fs=fs_hz, output="sos")
    vertical_velocity = signal.sosfiltfilt(step_band, np.cumsum(signal.sosfiltfilt(step_band, vertical)) / fs_hz)
    forward = (signal.sosfiltfilt(step_band, horizontal, axis=0) * -vertical_velocity[:, None]).sum(axis=0)
    mean_up = up.mean(axis=0) / np.linalg.norm(up.mean(axis=0))
    forward -= (forward @ mean_up) * mean_up
    left = np.cross(mean_up, forward / np.linalg.norm(forward))
    out = {"t": t, "up": up, "lat_ms2": horizontal @ left}
    if rec.gyr_dps is not None:
        gyr = np.column_stack([np.interp(t, rec.time_s, rec.gyr_dps[:, k]) for k in range(3)])
        out["yaw_dps"] = np.einsum("ij,ij->i", gyr, up)
    return out


def _band(x: np.ndarray, band_hz: tuple[float, float], order: int, fs_hz: float = FS_HZ) -> np.ndarray:
    return signal.sosfiltfilt(signal.butter(order, band_hz, btype="bandpass", fs=fs_hz, output="sos"), x)


def _evidence_yaw(
    band_hz: tuple[float, float], order: int
) -> Callable[[dict[str, np.ndarray], np.ndarray], np.ndarray]:
    def evidence(sig: dict[str, np.ndarray], ic_s: np.ndarray) -> np.ndarray:
        # Positive evidence = left: left where the yaw rate is <= 0 (McCamley's sign, the pelvis turning clockwise).
        return -np.interp(ic_s, sig["t"], _band(sig["yaw_dps"], band_hz, order))

    return evidence


def _evidence_heading_diff(sig: dict[str, np.ndarray], ic_s: np.ndarray) -> np.ndarray:
    heading = np.concatenate(([0.0], np.cumsum(sig["yaw_dps"]) / FS_HZ))
    at = heading[np.clip(np.searchsorted(sig["t"], ic_s), 0, len(heading) - 1)]
    step = np.diff(at, prepend=np.nan)
    step[np.diff(ic_s, prepend=-np.inf) > MAX_STEP_S] = np.nan  # no step before a run's first contact
    return -np.diff(step, prepend=np.nan)


def _evidence_lateral_velocity(sig: dict[str, np.ndarray], ic_s: np.ndarray) -> np.ndarray:
    velocity = _band(np.cumsum(sig["lat_ms2"]) / FS_HZ, (0.5, 1.3), 2)
    return np.interp(ic_s, sig["t"], velocity)


RULES: dict[str, tuple[Callable[[dict[str, np.ndarray], np.ndarray], np.ndarray], bool]] = {
    "yaw 0.5-2 Hz": (_evidence_yaw((0.5, 2.0), 4), True),
    "yaw stride band": (_evidence_yaw((0.5, 1.3), 2), True),
    "heading diff": (_evidence_heading_diff, True),
    "lateral velocity": (_evidence_lateral_velocity, False),
}
"""Rule name -> (evidence per contact, positive = left; whether it needs a gyroscope)."""


def sides_from_evidence(ic_s: np.ndarray, evidence: np.ndarray, *, vote: bool) -> list[str | None]:
    """Sides from per-contact evidence (positive = left, NaN = none): per contact, or one alternating assignment
    per run of contacts less than ``MAX_STEP_S`` apart picked by the majority of the contacts' signs.

    Examples
    --------
    >>> sides_from_evidence(np.array([0.0, 0.5, 1.0]), np.array([1.0, -2.0, -0.5]), vote=False)
    ['left', 'right', 'right']
    >>> sides_from_evidence(np.array([0.0, 0.5, 1.0]), np.array([1.0, -2.0, -0.5]), vote=True)
    ['left', 'right', 'left']
    """
    signs = np.sign(np.nan_to_num(evidence))
    if not vote:
        return [None if s == 0 else ("left" if s > 0 else "right") for s in signs]
    out: list[str | None] = []
    runs = np.split(np.arange(len(ic_s)), np.flatnonzero(np.diff(ic_s) > MAX_STEP_S) + 1)
    for run in runs:
        parity = (-1.0) ** np.arange(len(run))
        first = np.sign((parity * signs[run]).sum())
        out += [None if first == 0 else ("left" if first * p > 0 else "right") for p in parity]
    return out


# ------------------------------------------------------------------------------------------------------ report


def side_refs(names: Sequence[str] = SIDE_DATASETS, root: Path | None = None) -> list[RefRecording]:
    """Lower-back recordings whose reference names the foot of its contacts."""
    refs = [r for name in names for r in load_dataset(name, root)]
    return [r for r in refs if r.placement.value == "lower_back" and r.ref_ic_side is not None and len(r.ref_ic_s)]


def evaluate(ref: RefRecording) -> dict[str, SideScore]:
    """The analyser's sides and every candidate rule's, scored on one recording."""
    from gait.analysis import analyze  # imported late, as in bench.accuracy

    result = analyze(
        ref.recording, placement=ref.placement, body_height_m=ref.body_height_m, sensor_height_m=ref.sensor_height_m
    )
    ic_s = np.array([s.t_s for s in result.steps], dtype=float)
    scores = {"analyser": score_sides(ref, ic_s, [s.side for s in result.steps])}
    sig = grid_signals(ref)
    for name, (evidence_of, needs_gyr) in RULES.items():
        if needs_gyr and "yaw_dps" not in sig:
            continue
        evidence = evidence_of(sig, ic_s)
        for vote in (False, True):
            key = f"{name}{' vote' if vote else ''}"
            scores[key] = score_sides(ref, ic_s, sides_from_evidence(ic_s, evidence, vote=vote))
    return scores


def _cells(c: SideCounts, accuracy: bool = False) -> str:
    ok, bad, none = c.shares()
    return f"{c.n:5d} {ok:6.3f} {bad:6.3f} {none:6.3f}" + (f" {c.accuracy:6.3f}" if accuracy else "")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m bench.side", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=SIDE_DATASETS, default=None)
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per recording for the analyser")
    args = parser.parse_args(argv)
    root = data_root()
    if not available(root):
        print(f"bench.side: shared data not found at {root} (set GAIT_DEV_DATA)")
        return 0
    pooled: dict[tuple[str, str], SideScore] = {}
    for ref in side_refs([args.dataset] if args.dataset else SIDE_DATASETS, root):
        scores = evaluate(ref)
        # A recording whose foot labels are in doubt (bench.datasets.IPOL_FEET_LABELS_DOUBTFUL) is scored apart.
        group = ref.dataset + (" (doubtful)" if "side_labels_doubtful" in ref.extra else "")
        for key, score in scores.items():
            pooled.setdefault((group, key), SideScore())
            pooled[group, key] += score
        if args.verbose:
            print(f"  {ref.dataset:18s} {ref.name:24s} analyser {_cells(scores['analyser'].all)}")
    head = "    n  right  wrong   None"
    print(f"{'dataset':30s} {'rule':22s} all:{head}    acc | straight:{head} | turns:{head}")
    print("-" * 139)
    out: list[dict[str, Any]] = []
    for (dataset, key), score in pooled.items():
        cells = f"{_cells(score.all, accuracy=True)} |          {_cells(score.straight)} |       {_cells(score.turn)}"
        print(f"{dataset:30s} {key:22s}     {cells}")
        out.append(
            {
                "dataset": dataset,
                "rule": key,
                **{
                    f"{part}_{k}": v
                    for part, c in (("all", score.all), ("straight", score.straight), ("turn", score.turn))
                    for k, v in zip(
                        ("n", "correct", "wrong", "none", "accuracy"), (c.n, *c.shares(), c.accuracy), strict=True
                    )
                },
            }
        )
    print(
        "(n: matched contacts with a reference side; right / wrong / None: shares of them; acc: right / (right + "
        "wrong), the sides given)"
    )
    for key in dict.fromkeys(r["rule"] for r in out):
        worst = min(
            (r["all_accuracy"] for r in out if r["rule"] == key and "doubtful" not in r["dataset"]),
            default=float("nan"),
        )
        verdict = "meets" if worst >= TARGET_CORRECT else "misses"
        print(f"  {key:22s} accuracy on its worst dataset {worst:.3f}: {verdict} {TARGET_CORRECT:.0%}")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "side.json").write_text(json.dumps(out, indent=1, default=float) + "\n")
    print(f"wrote {OUT_DIR / 'side.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
