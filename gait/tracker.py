"""The streaming gait tracker: sample chunks in, step / stride / bout events out.

One algorithm for live and offline use. Offline analysis feeds a whole recording in large chunks; a live
session feeds small chunks as they arrive. Every decision depends only on samples up to a fixed look-ahead,
and every filter carries its state, so the events do not depend on where the input is split.

Pipeline per chunk (vectorised inside the chunk, state carried between chunks):

1. resample onto a regular 100 Hz grid (phones log irregularly), starting a new segment after a gap;
2. gravity from a slow low-pass, vertical dynamic acceleration by projection (any sensor orientation);
3. a band-pass around step frequencies and its RMS envelope;
4. initial contacts: peaks of the band-passed signal that dominate a window of ``W_BACK_S`` before and
   ``W_FWD_S`` after and exceed an adaptive threshold, refined to the vertical-acceleration peak;
   for a foot sensor with gyroscope, the impact that ends each swing (see :mod:`gait.zupt`);
5. walking bouts: regular sequences of initial contacts; steps, strides and bout ends are emitted as soon as
   they are decided;
6. stride length per placement, each with a confidence and the method used.
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import signal

from gait import laterality, zupt
from gait.confidence import (
    DOUBT_FACTOR,
    TURN_DEG,
    method_confidence,
    pendulum_doubts,
    step_model_doubts,
    step_rotation,
    update_pace,
)
from gait.consts import (
    BODY_HEIGHT_RANGE_M,
    DEFAULT_BODY_HEIGHT_M,
    FOOT_RATE_HZ,
    SENSOR_HEIGHT_PER_BODY_HEIGHT,
    SENSOR_HEIGHT_RANGE_M,
    STRIDE_SCALE_RANGE,
    WORKING_RATE_HZ,
)
from gait.errors import GaitError
from gait.preprocess import (
    BLOCK_MAX_SAMPLES,
    GRAVITY_CUTOFF_HZ,
    ResamplerState,
    VerticalChain,
    bandpass_sos,
    lowpass_sos,
    resample_chunk,
    sosfilt_bank,
    sosfilt_stream,
    vertical_from_gravity,
)
from gait.stride_length import (
    PENDULUM_SCALE,
    WEINBERG_K,
    bounce_agreement,
    bounce_excursion_m,
    pendulum_step_length_m,
    step_bounce_ms2,
    update_bounce_phase,
    weinberg_step_length_m,
)
from gait.types import BoutEvent, Chunk, GaitEvent, Placement, StepEvent, StrideEvent

# Detection constants. They are physiological (step timing) rather than fitted to any one recording.
STEP_BAND_HZ = (0.5, 3.0)
"""Band that holds the step frequency of walking (60-180 steps/min) and its first harmonic's onset."""
DETAIL_LOWPASS_HZ = 5.0
"""Low-pass used to locate the impact peak inside a step."""
ENVELOPE_LOWPASS_HZ = 0.3
"""Smoothing of the RMS envelope that scales the peak threshold (a few steps long)."""
W_BACK_S = 0.30
"""A peak must dominate this much signal before it: no two steps closer than 0.3 s (200 steps/min)."""
W_FWD_S = 0.12
"""...and this much after it: the look-ahead that sets the decision delay."""
REFINE_BACK_S = 0.25
"""Where to look for the impact peak behind a band-pass peak (the band-pass lags by about 0.1 s)."""
MIN_PEAK_MS2 = 0.2
"""Smallest band-passed vertical acceleration that can be a step; below it the walker is standing."""
REL_PEAK = 0.4
"""A step peak must exceed this share of the recent RMS envelope."""
IMPACT_DELAY_S = 0.04
"""The upward-acceleration peak follows heel strike by about 40 ms (loading response); subtracted."""
MIN_STEP_S = 0.3
"""Shortest step interval (200 steps/min): a second contact sooner is the same step's second impact peak."""
ONE_IMPACT_PER_STEP = (Placement.LOWER_BACK, Placement.HAND, Placement.POCKET)
"""Placements where two contacts closer than MIN_STEP_S are merged into one. Measured on the benchmark: for a
phone in the hand this halves the per-bout cadence error (5.9 -> 3.1 spm, 16 walks); on a waist bag, an arm band
or a swinging arm it cost a true step per recording (their close peak pairs hold the real contact second), so
they keep every peak.

A phone in a trouser pocket rides on one thigh. The other leg's heel strike reaches it weakly through the pelvis,
and (most likely) this leg's toe-off follows it after the double support (about 0.1-0.15 s): the thigh jerks into
its swing, a second band-passed bump, often larger than the heel strike's. W_BACK_S keeps only a peak larger than
the 0.3 s before it, but the smaller first peak is decided after W_FWD_S (0.12 s), before the larger one comes, so
both pass (the Oxford front pockets: pairs 0.14-0.16 s apart). Two steps that close would be over 200 steps/min:
the first is the contact, the second the push-off. Measured on the 12 Oxford pocket walks (F1 / step count error
median / cadence MAE, as recorded, at 50 Hz and at 25 Hz): front 0.960 / 1.1 % / 1.94 spm -> 0.963 / 0.8 % / 0.77,
0.960 / 1.2 % / 2.21 -> 0.964 / 0.8 % / 0.77, 0.966 / 0.5 % / 1.38 -> 0.967 / 0.8 % / 0.76; back 0.993 / 0.4 % /
0.85 -> 0.994 / 0.5 % / 0.30, 0.993 / 0.7 % / 0.59 -> 0.994 / 0.5 % / 0.39, 0.992 / 0.4 % / 0.69 -> 0.993 / 0.5 % /
0.22. It drops 22 detections as recorded (22 at 50 Hz, 15 at 25 Hz), 3 of them matched to a reference step (3, 4);
no other placement moves."""
FIRST_OF_TWO_PLACEMENTS = (Placement.POCKET,)
"""Placements where, of two contacts closer than MIN_STEP_S before a bout is confirmed, the first is kept (as in a
bout) rather than the stronger. In a pocket the second of a close pair is the thigh's push-off, often the larger
(see ONE_IMPACT_PER_STEP); keeping the stronger there lets each push-off replace the heel strike before it, and a
replacement after the chain was restarted on it as irregular never leaves three regular contacts: with a bump
0.3 s before every step the walk was never confirmed (no step at all). On the Oxford pockets it changes nothing."""
MAX_STEP_S = 1.1
"""Longest step interval inside a bout (55 steps/min); a longer pause ends the bout."""
MAX_STEP_RATIO = 1.6
"""Two consecutive step intervals differ by at most this ratio while a bout is being confirmed; so do two steps of
the same leg (a step interval and the one two steps before it) where the two legs' steps differ (see
alternating_steps)."""
MIN_STEP_SHARE = 0.3
"""Shortest share of a stride that one of its two steps may take in a walk with unequal left and right steps.

A step runs from one foot's heel strike to the other's: it holds the other leg's whole swing (in walking the stance
foot leaves the ground only after the swinging one has landed). A swing lasts about 40 % of a stride in healthy
walking; in a strongly asymmetric gait (hemiparetic, antalgic: the walker hurries off the painful or weak leg) the
unaffected leg's swing shortens, but rarely below about 30 % of the stride, while the other lengthens. A shorter
"step" is a contact seen twice, or a bump. So one step is at most (1 - MIN_STEP_SHARE) / MIN_STEP_SHARE (2.3) times
its partner: MAX_STEP_ASYMMETRY. (A phone off the midline adds its own timing difference between the legs'
contacts: the median ratio of consecutive detected steps in the Oxford pockets' bouts is 1.33 front, 1.47 back,
bench.asymmetry; a walk beyond the bound opens a bout only where two consecutive steps pass MAX_STEP_RATIO.)"""
MAX_STEP_ASYMMETRY = (1.0 - MIN_STEP_SHARE) / MIN_STEP_SHARE
"""Most that one step of a stride may exceed the other while a bout is being confirmed (see MIN_STEP_SHARE)."""
ALTERNATING_CONTACTS = 5
"""Contacts (two strides) that open a bout whose left and right steps differ by more than MAX_STEP_RATIO.

Two strides, so that each leg's step is compared with that leg's next one (alternating_steps). With one stride and
a step (four contacts) the first interval is compared once only, and on the benchmark that opened bouts outside the
walking (11 steps in 4 recordings, e.g. a phone being pocketed: 0.44 / 0.90 / 0.44 s, no pressure-pad contact);
with five, every benchmark recording gives the steps it gave with the step-to-step test alone."""
FIRST_PEAK_RATIO = 0.3
"""A bout's first contact needs a band-passed peak of at least this share of the larger of the next two.

Before the first step the walker shifts weight onto the stance leg (the anticipatory postural adjustment):
the trunk bobs a little, about half a second before the first heel strike, with no foot landing. A heel
strike stops the body's fall and gives a far larger upward peak, and even a bout's first real step reaches
about half of the steps that follow it."""
PUSH_OFF_STEP_SHARE = 0.8
"""...or a first contact weaker than the next ones that the next follows sooner than this share of a step.

From quiet standing the first trunk peak can be the push-off of the first swing leg (its toe-off): the first heel
strike then follows after one swing phase, not a whole step, and gives the stronger peak. A swing lasts about
40 % of a gait cycle and a step 50 %, so it is at most about 0.8 of a step (the first swing from standing is no
longer). After a real first heel strike comes a whole step, about as long as the next one."""
EXPECTED_REL_PEAK = 0.2
"""Lower share of the RMS envelope for a peak where the bout's rhythm expects the next contact (lower back).

The closing step of a walk (the trailing foot set down beside the other) is soft, well under REL_PEAK of
the envelope, which still holds the walking steps before it. Where two firm contacts predict the next one,
weaker evidence suffices; elsewhere REL_PEAK applies."""
EXPECTED_LAG_S = 0.15
"""...and its impact lies at most this far before the band-pass peak (the band-pass lags an impact by about 0.1 s;
an impact further back belongs to something earlier). This also keeps the decision within the latency budget."""
EXPECTED_WINDOW = (0.8, 1.25)
"""Where a contact is expected: this range of the bout's last step interval after its last contact."""
CLOSING_EARLIEST = 1.0 / MAX_STEP_RATIO
"""Earliest share of the last step interval at which a soft peak may be the walk's closing step (lower back).

The closing step sets the trailing foot down beside the leading one rather than a step ahead of it: a shorter
swing, so it lands sooner than the rhythm predicts (in the IPOL reference often 0.6-0.9 of the step before), but
no sooner than two consecutive steps of a walk may differ (MAX_STEP_RATIO). Mid-walk a soft peak that early is
a wobble of the stance phase, so such a peak counts only if the bout ends with it: it is held back, dropped as
soon as another contact follows, and emitted as a step (no stride, which would break the latency budget) when the
bout times out (see GaitTracker._close_bout). Accepting such peaks at once, mid-walk too, cost steps in 3 IPOL
trials. The closing steps this misses showed no reliable trunk evidence on the IPOL trials: their band-passed
vertical peak is below MIN_PEAK_MS2 or EXPECTED_REL_PEAK of the envelope (searching the bout's end with both at
half fired 5 times, 1 true), and neither the horizontal jerk nor the forward braking pattern (the contact-locked
mean of the last steps) told them from bout ends without a step (about half caught for one false step in six)."""
UNLOADED_PLACEMENTS = (Placement.LOWER_BACK,)
"""Placements where, inside a confirmed bout, a peak without loading is no contact unless the rhythm expects one.

A heel strike stops the body's fall: in the loading response the trunk accelerates upwards, so its vertical
acceleration rises above gravity. A band-passed peak whose impact (the 5 Hz vertical acceleration at its refined
position, the largest in REFINE_BACK_S before it) stays at or below gravity had nothing to stop: the trunk swayed,
it was not loaded. Measured on the mobgap lab trials: of the contacts the tracker emitted, 8 of the 32 unmatched
against 2 of the 213 matched have no loading, and none of the 1,926 matched IPOL lower-back contacts. A contact
the rhythm expects (see GaitTracker._expected) still counts without loading: a step in a turn, where the trunk
pivots over the foot, showed none. Before a bout is confirmed there is no rhythm to tell a sway from a soft step:
dropping unloaded peaks there too cost 8 of the 200 true steps of the daily-living trials (Test11), in bouts of
slow, irregular steps. Net on Test11: 3 of 32 unmatched contacts and 8 of 85 contacts outside the reference bouts
dropped, no matched one; mobgap cadence MAE 7.6 -> 7.0 spm; no other group moves. A waist bag (the Oxford purse)
swings against the body: there the same rule cost steps (step count error median 0.1 -> 0.3 %), so it is for the
lower back only."""
RHYTHM_PLACEMENTS = (Placement.HAND,)
"""Placements whose contacts are checked against the walk's rhythm (see GaitTracker._off_rhythm).

A phone held in the hand in front of the body bobs twice in a slow step: its vertical acceleration has a second
bump about half a step after the first (likely the holding arm springing back after the heel-strike shock), strong
enough to pass for a step, and often more than MIN_STEP_S after it. Measured on
the benchmark: on the 16 walks with the phone in the hand the per-bout cadence error falls from 3.05 to 0.49 spm.
On a waist bag, in a pocket, an arm band, a swinging arm or a neck pouch the same rule drops true steps (their
close peak pairs hold the real contact second, see ONE_IMPACT_PER_STEP), so they keep every peak."""
SHORT_STEP_PLACEMENTS = tuple(p for p in Placement if p is not Placement.FOOT)
"""Placements where a peak that fails only the W_BACK_S test can be the short step of an alternating walk.

W_BACK_S keeps a band-passed peak only if it beats the 0.3 s before it, because a swing or an arm can give a second
bump after a contact that is larger than the contact's own. A walker whose two legs' steps differ (a limp; a pocket
phone on one thigh, which feels one leg's contact late) can take a short step of 0.3-0.4 s: at the top of
STEP_BAND_HZ its band-passed peak is small and lies within 0.3 s of the long step's peak, so it is never found; the
interval becomes a stride and the bout breaks. Such a peak counts where the bout's own rhythm expects the short step
(see GaitTracker._learn_alternation: the bout's steps alternate beyond MAX_STEP_RATIO, and the peak's contact lies
within MAX_STEP_RATIO of the same leg's previous step after a long step) and it is the first rise after the last
contact's peak (see GaitTracker._rises_from_last_contact). A second bump comes a fixed time after every contact
(push-off 0.1-0.15 s, the arm half a step), not at the other leg's step time, and where the steps are alike the rule
does not apply. The hand's rhythm test (RHYTHM_PLACEMENTS) is waived only where a contact is expected, within
EXPECTED_WINDOW of the short step: waived as far out as MAX_STEP_RATIO it let the arm's bumps back in (Oxford hand
cadence MAE 0.46 -> 0.84 spm)."""
RHYTHM_WINDOW_S = 3.0
"""Signal over which the rhythm is measured: two of the longest steps of a bout (2 x MAX_STEP_S) plus margin, so
that the autocorrelation overlaps at least one full period at every step lag; short enough to follow a change of
pace within a few steps."""
MAX_GAP_S = 0.5
"""A hole in the samples longer than this starts a new segment (no interpolation across it)."""
HOLE_MIN_S = 0.045
"""A foot sensor's sample interval longer than this, and HOLE_RATIO times the one before it, is a hole: samples
lost on the way (a BLE notification of 5-20 samples dropped by the radio), bridged by the grid's linear
interpolation. A stride whose integration spans a hole gets no length (see GaitTracker._segment_length): the
swing's acceleration over the hole is unknown, and a straight line through it is not the foot's motion.

Measured on the IPOL foot recordings (which lose packets themselves: 3,799 intervals over 25 ms, 629 over 45 ms),
with one more hole cut into every stride: an interval of 30 / 40 / 50 / 60 / 110 ms moves the ZUPT length by
1.0 / 1.9 / 2.6 / 3.4 / 8.6 cm on average; losing 1 % of 50-200 ms packets made the gaitmap stride length MAE
0.066 m instead of 0.036 m (bench.robustness). The foot's target is 0.05 m, and the model's own error about
0.036 m: a hole that costs more than about 2 cm takes the stride beyond it, so 45 ms (four samples lost at 100 Hz)
is the limit; shorter holes keep their length."""
HOLE_RATIO = 2.5
"""...and the interval exceeds this multiple of the previous one. A sensor at 50 Hz or more has no interval over
HOLE_MIN_S however jittery its timestamps (each off by under half an interval: intervals under 40 ms); a slower one
(25-40 Hz: 25-40 ms every interval) is told from a hole by the ratio while its timestamps are off by at most a
fifth of an interval (two consecutive intervals then differ by at most 1.4 / 0.6 = 2.3 times), as
``bench.accuracy --rate 25`` checks. A lost packet leaves an interval of at least a packet plus one sample."""
BUFFER_S = 4.0
"""Samples kept for look-back (step and stride windows)."""
CHECK_IN_PYTHON_MAX = 32
"""Up to this many samples a chunk's time steps are checked on Python floats (the same IEEE subtraction): for a
live chunk that is cheaper than numpy's per-call overhead."""
SIDES = ("left", "right")
"""The sides a step or a foot sensor can have."""
PENDULUM_PLACEMENTS = (Placement.LOWER_BACK, Placement.WAIST)
"""Placements whose stride lengths come from the inverted pendulum, so rest on a sensor height (from the body
height when not given); elsewhere a body height changes no length."""

