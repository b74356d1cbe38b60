"""Is an upload the same walk as a stored one? Told by what was analysed (its steps' timing), not by the file.

The same walk saved in two formats (a GENEActiv or phone-app export dated by its clock, and the gait CSV that
``gait convert`` or another tool made of it counting from 0 s; g or m/s^2; a last row lost) decodes to samples whose
fingerprints differ, but the analysis finds its steps at the same moments of the walk. Two different walks never
do: a walker's step intervals vary by tens of milliseconds from step to step, so another walk's steps drift away
from these within a few steps, whatever its cadence.

Figures on the real recordings of ``../shared/data/dev`` (228 with 10 steps or more: mobgap and IPOL lower back,
gaitmap and IPOL feet, Oxford phones in six carry positions), with the tolerance of :func:`match_tolerance_s`:

- the same recording re-saved as gait CSV from 0 s, in g with 4 decimals, or without its last row: 93.3-100 % of
  its steps matched (100 % for all but 2 foot recordings of 15-19 steps);
- resampled (every other sample, or interpolated to 0.6 x the rate): trunk and phone recordings 90.5-100 %; a foot
  sensor's contacts move by a sample or two at half its rate (0-100 %), so a resampled foot recording is not
  recognised;
- 25,695 pairs of different walks (the same walkers' repeated trials included): at most 56 %.

Hence :data:`SAME_WALK_SHARE` = 0.8. A walk whose steps follow each other like a metronome's (a synthetic signal)
carries no timing of its own: it is never called the same walk as another (the real recordings' steps fall at
their walk's usual interval for at most 73 % of steps, a metronome's for all; see :func:`periodic_share`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

SAME_WALK_SHARE = 0.8
"""Share of the steps (of the walk with more) that must fall at the same moments for two walks to be one."""
SAME_WALK_MIN_STEPS = 10
"""Fewer steps than this say too little about a walk to recognise it."""
PERIODIC_SHARE_MAX = 0.9
"""A walk with a larger :func:`periodic_share` is a metronome's: its timing cannot tell it from another."""
MIN_TOLERANCE_S = 0.010
"""The tolerance never goes below 10 ms (a sensor at 150 Hz or more)."""
TOLERANCE_SAMPLES = 1.5
"""Steps of the same walk found in two files fall within this many sample periods (of the slower file) of each
other: a step is detected on a sample, and resampling moves it by at most a sample or so."""
DURATION_SLACK_S = 2.0
DURATION_SLACK_SHARE = 0.005
"""Only stored walks whose duration is within the larger of these (seconds; share of the upload's) are compared:
two files of one walk differ by a row or two, a resampled one by a sample period."""
ALIGN_FIRST_STEPS = 5
"""The two walks' time axes are aligned on one of the first steps of each (a file may lack the first step or two)."""
HEAD_STEPS = 40
"""An alignment is counted over all steps only when half of the first this many steps match with it: two different
walks are told apart in the first few steps, so comparing an upload with the stored walks of its duration costs
little even when many are read."""


def match_tolerance_s(rate_a_hz: float | None, rate_b_hz: float | None) -> float:
    """How close in time two walks' steps must fall to be the same step: :data:`TOLERANCE_SAMPLES` sample periods of
    the slower of the two files (an unknown rate is left out), at least :data:`MIN_TOLERANCE_S`.

    Examples
    --------
    >>> match_tolerance_s(50.0, 100.0), match_tolerance_s(None, 100.0), match_tolerance_s(None, None)
    (0.03, 0.015, 0.01)
    """
    rates = [r for r in (rate_a_hz, rate_b_hz) if r is not None and r > 0]
    return max(MIN_TOLERANCE_S, TOLERANCE_SAMPLES / min(rates)) if rates else MIN_TOLERANCE_S


def duration_window_s(duration_s: float) -> tuple[float, float]:
    """The durations a stored walk may have to be compared with an upload lasting ``duration_s``.

    Examples
    --------
    >>> duration_window_s(60.0), duration_window_s(1800.0)
    ((58.0, 62.0), (1791.0, 1809.0))
    """
    slack_s = max(DURATION_SLACK_S, DURATION_SLACK_SHARE * duration_s)
    return duration_s - slack_s, duration_s + slack_s


def steps_window(steps: int) -> tuple[int, int]:
    """The step counts a stored walk may have to be the same walk as one of ``steps`` steps (see
    :data:`SAME_WALK_SHARE`: the walk with fewer steps must hold that share of the other's).

    Examples
    --------
    >>> steps_window(100)
    (80, 125)
    """
    return math.ceil(SAME_WALK_SHARE * steps - 1e-9), math.floor(steps / SAME_WALK_SHARE + 1e-9)


