"""How far a lower-back stride length can be trusted: pure kernels over what the tracker knows at the stride.

The inverted-pendulum model (:mod:`gait.stride_length`) turns the trunk's once-per-step rise and fall into a step
length. It holds for steady walking straight ahead: each step a vault over the stance leg, the bounce locked to
the contacts. Where a stride is something else (a turn, a shuffle, a hesitant or a closing step, a stride whose
contacts are not two real steps) the bounce is not the vault the model assumes, and the length is off, mostly too
long for short steps (the once-per-step motion of sway and leaning is read as a vault). A stride's confidence
starts from its method's (calibration, known sensor height) and is halved for each sign of such a stride:

- **turn**: the heading changes by more than TURN_DEG over the stride (gyroscope, about the step's own vertical).
  The pendulum assumes progression straight ahead; in a turn the body pivots and leans into the curve, the
  stride is partly a rotation and the trunk's vertical motion partly the lean.
- **off phase**: a step's bounce is more than 45 degrees (1/8 step) away from the walker's running bounce phase
  (its in-phase share below MIN_PHASE_SHARE). The vault is locked to the contacts; a bounce at another phase is
  other motion, or the step was cut at the wrong place (a contact misplaced by 1/8 step).
- **incoherent**: the walker's recent steps do not share one phase (coherence R below MIN_COHERENCE, i.e. their
  phases scatter by about 45 degrees or more): no steady vault to separate from other motion.
- **unequal steps**: one step of the stride is more than MAX_STEP_RATIO times the other in length or in time.
  Left and right steps of a walk differ by a few per cent (well under 1.5x even in hemiparetic gait); twice is
  a shuffle, a step of a turn, or a missed or extra contact (a "step" that is two, or half of one).
- **hesitant**: the stride lasts more than HESITANT_RATIO times the walker's recent strides. Stride time varies
  by 2-3 % in steady walking (under 10 % in frail walkers); a stride 30 % slower than the last few is a hesitation,
  a start or a stop, and a slow step's small bounce is magnified by the model (the excursion grows with the
  square of the step time).

- **not on the trunk**: the gyroscope turns faster than a trunk does (TRUNK_ROTATION_RMS_DPS over the recent
  strides): the sensor is on a limb (a shoe, a pocket) though the placement says trunk.

Each check needs only the stride's own steps and the walker's state before it: no look-ahead.

A step-model stride (phones: :func:`step_model_doubts`) is a sum over its steps, right wherever its contacts are two
true walking steps; its doubts are the signs of a missed or an extra contact (unequal steps beyond MAX_STEP_RATIO, a
hesitant or a hurried stride) and of steps no walk makes (a vertical swing beyond MAX_WALKING_STEP_RANGE_MS2:
running, jumping, the phone shaken in the hand).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from gait.consts import GRAVITY_MS2
from gait.stride_length import bounce_agreement
from gait.types import Placement


def method_confidence(
    placement: Placement | None, *, calibrated: bool, height_known: bool, foot_detector: bool = False
) -> tuple[str, float]:
    """A stride-length method and the confidence its strides start from, before any doubt halves it.

    A personal calibration factor lifts every method; a known height (the walker's, or the sensor's) lifts the
    lower-back pendulum only. At the waist the pendulum is not validated (it is on sensors at L5 only: mobgap,
    IPOL): its lengths are trusted once a calibration walk fits its factor, whatever the height. A phone's step
    model (Weinberg) is a rough guess until calibrated.

    Examples
    --------
    >>> method_confidence(Placement.WAIST, calibrated=False, height_known=True)
    ('inverted_pendulum', 0.5)
    >>> method_confidence(Placement.LOWER_BACK, calibrated=False, height_known=True)
    ('inverted_pendulum', 0.75)
    """
    if foot_detector:
        return "zupt", 0.95 if calibrated else 0.9
    if placement is Placement.LOWER_BACK:
        return "inverted_pendulum", 0.9 if calibrated else (0.75 if height_known else 0.5)
    if placement is Placement.WAIST:
        return "inverted_pendulum", 0.9 if calibrated else 0.5
    return "weinberg", 0.8 if calibrated else 0.35


DOUBT_FACTOR = 0.5
"""Each sign of a stride the model does not describe halves its confidence (one sign puts a stride of a known
sensor height, 0.75, below the coach's 0.6)."""

TURN_DEG = 30.0
"""Largest heading change over one stride that still counts as walking straight ahead, in degrees.

In straight walking the pelvis rotates a few degrees each way and back within a stride (net under 10 degrees in
99 % of the IPOL straight-walk strides); a right-angle corner takes two or three strides, 30-45 degrees each."""

MIN_PHASE_SHARE = 0.7
"""Least in-phase share (cosine of the phase offset) of a step's bounce: 0.7 is 45 degrees, 1/8 of a step."""

MIN_COHERENCE = 0.7
"""Least coherence R of the walker's recent bounces (the mean cosine of their phase scatter: 45 degrees)."""

MAX_STEP_RATIO = 2.0
"""Most that one step of a stride may exceed the other, in length or in duration."""

HESITANT_RATIO = 1.3
"""Most that a stride may outlast the walker's recent strides (their decaying mean, see PACE_MEMORY)."""

TRUNK_ROTATION_RMS_DPS = 150.0
"""Most that the gyroscope may turn, as the RMS rate over the walker's recent strides (decaying, PACE_MEMORY), for a
sensor on the trunk, in deg/s.

The pelvis rotates a few degrees each way with every step and the trunk turns with the path: lower-back sensors in
the benchmark stay under 102 deg/s (IPOL; mobgap 77) over any five strides. A sensor on a limb swings with it: shoe
sensors 119-370 deg/s (1st-99th percentile of their strides), a phone in a trouser pocket about 90-290. Above this
the sensor is not on the trunk (a wrong placement: the whole-walk placement note of gait.analysis says so too) and
the pendulum's lengths describe nothing."""

MAX_WALKING_STEP_RANGE_MS2 = 3.0 * GRAVITY_MS2
"""Largest swing of a step's vertical acceleration (maximum minus minimum over the step, the range Weinberg's step
model takes the fourth root of) that walking gives a phone, in m/s^2: 3 g.

Weinberg's length grows with the range, so a step that swings more than walking does is read as a long stride.
Walking stays well below it: the 7913 steps of the Oxford phone walks (3 walkers, in the hand, front and back
pockets, a bag, 95-125 steps/min) swing by a median 8.1 m/s^2 and at most 24.4. Running and jumping swing by
4-6 g at the hip (a heel strike's impact): the vigorous stretches of an iOS Sensor Logger recording in a pocket
(dev data, sensor_logger_ios_v1.10.4, 8-12 s and 102-109 s) swing by 39-55 m/s^2 a step, and read as 2.1-2.5 m
strides once calibrated."""

PACE_MEMORY = 0.8
"""Per-stride decay of the walker's recent stride duration: a memory of about five strides, like the bounce phase
(:data:`gait.stride_length.BOUNCE_PHASE_MEMORY`), so it follows a change of pace within a few strides."""


def heading_change_deg(
    acc_ms2: np.ndarray, gyr_time_s: np.ndarray, gyr_dps: np.ndarray, start_s: float, end_s: float
) -> float:
    """Heading change over one step: the gyroscope integrated about the step's own vertical.

    The vertical is the direction of the mean specific force over the step (gravity, as in
    :func:`gait.stride_length.step_bounce_ms2`), so the sensor may sit at any angle; rotation about other axes
    (the trunk's roll and pitch with each step) does not count. The gyroscope is read as sampled (not resampled):
    its mean over the samples from ``start_s`` (included) to ``end_s`` (excluded), times the step's duration.

    Parameters
    ----------
    acc_ms2
        Acceleration including gravity in the sensor frame, shape (n, 3), from one initial contact to the next
        (both included: the last sample starts the next step and is not used).
    gyr_time_s, gyr_dps
        Gyroscope sample times (increasing) and angular rates in the sensor frame, shape (m, 3), covering the step.
    start_s, end_s
        The step's two contacts.

    Returns
    -------
    float
        Signed heading change in degrees (the sign follows the sensor's axes); NaN for fewer than 2 acceleration
        samples, no measurable gravity, or no gyroscope sample in the step.

    Examples
    --------
    >>> acc = np.tile([0.0, 0.0, 9.81], (51, 1))
    >>> t = np.arange(60) * 0.01; gyr = np.tile([0.0, 0.0, 60.0], (60, 1))
    >>> round(heading_change_deg(acc, t, gyr, 0.0, 0.5), 6)  # 60 deg/s about the vertical for 0.5 s
    30.0
    """
    return step_rotation(acc_ms2, gyr_time_s, gyr_dps, start_s, end_s)[0]


def step_rotation(
    acc_ms2: np.ndarray, gyr_time_s: np.ndarray, gyr_dps: np.ndarray, start_s: float, end_s: float
) -> tuple[float, float]:
    """A step's heading change (:func:`heading_change_deg`) and its gyroscope's mean squared rate.

    Parameters
    ----------
    acc_ms2, gyr_time_s, gyr_dps, start_s, end_s
        As for :func:`heading_change_deg`.

    Returns
    -------
    tuple of float
        Heading change in degrees, and the mean of the squared angular rate (all axes) over the step's gyroscope
        samples in (deg/s)^2, for :data:`TRUNK_ROTATION_RMS_DPS`; NaN where unknown (the rate only needs
        gyroscope samples in the step).
    """
    n = len(acc_ms2) - 1
    # Called on every step: the ufunc reductions, and Python floats for the 3-vectors, spare numpy's wrappers.
    i0 = int(gyr_time_s.searchsorted(start_s))
    i1 = int(gyr_time_s.searchsorted(end_s))
    if i1 <= i0:
        return math.nan, math.nan
    rates = gyr_dps[i0:i1]
    mean_square_dps2 = float(np.vdot(rates, rates)) / (i1 - i0)
    if n < 1:
        return math.nan, mean_square_dps2
    ux, uy, uz = np.add.reduce(acc_ms2[:n], axis=0).tolist()
    norm = math.sqrt(ux * ux + uy * uy + uz * uz)
    if not norm > 1e-6:
        return math.nan, mean_square_dps2
    rx, ry, rz = np.add.reduce(rates, axis=0).tolist()
    return (ux * rx + uy * ry + uz * rz) / (norm * (i1 - i0)) * (end_s - start_s), mean_square_dps2


def update_pace(pace_sum_s: float, pace_weight: float, stride_s: float) -> tuple[float, float]:
    """The walker's recent stride duration after one more stride: decaying sums (mean = sum / weight).

    Examples
    --------
    >>> s, w = update_pace(0.0, 0.0, 1.0)
    >>> s, w = update_pace(s, w, 1.2)
    >>> round(s / w, 4)  # the newer stride weighs 1, the older 0.8
    1.1111
    """
    return PACE_MEMORY * pace_sum_s + stride_s, PACE_MEMORY * pace_weight + 1.0


def pendulum_doubts(
    *,
    step_s: Sequence[float],
    step_length_m: Sequence[float],
    phase_share: Sequence[float],
    coherence: Sequence[float],
    stride_turn_deg: float,
    stride_s: float,
    recent_stride_s: float,
    recent_rotation_dps: float = math.nan,
) -> tuple[str, ...]:
    """The signs that an inverted-pendulum stride is not the steady straight walking the model describes.

    Parameters
    ----------
    step_s, step_length_m
        Duration and model length of each step of the stride.
    phase_share, coherence
        Per step, from :func:`bounce_agreement` (NaN where unknown: that check is skipped).
    stride_turn_deg
        Heading change over the stride (sum of its steps' :func:`heading_change_deg`); NaN without a gyroscope.
    stride_s
        The stride's duration.
    recent_stride_s
        The walker's recent stride duration before this stride (:func:`update_pace`); NaN when there is none.
    recent_rotation_dps
        The gyroscope's RMS rate over the recent strides, this one included (decaying, as :func:`update_pace`);
        NaN without a gyroscope.

    Returns
    -------
    tuple of str
        The names of the failed checks, in this order: ``"turn"``, ``"off_phase"``, ``"incoherent"``,
        ``"unequal_steps"``, ``"hesitant"``, ``"not_trunk"``; empty for a stride that passes them all. The
        confidence is the method's times ``DOUBT_FACTOR ** len(doubts)``.

    Examples
    --------
    >>> steady = dict(step_s=[0.55, 0.56], step_length_m=[0.70, 0.68], phase_share=[0.98, 0.99],
    ...               coherence=[0.97, 0.97], stride_turn_deg=4.0, stride_s=1.11, recent_stride_s=1.10)
    >>> pendulum_doubts(**steady)
    ()
    >>> pendulum_doubts(**{**steady, "stride_turn_deg": 55.0, "step_length_m": [0.70, 0.30]})
    ('turn', 'unequal_steps')
    """
    doubts: list[str] = []
    if abs(stride_turn_deg) > TURN_DEG:  # False for NaN: no gyroscope, no verdict
        doubts.append("turn")
    if any(s < MIN_PHASE_SHARE for s in phase_share):
        doubts.append("off_phase")
    if any(r < MIN_COHERENCE for r in coherence):
        doubts.append("incoherent")
    if _ratio(step_length_m) > MAX_STEP_RATIO or _ratio(step_s) > MAX_STEP_RATIO:
        doubts.append("unequal_steps")
    if stride_s > HESITANT_RATIO * recent_stride_s:
        doubts.append("hesitant")
    if recent_rotation_dps > TRUNK_ROTATION_RMS_DPS:  # False for NaN
        doubts.append("not_trunk")
    return tuple(doubts)


def step_model_doubts(
    *, step_s: Sequence[float], stride_s: float, recent_stride_s: float, step_range_ms2: Sequence[float] = ()
) -> tuple[str, ...]:
    """The signs that a step-model stride (a phone, or any sensor without the pendulum) is not one true stride.

    A step-model length is a sum over the stride's steps, so it is right where the stride's two contacts are two real
    steps; a missed contact makes one "step" of two (the stride lasts about 1.5 strides), an extra one a step of a
    fragment (it lasts about 0.75 of one, or one step is far shorter than the other). A sensor off the body's
    midline (a phone on one thigh, in one hand) times the two legs' contacts differently, so its steps alternate in
    length (consecutive detected steps differ by a median 1.33-1.47x in a trouser pocket): unequal steps count only
    beyond MAX_STEP_RATIO.

    Parameters
    ----------
    step_s, stride_s, recent_stride_s
        As for :func:`pendulum_doubts` (NaN recent strides: no pace check).
    step_range_ms2
        Per step, the range of its vertical acceleration that the step model measured (NaN where unknown: that
        step is not checked).

    Returns
    -------
    tuple of str
        The failed checks, in this order: ``"unequal_steps"``, ``"hesitant"`` (longer than HESITANT_RATIO times the
        recent strides), ``"hurried"`` (shorter than the recent strides over HESITANT_RATIO), ``"vigorous"`` (a step
        swings by more than MAX_WALKING_STEP_RANGE_MS2: no walking step).

    Examples
    --------
    >>> step_model_doubts(step_s=[0.42, 0.62], stride_s=1.04, recent_stride_s=1.06)  # a pocket phone's steps
    ()
    >>> step_model_doubts(step_s=[0.55, 1.02], stride_s=1.57, recent_stride_s=1.06)  # a contact missed
    ('hesitant',)
    >>> step_model_doubts(step_s=[0.38, 0.39], stride_s=0.77, recent_stride_s=0.8, step_range_ms2=[12.0, 45.0])
    ('vigorous',)
    """
    doubts: list[str] = []
    if _ratio(step_s) > MAX_STEP_RATIO:
        doubts.append("unequal_steps")
    if stride_s > HESITANT_RATIO * recent_stride_s:
        doubts.append("hesitant")
    if stride_s * HESITANT_RATIO < recent_stride_s:
        doubts.append("hurried")
    if any(r > MAX_WALKING_STEP_RANGE_MS2 for r in step_range_ms2):  # False for NaN
        doubts.append("vigorous")
    return tuple(doubts)


def _ratio(values: Sequence[float]) -> float:
    """Largest over smallest of positive values (inf when the smallest is 0; 1 for fewer than two)."""
    if len(values) < 2:
        return 1.0
    low, high = min(values), max(values)
    return high / low if low > 0.0 else math.inf


__all__ = [
    "DOUBT_FACTOR",
    "HESITANT_RATIO",
    "MAX_STEP_RATIO",
    "MAX_WALKING_STEP_RANGE_MS2",
    "MIN_COHERENCE",
    "MIN_PHASE_SHARE",
    "PACE_MEMORY",
    "TRUNK_ROTATION_RMS_DPS",
    "TURN_DEG",
    "bounce_agreement",
    "heading_change_deg",
    "pendulum_doubts",
    "step_model_doubts",
    "step_rotation",
    "update_pace",
]
