"""Not walking: how much "walking" the analyser finds in vibration that is no walk (target: none).

Usage::

    .venv/bin/python -m bench.not_walking [-p PLACEMENT ...] [--duration-s S] [-v]

Each case is synthesised here (seeded, so the figures repeat): 300 s at 100 Hz of what a sensor records while
its wearer does not walk, gravity on the sensor's y axis (upright), acceleration only. Every case is analysed with
``gait.analysis.analyze`` as each placement, and the script prints the seconds of walking (the sum of the bouts'
spans) and the steps found. A real walk at the lower back has an |a| standard deviation of about 2.9 m/s^2 (the
mobgap and IPOL walks); every case here is below it.
As ``foot`` (last column) each case gets a shoe sensor's gyroscope as a foot resting on the vibrating floor would
record it (``FOOT_GYR_RMS_DPS``); the walking cases are not scored there (a vertical sinusoid is no shoe's walk).

Cases (vertical RMS in m/s^2 in the name where it is a level):

- ``noise_*``: band-limited Gaussian noise, 0.5-15 Hz (broadband vibration), vertical at the level, each horizontal
  axis at 0.3 of it; ``noise_step_band_*`` the same in 0.5-3 Hz only (the band of walking's steps itself);
- ``car_*``: a car on a road: the body's suspension bounce (white noise through a damped 1.2-1.8 Hz resonance,
  damping ratio 0.25: a comfortable car's ride) and road / engine vibration 0.5-15 Hz at half its RMS vertically,
  plus slow horizontal accelerations (braking, cornering, 0.05-0.5 Hz) and the same broadband horizontally;
- ``bus_idle``: an idling bus: the engine's 25 Hz vibration (wandering +-1 Hz), 0.5 m/s^2, and some broadband;
- ``train_table``: a phone lying on a table of a moving train: lateral sway 0.5-1.5 Hz and, vertically, the
  decaying 8 Hz ring of a wheel set crossing a rail joint, in pairs (the two axles of a bogie, 2.5 m apart at
  25 m/s) about every second (25 m rails), with jitter, plus broadband;
- ``sinus_*``: for contrast, a pure vertical sinusoid at a walking cadence (2 Hz): a periodic bounce is what the
  tracker's own example walks on, so it is expected to be "walking" -- no rule should need to reject it;
- ``walk_then_car``: the sinusoid's walk for the first 100 s (to the car), then ``car_0.5``.

With GPS: the rides are analysed again with a synthesised GPS track (a fix a second, 4 m accuracy, 2.5 m of
slowly wandering position error): the cars at town speeds (11 +- 3 m/s, slowly varying), the train at 25 m/s,
the idling bus standing still, the sinusoid's walk at 1.4 m/s, and ``walk_then_car`` walking at 1.4 m/s, then
driving. The noise cases are vibration of no particular vehicle: no track. The table's second line of such a case
is the walking found with the track (``gait.analysis.leave_out_riding``); the walks must keep every step.

JSON: ``bench/out/not_walking.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from scipy import signal

from gait.analysis import analyze
from gait.consts import GRAVITY_MS2
from gait.errors import GaitError
from gait.gps import EARTH_RADIUS_M
from gait.types import GpsTrack, Placement, Recording

OUT_DIR = Path(__file__).resolve().parent / "out"
RATE_HZ = 100.0
PLACEMENTS = [p.value for p in Placement if p is not Placement.FOOT] + [Placement.FOOT.value]
FOOT_GYR_RMS_DPS = 10.0
"""A shoe sensor's gyroscope on a foot resting on the vibrating floor: band-limited rotation (0.5-15 Hz) per axis,
in deg/s RMS; a walking shoe turns at 300-700 deg/s in its swing (docs/CLI.md's placement check). Every shoe
sensor has a gyroscope (stride length needs it), so the foot column is analysed with one."""


def band_noise(rng: np.random.Generator, n: int, low_hz: float, high_hz: float, rms: float) -> np.ndarray:
    """Gaussian noise band-passed to ``low_hz``-``high_hz`` and scaled to ``rms`` (0 gives zeros)."""
    sos = signal.butter(4, [low_hz, high_hz], "bandpass", fs=RATE_HZ, output="sos")
    x = signal.sosfiltfilt(sos, rng.standard_normal(n))
    return x * (rms / x.std()) if rms > 0 else np.zeros(n)


def resonance(rng: np.random.Generator, n: int, f0_hz: float, damping: float, rms: float) -> np.ndarray:
    """White noise through a damped second-order resonance at ``f0_hz`` (a sprung mass on a rough road)."""
    w0 = 2 * np.pi * f0_hz
    b, a = signal.bilinear([w0 * w0], [1.0, 2 * damping * w0, w0 * w0], fs=RATE_HZ)
    x = signal.lfilter(b, a, rng.standard_normal(n))
    x = x - x.mean()
    return x * (rms / x.std())


Maker = Callable[[np.random.Generator, int], np.ndarray]
"""Maker of a case's dynamic acceleration (n, 3) in m/s^2 from a seeded generator and a sample count."""


def noise_case(level: float, low_hz: float = 0.5, high_hz: float = 15.0) -> Maker:
    def make(rng: np.random.Generator, n: int) -> np.ndarray:
        return np.column_stack([band_noise(rng, n, low_hz, high_hz, r) for r in (0.3 * level, level, 0.3 * level)])

    return make


def car_case(level: float) -> Maker:
    def make(rng: np.random.Generator, n: int) -> np.ndarray:
        f0 = rng.uniform(1.2, 1.8)
        vertical = resonance(rng, n, f0, 0.25, level) + band_noise(rng, n, 0.5, 15.0, 0.5 * level)
        horizontal = [
            band_noise(rng, n, 0.05, 0.5, 0.5 * level) + band_noise(rng, n, 0.5, 15.0, 0.3 * level) for _ in "xz"
        ]
        return np.column_stack([horizontal[0], vertical, horizontal[1]])

    return make


def bus_idle(rng: np.random.Generator, n: int) -> np.ndarray:
    freq = 25.0 + band_noise(rng, n, 0.02, 0.2, 0.5)  # the idle speed wanders
    engine = 0.5 * np.sqrt(2) * np.sin(2 * np.pi * np.cumsum(freq) / RATE_HZ)
    vertical = engine + band_noise(rng, n, 0.5, 15.0, 0.05)
    # the floor shakes sideways too, in phase (one engine)
    return np.column_stack(
        [0.4 * engine + band_noise(rng, n, 0.5, 15.0, 0.03), vertical, band_noise(rng, n, 0.5, 15.0, 0.03)]
    )


def train_table(rng: np.random.Generator, n: int) -> np.ndarray:
    t = np.arange(n) / RATE_HZ
    vertical = band_noise(rng, n, 0.5, 15.0, 0.05)
    ring_t = np.arange(0, 0.5, 1 / RATE_HZ)
    ring = np.exp(-ring_t / 0.08) * np.sin(2 * np.pi * 8.0 * ring_t)
    at_s = 1.0 + rng.uniform(0, 0.2)
    while at_s < t[-1] - 1.0:
        for axle_s in (0.0, 0.1):  # a bogie's two axles, 2.5 m apart at 25 m/s
            k = int((at_s + axle_s) * RATE_HZ)
            vertical[k : k + len(ring)] += rng.uniform(0.4, 0.8) * ring[: n - k]
        at_s += 1.0 + rng.normal(0.0, 0.03)  # 25 m rails at 25 m/s
    lateral = band_noise(rng, n, 0.5, 1.5, 0.2) + band_noise(rng, n, 0.5, 15.0, 0.05)
    return np.column_stack([lateral, vertical, band_noise(rng, n, 0.05, 0.5, 0.1)])


def sinus(amplitude: float) -> Maker:
    def make(rng: np.random.Generator, n: int) -> np.ndarray:
        t = np.arange(n) / RATE_HZ
        return np.column_stack([np.zeros(n), amplitude * np.sin(2 * np.pi * 2.0 * t), np.zeros(n)])

    return make


def walk_then_car(rng: np.random.Generator, n: int) -> np.ndarray:
    walk_n = min(n, int(WALK_TO_CAR_S * RATE_HZ))
    car = car_case(0.5)(rng, n)
    return np.concatenate([sinus(1.0)(rng, n)[:walk_n], car[walk_n:]])


WALK_TO_CAR_S = 100.0
"""How long ``walk_then_car`` walks before it drives."""


def town_drive_mps(t: np.ndarray) -> np.ndarray:
    """A car in town traffic: 11 +- 3 m/s (29-50 km/h), slowly varying."""
    return 11.0 + 3.0 * np.sin(2 * np.pi * t / 90.0)


CASES: dict[str, Maker] = {
    **{f"noise_{lv}": noise_case(lv) for lv in (0.1, 0.2, 0.3, 0.5, 1.0)},
    **{f"noise_step_band_{lv}": noise_case(lv, 0.5, 3.0) for lv in (0.2, 0.5, 1.0)},
    **{f"car_{lv}": car_case(lv) for lv in (0.3, 0.5, 1.0)},
    "bus_idle": bus_idle,
    "train_table": train_table,
    "sinus_1.0 (walking-like)": sinus(1.0),
    "walk_then_car": walk_then_car,
}
"""Case name -> maker of the dynamic acceleration (n, 3) in m/s^2 (gravity is added on y)."""

SPEEDS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    **{f"car_{lv}": town_drive_mps for lv in (0.3, 0.5, 1.0)},
    "bus_idle": np.zeros_like,
    "train_table": lambda t: np.full_like(t, 25.0),
    "sinus_1.0 (walking-like)": lambda t: np.full_like(t, 1.4),
    "walk_then_car": lambda t: np.where(t < WALK_TO_CAR_S, 1.4, town_drive_mps(t)),
}
"""Case name -> its speed in m/s over time, for the cases given a GPS track."""
WALKS = ("sinus_1.0 (walking-like)", "walk_then_car")
"""Cases that walk (all or part of the time): not scored as non-walking."""


