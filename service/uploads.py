"""Progress of uploads in flight, readable by the dashboard while the analysis runs in a worker thread."""

from __future__ import annotations

import re
import shlex
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from pathlib import PurePath
from typing import Any

from gait.analysis import analyse_again_as
from ingest.csv_formats import RATE_NEEDED
from service.models import UploadStatus
from service.store import local_minute

_UNSAFE_ON_DISK = re.compile(r"[^\w.\- ]+")
"""Characters a spooled file's name never holds: anything but letters and digits of any script, '.', '-', '_', ' '."""
MAX_NAME_CHARS = 120
"""Longest name an upload keeps (a walk's name is its stem)."""
MAX_NAME_BYTES = 200
"""Longest spooled file name in UTF-8 bytes (file systems allow 255)."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def display_filename(name: str | None) -> str:
    """The base name of an uploaded file as the user named it (never a path; control characters dropped).

    What the walk is called and what messages say: "Spaziergang Müller.csv" stays so.

    Examples
    --------
    >>> display_filename("C:/walks/Spaziergang Müller.csv"), display_filename("../x/..")
    ('Spaziergang Müller.csv', 'upload')
    >>> display_filename("a" * 300 + ".csv")[-6:]
    'aa.csv'
    """
    base = _CONTROL.sub("", PurePath((name or "").replace("\\", "/")).name).strip(" .")
    return _shortened(base, lambda n: len(n) <= MAX_NAME_CHARS) or "upload"


_COMPRESSION_SUFFIXES = (".gz", ".zip")
_TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xml", ".json", ".xlsx", ".sqlite", ".sqlite3", ".db")


def walk_name(filename: str) -> str:
    """What a walk uploaded as ``filename`` is called: its base name without the compression and the table
    extension both (a workbook's .xlsx too, as a phyphox export's .zip).

    Examples
    --------
    >>> walk_name("accelerometer.csv.gz"), walk_name("C:/walks/2022-09-26_15-32-56.zip"), walk_name("run.v2.csv")
    ('accelerometer', '2022-09-26_15-32-56', 'run.v2')
    """
    name = display_filename(filename)
    for suffixes in (_COMPRESSION_SUFFIXES, _TABLE_SUFFIXES):
        stem = next((name[: -len(s)] for s in suffixes if name.lower().endswith(s)), name)
        name = stem if stem.strip(" .") else name
    return name


def _shortened(name: str, fits: Callable[[str], bool]) -> str:
    """``name`` with its stem cut, one character at a time, until it ``fits``; its extension (".csv", ".csv.gz")
    stays whole: the readers detect formats by it.

    Examples
    --------
    >>> _shortened("abcdef.csv.gz", lambda n: len(n) <= 9)
    'ab.csv.gz'
    """
    path = PurePath(name)
    suffix = "".join(path.suffixes[-2:]) if path.suffix.lower() == ".gz" else path.suffix
    stem = name[: len(name) - len(suffix)]
    while stem and not fits(stem + suffix):
        stem = stem[:-1]
    return stem + suffix


_FOLDER_HINT = re.compile(r"analyse the export's folder(?: \([^()]*\))? \(or upload it zipped\)")
"""A reader's hint to analyse an export's folder: the dashboard takes the folder zipped."""
_UNIT_HINT = re.compile(
    r"command line: or (?:pass )?(?P<option>--(?:acc-unit|time-unit|rate-hz|date-order))(?P<values>[^();]*)"
)
"""A reader's command-line hint to give a unit, a sampling rate or the order of day and month in dates: an option
of the commands that read files, not of the upload form."""


_SENSOR_HINT = re.compile(
    r"^(?P<file>[^/:]+)(?P<inside>/[^:]*)?: (?P<head>holds the columns of .*; a recording is one sensor's): "
    r"add (?P<options>--sensor .+?)"
    r"(?P<rate> \(and --rate-hz (?P<hz>\S+), " + re.escape(RATE_NEEDED) + r"; (?P<where>[^()]*)\))?$"
)
"""A reader's refusal of a file of several sensors' columns (ingest.csv_formats), which says to pick one with
``--sensor``: an option of the commands that read files, not of the upload form."""


def _sensor_wording(m: re.Match[str]) -> str:
    """The refusal of a file of several sensors as the dashboard says it: the ``gait convert`` command that writes
    one sensor's columns as a gait CSV, which the dashboard takes."""
    first, *others = m["options"].split(" or ")
    name = shlex.split(first)[1]
    rate = f" --rate-hz {m['hz']}" if m["rate"] else ""
    written = f"{walk_name(m['file'])}_{_UNSAFE_ON_DISK.sub('_', name)}.csv"
    alternatives = f" (or {' or '.join(others)})" if others else ""
    hz = "<Hz>" if m["hz"] == "<Hz>" else f"{m['hz']} Hz"
    why = f" ({hz}: the sensors' sampling rate, as the file has no time column; {m['where']})" if rate else ""
    command = f"gait convert {shlex.quote(m['file'])} {shlex.quote(written)} {first}{rate}"
    if "`" not in command:
        command = f"`{command}`"  # the upload page shows it as a command to copy (app.js)
    return (
        f"{m['file']}{m['inside'] or ''}: {m['head']}: convert one sensor's columns to a gait CSV with gait convert "
        f"and upload the converted file, e.g. {command}{alternatives}{why}"
    )