SIDE_PLACEMENTS = (Placement.LOWER_BACK,)
"""Trunk placements whose contacts get a side from the sideways sway (gait.laterality), with a gyroscope.

Measured on the references that label each contact's foot (bench.side: share of matched contacts right / wrong /
None, and right among the sides given): mobgap lab INDIP 0.451 / 0.005 / 0.545, 0.990 (213 contacts); IPOL
0.835 / 0.002 / 0.163, 0.998 (1,862). Not the waist: a bag or a clip at the hip is not the trunk's midline and can
swing on its own, and no reference with a gyroscope there labels the feet (the Oxford bag has none)."""
FORWARD_DECAY = 0.98
"""Weight of the walker's forward direction so far against one more stride's evidence (gait.laterality): the sensor
does not move on the trunk, so the sum spans many strides (half-life about 35), and still follows a sensor that was
clipped on again. (0.9 and 1.0, no decay, give the same sides but for a contact or two: bench.side.)"""
RAW_GYR_CHUNKS = 64
"""A lower-back gyroscope's raw chunks are trimmed to the look-back once more than this many are kept, or after a
chunk longer than this many samples (offline): live, that is every few dozen updates (see TrackerState.raw_gyr)."""
SCAN_IN_PYTHON_MAX = 32
"""Up to this many open decisions the local-maximum scan runs on Python floats (same comparisons, same result):
for a live chunk that is cheaper than numpy's per-call overhead; offline chunks use the vectorised scan."""


def autocorrelation(x: np.ndarray, max_lag: int) -> np.ndarray:
    """Normalised autocorrelation of a signal for lags 0..max_lag samples (1 at lag 0).

    The biased estimate: the sum of products over the overlap, divided by the whole signal's energy. The loud
    part of the signal dominates it, so a walk that fills only part of the window (it started a second ago) still
    shows its own rhythm, and it never exceeds 1. A signal without energy gives zeros.

    Parameters
    ----------
    x
        Samples, shape (n,); the mean is removed first.
    max_lag
        Longest lag in samples (clipped to n - 1).

    Returns
    -------
    numpy.ndarray
        Shape (min(max_lag, n - 1) + 1,); empty for an empty signal.

    Examples
    --------
    >>> r = autocorrelation(np.sin(2 * np.pi * np.arange(400) / 50), 100)
    >>> int(np.argmax(r[10:])) + 10, round(float(r[25]), 2)
    (50, -0.94)
    """
    n = len(x)
    if n == 0:
        return np.zeros(0)
    max_lag = min(max_lag, n - 1)
    centred = x - x.mean()
    energy = float(np.dot(centred, centred))
    if energy <= 0.0:
        return np.zeros(max_lag + 1)
    # One correlation call: the signal against itself followed by max_lag zeros (the overlap shrinks with the lag).
    padded = np.concatenate((centred, np.zeros(max_lag)))
    return np.correlate(padded, centred, "valid") / energy


def rhythm_period_samples(acf: np.ndarray, min_lag: int) -> int | None:
    """The shortest lag, from ``min_lag`` on, at which a signal repeats itself: the first local maximum of its
    autocorrelation with a positive value; None if there is none.

    For the vertical acceleration of walking that lag is one step (left and right steps look alike); the stride
    lag, two steps, is the next maximum. Where a step holds two similar bumps the first maximum may be half a step:
    that only makes :meth:`GaitTracker._off_rhythm` less strict.

    Examples
    --------
    >>> rhythm_period_samples(autocorrelation(np.sin(2 * np.pi * np.arange(400) / 50), 120), 30)
    50
    """
    k = np.arange(max(min_lag, 1), len(acf) - 1)
    peaks = k[(acf[k] > acf[k - 1]) & (acf[k] >= acf[k + 1]) & (acf[k] > 0.0)]
    return int(peaks[0]) if len(peaks) else None


def interval_ratio(a: float, b: float) -> float:
    """The larger of two positive intervals over the smaller (1 when equal)."""
    return max(a, b) / min(a, b)


def alternating_steps(step_intervals: Sequence[float]) -> bool:
    """Whether consecutive step intervals (two strides' worth: four) are a walk whose left and right steps differ:
    each step as long as the same leg's step before it, two steps earlier (within MAX_STEP_RATIO), and each step at
    most MAX_STEP_ASYMMETRY times its neighbours.

    Walking repeats stride by stride; step by step it repeats only where the two legs' steps look alike. A walker
    who favours one leg (a limp, a painful hip or back, a hemiparesis) spends longer on one step than on the other,
    and a sensor off the body's midline (a phone in a trouser pocket on one thigh, an arm band, a bag on one side)
    feels one leg's contact sooner than the other's: the detected intervals then alternate. The two steps of a
    stride are compared with those of the next stride, not with each other.

    Examples
    --------
    >>> alternating_steps([0.4, 0.76, 0.42, 0.78]), alternating_steps([0.4, 0.76, 0.7, 0.78])
    (True, False)
    >>> alternating_steps([0.3, 0.8, 0.3, 0.8])  # one "step" under MIN_STEP_SHARE of its stride
    False
    """
    pairs_of_one_leg = zip(step_intervals[:-2], step_intervals[2:], strict=True)
    same_leg = all(interval_ratio(a, b) <= MAX_STEP_RATIO for a, b in pairs_of_one_leg)
    return same_leg and all(interval_ratio(a, b) <= MAX_STEP_ASYMMETRY for a, b in itertools.pairwise(step_intervals))


