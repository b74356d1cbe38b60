"""The sensor faults of ``bench.robustness`` on a synthetic recording: each does what its sensor does, seeded."""

from __future__ import annotations

import dataclasses

import numpy as np

import bench.robustness as rb
from gait.consts import GRAVITY_MS2
from gait.types import Placement
from tests.bench.test_accuracy import synthetic_ref


def test_clipping_caps_every_axis_and_leaves_an_unreached_range_alone() -> None:
    ref = synthetic_ref()  # vertical peaks of 9.81 + 4 m/s^2 (1.4 g)
    clipped = rb.perturb(ref, rb.PERTURBATIONS["acc_clip_2g"])
    assert clipped is None  # no sample reaches 2 g: the unperturbed result is reused
    tight = rb.clip_acc(1.2)(ref, np.random.default_rng(0))
    assert tight is not None and np.abs(tight.recording.acc_ms2).max() == 1.2 * GRAVITY_MS2
    assert rb.perturb(ref, rb.PERTURBATIONS["gyr_clip_250"]) is None  # no gyroscope to clip


def test_quantisation_gives_codes_of_the_resolution() -> None:
    ref = synthetic_ref()
    out = rb.perturb(ref, rb.PERTURBATIONS["acc_8bit_2g"])
    lsb = 4.0 * GRAVITY_MS2 / 256
    codes = out.recording.acc_ms2 / lsb
    assert np.allclose(codes, np.round(codes)) and np.abs(out.recording.acc_ms2 - ref.recording.acc_ms2).max() <= lsb


def test_packet_loss_leaves_holes_of_whole_packets_and_keeps_both_ends() -> None:
    ref = synthetic_ref()
    out = rb.perturb(ref, rb.PERTURBATIONS["loss_5pct"])
    t = out.recording.time_s
    assert t[0] == ref.recording.time_s[0] and t[-1] == ref.recording.time_s[-1]
    gaps = np.diff(t)[np.diff(t) > 0.015]
    assert len(gaps) > 0 and gaps.min() >= 0.04 and len(t) < len(ref.recording.time_s)
    # Seeded per recording: the same faults every run.
    again = rb.perturb(ref, rb.PERTURBATIONS["loss_5pct"])
    assert np.array_equal(again.recording.time_s, t)


def test_calibration_error_stays_within_its_bounds() -> None:
    ref = synthetic_ref()
    out = rb.perturb(ref, rb.PERTURBATIONS["acc_calib"])
    rest = out.recording.acc_ms2[0]  # the sensor at rest: gravity on z
    assert np.all(np.abs(rest[:2]) <= 0.3) and abs(rest[2] - 9.81) <= 0.03 * 9.81 + 0.3


def test_a_quicker_tempo_divides_every_time_and_scales_the_walk_not_gravity() -> None:
    """The same walk 1.25 times quicker: samples and reference on times / 1.25, bout cadence x 1.25, the impacts'
    acceleration x 1.25^2 about gravity, gravity itself unchanged; a shoe (or phone) is left alone."""
    ref = synthetic_ref()
    out = rb.tempo(1.25)(ref, np.random.default_rng(0))
    assert np.allclose(out.recording.time_s, ref.recording.time_s / 1.25)
    assert np.allclose(out.ref_ic_s, np.asarray(ref.ref_ic_s) / 1.25)
    assert out.ref_bouts[0][2] == 120.0 * 1.25 and np.isclose(out.ref_bouts[0][1], ref.ref_bouts[0][1] / 1.25)
    assert np.isclose(out.walking_spans[0][0], ref.walking_spans[0][0] / 1.25)
    assert [s[2] for s in out.ref_strides] == [s[2] for s in ref.ref_strides]  # the same strides, walked quicker
    z_in, z_out = ref.recording.acc_ms2[:, 2], out.recording.acc_ms2[:, 2]
    quiet = z_in < 9.81 + 1e-6  # between impacts the trunk reads gravity alone
    peak = int(np.argmax(z_in))
    assert abs(np.median(z_out[quiet]) - 9.81) < 0.3  # gravity is not scaled
    assert (z_out[peak] - 9.81) / (z_in[peak] - 9.81) > 1.4  # the impact (4 m/s^2) about 1.25^2 = 1.56 times
    foot = dataclasses.replace(ref, placement=Placement.FOOT)
    assert rb.tempo(1.25)(foot, np.random.default_rng(0)) is None
