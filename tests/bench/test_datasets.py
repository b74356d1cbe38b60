"""Reference loaders: helpers on hand-computed cases, and the shared datasets against their own documentation."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bench import datasets
from bench.datasets import bouts_from_runs, split_runs
from bench.metrics import in_spans
from gait.types import Placement
from gait.validate import check_samples

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "dev"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared dev data absent ({SHARED})")


def test_split_runs_and_bouts() -> None:
    runs = split_runs(np.array([0.0, 0.5, 1.0, 5.0, 5.5, 9.0]), max_gap_s=2.5)
    assert [r.tolist() for r in runs] == [[0.0, 0.5, 1.0], [5.0, 5.5], [9.0]]
    assert bouts_from_runs(runs) == []  # no run holds 4 strides
    # both feet: 6 contacts 0.5 s apart = 4 strides of 1 s; 5 contacts = 3 strides, no bout
    assert bouts_from_runs([np.arange(6) * 0.5, np.arange(5) * 0.5 + 10]) == [(0.0, 2.5, pytest.approx(120.0))]
    # one foot: 5 contacts = 4 strides of 1.0, 1.5, 1.0, 1.5 s
    assert bouts_from_runs([np.array([0.0, 1.0, 2.5, 3.5, 5.0])], steps_per_interval=2) == [
        (0.0, 5.0, pytest.approx((120.0 + 80.0) / 2))
    ]


def test_oxford_pad_bounce_is_one_contact() -> None:
    # pads polled every 0.1 s; the right heel lands at 0.1 s, its pad reads 0 once at 0.2 s (a bounce) and 1 again
    # at 0.3 s; its next real contact is at 1.1 s. The left heel lands at 0.6 s and 1.6 s.
    t_s = np.arange(18) / 10
    right = np.isin(np.arange(18), [1, 3, 4, 11, 12]).astype(int)
    left = np.isin(np.arange(18), [6, 7, 16, 17]).astype(int)
    gt = pd.DataFrame({"t_ns": np.round(t_s * 1e9).astype(np.int64), "right": right, "left": left})
    raw_ns, _ = datasets.oxford_ground_truth_ns(gt, bounce_s=0.0)
    ic_ns, feet = datasets.oxford_ground_truth_ns(gt)
    assert (raw_ns / 1e9).round(1).tolist() == [0.1, 0.3, 0.6, 1.1, 1.6]  # the authors' count: 5
    assert (ic_ns / 1e9).round(1).tolist() == [0.1, 0.6, 1.1, 1.6]
    assert feet.tolist() == ["right", "left", "right", "left"]


@pytest.mark.shared
@needs_shared
def test_oxford_reference_reproduces_the_authors_step_counts() -> None:
    recs = datasets.load_dataset("oxford_step_counter", SHARED)
    stats = pd.read_csv(SHARED / "oxford_step_counter/optimisation/stats.csv", skipinitialspace=True)
    expected = dict(zip(stats.iloc[:, 0].str.strip(), stats.iloc[:, -1].astype(int), strict=True))
    assert len(recs) == 48
    bounces = 0
    for r in recs:
        # the authors' count is every 0 -> 1 transition; the reference drops a heel's re-press within 0.5 s
        assert r.extra["authors_step_count"] == expected[r.name], r.name
        assert len(r.ref_ic_s) <= expected[r.name], r.name
        bounces += expected[r.name] - len(r.ref_ic_s)
        assert r.recording.time_s[0] == 0.0
    assert 0 < bounces < 0.01 * sum(expected.values())  # pad bounces are rare: under 1 % of the steps
    positions = Counter(r.carry_position for r in recs)
    assert positions == {
        "InHand": 16,
        "FrontPocket": 6,
        "BackPocket": 6,
        "Armband": 6,
        "NeckPouch": 6,
        "Purse": 6,
        "SwingingArm": 2,
    }


@pytest.mark.shared
@needs_shared
def test_mobgap_reference_matches_its_documented_stride_counts() -> None:
    recs = {r.name: r for r in datasets.load_dataset("mobgap_lab", SHARED)}
    # SOURCE.txt: valid INDIP stride lengths HA001 7+7+49, HA002 0+0+33; HA/002 Test5 has no INDIP bout
    # (MS001 7+7+70, present once bench/setup_mobgap.sh has unpacked mobgap's sdist copy)
    counts = {n: sum(np.isfinite(s[2]) for s in r.ref_strides) for n, r in recs.items()}
    expected = {
        "HA_001_Test5_Trial1": 7,
        "HA_001_Test5_Trial2": 7,
        "HA_001_Test11_Trial1": 49,
        "HA_002_Test5_Trial1": 0,
        "HA_002_Test5_Trial2": 0,
        "HA_002_Test11_Trial1": 33,
    }
    if "MS_001_Test11_Trial1" in counts:
        expected |= {"MS_001_Test5_Trial1": 7, "MS_001_Test5_Trial2": 7, "MS_001_Test11_Trial1": 70}
    assert counts == expected
    assert len(recs["HA_002_Test5_Trial1"].ref_ic_s) == 0
    assert recs["HA_001_Test5_Trial1"].body_height_m == pytest.approx(1.59)
    assert recs["HA_002_Test11_Trial1"].sensor_height_m == pytest.approx(1.08)
    # the sensor's x axis points up: gravity in m/s^2, not g
    assert np.median(recs["HA_001_Test5_Trial1"].recording.acc_ms2[:, 0]) == pytest.approx(9.8, abs=0.5)


@pytest.mark.shared
@needs_shared
def test_gaitmap_reference_strides() -> None:
    recs = {r.side: r for r in datasets.load_dataset("gaitmap_example", SHARED)}
    assert len(recs["left"].ref_strides) == 28 and len(recs["right"].ref_strides) == 29  # SOURCE.txt
    lengths = np.array([s[2] for r in recs.values() for s in r.ref_strides])
    # SOURCE.txt: mean 1.34 m over all 57 rows, one of which (left, turn) spans two strides over a hole in the
    # labelled borders and has no length here (0.47 m net over 2.28 s); without it the mean is a little higher
    unscored = [s for s in recs["left"].ref_strides if not np.isfinite(s[2])]
    assert np.isnan(lengths).sum() == 1 and len(unscored) == 1 and unscored[0][1] - unscored[0][0] > 2.0
    assert np.nanmean(lengths) == pytest.approx((1.34 * 57 - 0.47) / 56, abs=0.005)
    # the contact the reference lacks is not scored: the left walking span is split around that row
    assert recs["left"].walking_spans == [
        (recs["left"].ref_ic_s[0], unscored[0][0]),
        (unscored[0][1], recs["left"].ref_ic_s[-1]),
    ]
    # each stride is timed IC to IC: it ends where the next one starts
    left = recs["left"].ref_strides
    assert all(a[1] == b[0] for a, b in itertools.pairwise(left))


@pytest.mark.shared
@needs_shared
def test_ipol_time_axis_and_units() -> None:
    recs = datasets.load_dataset("ipol_healthy_gait", SHARED)
    by_placement = Counter(r.placement for r in recs)
    assert by_placement[Placement.LOWER_BACK] == len(list((SHARED / "ipol_healthy_gait/GaitData").glob("*_lb.txt.gz")))
    foot = next(r for r in recs if r.side == "left")
    assert np.abs(foot.recording.gyr_dps).max() > 200.0  # deg/s: a swinging foot turns faster than 200 deg/s
    for r in recs[:12]:
        start, end = r.extra["uncut_walking_spans"][0]
        assert np.all((r.ref_ic_s >= start) & (r.ref_ic_s <= end))
        # every reference IC stays scored: the omission cuts keep the heel strikes that bound them
        assert np.all(in_spans(r.ref_ic_s, r.walking_spans))


def _foot(swing_at: list[float], peak_dps: float = 400.0) -> tuple[np.ndarray, np.ndarray]:
    """Packet numbers 0-999 and a gyroscope norm at rest (5 deg/s) with a 30-packet swing at each given packet."""
    packet = np.arange(1000.0)
    gyro = np.full(1000, 5.0)
    for p in swing_at:
        gyro[int(p) : int(p) + 30] = peak_dps
    return packet, gyro


def test_ipol_reference_omission_needs_a_swing_of_the_other_foot() -> None:
    # Left and right footsteps (toe-off, heel strike) alternate every 60 packets, except that the reference lists
    # no left footstep between the right heel strikes at 300 and 420.
    left = np.array([[200, 240], [440, 480]])
    right = np.array([[140, 180], [260, 300], [380, 420]])
    # the left foot swung at 320-350 (its footstep 320-360 is missing): an omission bounded by 300 and 420
    lf_swung = _foot([200, 320, 440])
    rf = _foot([140, 260, 380])
    assert datasets.ipol_reference_omissions(left, right, *lf_swung, *rf) == [(300.0, 420.0)]
    # the left foot stood still (the walker stepped twice with the right foot, pivoting): no omission
    lf_still = _foot([200, 440])
    assert datasets.ipol_reference_omissions(left, right, *lf_still, *rf) == []
    # a slow pivot of the standing left foot stays under the swing threshold
    pivot = _foot([200, 440])
    pivot[1][320:350] = 0.5 * datasets.IPOL_SWING_GYRO_DPS
    assert datasets.ipol_reference_omissions(left, right, *pivot, *rf) == []
    # without the left foot's file nothing can be shown
    assert datasets.ipol_reference_omissions(left, right, None, None, *rf) == []


def _pads(right_pressed: list[range], left_pressed: list[range], n_polls: int = 60) -> pd.DataFrame:
    """A pad log polled every 0.1 s with each heel pressed over the given poll ranges."""
    right = np.zeros(n_polls, dtype=int)
    left = np.zeros(n_polls, dtype=int)
    for r in right_pressed:
        right[r] = 1
    for r in left_pressed:
        left[r] = 1
    return pd.DataFrame({"t_ns": np.arange(n_polls, dtype=np.int64) * 100_000_000, "right": right, "left": left})


def test_oxford_reference_omission_needs_the_other_pad_unpressed_for_two_steps() -> None:
    # Steps every 0.5 s, each heel pressed for 0.6 s. The left pad fails to register its contact at 2.0 s: the right
    # heel's contacts at 1.5 and 2.5 s follow each other with the left pad unpressed in between.
    right = [range(5, 11), range(15, 21), range(25, 31), range(35, 41)]
    left_missing = [range(0, 6), range(10, 16), range(30, 36), range(40, 46)]
    gt = _pads(right, left_missing)
    ic_ns, feet = datasets.oxford_ground_truth_ns(gt)
    assert datasets.oxford_reference_omissions(gt, ic_ns, feet) == [(1_500_000_000, 2_500_000_000)]
    # the left foot stood through the right foot's two contacts (a pivot, or a stuck pad): nothing can be shown
    gt_stuck = _pads(right, [range(0, 6), range(10, 36), range(40, 46)])
    ic_ns, feet = datasets.oxford_ground_truth_ns(gt_stuck)
    assert datasets.oxford_reference_omissions(gt_stuck, ic_ns, feet) == []
    # every step recorded: no omission
    gt_full = _pads(right, [range(0, 6), range(10, 16), range(20, 26), range(30, 36), range(40, 46)])
    ic_ns, feet = datasets.oxford_ground_truth_ns(gt_full)
    assert datasets.oxford_reference_omissions(gt_full, ic_ns, feet) == []


def test_cut_spans_keeps_the_bounding_contacts() -> None:
    assert datasets.cut_spans([(0.0, 10.0)], [(3.0, 4.5)]) == [(0.0, 3.0), (4.5, 10.0)]
    assert datasets.cut_spans([(0.0, 10.0)], []) == [(0.0, 10.0)]
    assert datasets.cut_spans([(0.0, 10.0)], [(6.0, 7.0), (2.0, 3.0)]) == [(0.0, 2.0), (3.0, 6.0), (7.0, 10.0)]
    # a contact that ends one hole and starts the next stays scored
    assert datasets.cut_spans([(0.0, 10.0)], [(2.0, 3.0), (3.0, 4.0)]) == [(0.0, 2.0), (3.0, 3.0), (4.0, 10.0)]


@pytest.mark.shared
@needs_shared
def test_every_reference_recording_is_valid_core_input() -> None:
    for r in datasets.load_all(root=SHARED):
        check_samples(r.recording.time_s, r.recording.acc_ms2, r.recording.gyr_dps, what=r.name)
        assert np.all(np.diff(r.ref_ic_s) >= 0)


@pytest.mark.shared
@needs_shared
def test_bout_cadence_definition_reproduces_the_indip_cadence() -> None:
    """INDIP's bout cadence is the mean of 120 / stride duration over its strides: from the bout's contacts
    alone, mean_stride_cadence gives it wherever the contacts form exactly the bout's strides."""
    from bench.metrics import mean_stride_cadence

    same = 0
    for r in datasets.load_dataset("mobgap_lab", SHARED):
        for start_s, end_s, cadence_spm in r.ref_bouts:
            strides = [(a, b) for a, b, _ in r.ref_strides if start_s <= a and b <= end_s]
            ics = r.ref_ic_s[(r.ref_ic_s >= start_s) & (r.ref_ic_s <= end_s)]
            if sorted(strides) == [(float(a), float(b)) for a, b in zip(ics[:-2], ics[2:], strict=True)]:
                # INDIP averages its own Stride_Duration field, which in one MS bout differs from the IC times
                assert mean_stride_cadence(ics) == pytest.approx(cadence_spm, abs=1.0), (r.name, start_s)
                same += mean_stride_cadence(ics) == pytest.approx(cadence_spm, abs=0.01)
    assert same >= 7


