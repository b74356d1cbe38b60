"""The accuracy metrics of DESIGN.md section 5 on hand-computed cases (no shared data needed)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.metrics import (
    IC_TOLERANCE_S,
    IcScore,
    cadence_errors,
    cadence_in_bout,
    confidence_bands,
    confident_only,
    in_spans,
    match_ics,
    match_strides,
    mean_stride_cadence,
    score_ics,
    step_count_error,
    summarize_strides,
)


def test_ic_matching_counts_and_timing_error() -> None:
    # 2.3 is 0.3 s from 2.0 (beyond 0.25 s) and 5.0 matches nothing: 2 matches of 3 reference, 4 detected
    score = score_ics(np.array([1.0, 2.0, 3.0]), np.array([1.1, 2.3, 2.9, 5.0]), [(0.0, 10.0)])
    assert (score.n_ref, score.n_det, score.n_match) == (3, 4, 2)
    assert score.recall == pytest.approx(2 / 3)
    assert score.precision == pytest.approx(0.5)
    assert score.f1 == pytest.approx(2 * 2 / 7)
    assert score.mae_s == pytest.approx(0.1)
    assert score.bias_s == pytest.approx(0.0)  # one match 0.1 s late, one 0.1 s early


def test_matching_is_one_to_one_and_maximal() -> None:
    # nearest-first greedy would pair 1.3 with 1.2 and leave 1.0 unmatched; the optimal matching has two pairs
    pairs = match_ics(np.array([1.0, 1.3]), np.array([1.2, 1.5]))
    assert pairs == [(0, 0), (1, 1)]
    # one detection between two reference ICs matches only one of them
    assert match_ics(np.array([1.0, 1.2]), np.array([1.1])) in ([(0, 0)], [(1, 0)])
    assert match_ics(np.array([1.0]), np.array([0.9, 1.05])) == [(0, 1)]  # the closer one


def test_tolerance_is_inclusive() -> None:
    assert match_ics(np.array([1.0]), np.array([1.25])) == [(0, 0)]
    assert match_ics(np.array([1.0]), np.array([1.2501])) == []


def test_walking_span_limits_reference_and_widened_span_limits_detections() -> None:
    ref = np.array([1.0, 2.0, 3.0, 10.0])  # 10.0 is outside the span: not scored
    det = np.array([0.8, 2.0, 3.2, 3.3, 10.0])  # span widened by 0.25 s: [0.65, 3.25] keeps 0.8, 2.0, 3.2
    score = score_ics(ref, det, [(0.9, 3.0)])
    assert (score.n_ref, score.n_det, score.n_match) == (3, 3, 3)
    assert score.mae_s == pytest.approx(0.4 / 3)
    assert score.bias_s == pytest.approx(0.0)  # -0.2, 0.0, +0.2


def test_in_spans_with_several_spans_and_padding() -> None:
    t = np.array([0.0, 1.0, 1.6, 5.0, 6.1])
    assert in_spans(t, [(1.0, 1.5), (5.0, 6.0)]).tolist() == [False, True, False, True, False]
    assert in_spans(t, [(1.0, 1.5), (5.0, 6.0)], pad_s=0.1).tolist() == [False, True, True, True, True]


def test_empty_inputs_give_nan_not_errors() -> None:
    score = score_ics(np.array([]), np.array([]), [(0.0, 1.0)])
    assert score.n_match == 0
    assert math.isnan(score.f1) and math.isnan(score.recall) and math.isnan(score.precision)
    no_det = score_ics(np.array([1.0, 2.0]), np.array([]), [(0.0, 3.0)])
    assert no_det.recall == 0.0 and no_det.f1 == 0.0 and math.isnan(no_det.precision)


def test_scores_pool_by_adding_counts() -> None:
    a = IcScore(n_ref=10, n_det=8, n_match=8, abs_err_sum_s=0.16)
    b = IcScore(n_ref=10, n_det=12, n_match=9, abs_err_sum_s=0.36)
    pooled = a + b
    assert (pooled.n_ref, pooled.n_det, pooled.n_match) == (20, 20, 17)
    assert pooled.f1 == pytest.approx(34 / 40)
    assert pooled.mae_s == pytest.approx(0.52 / 17)


def test_step_count_error_uses_the_spans() -> None:
    ref = np.arange(10) * 0.5 + 1.0  # 10 steps from 1.0 to 5.5
    det = np.concatenate([ref[:9] + 0.01, [20.0]])  # 9 steps inside, one far outside the span
    assert step_count_error(ref, det, [(1.0, 5.5)]) == pytest.approx(0.1)
    assert math.isnan(step_count_error(np.array([]), det, [(1.0, 5.5)]))


def test_cadence_is_the_mean_of_stride_cadences() -> None:
    # both feet: strides 0 -> 1.0 (1.0 s, 120 spm) and 0.5 -> 2.0 (1.5 s, 80 spm); a count over the span would say 90
    assert mean_stride_cadence(np.array([0.0, 0.5, 1.0, 2.0])) == pytest.approx(100.0)
    # one foot: every interval is a stride
    assert mean_stride_cadence(np.array([0.0, 1.0, 2.0]), steps_per_interval=2) == pytest.approx(120.0)
    assert math.isnan(mean_stride_cadence(np.array([0.0, 0.5])))  # two contacts of both feet: no stride yet
    assert math.isnan(mean_stride_cadence(np.array([1.0]), steps_per_interval=2))


def test_cadence_in_bout() -> None:
    det = np.array([0.0, 0.5, 1.0, 1.5, 2.0])
    assert cadence_in_bout(det, 0.1, 1.9) == pytest.approx(120.0)  # widened bout keeps all 5: three 1 s strides
    assert cadence_in_bout(det, 0.1, 1.9, steps_per_interval=2) == pytest.approx(240.0)  # as one foot's contacts
    assert math.isnan(cadence_in_bout(det, 0.3, 1.2))  # [0.05, 1.45] keeps 0.5 and 1.0 only: no stride
    assert cadence_errors([(0.1, 1.9, 118.0), (10.0, 12.0, 100.0)], det) == [
        (118.0, pytest.approx(120.0)),
        (100.0, pytest.approx(float("nan"), nan_ok=True)),
    ]


def test_stride_matching_by_largest_overlap() -> None:
    ref = [(0.0, 1.0, 1.2), (1.0, 2.0, 1.4), (2.0, 3.0, float("nan")), (3.0, 4.0, 1.0)]
    est = [
        (0.0, 1.0, None),  # no length: not an estimate, ignored although it overlaps fully
        (0.1, 1.1, 1.3),  # overlaps ref 0 by 0.9
        (0.9, 1.9, 1.5),  # overlaps ref 1 by 0.9 (ref 0 by 0.1)
        (1.5, 2.5, 9.0),  # overlaps ref 1 by 0.5 only
        (3.6, 4.6, 1.0),  # overlaps ref 3 by 0.4 < half of 1.0: no match
    ]
    matches = match_strides(ref, est)
    assert [m.ref_start_s for m in matches] == [0.0, 1.0, 3.0]  # the NaN reference is skipped
    assert matches[0].est_length_m == pytest.approx(1.3)
    assert matches[1].est_length_m == pytest.approx(1.5)
    assert math.isnan(matches[2].est_length_m)
    summary = summarize_strides(matches)
    assert (summary.n_ref, summary.n_matched) == (3, 2)
    assert summary.coverage == pytest.approx(2 / 3)
    assert summary.mae_m == pytest.approx(0.1)
    assert summary.rel_err_pct == pytest.approx((0.1 / 1.2 + 0.1 / 1.4) / 2 * 100)


def test_stride_overlap_of_exactly_half_matches() -> None:
    assert match_strides([(0.0, 2.0, 1.0)], [(1.0, 3.0, 1.2)])[0].est_length_m == pytest.approx(1.2)
    assert math.isnan(match_strides([(0.0, 2.0, 1.0)], [(1.01, 3.0, 1.2)])[0].est_length_m)


def test_stride_error_of_the_confident_estimates_and_by_confidence_band() -> None:
    ref = [(0.0, 1.0, 1.0), (1.0, 2.0, 1.0), (2.0, 3.0, 1.0), (3.0, 4.0, 1.0)]
    est = [(0.0, 1.0, 1.1), (1.0, 2.0, 1.5), (2.0, 3.0, 1.3), (3.0, 4.0, None)]
    matches = match_strides(ref, est, est_confidence=[0.75, 0.2, 0.375, 0.9])
    assert [m.est_confidence for m in matches[:3]] == [0.75, 0.2, 0.375] and math.isnan(matches[3].est_confidence)
    confident = summarize_strides(confident_only(matches, 0.6))
    assert (confident.n_ref, confident.n_matched) == (4, 1)  # coverage of all reference strides
    assert confident.mae_m == pytest.approx(0.1)
    bands = confidence_bands(matches, (0.0, 0.3, 0.6, 1.0))
    assert [(lo, hi, b.n_matched) for lo, hi, b in bands] == [(0.0, 0.3, 1), (0.3, 0.6, 1), (0.6, 1.0, 1)]
    assert [b.mae_m for *_, b in bands] == pytest.approx([0.5, 0.3, 0.1])
    assert confidence_bands(match_strides(ref[:1], est[:1], est_confidence=[1.0]), (0.0, 0.6, 1.0))[1][2].n_matched == 1
    with pytest.raises(ValueError, match="confidences"):
        match_strides(ref, est, est_confidence=[0.5])


def test_stride_summary_without_estimates() -> None:
    summary = summarize_strides(match_strides([(0.0, 1.0, 1.0)], []))
    assert summary.n_ref == 1 and summary.coverage == 0.0 and math.isnan(summary.mae_m)


def greedy_max_matching(ref: list[float], det: list[float], tol: float) -> int:
    """Oracle: on a line, matching each reference IC in time order to the earliest free detection within the
    tolerance gives a matching of maximum size (the classic interval-scheduling exchange argument)."""
    det_sorted = sorted(det)
    used = [False] * len(det_sorted)
    count = 0
    for r in sorted(ref):
        for j, d in enumerate(det_sorted):
            if not used[j] and abs(d - r) <= tol:
                used[j] = True
                count += 1
                break
    return count


times = st.lists(st.floats(min_value=0.0, max_value=5.0, allow_nan=False).map(lambda x: round(x, 3)), max_size=12)


@settings(max_examples=200, deadline=None)
@given(ref=times, det=times)
def test_matching_size_is_maximal_and_pairs_are_valid(ref: list[float], det: list[float]) -> None:
    ref_a, det_a = np.array(ref), np.array(det)
    pairs = match_ics(ref_a, det_a)
    assert len({i for i, _ in pairs}) == len(pairs) == len({j for _, j in pairs})
    assert all(abs(ref_a[i] - det_a[j]) <= IC_TOLERANCE_S for i, j in pairs)
    assert len(pairs) == greedy_max_matching(ref, det, IC_TOLERANCE_S)


@settings(max_examples=50, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=30),
    shift=st.floats(min_value=-0.2, max_value=0.2, allow_nan=False),
)
def test_shifted_detections_match_all_with_shift_as_error(n: int, shift: float) -> None:
    ref = np.arange(n) * 0.55 + 1.0  # steps 0.55 s apart: a shift under 0.25 s keeps every nearest pair unique
    score = score_ics(ref, ref + shift, [(float(ref[0]), float(ref[-1]))])
    assert score.n_match == n and score.f1 == pytest.approx(1.0)
    assert score.mae_s == pytest.approx(abs(shift), abs=1e-9)
    assert score.bias_s == pytest.approx(shift, abs=1e-9)
