"""mobgap's Mobilise-D pipeline and our ``gait.analysis.analyze`` side by side on the mobgap lab trials.

Usage (after ``bench/setup_mobgap.sh``)::

    bench/.venv-mobgap/bin/python -m bench.compare_mobgap [--no-warm]

Run with the main ``.venv`` python it re-executes itself with ``bench/.venv-mobgap/bin/python`` (mobgap and its
numba / scikit-learn stack live only there). Both algorithms run in the same process on the same trials (all 9
``LabExampleDataset`` trials, 6 of which have INDIP events) and are scored with the same metrics against the
INDIP reference (:mod:`bench.metrics`). Wall time counts only the algorithms, not data loading: a first pass
("cold", including numba compilation and first-call costs on both sides) and a second pass ("warm"); the speed
ratio uses the warm pass.

What is taken from mobgap's ``MobilisedPipelineHealthy``: initial contacts = ``raw_ic_list_`` (every IC its IC
detector found inside its gait sequences; scoring is restricted to the reference walking spans anyway), strides =
``per_stride_parameters_`` (IC to IC of the same foot, with mobgap's stride length, which is its per-second
estimate interpolated onto strides).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.accuracy import HEADER, OUT_DIR, Detections, GroupRow, analyze_with_gait, evaluate, fmt, format_row
from bench.datasets import MOBGAP_VERSION, RefRecording, data_root, load_dataset, mobgap_data_dir
from bench.metrics import IC_TOLERANCE_S, in_spans, match_strides

BENCH_DIR = Path(__file__).resolve().parent
MOBGAP_PYTHON = BENCH_DIR / ".venv-mobgap" / "bin" / "python"


def _reexec_or_explain(argv: Sequence[str]) -> int:
    """Without mobgap in this interpreter: re-run under the mobgap venv, or say exactly what is missing."""
    # compare venv prefixes, not executables: both venvs' pythons are symlinks to the same interpreter
    if MOBGAP_PYTHON.exists() and Path(sys.prefix).resolve() != MOBGAP_PYTHON.parents[1].resolve():
        os.execv(str(MOBGAP_PYTHON), [str(MOBGAP_PYTHON), "-m", "bench.compare_mobgap", *argv])
    print(
        f"bench.compare_mobgap: mobgap is not importable by {sys.executable} and {MOBGAP_PYTHON} does not exist "
        "(or lacks mobgap); create it with bench/setup_mobgap.sh"
    )
    return 1


def run_mobgap(datapoint: Any) -> Detections:
    """Run ``MobilisedPipelineHealthy`` on one mobgap datapoint and reduce its output to :class:`Detections`."""
    from mobgap.pipeline import MobilisedPipelineHealthy

    fs = float(datapoint.sampling_rate_hz)
    t0 = time.perf_counter()
    pipe = MobilisedPipelineHealthy().safe_run(datapoint)
    wall_s = time.perf_counter() - t0
    ics = pipe.raw_ic_list_
    strides = pipe.per_stride_parameters_
    return Detections(
        step_t_s=np.sort(ics["ic"].to_numpy(dtype=float)) / fs if len(ics) else np.array([]),
        strides=[
            (float(s) / fs, float(e) / fs, None if not np.isfinite(sl) else float(sl))
            for s, e, sl in zip(
                strides["start"].to_numpy(dtype=float),
                strides["end"].to_numpy(dtype=float),
                strides["stride_length_m"].to_numpy(dtype=float),
                strict=True,
            )
        ]
        if len(strides)
        else [],
        wall_s=wall_s,
    )


def mobgap_matcher_f1(refs: dict[str, RefRecording], dets: dict[str, Detections]) -> float:
    """IC F1 with mobgap's own matcher (``categorize_ic_list``, 25 samples = 0.25 s) on the same ICs we score.

    An independent cross-check of :func:`bench.metrics.match_ics`: mobgap pairs mutual nearest neighbours, we
    solve the assignment exactly; on gait (contacts >= 0.4 s apart) the two almost always agree.
    """
    import pandas as pd
    from mobgap.initial_contacts.evaluation import categorize_ic_list

    n_tp = n_ref = n_det = 0
    for k, ref in refs.items():
        if not len(ref.ref_ic_s):
            continue
        r = ref.ref_ic_s[in_spans(ref.ref_ic_s, ref.walking_spans)]
        d = dets[k].step_t_s[in_spans(dets[k].step_t_s, ref.walking_spans, pad_s=IC_TOLERANCE_S)]
        r_idx = np.unique(np.round(r * 100).astype(int))
        d_idx = np.unique(np.round(d * 100).astype(int))
        n_ref += len(r_idx)
        n_det += len(d_idx)
        if len(r_idx) and len(d_idx):
            m = categorize_ic_list(
                ic_list_detected=pd.DataFrame({"ic": d_idx}),
                ic_list_reference=pd.DataFrame({"ic": r_idx}),
                tolerance_samples=25,
                multiindex_warning=False,
            )
            n_tp += int((m["match_type"] == "tp").sum())
    return 2 * n_tp / (n_ref + n_det) if n_ref + n_det else float("nan")


def common_stride_mae_m(
    refs: dict[str, RefRecording], a: dict[str, Detections], b: dict[str, Detections]
) -> tuple[float, float, int]:
    """Stride length MAE of two analysers over the reference strides that BOTH estimate (like for like).

    Each analyser's own MAE is taken over the strides it covers; one that leaves out the hard strides (turns,
    shuffles) looks better for it. Returns ``(mae_a_m, mae_b_m, n_strides)``.
    """
    err_a: list[float] = []
    err_b: list[float] = []
    for k, ref in refs.items():
        ma = match_strides(ref.ref_strides, a[k].strides)
        mb = match_strides(ref.ref_strides, b[k].strides)
        for x, y in zip(ma, mb, strict=True):
            if np.isfinite(x.est_length_m) and np.isfinite(y.est_length_m):
                err_a.append(x.abs_err_m)
                err_b.append(y.abs_err_m)
    if not err_a:
        return float("nan"), float("nan"), 0
    return float(np.mean(err_a)), float(np.mean(err_b)), len(err_a)


def _pass(
    refs: dict[str, RefRecording], datapoints: dict[str, Any]
) -> tuple[dict[str, Detections], dict[str, Detections]]:
    mob = {k: run_mobgap(datapoints[k]) for k in refs}
    ours = {k: analyze_with_gait(refs[k]) for k in refs}
    return mob, ours


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m bench.compare_mobgap", description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-warm", action="store_true", help="one (cold) pass only")
    parser.add_argument("--json", type=Path, default=OUT_DIR / "compare_mobgap.json")
    args = parser.parse_args(argv)
    t_start = time.perf_counter()
    # the trials come from ../shared/data/dev when present, else (all of them) from mobgap's unpacked sdist copy
    root = data_root()
    os.environ.setdefault("MOBGAP_DATA_DIR", str(mobgap_data_dir()))
    try:
        t_imp = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # mobgap/tpcp/sklearn import-time deprecation chatter
            import mobgap
            from mobgap.data import LabExampleDataset
        import_s = time.perf_counter() - t_imp
    except ImportError:
        return _reexec_or_explain(argv)
    lab = Path(os.environ["MOBGAP_DATA_DIR"]) / f"v{MOBGAP_VERSION}" / "data" / "lab"
    if not lab.is_dir():
        print(f"bench.compare_mobgap: mobgap's example data are not unpacked at {lab}; run bench/setup_mobgap.sh")
        return 1

    refs = {r.name: r for r in load_dataset("mobgap_lab", root)}
    warnings.simplefilter("ignore")  # mobgap warns per trial about known INDIP quirks; they are documented upstream
    ds = LabExampleDataset(reference_system="INDIP", reference_para_level="wb")
    datapoints: dict[str, Any] = {}
    for dp in ds:
        g = dp.group_label
        key = f"{g.cohort}_{g.participant_id}_{g.test}_{g.trial}"
        _ = dp.data_ss, dp.participant_metadata  # load before timing: only the algorithms are timed
        datapoints[key] = dp
    missing = sorted(set(refs) - set(datapoints))
    if missing:
        print(f"bench.compare_mobgap: mobgap's dataset lacks {', '.join(missing)}; comparing the common trials")
    refs = {k: refs[k] for k in sorted(refs) if k in datapoints}
    for k, r in refs.items():  # both sides must see the same samples
        if len(datapoints[k].data_ss) != r.recording.n_samples:
            print(
                f"bench.compare_mobgap: {k}: mobgap has {len(datapoints[k].data_ss)} samples, we have "
                f"{r.recording.n_samples}; the comparison would not be fair"
            )
            return 1

    cold_mob, cold_ours = _pass(refs, datapoints)
    warm_mob, warm_ours = (cold_mob, cold_ours) if args.no_warm else _pass(refs, datapoints)

    signal_s = sum(r.recording.duration_s for r in refs.values())
    print(
        f"mobgap {mobgap.__version__} MobilisedPipelineHealthy vs gait.analysis.analyze on {len(refs)} lab trials "
        f"({signal_s / 60:.1f} min of lower-back signal, 100 Hz); reference: INDIP"
    )
    print()
    print(f"{'trial':<24} {'ref ICs':>7} {'mobgap F1':>9} {'ours F1':>8} {'mobgap SL MAE':>13} {'ours SL MAE':>11}")
    rows = {
        "mobgap": GroupRow("mobgap_lab", "mobgap 1.2.0", "lower_back"),
        "ours": GroupRow("mobgap_lab", "gait (ours)", "lower_back"),
    }
    for k, ref in refs.items():
        rm = evaluate(ref, warm_mob[k])
        ro = evaluate(ref, warm_ours[k])
        rows["mobgap"].results.append(rm)
        rows["ours"].results.append(ro)
        dm, do = rm.to_dict(), ro.to_dict()
        print(
            f"{k:<24} {ref.ref_ic_s.size:>7} {fmt(dm['ic_f1'], '.3f'):>9} {fmt(do['ic_f1'], '.3f'):>8} "
            f"{fmt(dm['stride_mae_m'], '.3f'):>13} {fmt(do['stride_mae_m'], '.3f'):>11}"
        )
    print()
    print(HEADER)
    print("-" * len(HEADER))
    doc: dict[str, Any] = {"trials": list(refs), "signal_s": signal_s, "rows": {}}
    for name, row in rows.items():
        m = row.metrics()
        print(format_row(m))
        doc["rows"][name] = {**m, "targets": row.targets()}
    times = {
        "mobgap_cold_s": sum(d.wall_s for d in cold_mob.values()),
        "ours_cold_s": sum(d.wall_s for d in cold_ours.values()),
        "mobgap_warm_s": sum(d.wall_s for d in warm_mob.values()),
        "ours_warm_s": sum(d.wall_s for d in warm_ours.values()),
        "mobgap_import_s": import_s,
    }
    ratio = times["mobgap_warm_s"] / times["ours_warm_s"] if times["ours_warm_s"] > 0 else float("inf")
    doc["times"] = {**times, "speed_ratio_warm": ratio}
    print()
    print(f"wall time, algorithms only ({len(refs)} trials):")
    print(
        f"  mobgap: cold {times['mobgap_cold_s']:.2f} s, warm {times['mobgap_warm_s']:.2f} s "
        f"(+ {import_s:.1f} s to import mobgap)"
    )
    print(f"  ours:   cold {times['ours_cold_s']:.3f} s, warm {times['ours_warm_s']:.3f} s")
    print(f"  speed ratio (warm, mobgap / ours): {ratio:.0f}x   [goal: >= 20x]  {'PASS' if ratio >= 20 else 'FAIL'}")
    m_f1, o_f1 = doc["rows"]["mobgap"]["ic_f1"], doc["rows"]["ours"]["ic_f1"]
    m_sl, o_sl = doc["rows"]["mobgap"]["stride_mae_m"], doc["rows"]["ours"]["stride_mae_m"]
    cross = {name: mobgap_matcher_f1(refs, dets) for name, dets in (("mobgap", warm_mob), ("ours", warm_ours))}
    doc["ic_f1_by_mobgap_matcher"] = cross
    print(
        f"  cross-check, IC F1 by mobgap's own matcher (categorize_ic_list): mobgap {cross['mobgap']:.3f}, "
        f"ours {cross['ours']:.3f}"
    )
    c_mob, c_ours, c_n = common_stride_mae_m(refs, warm_mob, warm_ours)
    doc["stride_mae_common_m"] = {"mobgap": c_mob, "ours": c_ours, "n_strides": c_n}
    print(
        f"  like for like, stride length MAE over the {c_n} reference strides both estimate: mobgap {c_mob:.3f} m, "
        f"ours {c_ours:.3f} m"
    )
    more_accurate = (o_f1 or 0) >= (m_f1 or 0) and (o_sl if o_sl is not None else np.inf) <= (
        m_sl if m_sl is not None else np.inf
    )
    print(f"  more accurate than mobgap (IC F1 and stride length MAE): {'PASS' if more_accurate else 'FAIL'}")
    doc["more_accurate"] = bool(more_accurate)
    print(f"\ntotal wall time {time.perf_counter() - t_start:.1f} s")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.json.with_name(args.json.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=1))
    os.replace(tmp, args.json)
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
