"""Stride-length kernels with exact answers: pendulum, Weinberg, ZUPT integration, calibration."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from gait.analysis import model_notes
from gait.consts import GRAVITY_MS2
from gait.errors import GaitError
from gait.stride_length import (
    bounce_excursion_m,
    calibration_walk_warning,
    fit_stride_scale,
    pendulum_step_length_m,
    scale_from_known_distance,
    step_bounce_ms2,
    step_excursion_m,
    update_bounce_phase,
)
from gait.tracker import GaitTracker
from gait.zupt import cumulative_orientation, quat_from_rotvec, stride_between_stances_m, zupt_stride_length_m


def _step(
    excursion_m: float,
    step_s: float,
    *,
    rotation: Rotation | None = None,
    forward_ms2: float = 0.0,
    harmonics_ms2: tuple[float, ...] = (),
    dt: float = 0.01,
) -> np.ndarray:
    """One step, contact to contact (both ends included), of a trunk bouncing ``excursion_m`` from low to high.

    In the world frame: gravity plus the bounce's vertical acceleration, ``harmonics_ms2`` at 2, 3 ... cycles per
    step on the vertical (impacts), and a forward acceleration of ``forward_ms2`` at one cycle per step (the trunk
    brakes and speeds up once per step). The sensor is turned by ``rotation`` (world to sensor).
    """
    t = np.arange(round(step_s / dt) + 1) * dt
    w = 2 * np.pi / step_s
    world = np.zeros((len(t), 3))
    world[:, 2] = GRAVITY_MS2 - (excursion_m / 2) * w**2 * np.sin(w * t)  # position (d/2) sin(wt)
    for k, amp in enumerate(harmonics_ms2, start=2):
        world[:, 2] += amp * np.cos(k * w * t + 0.3 * k)
    world[:, 0] = forward_ms2 * np.cos(w * t + 0.7)
    return world if rotation is None else rotation.inv().apply(world)


@pytest.mark.parametrize("excursion_m", [0.005, 0.03, 0.06])
@pytest.mark.parametrize("step_s", [0.45, 0.6, 1.1])
def test_step_excursion_of_a_sinusoidal_bounce_is_exact(excursion_m: float, step_s: float) -> None:
    assert step_excursion_m(_step(excursion_m, step_s), 0.01) == pytest.approx(excursion_m, rel=1e-9)


@pytest.mark.parametrize("rotvec_deg", [(0, 0, 0), (35, 0, 0), (20, -50, 70), (90, 0, 0)])
def test_step_excursion_finds_the_steps_own_vertical(rotvec_deg: tuple[float, float, float]) -> None:
    # A strong forward acceleration at the step's own frequency (2 m/s^2, as large as the bounce's) projects into
    # a vertical taken a few degrees off; the step's mean specific force is gravity, so none of it leaks, in any
    # sensor orientation.
    rot = Rotation.from_rotvec(np.deg2rad(rotvec_deg))
    acc = _step(0.03, 0.55, rotation=rot, forward_ms2=2.0)
    assert step_excursion_m(acc, 0.01) == pytest.approx(0.03, rel=1e-9)


def test_step_excursion_ignores_impact_harmonics_and_offsets() -> None:
    # Heel-strike harmonics (2-4 cycles per step) and an accelerometer offset on every axis are no pendulum
    # excursion (a peak-to-peak of the double integral would count the harmonics in).
    plain = _step(0.03, 0.55)
    shocked = _step(0.03, 0.55, harmonics_ms2=(3.0, 2.0, 1.5)) + np.array([0.1, -0.2, 0.15])
    assert step_excursion_m(shocked, 0.01) == pytest.approx(step_excursion_m(plain, 0.01), rel=1e-3)


def test_step_excursion_without_a_step() -> None:
    assert np.isnan(step_excursion_m(_step(0.03, 0.03), 0.01))  # 4 samples: no period to measure
    assert np.isnan(step_excursion_m(np.zeros((50, 3)), 0.01))  # no gravity: no vertical
    assert np.isnan(step_excursion_m(_step(0.03, 0.005), 0.01))  # a single sample: no step at all


def _bounces(step_s: float, parts: list[tuple[float, float]], dt: float = 0.01) -> np.ndarray:
    """One step, contact to contact: gravity plus vertical motions at one cycle per step, each ``(excursion_m,
    phase_rad)``: a rise and fall of that excursion whose upward acceleration peaks ``phase_rad`` after the
    contact (phase 0: the trunk lowest at the contact)."""
    t = np.arange(round(step_s / dt) + 1) * dt
    w = 2 * np.pi / step_s
    acc = np.zeros((len(t), 3))
    acc[:, 2] = GRAVITY_MS2
    for excursion_m, phase_rad in parts:
        acc[:, 2] += (excursion_m / 2) * w**2 * np.cos(w * t - phase_rad)
    return acc


def test_bounce_excursion_in_the_walkers_phase_is_exact_and_rejects_the_rest() -> None:
    step_s, phase = 0.55, np.deg2rad(-20)
    z = step_bounce_ms2(_bounces(step_s, [(0.03, phase)]))
    assert bounce_excursion_m(z, step_s) == pytest.approx(0.03, rel=1e-9)  # no phase known: the amplitude
    p, w = update_bounce_phase(0j, 0.0, z)
    p, w = update_bounce_phase(p, w, z)
    assert bounce_excursion_m(z, step_s, p, w) == pytest.approx(0.03, rel=1e-9)  # in phase: all of it
    quadrature = step_bounce_ms2(_bounces(step_s, [(0.03, phase + np.pi / 2)]))
    antiphase = step_bounce_ms2(_bounces(step_s, [(0.03, phase + np.pi)]))
    assert bounce_excursion_m(quadrature, step_s, p, w) == pytest.approx(0.0, abs=1e-12)
    assert bounce_excursion_m(antiphase, step_s, p, w) == 0.0  # a trunk highest at the contact: no vault
    nan = step_bounce_ms2(np.zeros((50, 3)))
    assert np.isnan(bounce_excursion_m(nan, step_s, p, w))
    assert update_bounce_phase(p, w, nan) == (p, w)  # a step without a measure teaches nothing


def test_short_steps_amid_random_phase_trunk_motion_are_debiased_and_steady_steps_kept() -> None:
    # A walk with a turn every few steps: steady steps (3 cm excursion) whose contacts are timed within +-20 ms
    # (a phase scatter of +-13 degrees), then three short steps, each a 2 mm pendulum excursion in the walker's
    # phase plus trunk motion at the step frequency of 6 mm in a random phase (sway, a turn's lean).
    rng = np.random.default_rng(0)
    step_s, phase = 0.55, np.deg2rad(-20)
    w_rad_s = 2 * np.pi / step_s
    p, w = 0j, 0.0
    steady: list[float] = []
    plain: list[float] = []
    coherent: list[float] = []
    for turn in range(8):
        for _ in range(6):
            jitter_rad = rng.uniform(-0.02, 0.02) * w_rad_s
            z = step_bounce_ms2(_bounces(step_s, [(0.03, phase + jitter_rad)]))
            if turn:  # once a phase was learned
                steady.append(bounce_excursion_m(z, step_s, p, w))
            p, w = update_bounce_phase(p, w, z)
        for _ in range(3):
            z = step_bounce_ms2(_bounces(step_s, [(0.002, phase), (0.006, rng.uniform(0, 2 * np.pi))]))
            plain.append(bounce_excursion_m(z, step_s))
            coherent.append(bounce_excursion_m(z, step_s, p, w))
            p, w = update_bounce_phase(p, w, z)
    # The steady bounce keeps its excursion on average: the coherence of the recent steps restores the cosine its
    # phase scatter costs.
    assert np.mean(steady) == pytest.approx(0.03, rel=0.01)
    # The amplitude reads the short steps as sqrt(2^2 + 6^2) mm and more; the in-phase part keeps the 2 mm bounce
    # and only the in-phase half of the other motion, of mean zero (clipping at 0 leaves a small excess).
    plain_bias_m = np.mean(plain) - 0.002
    coherent_bias_m = np.mean(coherent) - 0.002
    assert plain_bias_m > 0.003
    assert abs(coherent_bias_m) < plain_bias_m / 3


def test_pendulum_formula() -> None:
    h, d = 0.95, 0.05
    assert pendulum_step_length_m(d, h, scale=1.0) == pytest.approx(2 * np.sqrt(2 * h * d - d * d))
    # A vertical excursion larger than the sensor height is clipped instead of producing NaN.
    assert np.isfinite(pendulum_step_length_m(2.0, h))


def test_cumulative_orientation_matches_sequential_composition() -> None:
    rng = np.random.default_rng(1)
    rotvec = rng.normal(0, 0.05, (37, 3))
    q = cumulative_orientation(np.array([1.0, 0, 0, 0]), quat_from_rotvec(rotvec))
    expected = Rotation.identity()
    for i, rv in enumerate(rotvec):
        expected = expected * Rotation.from_rotvec(rv)
        got = Rotation.from_quat(q[i, [1, 2, 3, 0]])
        assert (got.inv() * expected).magnitude() < 1e-9


def _foot_stride(length_m: float, n: int = 121, dt: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    """Level foot motion from rest to rest covering ``length_m`` with a smooth velocity bump."""
    t = np.arange(n) * dt
    duration = t[-1]
    # velocity v = c (1 - cos(2 pi t / T)); integral over T = c T -> c = L / T
    acc_fwd = (length_m / duration) * (2 * np.pi / duration) * np.sin(2 * np.pi * t / duration)
    acc = np.zeros((n, 3))
    acc[:, 0] = acc_fwd
    acc[:, 2] = 9.81
    return acc, np.zeros((n, 3))


@pytest.mark.parametrize("length_m", [0.8, 1.3, 1.6])
def test_zupt_recovers_a_level_stride(length_m: float) -> None:
    acc, gyr = _foot_stride(length_m)
    assert zupt_stride_length_m(acc, gyr, 0.01) == pytest.approx(length_m, rel=0.01)


def test_zupt_does_not_depend_on_how_the_sensor_is_mounted() -> None:
    acc, gyr = _foot_stride(1.3)
    mount = Rotation.from_euler("xyz", [25, -40, 70], degrees=True)
    tilted = mount.inv().apply(acc)  # the same specific force seen by a rotated sensor
    assert zupt_stride_length_m(tilted, gyr, 0.01) == pytest.approx(1.3, rel=0.01)


def test_zupt_between_stances_starts_at_the_end_of_the_first_stance() -> None:
    acc, _gyr = _foot_stride(1.2)
    rest = np.tile([0.0, 0.0, 9.81], (30, 1))
    gyro_norm = np.concatenate((np.full(30, 5.0), np.full(len(acc) - 2, 300.0), [5.0, 5.0]))
    length = stride_between_stances_m(np.vstack((rest, acc)), np.zeros((30 + len(acc), 3)), gyro_norm, 0.01)
    assert length == pytest.approx(1.2, rel=0.02)


def test_zupt_between_stances_ends_before_the_foot_lifts_again() -> None:
    # The samples may run up to SETTLE_S past the second stance onset; when the foot lifts again within that time
    # (a short turning stance), the integration must stop at the last flat sample, where the foot is still at rest.
    acc, _gyr = _foot_stride(1.2)
    rest = np.tile([0.0, 0.0, 9.81], (30, 1))
    lift = np.tile([3.0, 0.0, 9.81], (15, 1))  # the next swing starts: the foot accelerates forward
    gyro_norm = np.concatenate((np.full(30, 5.0), np.full(len(acc) - 2, 300.0), [5.0, 5.0], np.full(15, 300.0)))
    samples = np.vstack((rest, acc, lift))
    length = stride_between_stances_m(samples, np.zeros((len(samples), 3)), gyro_norm, 0.01)
    assert length == pytest.approx(1.2, rel=0.02)


def test_zupt_between_stances_starts_where_the_raw_rate_says_the_foot_is_at_rest() -> None:
    # The low-passed norm still reads "flat" while the foot has begun to roll: the integration must start at the
    # last sample whose raw rate is at rest, else the initial velocity is lost and the stride comes out short.
    acc, _gyr = _foot_stride(1.2)
    n_rest, n_early = 30, 12  # the first 12 samples of the motion still look flat to the low-passed norm
    samples = np.vstack((np.tile([0.0, 0.0, 9.81], (n_rest, 1)), acc, np.tile([0.0, 0.0, 9.81], (5, 1))))
    gyr = np.zeros((len(samples), 3))
    # a vibrating foot: 60 deg/s, far above the rest threshold, alternating in sign so that it never turns
    gyr[n_rest : n_rest + len(acc), 1] = 60.0 * (-1.0) ** np.arange(len(acc))
    gyro_norm = np.concatenate((np.full(n_rest + n_early, 5.0), np.full(len(acc) - n_early, 300.0), np.full(5, 5.0)))
    length = stride_between_stances_m(samples, gyr, gyro_norm, 0.01)
    assert length == pytest.approx(1.2, rel=0.02)


def test_calibration_factor_from_a_reference() -> None:
    model = np.tile([1.0, 1.1, 1.2, 1.3, 1.25, 1.15], 3)  # 18 strides, 21 m
    assert fit_stride_scale(model, model * 1.08) == pytest.approx(1.08, abs=1e-4)
    assert scale_from_known_distance(model.sum(), distance_m=model.sum() * 0.97) == pytest.approx(0.97, abs=1e-4)


def test_calibration_refuses_too_few_strides_and_implausible_factors() -> None:
    with pytest.raises(GaitError, match="at least 16 strides"):
        fit_stride_scale([1.0, 1.1] * 7, [1.0, 1.1] * 7)
    with pytest.raises(GaitError, match="implausible"):
        scale_from_known_distance(10.0, distance_m=50.0)
    with pytest.raises(GaitError, match="nothing to calibrate"):
        scale_from_known_distance(0.0, distance_m=50.0)


@pytest.mark.parametrize("distance_m", [19.9, 10.0, 5.0])
def test_a_walk_under_20_m_is_refused_saying_how_long_to_walk(distance_m: float) -> None:
    # a plausible factor (the model's distance close to the one walked): refused for the walk's length alone
    with pytest.raises(GaitError, match="too short to calibrate") as refused:
        scale_from_known_distance(distance_m * 0.95, distance_m=distance_m)
    assert refused.value.reason == "calibration_walk_too_short"
    assert f"a {distance_m:g} m walk" in str(refused.value) and "walk at least 100 m" in str(refused.value)


def test_a_mistyped_distance_is_told_implausible_rather_than_short() -> None:
    # "4" typed for a 40 m walk: checking the distance helps, walking further does not
    with pytest.raises(GaitError, match="implausible"):
        scale_from_known_distance(40.0, distance_m=4.0)


def test_an_implausible_factor_from_a_short_walk_says_both() -> None:
    # a 15 m walk whose model said 6.6 m: the distance may be right, and then the walk is too short as well
    with pytest.raises(GaitError) as refused:
        scale_from_known_distance(6.6, distance_m=15.0)
    words = str(refused.value)
    assert refused.value.reason == "implausible_calibration"
    assert words.index("implausible") < words.index("a 15 m walk is too short to calibrate anyway")
    assert "walk at least 100 m" in words
    # a long enough walk with an implausible factor is not told to walk further
    with pytest.raises(GaitError) as long_walk:
        scale_from_known_distance(30.0, distance_m=100.0)
    assert "too short" not in str(long_walk.value)


@pytest.mark.parametrize(
    ("distance_m", "rough"), [(20.0, True), (40.0, True), (99.0, True), (100.0, False), (400.0, False)]
)
def test_a_walk_shorter_than_100_m_gives_a_rough_factor_and_says_what_to_do(distance_m: float, rough: bool) -> None:
    assert scale_from_known_distance(distance_m / 1.05, distance_m=distance_m) == pytest.approx(1.05, abs=1e-4)
    warning = calibration_walk_warning(distance_m)
    if rough:
        assert warning is not None and f"a {distance_m:g} m walk gives a rough factor" in warning
        assert "at least 100 m at your usual pace" in warning and "400 m track lap" in warning
    else:
        assert warning is None


@pytest.mark.parametrize("placement", ["pocket", "hand"])
def test_a_phone_walk_says_the_body_height_given_is_not_used(placement: str) -> None:
    # lower-back lengths follow the height; a phone's Weinberg factor does not, and a walker who gave a height must
    # not read the lengths as personalised by it
    with_height = model_notes(GaitTracker(placement=placement, body_height_m=1.62))[0]
    assert "your body height (1.62 m) is not used by this model" in with_height, with_height
    assert "body height" not in model_notes(GaitTracker(placement=placement))[0]
    calibrated = model_notes(GaitTracker(placement=placement, body_height_m=1.9, stride_scale=1.1))[0]
    assert calibrated.endswith("personal factor 1.100; your body height (1.90 m) is not used by this model"), calibrated
    back = model_notes(GaitTracker(placement="lower_back", body_height_m=1.62))[0]
    assert "from the body height 1.62 m" in back and "not used" not in back