def gps_track(name: str, duration_s: float, seed: int = 0) -> GpsTrack:
    """A GPS track for case ``name`` moving east at its speed, a fix a second, with a few metres of error."""
    rng = np.random.default_rng([seed, list(CASES).index(name), 1])  # apart from the samples' generator
    t = np.arange(0.0, duration_s + 0.5, 1.0)
    speed = SPEEDS[name](t)
    east_m = np.concatenate([[0.0], np.cumsum(speed[:-1] * np.diff(t))])  # each speed held to the next fix
    # a receiver's error wanders slowly (it filters its fixes): low-passed noise of 2.5 m per axis
    sos = signal.butter(2, 0.05, fs=1.0, output="sos")
    error = [signal.sosfiltfilt(sos, rng.standard_normal(len(t))) for _ in "xy"]
    east_m += 2.5 * error[0] / error[0].std()
    north_m = 2.5 * error[1] / error[1].std()
    lat0_deg = 60.2
    lat = lat0_deg + np.degrees(north_m / EARTH_RADIUS_M)
    lon = 24.9 + np.degrees(east_m / (EARTH_RADIUS_M * np.cos(np.radians(lat0_deg))))
    return GpsTrack(time_s=t, lat_deg=lat, lon_deg=lon, accuracy_m=np.full(len(t), 4.0))


