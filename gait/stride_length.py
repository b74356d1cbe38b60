"""Step and stride length models: pure kernels over one step's or one stride's samples.

- lower back / waist: inverted pendulum (Zijlstra & Hof 2003) on the vertical excursion of the sensor;
- pocket / hand: Weinberg's fourth-root model with a per-user factor;
- foot with gyroscope: strapdown integration reset at each zero-velocity phase (ZUPT), see :mod:`gait.zupt`;
- personal calibration: the factor that maps model lengths onto a speed or distance reference.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np

from gait.errors import GaitError

PENDULUM_SCALE = 4.587 / 4
"""Zijlstra & Hof's correction factor A per step (published tunings 1.15-1.25).

We use the Mobilise-D tuning on its multiple-sclerosis cohort (stride factor 4.587, i.e. 4.587 / 4 per step with
the factor 2 of the formula separated), chosen over Zijlstra's 1.25 because it was fitted on a large independent
cohort that includes slow walkers, whom this product serves.
"""

WEINBERG_K = 0.40
"""Population default of Weinberg's K on m/s^2 data, in m/(m/s^2)^(1/4).

Weinberg's K is personal. This default puts the median stride of phones carried in hand, pockets, bags and arm
bands (48 Oxford walks, 3 walkers, 95-125 steps/min) at 1.1-1.7 m, around the typical adult stride of about
1.45 m at that cadence; without a stride reference there, it is a plausibility anchor, not a fit. Lengths from
it carry a low confidence (never used for coaching) until a calibration walk replaces it.
"""


CALIBRATION_WALK_GOOD_M = 100.0
"""A walk of known distance at least this long calibrates without a warning; shorter ones give a rough factor.

Every walk starts and stops: about two strides at each end are shorter than the walker's usual ones, and the model
misjudges them differently (mobgap lab, lower back, INDIP reference: the first and last two strides of each bout
have a factor of 0.834, the strides between them 0.969, about 14 % apart). Where a walk starts and ends against
the measured line is uncertain by about a step as well. Both weigh as their share of the walk, so the factor's
error shrinks with its length: at a usual adult stride of about 1.3 m, 100 m is about 75 strides and the four at
the ends are 5 % of them (their bias about 0.7 % of the factor). Measured (``python -m bench.calibration_walk``):
each IPOL walker's known-distance factors vary over their trials by 9 % (coefficient of variation) for a 10 m
straight walk and 3-5 % for 20 m (stand, 10 m, U-turn, 10 m back, stop): about one over the length, so about 1 %
at 100 m; the left and right foot of one 40 m walk (gaitmap) give 1.030 and 1.001. A 400 m track lap, or a route
measured on a map, is long enough.
"""

CALIBRATION_WALK_MIN_M = 20.0
"""A walk of known distance shorter than this is refused: its factor's error is as large as the correction.

