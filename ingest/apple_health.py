"""Apple Health ``export.xml`` (or the export zip): daily and per-walk summaries, never raw samples.

Real exports run to hundreds of MB, so the XML is parsed as a stream with expat (bounded memory: only the four
record types kept, as compact arrays). Records for the same interval often come from several sources (iPhone
and Watch); overlapping records from lower-priority sources are dropped, the source with most data ranking first.
"""

from __future__ import annotations

import calendar
import os
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Final
from xml.parsers import expat

from ingest.archive import open_bundle
from ingest.common import FormatInfo
from ingest.errors import IngestError

INFO = FormatInfo(
    name="apple_health",
    description="Apple Health export (export.zip or export.xml): step count, distance, step length and walking "
    "speed summaries, shown as trends (cannot be analysed stride by stride)",
    patterns=("export.zip", "apple_health_export/export.xml"),
    checked_versions=("HealthKit Export Version 8 (iOS 12.3)", "iOS 14+ layout with WalkingStepLength (synthetic)"),
    samples=False,
)

STEPS: Final = "HKQuantityTypeIdentifierStepCount"
DISTANCE: Final = "HKQuantityTypeIdentifierDistanceWalkingRunning"
STEP_LENGTH: Final = "HKQuantityTypeIdentifierWalkingStepLength"
SPEED: Final = "HKQuantityTypeIdentifierWalkingSpeed"
TYPES: Final = (STEPS, DISTANCE, STEP_LENGTH, SPEED)

#: Factors to SI (count, m, m, m/s) for the units Health writes.
_UNIT_SCALE: Final = {
    STEPS: {"count": 1.0},
    DISTANCE: {"m": 1.0, "km": 1000.0, "mi": 1609.344, "ft": 0.3048, "yd": 0.9144, "cm": 0.01},
    STEP_LENGTH: {"cm": 0.01, "m": 1.0, "in": 0.0254, "ft": 0.3048, "mm": 0.001},
    SPEED: {"m/s": 1.0, "km/hr": 1 / 3.6, "km/h": 1 / 3.6, "mi/hr": 0.44704, "mph": 0.44704},
}

WALK_MAX_GAP_S: Final = 120.0
"""Step records closer than this belong to the same walk."""
WALK_MIN_DURATION_S: Final = 300.0
"""Shorter stretches of steps are everyday moving about, not a walk."""
WALK_MIN_STEP_RATE_SPM: Final = 60.0
"""Below this mean step rate (steps / duration, pauses included) a stretch is pottering, not walking."""
_CHUNK_BYTES: Final = 1 << 20


@dataclass(frozen=True)
class DaySummary:
    """One calendar day (the phone's local date) of Health summaries.

    Attributes
    ----------
    date
        ``YYYY-MM-DD`` in the local time the records were written in.
    steps
        Steps that day after removing overlapping sources.
    distance_m
        Walking + running distance, or None when not recorded.
    step_length_m
        Mean of the phone's WalkingStepLength records, or distance / steps when there are none (None if neither).
    speed_mps
        Mean of WalkingSpeed records, or None.
    step_length_method
        ``"health_step_length"``, ``"distance_per_step"`` or ``"none"``.
    """

    date: str
    steps: float
    distance_m: float | None
    step_length_m: float | None
    speed_mps: float | None
    step_length_method: str


@dataclass(frozen=True)
class WalkSummary:
    """A stretch of continuous walking found from step-count records.

    Attributes
    ----------
    start_epoch_s, end_epoch_s
        Unix times of the first record's start and the last record's end.
    date
        Local date of the start.
    steps, distance_m, step_length_m, speed_mps
        Totals and means over the walk (None where the export has no data).
    step_rate_spm
        Steps per minute over the whole walk, pauses included (steps / duration): an average, not a cadence.
    cadence_spm
        Always None: Health records step counts per interval, not step times, so the walker's cadence (steps per
        minute while stepping) is not known; the field exists so that walk summaries from every source have it.
    """

    start_epoch_s: float
    end_epoch_s: float
    date: str
    steps: float
    distance_m: float | None
    step_length_m: float | None
    speed_mps: float | None
    step_rate_spm: float
    cadence_spm: float | None = None

    @property
    def duration_s(self) -> float:
        """Length of the walk in seconds."""
        return self.end_epoch_s - self.start_epoch_s


