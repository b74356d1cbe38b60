"""``gait calibrate FILE``: fit the walker's personal stride-length factor from a walk of known distance or GPS."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from gait.analysis import GPS_MIN_BOUT_S, Analysis, analyze, gps_stride_lengths
from gait.errors import GaitError
from gait.stride_length import fit_stride_scale, scale_from_known_distance
from gait.types import Placement, Recording
from service.commands.analyze import choose_placement, load_recording
from service.commands.settings_args import check_settings
from service.models import ProfileUpdate, upgrade_profile_document
from service.settings import Settings
from service.store import Store

NO_LENGTH_MODEL: tuple[Placement, ...] = (Placement.WRIST, Placement.CHEST)
"""Placements without a stride-length model (cadence only, see :func:`gait.analysis.model_notes`): nothing to
calibrate."""


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
        names = [p.value for p in Placement if p not in NO_LENGTH_MODEL]
        raise GaitError(
            f"a {placement.value} sensor has no stride-length model (cadence only), so there is no factor to "
            f"calibrate: calibrate with a walk recorded with the sensor at {', '.join(names[:-1])} or {names[-1]}",
            reason="no_length_model",
        )


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``calibrate`` sub-command."""
    p = subparsers.add_parser(
        "calibrate",
        help="fit your personal stride-length factor for a sensor placement from a walk of known distance (or its "
        "GPS track)",
        description="Analyse a walk whose distance you know (a track lap, a measured route), or one recorded with "
        "GPS, fit your personal stride-length factor for the placement the sensor had and save it to your profile "
        "so later analyses, uploads and live walks with the sensor there use it. One factor is kept per placement: "
        "calibrating another placement keeps this one.",
    )
    p.add_argument("file", type=Path, help="recording of the calibration walk")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--distance-m", type=float, help="the distance you walked, in metres")
    src.add_argument("--gps", action="store_true", help="use the recording's GPS track as the reference")
    p.add_argument("--placement", choices=[pl.value for pl in Placement], help="where the sensor was worn")
    p.add_argument("--height-m", type=float, dest="height_m", help="your body height in metres")
    p.add_argument("--format", dest="format", help="input format (default: detected from the file)")
    p.add_argument("--data-dir", type=Path, help="profile location (default: the service's data dir)")
    p.add_argument("--dry-run", action="store_true", help="print the factor without saving it")
    p.set_defaults(func=run)


def saved_profile(settings: Settings) -> dict:
    """The profile stored by the service, or {} when there is no database yet (nothing is created)."""
    if not settings.db_path.exists():
        return {}
    store = Store(settings.db_path).open()
    try:
        return store.get_profile()
    finally:
        store.close()


def gps_scale(recording: Recording, result: Analysis) -> tuple[float, int]:
    """Fit the factor to the GPS stride length of each long walking bout; returns the factor and the bouts used."""
    if recording.gps is None:
        raise GaitError("this recording has no GPS track: use --distance-m instead", reason="no_gps")
    model, reference = [], []
    for i, ref in gps_stride_lengths(result, recording.gps).items():
        bout = result.bouts[i]
        lengths = [s.length_m for s in result.strides if s.length_m and bout.start_s <= s.start_s <= bout.end_s]
        if lengths:
            model.append(float(np.mean(lengths)))
            reference.append(ref)
    if not model:
        raise GaitError(
            f"no walking bout of at least {GPS_MIN_BOUT_S:.0f} s with usable GPS fixes: walk steadily outdoors for "
            "a few minutes, or use --distance-m",
            reason="no_gps_bouts",
        )
    # Each bout stands for many strides: weight them equally by repeating the bout mean (fit needs 5 pairs).
    reps = max(1, int(np.ceil(5 / len(model))))
    return fit_stride_scale(np.repeat(model, reps), np.repeat(reference, reps)), len(model)


def run(args: argparse.Namespace) -> int:
    """Fit and save the factor."""
    check_settings(args)
    recording = load_recording(args.file, args.format)
    settings = Settings.from_env(data_dir=args.data_dir)
    profile = saved_profile(settings)
    # as gait analyze chooses it, and said when the walker did not name it: a factor fitted for the wrong placement
    # would silently scale every later walk with the sensor there
    from ingest import is_phone_recording

    placement, placement_note = choose_placement(
        args.placement, recording.placement, profile.get("placement"), phone=is_phone_recording(recording)
    )
    if placement_note:
        print(f"Note: {placement_note}")
    check_calibratable(placement)  # before the analysis: its "no stride lengths" would blame the placement vaguely
    height_m = args.height_m or profile.get("body_height_m")
    result = analyze(recording, placement=placement, body_height_m=height_m)
    if args.gps:
        scale, n_bouts = gps_scale(recording, result)
        basis = f"GPS over {n_bouts} walking bout(s)"
    else:
        scale = scale_from_known_distance(result.distance_m, args.distance_m)
        basis = f"{args.distance_m:.0f} m walked, {result.distance_m:.0f} m estimated by the model"
    print(f"personal stride-length factor {scale:.3f} for a {placement.value} sensor ({basis})")
    if args.dry_run:
        print("not saved (--dry-run): your profile is unchanged; run again without --dry-run to save it")
        return 0
    notes: list[str] = []
    scales: dict[Placement, float] = {}

    def calibrated(stored: dict[str, Any]) -> dict[str, Any]:
        # applied to the profile as stored when it is written (the dashboard may have saved it during the analysis)
        profile = upgrade_profile_document(stored)
        # one factor per placement: this one is set (replacing only an earlier factor for the same placement), the
        # factors of other placements are kept
        scales.update(profile_scales(profile))
        earlier = scales.get(placement)
        if earlier is not None:
            notes.append(f"it replaces your earlier {placement.value} factor {earlier:.3f}")
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
                f"your usual sensor placement stays {usual}; this factor applies only to walks with the sensor at "
                f"{placement.value}"
            )
        if args.height_m:
            # the profile's height is used by every later analysis: saving it is said, never done silently
            before = profile.get("body_height_m")
            if before is None:
                notes.append(f"your body height {args.height_m:.2f} m is saved to your profile (it had none)")
            elif before != args.height_m:
                notes.append(f"your body height {args.height_m:.2f} m replaces {before:.2f} m in your profile")
            profile["body_height_m"] = args.height_m
        # validated as the dashboard's profile is, so that what is saved always reads back
        return ProfileUpdate.model_validate(profile).model_dump(mode="json")

    store = Store(settings.db_path).open()
    try:
        store.update_profile(calibrated)
    finally:
        store.close()
    print(
        f"saved to your profile in {settings.db_path}; `gait analyze`, uploads and live walks with a "
        f"{placement.value} sensor now use it"
    )
    print(f"your stride-length factors now: {describe_scales(scales)} (each used only for its placement)")
    for note in notes:
        print(f"note: {note}")
    return 0


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
    return ", ".join(f"{p.value} {f:.3f}" for p, f in sorted(scales.items(), key=lambda item: item[0].value))
