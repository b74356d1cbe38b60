"""Streaming preprocessing: resampling onto a regular grid and the vertical direction from gravity.

Every function here is a pure kernel over numpy arrays; the state that carries from one chunk to the next is
an explicit, picklable dataclass (scipy's ``zi``/``zf`` idiom), so a recording split at any point gives the
same output as the whole.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache, lru_cache

import numpy as np
from scipy import signal

try:
    # np.interp's compiled kernel for real data. The public wrapper only adds asarray and a complex-dtype test
    # around it, about 1.5 us a call: three calls a live chunk, some 7 % of a 10-sample update. Same kernel, same
    # results; a numpy without this private name gets the wrapper.
    from numpy._core.multiarray import interp as _interp_real
except ImportError:  # pragma: no cover - numpy < 2 or a future layout
    _interp_real = np.interp

GRAVITY_CUTOFF_HZ = 0.25
"""Low-pass corner for the gravity estimate: slow enough to ignore steps, fast enough to follow a phone turning."""


@cache
def lowpass_sos(cutoff_hz: float, sampling_rate_hz: float, order: int = 2) -> np.ndarray:
    """Butterworth low-pass in second-order sections (cached per design)."""
    return signal.butter(order, cutoff_hz, btype="lowpass", fs=sampling_rate_hz, output="sos")


@cache
def bandpass_sos(low_hz: float, high_hz: float, sampling_rate_hz: float, order: int = 2) -> np.ndarray:
    """Butterworth band-pass in second-order sections (cached per design)."""
    return signal.butter(order, (low_hz, high_hz), btype="bandpass", fs=sampling_rate_hz, output="sos")


def sosfilt_state(sos: np.ndarray, x: np.ndarray, zi: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Filter ``x`` along axis 0 with carried state; a missing state starts at the steady state of ``x[0]``.

    The filter runs as a cascade of second-order sections, as :func:`scipy.signal.sosfilt` does, with the same
    state layout, but each section goes through :func:`scipy.signal.lfilter`: for the 10-sample chunks of a live
    sensor, sosfilt's input checks cost about 60 us a call against about 9 us for a biquad in lfilter, and a
    biquad has none of the precision problems of a high-order transfer function.

    Parameters
    ----------
    sos
        Filter in second-order sections, shape (n_sections, 6).
    x
        Samples, shape (n,) or (n, k).
    zi
        State returned by the previous call (shape (n_sections, 2) or (n_sections, 2, k), or the same values
        flattened row by row as :class:`VerticalChain` returns them), or None at the start of a segment.

    Returns
    -------
    tuple
        Filtered samples and the state to pass to the next call.
    """
    zi = steady_state(sos, x[0]) if zi is None else zi.reshape(len(sos), 2, *x.shape[1:])
    zf = np.empty_like(zi)
    y = x
    for k, section in enumerate(sos):
        y, zf[k] = signal.lfilter(section[:3], section[3:], y, axis=0, zi=zi[k])
    return y, zf


BLOCK_MAX_SAMPLES = 64
"""Longest chunk that :func:`sosfilt_bank` filters with a block matrix instead of :func:`sosfilt_state`.

A block of ``n`` samples costs about ``n * (n + 2 * n_sections)`` multiply-adds in one matrix product (a few
microseconds up to 64 samples), against a fixed ~20 us per section for lfilter's argument handling; beyond that
the quadratic cost wins and the sample-by-sample recursion is cheaper.
"""


