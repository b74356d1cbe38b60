"""The walker's normal stride length as a function of cadence (the baseline the target is cut from).

Stride length grows with cadence, so a single number would call a brisk walker's normal strides "overlong" and
miss overstriding at a slow pace. The baseline is therefore a line, stride length = intercept + slope x cadence,
valid over a cadence range and held constant outside it (never extrapolated).

Personal: a Theil-Sen fit (robust to the odd mis-detected stride) on confident strides of recent pain-free,
uncoached walks with the sensor at one placement. Each placement has its own stride-length model and calibration
factor, so one placement's lengths say nothing about another's: a baseline from calibrated pocket-phone walks put a
real lower-back walk's target 11 % above its median stride (none of its 32 strides flagged), and a synthetic lower-back
baseline flagged all 511 strides of the pocket walk (docs/COACHING.md, section 1). Walks with pain are left out
because walkers with low-back pain already walk with shorter strides (Smith et al., meta-analysis of 97 studies);
coached walks are left out because their strides were shortened on purpose.

Population default: the "walk ratio" (step length / cadence) stays nearly constant across a wide range of
walking speeds in healthy adults (Sekiya & Nagasaki 1998, Gait Posture 7:225; Murakami & Otaka 2017, J Phys Ther
Sci 29:722, who find the constancy breaks below about 98 steps/min). Outdoor usual-pace walking averages 1.31 m/s
at 116.7 steps/min (Murtagh et al. 2020, Sports Med 51:125, 35 studies), i.e. a step of 0.67 m, about 0.40 of a
1.70 m body height; step length of about 0.41-0.415 x height is the classic pedometer rule. Hence
step length = 0.0035 x body height x cadence, stride length = twice that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Final, Literal

import numpy as np
from scipy.stats import theilslopes

from gait.coach.records import WalkRecord
from gait.coach.settings import MIN_WALK_TIME_S, CoachSettings
from gait.coach.text import plural
from gait.consts import BODY_HEIGHT_RANGE_M, DEFAULT_BODY_HEIGHT_M, TYPICAL_CADENCE_SPM
from gait.errors import GaitError
from gait.types import Placement

POPULATION_WALK_RATIO_PER_HEIGHT: Final = 0.0035
"""Step length / cadence / body height, in 1/(steps/min); see the module docstring for the sources."""

POPULATION_CADENCE_RANGE_SPM: Final = (98.0, 130.0)
"""Cadences over which the population walk ratio holds (Murakami & Otaka 2017 lower bound; brisk walking)."""

STRIDE_LENGTH_RANGE_M: Final = (0.2, 2.5)
"""Stride lengths outside this range are estimation failures and never enter a baseline."""

MIN_CADENCE_SPREAD_SPM: Final = 6.0
"""Below this spread (5th-95th percentile) of cadences a slope is noise: the fit keeps the personal walk ratio."""

MAX_SLOPE_M_PER_SPM: Final = 0.04
"""Steepest plausible personal slope (about three times the population one); steeper fits keep the walk ratio."""

MAX_FIT_STRIDES: Final = 1500
"""Theil-Sen is quadratic in the number of points; a deterministic even subsample keeps the fit fast."""


@dataclass(frozen=True)
class StrideBaseline:
    """Normal stride length as a line over cadence.

    Attributes
    ----------
    intercept_m, slope_m_per_spm
        stride length = intercept_m + slope_m_per_spm x cadence.
    cadence_min_spm, cadence_max_spm
        Range the line is valid for; cadences outside are clamped to it.
    source
        ``"personal"`` or ``"population"``.
    description
        Says which baseline is in use and why, with the numbers (shown to the walker).
    n_walks, n_strides
        How much history the personal fit used (0 for the population default).
    body_height_m
        Height used by the population default (None for a personal baseline).
    placement
        The sensor placement whose walks the baseline is for (None: walks of unknown placement).
    """

    intercept_m: float
    slope_m_per_spm: float
    cadence_min_spm: float
    cadence_max_spm: float
    source: Literal["personal", "population"]
    description: str
    n_walks: int = 0
    n_strides: int = 0
    body_height_m: float | None = None
    placement: Placement | None = None

    def stride_length_m(self, cadence_spm: float | np.ndarray) -> float | np.ndarray:
        """Baseline stride length at ``cadence_spm`` (scalar or array), clamped to the valid cadence range."""
        cad = np.clip(np.asarray(cadence_spm, dtype=float), self.cadence_min_spm, self.cadence_max_spm)
        out = self.intercept_m + self.slope_m_per_spm * cad
        return float(out) if np.ndim(out) == 0 else out

    @property
    def reference_cadence_spm(self) -> float:
        """Middle of the valid cadence range, rounded: the cadence used in example numbers."""
        return float(round(0.5 * (self.cadence_min_spm + self.cadence_max_spm)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description."""
        return {**asdict(self), "placement": None if self.placement is None else self.placement.value}