def periodic_share(step_times_s: Sequence[float] | np.ndarray, tol_s: float) -> float:
    """Share of steps that follow the step one or two before them by the walk's median interval within ``tol_s``
    (the larger of the two shares): 1 for a metronome, 0.3 typical of a walker (at most 0.73 on real recordings).

    Examples
    --------
    >>> periodic_share(np.arange(20) * 0.55, 0.015)
    1.0
    """
    t = np.asarray(step_times_s, dtype=float)
    shares = []
    for lag in (1, 2):
        if len(t) > lag + 1:
            intervals_s = t[lag:] - t[:-lag]
            shares.append(float(np.mean(np.abs(intervals_s - np.median(intervals_s)) <= tol_s)))
    return max(shares, default=1.0)


def _nearest(sorted_s: np.ndarray, t_s: np.ndarray) -> np.ndarray:
    """For each of ``t_s``, the nearest of ``sorted_s`` (at least 2 values)."""
    k = np.clip(np.searchsorted(sorted_s, t_s), 1, len(sorted_s) - 1)
    before, after = sorted_s[k - 1], sorted_s[k]
    return np.where(np.abs(before - t_s) <= np.abs(after - t_s), before, after)


def matched_steps(a_s: Sequence[float] | np.ndarray, b_s: Sequence[float] | np.ndarray, tol_s: float) -> int:
    """How many of walk ``a``'s steps fall within ``tol_s`` of one of walk ``b``'s once their time axes are aligned
    (each on its own origin: Unix seconds, 0 at the file's start...).

    The axes are aligned on each pair of the first :data:`ALIGN_FIRST_STEPS` steps of both, refined by the median
    difference of the steps that then match; the best alignment counts (one under which fewer than half of the first
    :data:`HEAD_STEPS` steps match is not counted further). A step missing or added anywhere costs that step only.

    Examples
    --------
    >>> steps = np.cumsum(np.random.default_rng(1).normal(0.55, 0.03, 100))
    >>> matched_steps(steps, 1.7e9 + steps[1:] - steps[0], 0.015)  # another origin, the first step lost
    99
    """
    a = np.sort(np.asarray(a_s, dtype=float))
    b = np.sort(np.asarray(b_s, dtype=float))
    if len(a) < 2 or len(b) < 2:
        return 0
    head = a[:HEAD_STEPS]

    def misses_s(steps_s: np.ndarray, offset_s: float) -> np.ndarray:
        """How far each of ``steps_s`` falls from the nearest of b's steps shifted by ``offset_s``."""
        return steps_s - offset_s - _nearest(b, steps_s - offset_s)

    best = 0
    for i in range(min(ALIGN_FIRST_STEPS, len(a))):
        for j in range(min(ALIGN_FIRST_STEPS, len(b))):
            miss_s = misses_s(head, a[i] - b[j])
            close = np.abs(miss_s) <= tol_s
            if close.sum() < 2:
                continue
            offset_s = a[i] - b[j] + float(np.median(miss_s[close]))
            if np.sum(np.abs(misses_s(head, offset_s)) <= tol_s) < 0.5 * len(head):
                continue  # another walk: its steps drift away from these within the first few
            best = max(best, int(np.sum(np.abs(misses_s(a, offset_s)) <= tol_s)))
    return best


def same_walk(a_s: Sequence[float] | np.ndarray, b_s: Sequence[float] | np.ndarray, tol_s: float) -> tuple[bool, int]:
    """Whether two walks' step times are those of one walk (see the module's figures), and how many steps match.

    Parameters
    ----------
    a_s, b_s
        Each walk's step times in seconds, on its own time axis.
    tol_s
        :func:`match_tolerance_s` of the two files.

    Returns
    -------
    tuple of (bool, int)
        True when at least :data:`SAME_WALK_SHARE` of the steps of the walk with more match, both walks hold
        :data:`SAME_WALK_MIN_STEPS` steps or more and neither is a metronome's; and the matched steps.
    """
    a = np.asarray(a_s, dtype=float)
    b = np.asarray(b_s, dtype=float)
    if min(len(a), len(b)) < SAME_WALK_MIN_STEPS or min(len(a), len(b)) < SAME_WALK_SHARE * max(len(a), len(b)):
        return False, 0
    if max(periodic_share(a, tol_s), periodic_share(b, tol_s)) > PERIODIC_SHARE_MAX:
        return False, 0
    matched = matched_steps(a, b, tol_s)
    return matched >= SAME_WALK_SHARE * max(len(a), len(b)), matched
