"""The IC time line of bench.ic_timeline on hand-computed cases (no shared data needed)."""

from __future__ import annotations

import numpy as np

from bench.ic_timeline import format_row, ic_timeline, outside_bouts
from bench.metrics import score_ics


def test_timeline_marks_matches_misses_and_extras_in_time_order() -> None:
    # 2.0 has no detection within 0.25 s (2.5 is 0.5 s away, so it is an extra); 9.0 lies outside the span and
    # 6.2 beyond its 0.25 s widening, so neither is scored; 5.2 is inside the widening: an extra.
    rows = ic_timeline(np.array([1.0, 2.0, 3.0, 9.0]), np.array([1.1, 2.5, 2.9, 5.2, 6.2]), [(0.0, 5.0)])
    assert [(r.kind, r.ref_s, r.det_s) for r in rows] == [
        ("match", 1.0, 1.1),
        ("miss", 2.0, None),
        ("extra", None, 2.5),
        ("match", 3.0, 2.9),
        ("extra", None, 5.2),
    ]
    assert [r.ref_interval_s for r in rows if r.kind != "extra"] == [None, 1.0, 1.0]


def test_timeline_counts_equal_the_ic_score() -> None:
    rng = np.random.default_rng(3)
    ref = np.cumsum(rng.uniform(0.3, 1.5, 60))
    kept = ref[rng.random(60) < 0.8]
    det = np.sort(np.concatenate((kept + rng.normal(0.0, 0.15, len(kept)), rng.uniform(0.0, 60.0, 8))))
    spans = [(5.0, 20.0), (25.0, 50.0)]
    rows = ic_timeline(ref, det, spans)
    score = score_ics(ref, det, spans)
    assert {r.kind for r in rows} == {"match", "miss", "extra"}  # every kind occurs, so each count is tested
    n_match = sum(r.kind == "match" for r in rows)
    assert n_match == score.n_match
    assert n_match + sum(r.kind == "miss" for r in rows) == score.n_ref
    assert n_match + sum(r.kind == "extra" for r in rows) == score.n_det


def test_outside_bouts_counts_detections_beyond_every_widened_bout() -> None:
    bouts = [(1.0, 3.0, 100.0), (10.0, 12.0, 90.0)]
    # 0.8 and 12.2 are within 0.25 s of a bout; 0.7, 5.0 and 12.3 are not
    assert outside_bouts(np.array([0.7, 0.8, 2.0, 5.0, 12.2, 12.3]), bouts) == 3


def test_rows_print_the_timing_error_and_the_reference_interval() -> None:
    rows = ic_timeline(np.array([1.0, 1.6]), np.array([1.05, 3.0]), [(0.0, 4.0)])
    assert [format_row(r).split() for r in rows] == [
        ["R", "1.00", "==", "D", "1.05", "(+0.05)"],
        ["R", "1.60", "MISS", "dR=0.60"],
        ["D", "3.00", "EXTRA"],
    ]
