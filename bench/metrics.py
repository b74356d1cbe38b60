"""Accuracy metrics of DESIGN.md section 5, so that every figure we print is comparable.

- IC detection: one-to-one matching of detected to reference ICs within +-0.25 s inside the annotated walking
  span; recall, precision, F1, mean absolute timing error.
- Step count error: |detected - reference| / reference per recording; median and mean over recordings.
- Cadence: per reference walking bout, cadence from the detected steps inside it vs the reference cadence, both
  as the mean over strides of 120 / stride duration (the INDIP definition, see :func:`mean_stride_cadence`).
- Stride length: each reference stride matched to the estimated stride with the largest time overlap (at least
  half the reference stride); absolute error (m), relative error (%), coverage. The same restricted to the
  estimates whose confidence reaches a threshold (the coach judges only those, see :func:`confident_only`), and
  by confidence band (:func:`confidence_bands`).

"Inside the walking span": reference ICs are scored when they lie in a span; detected ICs when they lie in a span
widened by the matching tolerance on both sides, so that a detection a few milliseconds before the first
reference IC of a span still matches it instead of being thrown away (and a span boundary cannot create a false
negative on its own). The same widened spans define which detected steps count for the step count error.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

IC_TOLERANCE_S = 0.25
"""Largest |detected - reference| time difference for an IC match (DESIGN.md section 5)."""

MIN_STRIDE_OVERLAP = 0.5
"""Share of a reference stride an estimated stride must overlap to be its match."""

Span = tuple[float, float]


def in_spans(t_s: np.ndarray, spans: Sequence[Span], pad_s: float = 0.0) -> np.ndarray:
    """Boolean mask of the times that lie in any span widened by ``pad_s`` on each side (bounds included)."""
    t_s = np.asarray(t_s, dtype=float)
    mask = np.zeros(t_s.shape, dtype=bool)
    for start_s, end_s in spans:
        mask |= (t_s >= start_s - pad_s) & (t_s <= end_s + pad_s)
    return mask


@dataclass(frozen=True)
class IcScore:
    """Counts of an IC matching; add scores to pool them over recordings.

    Attributes
    ----------
    n_ref, n_det
        Reference ICs in the spans and detected ICs in the widened spans.
    n_match
        One-to-one matches within the tolerance.
    abs_err_sum_s
        Sum of |detected - reference| over the matches.
    signed_err_sum_s
        Sum of detected - reference over the matches (a systematic lag or lead shows here).
    """

    n_ref: int
    n_det: int
    n_match: int
    abs_err_sum_s: float
    signed_err_sum_s: float = 0.0

    def __add__(self, other: IcScore) -> IcScore:
        return IcScore(
            self.n_ref + other.n_ref,
            self.n_det + other.n_det,
            self.n_match + other.n_match,
            self.abs_err_sum_s + other.abs_err_sum_s,
            self.signed_err_sum_s + other.signed_err_sum_s,
        )

    @property
    def recall(self) -> float:
        """Matched share of the reference ICs (NaN without reference ICs)."""
        return self.n_match / self.n_ref if self.n_ref else float("nan")

    @property
    def precision(self) -> float:
        """Matched share of the detected ICs (NaN without detections)."""
        return self.n_match / self.n_det if self.n_det else float("nan")

    @property
    def f1(self) -> float:
        """Harmonic mean of recall and precision, ``2 m / (n_ref + n_det)`` (NaN when both are empty)."""
        total = self.n_ref + self.n_det
        return 2.0 * self.n_match / total if total else float("nan")

    @property
    def mae_s(self) -> float:
        """Mean absolute timing error of the matches in seconds (NaN without matches)."""
        return self.abs_err_sum_s / self.n_match if self.n_match else float("nan")

    @property
    def bias_s(self) -> float:
        """Mean signed timing error (detected - reference) of the matches; positive = detections late."""
        return self.signed_err_sum_s / self.n_match if self.n_match else float("nan")


EMPTY_IC_SCORE = IcScore(0, 0, 0, 0.0, 0.0)


def match_ics(ref_ic_s: np.ndarray, det_ic_s: np.ndarray, tol_s: float = IC_TOLERANCE_S) -> list[tuple[int, int]]:
    """One-to-one matching of detected to reference ICs within ``tol_s``.

    The matching has the most pairs possible and, among those, the smallest total timing error (an assignment
    problem solved exactly, so a detection between two reference ICs cannot steal the better partner's match).

    Returns
    -------
    list of (ref_index, det_index)
        The matched pairs, sorted by reference index.
    """
    ref = np.asarray(ref_ic_s, dtype=float)
    det = np.asarray(det_ic_s, dtype=float)
    if len(ref) == 0 or len(det) == 0:
        return []
    diff = np.abs(ref[:, None] - det[None, :])
    feasible = diff <= tol_s
    # only rows/columns with a feasible partner matter; this keeps the matrix small on long recordings
    rows = np.flatnonzero(feasible.any(axis=1))
    cols = np.flatnonzero(feasible.any(axis=0))
    if len(rows) == 0:
        return []
    sub = diff[np.ix_(rows, cols)]
    # an infeasible pair costs more than all feasible pairs together, so the count of matches is maximised first
    big = tol_s * (len(rows) + len(cols) + 1) + 1.0
    cost = np.where(sub <= tol_s, sub, big)
    r_idx, c_idx = linear_sum_assignment(cost)
    pairs = [(int(rows[r]), int(cols[c])) for r, c in zip(r_idx, c_idx, strict=True) if sub[r, c] <= tol_s]
    return sorted(pairs)


def score_ics(
    ref_ic_s: np.ndarray, det_ic_s: np.ndarray, spans: Sequence[Span], tol_s: float = IC_TOLERANCE_S
) -> IcScore:
    """Score detected ICs against the reference inside the walking spans (see the module docstring)."""
    ref = np.sort(np.asarray(ref_ic_s, dtype=float))
    det = np.sort(np.asarray(det_ic_s, dtype=float))
    ref = ref[in_spans(ref, spans)]
    det = det[in_spans(det, spans, pad_s=tol_s)]
    pairs = match_ics(ref, det, tol_s)
    signed = np.array([det[j] - ref[i] for i, j in pairs])
    return IcScore(
        n_ref=len(ref),
        n_det=len(det),
        n_match=len(pairs),
        abs_err_sum_s=float(np.abs(signed).sum()),
        signed_err_sum_s=float(signed.sum()),
    )


def step_count_error(
    ref_ic_s: np.ndarray, det_ic_s: np.ndarray, spans: Sequence[Span], tol_s: float = IC_TOLERANCE_S
) -> float:
    """``|detected - reference| / reference`` for the steps inside the walking spans (NaN without reference)."""
    n_ref = int(in_spans(ref_ic_s, spans).sum())
    n_det = int(in_spans(det_ic_s, spans, pad_s=tol_s).sum())
    return abs(n_det - n_ref) / n_ref if n_ref else float("nan")


def mean_stride_cadence(ic_s: np.ndarray, steps_per_interval: int = 1) -> float:
    """Bout cadence as the INDIP reference defines it: the mean over strides of 120 / stride duration.

    The strides are formed from consecutive ICs: IC i to IC i + 2 when the ICs are of both feet
    (``steps_per_interval`` 1), IC i to IC i + 1 when they are of one foot only (2). The mobgap lab INDIP
    ``Cadence`` of every MicroWB equals this mean over its strides; a count over the bout's duration
    (``60 (n - 1) / span``) differs from it by 1-3 steps/min on the same contacts, so both sides of the
    comparison use this one definition.

    Returns
    -------
    float
        Steps per minute, NaN when the ICs form no stride.
    """
    ic = np.sort(np.asarray(ic_s, dtype=float))
    lag = 2 if steps_per_interval == 1 else 1
    if len(ic) <= lag:
        return float("nan")
    durations = ic[lag:] - ic[:-lag]
    durations = durations[durations > 0]
    return float(np.mean(120.0 / durations)) if len(durations) else float("nan")


def cadence_in_bout(
    det_ic_s: np.ndarray, start_s: float, end_s: float, steps_per_interval: int = 1, pad_s: float = IC_TOLERANCE_S
) -> float:
    """Cadence (steps/min) of the detected ICs inside a bout widened by ``pad_s`` (:func:`mean_stride_cadence`).

    The bout is widened by the IC tolerance so that a detection just before the bout's first reference IC
    counts. NaN when the detected ICs inside form no stride.
    """
    det = np.asarray(det_ic_s, dtype=float)
    return mean_stride_cadence(det[(det >= start_s - pad_s) & (det <= end_s + pad_s)], steps_per_interval)


def cadence_errors(
    ref_bouts: Sequence[tuple[float, float, float]], det_ic_s: np.ndarray, steps_per_interval: int = 1
) -> list[tuple[float, float]]:
    """``(reference_spm, detected_spm)`` per reference bout; detected is NaN when the steps in it form no stride."""
    return [(float(c), cadence_in_bout(det_ic_s, s, e, steps_per_interval)) for s, e, c in ref_bouts]


@dataclass(frozen=True)
class StrideMatch:
    """A reference stride with its matched estimate (``est_length_m`` NaN when it has none)."""

    ref_start_s: float
    ref_end_s: float
    ref_length_m: float
    est_length_m: float
    est_confidence: float = float("nan")  # the matched estimate's confidence, NaN when unknown or unmatched

    @property
    def abs_err_m(self) -> float:
        """|estimate - reference| in metres."""
        return abs(self.est_length_m - self.ref_length_m)

    @property
    def rel_err_pct(self) -> float:
        """|estimate - reference| / reference in percent."""
        return 100.0 * self.abs_err_m / self.ref_length_m


def match_strides(
    ref_strides: Sequence[tuple[float, float, float]],
    est_strides: Sequence[tuple[float, float, float | None]],
    min_overlap: float = MIN_STRIDE_OVERLAP,
    est_confidence: Sequence[float] | None = None,
) -> list[StrideMatch]:
    """Match each reference stride with a length to the estimated stride that overlaps it most in time.

    Parameters
    ----------
    ref_strides
        ``(start_s, end_s, length_m)``; strides with a NaN length are skipped (nothing to compare with).
    est_strides
        ``(start_s, end_s, length_m)`` of the estimate; strides without a length (None or NaN) are not estimates
        and are ignored.
    min_overlap
        The overlap must cover at least this share of the reference stride's duration.
    est_confidence
        The estimated strides' confidences, one per estimated stride; None when unknown.

    Returns
    -------
    list of StrideMatch
        One per scored reference stride; ``est_length_m`` is NaN when no estimate overlaps enough.
    """
    conf = [np.nan] * len(est_strides) if est_confidence is None else [float(c) for c in est_confidence]
    if len(conf) != len(est_strides):
        raise ValueError(f"{len(conf)} confidences for {len(est_strides)} estimated strides")
    est = np.array(
        [
            (s, e, np.nan if length is None else float(length), c)
            for (s, e, length), c in zip(est_strides, conf, strict=True)
        ],
        dtype=float,
    ).reshape(-1, 4)
    est = est[np.isfinite(est[:, 2])]
    out: list[StrideMatch] = []
    for start_s, end_s, length_m in ref_strides:
        if not np.isfinite(length_m) or end_s <= start_s:
            continue
        est_len = est_conf = float("nan")
        if len(est):
            overlap = np.minimum(est[:, 1], end_s) - np.maximum(est[:, 0], start_s)
            best = int(np.argmax(overlap))
            if overlap[best] >= min_overlap * (end_s - start_s):
                est_len, est_conf = float(est[best, 2]), float(est[best, 3])
        out.append(StrideMatch(float(start_s), float(end_s), float(length_m), est_len, est_conf))
    return out


def confident_only(matches: Sequence[StrideMatch], min_confidence: float) -> list[StrideMatch]:
    """The matches as if only estimates with at least ``min_confidence`` existed (the others become unmatched).

    Summarised (:func:`summarize_strides`) this gives the error of the strides a consumer that trusts only those
    estimates sees (the coach: ``DEFAULT_MIN_CONFIDENCE``), and their coverage of all reference strides.

    Examples
    --------
    >>> m = [StrideMatch(0.0, 1.0, 1.0, 1.1, 0.75), StrideMatch(1.0, 2.0, 0.4, 0.9, 0.375)]
    >>> s = summarize_strides(confident_only(m, 0.6)); round(s.mae_m, 3), s.coverage
    (0.1, 0.5)
    """
    nan = float("nan")
    return [
        m if m.est_confidence >= min_confidence else StrideMatch(m.ref_start_s, m.ref_end_s, m.ref_length_m, nan, nan)
        for m in matches
    ]


def confidence_bands(
    matches: Sequence[StrideMatch], edges: Sequence[float]
) -> list[tuple[float, float, StrideSummary]]:
    """Stride-length error of the matched estimates per confidence band ``[edges[i], edges[i + 1])`` (the last
    band includes its upper edge).

    Returns
    -------
    list
        ``(low, high, summary)`` per band; the summary's ``n_ref`` and ``n_matched`` both count the matched
        estimates in the band (coverage is not meaningful per band).
    """
    got = [m for m in matches if np.isfinite(m.est_length_m)]
    out = []
    for i, (low, high) in enumerate(itertools.pairwise(edges)):
        last = i == len(edges) - 2
        band = [
            m
            for m in got
            if low <= m.est_confidence and (m.est_confidence <= high if last else m.est_confidence < high)
        ]
        out.append((float(low), float(high), summarize_strides(band)))
    return out


@dataclass(frozen=True)
class StrideSummary:
    """Pooled stride-length accuracy: mean absolute error, mean relative error and coverage."""

    n_ref: int
    n_matched: int
    mae_m: float
    rel_err_pct: float

    @property
    def coverage(self) -> float:
        """Share of reference strides that got an estimate (NaN without reference strides)."""
        return self.n_matched / self.n_ref if self.n_ref else float("nan")


def summarize_strides(matches: Sequence[StrideMatch]) -> StrideSummary:
    """Pool stride matches: errors over the matched strides, coverage over all reference strides."""
    got = [m for m in matches if np.isfinite(m.est_length_m)]
    if not got:
        return StrideSummary(len(matches), 0, float("nan"), float("nan"))
    return StrideSummary(
        n_ref=len(matches),
        n_matched=len(got),
        mae_m=float(np.mean([m.abs_err_m for m in got])),
        rel_err_pct=float(np.mean([m.rel_err_pct for m in got])),
    )


__all__ = [
    "EMPTY_IC_SCORE",
    "IC_TOLERANCE_S",
    "MIN_STRIDE_OVERLAP",
    "IcScore",
    "StrideMatch",
    "StrideSummary",
    "cadence_errors",
    "cadence_in_bout",
    "confidence_bands",
    "confident_only",
    "in_spans",
    "match_ics",
    "match_strides",
    "mean_stride_cadence",
    "score_ics",
    "step_count_error",
    "summarize_strides",
]
