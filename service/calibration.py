"""The walker's personal stride-length factor: fitted from a walk of known distance and saved to the profile.

Two ways in, one fit (:func:`gait.stride_length.scale_from_known_distance`) and one profile change
(:func:`calibrated_profile`):

- ``gait calibrate FILE --distance-m D`` (:mod:`service.commands.calibrate`) analyses a recording;
- a stored walk's page ("this walk was D m", :func:`calibrate_walk`) analyses nothing: the distance the model alone
  gave for the walk is its stored distance divided by the factor its analysis applied (every stride length is
  multiplied by that one factor, so the distance is too), as recorded with the analysis
  (:func:`service.pipeline.analysis_record`).
"""

from __future__ import annotations

from typing import Any

from gait.consts import STRIDE_SCALE_RANGE
from gait.errors import GaitError
from gait.numbers import round_half_away
from gait.stride_length import (
    CALIBRATION_WALK_GOOD_M,
    CALIBRATION_WALK_MIN_M,
    calibration_walk_warning,
    factor_words,
    scale_from_known_distance,
)
from gait.types import NO_LENGTH_MODEL_PLACEMENTS, Placement
from service import coaching
from service.models import FACTOR_PLACEMENTS, ProfileUpdate, upgrade_profile_document
from service.pipeline import personal_scale
from service.reanalysis import (
    ReanalysisError,
    UnknownWalkError,
    WalkIsLiveError,
    no_samples_kind,
    out_of_date_reasons,
)
from service.store import Store

NO_LENGTH_MODEL: tuple[Placement, ...] = NO_LENGTH_MODEL_PLACEMENTS
"""Placements without a stride-length model (cadence only, see :func:`gait.analysis.model_notes`): nothing to
calibrate."""

NOT_CALIBRATABLE = {
    "sample": "walk {id} is a sample walk, somebody else's: calibrate with a walk of your own (upload one, or record "
    "one live)",
    "demo": "walk {id} is a live demo (a replayed sample or a virtual sensor), not your walking: calibrate with a "
    "walk of your own (upload one, or record one live)",
    "apple_health": "walk {id} is an Apple Health summary (the phone's own distance, no strides of this analyser): "
    "calibrate with a recording of your own (upload one, or record one live)",
    "live_no_journal": "walk {id} is a foot pod's walk: its stride lengths are the pod's own, this analyser's factor "
    "does not apply to them (calibrate the pod in its own app)",
}


class NotCalibratableError(ReanalysisError):
    """The walk cannot calibrate the factor (not the walker's own, no model stride lengths, out of date)."""


def check_calibratable(placement: Placement) -> None:
    """Raise a clear error when no stride-length model fits ``placement``, naming the placements that have one.

    Examples
    --------
    >>> check_calibratable(Placement.POCKET)
    >>> check_calibratable(Placement.WRIST)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gait.errors.GaitError: a wrist sensor has no stride-length model (cadence only), so there is no factor to ...
    """
    if placement in NO_LENGTH_MODEL:
        names = [p.value for p in FACTOR_PLACEMENTS]
        raise GaitError(
            f"a {placement.value} sensor has no stride-length model (cadence only), so there is no factor to "
            f"calibrate: calibrate with a walk recorded with the sensor at {', '.join(names[:-1])} or {names[-1]}",
            reason="no_length_model",
        )


def sensor_words(placement: Placement | str) -> str:
    """A placement as messages say it before "sensor" or "factor", as the dashboard does: "lower-back".

    Examples
    --------
    >>> sensor_words(Placement.LOWER_BACK), sensor_words("pocket")
    ('lower-back', 'pocket')
    """
    return str(placement).replace("_", "-")


def profile_scales(profile: dict[str, Any]) -> dict[Placement, float]:
    """The calibration factor per placement of a stored profile document (earlier versions' single factor is
    read as its placement's)."""
    scales = upgrade_profile_document(profile).get("stride_scales") or {}
    return {Placement.parse(where): float(factor) for where, factor in scales.items()}


def describe_scales(scales: dict[Placement, float]) -> str:
    """The factors in words, by placement name.

    Examples
    --------
    >>> describe_scales({Placement.POCKET: 1.07, Placement.FOOT: 0.98})
    'foot 0.980, pocket 1.070'
    """
    return ", ".join(f"{p.value} {factor_words(f)}" for p, f in sorted(scales.items(), key=lambda item: item[0].value))