@lru_cache(maxsize=1024)
def _block_matrix(sos_bytes: tuple[bytes, ...], n_samples: int) -> np.ndarray:
    """A bank of filters over one block of ``n_samples`` as one linear map.

    The map takes ``[state_1; ...; state_m; input]`` (each filter's state flattened as scipy's ``zi``) to
    ``[output_1; ...; output_m; next state_1; ...; next state_m]``. Each cascade of sections is linear in its
    state and its input, so this is exact up to rounding. Column ``j`` of the matrix is the response to the
    ``j``-th unit vector, computed by :func:`sosfilt_state` itself, so the matrix uses exactly its state layout
    (direct form II transposed per section) and the two paths can hand the state to each other at any chunk
    border. The cache is keyed by the coefficients' bytes and the block length, is bounded (block lengths are at
    most ``BLOCK_MAX_SAMPLES``) and lives outside the picklable tracker state.
    """
    bank = [np.frombuffer(raw, dtype=float).reshape(-1, 6) for raw in sos_bytes]
    n_states = [2 * len(sos) for sos in bank]
    n_state = sum(n_states)
    n_filters = len(bank)
    matrix = np.zeros((n_filters * n_samples + n_state, n_state + n_samples))
    state_col = np.cumsum([0, *n_states])
    for k, sos in enumerate(bank):
        rows_y = slice(k * n_samples, (k + 1) * n_samples)
        rows_z = slice(n_filters * n_samples + state_col[k], n_filters * n_samples + state_col[k + 1])
        # Filter k reads its own state columns and the shared input columns only.
        cols = [*range(state_col[k], state_col[k + 1]), *range(n_state, n_state + n_samples)]
        for j in cols:
            unit = np.zeros(n_state + n_samples)
            unit[j] = 1.0
            y, zf = sosfilt_state(sos, unit[n_state:], unit[state_col[k] : state_col[k + 1]].reshape(-1, 2))
            matrix[rows_y, j] = y
            matrix[rows_z, j] = zf.ravel()
    matrix.flags.writeable = False
    return matrix


