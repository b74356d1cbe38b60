"""Reference vs detected initial contacts of each recording on one time line, matches marked.

Usage::

    .venv/bin/python -m bench.ic_timeline [--dataset NAME] [--name SUBSTRING] [--errors-only]

For looking at where an IC detector goes wrong rather than by how much: each reference IC inside the walking
spans is printed with its interval to the previous reference IC and its matched detection (``==``, with the
timing error) or ``MISS``; each unmatched detection inside the widened spans is printed as ``EXTRA`` where it
falls in time. The matching and the spans are those of ``bench.accuracy`` (:mod:`bench.metrics`), so the counts
equal its per-recording figures. Also counted: detections outside every reference bout (widened by the same
tolerance), which the IC score ignores; where the reference annotates all the walking of a recording, as the
INDIP does in the mobgap daily-living trials, they are a proxy for false steps while the walker is not walking.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bench.accuracy import analyze_with_gait
from bench.datasets import DATASETS, available, data_root, load_dataset
from bench.metrics import IC_TOLERANCE_S, Span, in_spans, match_ics


@dataclass(frozen=True)
class TimelineRow:
    """One reference IC (matched or missed) or one unmatched detection.

    Attributes
    ----------
    t_s
        Time the row sorts by: the reference IC, or the detection for an extra.
    kind
        ``"match"``, ``"miss"`` or ``"extra"``.
    ref_s, det_s
        The reference IC and the detection (None where the row has none).
    ref_interval_s
        Time since the previous scored reference IC (None for the first and for extras).
    """

    t_s: float
    kind: str
    ref_s: float | None
    det_s: float | None
    ref_interval_s: float | None = None


def ic_timeline(
    ref_ic_s: np.ndarray, det_ic_s: np.ndarray, spans: Sequence[Span], tol_s: float = IC_TOLERANCE_S
) -> list[TimelineRow]:
    """The scored reference ICs and detections of one recording in time order (see the module docstring).

    Examples
    --------
    >>> rows = ic_timeline(np.array([1.0, 2.0, 3.0]), np.array([1.1, 2.5, 3.0]), [(0.0, 5.0)])
    >>> [(r.kind, r.ref_s, r.det_s) for r in rows]
    [('match', 1.0, 1.1), ('miss', 2.0, None), ('extra', None, 2.5), ('match', 3.0, 3.0)]
    """
    ref = np.sort(np.asarray(ref_ic_s, dtype=float))
    det = np.sort(np.asarray(det_ic_s, dtype=float))
    ref = ref[in_spans(ref, spans)]
    det = det[in_spans(det, spans, pad_s=tol_s)]
    matched = dict(match_ics(ref, det, tol_s))
    rows = [
        TimelineRow(
            t_s=float(r),
            kind="match" if i in matched else "miss",
            ref_s=float(r),
            det_s=float(det[matched[i]]) if i in matched else None,
            ref_interval_s=float(r - ref[i - 1]) if i else None,
        )
        for i, r in enumerate(ref)
    ]
    used = set(matched.values())
    rows += [
        TimelineRow(t_s=float(d), kind="extra", ref_s=None, det_s=float(d)) for j, d in enumerate(det) if j not in used
    ]
    return sorted(rows, key=lambda row: (row.t_s, row.kind != "extra"))


def outside_bouts(
    det_ic_s: np.ndarray, bouts: Sequence[tuple[float, float, float]], tol_s: float = IC_TOLERANCE_S
) -> int:
    """Detections outside every reference bout ``(start_s, end_s, cadence)`` widened by ``tol_s``."""
    return int((~in_spans(det_ic_s, [(start_s, end_s) for start_s, end_s, _ in bouts], pad_s=tol_s)).sum())


def format_row(row: TimelineRow) -> str:
    """One printed line of the time line."""
    interval = "" if row.ref_interval_s is None else f"  dR={row.ref_interval_s:.2f}"
    if row.kind == "match":
        return f"  R {row.ref_s:8.2f}  == D {row.det_s:8.2f} ({row.det_s - row.ref_s:+.2f}){interval}"
    if row.kind == "miss":
        return f"  R {row.ref_s:8.2f}  MISS{interval}"
    return f"                            D {row.det_s:8.2f}  EXTRA"


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m bench.ic_timeline", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=DATASETS, default="mobgap_lab", help="dataset (default mobgap_lab)")
    parser.add_argument("--name", default="", help="only recordings whose name contains this")
    parser.add_argument("--errors-only", action="store_true", help="print misses and extras only")
    args = parser.parse_args(argv)
    root = data_root()
    if not available(root):
        print(f"bench.ic_timeline: shared data not found at {root} (set GAIT_DEV_DATA)")
        return 0
    totals = {"match": 0, "miss": 0, "extra": 0}
    n_outside = 0
    for ref in load_dataset(args.dataset, root):
        if args.name not in ref.name or not len(ref.ref_ic_s):
            continue
        det = analyze_with_gait(ref)
        rows = ic_timeline(ref.ref_ic_s, det.step_t_s, ref.walking_spans)
        outside = outside_bouts(det.step_t_s, ref.ref_bouts)
        counts = {kind: sum(r.kind == kind for r in rows) for kind in totals}
        print(
            f"== {ref.name} ({ref.group}): {counts['match']} matched, {counts['miss']} missed, "
            f"{counts['extra']} extra; {outside} detections outside the reference bouts"
        )
        for row in rows:
            if row.kind != "match" or not args.errors_only:
                print(format_row(row))
        for kind in totals:
            totals[kind] += counts[kind]
        n_outside += outside
    print(
        f"total: {totals['match']} matched, {totals['miss']} missed, {totals['extra']} extra; "
        f"{n_outside} detections outside the reference bouts"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
