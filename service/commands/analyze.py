"""``gait analyze FILE``: stride-by-stride analysis of a recording, as a readable summary or JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from gait.analysis import MODEL_NOTE_START, Analysis, analyze
from gait.coach.flags import flag_overlong
from gait.coach.settings import DEFAULT_MIN_CONFIDENCE, DEFAULT_TOLERANCE_M
from gait.coach.text import plural
from gait.errors import GaitError
from gait.numbers import fixed
from gait.types import Placement, Recording
from service.commands.output import check_output_path, write_text_atomic
from service.commands.reader_args import add_reader_arguments, reader_options
from service.commands.settings_args import check_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``analyze`` sub-command."""
    p = subparsers.add_parser(
        "analyze",
        help="analyse a recording: steps, strides, cadence and stride length",
        description="Analyse a recording (gait CSV or any supported phone/sensor export).",
    )
    p.add_argument("file", type=Path, help="recording file, zip or folder")
    p.add_argument(
        "--placement",
        choices=[pl.value for pl in Placement],
        help="where the sensor was worn (default: from the file, else your profile's usual placement, else lower_back)",
    )
    p.add_argument("--height-m", type=float, dest="height_m", help="your body height in metres")
    p.add_argument("--sensor-height-m", type=float, help="height of a lower-back sensor above the ground")
    p.add_argument("--stride-scale", type=float, help="personal calibration factor for stride length")
    p.add_argument(
        "--side",
        choices=["left", "right"],
        help="the shoe a foot sensor is on: its steps and strides then carry that side (foot placement only)",
    )
    p.add_argument("--target-stride-m", type=float, help="mark strides longer than this target as overlong")
    add_reader_arguments(p)
    p.add_argument("--data-dir", type=Path, help="where your profile lives (default: the service's data dir)")
    p.add_argument(
        "--no-profile", action="store_true", help="ignore the height, calibration and usual placement in your profile"
    )
    p.add_argument("--json", metavar="PATH", help="write the JSON document to PATH ('-' for standard output)")
    p.set_defaults(func=run)


def load_recording(path: Path, args: argparse.Namespace) -> Recording:
    """Read any supported input through the ingest layer, as the options of :func:`add_reader_arguments` say."""
    from ingest import load

    if args.format is None and _is_live_journal(path):
        from service.live import load_journal

        # its sidecar says where the sensor was worn (and the shoe), which the bare gait CSV cannot
        return load_journal(path)
    return load(path, **reader_options(args))


def _is_live_journal(path: Path) -> bool:
    """A live walk's sample journal: a ``.csv`` whose ``.json`` sidecar names its session."""
    sidecar = path.with_suffix(".json")
    if path.suffix.lower() != ".csv" or not sidecar.is_file():
        return False
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and "session_id" in meta


def run(args: argparse.Namespace) -> int:
    """Analyse the file and print or write the result."""
    from service.calibration import profile_scales
    from service.commands.calibrate import saved_profile
    from service.pipeline import personal_scale, recording_start_epoch_s, time_origin
    from service.settings import Settings
    from service.store import StoreError

    check_settings(args)
    if args.json and args.json != "-":
        check_output_path(Path(args.json), flag="--json")  # before the analysis, not after it
    recording = load_recording(args.file, args)
    try:
        profile = {} if args.no_profile else saved_profile(Settings.from_env(data_dir=args.data_dir))
    except StoreError as exc:
        # the analysis itself needs no store: say how to have it without one
        raise StoreError(f"{exc} (or analyse without your profile, which opens no store: add --no-profile)") from exc
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
    stride_scale = args.stride_scale
    if stride_scale is None:
        # the walker's own calibration for this placement (each placement's factor is used for its placement only)
        stride_scale = personal_scale(profile_scales(profile), placement)
    side = args.side or sensor_side(recording, placement)
    result = analyze(
        recording,
        placement=placement,
        body_height_m=args.height_m or profile.get("body_height_m"),
        sensor_height_m=args.sensor_height_m,
        stride_scale=stride_scale,
        sensor_side=side,
        sensor_height_from=JOURNAL_HEIGHT if _from_journal(recording) else None,
    )
    if placement_note:
        result.notes.insert(0, placement_note)
    doc = result.to_dict(target_stride_m=args.target_stride_m)
    first_s = float(recording.time_s[0]) if recording.n_samples else None
    doc["time_origin"] = time_origin(recording_start_epoch_s(recording.source), first_s)
    if args.json:
        text = json.dumps(doc, indent=1)
        if args.json == "-":
            sys.stdout.write(text + "\n")
        else:
            write_text_atomic(Path(args.json), text + "\n")
    if args.json != "-":
        print(render_summary(args.file.name, result, target_stride_m=args.target_stride_m))
    return 0


