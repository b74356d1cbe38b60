"""Checks of numeric command-line settings, in the flag's own words (the core names its parameters instead)."""

from __future__ import annotations

from gait.consts import BODY_HEIGHT_RANGE_M, SENSOR_HEIGHT_RANGE_M, STRIDE_SCALE_RANGE
from gait.errors import GaitError

SETTINGS: dict[str, tuple[str, tuple[float, float], str, str]] = {
    "height_m": ("--height-m", BODY_HEIGHT_RANGE_M, " m", "a body height in metres"),
    "sensor_height_m": ("--sensor-height-m", SENSOR_HEIGHT_RANGE_M, " m", "a sensor height above the ground in metres"),
    "stride_scale": ("--stride-scale", STRIDE_SCALE_RANGE, "", "a stride-length factor"),
}
"""Argument name -> (flag, accepted range, unit of the range, what the value must be)."""


def check_settings(args: object) -> None:
    """Refuse a body height, sensor height or stride factor out of range, naming the flag and the unit.

    A value a hundred times too large (175 for 1.75 m, 110 for a factor 1.10) is a height in centimetres or a
    factor in percent: the message suggests the value meant.

    Raises
    ------
    gait.errors.GaitError
        ``reason="bad_setting"``; the command line prints its message in one line with exit code 2.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> check_settings(SimpleNamespace(height_m=175.0))
    Traceback (most recent call last):
    ...
    gait.errors.GaitError: --height-m 175 is not a body height in metres (0.8-2.5 m): did you mean --height-m 1.75?
    """
    for name, (flag, (low, high), unit, what) in SETTINGS.items():
        value = getattr(args, name, None)
        if value is None or low <= value <= high:
            continue
        hint = f": did you mean {flag} {value / 100:g}?" if low <= value / 100 <= high else ""
        raise GaitError(f"{flag} {value:g} is not {what} ({low:g}-{high:g}{unit}){hint}", reason="bad_setting")