def _check_height(body_height_m: float | None) -> tuple[float, bool]:
    """Return (height, was_given), validating a given height."""
    if body_height_m is None:
        return DEFAULT_BODY_HEIGHT_M, False
    low, high = BODY_HEIGHT_RANGE_M
    if (
        isinstance(body_height_m, bool)
        or not isinstance(body_height_m, int | float)
        or not low <= body_height_m <= high
    ):
        raise GaitError(
            f"body height {body_height_m!r} m is not a plausible height: give it in metres between {low} and {high} "
            "(e.g. 1.75)",
            reason="bad_body_height",
        )
    return float(body_height_m), True


def population_baseline(body_height_m: float | None, *, why: str = "") -> StrideBaseline:
    """The population default: stride = 2 x 0.0035 x body height x cadence, for 98-130 steps/min.

    Parameters
    ----------
    body_height_m
        The walker's height; None uses 1.70 m and says so.
    why
        Optional reason appended to the description (e.g. why no personal baseline exists yet).

    Examples
    --------
    >>> b = population_baseline(1.75)
    >>> round(b.stride_length_m(110.0), 4)
    1.3475
    >>> b.description
    'population default from height 1.75 m'
    """
    height_m, given = _check_height(body_height_m)
    low, high = POPULATION_CADENCE_RANGE_SPM
    assumed = "" if given else " (assumed: no body height in your profile)"
    desc = f"population default from height {height_m:.2f} m{assumed}"
    return StrideBaseline(
        intercept_m=0.0,
        slope_m_per_spm=2.0 * POPULATION_WALK_RATIO_PER_HEIGHT * height_m,
        cadence_min_spm=low,
        cadence_max_spm=high,
        source="population",
        description=desc + (f"; {why}" if why else ""),
        body_height_m=height_m,
    )


def trusted_strides(
    length_m: np.ndarray | float,
    confidence: np.ndarray | float,
    cadence_spm: np.ndarray | float,
    min_confidence: float,
) -> np.ndarray:
    """Which strides may set a level (a personal baseline, a walk's own level): a known, plausible length
    (:data:`STRIDE_LENGTH_RANGE_M`), a confidence of at least ``min_confidence`` and a walking cadence.

    Examples
    --------
    >>> trusted_strides(np.array([1.3, 1.3, np.nan, 3.0]), np.array([0.9, 0.4, 0.9, 0.9]), 110.0, 0.6).tolist()
    [True, False, False, False]
    """
    length = np.asarray(length_m, dtype=float)
    cadence = np.asarray(cadence_spm, dtype=float)
    return (
        np.isfinite(length)
        & (length >= STRIDE_LENGTH_RANGE_M[0])
        & (length <= STRIDE_LENGTH_RANGE_M[1])
        & (np.asarray(confidence, dtype=float) >= min_confidence)
        & (cadence >= TYPICAL_CADENCE_SPM[0])
        & (cadence <= TYPICAL_CADENCE_SPM[1])
    )


def baseline_strides(
    walks: Sequence[WalkRecord], settings: CoachSettings, *, now_s: float, placement: Placement | None = None
) -> tuple[np.ndarray, np.ndarray, int]:
    """Cadence and length of the strides that may enter a personal baseline, and how many walks they come from.

    A stride qualifies when its walk was made with the sensor at ``placement`` (None: walks whose placement is not
    known), counts as a walk (:attr:`WalkRecord.is_walk`), is pain-free, uncoached and started within
    ``baseline_window_days`` before ``now_s``, its length is known and plausible, its confidence is at least
    ``min_confidence`` and its cadence is a walking cadence.
    """
    used = baseline_walks(walks, settings, now_s=now_s, placement=placement)
    if not used:
        return np.empty(0), np.empty(0), 0
    cadence = np.concatenate([walk.cadence_spm[ok] for walk, ok in used])
    length = np.concatenate([walk.stride_length_m[ok] for walk, ok in used])
    return cadence, length, len(used)