def calibrated_profile(
    stored: dict[str, Any], placement: Placement, scale: float, *, height_m: float | None = None
) -> tuple[dict[str, Any], dict[Placement, float], list[str]]:
    """The profile document with ``scale`` as the factor of ``placement`` (for :meth:`Store.update_profile`:
    applied to the profile as stored when it is written, so a save elsewhere meanwhile is kept).

    Returns the document (validated as the dashboard's profile is, so that what is saved always reads back), the
    factors per placement it holds, and notes for the walker (a factor replaced, the usual placement, the height).
    """
    profile = upgrade_profile_document(stored)
    notes: list[str] = []
    # one factor per placement: this one is set (replacing only an earlier factor for the same placement), the
    # factors of other placements are kept
    scales = profile_scales(profile)
    earlier = scales.get(placement)
    if earlier is not None:
        notes.append(f"it replaces your earlier {sensor_words(placement)} factor {factor_words(earlier)}")
    scales[placement] = scale
    profile["stride_scales"] = {p.value: f for p, f in sorted(scales.items(), key=lambda item: item[0].value)}
    # the usual placement (what uploads and the dashboard assume) is the walker's own choice and stays, unless
    # none was set
    usual = profile.get("placement")
    if usual is None:
        profile["placement"] = placement.value
        notes.append(
            f"your usual sensor placement was not set: it is now {placement.value} (change it in the dashboard's "
            "profile)"
        )
    elif usual != placement.value:
        notes.append(
            f"your usual sensor placement stays {str(usual).replace('_', ' ')}; this factor applies only to walks "
            f"with a {sensor_words(placement)} sensor"
        )
    if height_m:
        # the profile's height is used by every later analysis: saving it is said, never done silently
        before = profile.get("body_height_m")
        if before is None:
            notes.append(f"your body height {height_m:.2f} m is saved to your profile (it had none)")
        elif before != height_m:
            notes.append(f"your body height {height_m:.2f} m replaces {before:.2f} m in your profile")
        profile["body_height_m"] = height_m
    return ProfileUpdate.model_validate(profile).model_dump(mode="json"), scales, notes


def _refusal(walk: dict[str, Any], profile: ProfileUpdate) -> str | None:
    """Why ``walk`` cannot calibrate the walker's factor, with what to do (None: it can)."""
    kind = "sample" if walk["origin"] == "sample" else no_samples_kind(walk)
    if kind is None and walk["demo"]:
        kind = "demo"
    if kind:
        return NOT_CALIBRATABLE[kind].format(id=walk["id"])
    if walk["status"] == "live":
        return f"walk {walk['id']} is being recorded live: calibrate with it once it has ended"
    if not walk["placement"]:
        return f"walk {walk['id']} has no sensor placement, and the factor is kept per placement"
    try:
        check_calibratable(Placement.parse(walk["placement"]))
    except GaitError as exc:
        return str(exc)
    # strides as well as a distance: a foot pod's walk without strides stores the pod's own odometer as its distance
    if not (walk.get("strides") and walk.get("distance_m")):
        return (
            f"walk {walk['id']} has no distance from stride lengths of this analyser (no strides, or none with a "
            "length), so there is nothing to calibrate: calibrate with a walk whose page shows strides and a distance"
        )
    # the walk's distance must be the one this version with the current height gives (else the factor would
    # correct an old model, not today's): out of date for its factor only is fine, that is what is fitted
    reasons = out_of_date_reasons(walk, profile, factor=False, coaching_too=False)
    if reasons:
        why = "; ".join(reasons)
        return f"walk {walk['id']}'s figures are out of date ({why}): analyse it again first, then calibrate with it"
    return None


def calibration_status(walk: dict[str, Any], profile: ProfileUpdate) -> dict[str, Any]:
    """What the walk page says about calibrating with this walk: whether it can, why not, the factor in force for
    its placement, and how long a walk calibrates."""
    why_not = _refusal(walk, profile)
    return {
        "can_calibrate": why_not is None,
        "why_not": why_not,
        "placement": walk["placement"],
        "factor": personal_scale(profile.stride_scales, walk["placement"]) if walk["placement"] else None,
        "good_walk_m": CALIBRATION_WALK_GOOD_M,
        "min_walk_m": CALIBRATION_WALK_MIN_M,
    }


MILE_M = 1609.344
"""A mile in metres: a distance typed in miles is named as such."""


def _plausible(distance_m: float, model_distance_m: float) -> bool:
    return STRIDE_SCALE_RANGE[0] <= distance_m / model_distance_m <= STRIDE_SCALE_RANGE[1]


