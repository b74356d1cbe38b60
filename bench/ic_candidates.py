"""Recall bound of lower-back initial-contact candidate sources: which trunk signals show a feature at each contact.

Usage::

    .venv/bin/python -m bench.ic_candidates [--misses NAME]

The tracker can only emit a contact where its peak detector offers a candidate; its bout rules then choose among
them. This measures the candidates alone, on every lower-back recording with a reference (the mobgap lab trials,
their daily-living Test11 apart, and the IPOL lower back): for each source, every feature it finds in the whole
recording is a candidate contact, scored as ``bench.accuracy`` scores detections (one-to-one within +-0.25 s,
inside the walking spans). ``missed`` bounds what any rule selecting from that source can reach; ``extra`` is what
such a rule must reject. ``+ current`` adds the source's candidates farther than ``MERGE_S`` from every current
candidate to the current ones: how many misses a second source could remove, and at what cost.

Sources (all causal filters, as the tracker's; each shifted by its median offset to the nearest reference IC, so
that a constant delay between the feature and heel strike does not count against it):

- ``current``: the tracker's peak test (``GaitTracker._detect``) on the whole signal without any bout rule: peaks
  of the 0.5-3 Hz vertical acceleration that dominate ``W_BACK_S`` before and ``W_FWD_S`` after and exceed
  ``EXPECTED_REL_PEAK`` (``strong``: ``REL_PEAK``) of the RMS envelope, refined to the 5 Hz impact peak;
- ``band w_back 0.15 s``: the same with half the look-back (a smaller-scale peak);
- ``5 Hz peaks``: loaded local maxima of the 5 Hz vertical acceleration (above gravity: something stops the fall);
- ``0.5-6 Hz peaks``: peaks of a wider vertical band (keeps bumps 0.2-0.3 s apart apart);
- ``vertical jerk``: peaks of the derivative of the 5 Hz vertical acceleration (impact onset);
- ``vertical velocity``: upward zero crossings of the integrated band (the trunk stops falling);
- ``AP +`` / ``AP -``: peaks of the 0.5-6 Hz antero-posterior acceleration (Zijlstra & Hof: heel strike at the
  forward peak before the braking), either sign;
- ``ML extrema``: extrema of the 0.3-3 Hz mediolateral acceleration (the sway reverses at each step);
- ``yaw`` / ``pitch`` / ``roll`` extrema: extrema of the 0.3-3 Hz trunk rotation rates (with a gyroscope).

Horizontal directions: in both lower-back datasets the sensor's y axis is mediolateral; ML is that axis projected
on the horizontal plane (the plane orthogonal to the tracker's gravity estimate), AP the cross product of ML and
up. ``--misses NAME`` lists, for each reference IC of the recordings whose name contains NAME that the current
candidates miss, its intervals to the neighbouring reference ICs and each source's candidates within 0.4 s.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np
from scipy import signal

from bench.datasets import RefRecording, available, data_root, load_dataset
from bench.metrics import IC_TOLERANCE_S, Span, in_spans, match_ics
from gait.preprocess import GRAVITY_CUTOFF_HZ, bandpass_sos, lowpass_sos, sosfilt_stream, vertical_from_gravity
from gait.tracker import (
    DETAIL_LOWPASS_HZ,
    ENVELOPE_LOWPASS_HZ,
    EXPECTED_REL_PEAK,
    MIN_PEAK_MS2,
    REFINE_BACK_S,
    REL_PEAK,
    STEP_BAND_HZ,
    W_BACK_S,
    W_FWD_S,
    GaitTracker,
)

FS_HZ = 100.0
"""Grid rate (the tracker's working rate for a trunk sensor)."""
MERGE_S = 0.15
"""A second source's candidate this close to a current one is the same contact (not added by ``+ current``)."""
LAG_SEARCH_S = 0.3
"""A source's offset is the median over the reference ICs with one of its candidates this close."""
MIN_DISTANCE_S = 0.15
"""Least spacing of the peaks of one source (scipy ``find_peaks`` ``distance``)."""
SIDE_DELAY_S = 0.15
"""Delay after a contact at which the mediolateral sway's sign is read (the sway reverses in the loading response)."""
SHUFFLE_S = 0.4
"""Consecutive reference ICs closer than this are a shuffle (short steps in turns, at the start and end of walks)."""
GROUPS = ("mobgap Test11", "mobgap other", "IPOL lower back")


def _filt(sos: np.ndarray, x: np.ndarray) -> np.ndarray:
    return sosfilt_stream(sos, x, None)[0]


def trunk_signals(ref: RefRecording, fs_hz: float = FS_HZ) -> dict[str, np.ndarray]:
    """The recording on a regular grid, with the tracker's vertical signals and the horizontal and rotation ones.

    Returns
    -------
    dict
        ``t`` (s), ``vertical``, ``band``, ``detail``, ``power`` (as in the tracker), ``ml``, ``ap`` (m/s^2), and
        with a gyroscope ``yaw``, ``pitch``, ``roll`` (deg/s).
    """
    rec = ref.recording
    t = np.arange(rec.time_s[0], rec.time_s[-1], 1.0 / fs_hz)
    acc = np.column_stack([np.interp(t, rec.time_s, rec.acc_ms2[:, k]) for k in range(3)])
    gravity = _filt(lowpass_sos(GRAVITY_CUTOFF_HZ, fs_hz), acc)
    up = gravity / np.linalg.norm(gravity, axis=1, keepdims=True)
    vertical = vertical_from_gravity(acc, gravity)
    band = _filt(bandpass_sos(*STEP_BAND_HZ, fs_hz), vertical)
    ml = np.array([0.0, 1.0, 0.0]) - up[:, 1:2] * up  # the sensor's y axis, made horizontal
    ml /= np.linalg.norm(ml, axis=1, keepdims=True)
    ap = np.cross(ml, up)
    out = {
        "t": t,
        "vertical": vertical,
        "band": band,
        "detail": _filt(lowpass_sos(DETAIL_LOWPASS_HZ, fs_hz), vertical),
        "power": _filt(lowpass_sos(ENVELOPE_LOWPASS_HZ, fs_hz), band * band),
        "ml": np.einsum("ij,ij->i", acc, ml),
        "ap": np.einsum("ij,ij->i", acc, ap),
    }
    if rec.gyr_dps is not None:
        gyr = np.column_stack([np.interp(t, rec.time_s, rec.gyr_dps[:, k]) for k in range(3)])
        out |= {
            "yaw": np.einsum("ij,ij->i", gyr, up),
            "pitch": np.einsum("ij,ij->i", gyr, ml),
            "roll": np.einsum("ij,ij->i", gyr, ap),
        }
    return out


def detector_peaks(
    band: np.ndarray,
    detail: np.ndarray,
    power: np.ndarray,
    fs_hz: float = FS_HZ,
    *,
    rel_low: float = EXPECTED_REL_PEAK,
    w_back_s: float = W_BACK_S,
) -> tuple[np.ndarray, np.ndarray]:
    """The tracker's peak test on whole signals, without bout rules: refined impact positions and strong flags.

    A peak of ``band`` must exceed every sample in ``w_back_s`` before it, match or exceed every sample in
    ``W_FWD_S`` after it and exceed ``MIN_PEAK_MS2`` and ``rel_low`` of the RMS envelope (the root of ``power``);
    it is refined to the largest ``detail`` sample in ``REFINE_BACK_S`` before it. Strong: above ``REL_PEAK`` of
    the envelope.

    Examples
    --------
    >>> t = np.arange(0, 10, 0.01)
    >>> band = np.sin(2 * np.pi * t)
    >>> pos, strong = detector_peaks(band, band, np.full(len(t), 0.5))
    >>> (t[pos] * 100).round().astype(int).tolist(), bool(strong.all())
    ([25, 125, 225, 325, 425, 525, 625, 725, 825, 925], True)
    """
    w_back, w_fwd, refine = round(w_back_s * fs_hz), round(W_FWD_S * fs_hz), round(REFINE_BACK_S * fs_hz)
    envelope = np.sqrt(np.maximum(power, 0.0))
    local = np.flatnonzero((band[1:-1] > band[:-2]) & (band[1:-1] >= band[2:])) + 1
    pos, strong = [], []
    for p in local:
        if not band[p] > max(MIN_PEAK_MS2, rel_low * envelope[p]):
            continue
        if not band[p] > band[max(0, p - w_back) : p].max(initial=-np.inf):
            continue
        if not band[p] >= band[p + 1 : p + w_fwd + 1].max(initial=-np.inf):
            continue
        a = max(0, p - refine)
        pos.append(a + int(np.argmax(detail[a : p + 1])))
        strong.append(bool(band[p] > max(MIN_PEAK_MS2, REL_PEAK * envelope[p])))
    return np.array(pos, dtype=int), np.array(strong, dtype=bool)


def _peaks(x: np.ndarray, prominence: float, fs_hz: float) -> np.ndarray:
    return signal.find_peaks(x, prominence=prominence, distance=max(1, round(MIN_DISTANCE_S * fs_hz)))[0]


def _extrema(x: np.ndarray, prominence: float, fs_hz: float) -> np.ndarray:
    return np.sort(np.concatenate((_peaks(x, prominence, fs_hz), _peaks(-x, prominence, fs_hz))))


def candidate_sources(sig: dict[str, np.ndarray], fs_hz: float = FS_HZ) -> dict[str, np.ndarray]:
    """Candidate contact times (s, before the lag shift) of every source (see the module docstring)."""
    t = sig["t"]
    delay_s = GaitTracker(placement="lower_back")._contact_delay_s
    band, detail = sig["band"], sig["detail"]
    pos, strong = detector_peaks(band, detail, sig["power"], fs_hz)
    small, _ = detector_peaks(band, detail, sig["power"], fs_hz, w_back_s=W_BACK_S / 2)
    loaded = _peaks(detail, 0.6, fs_hz)
    wide = _filt(bandpass_sos(0.5, 6.0, fs_hz), sig["vertical"])
    velocity = np.cumsum(band) / fs_hz
    velocity -= _filt(lowpass_sos(ENVELOPE_LOWPASS_HZ, fs_hz), velocity)  # the integral's drift
    ap = _filt(bandpass_sos(0.5, 6.0, fs_hz), sig["ap"])
    sway = _filt(bandpass_sos(0.3, 3.0, fs_hz), sig["ml"])
    out = {
        "current": t[pos] - delay_s,
        "current, strong": t[pos[strong]] - delay_s,
        "band w_back 0.15 s": t[small] - delay_s,
        "5 Hz peaks, loaded": t[loaded[detail[loaded] > 0.0]] - delay_s,
        "0.5-6 Hz peaks": t[_peaks(wide, 0.5, fs_hz)] - delay_s,
        "vertical jerk": t[_peaks(np.gradient(detail) * fs_hz, 20.0, fs_hz)],
        "vertical velocity": t[np.flatnonzero((velocity[:-1] < 0.0) & (velocity[1:] >= 0.0))],
        "AP +": t[_peaks(ap, 0.5, fs_hz)],
        "AP -": t[_peaks(-ap, 0.5, fs_hz)],
        "ML extrema": t[_extrema(sway, 0.3, fs_hz)],
    }
    for axis in ("yaw", "pitch", "roll"):
        if axis in sig:
            out[f"{axis} extrema"] = t[_extrema(_filt(bandpass_sos(0.3, 3.0, fs_hz), sig[axis]), 5.0, fs_hz)]
    return out


def median_offset_s(
    ref_ic_s: Sequence[np.ndarray], cand_s: Sequence[np.ndarray], within_s: float = LAG_SEARCH_S
) -> float:
    """Median of (nearest candidate - reference IC) over the reference ICs with a candidate within ``within_s``.

    Examples
    --------
    >>> median_offset_s([np.array([1.0, 2.0, 3.0])], [np.array([1.1, 2.1, 3.5])])
    0.1
    """
    offsets = []
    for ref, cand in zip(ref_ic_s, cand_s, strict=True):
        cand = np.sort(cand)
        if not len(cand):
            continue
        j = np.clip(np.searchsorted(cand, ref), 1, max(len(cand) - 1, 1))
        nearest = np.where(np.abs(cand[j - 1] - ref) <= np.abs(cand[j] - ref), cand[j - 1], cand[j])
        d = nearest - ref
        offsets += d[np.abs(d) <= within_s].tolist()
    return round(float(np.median(offsets)), 3) if offsets else 0.0


def bound_counts(
    ref_ic_s: np.ndarray, cand_s: np.ndarray, spans: Sequence[Span], tol_s: float = IC_TOLERANCE_S
) -> tuple[int, int, int]:
    """(reference ICs, missed, extra) of candidates scored as ``bench.accuracy`` scores detections.

    Examples
    --------
    >>> bound_counts(np.array([1.0, 1.3, 2.0]), np.array([1.1, 1.5, 2.6, 5.0]), [(0.0, 3.0)])
    (3, 1, 1)
    """
    ref = np.sort(ref_ic_s)
    ref = ref[in_spans(ref, spans)]
    cand = np.sort(cand_s)
    cand = cand[in_spans(cand, spans, pad_s=tol_s)]
    n_match = len(match_ics(ref, cand, tol_s))
    return len(ref), len(ref) - n_match, len(cand) - n_match


def added_to(base_s: np.ndarray, cand_s: np.ndarray, merge_s: float = MERGE_S) -> np.ndarray:
    """``base_s`` with the candidates of ``cand_s`` farther than ``merge_s`` from every one of it, sorted.

    Examples
    --------
    >>> added_to(np.array([1.0, 2.0]), np.array([1.1, 1.5, 2.5])).tolist()
    [1.0, 1.5, 2.0, 2.5]
    """
    base = np.sort(base_s)
    if not len(base):
        return np.sort(cand_s)
    j = np.clip(np.searchsorted(base, cand_s), 1, max(len(base) - 1, 1))
    gap = np.minimum(np.abs(base[j - 1] - cand_s), np.abs(base[j] - cand_s))
    return np.sort(np.concatenate((base, cand_s[gap > merge_s])))


def side_alternation(
    ref_ic_s: np.ndarray, t_s: np.ndarray, sway: np.ndarray, delay_s: float = SIDE_DELAY_S, *, max_step_s: float
) -> tuple[int, int]:
    """(alternating, all) pairs of consecutive reference ICs less than ``max_step_s`` apart whose ``sway`` signal
    ``delay_s`` after the contact has opposite signs: the trunk sways toward each new stance foot, so in walking the
    sign alternates from step to step; where it does not, the sway tells no step from the one before.

    Examples
    --------
    >>> t = np.arange(0, 4, 0.01)
    >>> side_alternation(np.array([0.35, 0.85, 1.35, 1.5]), t, np.sin(2 * np.pi * t), 0.0, max_step_s=0.8)
    (2, 3)
    """
    ref = np.sort(ref_ic_s)
    side = np.sign(np.interp(ref + delay_s, t_s, sway))
    close = np.diff(ref) < max_step_s
    return int((side[1:] != side[:-1])[close].sum()), int(close.sum())


def group_of(ref: RefRecording) -> str:
    """Reporting group of a lower-back recording (one of ``GROUPS``)."""
    if ref.dataset == "mobgap_lab":
        return GROUPS[0] if "Test11" in ref.name else GROUPS[1]
    return GROUPS[2]


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m bench.ic_candidates", description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", default=None, metavar="NAME", help="list the current candidates' misses")
    args = parser.parse_args(argv)
    root = data_root()
    if not available(root):
        print(f"bench.ic_candidates: shared data not found at {root} (set GAIT_DEV_DATA)")
        return 0
    refs = [r for name in ("mobgap_lab", "ipol_healthy_gait") for r in load_dataset(name, root)]
    refs = [r for r in refs if r.placement.value == "lower_back" and len(r.ref_ic_s)]
    sources = [candidate_sources(trunk_signals(r)) for r in refs]
    names = list(dict.fromkeys(k for s in sources for k in s))
    lags = {
        k: median_offset_s(
            [r.ref_ic_s for r, s in zip(refs, sources, strict=True) if k in s], [s[k] for s in sources if k in s]
        )
        for k in names
    }
    shifted = [{k: v - lags[k] for k, v in s.items()} for s in sources]
    totals = {
        g: sum(bound_counts(r.ref_ic_s, np.array([]), r.walking_spans)[0] for r in refs if group_of(r) == g)
        for g in GROUPS
    }
    print("reference ICs: " + ", ".join(f"{g} {n}" for g, n in totals.items()) + "  (cells: missed / extra)")
    print(
        f"{'source':22s} {'lag s':>6s}  "
        + "  ".join(f"{g:>16s}" for g in GROUPS)
        + "  | + current: "
        + "  ".join(f"{g:>16s}" for g in GROUPS)
    )
    for k in names:
        alone: dict[str, list[int]] = {g: [0, 0] for g in GROUPS}
        union: dict[str, list[int]] = {g: [0, 0] for g in GROUPS}
        for r, s in zip(refs, shifted, strict=True):
            if k not in s:
                continue
            _, miss, extra = bound_counts(r.ref_ic_s, s[k], r.walking_spans)
            alone[group_of(r)][0] += miss
            alone[group_of(r)][1] += extra
            _, miss, extra = bound_counts(r.ref_ic_s, added_to(s["current"], s[k]), r.walking_spans)
            union[group_of(r)][0] += miss
            union[group_of(r)][1] += extra
        cells = "  ".join(f"{alone[g][0]:7d} / {alone[g][1]:5d}" for g in GROUPS)
        ucells = "  ".join(f"{union[g][0]:7d} / {union[g][1]:5d}" for g in GROUPS)
        print(f"{k:22s} {lags[k]:+6.3f}  {cells}  |             {ucells}")
    print(
        f"side alternation {SIDE_DELAY_S} s after consecutive reference ICs (steps < 0.8 s / shuffles < {SHUFFLE_S} s):"
    )
    for axis, band_hz in (("ml", (0.3, 3.0)), ("roll", (0.3, 3.0))):
        counts = {g: [0, 0, 0, 0] for g in GROUPS}
        for r in refs:
            sig = trunk_signals(r)
            if axis not in sig:
                continue
            sway = _filt(bandpass_sos(*band_hz, FS_HZ), sig[axis])
            ref = np.sort(r.ref_ic_s)
            ref = ref[in_spans(ref, r.walking_spans)]
            c = counts[group_of(r)]
            for k, max_step_s in enumerate((0.8, SHUFFLE_S)):
                alt, n = side_alternation(ref, sig["t"], sway, max_step_s=max_step_s)
                c[2 * k] += alt
                c[2 * k + 1] += n
        print(f"  {axis:5s} " + "  ".join(f"{g}: {c[0]}/{c[1]}, {c[2]}/{c[3]}" for g, c in counts.items()))
    if args.misses is not None:
        _print_misses(refs, shifted, names, args.misses)
    return 0


def _print_misses(
    refs: Sequence[RefRecording], shifted: Sequence[dict[str, np.ndarray]], names: Sequence[str], pattern: str
) -> None:
    near_s = 0.4
    for r, s in zip(refs, shifted, strict=True):
        if pattern not in r.name:
            continue
        ref = np.sort(r.ref_ic_s)
        ref = ref[in_spans(ref, r.walking_spans)]
        cand = s["current"][in_spans(s["current"], r.walking_spans, pad_s=IC_TOLERANCE_S)]
        matched = {i for i, _ in match_ics(ref, np.sort(cand))}
        for i, t in enumerate(ref):
            if i in matched:
                continue
            prev = f"{t - ref[i - 1]:.2f}" if i else "-"
            nxt = f"{ref[i + 1] - t:.2f}" if i + 1 < len(ref) else "-"
            print(f"== {r.name} reference IC {t:.2f} s (previous {prev} s before, next {nxt} s after) missed")
            for k in names:
                if k in s:
                    d = s[k][np.abs(s[k] - t) < near_s] - t
                    print(f"     {k:22s} " + (", ".join(f"{x:+.2f}" for x in d) or "-"))


if __name__ == "__main__":
    raise SystemExit(main())