JOURNAL_HEIGHT = "from the live walk's journal"
"""Where a live walk's journal's sensor height came from, in the stride-length note (not given on this command)."""


def _from_journal(recording: Recording) -> bool:
    from service.live import JOURNAL_FORMAT

    return recording.source.get("format") == JOURNAL_FORMAT


def sensor_side(recording: Recording, placement: Placement) -> str | None:
    """The shoe of a foot sensor picked by a name that says it (``--sensor left_sensor``), as a sample's reference
    or a live walk's journal gives it; None for another placement, which has no side."""
    from ingest.csv_formats import side_of_sensor

    return side_of_sensor(recording.source.get("sensor")) if placement is Placement.FOOT else None


def placement_said_by(recording: Recording) -> str:
    """What in a recording stated its placement, for the note of :func:`choose_placement`.

    Examples
    --------
    >>> placement_said_by(Recording(np.zeros(1), np.zeros((1, 3)), source={"device_location": "back"}))
    "the file's header (Device Location Code 'back')"
    """
    if _from_journal(recording):
        return "the live walk's journal (the placement the walk had)"
    code = recording.source.get("device_location")
    if code:
        return f"the file's header (Device Location Code '{code}')"
    return "the file"


def choose_placement(
    given: str | None,
    in_file: Placement | str | None,
    usual: str | None,
    *,
    unsaid: str = "the file does not say where the sensor was",
    phone: bool = False,
    said_by: str | None = None,
    unmodelled: str | None = None,
) -> tuple[Placement, str | None]:
    """Where the sensor was, as uploads choose it: ``--placement``, else the file's own, else the profile's usual
    placement (a pocket for a phone app's export when no phone is carried there:
    :func:`service.pipeline.usual_placement`), else lower back; with a note saying where it came from when the
    walker did not name it.

    Parameters
    ----------
    given
        The ``--placement`` option.
    in_file
        The placement the recording (or sensor) states, if any.
    usual
        The profile's usual sensor placement, if any.
    unsaid
        Why the source does not give it, for the note (``gait live``: a sensor does not say where it is worn).
    phone
        The recording is a phone app's: the last resort is a pocket (the commonest carry), not the lower back.
    said_by
        What stated ``in_file`` (:func:`placement_said_by`), for its note; None: not said (``gait live --demo``
        names its sample's walk itself).
    unmodelled
        A body location the file names that no placement models (:func:`ingest.csv_formats.unmodelled_location`):
        refused unless ``given``, as neither the profile's placement nor a default fits a sensor known to be
        elsewhere.

    Examples
    --------
    >>> choose_placement(None, None, "pocket")[0].value
    'pocket'
    >>> choose_placement("foot", None, "pocket")
    (<Placement.FOOT: 'foot'>, None)
    >>> choose_placement(None, None, None)[1].startswith("placement lower_back assumed")
    True
    >>> choose_placement(None, None, None, phone=True)[0].value
    'pocket'
    >>> choose_placement(None, "waist", "pocket", said_by="the file")[1].startswith("placement waist from the file:")
    True
    """
    choices = "|".join(p.value for p in Placement)
    if given:
        return Placement.parse(given), None
    if unmodelled and not in_file:
        raise GaitError(
            f"the file's header says the sensor was worn on the '{unmodelled}', a place this version has no "
            f"placement for: pass the nearest with --placement {choices} (its figures are then that placement's)",
            reason="placement_unmodelled",
        )
    if in_file:
        placement = Placement.parse(in_file)
        note = f"placement {placement.value} from {said_by}: pass --placement {choices} if it was elsewhere"
        return placement, note if said_by else None
    if usual:
        from service.pipeline import usual_placement

        placement, phone_note = usual_placement(usual, phone=phone, choose=f"pass --placement {choices}")
        return placement, phone_note or (
            f"placement {placement.value} from your profile's usual sensor placement ({unsaid}): "
            f"pass --placement {choices} if it was elsewhere this time"
        )
    if phone:
        return Placement.POCKET, (
            f"placement pocket assumed (a phone app's recording: it does not say where the phone was carried, and "
            f"your profile has no usual placement): pass --placement {choices} if it was elsewhere"
        )
    return Placement.LOWER_BACK, (
        f"placement lower_back assumed ({unsaid} and your profile has no usual placement): "
        f"pass --placement {choices} if it was elsewhere"
    )


