"""Plumbing of the accuracy harness with a trivial detector on a synthetic recording (no shared data needed)."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import numpy as np
import pytest
from scipy.signal import find_peaks

import bench.accuracy as acc
from bench.datasets import RefRecording
from gait.errors import GaitError
from gait.types import Placement, Recording

FS_HZ = 100.0
IC_S = np.round(np.arange(2.0, 12.0, 0.5), 2)  # 20 contacts, 120 steps/min, on the sample grid


def synthetic_ref(carry_position: str | None = None, dataset: str = "synthetic") -> RefRecording:
    """A trunk recording with one sharp vertical impact per initial contact, and its exact reference."""
    time_s = np.arange(0.0, 14.0, 1 / FS_HZ)
    acc_ms2 = np.zeros((len(time_s), 3))
    acc_ms2[:, 2] = 9.81
    for t in IC_S:
        acc_ms2[:, 2] += 4.0 * np.exp(-(((time_s - t) / 0.03) ** 2))
    strides = [(float(IC_S[i]), float(IC_S[i + 2]), 1.4) for i in range(len(IC_S) - 2)]
    return RefRecording(
        name="synthetic",
        dataset=dataset,
        placement=Placement.LOWER_BACK,
        recording=Recording(time_s=time_s, acc_ms2=acc_ms2, placement=Placement.LOWER_BACK),
        ref_ic_s=IC_S,
        ref_strides=strides,
        ref_bouts=[(float(IC_S[0]), float(IC_S[-1]), 120.0)],
        walking_spans=[(float(IC_S[0]), float(IC_S[-1]))],
        carry_position=carry_position,
    )


def peak_detector(ref: RefRecording) -> acc.Detections:
    """Trivial detector: impact peaks above 12 m/s^2; strides every other contact, 1.3 m long."""
    rec = ref.recording
    peaks, _ = find_peaks(rec.acc_ms2[:, 2], height=12.0)
    t = rec.time_s[peaks]
    return acc.Detections(step_t_s=t, strides=[(t[i], t[i + 2], 1.3) for i in range(len(t) - 2)])


def test_evaluate_with_a_trivial_detector_gives_the_exact_scores() -> None:
    result = acc.evaluate(synthetic_ref(), peak_detector(synthetic_ref()))
    assert (result.ic.n_ref, result.ic.n_det, result.ic.n_match) == (20, 20, 20)
    assert result.ic.mae_s == pytest.approx(0.0, abs=1e-9)
    assert result.step_count_error == 0.0
    assert result.cadence == [(120.0, pytest.approx(120.0))]
    m = acc.group_results([result])[0].metrics()
    assert m["stride_mae_m"] == pytest.approx(0.1)
    assert m["stride_coverage"] == pytest.approx(1.0)


def test_missed_steps_lower_recall_and_show_as_fail() -> None:
    ref = synthetic_ref()

    def half(r: RefRecording) -> acc.Detections:
        d = peak_detector(r)
        return acc.Detections(step_t_s=d.step_t_s[::2], strides=[])

    result = acc.evaluate(ref, half(ref))
    assert result.ic.recall == pytest.approx(0.5)
    assert result.step_count_error == pytest.approx(0.5)
    out = io.StringIO()
    doc = acc.report([result], file=out)
    text = out.getvalue()
    assert "FAIL" in text and "IC F1 >= 0.97" in text
    assert doc["groups"][0]["ic_f1"] == pytest.approx(2 * 10 / 30)
    # NaN-free (a stride-less detector leaves NaN figures: JSON has no NaN, json.dumps would write it all the same
    # and json.loads read it back, so only allow_nan=False can tell), and serialisable
    assert json.loads(json.dumps(doc, allow_nan=False)) == doc


def test_phone_results_are_grouped_by_placement_and_carry_position() -> None:
    refs = [synthetic_ref("InHand", "oxford_step_counter"), synthetic_ref("Purse", "oxford_step_counter")]
    rows = acc.group_results(acc.run(refs, peak_detector))
    assert [r.group for r in rows] == ["lower_back", "lower_back/InHand", "lower_back/Purse"]
    assert [len(r.results) for r in rows] == [2, 1, 1]
    assert all(r.kind == "phone" for r in rows)
    assert all(t["pass"] for r in rows for t in r.targets())


def test_a_cut_reference_is_also_scored_uncut_without_targets() -> None:
    # The reference omits the real step at 7.5 s (its neighbours at 7.0 and 8.0 s are both of one foot): the spans
    # are cut between them, keeping both; the uncut scoring counts the detector's contact at 7.5 s as extra.
    full = synthetic_ref()
    ref = dataclasses.replace(
        full,
        ref_ic_s=full.ref_ic_s[full.ref_ic_s != 7.5],
        walking_spans=[(2.0, 7.0), (8.0, 11.5)],
        extra={"uncut_walking_spans": [(2.0, 11.5)]},
    )
    results = acc.run([ref], peak_detector)
    rows = {r.group: r for r in acc.group_results(results)}
    assert set(rows) == {"lower_back", "lower_back (uncut)"}
    assert rows["lower_back"].metrics()["ic_precision"] == pytest.approx(1.0)
    assert rows["lower_back"].metrics()["step_count_error_median_pct"] == pytest.approx(0.0)
    assert rows["lower_back (uncut)"].metrics()["ic_precision"] == pytest.approx(19 / 20)
    assert rows["lower_back (uncut)"].metrics()["step_count_error_median_pct"] == pytest.approx(100 / 19)
    assert rows["lower_back (uncut)"].targets() == []
    out = io.StringIO()
    doc = acc.report(results, file=out)
    assert "lower_back (uncut)" in out.getvalue()
    assert len(doc["recordings"]) == 1  # per-recording figures: the primary scoring only


def test_core_refusal_and_crash_are_scored_as_nothing_found(monkeypatch: pytest.MonkeyPatch) -> None:
    import gait.analysis

    def refuse(*args: object, **kwargs: object) -> None:
        raise GaitError("sampled at 5 Hz", reason="rate_too_low")

    monkeypatch.setattr(gait.analysis, "analyze", refuse)
    det = acc.analyze_with_gait(synthetic_ref())
    assert det.error == "refused: sampled at 5 Hz" and len(det.step_t_s) == 0

    def crash(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(gait.analysis, "analyze", crash)
    det = acc.analyze_with_gait(synthetic_ref())
    assert det.error is not None and det.error.startswith("CRASH ZeroDivisionError")


def test_main_says_so_and_exits_0_without_shared_data(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GAIT_DEV_DATA", str(tmp_path / "absent"))
    assert acc.main(["--json", str(tmp_path / "a.json")]) == 0
    assert "shared data not found" in capsys.readouterr().out
    assert not (tmp_path / "a.json").exists()


def test_like_for_like_stride_error_uses_only_strides_both_estimate() -> None:
    from bench.compare_mobgap import common_stride_mae_m

    ref = synthetic_ref()  # 18 reference strides of 1.4 m
    strides = ref.ref_strides
    # analyser a: 1.5 m everywhere; analyser b: 1.3 m, but no estimate for the first 9 strides (the hard ones)
    a = acc.Detections(step_t_s=IC_S, strides=[(s, e, 1.5) for s, e, _ in strides])
    b = acc.Detections(step_t_s=IC_S, strides=[(s, e, None if i < 9 else 1.2) for i, (s, e, _) in enumerate(strides)])
    mae_a, mae_b, n = common_stride_mae_m({"synthetic": ref}, {"synthetic": a}, {"synthetic": b})
    # strides 9-17, and stride 8, which b's stride 9 overlaps by half (the matching's minimum)
    assert n == 10
    assert mae_a == pytest.approx(0.1) and mae_b == pytest.approx(0.2)


def test_at_rate_resamples_like_a_slow_jittery_logger() -> None:
    ref = synthetic_ref()
    t = ref.recording.time_s
    # a slow sine on another axis survives the anti-alias filter unchanged (0.5 Hz, far below 0.4 x 25 Hz)
    ref.recording.acc_ms2[:, 0] = np.sin(2 * np.pi * 0.5 * t)
    slow = acc.at_rate(ref, 25.0, jitter=0.3, seed=1)
    new_t = slow.recording.time_s
    steps = np.diff(new_t)
    assert abs(len(new_t) - 14.0 * 25) <= 1
    assert steps.min() > 0 and steps.min() < 0.04 * 0.9 and steps.max() > 0.04 * 1.1  # irregular, increasing
    assert steps.max() <= 0.04 * (1 + 2 * 0.3) + 1e-9
    inner = (new_t > 1.0) & (new_t < 13.0)  # away from the filter's edges
    expected = np.sin(2 * np.pi * 0.5 * new_t[inner])
    assert np.max(np.abs(slow.recording.acc_ms2[inner, 0] - expected)) < 0.02
    assert slow.recording.gyr_dps is None and np.array_equal(slow.ref_ic_s, ref.ref_ic_s)
    # the sharp impacts are low-passed (a phone's sensor would smooth them as well), never amplified
    assert slow.recording.acc_ms2[:, 2].max() < ref.recording.acc_ms2[:, 2].max()
    with pytest.raises(ValueError, match="below"):
        acc.at_rate(ref, 200.0)


def test_the_cadence_metric_on_the_reference_ics_shows_its_own_floor() -> None:
    exact = acc.evaluate(synthetic_ref(), peak_detector(synthetic_ref()))
    assert exact.cadence_of_reference == [(120.0, pytest.approx(120.0))]
    # A reference whose bout cadence comes from strides its ICs alone do not give (as the INDIP's same-foot
    # strides in turns): the metric cannot reach it even from the reference's own ICs, and the target line says so.
    ref = dataclasses.replace(synthetic_ref(), ref_bouts=[(float(IC_S[0]), float(IC_S[-1]), 110.0)])
    row = acc.group_results([acc.evaluate(ref, peak_detector(ref))])[0]
    assert row.metrics()["cadence_mae_of_reference_ics_spm"] == pytest.approx(10.0)
    cadence_target = next(t for t in row.targets() if t["target"].startswith("cadence"))
    assert not cadence_target["pass"]
    assert "reference's own ICs score 10.00" in cadence_target["note"]


def test_fewer_mobgap_trials_than_the_readmes_table_are_said_with_how_to_get_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without bench/setup_mobgap.sh the shared copy gives 6 of the 9 lab trials: the output says which are missing
    and how to get them, not a quietly different row."""
    lab = tmp_path / "shared" / "mobgap_lab" / "example_data" / "data" / "lab"
    for participant in ("HA/001", "HA/002"):
        (lab / participant).mkdir(parents=True)
        (lab / participant / "data.mat").write_bytes(b"")
    unpacked = tmp_path / "unpacked"
    monkeypatch.setenv("MOBGAP_DATA_DIR", str(unpacked))
    said = acc.mobgap_shortfall(tmp_path / "shared")
    assert said is not None and "MS/001 missing" in said and "HA/00" not in said.split("missing")[0]
    assert "bench/setup_mobgap.sh" in said and "MOBGAP_DATA_DIR" in said
    (unpacked / "v1.2.0" / "data" / "lab" / "MS" / "001").mkdir(parents=True)
    (unpacked / "v1.2.0" / "data" / "lab" / "MS" / "001" / "data.mat").write_bytes(b"")
    assert acc.mobgap_shortfall(tmp_path / "shared") is None