def implausible_distance_words(distance_m: float, model_distance_m: float, *, box: str = "The box") -> str | None:
    """What to say of a distance that gives a stored walk an implausible factor (None when the factor is plausible,
    or nothing can be said: no model distance, not a positive number): the likely slip (kilometres or miles typed
    into a box of metres) with the number to enter, and nothing after that fix; else the range of distances that fit
    this walk, and in one plain sentence why another is refused (no factor: a number the walker never typed).
    ``box``: where the distance was typed, as the sentence starts ("The box", or ``gait calibrate``'s option).

    Examples
    --------
    >>> implausible_distance_words(0.2, 200.0)
    '0.2 m? The box takes metres: 0.2 km = 200 m, so enter 200.'
    >>> implausible_distance_words(0.2, 322.0).split("; ")[0]
    '0.2 m? The box takes metres: 0.2 km = 200 m and 0.2 miles = 322 m'
    >>> print(implausible_distance_words(4000.0, 40.0))
    4000 m does not fit this walk: the model measured it at about 40 m. Enter the distance you really walked, in \
metres (for this walk between about 20 and 60 m), and check that the recording covers the whole walk. A calibration \
corrects the measured distance by up to 50 % either way: a distance further off is taken for a slip.
    >>> implausible_distance_words(300.0, 322.0) is None
    True
    """
    if not (distance_m > 0 and model_distance_m > 0) or _plausible(distance_m, model_distance_m):
        return None
    lo_m, hi_m = (f * model_distance_m for f in STRIDE_SCALE_RANGE)
    # a number that fits the walk in km or in miles was most likely typed in it (both named when both fit)
    meant = [
        (unit, f"{distance_m * metres:.0f}")
        for unit, metres in (("km", 1000.0), ("miles", MILE_M))
        if _plausible(distance_m * metres, model_distance_m)
    ]
    if len(meant) == 1:
        unit, metres = meant[0]
        return f"{distance_m:g} m? {box} takes metres: {distance_m:g} {unit} = {metres} m, so enter {metres}."
    if meant:
        both = " and ".join(f"{distance_m:g} {unit} = {metres} m" for unit, metres in meant)
        return f"{distance_m:g} m? {box} takes metres: {both}; enter the one you walked."
    down_pct, up_pct = (round(abs(f - 1.0) * 100) for f in STRIDE_SCALE_RANGE)
    by = f"{up_pct} % either way" if up_pct == down_pct else f"{up_pct} % up or {down_pct} % down"
    return (
        f"{distance_m:g} m does not fit this walk: the model measured it at about {model_distance_m:.0f} m. Enter the "
        f"distance you really walked, in metres (for this walk between about {lo_m:.0f} and {hi_m:.0f} m), and check "
        f"that the recording covers the whole walk. A calibration corrects the measured distance by up to {by}: a "
        "distance further off is taken for a slip."
    )


def calibrate_walk(store: Store, walk_id: int, distance_m: float, *, dry_run: bool = False) -> dict[str, Any]:
    """Fit the walker's factor for the placement of walk ``walk_id`` from the distance it really was, and save it
    to the profile (unless ``dry_run``). Returns the factor, the walk's distance before and after, and the warning
    for a walk too short for a factor to rely on (:func:`gait.stride_length.calibration_walk_warning`; the factor is
    still saved).

    Raises
    ------
    UnknownWalkError
        No walk has this id.
    WalkIsLiveError, NotCalibratableError
        The walk cannot calibrate (with a message saying why and what to do); nothing is saved.
    gait.errors.GaitError
        The distance or the factor is implausible, or the walk too short to calibrate (the limits and words of
        ``gait calibrate``); nothing is saved.
    """
    walk = store.get_walk(walk_id)
    if walk is None:
        raise UnknownWalkError(f"no walk with id {walk_id}: list walks at /api/walks")
    profile = coaching.load_profile(store)
    why_not = _refusal(walk, profile)
    if why_not:
        raise (WalkIsLiveError if walk["status"] == "live" else NotCalibratableError)(why_not)
    placement = Placement.parse(walk["placement"])
    walk_factor = (walk.get("analysis") or {}).get("stride_scale")
    model_distance_m = walk["distance_m"] / (walk_factor or 1.0)
    mistyped = implausible_distance_words(distance_m, model_distance_m)
    if mistyped:
        raise GaitError(mistyped, reason="implausible_calibration")
    scale = scale_from_known_distance(model_distance_m, distance_m)
    result = {
        "walk_id": walk_id,
        "placement": placement.value,
        "distance_m": distance_m,
        "model_distance_m": round_half_away(model_distance_m, 1),
        "walk_factor": walk_factor,
        "factor_before": personal_scale(profile.stride_scales, placement),
        "factor": scale,
        "distance_before_m": walk["distance_m"],
        "distance_after_m": round_half_away(model_distance_m * scale, 1),
        "saved": False,
        "factors": {p.value: f for p, f in profile.stride_scales.items()},
        "notes": [],
        "warning": calibration_walk_warning(distance_m),
    }
    if dry_run:
        return result
    saved: dict[str, Any] = {}

    def change(stored: dict[str, Any]) -> dict[str, Any]:
        document, scales, notes = calibrated_profile(stored, placement, scale)
        saved.update(factors={p.value: f for p, f in scales.items()}, notes=notes)
        return document

    store.update_profile(change)
    return {**result, **saved, "saved": True}