Under 20 m (about 15 strides of 1.3 m) the four starting and stopping strides are more than a quarter of the walk
(see :data:`CALIBRATION_WALK_GOOD_M`). Measured (``python -m bench.calibration_walk``, 2026-11-27): two 10 m straight
walks of one walker (mobgap lab HA_001 Test5, 7 strides each) give 1.098 and 1.015; calibrated with the first,
that walker's daily-living stride-length mean absolute error grows from 0.145 to 0.214 m, and the second walk's
own from 0.059 to 0.105 m (MS_001's two walks give 1.004 and 0.998: short walks agree only by chance). IPOL 10 m
straight walks: 9 % within one walker (33 % from the lowest to the highest). The corrections a factor makes are of
that size: IPOL median factors (20 m) 1.131 at the lower back, 1.016 and 1.025 at the feet; the best factors of
the mobgap daily-living trials 0.894 and 0.978. Between this and :data:`CALIBRATION_WALK_GOOD_M` a factor is kept
with a warning (:func:`calibration_walk_warning`).
"""

CALIBRATION_MIN_STRIDES = 16
"""Fewest strides a stride-by-stride fit accepts (:func:`fit_stride_scale`): the four starting and stopping strides
a quarter of them, as in a walk of :data:`CALIBRATION_WALK_MIN_M`."""

_LONGER_WALK = (
    f"walk at least {CALIBRATION_WALK_GOOD_M:.0f} m at your usual pace (for example a 400 m track lap, or a route "
    "measured on a map)"
)
_SHORTER_STRIDES = "its starting and stopping strides (about 2 at each end, shorter than your usual ones)"


@functools.cache
def _step_basis(n_period: int) -> np.ndarray:
    """Columns: the mean, and twice the mean of the cosine and sine of one period over ``n_period`` samples.

    ``samples @ basis`` gives a signal's mean and its Fourier coefficients at the frequency of one period over the
    window (the once-per-step oscillation), in one product; cached per step length in samples.
    """
    phase = 2.0 * np.pi * np.arange(n_period) / n_period
    return np.column_stack((np.ones(n_period), 2.0 * np.cos(phase), 2.0 * np.sin(phase))) / n_period


def step_bounce_ms2(acc_ms2: np.ndarray) -> complex:
    """The once-per-step rise and fall of the trunk over one step, as the phasor of its vertical acceleration.

    Two choices, both from the inverted pendulum itself:

    - **The step's own vertical.** Over one step of walking the trunk's velocity comes back to about where it
      started, so the mean acceleration over the step is close to zero and the mean specific force the sensor
      measures is gravity: its direction is the vertical of that very step. A low-pass gravity estimate instead
      lags the trunk's tilt by about a second (turns, bending, starting and stopping), and projects horizontal
      acceleration into the vertical where the tilt changes.
    - **The fundamental only.** The pendulum vaults the body up and down once per step; the model's ``d`` is the
      height of that arc. The component of the vertical acceleration at one cycle per step (its Fourier
      coefficient over the step) holds it, and double integration of that component is exact: position amplitude
      = acceleration amplitude / (2 pi / T)^2. Impact harmonics, and trunk motion that does not repeat each step
      (a slow bend, the closing step's settling, a turn's lean), fall outside that one frequency instead of
      adding to the peak-to-peak of a double integral. Over exactly one period the constant (gravity's residue,
      a sensor offset) drops out as well, so nothing needs high-passing and no filter delays the step.

    Parameters
    ----------
    acc_ms2
        Acceleration including gravity in the sensor frame, shape (n, 3), from one initial contact to the next
        (both included: the last sample starts the next period and is not used).

    Returns
    -------
    complex
        ``c + i s`` in m/s^2: the vertical acceleration over the step is ``c cos(2 pi t / T) + s sin(2 pi t / T)``
        plus harmonics, ``t`` from the first contact. Phase 0 is an upward peak at the contact, where the trunk is
        lowest (double support). NaN for fewer than 5 samples or no measurable gravity.

    Examples
    --------
    >>> t = np.arange(51) * 0.01  # a 0.5 s step, contact to contact
    >>> acc = np.zeros((51, 3)); acc[:, 2] = 9.81 + 1.5 * np.cos(2 * np.pi * t / 0.5)
    >>> z = step_bounce_ms2(acc); round(z.real, 6), round(abs(z.imag), 6)
    (1.5, 0.0)
    """
    n_period = len(acc_ms2) - 1
    if n_period < 4:
        return complex(math.nan, math.nan)
    # Per axis: mean, cosine and sine coefficients; then Python floats (called on every step: 3-vectors cost less
    # in Python than in numpy's wrappers).
    # (.dot rather than @: the same BLAS product, bit for bit, with less call overhead)
    (gx, cx, sx), (gy, cy, sy), (gz, cz, sz) = acc_ms2[:n_period].T.dot(_step_basis(n_period)).tolist()
    g_norm = math.sqrt(gx * gx + gy * gy + gz * gz)
    if not g_norm > 1e-6:
        return complex(math.nan, math.nan)
    ux, uy, uz = gx / g_norm, gy / g_norm, gz / g_norm
    # the vertical's coefficients (projection is linear)
    return complex(ux * cx + uy * cy + uz * cz, ux * sx + uy * sy + uz * sz)


def bounce_excursion_m(
    bounce_ms2: complex,
    step_s: float,
    phase_sum_ms2: complex = 0j,
    amplitude_sum_ms2: float = 0.0,
    *,
    agreement: tuple[float, float] | None = None,
) -> float:
    """Vertical excursion ``d`` of one step from its bounce phasor (:func:`step_bounce_ms2`).

    Without a walker's phase (``phase_sum_ms2`` 0): twice the amplitude of the once-per-step rise and fall,
    ``2 |z| / omega^2`` with ``omega = 2 pi / T``.

    With the running sums of the steps before (:func:`update_bounce_phase`), only the part of the phasor in the
    walker's usual phase counts. The pendulum's bounce is locked to the contacts (the trunk is lowest in double
    support, just after each contact), so from step to step it keeps its phase relative to the contact; trunk
    motion at the step frequency that is no pendulum vault (sway, a turn's lean, shuffling, bending) has no such
    lock. For a bounce ``B`` plus motion ``N`` of random phase, ``E|z|^2 = B^2 + E|N|^2``: the amplitude
    overstates a small bounce (a short or a slow step, where ``1 / omega^2`` magnifies it), while the in-phase
    part ``I`` is ``B`` plus only the in-phase half of ``N``, of mean zero (clipped at 0: a bounce in antiphase is
    none). A steady bounce's own phase scatters a little from step to step (the contact's timing, the walker's
    variability), so its in-phase part is ``B`` times the mean cosine of that scatter; the coherence of the
    recent steps ``R = |sum w z| / sum w |z|`` (their resultant length, which the firm steady steps dominate) is
    that mean cosine, so ``I / R`` restores a steady bounce, and never beyond the step's own amplitude ``|z|``.
    (Where the recent steps are all small and incoherent, ``R`` is small too and the estimate tends back towards
    the amplitude: the debiasing needs firm walking steps among the last few to know the phase.)

    Parameters
    ----------
    bounce_ms2
        The step's phasor in m/s^2.
    step_s
        The step's duration ``T`` (contact to contact).
    phase_sum_ms2, amplitude_sum_ms2
        The decaying sums of the previous steps' phasors and of their amplitudes (:func:`update_bounce_phase`);
        0 when there is no step before.
    agreement
        :func:`bounce_agreement` of the same arguments, when the caller has it already (the tracker keeps it for
        the stride's confidence): not computed twice.

    Returns
    -------
    float
        ``d`` in metres; NaN when the phasor is NaN or the step has no duration.

    Examples
    --------
    >>> round(bounce_excursion_m(complex(0.0, 1.0), 0.5), 5)  # amplitude 1 m/s^2 at 2 Hz
    0.01267
    >>> bounce_excursion_m(complex(0.0, 1.0), 0.5, complex(2.0, 0.0), 2.0)  # all of it in quadrature
    0.0
    """
    if not step_s > 0.0:
        return math.nan
    omega = 2.0 * math.pi / step_s
    amplitude = abs(bounce_ms2)
    share, coherence = agreement or bounce_agreement(bounce_ms2, phase_sum_ms2, amplitude_sum_ms2)
    if share == share:  # a walker's phase to compare with, and a bounce (else the whole amplitude, or NaN)
        amplitude = min(max(share * amplitude, 0.0) / coherence, amplitude)
    return 2.0 * amplitude / (omega * omega)


def bounce_agreement(bounce_ms2: complex, phase_sum_ms2: complex, amplitude_sum_ms2: float) -> tuple[float, float]:
    """How well one step's bounce agrees with the walker's running bounce phase.

    Parameters
    ----------
    bounce_ms2
        The step's once-per-step phasor (:func:`step_bounce_ms2`).
    phase_sum_ms2, amplitude_sum_ms2
        The walker's decaying sums before this step (:func:`update_bounce_phase`).

    Returns
    -------
    tuple of float
        ``(share, coherence)``: the cosine of the angle between the step's phasor and the walker's phase (1 in
        phase, 0 in quadrature, -1 in antiphase), and the coherence ``R = |phase_sum| / amplitude_sum`` of the
        recent steps (0..1). NaN for what is undefined (no phase yet, no bounce).

    Examples
    --------
    >>> share, r = bounce_agreement(complex(0.0, 1.0), complex(1.0, 1.0), 2.0)  # 45 degrees off
    >>> round(share, 3), round(r, 3)
    (0.707, 0.707)
    """
    weight = abs(phase_sum_ms2)
    if not (weight > 0.0 and amplitude_sum_ms2 > 0.0):
        return math.nan, math.nan
    coherence = min(weight / amplitude_sum_ms2, 1.0)
    amplitude = abs(bounce_ms2)
    if not amplitude > 0.0:  # also NaN
        return math.nan, coherence
    return (bounce_ms2 * phase_sum_ms2.conjugate()).real / (weight * amplitude), coherence


BOUNCE_PHASE_MEMORY = 0.8
"""Per-step decay of the running bounce phase (:func:`update_bounce_phase`): its memory is about 1 / (1 - 0.8) = 5
steps, a few strides, so it follows a change of pace or of the walker's posture within a bout."""


def update_bounce_phase(phase_sum_ms2: complex, amplitude_sum_ms2: float, bounce_ms2: complex) -> tuple[complex, float]:
    """The walker's running bounce phase after one more step: decaying sums of the steps' phasors and amplitudes.

    Each step weighs by its own amplitude: the firm bounces of walking set the phase, the small motions of
    shuffling and turning (whose phase is what is in question) hardly move it. The phase is that of
    ``phase_sum_ms2``; ``|phase_sum_ms2| / amplitude_sum_ms2`` is the coherence of the recent steps (1 when they
    all share one phase). A NaN phasor (no measurable step) leaves both unchanged.

    Examples
    --------
    >>> p, w = update_bounce_phase(0j, 0.0, complex(2.0, 0.0))
    >>> p, w = update_bounce_phase(p, w, complex(0.0, 0.1))  # a small step in quadrature barely turns it
    >>> round(math.degrees(math.atan2(p.imag, p.real)), 1), round(abs(p) / w, 3)
    (3.6, 0.943)
    """
    if bounce_ms2 != bounce_ms2:  # NaN
        return phase_sum_ms2, amplitude_sum_ms2
    return (
        BOUNCE_PHASE_MEMORY * phase_sum_ms2 + bounce_ms2,
        BOUNCE_PHASE_MEMORY * amplitude_sum_ms2 + abs(bounce_ms2),
    )


def step_excursion_m(acc_ms2: np.ndarray, dt_s: float) -> float:
    """Vertical excursion of the trunk over one step: twice the amplitude of its once-per-step rise and fall.

    :func:`step_bounce_ms2` then :func:`bounce_excursion_m` without a reference phase. For a sinusoidal bounce this
    equals the peak-to-peak of the double-integrated vertical acceleration; on steady walking (the lower-back
    recordings of the IPOL set) that peak-to-peak is a median 3 % larger, about 1.5 % in step length, within the
    spread of the published scale factors.

    Parameters
    ----------
    acc_ms2
        Acceleration including gravity in the sensor frame, shape (n, 3), from one initial contact to the next
        (both included: the last sample starts the next period and is not used).
    dt_s
        Sample interval.

    Returns
    -------
    float
        The excursion ``d`` in metres; NaN for fewer than 5 samples or no measurable gravity.

    Examples
    --------
    >>> dt = 0.01
    >>> t = np.arange(51) * dt  # a 0.5 s step, contact to contact
    >>> acc = np.zeros((51, 3)); acc[:, 2] = 9.81 + 0.02 * (2 * np.pi / 0.5) ** 2 * np.sin(2 * np.pi * t / 0.5)
    >>> round(step_excursion_m(acc, dt), 4)  # a bounce of amplitude 2 cm: 4 cm from low to high
    0.04
    """
    return bounce_excursion_m(step_bounce_ms2(acc_ms2), (len(acc_ms2) - 1) * dt_s)


def pendulum_step_length_m(
    excursion_m: float | np.ndarray, sensor_height_m: float, scale: float = PENDULUM_SCALE
) -> float | np.ndarray:
    """Step length from the inverted-pendulum model: ``A * 2 * sqrt(2 h d - d^2)``.

    Parameters
    ----------
    excursion_m
        Vertical excursion ``d`` of the sensor during the step.
    sensor_height_m
        Height ``h`` of the sensor above the ground.
    scale
        Correction factor ``A``.

    Examples
    --------
    >>> round(float(pendulum_step_length_m(0.04, 0.9, scale=1.0)), 3)
    0.531
    """
    if isinstance(excursion_m, float):  # the live path: one step at a time, where numpy's overhead dominates
        d = min(excursion_m, sensor_height_m)
        return scale * 2.0 * math.sqrt(max(2.0 * sensor_height_m * d - d * d, 0.0)) if d == d else math.nan
    d = np.minimum(np.asarray(excursion_m, dtype=float), sensor_height_m)
    return scale * 2.0 * np.sqrt(np.maximum(2.0 * sensor_height_m * d - d * d, 0.0))


def weinberg_step_length_m(acc_range_ms2: float | np.ndarray, k: float = WEINBERG_K) -> np.ndarray:
    """Weinberg's step length ``K * (a_max - a_min) ** 0.25``.

    Examples
    --------
    >>> round(float(weinberg_step_length_m(16.0, k=0.5)), 3)
    1.0
    """
    return k * np.power(np.maximum(np.asarray(acc_range_ms2, dtype=float), 0.0), 0.25)


def fit_stride_scale(model_lengths_m: Sequence[float], reference_lengths_m: Sequence[float]) -> float:
    """Least-squares factor ``s`` so that ``s * model`` best matches a reference (distance or speed based).

    Parameters
    ----------
    model_lengths_m
        Stride lengths from the model, with the default factor (scale 1).
    reference_lengths_m
        Stride lengths from the reference (for example ``2 * speed / step frequency`` from GPS, or a known
        distance divided by the number of strides), one per model stride.

    Returns
    -------
    float
        The personal scale factor to pass as ``stride_scale``.

    Examples
    --------
    >>> fit_stride_scale([1.0, 1.2, 1.1, 1.3] * 4, [1.1, 1.32, 1.21, 1.43] * 4)
    1.1
    """
    model = np.asarray(model_lengths_m, dtype=float)
    ref = np.asarray(reference_lengths_m, dtype=float)
    if model.shape != ref.shape:
        raise GaitError("calibration needs one reference length per model stride", reason="bad_calibration")
    ok = np.isfinite(model) & np.isfinite(ref) & (model > 0) & (ref > 0)
    if ok.sum() < CALIBRATION_MIN_STRIDES:
        raise GaitError(
            f"calibration needs at least {CALIBRATION_MIN_STRIDES} strides with both a model and a reference length;"
            f" got {int(ok.sum())}: {_LONGER_WALK}",
            reason="too_few_strides",
        )
    return _checked_scale(float(np.dot(model[ok], ref[ok]) / np.dot(model[ok], model[ok])))


def factor_words(scale: float) -> str:
    """A personal stride-length factor as every message shows it: 3 decimals (a fitted factor is stored so).

    Examples
    --------
    >>> factor_words(1.3158), factor_words(1.0)
    ('1.316', '1.000')
    """
    return f"{scale:.3f}"


def _checked_scale(scale: float) -> float:
    if not 0.5 <= scale <= 1.5:
        raise GaitError(
            f"calibration factor {factor_words(scale)} is implausible (expected 0.5-1.5): check the distance you "
            "entered and that the recording covers the whole walk",
            reason="implausible_calibration",
        )
    # kept as shown (factor_words): the profile then holds the factor the walker was offered to save
    return round(scale, 3)


def scale_from_known_distance(model_distance_m: float, distance_m: float) -> float:
    """Personal factor from a walk of known distance: ``distance / model distance``.

    Parameters
    ----------
    model_distance_m
        Distance the model estimated for the walk with no personal factor (``Analysis.distance_m``).
    distance_m
        The distance walked, measured independently (a track lap, a measured route); at least
        :data:`CALIBRATION_WALK_MIN_M`, and :data:`CALIBRATION_WALK_GOOD_M` for a factor that is not rough
        (:func:`calibration_walk_warning`).

    Raises
    ------
    GaitError
        The distance is not a positive number, the walk has no model distance, the factor is implausible, or the
        walk is shorter than :data:`CALIBRATION_WALK_MIN_M` (reason ``calibration_walk_too_short``).

    Examples
    --------
    >>> scale_from_known_distance(380.0, 400.0)
    1.053
    """
    if not distance_m > 0:
        raise GaitError("the known distance must be a positive number of metres", reason="bad_calibration")
    if not model_distance_m > 0:
        raise GaitError(
            "no stride lengths were estimated for this walk, so there is nothing to calibrate: check the placement "
            "and that the recording holds the walk",
            reason="too_few_strides",
        )
    too_short = distance_m < CALIBRATION_WALK_MIN_M
    # plausibility first: a mistyped distance ("4" for 40 m) is better told to check the distance than to walk more;
    # a short walk is said too, so that a walker whose distance was right knows what else to do
    try:
        scale = _checked_scale(float(distance_m / model_distance_m))
    except GaitError as exc:
        if not too_short:
            raise
        raise GaitError(
            f"{exc}; and a {distance_m:g} m walk is too short to calibrate anyway: {_LONGER_WALK}",
            reason=exc.reason,
        ) from None
    if too_short:
        raise GaitError(
            f"a {distance_m:g} m walk is too short to calibrate: under {CALIBRATION_WALK_MIN_M:.0f} m "
            f"{_SHORTER_STRIDES} weigh too much in the factor. Instead {_LONGER_WALK}, and calibrate with that walk",
            reason="calibration_walk_too_short",
        )
    return scale


def calibration_walk_warning(distance_m: float) -> str | None:
    """What a factor fitted from a walk of ``distance_m`` metres needs said: that it is rough and what to do
    (shorter than :data:`CALIBRATION_WALK_GOOD_M`), or None.

    Examples
    --------
    >>> calibration_walk_warning(400.0) is None
    True
    >>> calibration_walk_warning(40.0)  # doctest: +ELLIPSIS
    'a 40 m walk gives a rough factor: its starting and stopping strides ... walk at least 100 m at your usual pace ...'
    """
    if distance_m >= CALIBRATION_WALK_GOOD_M:
        return None
    return (
        f"a {distance_m:g} m walk gives a rough factor: {_SHORTER_STRIDES} weigh too much in it. For a factor you "
        f"can rely on, {_LONGER_WALK}, and calibrate again with that walk"
    )