def render_summary(name: str, result: Analysis, *, target_stride_m: float | None = None) -> str:
    """A short human-readable summary of an analysis."""
    s = result.summary
    flags = flag_overlong(result.strides, target_stride_m) if target_stride_m is not None else []
    lines = [f"{name}: {fixed(s['duration_s'], 1)} s recorded, placement {result.placement.value}"]
    if result.reason:
        # every step found was in a vehicle: say so here, the note below gives the ride
        ride = ", only a ride (GPS: see the note below)" if result.riding and not result.steps else ""
        lines.append(f"  {result.reason}{ride}")
        # with no walking, how stride lengths would have been obtained says nothing: the notes that say why come
        lines += [f"  note: {n}" for n in result.notes if not n.startswith(MODEL_NOTE_START)]
        return "\n".join(lines)

    def fmt(v: float | None, unit: str, decimals: int) -> str:
        return "n/a" if v is None else f"{fixed(v, decimals)} {unit}"

    lines += [
        f"  walking bouts   {len(result.bouts)}  ({fmt(s['walking_time_s'], 's', 1)} walking)",
        f"  steps           {s['steps']}"
        + ("  (contacts of the sensor's foot: the other foot's are not seen)" if result.one_foot else ""),
        f"  strides         {s['strides']}" + ("" if result.one_foot else "  (overlapping: one starts at every step)"),
        f"  cadence         {fmt(s['cadence_spm'], 'steps/min', 1)} (median)",
        f"  stride length   {fmt(s['stride_length_m'], 'm', 2)} (median)",
        f"  distance        {fmt(s['distance_m'], 'm', 0)}",
    ]
    with_length = [st for st in result.strides if st.length_m is not None]
    if with_length:
        # How many lengths the coach would judge: the others (turns, shuffles, an assumed height, an uncalibrated
        # phone model) are estimates it stays silent on.
        trusted = sum(st.confidence >= DEFAULT_MIN_CONFIDENCE for st in with_length)
        lines.append(
            f"  reliable        {trusted} of {plural(len(with_length), 'stride length')} trusted for coaching "
            f"(confidence >= {DEFAULT_MIN_CONFIDENCE:g})"
        )
    if result.gps_stride_length_m:
        gps = float(np.median(list(result.gps_stride_length_m.values())))
        lines.append(
            f"  GPS stride      {fixed(gps, 2)} m (median over {plural(len(result.gps_stride_length_m), 'long bout')})"
        )
    if target_stride_m is not None:
        judged = sum(f is not None for f in flags)
        lines.append(
            f"  overlong        {sum(f is True for f in flags)} of {plural(judged, 'judged stride')} longer than "
            f"the {fixed(target_stride_m, 2)} m target + {DEFAULT_TOLERANCE_M:.2f} m tolerance "
            f"({len(flags) - judged} of {len(flags)} not judged: unreliable lengths)"
        )
    lines += [f"  note: {n}" for n in result.notes]
    return "\n".join(lines)