@dataclass(frozen=True)
class HealthSummary:
    """What an Apple Health export says about walking.

    Attributes
    ----------
    days, walks
        Daily and per-walk summaries in time order.
    record_counts
        Records read per type (before de-duplication), by short name.
    dropped_overlaps
        Records dropped because a higher-priority source covered the same time.
    sources
        Source names in priority order.
    export_date
        The export's own date stamp, when present.
    """

    days: list[DaySummary]
    walks: list[WalkSummary]
    record_counts: dict[str, int]
    dropped_overlaps: int
    sources: list[str]
    export_date: str | None = None
    source: dict[str, str] = field(default_factory=dict)


class _Columns:
    """Compact column store of one record type (bounded memory: 8-byte floats, no per-record objects)."""

    def __init__(self) -> None:
        self.start = array("d")
        self.end = array("d")
        self.value = array("d")
        self.src = array("i")
        self.day = array("i")


class _Collector:
    def __init__(self) -> None:
        self.cols = {t: _Columns() for t in TYPES}
        self.sources: dict[str, int] = {}
        self.days: dict[str, int] = {}
        self._midnight: dict[str, float] = {}
        self.correlation_depth = 0
        self.export_date: str | None = None
        self.bad_records = 0

    def epoch(self, stamp: str) -> float:
        # 'YYYY-MM-DD HH:MM:SS +HHMM'; strptime would dominate the run time on a 500 MB export.
        day = stamp[:10]
        base = self._midnight.get(day)
        if base is None:
            base = float(calendar.timegm((int(day[:4]), int(day[5:7]), int(day[8:10]), 0, 0, 0)))
            self._midnight[day] = base
        hms = int(stamp[11:13]) * 3600 + int(stamp[14:16]) * 60 + int(stamp[17:19])
        off = stamp[20:25]
        sign = -1 if off[0] == "-" else 1
        offset_s = sign * (int(off[1:3]) * 3600 + int(off[3:5]) * 60)
        return base + hms - offset_s

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "Record":
            if self.correlation_depth:
                return  # records inside a Correlation are repeated at top level
            kind = attrs.get("type")
            if kind not in self.cols:
                return
            try:
                scale = _UNIT_SCALE[kind][attrs.get("unit", "count" if kind == STEPS else "")]
                start_text = attrs["startDate"]
                start, end = self.epoch(start_text), self.epoch(attrs["endDate"])
                value = float(attrs["value"]) * scale
            except (KeyError, ValueError, IndexError):
                self.bad_records += 1
                return
            if not end >= start or value != value:
                self.bad_records += 1
                return
            cols = self.cols[kind]
            cols.start.append(start)
            cols.end.append(end)
            cols.value.append(value)
            cols.src.append(self.sources.setdefault(attrs.get("sourceName", "?"), len(self.sources)))
            cols.day.append(self.days.setdefault(start_text[:10], len(self.days)))
        elif name == "Correlation":
            self.correlation_depth += 1
        elif name == "ExportDate":
            self.export_date = attrs.get("value")

    def end(self, name: str) -> None:
        if name == "Correlation":
            self.correlation_depth -= 1


def _parse(stream: object, what: str) -> _Collector:
    collector = _Collector()
    parser = expat.ParserCreate()
    parser.StartElementHandler = collector.start
    parser.EndElementHandler = collector.end
    # Never fetch external entities or DTDs; expat itself refuses entity-expansion bombs (billion laughs).
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    seen_root = False
    try:
        while True:
            chunk = stream.read(_CHUNK_BYTES)  # type: ignore[attr-defined]
            if not seen_root and chunk:
                seen_root = True
                if b"<HealthData" not in chunk and b"<?xml" not in chunk[:100]:
                    raise IngestError(
                        f"{what}: not an Apple Health export.xml (no <HealthData> element); in the Health app use "
                        "Profile > Export All Health Data and load export.zip",
                        reason="not_health",
                    )
            parser.Parse(chunk, not chunk)
            if not chunk:
                break
    except expat.ExpatError as exc:
        raise IngestError(
            f"{what}: the XML is damaged at line {exc.lineno} ({expat.ErrorString(exc.code)}); the export is probably "
            "truncated: export again from the Health app",
            reason="malformed",
        ) from None
    if not seen_root:
        raise IngestError(f"{what}: the file is empty; export again from the Health app", reason="empty")
    return collector


