"""Loaders for every reference recording under ``../shared/data/dev`` into one type, :class:`RefRecording`.

Each dataset has its own reference system and conventions; this module turns them all into the same shape so
that :mod:`bench.metrics` can score any of them the same way:

- ``mobgap_lab``: lower back (McRoberts MM+, 100 Hz), INDIP reference (MicroWB bouts, ICs, per-stride length).
- ``gaitmap_example``: left and right foot (NilsPod, 204.8 Hz), Vicon-derived ICs and heel trajectories.
- ``oxford_step_counter``: Android phone in several carry positions, heel pressure pads (step times only).
- ``ipol_healthy_gait``: lower back + both feet (XSens, 100 Hz), expert-checked heel strikes (AGPL: benchmark only).

The shared data are read-only and absent on a fresh clone: :func:`data_root` says where they are expected and
:func:`available` whether they are there. Parsed datasets are cached as pickles under ``bench/out/cache/`` (git
ignored), keyed on the source files' sizes and modification times, because parsing the gzipped CSVs takes seconds.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import itertools
import json
import os
import pickle
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.io as sio

import ingest
from bench.metrics import mean_stride_cadence
from gait import zupt
from gait.consts import GRAVITY_MS2
from gait.types import Placement, Recording

REPO_ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = REPO_ROOT / "bench" / "out" / "cache"
CACHE_VERSION = 10  # bump when a loader's output changes, so stale caches are ignored

DATASETS: tuple[str, ...] = ("mobgap_lab", "gaitmap_example", "oxford_step_counter", "ipol_healthy_gait")

#: Oxford carry position (folder name part, lower-cased) -> nearest placement of ours.
#: The original position is kept in ``RefRecording.carry_position`` so reports can break results down by it.
OXFORD_PLACEMENTS: dict[str, Placement] = {
    "inhand": Placement.HAND,  # held in front of the body, as when reading the screen
    "frontpocket": Placement.POCKET,
    "backpocket": Placement.POCKET,
    "armband": Placement.WRIST,  # upper-arm band: moves with the arm swing like a wrist sensor, only less
    "swingingarm": Placement.WRIST,  # phone held in a hand that swings with the arm: a wrist motion
    "neckpouch": Placement.CHEST,  # pouch hanging on the sternum
    "purse": Placement.WAIST,  # shoulder bag hanging at the hip
}

#: Canonical spelling of the Oxford carry positions (the folder names mix cases: ArmBand/Armband, Backpocket).
OXFORD_POSITION_NAMES: dict[str, str] = {
    "inhand": "InHand",
    "frontpocket": "FrontPocket",
    "backpocket": "BackPocket",
    "armband": "Armband",
    "swingingarm": "SwingingArm",
    "neckpouch": "NeckPouch",
    "purse": "Purse",
}

LICENCES: dict[str, str] = {
    "mobgap_lab": "Apache-2.0",
    "gaitmap_example": "MIT",
    "oxford_step_counter": "CC-BY-4.0",
    "ipol_healthy_gait": "AGPL-3.0",
}

#: Reference ICs further apart than this end a walking bout (Oxford: no annotated bouts).
BOUT_GAP_S = 2.5


@dataclass(frozen=True)
class RefRecording:
    """One sensor recording with its reference gait events.

    Attributes
    ----------
    name
        Unique name within the dataset (for example ``"HA_001_Test5_Trial1"``).
    dataset
        One of :data:`DATASETS`.
    placement
        Where the sensor was worn (nearest of our placements).
    recording
        The samples: ``time_s`` from 0, acceleration in m/s^2 including gravity, gyroscope in deg/s or None.
    ref_ic_s
        Reference initial contacts in seconds, sorted; all feet for trunk and phone sensors, only the sensor's
        foot for a foot sensor (see ``side``).
    ref_strides
        Reference strides ``(start_s, end_s, length_m)``, IC to IC of the same foot; ``length_m`` is NaN where the
        reference has no length.
    ref_bouts
        Reference walking bouts ``(start_s, end_s, cadence_spm)``.
    walking_spans
        ``(start_s, end_s)`` spans inside which detected ICs are scored (DESIGN.md section 5).
    body_height_m, sensor_height_m
        Known heights, or None.
    side
        ``"left"`` / ``"right"`` for a foot sensor (its reference holds that foot's ICs only), None otherwise.
    carry_position
        The dataset's own name of the carry position (Oxford: ``"InHand"``, ``"FrontPocket"`` ...), or None.
    ref_ic_side
        The foot of each reference IC (``"left"`` / ``"right"``, aligned with ``ref_ic_s``; ``""`` where the
        reference does not say or contradicts itself), or None when the reference has no sides (lower back: IPOL,
        mobgap INDIP).
    turns_s
        Reference turns ``(start_s, end_s)`` (mobgap INDIP ``Turn_Start``/``Turn_End``, IPOL ``UTurnBoundaries``),
        or None when the reference marks none.
    licence
        SPDX-like licence of the data.
    notes
        Free text about how the reference was derived for this recording.
    """

    name: str
    dataset: str
    placement: Placement
    recording: Recording
    ref_ic_s: np.ndarray
    ref_strides: list[tuple[float, float, float]]
    ref_bouts: list[tuple[float, float, float]]
    walking_spans: list[tuple[float, float]]
    body_height_m: float | None = None
    sensor_height_m: float | None = None
    side: str | None = None
    carry_position: str | None = None
    ref_ic_side: np.ndarray | None = None
    turns_s: list[tuple[float, float]] | None = None
    licence: str = ""
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def steps_per_ic_interval(self) -> int:
        """Steps between two consecutive reference ICs: 2 when only one foot's ICs are known, else 1."""
        return 2 if self.side else 1

    @property
    def group(self) -> str:
        """Reporting group: placement, plus the carry position where the dataset has one."""
        if self.carry_position:
            return f"{self.placement.value}/{self.carry_position}"
        if self.side:
            return f"{self.placement.value}/{self.side}"
        return self.placement.value


def data_root() -> Path:
    """Where the shared development data are expected: ``$GAIT_DEV_DATA`` or ``<repo>/../shared/data/dev``."""
    env = os.environ.get("GAIT_DEV_DATA")
    return Path(env) if env else (REPO_ROOT.parent / "shared" / "data" / "dev").resolve()


def available(root: Path | None = None) -> bool:
    """True when the shared development data directory exists."""
    return (root or data_root()).is_dir()


def split_runs(ic_s: np.ndarray, max_gap_s: float) -> list[np.ndarray]:
    """Split sorted IC times into runs wherever two consecutive ICs are more than ``max_gap_s`` apart."""
    ic_s = np.asarray(ic_s, dtype=float)
    if len(ic_s) == 0:
        return []
    cuts = np.flatnonzero(np.diff(ic_s) > max_gap_s) + 1
    return [run for run in np.split(ic_s, cuts) if len(run)]


#: A run of reference contacts is a walking bout when it holds at least this many strides: mobgap's walking-bout
#: assembly (``WbAssembly``, the Mobilise-D rules) asks for 4. A run of two or three contacts after a pause (a
#: shuffle at the end of a recording) has no meaningful cadence.
MIN_BOUT_STRIDES = 4


def bouts_from_runs(runs: Iterable[np.ndarray], steps_per_interval: int = 1) -> list[tuple[float, float, float]]:
    """Bouts ``(start_s, end_s, cadence_spm)`` from runs of at least :data:`MIN_BOUT_STRIDES` strides (IC i to
    IC i + 2 with both feet's contacts, IC i to IC i + 1 with one foot's); cadence as INDIP defines it."""
    lag = 2 if steps_per_interval == 1 else 1
    return [
        (float(r[0]), float(r[-1]), mean_stride_cadence(r, steps_per_interval))
        for r in runs
        if len(r) - lag >= MIN_BOUT_STRIDES
    ]


# --------------------------------------------------------------------------------------------------- mobgap_lab


def _as_list(x: Any) -> list[dict[str, Any]]:
    """MATLAB struct arrays load as a list (n > 1), a dict (n == 1) or an empty array (n == 0)."""
    if isinstance(x, list):
        return x
    if isinstance(x, dict):
        return [x]
    return []


MOBGAP_VERSION = "1.2.0"


def mobgap_data_dir() -> Path:
    """Where ``bench/setup_mobgap.sh`` unpacks mobgap's example data from its sdist (``$MOBGAP_DATA_DIR``)."""
    env = os.environ.get("MOBGAP_DATA_DIR")
    return Path(env) if env else REPO_ROOT / "bench" / "out" / "mobgap_data"


def _mobgap_participant_dirs(root: Path) -> list[Path]:
    """Participant folders of the lab example data: the shared copy (HA/001, HA/002), completed by the copy
    unpacked from mobgap's sdist when present (it also holds MS/001, which the shared copy lacks)."""
    bases = [
        root / "mobgap_lab" / "example_data" / "data" / "lab",
        mobgap_data_dir() / f"v{MOBGAP_VERSION}" / "data" / "lab",
    ]
    found: dict[tuple[str, str], Path] = {}
    for base in bases:
        for mat in sorted(base.glob("*/*/data.mat")):
            found.setdefault((mat.parent.parent.name, mat.parent.name), mat.parent)
    return [found[k] for k in sorted(found)]


MOBGAP_PARTICIPANTS: tuple[str, ...] = ("HA/001", "HA/002", "MS/001")
"""The participants of mobgap's LabExampleDataset (9 trials): the README's table scores them all."""


def missing_mobgap_participants(root: Path) -> list[str]:
    """The participants of :data:`MOBGAP_PARTICIPANTS` found neither in the shared copy nor in the copy
    ``bench/setup_mobgap.sh`` unpacks (``$MOBGAP_DATA_DIR``)."""
    found = {f"{d.parent.name}/{d.name}" for d in _mobgap_participant_dirs(root)}
    return [p for p in MOBGAP_PARTICIPANTS if p not in found]


def _mobgap_files(root: Path) -> list[Path]:
    return [d / f for d in _mobgap_participant_dirs(root) for f in ("data.mat", "infoForAlgo.mat")]


def load_mobgap_lab(root: Path) -> list[RefRecording]:
    """The mobgap LabExampleDataset trials with the INDIP reference (MicroWB level).

    The shared copy holds HA/001 and HA/002 (6 trials); after ``bench/setup_mobgap.sh`` the sdist copy adds MS/001
    (9 trials, as mobgap's own ``LabExampleDataset``).

    Reference ICs are the non-NaN ``InitialContact_Event`` of every MicroWB. Where the INDIP could not resolve an
    IC (NaN), the walking span is cut there: the span pieces run from one resolved IC to the next resolved IC
    before the gap, so a correct detection of the unresolved IC is not scored as a false positive.
    """
    out: list[RefRecording] = []
    for participant_dir in _mobgap_participant_dirs(root):
        mat = participant_dir / "data.mat"
        cohort, pid = participant_dir.parent.name, participant_dir.name
        info = sio.loadmat(mat.parent / "infoForAlgo.mat", simplify_cells=True)["infoForAlgo"]["TimeMeasure1"]
        body_height_m = float(info["Height"]) / 100.0
        sensor_height_m = float(info["SensorHeight"]) / 100.0
        tm = sio.loadmat(mat, simplify_cells=True)["data"]["TimeMeasure1"]
        for test in sorted(tm, key=lambda s: int(re.sub(r"\D", "", s) or 0)):
            for trial in sorted(tm[test]):
                t = tm[test][trial]
                su = t["SU"]["LowerBack"]
                fs = float(su["Fs"]["Acc"])
                acc_ms2 = np.asarray(su["Acc"], dtype=float) * GRAVITY_MS2  # stored in g
                gyr_dps = np.asarray(su["Gyr"], dtype=float)
                time_s = np.arange(len(acc_ms2)) / fs
                wbs = _as_list(t["Standards"]["INDIP"]["MicroWB"])
                ics: list[float] = []
                ic_sides: dict[float, set[str]] = {}
                turns: list[tuple[float, float]] = []
                spans: list[tuple[float, float]] = []
                strides: list[tuple[float, float, float]] = []
                bouts: list[tuple[float, float, float]] = []
                for wb in wbs:
                    wb_ics = np.atleast_1d(np.asarray(wb["InitialContact_Event"], dtype=float))
                    ics.extend(wb_ics[np.isfinite(wb_ics)].tolist())
                    wb_sides = np.atleast_1d(np.asarray(wb["InitialContact_LeftRight"], dtype=str))
                    for ic, ic_side in zip(wb_ics.tolist(), wb_sides.tolist(), strict=True):
                        if np.isfinite(ic):
                            ic_sides.setdefault(ic, set()).add(ic_side.strip().lower())
                    turns += zip(
                        np.atleast_1d(np.asarray(wb["Turn_Start"], dtype=float)).tolist(),
                        np.atleast_1d(np.asarray(wb["Turn_End"], dtype=float)).tolist(),
                        strict=True,
                    )
                    # cut the span at unresolved ICs: runs of consecutive finite ICs
                    run: list[float] = []
                    for v in [*wb_ics.tolist(), float("nan")]:
                        if np.isfinite(v):
                            run.append(v)
                        elif run:
                            spans.append((run[0], run[-1]))
                            run = []
                    bouts.append((float(wb["Start"]), float(wb["End"]), float(wb["Cadence"])))
                    sic = np.atleast_2d(np.asarray(wb["Stride_InitialContacts"], dtype=float))
                    lengths = np.atleast_1d(np.asarray(wb["Stride_Length"], dtype=float))
                    for (i0, i1), length_m in zip(sic, lengths, strict=True):
                        if np.isfinite(i0) and np.isfinite(i1):
                            # INDIP stride ICs are sample indices at 100 Hz on the same axis as the IC events
                            strides.append((i0 / fs, i1 / fs, float(length_m)))
                name = f"{cohort}_{pid}_{test}_{trial}"
                ref_ic_s = np.unique(ics)  # the INDIP sometimes repeats an IC within a bout
                # An IC listed twice with both sides (none here so far) has no side.
                sides = np.array([next(iter(ic_sides[ic])) if len(ic_sides[ic]) == 1 else "" for ic in ref_ic_s])
                rec = Recording(
                    time_s=time_s,
                    acc_ms2=acc_ms2,
                    gyr_dps=gyr_dps,
                    placement=Placement.LOWER_BACK,
                    sensor_height_m=sensor_height_m,
                    body_height_m=body_height_m,
                    source={"format": "mobgap_lab_mat", "dataset": "mobgap_lab", "file": f"{cohort}/{pid}/data.mat"},
                )
                out.append(
                    RefRecording(
                        name=name,
                        dataset="mobgap_lab",
                        placement=Placement.LOWER_BACK,
                        recording=rec,
                        ref_ic_s=ref_ic_s,
                        ref_strides=strides,
                        ref_bouts=bouts,
                        walking_spans=spans,
                        body_height_m=body_height_m,
                        sensor_height_m=sensor_height_m,
                        ref_ic_side=sides,
                        turns_s=sorted(turns),
                        licence=LICENCES["mobgap_lab"],
                        notes="INDIP MicroWB reference" if wbs else "INDIP reference is empty for this trial",
                        extra={"cohort": cohort, "participant": pid, "test": test, "trial": trial},
                    )
                )
    return out


# ---------------------------------------------------------------------------------------------- gaitmap_example

GAITMAP_FS_HZ = 204.8
GAITMAP_MOCAP_FS_HZ = 100.0


def _gaitmap_files(root: Path) -> list[Path]:
    d = root / "gaitmap_example"
    return [
        d / "imu_sample.csv",
        d / "stride_events_sample.csv",
        d / "position_sample.csv",
        d / "stride_borders_sample.csv",
    ]


def load_gaitmap_example(root: Path) -> list[RefRecording]:
    """gaitmap's ``imu_sample.csv`` as two foot recordings (left, right) with the mocap reference.

    What the reference defines: each row of ``stride_events_sample.csv`` is a stride from one mid-stance
    (``start`` = ``min_vel``) to the next, containing its toe-off ``tc`` and initial contact ``ic``; ``pre_ic`` is
    the IC before it. ``position_sample.csv`` holds the heel-marker trajectory over the same mid-stance to
    mid-stance window, so its final horizontal displacement is that stride's length. Because the foot stands still
    during stance, the same displacement separates the two ICs ``pre_ic`` and ``ic``; we therefore time the
    reference stride IC to IC as ``(pre_ic, ic)``, the convention of our tracker. Reference ICs are the union of
    ``pre_ic`` and ``ic`` of that foot.

    One hole: the hand-labelled ``stride_borders_sample.csv`` skips a stride of the left foot in the turn (border
    13 ends at sample 3453, border 14 starts at 3934), so the mocap row whose ``(pre_ic, ic)`` covers that hole
    spans two strides (2.28 s, 0.47 m net) and the IC between them (about 17.3 s, a real stance in the heel-marker
    trajectory) is missing. That row gets no length, and the walking span and bout are split around it so that
    neither the contact nor the stride the reference lacks is scored.
    """
    d = root / "gaitmap_example"
    imu = pd.read_csv(d / "imu_sample.csv", header=[0, 1], index_col=0)
    events = pd.read_csv(d / "stride_events_sample.csv")
    borders = pd.read_csv(d / "stride_borders_sample.csv")
    pos = pd.read_csv(d / "position_sample.csv", index_col=[0, 1, 2])
    out: list[RefRecording] = []
    for side in ("left", "right"):
        sensor = f"{side}_sensor"
        acc_ms2 = imu[sensor][["acc_x", "acc_y", "acc_z"]].to_numpy(dtype=float)
        gyr_dps = imu[sensor][["gyr_x", "gyr_y", "gyr_z"]].to_numpy(dtype=float)
        time_s = np.arange(len(acc_ms2)) / GAITMAP_FS_HZ
        ev = events[events.foot == side].sort_values("s_id")
        last = pos.loc[sensor].groupby(level=0).tail(1)
        length_by_sid = dict(
            zip(
                last.index.get_level_values(0).astype(int),
                np.hypot(last.pos_x.to_numpy(), last.pos_y.to_numpy()),
                strict=True,
            )
        )
        # holes in the labelled strides: a border that does not start where the previous one ended
        b = borders[borders.foot == side].sort_values("s_id")
        hole_starts = b.end.to_numpy()[:-1][b.start.to_numpy()[1:] != b.end.to_numpy()[:-1]]
        broken = [bool(np.any((hole_starts > r.pre_ic) & (hole_starts < r.ic))) for r in ev.itertuples()]
        strides = [
            (
                float(r.pre_ic) / GAITMAP_FS_HZ,
                float(r.ic) / GAITMAP_FS_HZ,
                np.nan if bad else float(length_by_sid.get(int(r.s_id), np.nan)),
            )
            for r, bad in zip(ev.itertuples(), broken, strict=True)
        ]
        ic_s = np.unique(np.concatenate([ev.pre_ic.to_numpy(), ev.ic.to_numpy()])) / GAITMAP_FS_HZ
        spans = [(float(ic_s[0]), float(ic_s[-1]))]
        for r, bad in zip(ev.itertuples(), broken, strict=True):
            if bad:  # cut the span that holds this row's IC-to-IC interval in two around it
                a_s, b_s = r.pre_ic / GAITMAP_FS_HZ, r.ic / GAITMAP_FS_HZ
                spans = [p for s0, s1 in spans for p in ((s0, min(s1, a_s)), (max(s0, b_s), s1)) if p[1] > p[0]]
        runs = [ic_s[(ic_s >= s0) & (ic_s <= s1)] for s0, s1 in spans]
        rec = Recording(
            time_s=time_s,
            acc_ms2=acc_ms2,
            gyr_dps=gyr_dps,
            placement=Placement.FOOT,
            source={"format": "gaitmap_imu_sample", "dataset": "gaitmap_example", "file": "imu_sample.csv"},
        )
        out.append(
            RefRecording(
                name=f"imu_sample_{side}",
                dataset="gaitmap_example",
                placement=Placement.FOOT,
                recording=rec,
                ref_ic_s=ic_s,
                ref_strides=strides,
                ref_bouts=bouts_from_runs(runs, steps_per_interval=2),
                walking_spans=spans,
                side=side,
                licence=LICENCES["gaitmap_example"],
                notes="Vicon-derived ICs; stride length = heel-marker displacement mid-stance to mid-stance, "
                "timed IC to IC (pre_ic, ic)",
            )
        )
    return out


# ------------------------------------------------------------------------------------------ oxford_step_counter


def _oxford_dirs(root: Path) -> list[Path]:
    return sorted(p for p in (root / "oxford_step_counter" / "optimisation" / "data").iterdir() if p.is_dir())


def _oxford_files(root: Path) -> list[Path]:
    return [f for d in _oxford_dirs(root) for f in (d / "accelerometer.csv.gz", d / "stepcounter.csv")]


#: A heel pad pressed again this soon after the same heel's previous contact is a pad bounce, not a step: a
#: stride of 0.5 s is 240 steps/min, beyond walking and even sprinting cadence. The pads are polled at about
#: 10 Hz, so one poll reading 0 during a stance (a bounce) shows up as a second 0 -> 1 transition 0.1-0.3 s
#: later; 107 of the 13,740 authors' steps are such repeats, 77 of them in the arm-band and swinging-arm walks.
PAD_BOUNCE_S = 0.5


def oxford_ground_truth_ns(gt: pd.DataFrame, bounce_s: float = PAD_BOUNCE_S) -> tuple[np.ndarray, np.ndarray]:
    """IC times (ns) and feet from the pressure-pad states: every 0 -> 1 transition of either pad.

    With ``bounce_s=0`` this reproduces the authors' ``stats.js`` count (and their ``stats.csv`` step totals).
    By default a transition less than ``bounce_s`` after the same heel's previous accepted contact is dropped
    as a pad bounce (see :data:`PAD_BOUNCE_S`).
    """
    times: list[np.ndarray] = []
    feet: list[np.ndarray] = []
    for foot in ("right", "left"):
        state = gt[foot].to_numpy()
        t_ns = gt.t_ns.to_numpy()[np.flatnonzero(np.diff(state) == 1) + 1]
        keep: list[int] = []
        for t in t_ns.tolist():
            if not keep or t - keep[-1] >= bounce_s * 1e9:
                keep.append(t)
        times.append(np.asarray(keep, dtype=np.int64))
        feet.append(np.full(len(keep), foot))
    t = np.concatenate(times)
    f = np.concatenate(feet)
    order = np.argsort(t, kind="stable")
    return t[order], f[order]


#: Two contacts of the same heel this many median step intervals apart, with no contact of the other heel between
#: them, hold two steps' time: room for the other foot's step, which its pad did not record.
PAD_OMISSION_STEPS = 1.5


def oxford_reference_omissions(
    gt: pd.DataFrame, ic_ns: np.ndarray, feet: np.ndarray, min_steps: float = PAD_OMISSION_STEPS
) -> list[tuple[int, int]]:
    """Stretches where one heel pad missed a step: the same heel twice in a row while the other pad read unpressed.

    Walking alternates the feet, and each foot stands for about 60 % of its stride, so between two heel strikes of
    one foot the other foot must land. Where the other pad reads "not pressed" at every poll from one heel strike
    of a foot to its next (and that stretch is at least ``min_steps`` of the walk's median step interval long), the
    other foot stood on a pad that did not register it: its step is missing from the reference. (Where the other
    pad reads "pressed" throughout instead, a pivot on that foot cannot be told from a stuck pad: left scored.)

    Parameters
    ----------
    gt
        The pad log: columns ``t_ns``, ``right``, ``left`` (0/1 per poll).
    ic_ns, feet
        Reference contact times (ns) and their heel, from :func:`oxford_ground_truth_ns`.
    min_steps
        Shortest stretch, in median step intervals, that can hold the missing step.

    Returns
    -------
    list of (first, second)
        The two same-heel contact times (ns) bounding each stretch with a missing step.
    """
    if len(ic_ns) < 3:
        return []
    median_step_ns = float(np.median(np.diff(ic_ns)))
    poll_ns = gt.t_ns.to_numpy()
    out: list[tuple[int, int]] = []
    for i in range(len(ic_ns) - 1):
        a, b = int(ic_ns[i]), int(ic_ns[i + 1])
        if feet[i] != feet[i + 1] or b - a < min_steps * median_step_ns:
            continue
        other = "left" if feet[i] == "right" else "right"
        between = (poll_ns > a) & (poll_ns < b)
        if between.any() and not gt[other].to_numpy()[between].any():
            out.append((a, b))
    return out


def load_oxford_step_counter(root: Path) -> list[RefRecording]:
    """The 48 Oxford step-counter phone recordings with pressure-pad step times.

    The accelerometer file is read by the product's own Oxford reader (``ingest.load``): time is
    ``SensorEvent.timestamp`` (ns since boot) relative to the first row; the pads are logged on the same clock.
    Sampling is irregular (about 100, 200 or 400 Hz by phone), left as recorded.
    Walking spans and bouts are the runs of reference ICs without a pause longer than :data:`BOUT_GAP_S`.
    """
    out: list[RefRecording] = []
    for d in _oxford_dirs(root):
        parts = d.name.split("_")  # <Phone>_<User>_<Surface>_<Position>_<n>
        phone, user, surface, position = parts[0], parts[1], parts[2], parts[3]
        key = position.lower()
        placement = OXFORD_PLACEMENTS[key]
        # the product's own reader (time from the first row, rows ordered and validated) ...
        rec = ingest.load(d / "accelerometer.csv.gz", format="oxford", placement=placement)
        rec = dataclasses.replace(
            rec,
            source={
                **rec.source,
                "dataset": "oxford_step_counter",
                "file": f"{d.name}/accelerometer.csv.gz",
                "device": phone,
            },
        )
        # ... and the pads on the same clock, made relative to the same first accelerometer row
        with gzip.open(d / "accelerometer.csv.gz", "rt") as fh:
            t0_ns = int(fh.readline().split(",")[0])
        gt = pd.read_csv(d / "stepcounter.csv", header=None, names=["t_ns", "right", "left"])
        ic_ns, feet = oxford_ground_truth_ns(gt)
        authors_steps = len(oxford_ground_truth_ns(gt, bounce_s=0.0)[0])
        ic_s = (ic_ns - t0_ns) / 1e9
        runs = split_runs(ic_s, BOUT_GAP_S)
        spans = [(float(r[0]), float(r[-1])) for r in runs]
        # Stretches where a pad missed a step (oxford_reference_omissions): scored as unannotated, like IPOL's.
        omitted_s = [((a - t0_ns) / 1e9, (b - t0_ns) / 1e9) for a, b in oxford_reference_omissions(gt, ic_ns, feet)]
        out.append(
            RefRecording(
                name=d.name,
                dataset="oxford_step_counter",
                placement=placement,
                recording=rec,
                ref_ic_s=ic_s,
                ref_strides=[],
                ref_bouts=bouts_from_runs(runs),
                walking_spans=cut_spans(spans, omitted_s),
                carry_position=OXFORD_POSITION_NAMES[key],
                licence=LICENCES["oxford_step_counter"],
                notes="heel pressure pads polled at about 10 Hz: IC timing resolution about 0.1 s; walking spans "
                "cut where a pad missed a step (oxford_reference_omissions)",
                extra={
                    "phone": phone,
                    "authors_step_count": authors_steps,
                    "user": user,
                    "surface": surface,
                    "uncut_walking_spans": spans,
                    "reference_omissions_s": omitted_s,
                },
            )
        )
    return out


# -------------------------------------------------------------------------------------------- ipol_healthy_gait

IPOL_FS_HZ = 100.0
IPOL_FEET_LABELS_DOUBTFUL: dict[str, str] = {
    code: "the left and right foot labels look swapped: of the 58 trials with both foot sensors, only in 4-1 and 4-2 "
    "does the lf sensor rest with less gravity on its y axis than the rf sensor (the dorsum of each foot slopes to "
    "its outer side; 4-1: +1.2 vs +1.8 m/s^2, 4-2: +1.3 vs +1.5; 4-3..4-6: +0.2..+0.4 vs -0.8..-1.9), and only "
    "there do two independent trunk readings of the side, the yaw rate at the contact (McCamley) and the sideways "
    "sway (gait.laterality), both contradict nearly every label (bench.side)"
    for code in ("4-1", "4-2")
}
"""IPOL trials whose left / right labels are in doubt; ``bench.side`` scores their sides apart."""
RAD_TO_DEG = 180.0 / np.pi


IPOL_SWING_GYRO_DPS = zupt.SWING_GYRO_DPS
"""Gyroscope norm above which a foot is swinging (the foot detector's threshold; walking swings reach 300-500)."""


def ipol_reference_omissions(
    left_events: np.ndarray,
    right_events: np.ndarray,
    packet_left: np.ndarray | None,
    gyro_left_dps: np.ndarray | None,
    packet_right: np.ndarray | None,
    gyro_right_dps: np.ndarray | None,
) -> list[tuple[float, float]]:
    """Stretches where the IPOL reference misses a footstep that the other foot's sensor shows.

    The reference lists each foot's footsteps as (toe-off, heel strike) packet numbers. Two consecutive heel
    strikes (both feet in time order) of the same foot mean the other foot did not step in between, unless the
    reference left its step out. Where that other foot's gyroscope norm exceeds ``IPOL_SWING_GYRO_DPS`` between
    the first heel strike and the second footstep's toe-off (while the first foot stood), the other foot swung:
    its step is missing from the reference. (The two same-foot pairs of the data without such a swing, 58 and
    73 deg/s, are pivots on one foot in the U-turn; the pairs with one reach 225-590 deg/s.)

    Parameters
    ----------
    left_events, right_events
        ``(n, 2)`` arrays of (toe-off, heel strike) packet numbers of each foot, inside the trial.
    packet_left, gyro_left_dps, packet_right, gyro_right_dps
        Each foot sensor's packet numbers and gyroscope norm; None where the file is missing.

    Returns
    -------
    list of (first, second)
        Packet numbers of the two same-foot heel strikes that bound each stretch with a missing step.
    """
    steps = sorted(
        [(float(e[1]), float(e[0]), "left") for e in np.reshape(left_events, (-1, 2))]
        + [(float(e[1]), float(e[0]), "right") for e in np.reshape(right_events, (-1, 2))]
    )
    sensors = {"left": (packet_right, gyro_right_dps), "right": (packet_left, gyro_left_dps)}  # the OTHER foot
    out: list[tuple[float, float]] = []
    for (hs_a, _, side_a), (hs_b, to_b, side_b) in itertools.pairwise(steps):
        packet, gyro = sensors[side_a]
        if side_a != side_b or packet is None or gyro is None:
            continue
        between = (packet > hs_a) & (packet < to_b)
        if between.any() and float(gyro[between].max()) > IPOL_SWING_GYRO_DPS:
            out.append((hs_a, hs_b))
    return out


def cut_spans(spans: list[tuple[float, float]], holes: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The spans with the open intervals of ``holes`` removed (hole ends stay inside, as span bounds).

    A contact that ends one hole and starts the next stays scored, as a span of zero length.
    """
    out: list[tuple[float, float]] = []
    for start, end in spans:
        cur = start
        for a, b in sorted(holes):
            if a < end and b > cur:
                if a >= cur:
                    out.append((cur, a))
                cur = max(cur, b)
        if cur <= end:
            out.append((cur, end))
    return out


def _ipol_files(root: Path) -> list[Path]:
    return sorted((root / "ipol_healthy_gait" / "GaitData").glob("*"))


def load_ipol_healthy_gait(root: Path) -> list[RefRecording]:
    """The IPOL healthy-gait trials: lower back (all ICs) and each foot (that foot's ICs).

    XSens Awinda drops packets: the time axis is the ``PacketCounter`` at 100 Hz (the events index packets, not
    rows: they run past the row count in trials with drops), made relative to the first packet of each file, and
    the same shift is applied to the events. The walking span is ``TrialBoundaries``; ICs outside it (shuffling
    after the trial) are dropped. Bouts are the outbound and return straight walks (before / after the U-turn).
    """
    gd = root / "ipol_healthy_gait" / "GaitData"
    out: list[RefRecording] = []

    def code_key(p: Path) -> tuple[int, int]:
        a, b = p.stem.split("-")
        return int(a), int(b)

    for meta_path in sorted(gd.glob("*.json"), key=code_key):
        code = meta_path.stem
        meta = json.loads(meta_path.read_text())
        tb0, tb1 = meta["TrialBoundaries"]
        ut0, ut1 = meta["UTurnBoundaries"]
        ic_l = np.array([e[1] for e in meta["LeftFootEvents"]], dtype=float)
        ic_r = np.array([e[1] for e in meta["RightFootEvents"]], dtype=float)
        height_cm = meta.get("Height")
        body_height_m = float(height_cm) / 100.0 if height_cm is not None and np.isfinite(height_cm) else None
        raws = {
            sensor: pd.read_csv(gd / f"{code}_{sensor}.txt.gz", sep="\t", skiprows=1)
            for sensor in ("lb", "lf", "rf")
            if (gd / f"{code}_{sensor}.txt.gz").exists()
        }
        # Stretches where the reference misses a footstep the other foot's sensor shows (ipol_reference_omissions):
        # scored as unannotated, like the unresolved ICs of the mobgap reference.
        foot_gyro = {
            sensor: (
                raws[sensor].PacketCounter.to_numpy(dtype=float),
                np.linalg.norm(raws[sensor][["Gyr_X", "Gyr_Y", "Gyr_Z"]].to_numpy(dtype=float), axis=1) * RAD_TO_DEG,
            )
            if sensor in raws
            else (None, None)
            for sensor in ("lf", "rf")
        }
        in_trial = [
            np.array([e for e in meta[key] if tb0 <= e[1] <= tb1], dtype=float).reshape(-1, 2)
            for key in ("LeftFootEvents", "RightFootEvents")
        ]
        omissions = ipol_reference_omissions(*in_trial, *foot_gyro["lf"], *foot_gyro["rf"])
        for sensor, side in (("lb", None), ("lf", "left"), ("rf", "right")):
            if sensor not in raws:
                continue
            raw = raws[sensor]
            packet = raw.PacketCounter.to_numpy(dtype=float)
            p0 = packet[0]
            time_s = (packet - p0) / IPOL_FS_HZ
            acc_ms2 = raw[["Acc_X", "Acc_Y", "Acc_Z"]].to_numpy(dtype=float)
            gyr_dps = raw[["Gyr_X", "Gyr_Y", "Gyr_Z"]].to_numpy(dtype=float) * RAD_TO_DEG
            ics_samples = {None: np.concatenate([ic_l, ic_r]), "left": ic_l, "right": ic_r}[side]
            ic_feet = {
                None: np.array(["left"] * len(ic_l) + ["right"] * len(ic_r)),
                "left": np.full(len(ic_l), "left"),
                "right": np.full(len(ic_r), "right"),
            }[side]
            inside = (ics_samples >= tb0) & (ics_samples <= tb1)
            order = np.argsort(ics_samples[inside], kind="stable")
            ics_samples, ic_feet = ics_samples[inside][order], ic_feet[inside][order]
            ic_s = (ics_samples - p0) / IPOL_FS_HZ
            spi = 2 if side else 1
            straight = [ics_samples[ics_samples < ut0], ics_samples[ics_samples > ut1]]
            bouts = bouts_from_runs([(s - p0) / IPOL_FS_HZ for s in straight], steps_per_interval=spi)
            placement = Placement.LOWER_BACK if side is None else Placement.FOOT
            trial_span = [(float(tb0 - p0) / IPOL_FS_HZ, float(tb1 - p0) / IPOL_FS_HZ)]
            omitted_s = [(float(a - p0) / IPOL_FS_HZ, float(b - p0) / IPOL_FS_HZ) for a, b in omissions]
            rec = Recording(
                time_s=time_s,
                acc_ms2=acc_ms2,
                gyr_dps=gyr_dps,
                placement=placement,
                body_height_m=body_height_m,
                source={"format": "ipol_xsens_txt", "dataset": "ipol_healthy_gait", "file": f"{code}_{sensor}.txt.gz"},
            )
            out.append(
                RefRecording(
                    name=f"{code}_{sensor}",
                    dataset="ipol_healthy_gait",
                    placement=placement,
                    recording=rec,
                    ref_ic_s=ic_s,
                    ref_strides=[],
                    ref_bouts=bouts,
                    walking_spans=cut_spans(trial_span, omitted_s),
                    body_height_m=body_height_m,
                    side=side,
                    ref_ic_side=ic_feet,
                    turns_s=[(float(ut0 - p0) / IPOL_FS_HZ, float(ut1 - p0) / IPOL_FS_HZ)],
                    licence=LICENCES["ipol_healthy_gait"],
                    notes="expert-checked heel strikes; walking span = TrialBoundaries, cut where a footstep is "
                    "missing from the reference (ipol_reference_omissions)",
                    extra={
                        **(
                            {"side_labels_doubtful": IPOL_FEET_LABELS_DOUBTFUL[code]}
                            if code in IPOL_FEET_LABELS_DOUBTFUL
                            else {}
                        ),
                        "subject": int(meta["Subject"]),
                        "trial": int(meta["Trial"]),
                        "uncut_walking_spans": trial_span,
                        "reference_omissions_s": omitted_s,
                    },
                )
            )
    return out


# ------------------------------------------------------------------------------------------------------- public

_LOADERS: dict[str, tuple[Callable[[Path], list[RefRecording]], Callable[[Path], list[Path]]]] = {
    "mobgap_lab": (load_mobgap_lab, _mobgap_files),
    "gaitmap_example": (load_gaitmap_example, _gaitmap_files),
    "oxford_step_counter": (load_oxford_step_counter, _oxford_files),
    "ipol_healthy_gait": (load_ipol_healthy_gait, _ipol_files),
}


def _cache_key(files: list[Path]) -> str:
    """Hash of the source files and of the code that parses them (this module and the ingest readers it uses)."""
    h = hashlib.sha256(f"v{CACHE_VERSION}".encode())
    code = [Path(__file__), *sorted(Path(ingest.__file__).parent.glob("*.py"))]
    for f in [*files, *code]:
        st = f.stat()
        h.update(f"{f}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def load_dataset(name: str, root: Path | None = None, *, use_cache: bool = True) -> list[RefRecording]:
    """Load one dataset's reference recordings, from the pickle cache when the source files are unchanged.

    Parameters
    ----------
    name
        One of :data:`DATASETS`.
    root
        The shared data directory (default :func:`data_root`).
    use_cache
        Read and write ``bench/out/cache/<name>-<key>.pkl``.
    """
    if name not in _LOADERS:
        raise ValueError(f"unknown dataset {name!r}: use one of {', '.join(DATASETS)}")
    root = root or data_root()
    loader, files = _LOADERS[name]
    if not use_cache:
        return loader(root)
    cache = CACHE_DIR / f"{name}-{_cache_key(files(root))}.pkl"
    if cache.exists():
        with cache.open("rb") as fh:
            return pickle.load(fh)
    recs = loader(root)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    for stale in CACHE_DIR.glob(f"{name}-*.pkl"):
        stale.unlink()
    tmp = cache.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(recs, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, cache)
    return recs


def load_all(names: Iterable[str] = DATASETS, root: Path | None = None) -> list[RefRecording]:
    """Load several datasets (all by default) into one list."""
    return [r for n in names for r in load_dataset(n, root)]


__all__ = [
    "DATASETS",
    "OXFORD_PLACEMENTS",
    "RefRecording",
    "available",
    "bouts_from_runs",
    "data_root",
    "load_all",
    "load_dataset",
    "split_runs",
]
