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

A part of a stored walk (a cut-short export, a half) or a whole holding one (:func:`find_part`) is aligned anywhere
by runs of :data:`RUN_INTERVALS` step intervals; the shorter walk's steps are counted. ``python -m bench.same_walk``
on the 230 recordings (each part cut from the recording, analysed on its own, from 0 s; parts of 10 steps or more):

- a part against its whole: first half 131 parts, 94.7-100 % of its steps matched; first 60 % 187 parts, all
  100 %; second half 169 parts, 69.6-100 % (median 100 %, 3 phone walks under 80 %); middle third 139 parts,
  60.6-100 % (median 100 %, 5 phone walks under 80 %: a part cut mid-walk starts without a settled step rhythm);
- 134,209 pairs of different walks (parts and wholes against the other wholes, every placement): parts of 10-19
  steps reach 100 % by chance (a 13-step IPOL half in an Oxford phone walk), of 20-29 steps at most 71.4 %, 30-39
  66.7 %, 40-49 55 %, 50 or more 37.1 %. Hence :data:`PART_MIN_STEPS` = 20: no different walk is refused;
- IPOL trial 9-3 is the first 2268 samples of trial 9-4 (the same walk in the data set): it is found, 100 %.
- another sensor of the same trial (left foot against right foot: one foot's contacts each) matches at most 80 %
  of a 10-step part, 75 % of a whole; a foot against the lower back is not compared (the store compares walks of
  the upload's placement only).

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
PART_MIN_STEPS = 20
"""A part of a walk holds at least this many steps to be recognised in another walk (see the module's figures).
It is also the fewest steps of the walker an upload needs to be stored as a walk
(:func:`service.pipeline.process_file`): an upload of fewer could be a part of a stored walk that cannot be
recognised as one, and would count that walking twice; nor is a few steps (a phone handled on a desk) a walk. The
two count differently for a foot sensor, which sees one foot: a walk counts the walker's steps (twice its contacts,
:func:`gait.analysis.walker_steps`), a part the contacts compared (the figures above are of contacts). So a foot
upload of 10-19 contacts (20-38 steps: a walk; IPOL's 1-2_rf, 17 contacts, was once refused) is stored, but
is not recognised as a part of a stored foot walk nor one as a part of it; the same walk uploaded again whole still
is (:data:`SAME_WALK_MIN_STEPS`)."""
RUN_INTERVALS = 4
"""A part is aligned on a walk where this many consecutive step intervals of the part recur in it."""
ANCHORS = 8
"""The part's runs looked for in the walk (spread over the part)."""
MAX_RUNS = 200
"""At most this many places of one run in a walk are tried (a long walk at a steady cadence repeats short runs)."""
MIN_VOTES = 4
"""A stored walk is compared step by step with an upload when this many anchored runs of either are found in the
other at one alignment (a part of a walk: most of its runs; another walk: seldom four)."""
MAX_CANDIDATES = 20
"""At most this many stored walks are compared step by step with one upload (the most found first)."""
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


def interval_runs(intervals_s: np.ndarray, pattern_s: np.ndarray, tol_s: float | np.ndarray) -> np.ndarray:
    """Where a run of consecutive step intervals like ``pattern_s`` starts in ``intervals_s``: every interval within
    twice the step tolerance (each of its two steps may move by ``tol_s``) of the pattern's.

    ``tol_s`` may be one tolerance per interval (walks of several sample rates laid end to end). The first
    interval sieves, the others only look at what is left: a run in thousands of walks costs one pass over them.

    Examples
    --------
    >>> interval_runs(np.array([0.5, 0.6, 0.55, 0.5, 0.6]), np.array([0.5, 0.6]), 0.01)
    array([0, 3])
    """
    n = len(intervals_s) - len(pattern_s) + 1
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    tol2_s = 2.0 * np.broadcast_to(np.asarray(tol_s, dtype=float), intervals_s.shape)
    at = np.flatnonzero(np.abs(intervals_s[:n] - pattern_s[0]) <= tol2_s[:n])
    for r in range(1, len(pattern_s)):
        at = at[np.abs(intervals_s[at + r] - pattern_s[r]) <= tol2_s[at + r]]
    return at


def anchors(steps: int) -> np.ndarray:
    """Where in a walk of ``steps`` steps its runs of :data:`RUN_INTERVALS` intervals are looked for elsewhere:
    :data:`ANCHORS` spread over it, so that a step lost or added in one run leaves the others.

    Examples
    --------
    >>> anchors(12).tolist()
    [0, 1, 2, 3, 4, 5, 6, 7]
    """
    last = steps - 1 - RUN_INTERVALS
    if last < 0:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.linspace(0, last, min(ANCHORS, last + 1)).round().astype(np.int64))


def part_matched_steps(
    part_s: Sequence[float] | np.ndarray, whole_s: Sequence[float] | np.ndarray, tol_s: float
) -> int:
    """How many of the steps of ``part_s`` fall within ``tol_s`` of steps of ``whole_s`` (each on its own time axis),
    the axes aligned anywhere in the whole: on each place where a run of :data:`RUN_INTERVALS` step intervals of the
    part (at :func:`anchors`) recurs in the whole, refined by the median difference of the steps that then match.

    Examples
    --------
    >>> steps = np.cumsum(np.random.default_rng(1).normal(0.55, 0.03, 300))
    >>> part_matched_steps(steps[150:250] - steps[150], steps, 0.015)  # a middle third, from 0 s
    100
    """
    a = np.sort(np.asarray(part_s, dtype=float))
    b = np.sort(np.asarray(whole_s, dtype=float))
    if len(a) < 2 or len(b) < 2:
        return 0
    da, db = np.diff(a), np.diff(b)
    best = 0
    tried: set[int] = set()
    for k in anchors(len(a)):
        for j in interval_runs(db, da[k : k + RUN_INTERVALS], tol_s)[:MAX_RUNS]:
            offset_s = a[k] - b[j]
            key = round(offset_s / tol_s)
            if key in tried:
                continue  # the same alignment, found from another anchor
            tried.add(key)
            miss_s = a - offset_s - _nearest(b, a - offset_s)
            close = np.abs(miss_s) <= tol_s
            offset_s += float(np.median(miss_s[close]))
            best = max(best, int(np.sum(np.abs(a - offset_s - _nearest(b, a - offset_s)) <= tol_s)))
            if best == len(a):
                return best
    return best


def run_pairs(patterns_s: np.ndarray, tol_s: np.ndarray, intervals_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which of ``patterns_s`` (one run of :data:`RUN_INTERVALS` intervals a row, ``tol_s`` its tolerance) recur
    where in ``intervals_s``: the pattern rows and the run starts. Many patterns (the anchors of thousands of
    walks) against one walk: its runs are sorted by their first interval, each pattern looks up its range.

    Examples
    --------
    >>> run_pairs(np.array([[0.6, 0.55], [0.7, 0.7]]), np.array([0.01, 0.01]), np.array([0.5, 0.6, 0.55, 0.5]))
    (array([0]), array([1]))
    """
    width = patterns_s.shape[1] if patterns_s.ndim == 2 else 0
    n = len(intervals_s) - width + 1
    if n <= 0 or len(patterns_s) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = np.argsort(intervals_s[:n], kind="stable")
    first_s = intervals_s[:n][order]
    lo = np.searchsorted(first_s, patterns_s[:, 0] - 2.0 * tol_s, side="left")
    hi = np.searchsorted(first_s, patterns_s[:, 0] + 2.0 * tol_s, side="right")
    rows = np.repeat(np.arange(len(patterns_s)), hi - lo)
    starts = order[np.concatenate([np.arange(a, b) for a, b in zip(lo, hi, strict=True)] or [np.zeros(0, int)])]
    for r in range(1, width):
        keep = np.abs(intervals_s[starts + r] - patterns_s[rows, r]) <= 2.0 * tol_s[rows]
        rows, starts = rows[keep], starts[keep]
    return rows, starts


def find_part(
    upload_s: Sequence[float] | np.ndarray,
    rate_hz: float | None,
    stored: Sequence[tuple[float | None, np.ndarray]],
) -> tuple[int, bool, int, float] | None:
    """The first of the ``stored`` walks (each its sample rate and step times) that the upload is a part of, or that
    is a part of the upload (:func:`part_of_walk`): its index, whether the upload holds it, the steps matched and the
    tolerance; None when there is none.

    For thousands of stored walks at once: the upload's runs at its :func:`anchors` are looked for in all stored
    walks laid end to end (:func:`interval_runs`), the stored walks' anchored runs in the upload (:func:`run_pairs`);
    only walks found by :data:`MIN_VOTES` runs or more (at most :data:`MAX_CANDIDATES`, most found first) are
    compared step by step. ``python -m bench.same_walk --timing`` (2000 stored walks): a 105-step upload against
    walks of 20-40 min, 0.5 s of CPU (1.0 s before the votes were counted by one sort); a 30 min upload against
    walks of 28-32 min, 6-7 s (26 s before): a walker's steady steps repeat runs of 4 intervals, so runs are found
    6.4 million times by chance and the 20 walks found by the most (4 or more at one alignment) are compared step
    by step (half the time). The store runs it before its write transaction (:meth:`service.store.Store.add_walks`).
    """
    u = np.sort(np.asarray(upload_s, dtype=float))
    if len(u) < PART_MIN_STEPS or not stored:
        return None
    du = np.diff(u)
    tols_s = np.array([match_tolerance_s(rate_hz, r) for r, _ in stored])
    walks = [np.asarray(steps_s, dtype=float) for _, steps_s in stored]  # stored in time order
    gap = np.full(RUN_INTERVALS, np.nan)  # no run spans two walks
    laid = np.concatenate([part for w in walks for part in (np.diff(w), gap)])
    laid_t = np.concatenate([part for w in walks for part in (w[:-1], gap)])
    owner = np.concatenate([np.full(max(len(w) - 1, 0) + RUN_INTERVALS, i) for i, w in enumerate(walks)])
    tol_laid_s = tols_s[owner]
    hits_walk, hits_anchor, hits_offset = [], [], []
    for k in anchors(len(u)):  # the upload a part of a stored walk
        at = interval_runs(laid, du[k : k + RUN_INTERVALS], tol_laid_s)
        hits_walk.append(owner[at])
        hits_anchor.append(np.full(len(at), k))
        hits_offset.append(u[k] - laid_t[at])
    patterns, pattern_walk, pattern_k = [], [], []
    for i, w in enumerate(walks):  # a stored walk a part of the upload
        if len(w) >= PART_MIN_STEPS:
            dw = np.diff(w)
            ks = anchors(len(w))
            patterns += [dw[k : k + RUN_INTERVALS] for k in ks]
            pattern_walk += [i] * len(ks)
            pattern_k += [w[k] for k in ks]
    if patterns:
        walk_of_row = np.asarray(pattern_walk)
        rows, starts = run_pairs(np.asarray(patterns), tols_s[walk_of_row], du)
        hits_walk.append(walk_of_row[rows])
        hits_anchor.append(rows + len(u))  # another anchor than the upload's
        hits_offset.append(u[starts] - np.asarray(pattern_k)[rows])
    votes = _consistent_votes(
        np.concatenate(hits_walk), np.concatenate(hits_anchor), np.concatenate(hits_offset), tols_s, len(walks)
    )
    for i in np.argsort(-votes, kind="stable")[:MAX_CANDIDATES]:
        if votes[i] < MIN_VOTES:
            break
        holds = len(walks[i]) < len(u)
        part_s, whole_s = (walks[i], u) if holds else (u, walks[i])
        same, matched = part_of_walk(part_s, whole_s, float(tols_s[i]))
        if same:
            return int(i), holds, matched, float(tols_s[i])
    return None


def _consistent_votes(
    walk: np.ndarray, anchor: np.ndarray, offset_s: np.ndarray, tols_s: np.ndarray, walks: int
) -> np.ndarray:
    """Per walk, the most anchors found in it at one alignment (offsets within a bin of 4 tolerances, on two grids
    half a bin apart): a part's runs recur at one offset, another walk's at scattered ones."""
    votes = np.zeros(walks, dtype=np.int64)
    if len(walk) == 0:
        return votes
    for shift in (0.0, 0.5):
        bins = np.floor(offset_s / (4.0 * tols_s[walk]) + shift).astype(np.int64)
        cell_walk, cell_bin = _distinct_triples(walk, bins, anchor)  # each anchor once per alignment
        new_cell = np.flatnonzero(np.r_[True, (cell_walk[1:] != cell_walk[:-1]) | (cell_bin[1:] != cell_bin[:-1])])
        np.maximum.at(votes, cell_walk[new_cell], np.diff(np.r_[new_cell, len(cell_walk)]))
    return votes


def _distinct_triples(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ``a`` and ``b`` (counted from its smallest) of the distinct triples (``a``, ``b``, ``c``) of integers,
    ``a`` and ``c`` not negative, in order.

    A sort of one int64 key per triple when the three ranges fit in one (millions of hits in tenths of a second,
    where ``np.unique(axis=1)`` took tens of seconds); a sort by the three columns otherwise.
    """
    a, b, c = (np.asarray(x, dtype=np.int64) for x in (a, b - b.min(), c))
    sizes = [int(b.max()) + 1, int(c.max()) + 1]
    if (int(a.max()) + 1) * sizes[0] * sizes[1] < 2**63:
        keys = np.sort((a * sizes[0] + b) * sizes[1] + c)
        keys = keys[np.r_[True, keys[1:] != keys[:-1]]] // sizes[1]
        return keys // sizes[0], keys % sizes[0]
    order = np.lexsort((c, b, a))
    a, b, c = a[order], b[order], c[order]
    first = np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1]) | (c[1:] != c[:-1])]
    return a[first], b[first]


def part_of_walk(
    part_s: Sequence[float] | np.ndarray, whole_s: Sequence[float] | np.ndarray, tol_s: float
) -> tuple[bool, int]:
    """Whether the walk of ``part_s`` is a part of the walk of ``whole_s`` (a cut-short export, a half; the whole
    walk itself), and how many of its steps match (:func:`part_matched_steps`).

    True when at least :data:`SAME_WALK_SHARE` of the part's steps fall at the whole's, the part holds
    :data:`PART_MIN_STEPS` steps or more (fewer could fall on another walk's by chance, see the module's figures) and
    its timing is not a metronome's.
    """
    a = np.asarray(part_s, dtype=float)
    if len(a) < PART_MIN_STEPS or len(np.asarray(whole_s)) < SAME_WALK_SHARE * len(a):
        return False, 0
    if periodic_share(a, tol_s) > PERIODIC_SHARE_MAX:
        return False, 0
    matched = part_matched_steps(a, whole_s, tol_s)
    return matched >= SAME_WALK_SHARE * len(a), matched