def _priority(collector: _Collector) -> list[int]:
    totals: dict[int, float] = {}
    steps = collector.cols[STEPS]
    for s, v in zip(steps.src, steps.value, strict=True):
        totals[s] = totals.get(s, 0.0) + v
    return sorted(collector.sources.values(), key=lambda s: -totals.get(s, 0.0))


def _dedupe(cols: _Columns, rank: dict[int, int]) -> tuple[list[int], int]:
    """Return indices of records kept (in time order) and how many overlapping or repeated records were dropped.

    Records of a lower-priority source that overlap a higher-priority one are dropped; so are exact repeats
    within one source (exports repeat records that were synced twice).
    """
    order = sorted(
        range(len(cols.start)),
        key=lambda i: (rank.get(cols.src[i], 1 << 30), cols.start[i], cols.end[i], cols.value[i]),
    )
    starts: list[float] = []  # disjoint accepted intervals of higher-priority sources, sorted
    ends: list[float] = []
    kept: list[int] = []
    dropped = 0
    current_src: int | None = None
    pending: list[tuple[float, float]] = []
    for i in order:
        if cols.src[i] != current_src:
            _merge(starts, ends, pending)
            pending, current_src = [], cols.src[i]
        a, b = cols.start[i], cols.end[i]
        last = kept[-1] if kept else None
        if last is not None and (cols.src[last], cols.start[last], cols.end[last], cols.value[last]) == (
            cols.src[i],
            a,
            b,
            cols.value[i],
        ):
            dropped += 1
            continue
        k = bisect_left(ends, a + 1e-9)
        if k < len(starts) and starts[k] < b - 1e-9:
            dropped += 1
            continue
        kept.append(i)
        pending.append((a, b))
    kept.sort(key=lambda i: cols.start[i])
    return kept, dropped


def _merge(starts: list[float], ends: list[float], new: list[tuple[float, float]]) -> None:
    if not new:
        return
    pairs = sorted([*zip(starts, ends, strict=True), *new])
    merged: list[list[float]] = []
    for a, b in pairs:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    starts[:] = [m[0] for m in merged]
    ends[:] = [m[1] for m in merged]


class _Index:
    """Kept records of one type in start order, searchable by time window."""

    def __init__(self, cols: _Columns, kept: list[int]) -> None:
        self.cols = cols
        self.kept = kept
        self.starts = [cols.start[i] for i in kept]
        self.max_dur = max((cols.end[i] - cols.start[i] for i in kept), default=0.0)

    def window(self, a: float, b: float) -> list[int]:
        """Indices of records overlapping [a, b]."""
        lo = bisect_left(self.starts, a - self.max_dur)
        hi = bisect_left(self.starts, b)
        return [i for i in self.kept[lo:hi] if self.cols.end[i] > a]

    def prorated_sum(self, a: float, b: float) -> float | None:
        """Sum of values overlapping [a, b], each prorated by the share of its interval inside."""
        total, found = 0.0, False
        for i in self.window(a, b):
            s, e = self.cols.start[i], self.cols.end[i]
            share = 1.0 if e <= s else (min(e, b) - max(s, a)) / (e - s)
            total += self.cols.value[i] * share
            found = True
        return total if found else None

    def mean_inside(self, a: float, b: float) -> float | None:
        """Mean of the values of records lying inside [a, b]."""
        vals = [self.cols.value[i] for i in self.window(a, b) if self.cols.start[i] >= a and self.cols.end[i] <= b]
        return sum(vals) / len(vals) if vals else None


def read_apple_health(path: str | os.PathLike[str]) -> HealthSummary:
    """Summarise an Apple Health export (``export.zip``, its folder or ``export.xml``) as days and walks.

    Parameters
    ----------
    path
        The export.

    Returns
    -------
    HealthSummary
        Daily totals and per-walk summaries of StepCount, DistanceWalkingRunning, WalkingStepLength and
        WalkingSpeed, with overlapping sources removed.

    Raises
    ------
    IngestError
        When the file is not a Health export or is damaged.
    """
    bundle = open_bundle(path)
    name = next((n for n in bundle.names if n.rsplit("/", 1)[-1].lower() == "export.xml"), None)
    if name is None:
        if bundle.kind == "file":
            name = bundle.names[0]
        else:
            raise IngestError(
                f"{bundle.label}: no export.xml inside; in the Health app use Profile > Export All Health Data and "
                "load the resulting export.zip",
                reason="not_health",
            )
    with bundle.stream(name) as fh:
        collector = _parse(fh, bundle.label)
    return _summarise(collector)


