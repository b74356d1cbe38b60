"""Preprocessing kernels: the streaming section filter equals scipy's sosfilt, chunked or whole."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from gait.preprocess import (
    BLOCK_MAX_SAMPLES,
    ResamplerState,
    VerticalChain,
    bandpass_sos,
    lowpass_sos,
    resample_chunk,
    sosfilt_bank,
    sosfilt_state,
    sosfilt_stream,
    vertical_from_gravity,
)


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


@pytest.mark.parametrize("jitter_s", [0.0, 1e-3])
def test_resampling_a_sensor_on_the_grid_equals_np_interp(jitter_s: float) -> None:
    # 100 Hz times k / 100 lie on the grid origin + k * 0.01 or a rounding off it (the shortcut for samples on the
    # grid); a few jittered samples lie between grid times. Every value must be np.interp's, bit for bit.
    rng = np.random.default_rng(2)
    t = np.arange(3000) / 100.0 + 7.0
    t[rng.choice(3000, 40, replace=False)] += rng.uniform(-jitter_s, jitter_s, 40)
    t = np.sort(t)
    v = rng.normal(size=(3000, 3))
    state = ResamplerState()
    gt, gv = resample_chunk(state, t[:1500], v[:1500], 100.0)
    gt2, gv2 = resample_chunk(state, t[1500:], v[1500:], 100.0)
    grid = np.concatenate((gt, gt2))
    expected = np.column_stack([np.interp(grid, t, v[:, k]) for k in range(3)])
    np.testing.assert_array_equal(np.concatenate((gv, gv2)), expected)


N_SAMPLES = 600
_splits = st.lists(st.integers(min_value=1, max_value=N_SAMPLES - 1), max_size=40)


def _chunks(splits: list[int]) -> list[tuple[int, int]]:
    bounds = [0, *sorted(set(splits)), N_SAMPLES]
    return list(itertools.pairwise(bounds))


@settings(max_examples=40, deadline=None)
@given(_splits, st.integers(min_value=0, max_value=2**32 - 1))
def test_filter_bank_equals_sosfilt_for_any_chunk_splits(splits: list[int], seed: int) -> None:
    # The tracker's band-pass and detail low-pass share one block matrix; short chunks take the block path, long
    # ones lfilter, and the state passes between them at every border.
    bank = (bandpass_sos(0.5, 3.0, 100.0), lowpass_sos(5.0, 100.0))
    x = np.random.default_rng(seed).normal(size=N_SAMPLES)
    expected = []
    for sos in bank:
        y, zf = signal.sosfilt(sos, x, zi=signal.sosfilt_zi(sos) * x[0])
        expected.append((y, zf))
    zi: tuple = (None, None)
    parts: list[list[np.ndarray]] = [[], []]
    for a, b in _chunks(splits):
        ys, zi = sosfilt_bank(bank, x[a:b], zi)
        for k, y in enumerate(ys):
            assert y.shape == (b - a,)
            parts[k].append(y)
    for k, (y, zf) in enumerate(expected):
        np.testing.assert_allclose(np.concatenate(parts[k]), y, rtol=0, atol=1e-9)
        np.testing.assert_allclose(zi[k], zf, rtol=0, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(_splits, st.integers(min_value=0, max_value=2**32 - 1))
def test_three_channel_stream_filter_equals_sosfilt_for_any_chunk_splits(splits: list[int], seed: int) -> None:
    # The gravity low-pass: slow poles close to the unit circle and a large constant input (gravity) are the
    # hardest case for rounding, so compare at 1e-9 m/s^2 on a 9.81 m/s^2 signal.
    sos = lowpass_sos(0.25, 100.0)
    x = 9.81 * np.array([0.2, -0.3, 0.93]) + np.random.default_rng(seed).normal(size=(N_SAMPLES, 3))
    expected, zf = signal.sosfilt(sos, x, axis=0, zi=signal.sosfilt_zi(sos)[:, :, None] * x[0])
    zi, parts = None, []
    for a, b in _chunks(splits):
        y, zi = sosfilt_stream(sos, x[a:b], zi)
        assert y.shape == (b - a, 3) and zi.shape == zf.shape
        parts.append(y)
    np.testing.assert_allclose(np.concatenate(parts), expected, rtol=0, atol=1e-9)
    np.testing.assert_allclose(zi, zf, rtol=0, atol=1e-9)


@pytest.mark.parametrize("n", [1, 2, 10, BLOCK_MAX_SAMPLES])
def test_block_path_for_one_short_chunk_equals_sosfilt_and_starts_at_the_steady_state(n: int) -> None:
    sos = lowpass_sos(0.3, 100.0)
    x = 4.0 + np.random.default_rng(n).normal(size=n)
    expected, zf = signal.sosfilt(sos, x, zi=signal.sosfilt_zi(sos) * x[0])
    y, state = sosfilt_stream(sos, x, None)
    np.testing.assert_allclose(y, expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(state, zf, rtol=0, atol=1e-12)
    # A constant input at the steady state stays put.
    y, _ = sosfilt_stream(sos, np.full(n, 4.0), None)
    np.testing.assert_allclose(y, 4.0, rtol=0, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=BLOCK_MAX_SAMPLES), min_size=1, max_size=30), st.integers(0, 2**32 - 1)
)
def test_vertical_chain_equals_the_general_filters_chunk_by_chunk(lengths: list[int], seed: int) -> None:
    # The live path of the trunk pipeline (three block products, the projection in between) against sosfilt and
    # vertical_from_gravity on the same samples; the states pass from one chunk to the next, starting from a
    # general-path first chunk as in the tracker.
    fs = 100.0
    sos = (lowpass_sos(0.25, fs), bandpass_sos(0.5, 3.0, fs), lowpass_sos(5.0, fs), lowpass_sos(0.3, fs))
    rng = np.random.default_rng(seed)
    n_total = 20 + sum(lengths) + 100  # 100 samples after the chunks for the general path
    acc = 9.81 * np.array([0.3, -0.2, 0.93]) + rng.normal(size=(n_total, 3))
    gravity, _ = signal.sosfilt(sos[0], acc, axis=0, zi=signal.sosfilt_zi(sos[0])[:, :, None] * acc[0])
    vertical = vertical_from_gravity(acc, gravity)
    band, _ = signal.sosfilt(sos[1], vertical, zi=signal.sosfilt_zi(sos[1]) * vertical[0])
    detail, _ = signal.sosfilt(sos[2], vertical, zi=signal.sosfilt_zi(sos[2]) * vertical[0])
    power, _ = signal.sosfilt(sos[3], band * band, zi=signal.sosfilt_zi(sos[3]) * band[0] ** 2)
    # the first 20 samples through the general path, as the tracker does at a segment's start
    g0, zg = sosfilt_state(sos[0], acc[:20], None)
    v0 = vertical_from_gravity(acc[:20], g0)
    b0, zb = sosfilt_state(sos[1], v0, None)
    _, zd = sosfilt_state(sos[2], v0, None)
    _, ze = sosfilt_state(sos[3], b0 * b0, None)
    states = (zg, zb, zd, ze)
    start = 20
    for n in lengths:
        out_band, out_detail, out_power, states = VerticalChain(*sos, n)(acc[start : start + n], *states)
        np.testing.assert_allclose(out_band, band[start : start + n], rtol=0, atol=1e-9)
        np.testing.assert_allclose(out_detail, detail[start : start + n], rtol=0, atol=1e-9)
        np.testing.assert_allclose(out_power, power[start : start + n], rtol=0, atol=1e-9)
        start += n
    # The flat states carry on through the general path.
    y, _ = sosfilt_state(sos[0], acc[start:], states[0])
    np.testing.assert_allclose(y, gravity[start:], rtol=0, atol=1e-9)
    ys, _ = sosfilt_bank((sos[1], sos[2]), vertical[start:], states[1:3])
    np.testing.assert_allclose(ys[0], band[start:], rtol=0, atol=1e-9)
    np.testing.assert_allclose(ys[1], detail[start:], rtol=0, atol=1e-9)