@dataclass
class _Candidate:
    """An initial contact accepted by the peak detector, with the per-step measures since the previous one."""

    index: int
    t_s: float
    step_length_m: float | None = None  # step (trunk) or stride (foot) that ends here; None for a bout's first
    anchor: int = -1  # foot: grid index of the stance that follows this contact (a zero-velocity instant)
    # The contact's evidence: the band-passed vertical peak (trunk, phone) or the acceleration norm at the heel
    # strike (foot sensor); of two contacts too close to be two, the stronger is kept (see _on_contact).
    strength_ms2: float = float("inf")
    rest_before: bool = False  # the walker stood still before this contact (RMS envelope below MIN_PEAK_MS2)
    weak: bool = False  # accepted only because the bout's rhythm expected it (see EXPECTED_REL_PEAK)
    # Lower back / waist: the once-per-step phasor of the step that ends here (gait.stride_length.step_bounce_ms2);
    # NaN where there is none.
    bounce_ms2: complex = complex(math.nan, math.nan)
    # Lower back / waist, for the stride's confidence (gait.confidence): the step's bounce against the walker's phase
    # before it (in-phase share, coherence) and its heading change (NaN without a gyroscope).
    phase_share: float = math.nan
    coherence: float = math.nan
    turn_deg: float = math.nan
    rotation_dps2: float = math.nan  # the step's mean squared gyroscope rate (gait.confidence.step_rotation)
    # Step model (phones): the range of the step's vertical acceleration, for the stride's confidence (NaN elsewhere).
    acc_range_ms2: float = math.nan
    # Foot: the stride that ends here spans a hole in the samples (no length), or saturates the accelerometer or
    # the gyroscope (its level, 0 where none; see zupt.CLIP_RUN_S).
    holed: bool = False
    acc_clip_ms2: float = 0.0
    gyr_clip_dps: float = 0.0
    # Lower back with a gyroscope: the sway lever of the stride that ends here (gait.laterality.stride_sway), None
    # where there is none. The contact's side: a foot sensor's own, a lower-back contact's from its sway, or None.
    sway_lever: laterality.Vector | None = None
    side: str | None = None


class SampleBuffer:
    """The current segment's recent samples, one array per signal, preallocated and written in place.

    A live sensor appends ~10 samples a call to a look-back of a few hundred: concatenating every signal's arrays
    on each call copied the whole look-back nine times. Here a chunk is written after the newest sample and
    trimming only moves the start; the arrays are compacted or grown when the end is reached, so the amortised
    cost of a call does not depend on the look-back length. ``buffer[name]`` is the view of the kept samples of
    one signal (None for a signal this segment lacks); ``len(buffer)`` their number.
    """

    MIN_CAPACITY = 1024  # samples: ten seconds at 100 Hz, well above the ~4 s look-back

    def __init__(self, first: dict[str, np.ndarray | None]) -> None:
        self._store: dict[str, np.ndarray | None] = {}
        self._start = 0
        self._stop = 0
        self._allocate(first, len(first["t"]))
        self.append(first)

    def _allocate(self, like: dict[str, np.ndarray | None], needed: int) -> None:
        """Move the kept samples to the front of arrays that hold at least ``needed`` samples."""
        capacity = max(self.MIN_CAPACITY, 2 * needed)
        store: dict[str, np.ndarray | None] = {}
        for key, arr in like.items():
            if arr is None:
                store[key] = None
                continue
            fresh = np.empty((capacity, *arr.shape[1:]))
            old = self._store.get(key)
            if old is not None:
                fresh[: self._stop - self._start] = old[self._start : self._stop]
            store[key] = fresh
        self._store = store
        self._stop -= self._start
        self._start = 0

    def append(self, new: dict[str, np.ndarray | None]) -> None:
        """Write the samples of ``new`` (same signals as the buffer's) after the newest kept sample."""
        n_new = len(new["t"])
        if self._stop + n_new > len(self._store["t"]):
            kept = self._stop - self._start
            if 2 * (kept + n_new) <= len(self._store["t"]):
                # Room enough once the dropped samples are reclaimed: move the kept ones to the front.
                for arr in self._store.values():
                    if arr is not None:
                        arr[:kept] = arr[self._start : self._stop]
                self._start, self._stop = 0, kept
            else:
                self._allocate(self._store, kept + n_new)
        start = self._stop
        stop = start + n_new
        store = self._store
        for key, arr in new.items():
            target = store[key]
            if target is not None and arr is not None:
                target[start:stop] = arr
            elif target is not arr:  # one of the two is None (a live call passes only the buffer's signals)
                raise ValueError(f"signal {key!r} cannot appear or disappear within a segment")
        self._stop = stop

    def drop_oldest(self, n: int) -> None:
        """Forget the ``n`` oldest samples."""
        self._start += min(n, self._stop - self._start)

    def __getitem__(self, key: str) -> np.ndarray | None:
        arr = self._store[key]
        return None if arr is None else arr[self._start : self._stop]

    def __len__(self) -> int:
        return self._stop - self._start

    def __getstate__(self) -> dict[str, object]:
        # Pickle only the kept samples (not the spare capacity); the copy resumes identically.
        return {"store": {key: self[key] for key in self._store}}

    def __setstate__(self, state: dict[str, object]) -> None:
        store = state["store"]
        self._store = {key: None if arr is None else np.array(arr) for key, arr in store.items()}
        self._start = 0
        self._stop = len(self._store["t"])


@dataclass
class TrackerState:
    """Everything the tracker carries from one chunk to the next (picklable, explicit)."""

    resampler: ResamplerState = field(default_factory=ResamplerState)
    zi_gravity: np.ndarray | None = None
    zi_band: np.ndarray | None = None
    zi_detail: np.ndarray | None = None
    zi_envelope: np.ndarray | None = None
    zi_gyro: np.ndarray | None = None
    foot_below_prev: bool = True  # foot: was the previous sample's gyro norm below the stance threshold
    foot_swing_seen: bool = False  # foot: has a swing happened since the last stance onset
    foot_mode: bool = False  # this segment is a foot sensor's with a gyroscope (set when the segment starts)
    buffer: SampleBuffer | None = None  # the current segment's recent samples; None before its first sample
    buffer_start: int = 0  # grid index of buffer[...][0] in the current segment
    next_decide: int = 0  # first grid index whose peak decision is still open
    segment: int = 0
    last_time_s: float | None = None
    pending: list[_Candidate] = field(default_factory=list)  # contacts of a bout not yet confirmed
    bout: list[_Candidate] = field(default_factory=list)  # contacts of the confirmed bout (last few kept)
    bout_start_s: float | None = None
    bout_steps: int = 0
    closing: _Candidate | None = None  # a soft early peak after the bout's last contact, kept if the bout ends there
    # The confirmed bout's alternating rhythm (see GaitTracker._learn_alternation): its short and long step in grid
    # samples (0 while its steps do not alternate), and whether its next step is the short one.
    alt_short_n: int = 0
    alt_long_n: int = 0
    alt_short_next: bool = False
    # Lower back / waist: the walker's running bounce phase over the walking steps of the segment so far (those
    # of its bouts), as decaying sums of their once-per-step phasors and of their amplitudes
    # (gait.stride_length.update_bounce_phase); 0 before the segment's first bout.
    bounce_phase: complex = 0j
    bounce_weight: float = 0.0
    # Lower back / waist: the walker's recent stride duration as decaying sums (gait.confidence.update_pace).
    pace_sum_s: float = 0.0
    pace_weight: float = 0.0
    # Lower back / waist with a gyroscope: the recent strides' mean squared rate as decaying sums, likewise (the
    # weight is the pace's; see gait.confidence.TRUNK_ROTATION_RMS_DPS).
    rotation_sum_dps2: float = 0.0
    rotation_weight: float = 0.0
    segment_gyr: bool = False  # this segment carries a gyroscope (set when the segment starts)
    # Lower back / waist with a gyroscope: the segment's recent gyroscope samples as they came, (times, rates) per
    # chunk, neither resampled nor joined: the turn check only averages them over a step, twice a second (resampling
    # three more columns cost every live update a fifth more).
    raw_gyr: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    # Foot: holes in the input's time axis, (last sample before, first sample after), for the strides that may
    # still span them (see HOLE_MIN_S); the previous sample interval, for the next hole test.
    holes: list[tuple[float, float]] = field(default_factory=list)
    last_step_s: float = math.nan
    # The time of the segment's last real sample while its end is padded with copies of it (see _end_segment), so
    # that the copies do not pass for a saturated sensor; infinite otherwise.
    padded_after_s: float = math.inf
    # Foot: what the sensor's faults did to the strides emitted so far (for the analysis' notes): strides whose
    # integration spans a hole, strides with a saturated accelerometer or gyroscope axis, and the largest
    # saturation levels seen (m/s^2, deg/s).
    strides_holed: int = 0
    strides_acc_clipped: int = 0
    strides_gyr_clipped: int = 0
    acc_clip_ms2: float = 0.0
    gyr_clip_dps: float = 0.0
    # Lower back with a gyroscope: the segment's evidence of the walker's forward direction in the sensor frame,
    # summed over its strides with FORWARD_DECAY (gait.laterality.stride_sway); None before the first.
    forward_sum: laterality.Vector | None = None


