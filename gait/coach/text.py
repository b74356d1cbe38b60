"""Words the coach uses: tips, the medical disclaimer, and number formatting for reasons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from gait import stride_length
from gait.coach.settings import WALK_LEVEL_STRIDES
from gait.numbers import fixed, round_half_away
from gait.types import Placement

MILE_M: Final = 1609.344
"""One international mile in metres."""

USUAL_STRIDES: Final = "your usual strides"
"""What strides are judged against with a personal baseline (said in cues and a walk's coaching)."""
WALK_LEVEL: Final = f"this walk's first {WALK_LEVEL_STRIDES} strides"
"""What strides are judged against without one: the walk's own level (:data:`WALK_LEVEL_STRIDES`)."""


def calibrate_ways() -> str:
    """How to calibrate, after "a walk of known distance": the dashboard's way and the command line's, with the length
    a factor to rely on needs (:data:`gait.stride_length.CALIBRATION_WALK_GOOD_M`, read when said)."""
    return (
        f"(at least {stride_length.CALIBRATION_WALK_GOOD_M:g} m at your usual pace: \u201cCalibrate: this walk was "
        "\u2026 m\u201d on a walk's page, or gait calibrate)"
    )


@dataclass(frozen=True)
class Tip:
    """A plain tip shown next to the coaching (title and one short paragraph)."""

    key: str
    title: str
    text: str


TIPS: Final[tuple[Tip, ...]] = (
    Tip(
        "shorter_quicker_steps",
        "Shorter, quicker steps",
        "While your back is sore, keep your pace but take slightly shorter, quicker steps: land with your foot "
        "closer to under your hips instead of reaching forward with the heel.",
    ),
    Tip(
        "glute_bridges",
        "Glute bridges",
        "Lie on your back with knees bent and feet flat. Squeeze your buttocks and lift your hips until knees, hips "
        "and shoulders line up; hold 2-3 seconds and lower slowly. Two or three sets of 10, only if it does not "
        "hurt.",
    ),
    Tip(
        "hip_flexor_stretch",
        "Hip-flexor stretch",
        "Kneel on one knee with the other foot in front. Tuck your pelvis under and shift gently forward until you "
        "feel a stretch at the front of the hip of the kneeling leg, without arching your lower back. Hold about "
        "30 seconds per side.",
    ),
    Tip(
        "end_before_pain",
        "End walks before the pain",
        "If the pain usually starts after a certain distance, plan walks that end before it, and lengthen them "
        "slowly while they stay pain-free.",
    ),
)
"""Plain guidance shown with the coaching (hip strength, hip-flexor mobility, step pattern, walk length)."""

NOT_MEDICAL_ADVICE: Final = (
    "Not medical advice. This coaching rests on a plausible idea (shorter strides, stronger glutes and looser hip "
    "flexors may ease back pain while walking) that no trial has tested for walking back pain, and on stride "
    "lengths estimated from a sensor, which can be off by 10-20 cm. Stop if the pain gets worse. See a doctor or "
    "physiotherapist about back pain that lasts, is severe, spreads down a leg, or comes with numbness, weakness, "
    "fever or changes in bladder or bowel control."
)
"""Shown wherever coaching is switched on or configured."""


def format_distance(distance_m: float) -> str:
    """Distance in words with both metric and imperial units, e.g. ``"4.8 km (3.0 mi)"`` or ``"800 m (0.50 mi)"``.

    Examples
    --------
    >>> format_distance(999.4), format_distance(999.6)
    ('999 m (0.62 mi)', '1.0 km (0.6 mi)')
    """
    miles = distance_m / MILE_M
    if round_half_away(distance_m) < 1000.0:  # 999.6 m in metres reads "1000 m": said in km as 1000 m is
        return f"{fixed(distance_m)} m ({fixed(miles, 2)} mi)"
    return f"{fixed(distance_m / 1000.0, 1)} km ({fixed(miles, 1)} mi)"


def format_duration(duration_s: float) -> str:
    """Duration in minutes (or hours and minutes), e.g. ``"25 min"`` or ``"1 h 05 min"``; under 10 minutes with
    its seconds, as the dashboard shows it (a pain onset of 100 s is "1 min 40 s", not "2 min").

    Examples
    --------
    >>> format_duration(100.0), format_duration(50.0), format_duration(120.0), format_duration(1500.0)
    ('1 min 40 s', '50 s', '2 min', '25 min')
    """
    if duration_s < 600.0:
        minutes, seconds = divmod(int(round_half_away(duration_s)), 60)
        if seconds == 0:
            return f"{minutes} min"
        return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
    minutes = int(round_half_away(duration_s / 60.0))
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def format_percent(share: float) -> str:
    """A share as a whole or one-decimal percentage, e.g. ``"10 %"`` or ``"7.5 %"``."""
    pct = 100.0 * share
    return f"{pct:.0f} %" if abs(pct - round(pct)) < 0.05 else f"{pct:.1f} %"


def sensor_words(placement: Placement | None) -> str:
    """A sensor at ``placement`` in words, for the baseline's reasons: ``"a lower-back sensor"``, ``"a pocket
    sensor"``; ``"your sensor"`` when the placement is not known.

    Examples
    --------
    >>> sensor_words(Placement.LOWER_BACK), sensor_words(None)
    ('a lower-back sensor', 'your sensor')
    """
    return "your sensor" if placement is None else f"a {placement.value.replace('_', '-')} sensor"


def plural(n: int, word: str) -> str:
    """``"1 walk"``, ``"3 walks"``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