def _summarise(c: _Collector) -> HealthSummary:
    priority = _priority(c)
    rank = {s: r for r, s in enumerate(priority)}
    kept: dict[str, list[int]] = {}
    dropped = 0
    for kind in TYPES:
        kept[kind], n = _dedupe(c.cols[kind], rank)
        dropped += n
    day_names = sorted(c.days, key=lambda d: d)
    per_day: dict[str, dict[str, list[int]]] = {d: {t: [] for t in TYPES} for d in day_names}
    inv_days = {v: k for k, v in c.days.items()}
    for kind in TYPES:
        cols = c.cols[kind]
        for i in kept[kind]:
            per_day[inv_days[cols.day[i]]][kind].append(i)
    days = []
    for d in day_names:
        idx = per_day[d]
        steps = sum(c.cols[STEPS].value[i] for i in idx[STEPS])
        dist = sum(c.cols[DISTANCE].value[i] for i in idx[DISTANCE]) if idx[DISTANCE] else None
        lengths = [c.cols[STEP_LENGTH].value[i] for i in idx[STEP_LENGTH]]
        speeds = [c.cols[SPEED].value[i] for i in idx[SPEED]]
        if lengths:
            step_len, method = sum(lengths) / len(lengths), "health_step_length"
        elif dist is not None and steps > 0:
            step_len, method = dist / steps, "distance_per_step"
        else:
            step_len, method = None, "none"
        if not idx[STEPS] and dist is None and not lengths and not speeds:
            continue
        days.append(
            DaySummary(
                date=d,
                steps=steps,
                distance_m=dist,
                step_length_m=step_len,
                speed_mps=sum(speeds) / len(speeds) if speeds else None,
                step_length_method=method,
            )
        )
    walks = _walks(c, kept, inv_days)
    inv_src = {v: k for k, v in c.sources.items()}
    counts = {kind.removeprefix("HKQuantityTypeIdentifier"): len(c.cols[kind].start) for kind in TYPES}
    return HealthSummary(
        days=days,
        walks=walks,
        record_counts=counts,
        dropped_overlaps=dropped,
        sources=[inv_src[s] for s in priority],
        export_date=c.export_date,
        source={"format": INFO.name, "app": "Apple Health"},
    )


def _walks(c: _Collector, kept: dict[str, list[int]], inv_days: dict[int, str]) -> list[WalkSummary]:
    steps = c.cols[STEPS]
    runs: list[list[int]] = []
    for i in kept[STEPS]:
        if runs and steps.start[i] - steps.end[runs[-1][-1]] <= WALK_MAX_GAP_S:
            runs[-1].append(i)
        else:
            runs.append([i])
    dist_idx = _Index(c.cols[DISTANCE], kept[DISTANCE])
    len_idx = _Index(c.cols[STEP_LENGTH], kept[STEP_LENGTH])
    speed_idx = _Index(c.cols[SPEED], kept[SPEED])
    walks = []
    for run in runs:
        a, b = steps.start[run[0]], max(steps.end[i] for i in run)
        n_steps = sum(steps.value[i] for i in run)
        dur = b - a
        if dur < WALK_MIN_DURATION_S or 60.0 * n_steps / dur < WALK_MIN_STEP_RATE_SPM:
            continue
        dist = dist_idx.prorated_sum(a, b)
        step_len = len_idx.mean_inside(a, b)
        if step_len is None and dist is not None and n_steps > 0:
            step_len = dist / n_steps
        speed = speed_idx.mean_inside(a, b)
        if speed is None and dist is not None:
            speed = dist / dur
        walks.append(
            WalkSummary(
                start_epoch_s=a,
                end_epoch_s=b,
                date=inv_days[steps.day[run[0]]],
                steps=n_steps,
                distance_m=dist,
                step_length_m=step_len,
                speed_mps=speed,
                step_rate_spm=60.0 * n_steps / dur,
            )
        )
    return walks


__all__ = ["INFO", "DaySummary", "HealthSummary", "WalkSummary", "read_apple_health"]
