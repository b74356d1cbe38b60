"""``gait calibrate FILE``: fit the walker's personal stride-length factor from a walk of known distance or GPS."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import numpy as np

from gait.analysis import GPS_MIN_BOUT_S, Analysis, analyze, gps_stride_lengths, placement_doubt
from gait.errors import GaitError
from gait.stride_length import (
    CALIBRATION_MIN_STRIDES,
    CALIBRATION_WALK_GOOD_M,
    CALIBRATION_WALK_MIN_M,
    calibration_walk_warning,
    factor_words,
    fit_stride_scale,
    scale_from_known_distance,
)
from gait.types import Placement, Recording
from service.calibration import (
    calibrated_profile,
    check_calibratable,
    describe_scales,
    implausible_distance_words,
)
from service.commands.analyze import choose_placement, load_recording, placement_said_by
from service.commands.data_folder import data_store
from service.commands.reader_args import add_reader_arguments
from service.commands.settings_args import check_settings
from service.reanalysis import SampleFolders, out_of_date_words, overview
from service.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``calibrate`` sub-command."""
    p = subparsers.add_parser(
        "calibrate",
        help="fit your personal stride-length factor for a sensor placement from a walk of known distance (or its "
        "GPS track)",
        description="Analyse a walk whose distance you know (a track lap, a route measured on a map: at least "
        f"{CALIBRATION_WALK_GOOD_M:.0f} m at your usual pace, or the factor is rough; under "
        f"{CALIBRATION_WALK_MIN_M:.0f} m it is refused), or one recorded with GPS, fit your personal stride-length "
        "factor for the placement the sensor had and save it to your profile so later analyses, uploads and live "
        "walks with the sensor there use it. One factor is kept per placement: calibrating another placement keeps "
        "this one.",
    )
    p.add_argument("file", type=Path, help="recording of the calibration walk")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument(
        "--distance-m",
        type=float,
        help=f"the distance you walked, in metres (at least {CALIBRATION_WALK_GOOD_M:.0f} m for a factor to rely on)",
    )
    src.add_argument("--gps", action="store_true", help="use the recording's GPS track as the reference")
    p.add_argument("--placement", choices=[pl.value for pl in Placement], help="where the sensor was worn")
    p.add_argument("--height-m", type=float, dest="height_m", help="your body height in metres")
    add_reader_arguments(p)
    p.add_argument("--data-dir", type=Path, help="profile location (default: the service's data dir)")
    p.add_argument("--dry-run", action="store_true", help="print the factor without saving it")
    p.set_defaults(func=run)


def saved_profile(settings: Settings) -> dict:
    """The profile stored by the service, or {} when there is no database yet (nothing is created)."""
    if not settings.db_path.exists():
        return {}
    with data_store(settings) as store:
        return store.get_profile()


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
    # Each bout (a minute or more of walking) stands for many strides: weight them equally by repeating the bout
    # mean as often as the fit's fewest strides need.
    reps = max(1, int(np.ceil(CALIBRATION_MIN_STRIDES / len(model))))
    return fit_stride_scale(np.repeat(model, reps), np.repeat(reference, reps)), len(model)


def _known_distance_scale(recording: Recording, result: Analysis, distance_m: float) -> float:
    """The factor a walk of ``distance_m`` gives, refused with what to check first: the placement when the
    gyroscope contradicts it (a shoe sensor taken for a lower-back one measures a fraction of the distance), then a
    distance that fits the walk in km or miles, or the range of distances that fit it."""
    if not (distance_m > 0 and math.isfinite(distance_m)):
        raise GaitError(
            f"--distance-m {distance_m:g}: the known distance must be a positive number of metres",
            reason="bad_calibration",
        )
    doubt = placement_doubt(recording, result)
    mistyped = implausible_distance_words(distance_m, result.distance_m, box="--distance-m")
    if doubt is not None and (mistyped or not result.distance_m > 0):
        again = " or ".join(f"--placement {p}" for p in doubt.placements)
        raise GaitError(
            f"{distance_m:g} m gives no plausible factor for a {result.placement.value} sensor, and the placement "
            f"is the likely cause: {doubt.measured}. If it was worn elsewhere, calibrate again with that placement "
            f"({again}); nothing was saved",
            reason="implausible_calibration",
        )
    if mistyped:
        raise GaitError(f"{mistyped} Nothing was saved.", reason="implausible_calibration")
    if doubt is not None:
        print(
            f"Warning: placement check: {doubt.measured}; if it was worn elsewhere, this factor is for the wrong "
            "placement: calibrate again with the placement it had"
        )
    return scale_from_known_distance(result.distance_m, distance_m)


def run(args: argparse.Namespace) -> int:
    """Fit and save the factor."""
    check_settings(args)
    recording = load_recording(args.file, args)
    settings = Settings.from_env(data_dir=args.data_dir)
    profile = saved_profile(settings)
    # as gait analyze chooses it, and said when the walker did not name it: a factor fitted for the wrong placement
    # would silently scale every later walk with the sensor there
    from ingest import is_phone_recording
    from ingest.csv_formats import unmodelled_location

    placement, placement_note = choose_placement(
        args.placement,
        recording.placement,
        profile.get("placement"),
        phone=is_phone_recording(recording),
        said_by=placement_said_by(recording),
        unmodelled=unmodelled_location(recording.source),
    )
    if placement_note:
        print(f"Note: {placement_note}")
    check_calibratable(placement)  # before the analysis: its "no stride lengths" would blame the placement vaguely
    height_m = args.height_m or profile.get("body_height_m")
    result = analyze(recording, placement=placement, body_height_m=height_m)
    if args.gps:
        scale, n_bouts = gps_scale(recording, result)
        basis = f"GPS over {n_bouts} walking bout(s)"
        warning = None  # each bout used is a minute or more of walking
    else:
        scale = _known_distance_scale(recording, result, args.distance_m)
        basis = f"{args.distance_m:.0f} m walked, {result.distance_m:.0f} m estimated by the model"
        warning = calibration_walk_warning(args.distance_m)
    print(f"personal stride-length factor {factor_words(scale)} for a {placement.value} sensor ({basis})")
    if warning:
        print(f"Warning: {warning}")
    if args.dry_run:
        print("not saved (--dry-run): your profile is unchanged; run again without --dry-run to save it")
        return 0
    saved: dict[str, Any] = {}

    def calibrated(stored: dict[str, Any]) -> dict[str, Any]:
        # applied to the profile as stored when it is written (the dashboard may have saved it during the analysis)
        document, saved["scales"], saved["notes"] = calibrated_profile(stored, placement, scale, height_m=args.height_m)
        return document

    with data_store(settings) as store:
        store.update_profile(calibrated)
        # the walks analysed with the earlier factor or height, as the dashboard counts them
        stale = out_of_date_words(overview(store, SampleFolders.of(settings)))
    print(
        f"saved to your profile in {settings.db_path}; `gait analyze`, uploads and live walks with a "
        f"{placement.value} sensor now use it"
    )
    print(f"your stride-length factors now: {describe_scales(saved['scales'])} (each used only for its placement)")
    for note in saved["notes"]:
        print(f"note: {note}")
    if stale:
        print(f"note: {stale}")
    return 0
