"""The carry features of bench.phone_carry on real Oxford phone walks and variants derived from them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

import ingest
from bench.phone_carry import _gap, carry_features
from gait.types import Recording

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "dev"
OXFORD = SHARED / "oxford_step_counter" / "optimisation" / "data"
needs_shared = pytest.mark.skipif(not OXFORD.is_dir(), reason=f"shared dev data absent ({OXFORD})")


def _oxford(name: str) -> Recording:
    return ingest.load(OXFORD / name / "accelerometer.csv.gz", format="oxford")


def test_gap_says_overlap_or_gap() -> None:
    assert _gap([10.3, 17.6], [2.1, 9.7]) == "gap 0.6"
    assert _gap([4.8, 17.6], [2.1, 9.7]).startswith("overlap (pockets from 4.8, steady up to 9.7)")


@needs_shared
def test_a_thigh_swings_the_gravity_direction_at_the_stride_and_a_back_pocket_is_one_sided() -> None:
    # The same walker and phone: a front pocket turns with the thigh once per stride, the hand held in front does
    # not; a back pocket sits on one side, so its own leg's steps differ from the other's, where the hand's do not.
    hand = carry_features(_oxford("Pixel_Jamie_Hard_InHand_1"))
    front = carry_features(_oxford("Pixel_Jamie_Hard_FrontPocket_1"))
    back = carry_features(_oxford("Pixel_Jamie_Hard_BackPocket_1"))
    assert min(hand.windows, front.windows, back.windows) >= 40  # walks of 2-3 min: 5 s windows 2.5 s apart
    assert front.stride_deg > 2 * hand.stride_deg
    assert back.side_pct > 2 * hand.side_pct


@needs_shared
def test_features_do_not_depend_on_how_the_phone_is_turned() -> None:
    # The swing is an angle and the one-sidedness rests on the acceleration's norm: the same walk with the phone's
    # axes turned (another phone model, the phone upside down) measures the same.
    recording = _oxford("Pixel_Jamie_Carpet_InHand_1")
    turned = dataclasses.replace(
        recording, acc_ms2=recording.acc_ms2 @ Rotation.from_euler("xyz", [70, -30, 160], degrees=True).as_matrix().T
    )
    a, b = carry_features(recording), carry_features(turned)
    assert a.windows == b.windows > 0
    assert [b.stride_deg, b.side_pct, b.p95_deg] == pytest.approx([a.stride_deg, a.side_pct, a.p95_deg], rel=1e-6)


@needs_shared
def test_a_phone_at_rest_has_no_windows_and_no_features() -> None:
    # The walk's own mean acceleration held still: the phone never moves, so nothing is measured (NaN, not 0).
    recording = _oxford("Pixel_Jamie_Carpet_InHand_1")
    still = np.broadcast_to(recording.acc_ms2.mean(axis=0), recording.acc_ms2.shape).copy()
    f = carry_features(dataclasses.replace(recording, acc_ms2=still))
    assert f.windows == 0
    assert np.isnan([f.stride_deg, f.side_pct, f.p95_deg]).all()