def baseline_walks(
    walks: Sequence[WalkRecord], settings: CoachSettings, *, now_s: float, placement: Placement | None = None
) -> list[tuple[WalkRecord, np.ndarray]]:
    """The walks that give a personal baseline strides (:func:`baseline_strides`), each with the mask of its
    strides that do: a pain report naming one of them changes the baseline (its description counts them)."""
    window_s = settings.baseline_window_days * 86400.0
    used = []
    for walk in walks:
        if walk.placement != placement:
            continue
        if not walk.is_walk or not walk.pain_free or walk.coached or not now_s - window_s <= walk.started_at_s <= now_s:
            continue
        ok = trusted_strides(walk.stride_length_m, walk.confidence, walk.cadence_spm, settings.min_confidence)
        if ok.any():
            used.append((walk, ok))
    return used


def fit_baseline(
    walks: Sequence[WalkRecord],
    settings: CoachSettings,
    *,
    body_height_m: float | None,
    now_s: float,
    placement: Placement | None = None,
) -> StrideBaseline:
    """The personal baseline when history allows, else the population default (the description says which).

    Parameters
    ----------
    walks
        The walker's past walks (any order); only those with the sensor at ``placement`` are used.
    settings
        Coach settings (history thresholds, confidence threshold, window).
    body_height_m
        For the population default; None assumes 1.70 m.
    now_s
        Current Unix time; walks after it are ignored, so a plan is a pure function of its inputs.
    placement
        The sensor placement of the walks the baseline is for (None: walks whose placement is not known).
    """
    cadence, length, n_walks = baseline_strides(walks, settings, now_s=now_s, placement=placement)
    n = len(cadence)
    if n_walks < settings.min_baseline_walks or n < settings.min_baseline_strides:
        there = "" if placement is None else " with the sensor there"
        why = (
            f"a personal baseline needs {plural(settings.min_baseline_walks, 'pain-free walk')}{there} (of "
            f"{MIN_WALK_TIME_S / 60.0:.0f} minutes' walking or more) with {settings.min_baseline_strides} "
            f"confident strides; so far {plural(n_walks, 'walk')}, {plural(n, 'stride')}"
        )
        return replace(population_baseline(body_height_m, why=why), placement=placement)
    lo, hi = (float(v) for v in np.percentile(cadence, [5.0, 95.0]))
    # "baseline walks", not "pain-free walks": the plan counts pain-free walks since the latest pain report too,
    # another number (a walk before that report can be a baseline walk; a coached one never is)
    source = (
        f"from {plural(n, 'confident stride')} in {plural(n_walks, 'baseline walk')} (pain-free, not coached, "
        f"in the last {settings.baseline_window_days:.0f} days)"
    )
    slope = float("nan")
    if hi - lo >= MIN_CADENCE_SPREAD_SPM:
        idx = np.linspace(0, n - 1, min(n, MAX_FIT_STRIDES)).round().astype(int)
        slope, intercept = (float(v) for v in theilslopes(length[idx], cadence[idx])[:2])
    plausible = 0.0 <= slope <= MAX_SLOPE_M_PER_SPM and intercept + slope * lo >= STRIDE_LENGTH_RANGE_M[0]
    if plausible:
        shape = f"+{100.0 * slope:.1f} cm per step/min"
    else:
        # Too little cadence spread (or an implausible line): keep the walker's own walk ratio, which the
        # literature finds nearly constant across speeds, instead of trusting a noisy slope.
        slope, intercept = float(np.median(length / cadence)), 0.0
        shape = "in proportion to cadence (too little cadence variety for a slope)"
    mid = float(round(0.5 * (lo + hi)))
    at_mid = intercept + slope * mid
    return StrideBaseline(
        intercept_m=intercept,
        slope_m_per_spm=slope,
        cadence_min_spm=lo,
        cadence_max_spm=hi,
        source="personal",
        description=(
            f"personal: {at_mid:.2f} m at {mid:.0f} steps/min, {shape}, valid for {lo:.0f}-{hi:.0f} steps/min, {source}"
        ),
        n_walks=n_walks,
        n_strides=n,
        placement=placement,
    )