def synthesise(name: str, duration_s: float = 300.0, seed: int = 0, *, gps: bool = False) -> Recording:
    """The case ``name`` as a recording (seeded by the case's position and ``seed``), with its GPS track when
    ``gps`` and the case has one."""
    n = int(duration_s * RATE_HZ)
    rng = np.random.default_rng([seed, list(CASES).index(name)])
    acc = CASES[name](rng, n) + rng.normal(0.0, 0.01, (n, 3))  # sensor noise
    acc[:, 1] += GRAVITY_MS2
    track = gps_track(name, duration_s, seed) if gps and name in SPEEDS else None
    return Recording(time_s=np.arange(n) / RATE_HZ, acc_ms2=acc, source={"file": name}, gps=track)


def with_resting_foot_gyroscope(rec: Recording, name: str) -> Recording:
    """``rec`` with the gyroscope of a shoe sensor on a foot resting on the vibrating floor (seeded by the case)."""
    rng = np.random.default_rng([7, list(CASES).index(name)])
    gyr = np.column_stack([band_noise(rng, rec.n_samples, 0.5, 15.0, FOOT_GYR_RMS_DPS) for _ in range(3)])
    return Recording(time_s=rec.time_s, acc_ms2=rec.acc_ms2, gyr_dps=gyr, source=rec.source, gps=rec.gps)