@functools.cache
def _pipeline_filters(sampling_rate_hz: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The pipeline's filters at a working rate: gravity, step band, impact detail, envelope (derived once per
    rate, shared by every tracker and kept outside the picklable state)."""
    fs = sampling_rate_hz
    return (
        lowpass_sos(GRAVITY_CUTOFF_HZ, fs),
        bandpass_sos(*STEP_BAND_HZ, fs),
        lowpass_sos(DETAIL_LOWPASS_HZ, fs),
        lowpass_sos(ENVELOPE_LOWPASS_HZ, fs),
    )


@functools.lru_cache(maxsize=BLOCK_MAX_SAMPLES)
def _vertical_chain(sampling_rate_hz: float, n_samples: int) -> VerticalChain:
    """The trunk pipeline's block matrices for one working rate and chunk length, shared by every tracker (a
    live sensor sends chunks of one or two lengths) and kept outside the picklable state. Bounded: every length
    at one rate fits, a few MB at most."""
    return VerticalChain(*_pipeline_filters(sampling_rate_hz), n_samples)


class GaitTracker:
    """Streaming step, stride and bout detection with stride length per placement.

    Parameters
    ----------
    placement
        Where the sensor is worn; selects the detector and the stride-length model.
    body_height_m
        The walker's height; gives the sensor height of a lower-back sensor and the population step factor.
    sensor_height_m
        Height of a lower-back / waist sensor above the ground, when measured.
    stride_scale
        Personal calibration factor from :func:`gait.stride_length.fit_stride_scale`; multiplies model lengths.
    sampling_rate_hz
        Working rate of the internal grid (default 100 Hz, 200 Hz for a foot sensor).
    sensor_side
        ``"left"`` or ``"right"``: the shoe a foot sensor is on. Its contacts and strides are that foot's, so they
        carry this side. A lower-back sensor with a gyroscope tells the side of most walking steps from the trunk's
        sideways sway (see SIDE_PLACEMENTS); elsewhere, and where that is in doubt, the side is not known (None).
        A stride carries its first contact's side.

    Examples
    --------
    >>> import numpy as np
    >>> from gait.types import Chunk
    >>> t = np.arange(0, 20, 0.01)
    >>> acc = np.zeros((len(t), 3)); acc[:, 2] = 9.81 + 2.0 * np.sin(2 * np.pi * 1.8 * t)
    >>> tracker = GaitTracker(placement="lower_back", body_height_m=1.75)
    >>> events = tracker.update(Chunk(t, acc)) + tracker.finish()
    >>> strides = [e for e in events if e.kind == "stride"]
    >>> round(float(np.median([s.cadence_spm for s in strides])))
    108
    """

    def __init__(
        self,
        *,
        placement: Placement | str,
        body_height_m: float | None = None,
        sensor_height_m: float | None = None,
        stride_scale: float | None = None,
        sampling_rate_hz: float | None = None,
        sensor_side: str | None = None,
    ) -> None:
        self.placement = Placement.parse(placement)
        if sensor_side is not None and (sensor_side not in SIDES or self.placement is not Placement.FOOT):
            raise GaitError(
                f"sensor side {sensor_side!r}: a side is left or right, and only a foot sensor has one (the shoe it "
                "is on): set the placement to foot",
                reason="bad_setting",
            )
        self.sensor_side = sensor_side
        for name, value, low, high in (
            ("body_height_m", body_height_m, *BODY_HEIGHT_RANGE_M),
            ("sensor_height_m", sensor_height_m, *SENSOR_HEIGHT_RANGE_M),
            ("stride_scale", stride_scale, *STRIDE_SCALE_RANGE),
        ):
            if value is not None and not (low <= value <= high):
                raise GaitError(f"{name}={value} is outside the plausible range {low}-{high}", reason="bad_setting")
        self.body_height_m = body_height_m
        self.sensor_height_m = sensor_height_m
        self.stride_scale = stride_scale
        if sampling_rate_hz is None:
            # Strapdown integration of a foot's fast swing loses detail at 100 Hz; trunk and phone signals do not.
            sampling_rate_hz = FOOT_RATE_HZ if self.placement is Placement.FOOT else WORKING_RATE_HZ
        self.sampling_rate_hz = float(sampling_rate_hz)
        self.state = TrackerState()
        # Derived once from the settings (which never change) because they are read on every contact.
        self._height_m, self._height_known = self.pendulum_sensor_height()
        # Stride length from the inverted pendulum (lower back, waist): the buffer keeps the acceleration for it.
        self._is_pendulum = self.placement in PENDULUM_PLACEMENTS
        # Contacts sided by the trunk's sway where a gyroscope is kept (see SIDE_PLACEMENTS).
        self._sided_by_sway = self.placement in SIDE_PLACEMENTS
        # Window lengths in grid samples, read on every chunk.
        fs = self.sampling_rate_hz
        self._w_back_n, self._w_fwd_n = round(W_BACK_S * fs), round(W_FWD_S * fs)
        self._keep_back_n = round((W_BACK_S + REFINE_BACK_S) * fs) + 1
        if self.placement in RHYTHM_PLACEMENTS:
            # The rhythm test reads RHYTHM_WINDOW_S of band signal before every open decision (within BUFFER_S).
            self._keep_back_n = max(self._keep_back_n, round(RHYTHM_WINDOW_S * fs))
        self._buffer_n = int(BUFFER_S * fs)
        self._short_steps = self.placement in SHORT_STEP_PLACEMENTS
        # The longest interval between two contacts of a bout in grid samples, indexed by the segment's foot_mode:
        # a step elsewhere, a stride (twice the step interval) between the contacts of one foot. Read on every chunk,
        # where a property chain would cost more than the test itself.
        self._max_interval_n = (MAX_STEP_S * fs, 2 * MAX_STEP_S * fs)

    # ----------------------------------------------------------------------------------------------------------
    # public API
    def update(self, chunk: Chunk) -> list[GaitEvent]:
        """Feed the next samples; return the events decided by them.

        Parameters
        ----------
        chunk
            Samples later than every sample fed before: times in s, acceleration with gravity in m/s^2,
            optional gyroscope in deg/s.

        Returns
        -------
        list
            StepEvent, StrideEvent and BoutEvent objects in the order they were decided.
        """
        time_s = np.asarray(chunk.time_s, dtype=float)
        acc = np.asarray(chunk.acc_ms2, dtype=float)
        if len(time_s) == 0:
            return []
        # Only a foot sensor's detector and ZUPT, and the pendulum's turn check (gait.confidence), use the gyroscope;
        # elsewhere it is neither checked nor resampled.
        gyr = None
        if chunk.gyr_dps is not None and (self.placement is Placement.FOOT or self._is_pendulum):
            gyr = np.asarray(chunk.gyr_dps, dtype=float)
        longest_step_s, first_time_s, last_time_s = self._check_chunk(time_s, acc, gyr)
        if self.placement is Placement.FOOT:
            self._find_holes(time_s, longest_step_s, first_time_s)
        raw_gyr = gyr if self._is_pendulum else None  # kept as sampled (see TrackerState.raw_gyr)
        if raw_gyr is not None:
            gyr = None
        values = acc if gyr is None else np.concatenate((acc, gyr), axis=1)  # hstack's own overhead is a live cost
        st = self.state
        if st.last_time_s is not None and first_time_s - st.last_time_s <= MAX_GAP_S and longest_step_s <= MAX_GAP_S:
            # The usual live case: the chunk continues the current segment without a gap.
            events = self._process(time_s, values, has_gyr=gyr is not None, raw_gyr=raw_gyr)
            st.last_time_s = last_time_s
            return events
        events: list[GaitEvent] = []
        # Split at gaps (including the one between the previous chunk and this one) into segments; a segment
        # starts at index 0 of the very first chunk too.
        before = np.concatenate(([-np.inf if st.last_time_s is None else st.last_time_s], time_s[:-1]))
        breaks = set(np.flatnonzero(time_s - before > MAX_GAP_S).tolist())
        edges = sorted(breaks | {0, len(time_s)})
        for a, b in itertools.pairwise(edges):
            if a in breaks:
                events += self._end_segment()
            events += self._process(
                time_s[a:b], values[a:b], has_gyr=gyr is not None, raw_gyr=None if raw_gyr is None else raw_gyr[a:b]
            )
        st.last_time_s = last_time_s
        return events

    def finish(self) -> list[GaitEvent]:
        """Flush at the end of the stream: decide what the missing look-ahead allows and close the bout."""
        return self._end_segment()

    # ----------------------------------------------------------------------------------------------------------
    # model choice
    @property
    def uses_foot_detector(self) -> bool:
        """Whether initial contacts come from a foot sensor's swing/stance pattern (needs a gyroscope)."""
        return self.state.foot_mode

    @functools.cached_property
    def _contact_delay_s(self) -> float:
        """Delay from heel strike to the detected impact peak: the loading response plus the group delay of the
        causal low-pass that locates the peak (at a typical step frequency of 2 Hz)."""
        sos = lowpass_sos(DETAIL_LOWPASS_HZ, self.sampling_rate_hz)
        b, a = signal.sos2tf(sos)
        _, delay_samples = signal.group_delay((b, a), w=[2.0], fs=self.sampling_rate_hz)
        if self.placement not in (Placement.LOWER_BACK, Placement.WAIST):
            # A carried phone moves loosely against the body; its impact peak already lags by about that much.
            return IMPACT_DELAY_S
        return IMPACT_DELAY_S + float(delay_samples[0]) / self.sampling_rate_hz

    @property
    def _step_side(self) -> str | None:
        # A foot sensor's detector finds the contacts of the foot it is on; a foot sensor without a gyroscope falls
        # back to the impact detector, which cannot tell whose impact it felt.
        return self.sensor_side if self.uses_foot_detector else None

    @property
    def _is_trunk(self) -> bool:
        # A sensor on the trunk (not a foot, not a phone in the hand or a pocket): the weight shift of gait
        # initiation shows in its vertical acceleration.
        return self.placement in (Placement.LOWER_BACK, Placement.WAIST)

    @property
    def _contacts_per_stride(self) -> int:
        # A foot sensor sees one foot: consecutive contacts bound a stride. Elsewhere every step is seen.
        return 1 if self.uses_foot_detector else 2

    @property
    def _one_contact_within_s(self) -> float:
        # Contacts closer than this are one contact seen twice (see _on_contact); 0 where every peak is kept.
        if self.uses_foot_detector:
            return zupt.MIN_STRIDE_S
        return MIN_STEP_S if self.placement in ONE_IMPACT_PER_STEP else 0.0

    def pendulum_sensor_height(self) -> tuple[float, bool]:
        """Sensor height the inverted-pendulum model uses, and whether it comes from the walker (not a default)."""
        if self.sensor_height_m is not None:
            return self.sensor_height_m, True
        if self.body_height_m is not None:
            return SENSOR_HEIGHT_PER_BODY_HEIGHT * self.body_height_m, True
        return SENSOR_HEIGHT_PER_BODY_HEIGHT * DEFAULT_BODY_HEIGHT_M, False

    # ----------------------------------------------------------------------------------------------------------
    # checks
    def _check_chunk(self, time_s: np.ndarray, acc: np.ndarray, gyr: np.ndarray | None) -> tuple[float, float, float]:
        """Refuse a malformed chunk; return its longest sample interval in s (0 for one sample), for gap splitting,
        and its first and last times as Python floats (cheaper to compare than numpy scalars)."""
        n = len(time_s)
        if acc.shape != (n, 3) or (gyr is not None and gyr.shape != (n, 3)):
            raise GaitError("a chunk needs time (n,), acceleration (n, 3) and optional gyroscope (n, 3)")
        st = self.state
        if n == 1:
            first_s = last_s = float(time_s[0])
            shortest_s, longest_s, total_time_s = 1.0, 0.0, first_s
        elif n <= CHECK_IN_PYTHON_MAX:
            times_s = time_s.tolist()
            first_s, last_s = times_s[0], times_s[-1]
            # map over operator.sub: the same subtractions as a comprehension, with less interpreter work per step;
            # one sort of a few near-equal steps costs less than min and max, two passes.
            steps_s = sorted(map(operator.sub, times_s[1:], times_s))
            shortest_s, longest_s = steps_s[0], steps_s[-1]
            # A NaN step may sort anywhere; the sum of the times carries any NaN or inf time.
            total_time_s = sum(times_s)
        else:
            first_s, last_s = float(time_s[0]), float(time_s[-1])
            steps = time_s[1:] - time_s[:-1]
            shortest_s, longest_s = float(steps.min()), float(steps.max())
            # The times are finite when both ends and every step are (the extreme steps are needed anyway).
            total_time_s = first_s + last_s + shortest_s + longest_s
        # One test for the usual chunk: a sum is finite only when every term is (NaN and inf propagate). Only a
        # non-finite figure (a bad value, or an overflow of huge finite ones) needs the element-wise test.
        if n <= CHECK_IN_PYTHON_MAX:
            # The sum of squares, one BLAS call on a short chunk (its ravel copies at most a few dozen values): half
            # the cost of summing a Python list, and as strict (NaN and inf propagate, a square is never negative).
            # Squares overflow only beyond 1e154 m/s^2, where the vertical projection's own squares overflow too.
            flat = acc.ravel()
            total = total_time_s + float(flat.dot(flat))
        else:
            total = total_time_s + float(acc.sum())  # no copy of a long, possibly strided, chunk
        if gyr is not None and not self._is_pendulum:
            # (A non-finite rate of a lower-back gyroscope only leaves its step without a turn verdict.)
            flat = gyr.ravel() if n <= CHECK_IN_PYTHON_MAX else None
            total += float(flat.dot(flat)) if flat is not None else float(gyr.sum())
        if not math.isfinite(total) and not (
            np.isfinite(time_s).all()
            and np.isfinite(acc).all()
            and (gyr is None or self._is_pendulum or np.isfinite(gyr).all())
        ):
            raise GaitError(
                "chunk holds NaN or infinite values: drop or interpolate those samples first", reason="non_finite"
            )
        if shortest_s <= 0.0 or (st.last_time_s is not None and first_s <= st.last_time_s):
            raise GaitError("time must strictly increase within and across chunks", reason="time_not_increasing")
        # A segment keeps the gyroscope it started with (segment_gyr, set with the buffer).
        if st.buffer is not None and (gyr is not None) != st.segment_gyr:
            raise GaitError("the gyroscope cannot appear or disappear in the middle of a segment", reason="bad_shape")
        return longest_s, first_s, last_s

    def _find_holes(self, time_s: np.ndarray, longest_step_s: float, first_time_s: float) -> None:
        """Record the chunk's holes (see HOLE_MIN_S) in the state; each interval is compared with the one before
        it, across chunk borders too, so the holes do not depend on where the input is split. An interval over
        MAX_GAP_S starts a new segment instead (no stride spans it)."""
        st = self.state
        gap_s = math.nan if st.last_time_s is None else first_time_s - st.last_time_s
        if longest_step_s <= HOLE_MIN_S and not gap_s > HOLE_MIN_S:
            # The usual chunk: no interval long enough; only the last one is carried.
            st.last_step_s = float(time_s[-1] - time_s[-2]) if len(time_s) > 1 else gap_s
            return
        times = time_s if st.last_time_s is None else np.concatenate(([st.last_time_s], time_s))
        steps = np.diff(times)
        before = np.concatenate(([st.last_step_s if st.last_time_s is not None else math.nan], steps[:-1]))
        holes = np.flatnonzero((steps > HOLE_MIN_S) & (steps > HOLE_RATIO * before) & (steps <= MAX_GAP_S))
        st.holes += [(float(times[i]), float(times[i + 1])) for i in holes]
        st.last_step_s = float(steps[-1]) if len(steps) else math.nan

    # ----------------------------------------------------------------------------------------------------------
    # signal processing
    def _process(
        self, time_s: np.ndarray, values: np.ndarray, *, has_gyr: bool, raw_gyr: np.ndarray | None = None
    ) -> list[GaitEvent]:
        st = self.state
        if raw_gyr is not None:
            st.raw_gyr.append((np.array(time_s), np.array(raw_gyr)))  # copies: the caller may reuse its arrays
        fs = self.sampling_rate_hz
        grid_t, grid_v = resample_chunk(st.resampler, time_s, values, fs)
        if len(grid_t) == 0:
            return []
        if st.buffer is not None and not st.foot_mode and len(grid_t) <= BLOCK_MAX_SAMPLES:
            # The live case: a short chunk that continues a trunk or phone segment (every state is set, and the
            # grid values are the three acceleration axes: only a foot segment resamples a gyroscope).
            band, detail, power, (st.zi_gravity, st.zi_band, st.zi_detail, st.zi_envelope) = _vertical_chain(
                fs, len(grid_t)
            )(grid_v, st.zi_gravity, st.zi_band, st.zi_detail, st.zi_envelope)
            new_live = {"t": grid_t, "band": band, "detail": detail, "power": power}
            if self._is_pendulum:
                new_live["acc"] = grid_v  # the three acceleration axes, for the step's own vertical
            st.buffer.append(new_live)
            events = self._detect()
            self._trim()
            return events
        acc = grid_v[:, :3]
        gyr = grid_v[:, 3:6] if has_gyr else None
        gravity_sos, band_sos, detail_sos, envelope_sos = _pipeline_filters(fs)
        gravity, st.zi_gravity = sosfilt_stream(gravity_sos, acc, st.zi_gravity)
        vertical = vertical_from_gravity(acc, gravity)
        # One block product for both filters of the vertical acceleration on a live chunk.
        (band, detail), (st.zi_band, st.zi_detail) = sosfilt_bank(
            (band_sos, detail_sos), vertical, (st.zi_band, st.zi_detail)
        )
        power, st.zi_envelope = sosfilt_stream(envelope_sos, band * band, st.zi_envelope)
        gyro_norm = None
        if gyr is not None and self.placement is Placement.FOOT:
            gyro_norm, st.zi_gyro = sosfilt_stream(detail_sos, np.sqrt(np.einsum("ij,ij->i", gyr, gyr)), st.zi_gyro)
        foot = gyro_norm is not None
        # Only the signals that detection and the stride models read are kept: the gyroscope and the norms serve
        # the foot's detector and ZUPT alone; the acceleration serves ZUPT and the pendulum's per-step vertical.
        new = {
            "t": grid_t,
            "band": band,
            "detail": detail,
            # The mean power; its root, the envelope, is only needed where a peak is tested (see _detect).
            "power": power,
            "acc": acc if foot or self._is_pendulum else None,
            "gyr": gyr,
            "gyro_norm": gyro_norm,
            "acc_norm": np.sqrt(np.einsum("ij,ij->i", acc, acc)) if foot else None,
        }
        if st.buffer is not None:
            st.buffer.append(new)
        else:
            st.buffer = SampleBuffer(new)
            st.buffer_start = st.resampler.next_index - len(grid_t)
            st.foot_mode = gyro_norm is not None
            st.segment_gyr = gyr is not None or bool(st.raw_gyr)
            st.next_decide = st.buffer_start
        events = self._detect()
        self._trim()
        return events

    def _detect(self) -> list[GaitEvent]:
        if self.uses_foot_detector:
            return self._detect_foot()
        st = self.state
        fs = self.sampling_rate_hz
        w_back, w_fwd = self._w_back_n, self._w_fwd_n
        buf = st.buffer
        end = st.buffer_start + len(buf)  # one past the last grid index
        last_decidable = end - 1 - w_fwd
        events: list[GaitEvent] = []
        if last_decidable < st.next_decide:
            return events
        signal_name = "band"
        s = buf[signal_name]
        lo = st.next_decide - st.buffer_start  # buffer position of the first open decision
        hi = last_decidable - st.buffer_start  # inclusive
        # Pad on the left with -inf where the segment started less than w_back samples ago (a view otherwise).
        left_pad = max(0, w_back - lo)
        ext = s[lo - w_back : hi + w_fwd + 1]
        if left_pad:
            ext = np.concatenate((np.full(left_pad, -np.inf), s[: hi + w_fwd + 1]))
        # ext[w_back + k] is buffer position lo + k. A peak must beat every sample in the w_back before it and
        # match or beat every sample in the w_fwd after it; such a sample is a local maximum above threshold,
        # so only those few candidates get the (exact) window test. The threshold scales with the RMS envelope,
        # the root of the buffered mean power (negative rounding residue counts as zero).
        n = hi - lo + 1
        power = buf["power"]
        # A lower-back peak between rel_low and REL_PEAK of the envelope is weak: it counts only where the bout's
        # rhythm expects a contact (see EXPECTED_REL_PEAK).
        rel_low = EXPECTED_REL_PEAK if self.placement is Placement.LOWER_BACK else REL_PEAK
        found: list[tuple[int, float, float]] = []  # (buffer position, band-passed peak, RMS envelope)
        # Peaks that pass every test but W_BACK_S: a short step of an alternating walk (see SHORT_STEP_PLACEMENTS).
        shadowed: list[tuple[int, float, float]] = []
        if n <= SCAN_IN_PYTHON_MAX:
            # A live chunk: a dozen comparisons of Python floats (the same IEEE arithmetic, so the same decisions)
            # cost less than the numpy calls of the vectorised scan below.
            near = ext[w_back - 1 : w_back + n + 1].tolist()
            # A peak exceeds MIN_PEAK_MS2: a chunk of standing still (most of a day) has none to look at. (Written
            # as "not <=" so that a NaN, which max() returns only when it comes first, still gets the full loop.)
            for k in range(n) if not max(near) <= MIN_PEAK_MS2 else ():
                peak = near[k + 1]
                if not (peak > near[k] and peak >= near[k + 2]):
                    continue
                envelope = math.sqrt(max(float(power[lo + k]), 0.0))
                if peak > max(MIN_PEAK_MS2, rel_low * envelope) and (
                    peak >= ext[k + w_back + 1 : k + w_back + 1 + w_fwd].max()
                ):
                    if peak > ext[k : k + w_back].max():
                        found.append((lo + k, peak, envelope))
                    elif self._short_steps:
                        shadowed.append((lo + k, peak, envelope))
        else:
            centre = ext[w_back : w_back + n]
            envelope = np.sqrt(np.maximum(power[lo : hi + 1], 0.0))
            local = (centre > ext[w_back - 1 : w_back - 1 + n]) & (centre >= ext[w_back + 1 : w_back + 1 + n])
            cand = np.flatnonzero(local & (centre > np.maximum(MIN_PEAK_MS2, rel_low * envelope)))
            if len(cand):
                before = ext[cand[:, None] + np.arange(w_back)].max(axis=1)
                after = ext[cand[:, None] + w_back + 1 + np.arange(w_fwd)].max(axis=1)
                dominant = centre[cand] > before
                if self._short_steps:
                    extra = cand[~dominant & (centre[cand] >= after)]
                    shadowed = list(
                        zip((extra + lo).tolist(), centre[extra].tolist(), envelope[extra].tolist(), strict=True)
                    )
                cand = cand[dominant & (centre[cand] >= after)]
            # tolist: the same Python floats as float() of each element, in one call for the day's thousands
            found = list(zip((cand + lo).tolist(), centre[cand].tolist(), envelope[cand].tolist(), strict=True))
        if not found and not shadowed:
            st.next_decide = last_decidable + 1
            events += self._timeout(st.next_decide)
            return events
        refine = round(REFINE_BACK_S * fs)
        lag_n = round(EXPECTED_LAG_S * fs)
        # Views fetched once: contacts found here neither add nor drop buffered samples.
        detail, times = buf["detail"], buf["t"]
        # (a shadowed peak never shares a position with a found one: merge them in time order)
        peaks = [(*f, False) for f in found]
        if shadowed:
            peaks = sorted(peaks + [(*f, True) for f in shadowed])
        for p, peak, envelope, is_shadowed in peaks:
            strong = peak > max(MIN_PEAK_MS2, REL_PEAK * envelope)
            a = max(0, p - refine)
            ic_pos = a + int(detail[a : p + 1].argmax())
            ic_index = st.buffer_start + ic_pos
            short_step = self._short_step_expected(ic_index)
            if is_shadowed and not (
                strong and self._short_step_expected(ic_index, same_leg=True) and self._rises_from_last_contact(p, peak)
            ):
                continue
            events += self._timeout(ic_index)
            if (
                st.bout
                and self.placement in UNLOADED_PLACEMENTS
                and detail[ic_pos] <= 0.0
                and not self._expected(ic_index)
            ):
                continue  # the trunk swayed between steps: no loading, off the rhythm (see UNLOADED_PLACEMENTS)
            if not strong and (p - ic_pos > lag_n or not self._expected(ic_index)):
                # A soft peak counts only where the rhythm expects a contact (lower back), or, a little earlier,
                # as the walk's closing step if no contact follows it (see CLOSING_EARLIEST).
                if p - ic_pos <= lag_n and st.closing is None and self._expected(ic_index, earliest=CLOSING_EARLIEST):
                    st.closing = _Candidate(index=ic_index, t_s=float(times[ic_pos]) - self._contact_delay_s)
                continue
            rhythm_band = None
            # Where the walk's own alternating rhythm expects its short step, a peak there is that step, not the
            # arm's second bump (that comes about half a step after a contact: see SHORT_STEP_PLACEMENTS).
            if self.placement in RHYTHM_PLACEMENTS and not short_step:
                # The recent walk up to this peak (the samples exist: see _trim), for the rhythm test.
                rhythm_band = buf["band"][max(0, p + 1 - round(RHYTHM_WINDOW_S * fs)) : p + 1]
            events += self._on_contact(
                ic_index,
                float(times[ic_pos]) - self._contact_delay_s,
                strength_ms2=peak,
                rest_before=envelope < MIN_PEAK_MS2,
                weak=not strong,
                rhythm_band=rhythm_band,
            )
        st.next_decide = last_decidable + 1
        events += self._timeout(st.next_decide)
        return events

    def _detect_foot(self) -> list[GaitEvent]:
        """Contacts of a foot sensor: each stance onset after a swing, refined to the heel-strike impact.

        A stance onset is known when the low-passed gyroscope norm falls below STILL_GYRO_DPS, about 0.2 s after
        heel strike; the impact is the acceleration peak just before it. The onset is decided ``SETTLE_S`` later
        (a fixed look-ahead), once the stride's integration can end with the foot at rest (see :mod:`gait.zupt`).
        """
        st = self.state
        fs = self.sampling_rate_hz
        buf = st.buffer
        lo = st.next_decide - st.buffer_start
        hi = max(lo, len(buf["t"]) - round(zupt.SETTLE_S * fs))  # positions lo..hi-1 are decided now
        g = buf["gyro_norm"][lo:hi]
        below = g < zupt.STILL_GYRO_DPS
        prev_below = np.concatenate(([st.foot_below_prev], below[:-1]))
        onsets = np.flatnonzero(below & ~prev_below)
        swings = np.flatnonzero(g > zupt.SWING_GYRO_DPS)
        events: list[GaitEvent] = []
        search = round(zupt.IC_SEARCH_S * fs)
        last = -1
        for s in onsets:
            swung = st.foot_swing_seen or np.searchsorted(swings, s) > np.searchsorted(swings, last, side="right")
            st.foot_swing_seen = False
            last = s
            if not swung:
                continue
            pos = lo + s
            a = max(0, pos - search)
            ic_pos = a + int(np.argmax(buf["acc_norm"][a : pos + 1]))
            ic_index = st.buffer_start + ic_pos
            impact_ms2 = float(buf["acc_norm"][ic_pos])
            if impact_ms2 < zupt.MIN_IMPACT_MS2:
                continue  # no landing shock: the foot pivoted or slid on the floor
            events += self._timeout(ic_index)
            events += self._on_contact(
                ic_index, float(buf["t"][ic_pos]), anchor=st.buffer_start + pos, strength_ms2=impact_ms2
            )
        if len(g):
            st.foot_swing_seen = bool(np.searchsorted(swings, last, side="right") < len(swings)) or (
                st.foot_swing_seen and last < 0
            )
            st.foot_below_prev = bool(below[-1])
        st.next_decide = st.buffer_start + hi
        events += self._timeout(st.next_decide)
        return events

    def _expected(self, index: int, earliest: float = EXPECTED_WINDOW[0]) -> bool:
        """Whether two firm contacts of the confirmed bout predict a contact at this grid index (from ``earliest``
        of the last step interval after the last contact to the end of EXPECTED_WINDOW)."""
        bout = self.state.bout
        if len(bout) < 2 or bout[-1].weak or bout[-2].weak:
            return False
        interval = bout[-1].index - bout[-2].index
        elapsed = index - bout[-1].index
        return earliest * interval <= elapsed <= EXPECTED_WINDOW[1] * interval

    def _short_step_expected(self, index: int, same_leg: bool = False) -> bool:
        """Whether the confirmed bout's alternating rhythm expects its short step at this grid index, where the last
        contact ended a long step (see _learn_alternation and SHORT_STEP_PLACEMENTS): within EXPECTED_WINDOW of the
        short step's interval after the last contact, or, with ``same_leg``, within MAX_STEP_RATIO of it (as much as
        one leg's consecutive steps may differ, see alternating_steps)."""
        st = self.state
        if not st.alt_short_next or not st.bout or st.bout[-1].weak:
            return False
        elapsed = index - st.bout[-1].index
        if same_leg:
            return st.alt_short_n <= MAX_STEP_RATIO * elapsed and elapsed <= MAX_STEP_RATIO * st.alt_short_n
        return EXPECTED_WINDOW[0] * st.alt_short_n <= elapsed <= EXPECTED_WINDOW[1] * st.alt_short_n

    def _learn_alternation(self) -> None:
        """Follow the confirmed bout's alternating rhythm after a contact was added to it.

        Where the last two steps differ by more than MAX_STEP_RATIO (a regular walk's consecutive steps never do) and
        at most MAX_STEP_ASYMMETRY, the last one the long one, the walk alternates: the next step is the other leg's,
        as short as the step before the last. The rhythm is kept while the steps follow it: after a short step a long
        one is due; after a long step, or after an interval of a whole stride (long and short: the short step was
        not found), a short one; any other interval ends it. Within EXPECTED_WINDOW counts as following it.
        """
        st = self.state
        bout = st.bout
        if not self._short_steps or len(bout) < 3:
            return
        short, long = bout[-2].index - bout[-3].index, bout[-1].index - bout[-2].index
        if MAX_STEP_RATIO * short < long <= MAX_STEP_ASYMMETRY * short:
            st.alt_short_n, st.alt_long_n, st.alt_short_next = short, long, True
            return
        if not st.alt_short_n:
            return

        def near(interval: int, expected: int) -> bool:
            return EXPECTED_WINDOW[0] * expected <= interval <= EXPECTED_WINDOW[1] * expected

        if near(long, st.alt_short_n):
            st.alt_short_next = False
        elif near(long, st.alt_long_n) or near(long, st.alt_long_n + st.alt_short_n):
            st.alt_short_next = True
        else:
            st.alt_short_n = st.alt_long_n = 0
            st.alt_short_next = False

    def _rises_from_last_contact(self, p: int, peak: float) -> bool:
        """Whether the band-passed peak at buffer position ``p`` is the first rise after the bout's last contact's
        own peak (the highest sample since that contact): it beats every sample from the lowest point after that
        peak on, so it is no bump on the way down from it."""
        st = self.state
        seg = st.buffer["band"][max(0, st.bout[-1].index - st.buffer_start) : p]
        if len(seg) == 0:
            return False
        after_top = seg[int(np.argmax(seg)) :]
        return peak > float(after_top[int(np.argmin(after_top)) :].max())

    def _trim(self) -> None:
        st = self.state
        keep_from = st.next_decide - self._keep_back_n
        if st.bout or st.pending:
            chain = st.bout or st.pending
            last = chain[-1]
            keep_from = min(keep_from, min(last.index, last.anchor if last.anchor >= 0 else last.index) - 30)
            if self._sided_by_sway and st.raw_gyr and len(chain) >= 2:
                # The next contact's side reads the stride from the contact before the last (see _sway_side).
                keep_from = min(keep_from, chain[-2].index)
        keep_from = max(keep_from, st.buffer_start + len(st.buffer) - self._buffer_n)
        cut = keep_from - st.buffer_start
        if cut > 0:
            st.buffer.drop_oldest(cut)
            st.buffer_start = keep_from
        if st.holes and st.holes[0][1] < st.buffer["t"][0]:
            # Holes wholly before the kept samples: no stride still to be measured can span them.
            oldest_s = float(st.buffer["t"][0])
            st.holes = [h for h in st.holes if h[1] >= oldest_s]
        raw = st.raw_gyr
        if len(raw) > RAW_GYR_CHUNKS or (raw and len(raw[-1][0]) > RAW_GYR_CHUNKS):
            # Drop the gyroscope chunks wholly before the oldest kept grid time (less one grid step: no rounding
            # can drop a sample a step may still read).
            oldest_s = st.resampler.origin_s + (st.buffer_start - 1) / self.sampling_rate_hz
            while len(raw) > 1 and raw[0][0][-1] < oldest_s:
                del raw[0]

    # ----------------------------------------------------------------------------------------------------------
    # bouts, steps and strides
    def _timeout(self, index: int) -> list[GaitEvent]:
        """End the bout (or drop pending contacts) once no contact can follow within MAX_STEP_S."""
        st = self.state
        last = (st.bout or st.pending)[-1] if (st.bout or st.pending) else None
        if last is None or index - last.index <= self._max_interval_n[st.foot_mode]:
            return []
        return self._close_bout()

    def _close_bout(self) -> list[GaitEvent]:
        st = self.state
        events: list[GaitEvent] = []
        closing, st.closing = st.closing, None
        if st.bout and closing is not None and closing.index > st.bout[-1].index:
            # No contact followed the soft early peak: it was the walk's closing step (see CLOSING_EARLIEST).
            st.bout.append(closing)
            st.bout_steps += 1
            events.append(StepEvent(t_s=closing.t_s, side=self._step_side))
        if st.bout:
            events.append(
                BoutEvent(start_s=st.bout_start_s, end_s=st.bout[-1].t_s, steps=st.bout_steps, one_foot=st.foot_mode)
            )
        st.bout = []
        st.pending = []
        st.bout_start_s = None
        st.bout_steps = 0
        st.alt_short_n = st.alt_long_n = 0
        st.alt_short_next = False
        return events

    def _end_segment(self) -> list[GaitEvent]:
        """Decide the segment's last contacts (padding the look-ahead with its last sample), close the bout."""
        st = self.state
        events: list[GaitEvent] = []
        if st.resampler.last_time_s is not None and st.buffer is not None:
            n_pad = int(np.ceil((W_FWD_S + 0.02) * self.sampling_rate_hz))
            pad_t = st.resampler.last_time_s + np.arange(1, n_pad + 1) / self.sampling_rate_hz
            pad_v = np.repeat(st.resampler.last_values[None, :], n_pad, axis=0)
            st.padded_after_s = st.resampler.last_time_s
            events += self._process(pad_t, pad_v, has_gyr=pad_v.shape[1] == 6)
            st.padded_after_s = math.inf
        events += self._close_bout()
        st.resampler = ResamplerState()
        st.zi_gravity = st.zi_band = st.zi_detail = st.zi_envelope = st.zi_gyro = None
        st.foot_below_prev, st.foot_swing_seen = True, False
        st.buffer = None
        st.raw_gyr = []
        st.forward_sum = None
        st.buffer_start = st.next_decide = 0
        st.bounce_phase, st.bounce_weight = 0j, 0.0
        st.pace_sum_s, st.pace_weight = 0.0, 0.0
        st.rotation_sum_dps2, st.rotation_weight = 0.0, 0.0
        st.segment += 1
        return events

    def _on_contact(
        self,
        index: int,
        t_s: float,
        anchor: int = -1,
        strength_ms2: float = float("inf"),
        rest_before: bool = False,
        weak: bool = False,
        rhythm_band: np.ndarray | None = None,
    ) -> list[GaitEvent]:
        st = self.state
        fs = self.sampling_rate_hz
        per_stride = self._contacts_per_stride
        chain = st.bout or st.pending
        if chain and index <= chain[-1].index:
            return []  # the same impact found twice
        if chain and (
            index - chain[-1].index < self._one_contact_within_s * fs
            or (rhythm_band is not None and self._off_rhythm(index - chain[-1].index, rhythm_band))
        ):
            # Two contacts too close to be two are one seen twice. A foot sensor: two stance onsets within the
            # shortest stride are a foot slap after heel strike, or a pause in the slow, flat swing of the first
            # step from standing. A lower-back sensor sees two impacts in one step in some walkers (heel strike,
            # then the loading peak 0.1-0.2 s later), and two band-pass peaks 0.3 s apart can refine to them; a
            # phone in the hand bobs twice in a slow step; a pocket phone feels the other leg's heel strike, then
            # its own leg's toe-off. In a confirmed bout the first is kept (it is already emitted); before that,
            # the stronger (heel strike is the strongest shock of a foot's cycle, and a weak first trunk peak is a
            # wobble before the step), except in a pocket (see FIRST_OF_TWO_PLACEMENTS).
            if st.bout or strength_ms2 <= chain[-1].strength_ms2 or self.placement in FIRST_OF_TWO_PLACEMENTS:
                return []
            st.pending.pop()
            chain = st.pending
        st.closing = None  # a contact follows: the soft early peak before it was no closing step
        cand = _Candidate(
            index=index,
            t_s=t_s,
            anchor=anchor,
            strength_ms2=strength_ms2,
            rest_before=rest_before,
            weak=weak,
        )
        sided = self._sided_by_sway and st.raw_gyr and len(chain) >= 2
        if chain:
            # The raw gyroscope since the stride's first contact serves the step's turn check and the stride's side
            # alike (each picks its own samples by time): joined once (a live tracker keeps it in chunks).
            gyr_window = self._raw_gyr_window(chain[-2] if sided else chain[-1], chain[-1])
            cand.step_length_m = self._segment_length(chain[-1], cand, gyr_window)
        cand.side = self._step_side
        if sided:
            cand.side = self._sway_side(chain[-2], chain[-1], cand, gyr_window)
        if st.bout:
            st.bout.append(cand)
            st.bout_steps += 1
            del st.bout[: -(per_stride + 1)]
            self._learn_alternation()
            self._learn_bounce([cand])
            return [StepEvent(t_s=cand.t_s, side=cand.side), *self._stride(st.bout)]
        st.pending.append(cand)
        if len(st.pending) < per_stride + 1:
            return []
        opening = self._opening(st.pending)
        if not opening:
            # Not yet a bout. Keep the last contacts whose steps could be left and right ones of a walk (each within
            # MAX_STEP_ASYMMETRY of the next; the next contacts may show its stride-to-stride rhythm), up to one
            # short of ALTERNATING_CONTACTS; restart from the last two where no such step pair is left.
            keep = 2
            if per_stride == 2:
                while keep < min(len(st.pending), ALTERNATING_CONTACTS - 1) and (
                    interval_ratio(
                        st.pending[-keep].index - st.pending[-keep - 1].index,
                        st.pending[-keep + 1].index - st.pending[-keep].index,
                    )
                    <= MAX_STEP_ASYMMETRY
                ):
                    keep += 1
            del st.pending[:-keep]
            return []
        if self._is_weight_shift(st.pending[-opening:]):
            # A weight shift before the first step, not a heel strike: the bout may start at the next contact.
            st.pending = st.pending[1 - opening :]
            return []
        # Bout confirmed: emit its contacts and the stride that ends at the last one (the strides before it were
        # decided a step or more after their final contact: too late, see _opening).
        del st.pending[:-opening]
        st.bout = st.pending[-(per_stride + 1) :]
        st.bout_start_s = st.pending[0].t_s
        st.bout_steps = len(st.pending)
        events: list[GaitEvent] = [StepEvent(t_s=c.t_s, side=c.side) for c in st.pending]
        st.pending = []
        self._learn_alternation()
        self._learn_bounce(st.bout[1:])  # the steps of the bout's first stride (the first contact's is before it)
        events += self._stride(st.bout)
        return events

    def _opening(self, chain: list[_Candidate]) -> int:
        """How many of the last contacts of a chain not yet confirmed open a walking bout now (0: none yet).

        One regular stride opens a bout: its two steps within MAX_STEP_RATIO of each other (the last three contacts).
        Where they differ by more, two strides whose left and right steps alternate (alternating_steps: the last
        ALTERNATING_CONTACTS contacts) open it: stride-to-stride regularity, seen two steps later, so only the stride
        that ends at the last contact is emitted (the two before it were decided a step or more after their final
        contact, beyond the latency budget). The first test comes first: where the last two steps are alike, an
        earlier contact that fits only as an alternating step is most often the weight shift or push-off of gait
        initiation, a third of a second before the first step. A foot sensor sees one foot: two contacts bound its
        first stride.
        """
        per_stride = self._contacts_per_stride
        if per_stride == 1:
            return 2
        steps = [b.index - a.index for a, b in itertools.pairwise(chain[-ALTERNATING_CONTACTS:])]
        if interval_ratio(steps[-1], steps[-2]) <= MAX_STEP_RATIO:
            return per_stride + 1
        if per_stride == 2 and len(steps) == ALTERNATING_CONTACTS - 1 and alternating_steps(steps):
            return ALTERNATING_CONTACTS
        return 0

    def _off_rhythm(self, elapsed: int, band: np.ndarray) -> bool:
        """Whether a contact ``elapsed`` grid samples after the previous one is that step's second bump.

        Two independent signs, both required: the interval is well short of the walk's step period (by more than
        MAX_STEP_RATIO, the most two consecutive steps of a walk differ), and the recent band-passed signal
        (``band``) is anti-correlated with itself at that lag. A true step repeats the vertical motion of the step
        before it (positive autocorrelation at its interval); a bump half a step after a contact sits where the
        motion is out of phase (negative autocorrelation). The rhythm comes from the signal, not from the contacts
        accepted so far, so a missed or an extra contact cannot lock the test onto a wrong period.
        """
        max_lag = round(MAX_STEP_S * self.sampling_rate_hz) + 1
        if elapsed >= max_lag / MAX_STEP_RATIO:
            return False  # no step period is that long: spare the correlation
        acf = autocorrelation(band, max_lag)
        period = rhythm_period_samples(acf, round(MIN_STEP_S * self.sampling_rate_hz))
        return period is not None and elapsed < period / MAX_STEP_RATIO and acf[elapsed] < 0.0

    def _is_weight_shift(self, chain: list[_Candidate]) -> bool:
        """Whether the first contact of the contacts that open a bout (``chain``: a stride, or two where the steps
        alternate, see _opening) is the weight shift of gait initiation.

        Only trunk sensors (lower back, waist): starting from quiet standing (RMS envelope below MIN_PEAK_MS2),
        a first peak under FIRST_PEAK_RATIO of the larger of the next two is no heel strike, nor is one followed
        by the next contact within PUSH_OFF_STEP_SHARE of the same leg's next step (the push-off of the first
        swing). Where the steps alternate, that step is two on (the next one is the other leg's, short or long by
        design: a walk that starts on its short step would lose its first contact), else the next one.
        """
        if not self._is_trunk:
            return False
        first = chain[0]
        if not first.rest_before:
            return False
        strongest_next_ms2 = max(c.strength_ms2 for c in chain[1:3])
        if first.strength_ms2 < FIRST_PEAK_RATIO * strongest_next_ms2:
            return True
        alternating = len(chain) == ALTERNATING_CONTACTS
        same_leg_next = chain[3].index - chain[2].index if alternating else chain[2].index - chain[1].index
        # A push-off is weaker than the heel strikes after it (they stop the body's fall), and comes one swing early.
        return first.strength_ms2 < strongest_next_ms2 and (
            chain[1].index - first.index < PUSH_OFF_STEP_SHARE * same_leg_next
        )

    def _segment_length(
        self, prev: _Candidate, cand: _Candidate, gyr_window: tuple[np.ndarray, np.ndarray] | None = None
    ) -> float | None:
        """Model length between two consecutive contacts: a step (trunk, phone) or a stride (foot, ZUPT);
        ``gyr_window``: the raw gyroscope covering the step (see _raw_gyr_window), for the pendulum's turn check."""
        if self.uses_foot_detector:
            a = prev.anchor - self.state.buffer_start
            b = cand.anchor - self.state.buffer_start
            if a < 0 or b - a < 10 or (cand.index - prev.index) > self._max_interval_n[True]:
                return None
            st = self.state
            buf = st.buffer
            # up to SETTLE_S into the second stance: the onset was decided that much later, so the samples exist
            e = b + round(zupt.SETTLE_S * self.sampling_rate_hz) + 1
            dt = 1.0 / self.sampling_rate_hz
            acc, gyr = buf["acc"][a:e], buf["gyr"][a:e]
            t = buf["t"][a:e]
            # A saturated axis (see zupt.CLIP_RUN_S) lowers the stride's confidence; the length is still given. The
            # copies of the last sample that pad a segment's end are flat too, but no saturation: left out.
            real = len(t) if st.padded_after_s == math.inf else int(np.searchsorted(t, st.padded_after_s, "right"))
            cand.acc_clip_ms2 = float(zupt.saturated_axes(acc[:real], zupt.CLIP_MIN_ACC_MS2, dt)[0].max())
            cand.gyr_clip_dps = float(zupt.saturated_axes(gyr[:real], zupt.CLIP_MIN_GYR_DPS, dt)[0].max())
            spans = [h for h in st.holes if h[1] > t[0] and h[0] < t[-1]]
            if spans:
                # Samples lost inside the integration (not merely in the stance around it): no length (HOLE_MIN_S).
                bounds = zupt.integration_bounds(gyr, buf["gyro_norm"][a:e])
                if bounds is not None:
                    t0, t1 = float(t[bounds[0]]), float(t[bounds[1]])
                    if any(h1 > t0 and h0 < t1 for h0, h1 in spans):
                        cand.holed = True
                        return None
            length = zupt.stride_between_stances_m(acc, gyr, buf["gyro_norm"][a:e], dt)
            return length if np.isfinite(length) else None
        return self._step_length(prev.index, cand, gyr_window)

    def _step_length(
        self, start_index: int, cand: _Candidate, gyr_window: tuple[np.ndarray, np.ndarray] | None = None
    ) -> float | None:
        """Model length of the step from ``start_index`` to the contact ``cand`` from the buffered samples (scale 1
        for Weinberg). Lower back, waist: also sets the step's bounce phasor and the measures of its confidence
        on ``cand``."""
        st = self.state
        if self.placement in (Placement.WRIST, Placement.CHEST, Placement.FOOT):
            return None
        a = start_index - st.buffer_start
        b = cand.index - st.buffer_start
        if a < 0:
            return None
        dt = 1.0 / self.sampling_rate_hz
        if self._is_pendulum:
            # From the raw acceleration, not the band-passed vertical: see step_bounce_ms2. Only the part of the
            # step's bounce in the walker's usual phase counts (see bounce_excursion_m), that phase learned from
            # the walking steps before this one (see _learn_bounce): before the first bout the whole amplitude.
            acc = st.buffer["acc"][a : b + 1]
            bounce = step_bounce_ms2(acc)
            agreement = bounce_agreement(bounce, st.bounce_phase, st.bounce_weight)  # once: the excursion uses it too
            d = bounce_excursion_m(bounce, (b - a) * dt, st.bounce_phase, st.bounce_weight, agreement=agreement)
            cand.bounce_ms2 = bounce
            cand.phase_share, cand.coherence = agreement
            if st.raw_gyr:
                t = st.buffer["t"]
                start_s, end_s = float(t[a]), float(t[b])
                times, rates = gyr_window if gyr_window is not None else self._raw_gyr_since(start_s)
                cand.turn_deg, cand.rotation_dps2 = step_rotation(acc, times, rates, start_s, end_s)
            return float(pendulum_step_length_m(d, self._height_m, PENDULUM_SCALE))
        seg = st.buffer["detail"][a : b + 1]
        cand.acc_range_ms2 = float(seg.max() - seg.min())
        return float(weinberg_step_length_m(cand.acc_range_ms2, WEINBERG_K))

    def _raw_gyr_window(self, first: _Candidate, fallback: _Candidate) -> tuple[np.ndarray, np.ndarray] | None:
        """The raw gyroscope from the contact ``first`` on (from ``fallback`` where ``first``'s samples are gone);
        None without a gyroscope, or where neither contact is still buffered."""
        st = self.state
        if not st.raw_gyr or not self._is_pendulum:
            return None
        for c in (first, fallback):
            a = c.index - st.buffer_start
            if a >= 0:
                return self._raw_gyr_since(float(st.buffer["t"][a]))
        return None

    def _raw_gyr_since(self, start_s: float) -> tuple[np.ndarray, np.ndarray]:
        """The raw gyroscope samples (times, rates) of the chunks from the one holding ``start_s`` on."""
        raw = self.state.raw_gyr
        k = len(raw) - 1
        while k > 0 and raw[k][0][0] > start_s:
            k -= 1
        if k == len(raw) - 1:
            return raw[k]
        # the window spans chunks (live): join just those
        return np.concatenate([c[0] for c in raw[k:]]), np.concatenate([c[1] for c in raw[k:]])

    def _sway_side(
        self,
        first: _Candidate,
        prev: _Candidate,
        cand: _Candidate,
        gyr_window: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> str | None:
        """The side of the contact ``cand`` that ends the stride from ``first`` (its foot's previous contact, with
        ``prev`` between them), from the trunk's sideways sway (gait.laterality); also adds the stride's forward
        evidence to the segment's. Decided with the contact, from the samples up to it (``gyr_window``: the raw
        gyroscope from ``first`` on, see _raw_gyr_window; fetched here when None).

        A wrong side is worse than none, so it is None where the stride is longer than a walking stride or its
        samples are gone, and where either check fails:

        - turn: the stride turns by more than TURN_DEG (the turn check of the stride's confidence). In a turn the
          trunk leans into the curve and pivots over one foot, and the forward direction turns within the stride:
          the sway is no longer a side-to-side swing about a straight line;
        - alternation: the previous contact's sway, read with the same forward direction, points to the same side.
          Two consecutive steps of a walk land on different feet, so one of the two readings is wrong.

        Measured (bench.side, right / wrong / None and right among the sides given, mobgap; IPOL): without either
        check 0.812 / 0.061 / 0.127, 0.930; 0.944 / 0.016 / 0.041, 0.984. Turn only: 0.554 / 0.019 / 0.427, 0.967;
        0.876 / 0.008 / 0.116, 0.991. Alternation only: 0.648 / 0.023 / 0.329, 0.965; 0.896 / 0.008 / 0.096, 0.991.
        Both: see SIDE_PLACEMENTS."""
        st = self.state
        a = first.index - st.buffer_start
        b = cand.index - st.buffer_start
        if a < 0 or cand.index - first.index > self._max_interval_n[True]:
            return None
        t = st.buffer["t"]
        start_s, end_s = float(t[a]), float(t[b])
        times, rates = gyr_window if gyr_window is not None else self._raw_gyr_since(start_s)
        found = laterality.stride_sway(st.buffer["acc"][a : b + 1], times, rates, start_s, end_s)
        if found is None:
            return None
        forward, cand.sway_lever = found
        if st.forward_sum is not None:
            fx, fy, fz = st.forward_sum
            forward = (
                FORWARD_DECAY * fx + forward[0],
                FORWARD_DECAY * fy + forward[1],
                FORWARD_DECAY * fz + forward[2],
            )
        st.forward_sum = forward
        if abs(prev.turn_deg + cand.turn_deg) > TURN_DEG:  # False for NaN: no turn verdict
            return None
        side = laterality.contact_side(st.forward_sum, cand.sway_lever)
        if prev.sway_lever is None or laterality.contact_side(st.forward_sum, prev.sway_lever) in (side, None):
            return None
        return side

    def _learn_bounce(self, contacts: list[_Candidate]) -> None:
        """Add the bounces of the steps that end at ``contacts`` (steps of a bout) to the walker's bounce phase.

        Only a bout's steps teach the phase: they are walking (a pending contact may be a wobble or a weight shift),
        and they are the steps whose lengths make the bout's strides, so they are measured the same however the
        input is split (a pending contact's step can start before the samples a live tracker still holds)."""
        st = self.state
        for c in contacts:
            st.bounce_phase, st.bounce_weight = update_bounce_phase(st.bounce_phase, st.bounce_weight, c.bounce_ms2)

    def _stride(self, contacts: list[_Candidate]) -> list[StrideEvent]:
        """The stride that ends at the last contact, from the per-contact lengths of the steps inside it."""
        first, last = contacts[0], contacts[-1]
        duration_s = last.t_s - first.t_s
        cadence_spm = 120.0 / duration_s
        parts = [c.step_length_m for c in contacts[1:]]
        length_m: float | None = None
        confidence = 0.0
        method = "none"
        if parts and all(p is not None for p in parts):
            length_m = float(sum(parts))
            method, confidence = self._method_confidence()
            if self.stride_scale is not None:
                length_m *= self.stride_scale
            if self._is_pendulum:
                confidence *= DOUBT_FACTOR ** len(
                    self._pendulum_doubts(contacts, duration_s, self._recent_rotation(contacts))
                )
            elif not self.uses_foot_detector:  # a ZUPT stride is measured on its own, whatever its neighbours
                confidence *= DOUBT_FACTOR ** len(self._step_model_doubts(contacts, duration_s))
            elif last.acc_clip_ms2 > 0.0 or last.gyr_clip_dps > 0.0:
                # The integration missed what lay beyond the sensor's range (see zupt.CLIP_RUN_S).
                confidence *= DOUBT_FACTOR
            if not 0.3 <= length_m <= 2.5:
                confidence = 0.0
        st = self.state
        st.pace_sum_s, st.pace_weight = update_pace(st.pace_sum_s, st.pace_weight, duration_s)
        if self.uses_foot_detector:  # the sensor's faults, for the analysis' notes
            st.strides_holed += last.holed
            st.strides_acc_clipped += last.acc_clip_ms2 > 0.0
            st.strides_gyr_clipped += last.gyr_clip_dps > 0.0
            st.acc_clip_ms2 = max(st.acc_clip_ms2, last.acc_clip_ms2)
            st.gyr_clip_dps = max(st.gyr_clip_dps, last.gyr_clip_dps)
        return [
            StrideEvent(
                start_s=first.t_s,
                end_s=last.t_s,
                length_m=None if length_m is None else round(length_m, 4),
                cadence_spm=round(cadence_spm, 2),
                speed_mps=None if length_m is None else round(length_m / duration_s, 4),
                confidence=round(confidence, 3),
                method=method,
                side=first.side,  # a stride is its first contact's foot's, as for a foot sensor
            )
        ]

    def _recent_rotation(self, contacts: list[_Candidate]) -> float:
        """The gyroscope's RMS rate over the recent strides, this one's steps added (NaN without a gyroscope)."""
        st = self.state
        step_dps2 = [c.rotation_dps2 for c in contacts[1:]]
        if step_dps2 and not any(math.isnan(v) for v in step_dps2):
            st.rotation_sum_dps2, st.rotation_weight = update_pace(
                st.rotation_sum_dps2, st.rotation_weight, sum(step_dps2) / len(step_dps2)
            )
        return math.sqrt(st.rotation_sum_dps2 / st.rotation_weight) if st.rotation_weight > 0.0 else math.nan

    def _pendulum_doubts(
        self, contacts: list[_Candidate], duration_s: float, recent_rotation_dps: float
    ) -> tuple[str, ...]:
        """The signs that this inverted-pendulum stride is no steady straight walking (gait.confidence), from its
        steps and the walker's recent strides before it."""
        steps = contacts[1:]
        return pendulum_doubts(
            step_s=[c.t_s - p.t_s for p, c in itertools.pairwise(contacts)],
            step_length_m=[c.step_length_m for c in steps],
            phase_share=[c.phase_share for c in steps],
            coherence=[c.coherence for c in steps],
            stride_turn_deg=sum(c.turn_deg for c in steps),
            stride_s=duration_s,
            recent_stride_s=self._recent_stride_s(),
            recent_rotation_dps=recent_rotation_dps,
        )

    def _step_model_doubts(self, contacts: list[_Candidate], duration_s: float) -> tuple[str, ...]:
        """The signs that this step-model stride's contacts are not two true steps (gait.confidence)."""
        return step_model_doubts(
            step_s=[c.t_s - p.t_s for p, c in itertools.pairwise(contacts)],
            stride_s=duration_s,
            recent_stride_s=self._recent_stride_s(),
            step_range_ms2=[c.acc_range_ms2 for c in contacts[1:]],
        )

    def _recent_stride_s(self) -> float:
        """The walker's recent stride duration (decaying mean, gait.confidence.update_pace); NaN before any."""
        st = self.state
        return st.pace_sum_s / st.pace_weight if st.pace_weight > 0.0 else math.nan

    def _method_confidence(self) -> tuple[str, float]:
        return method_confidence(
            self.placement,
            calibrated=self.stride_scale is not None,
            height_known=self._height_known,
            foot_detector=self.uses_foot_detector,
        )


__all__ = ["GaitTracker", "TrackerState"]