_EARLIER_PLACEMENT_ADVICE = (
    (
        "on the dashboard delete this walk and upload the file again with that placement (command line: gait analyze "
        "--placement foot)",
        analyse_again_as("foot", "pocket"),
    ),
    (
        "on the dashboard delete this walk and upload the file again with it (command line: gait analyze --placement "
        "lower_back)",
        analyse_again_as("lower_back", "waist"),
    ),
)
"""The placement check's advice as walks analysed before 2026-11-27 keep it (delete and upload again, which unlinks
the walk's pain reports for good), and as it reads now (:func:`gait.analysis.analyse_again_as`: the walk page's
"Analyse as another placement"): a wording change is no reason to analyse every walk again."""


def dashboard_wording(text: str) -> str:
    """A reader's note or message as the dashboard shows it: a hint to pass a unit on the command line says to
    convert the file with that unit (``gait convert``) and upload the converted file, which the dashboard can do;
    so does one to pick one of a file's sensors with ``--sensor``; one to analyse an export's folder says to upload
    the folder zipped; the placement check's advice stored with older walks reads as it does now
    (:data:`_EARLIER_PLACEMENT_ADVICE`).

    Examples
    --------
    >>> dashboard_wording("on its own; analyse the export's folder (2022-09-26) (or upload it zipped), or X.csv")
    "on its own; upload the export's folder zipped, or X.csv"
    >>> dashboard_wording("if wrong, name the columns (command line: or pass --acc-unit g|mg)")[27:]
    '(command line: or convert the file with gait convert --acc-unit g|mg and upload the converted file)'
    >>> dashboard_wording("(command line: gait analyze --placement foot)")
    '(command line: gait analyze --placement foot)'
    """
    for earlier, now in _EARLIER_PLACEMENT_ADVICE:
        text = text.replace(earlier, now)
    text = _FOLDER_HINT.sub("upload the export's folder zipped", text)
    text = _SENSOR_HINT.sub(_sensor_wording, text)
    return _UNIT_HINT.sub(
        r"command line: or convert the file with gait convert \g<option>\g<values> and upload the converted file", text
    )


GIVE_ITS_DATE = 'to give it the time you walked, use "Change date" at the top of its page'
"""How the walker dates a walk whose file holds no start time once it is stored (``PATCH /api/walks/{id}``; the
upload form's "When did you walk?" dates such a file as it is uploaded)."""


def given_words(iso: str) -> str:
    """A start the walker gave, as they gave it (their own UTC offset): "2026-11-20 09:30 (UTC+01:00)".

    Examples
    --------
    >>> given_words("2026-11-20T09:30:00+01:00"), given_words("2026-11-20T09:30:15.250000-05:30")
    ('2026-11-20 09:30 (UTC+01:00)', '2026-11-20 09:30 (UTC-05:30)')
    """
    when = datetime.fromisoformat(iso)
    offset = when.strftime("%z") or "+0000"
    return f"{when:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:5]})"


def _dated_before(changed: dict[str, Any]) -> str:
    """How a walk was dated before the walker changed its date (``source["started_at_changed"]``, the first dating
    it had): "it was dated to end when it was uploaded (the file holds no start time)"."""
    before = local_minute(datetime.fromisoformat(changed["before"])) if changed.get("before") else "at an unknown time"
    dated_from = changed.get("before_from")
    if dated_from == "import":
        return "it was dated to end when it was uploaded (the file holds no start time)"
    if dated_from == "recording":
        return f"its recording's clock had it start {before}"
    if dated_from == "user":
        return f"it was dated {before} by the start given when it was uploaded"
    return f"it was dated {before}"