@needs_shared
def test_lower_back_references_keep_the_side_of_each_contact() -> None:
    # IPOL: the lower back's contacts are the union of the feet's, so each side's contacts are that foot sensor's.
    ipol = {r.name: r for r in datasets.load_dataset("ipol_healthy_gait", SHARED)}
    trunk, left = ipol["1-1_lb"], ipol["1-1_lf"]
    assert trunk.ref_ic_side is not None and len(trunk.ref_ic_side) == len(trunk.ref_ic_s)
    np.testing.assert_array_equal(trunk.ref_ic_s[trunk.ref_ic_side == "left"], left.ref_ic_s)
    assert trunk.turns_s is not None and len(trunk.turns_s) == 1  # the U-turn
    # In straight walking the feet alternate.
    straight = trunk.ref_ic_s < trunk.turns_s[0][0]
    sides = trunk.ref_ic_side[straight]
    assert np.all(sides[1:] != sides[:-1])
    # mobgap: the INDIP labels every contact; the straight walks (Test5) alternate from the first.
    mobgap = [r for r in datasets.load_dataset("mobgap_lab", SHARED) if len(r.ref_ic_s)]
    for r in mobgap:
        assert r.ref_ic_side is not None and len(r.ref_ic_side) == len(r.ref_ic_s)
        assert set(r.ref_ic_side) <= {"left", "right"}
    walk = next(r for r in mobgap if r.extra["test"] == "Test5")
    assert np.all(walk.ref_ic_side[1:] != walk.ref_ic_side[:-1]) and walk.turns_s == []
    daily = next(r for r in mobgap if r.extra["test"] == "Test11")
    assert daily.turns_s and all(a < b for a, b in daily.turns_s)
