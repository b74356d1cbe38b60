"""Preprocessing kernels: the streaming section filter equals scipy's sosfilt, chunked or whole."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from gait.preprocess import ResamplerState, bandpass_sos, lowpass_sos, resample_chunk, sosfilt_state


@pytest.mark.parametrize("sos", [bandpass_sos(0.5, 3.0, 100.0), lowpass_sos(0.25, 100.0)])
def test_section_filter_matches_sosfilt_and_carries_state(sos: np.ndarray) -> None:
    x = np.random.default_rng(0).normal(size=(997, 3))
    zi0 = signal.sosfilt_zi(sos)[:, :, None] * x[0]
    expected, _ = signal.sosfilt(sos, x, axis=0, zi=zi0)
    whole, _ = sosfilt_state(sos, x, None)
    np.testing.assert_allclose(whole, expected, rtol=1e-10, atol=1e-12)
    zi, parts = None, []
    for a, b in [(0, 10), (10, 11), (11, 500), (500, 997)]:
        y, zi = sosfilt_state(sos, x[a:b], zi)
        parts.append(y)
    np.testing.assert_array_equal(np.concatenate(parts), whole)


def test_resampling_is_independent_of_chunk_borders() -> None:
    rng = np.random.default_rng(1)
    t = np.cumsum(rng.uniform(0.004, 0.02, 500))
    v = rng.normal(size=(500, 2))
    whole_state = ResamplerState()
    gt, gv = resample_chunk(whole_state, t, v, 100.0)
    state, ts, vs = ResamplerState(), [], []
    for a, b in [(0, 1), (1, 7), (7, 250), (250, 500)]:
        ct, cv = resample_chunk(state, t[a:b], v[a:b], 100.0)
        ts.append(ct)
        vs.append(cv)
    np.testing.assert_array_equal(np.concatenate(ts), gt)
    np.testing.assert_array_equal(np.concatenate(vs), gv)
    assert np.allclose(np.diff(gt), 0.01) and gt[0] == t[0]