def date_note(walk: dict[str, Any]) -> str | None:
    """What a walk's page says about its date when it does not simply come from the recording: the walker changed
    it on its page (and how it was dated before), the file held no start time (dated at the upload: how to give it
    its date; or dated by the start the walker gave), or a start was given but not used (the file's own wins). None
    otherwise (a live walk, a sample, a dated file).

    Examples
    --------
    >>> date_note({"origin": "upload", "source": {"started_at_from": "import"}})[:66]
    'date: the file holds no start time, so this walk is dated to end w'
    >>> given = {"started_at_given": "2026-11-20T09:30:00+01:00"}
    >>> date_note({"origin": "upload", "source": {"started_at_from": "recording", **given}})
    "date: the file's own start time; the start given when it was uploaded, 2026-11-20 09:30 (UTC+01:00), was not used"
    >>> date_note({"origin": "upload", "source": {"started_at_from": "recording"}}) is None
    True
    >>> changed = {"before": "2026-11-27T08:00:00+00:00", "before_from": "recording"}
    >>> date_note({"origin": "live", "source": {"started_at_from": "user", "started_at_changed": changed, **given}})
    ... # doctest: +NORMALIZE_WHITESPACE +ELLIPSIS
    "date: the start you gave on this page, 2026-11-20 09:30 (UTC+01:00); before, its recording's clock had it start
    2026-11-2..."
    """
    source = walk.get("source") or {}
    given = source.get("started_at_given")
    changed = source.get("started_at_changed")
    if isinstance(changed, dict) and isinstance(given, str):
        return f"date: the start you gave on this page, {given_words(given)}; before, {_dated_before(changed)}"
    if walk.get("origin") != "upload":
        return None
    if source.get("started_at_from") == "import":
        return f"date: the file holds no start time, so this walk is dated to end when it was uploaded; {GIVE_ITS_DATE}"
    if not isinstance(given, str):
        return None
    if source.get("started_at_from") == "user":
        return f"date: the start given when it was uploaded, {given_words(given)}, as the file holds no start time"
    return f"date: the file's own start time; the start given when it was uploaded, {given_words(given)}, was not used"


def safe_filename(name: str | None) -> str:
    """The name an upload is spooled under: :func:`display_filename`, so that what the readers say names the file as
    the user did, unless its UTF-8 form is too long for a file system's 255 bytes (then with only letters, digits,
    '.', '-', '_' and spaces, cut to fit).

    Examples
    --------
    >>> safe_filename("ünïcødé wålk 🚶.csv")
    'ünïcødé wålk 🚶.csv'
    >>> long = safe_filename("ü" * 150 + ".csv")
    >>> len(long.encode()) <= MAX_NAME_BYTES, long.endswith("ü.csv")
    (True, True)
    """
    shown = display_filename(name)
    if len(shown.encode()) <= MAX_NAME_BYTES:
        return shown
    safe = _UNSAFE_ON_DISK.sub("_", shown).strip(" .") or "upload"
    return _shortened(safe, lambda n: len(n.encode()) <= MAX_NAME_BYTES)


class UploadRegistry:
    """Thread-safe map of upload id -> :class:`UploadStatus`, keeping the most recent ``keep`` entries."""

    def __init__(self, keep: int = 200) -> None:
        self._items: OrderedDict[str, UploadStatus] = OrderedDict()
        self._lock = threading.Lock()
        self._keep = keep

    def begin(self, upload_id: str, filename: str) -> bool:
        """Register a new upload; False when one with this id is still running."""
        with self._lock:
            current = self._items.get(upload_id)
            if current is not None and current.stage not in ("done", "failed"):
                return False
            self._items[upload_id] = UploadStatus(upload_id=upload_id, filename=filename, stage="receiving", progress=0)
            self._items.move_to_end(upload_id)
            while len(self._items) > self._keep:
                self._items.popitem(last=False)
            return True

    def update(self, upload_id: str, stage: str, progress: float, **fields: object) -> None:
        """Move an upload to ``stage`` with ``progress`` (0..1)."""
        with self._lock:
            current = self._items.get(upload_id)
            if current is not None:
                self._items[upload_id] = current.model_copy(
                    update={"stage": stage, "progress": min(max(progress, 0.0), 1.0), **fields}
                )

    def get(self, upload_id: str) -> UploadStatus | None:
        """Current status, or None for unknown ids."""
        with self._lock:
            return self._items.get(upload_id)

    def active(self) -> list[UploadStatus]:
        """Uploads not yet done or failed."""
        with self._lock:
            return [u for u in self._items.values() if u.stage not in ("done", "failed")]