def _cell(rows: list[dict], rec: Recording, name: str, placement: str, a_std: float, *, verbose: bool) -> str:
    """Analyse ``rec`` as ``placement``, add its row to ``rows`` and return the table's cell."""
    if placement == Placement.FOOT.value:
        if name in WALKS:  # a vertical sinusoid is no shoe's walk
            return f"{'-':>14s}"
        rec = with_resting_foot_gyroscope(rec, name)
    try:
        result = analyze(rec, placement=placement)
    except GaitError as exc:
        rows.append({"case": name, "placement": placement, "gps": rec.gps is not None, "error": str(exc)})
        return f"{'refused':>14s}"
    walking_s = sum(b.end_s - b.start_s for b in result.bouts)
    rows.append(
        {
            "case": name,
            "placement": placement,
            "gps": rec.gps is not None,
            "acc_norm_std_ms2": a_std,
            "walking_s": walking_s,
            "steps": len(result.steps),
            "bouts": len(result.bouts),
        }
    )
    if verbose:
        for b in result.bouts:
            print(f"    {placement}: bout {b.start_s:7.2f}-{b.end_s:7.2f} s, {b.steps} steps")
    return f"{walking_s:7.1f}/{len(result.steps):<6d}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.not_walking", description=__doc__.split("\n")[0])
    parser.add_argument("-p", "--placement", action="append", choices=PLACEMENTS, help="placements (default: all)")
    parser.add_argument("--duration-s", type=float, default=300.0)
    parser.add_argument("-v", "--verbose", action="store_true", help="the bouts of every case")
    args = parser.parse_args(argv)
    placements = args.placement or PLACEMENTS
    t0 = time.perf_counter()
    rows = []
    print(f"seconds of walking found / steps, per case and placement ({args.duration_s:.0f} s each; target 0)")
    print(f"{'case':26s} {'|a| std':>7s} " + " ".join(f"{p:>14s}" for p in placements))
    for name in CASES:
        for gps in (False, True) if name in SPEEDS else (False,):
            rec = synthesise(name, args.duration_s, gps=gps)
            a_std = float(np.linalg.norm(rec.acc_ms2, axis=1).std())
            cells = []
            for placement in placements:
                cells.append(_cell(rows, rec, name, placement, a_std, verbose=args.verbose))
            label = f"  + GPS {float(np.median(SPEEDS[name](rec.gps.time_s))):.1f} m/s" if gps else name
            print(f"{label:26s} {'' if gps else f'{a_std:7.2f}':>7s} " + " ".join(cells))
    for gps in (False, True):
        scored = [
            r for r in rows if "walking_s" in r and r["case"] not in WALKS and r["gps"] == gps and r["case"] in SPEEDS
        ]
        total_s = sum(r["walking_s"] for r in scored)
        clean = sum(r["walking_s"] == 0 for r in scored)
        print(
            f"rides x placements {'with' if gps else 'without'} GPS with no walking: {clean}/{len(scored)}; "
            f"walking in all: {total_s:.1f} s"
        )
    scored = [r for r in rows if "walking_s" in r and r["case"] not in WALKS and not r["gps"]]
    total_s = sum(r["walking_s"] for r in scored)
    clean = sum(r["walking_s"] == 0 for r in scored)
    print(f"\nnon-walking cases x placements with no walking: {clean}/{len(scored)}; walking in all: {total_s:.1f} s")
    print(f"total wall time {time.perf_counter() - t0:.1f} s")
    OUT_DIR.mkdir(exist_ok=True)
    (OUT_DIR / "not_walking.json").write_text(json.dumps(rows, indent=1))
    print(f"wrote {OUT_DIR / 'not_walking.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