def sosfilt_bank(
    bank: tuple[np.ndarray, ...], x: np.ndarray, zi_bank: tuple[np.ndarray | None, ...]
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Several filters over the same samples with carried states: :func:`sosfilt_state` with a fast path for
    the short chunks of a live sensor.

    Chunks of up to ``BLOCK_MAX_SAMPLES`` samples go through one cached block matrix for the whole bank (see
    :func:`_block_matrix`): a single matrix product instead of one lfilter call per section, whose fixed argument
    handling dominates the cost of a 10-sample chunk. Longer chunks (offline analysis) go through
    :func:`sosfilt_state`, filter by filter. Both use the same state layout, so a stream may mix them; they agree
    to floating-point rounding, not bit for bit, because the sums run in a different order.

    Parameters
    ----------
    bank
        Filters in second-order sections, each of shape (n_sections, 6).
    x
        Samples, shape (n,) or (n, k).
    zi_bank
        Per filter, the state returned by the previous call (shape (n_sections, 2) or (n_sections, 2, k)), or None
        at the start of a segment.

    Returns
    -------
    tuple
        Per filter the filtered samples, and per filter the state to pass to the next call.
    """
    n = len(x)
    if n > BLOCK_MAX_SAMPLES or n == 0:
        outputs = [sosfilt_state(sos, x, zi) for sos, zi in zip(bank, zi_bank, strict=True)]
        return [y for y, _ in outputs], [zf for _, zf in outputs]
    # Plain loops: at this size the Python around the one matrix product is most of the cost.
    flat_shape = (-1, *x.shape[1:])
    keys, parts = [], []
    for sos, zi in zip(bank, zi_bank, strict=True):
        keys.append(sos.tobytes())
        parts.append((steady_state(sos, x[0]) if zi is None else zi).reshape(flat_shape))
    parts.append(x)
    out = _block_matrix(tuple(keys), n).dot(np.concatenate(parts))  # .dot: less call overhead than @
    outputs, states = [], []
    row = n * len(bank)
    for k, part in enumerate(parts[:-1]):
        outputs.append(out[k * n : (k + 1) * n])
        states.append(out[row : row + len(part)].reshape((len(part) // 2, 2, *x.shape[1:])))
        row += len(part)
    return outputs, states


def sosfilt_stream(sos: np.ndarray, x: np.ndarray, zi: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """One filter through :func:`sosfilt_bank`: :func:`sosfilt_state`'s result, fast on short chunks.

    Parameters
    ----------
    sos
        Filter in second-order sections, shape (n_sections, 6).
    x
        Samples, shape (n,) or (n, k).
    zi
        State returned by the previous call, or None at the start of a segment.

    Returns
    -------
    tuple
        Filtered samples and the state to pass to the next call (same layout as :func:`sosfilt_state`'s).
    """
    (y,), (zf,) = sosfilt_bank((sos,), x, (zi,))
    return y, zf


def steady_state(sos: np.ndarray, x0: np.ndarray | float) -> np.ndarray:
    """The state of a filter that has seen ``x0`` forever (scipy's ``sosfilt_zi`` scaled), ``zi`` layout."""
    base = signal.sosfilt_zi(sos)  # (sections, 2)
    return np.asarray(base[:, :, None] * x0 if np.ndim(x0) == 1 else base * x0, dtype=float)


SAME_GRID_MIN_SAMPLES = 1000
"""From this many samples a chunk's grid times are first compared with its sample times (see resample_chunk): on
a long chunk the comparison is cheap against the interpolation it can spare; a live chunk is interpolated whole."""


@dataclass
class ResamplerState:
    """Where the regular grid stands: its origin, the next grid index and the last input sample.

    Attributes
    ----------
    origin_s
        Time of grid index 0 of the current segment.
    next_index
        Grid index of the next sample to produce.
    last_time_s, last_values
        The latest input sample, needed to interpolate across chunk borders.
    """

    origin_s: float | None = None
    next_index: int = 0
    last_time_s: float | None = None
    last_values: np.ndarray | None = field(default=None, repr=False)


def resample_chunk(
    state: ResamplerState, time_s: np.ndarray, values: np.ndarray, sampling_rate_hz: float
) -> tuple[np.ndarray, np.ndarray]:
    """Linearly interpolate new samples onto the grid ``origin_s + k / sampling_rate_hz``.

    The caller splits chunks at gaps and starts a new segment (fresh state) after each, so no value is ever
    interpolated across a gap. A grid sample depends only on the two input samples around it, which makes
    the output independent of where chunks are split.

    Parameters
    ----------
    state
        Carried state; updated in place.
    time_s
        New input times, strictly increasing and later than ``state.last_time_s``.
    values
        New input values, shape (n, k).
    sampling_rate_hz
        Grid rate.

    Returns
    -------
    tuple
        Grid times (m,) and interpolated values (m, k).
    """
    n = len(time_s)
    if n == 0:
        return np.empty(0), np.empty((0, values.shape[1]))
    prev_time_s, prev_values = state.last_time_s, state.last_values
    if state.origin_s is None:
        state.origin_s = float(time_s[0])
        state.next_index = 0
    dt = 1.0 / sampling_rate_hz
    last_time_s = float(time_s[-1])
    # Python floats: the same IEEE arithmetic as numpy scalars, without their per-operation overhead.
    last_index = math.floor((last_time_s - state.origin_s) / dt + 1e-9)
    first_index = state.next_index
    state.next_index = last_index + 1
    state.last_time_s = last_time_s
    state.last_values = values[-1].copy()
    if last_index < first_index:  # a short chunk of a fast sensor can fall between two grid times
        return np.empty(0), np.empty((0, values.shape[1]))
    full_t, full_v = time_s, values
    if first_index * dt + state.origin_s < time_s[0]:
        # The first grid times lie between the previous chunk's last sample and this one's first: interpolate
        # from that sample too. (Otherwise it is not needed: np.interp picks the same two samples either way.)
        # Filled in place: cheaper than np.concatenate for the ten samples of a live chunk.
        full_t = np.empty(n + 1)
        full_t[0] = prev_time_s
        full_t[1:] = time_s
        full_v = np.empty((n + 1, values.shape[1]))
        full_v[0] = prev_values
        full_v[1:] = values
    # In place, as float from the start: fewer temporaries than origin + arange * dt, and the same IEEE results.
    grid_t = np.arange(first_index, last_index + 1, dtype=float)
    grid_t *= dt
    grid_t += state.origin_s
    if len(grid_t) == n and n > SAME_GRID_MIN_SAMPLES:
        # A sensor sampled on the grid itself (a 100 Hz file whose times are k / 100 s): where a grid time equals
        # the sample's own time, np.interp returns that sample's value exactly, so only the others (times a
        # rounding away from the grid's, or jittered) are interpolated. Same values; on a day of such data the
        # interpolation costs a third.
        off_grid = np.flatnonzero(grid_t != time_s)
        if len(off_grid) < n // 2:
            out = values.copy()
            if len(off_grid):
                at_t = grid_t[off_grid]
                for k in range(values.shape[1]):
                    out[off_grid, k] = _interp_real(at_t, full_t, full_v[:, k])
            return grid_t, out
    out = np.empty((len(grid_t), values.shape[1]))
    for k in range(values.shape[1]):
        out[:, k] = _interp_real(grid_t, full_t, full_v[:, k])
    return grid_t, out


def vertical_from_gravity(acc_ms2: np.ndarray, gravity_ms2: np.ndarray) -> np.ndarray:
    """Project acceleration on the current gravity direction and remove gravity's magnitude.

    Parameters
    ----------
    acc_ms2
        Acceleration including gravity, shape (n, 3).
    gravity_ms2
        Slowly varying gravity estimate (low-passed acceleration), shape (n, 3).

    Returns
    -------
    numpy.ndarray
        Vertical (upward positive) dynamic acceleration in m/s^2, shape (n,).
    """
    return _vertical(_row_dots(acc_ms2, gravity_ms2), _row_dots(gravity_ms2, gravity_ms2))


def _row_dots(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per row, the dot product of two (n, 3) arrays, summed as (x + z) + y.

    That is the order of numpy's einsum("ij,ij->i") here (the same bits on a day of samples), which the live path
    (:class:`VerticalChain`) follows too; three whole-column operations instead of einsum's per-row loop over three
    elements take a third of the time on a 600 s chunk.
    """
    products = a * b
    dots = products[:, 0] + products[:, 2]
    dots += products[:, 1]
    return dots


def _vertical(acc_dot_gravity: np.ndarray, gravity_dot_gravity: np.ndarray) -> np.ndarray:
    """Vertical dynamic acceleration from the two dot products per sample (see :func:`vertical_from_gravity`).

    Both arguments are the caller's temporaries and are overwritten: in place, a 600 s chunk needs no new arrays
    (the same operations, so the same values)."""
    g_norm = np.sqrt(gravity_dot_gravity, out=gravity_dot_gravity)
    if len(g_norm) and not g_norm.min() > 1e-6:  # gravity is never near zero in practice: skip the copy
        g_norm = np.where(g_norm > 1e-6, g_norm, 1.0)
    vertical = np.divide(acc_dot_gravity, g_norm, out=acc_dot_gravity)
    vertical -= g_norm
    return vertical


class VerticalChain:
    """The trunk pipeline's filters for one short chunk length: gravity, vertical projection, step band, impact
    detail and band power, as three block products.

    A live sensor sends chunks of a few samples, where the cost of a numpy call, not arithmetic, sets the price.
    The three linear stages (gravity low-pass on three axes; band-pass and detail low-pass of the vertical
    acceleration; low-pass of the band power) are each one product with a block matrix built once for the chunk
    length (see :func:`_block_matrix`). Two nonlinear steps sit between them, so they cannot be merged further.
    The gravity matrix also copies the acceleration through (unit rows: exact), so that both dot products of the
    projection come from one multiplication of one array.

    The states hold :func:`sosfilt_state`'s values (flattened), so a stream may switch between this and the
    general path at any chunk border; the two agree to rounding (the sums run in another order), as
    :func:`sosfilt_bank`'s paths do.

    Parameters
    ----------
    gravity_sos, band_sos, detail_sos, envelope_sos
        The filters in second-order sections.
    n_samples
        Chunk length (at most ``BLOCK_MAX_SAMPLES``).
    """

    def __init__(
        self,
        gravity_sos: np.ndarray,
        band_sos: np.ndarray,
        detail_sos: np.ndarray,
        envelope_sos: np.ndarray,
        n_samples: int,
    ) -> None:
        n = n_samples
        gravity = _block_matrix((gravity_sos.tobytes(),), n)  # rows: gravity (n), next state; columns: state, input
        n_state = gravity.shape[1] - n
        copy = np.zeros((n, n_state + n))
        copy[:, n_state:] = np.eye(n)
        # Output rows: gravity, acceleration, gravity, gravity, next state. Transposed, so that a chunk's product
        # has one row per axis with [g | a] and [g | g] side by side: one multiplication gives g*g and a*g.
        self._gravity_t = np.ascontiguousarray(np.vstack((gravity[:n], copy, gravity[:n], gravity[:n], gravity[n:])).T)
        self._bank = _block_matrix((band_sos.tobytes(), detail_sos.tobytes()), n)
        self._envelope = _block_matrix((envelope_sos.tobytes(),), n)
        self._n = n
        self._band_state = 2 * len(band_sos)

    def __call__(
        self,
        acc_ms2: np.ndarray,
        zi_gravity: np.ndarray,
        zi_band: np.ndarray,
        zi_detail: np.ndarray,
        zi_envelope: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """Filter one chunk.

        Parameters
        ----------
        acc_ms2
            Acceleration including gravity on the working grid, shape (n_samples, 3).
        zi_gravity, zi_band, zi_detail, zi_envelope
            The filters' states after the previous chunk (:func:`sosfilt_state`'s layout, or flattened as this
            returns them; never None).

        Returns
        -------
        tuple
            Band-passed vertical acceleration, its detail low-pass, the low-passed band power (each shape
            (n_samples,)), and the four next states in the order of the arguments, flattened: gravity's as
            (2 * n_sections, 3), the others as (2 * n_sections,). Reshaping them would cost a numpy call each on
            every live chunk; :func:`sosfilt_state` and :func:`sosfilt_bank` take them as they are.
        """
        n = self._n
        out = np.concatenate((zi_gravity.reshape(-1, 3), acc_ms2)).T.dot(self._gravity_t)  # (3, 4 n + n_state)
        # Per axis the row holds [g | a | g | g | state]: the flat row-major array times itself shifted by 2 n gives
        # g*g and a*g at the start of every row, in one contiguous product (the rest of it is not used).
        flat = out.ravel()
        row = out.shape[1]
        prod = flat[: -2 * n] * flat[2 * n :]
        # The axes are summed as (x + z) + y, the order of _row_dots (and numpy's einsum), so that the projection equals
        # vertical_from_gravity's where its inputs do.
        dots = prod[: 2 * n] + prod[2 * row : 2 * row + 2 * n]
        dots += prod[row : row + 2 * n]
        g_norm = np.sqrt(dots[:n])
        if not min(g_norm.tolist()) > 1e-6:  # as in vertical_from_gravity; Python's min is cheaper on ten floats
            g_norm = np.where(g_norm > 1e-6, g_norm, 1.0)
        vertical = dots[n:] / g_norm
        vertical -= g_norm
        # axis=None flattens the states as it joins them: no reshape calls
        out_bank = self._bank.dot(np.concatenate((zi_band, zi_detail, vertical), axis=None))
        band = out_bank[:n]
        out_env = self._envelope.dot(np.concatenate((zi_envelope, band * band), axis=None))
        row = 2 * n + self._band_state  # end of the band-pass state in out_bank
        states = (out[:, 4 * n :].T, out_bank[2 * n : row], out_bank[row:], out_env[n:])
        return band, out_bank[n : 2 * n], out_env[:n], states
