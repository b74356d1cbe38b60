"""Pydantic models of the HTTP API, split into what a client sends (``*Create``/``*Update``) and what it gets."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from gait.coach import DEFAULT_REDUCTION, DEFAULT_TOLERANCE_M, REDUCTION_RANGE, CoachSettings
from gait.consts import BODY_HEIGHT_RANGE_M, SENSOR_HEIGHT_RANGE_M, STRIDE_SCALE_RANGE
from gait.numbers import round_half_away
from gait.stride_length import CALIBRATION_WALK_GOOD_M, factor_words
from gait.types import NO_LENGTH_MODEL_PLACEMENTS, Placement


class CoachingSettings(BaseModel):
    """Stride coaching preferences (limits from :mod:`gait.coach.settings`). Opt-in; never medical advice."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(False, description="Turn overstride flags and cues on (opt-in).")
    reduction: float = Field(
        DEFAULT_REDUCTION,
        ge=REDUCTION_RANGE[0],
        le=REDUCTION_RANGE[1],
        description="Target shortening as a share of your baseline stride at the same cadence (0.10 = 10 %).",
    )
    tolerance_m: float = Field(
        DEFAULT_TOLERANCE_M, ge=0.0, le=0.30, description="A stride is flagged only when longer than target + this."
    )
    audio_cue: bool = Field(True, description="Beep on an overstride cue in the live view.")

    def coach_settings(self) -> CoachSettings:
        """The core's :class:`~gait.coach.CoachSettings` for these preferences."""
        return CoachSettings(enabled=self.enabled, reduction=self.reduction, tolerance_m=self.tolerance_m)


StrideScale = Annotated[float, Field(ge=STRIDE_SCALE_RANGE[0], le=STRIDE_SCALE_RANGE[1])]
"""A personal stride-length factor (the core's range, as ``gait calibrate`` and ``--stride-scale`` accept)."""


NO_LENGTH_MODEL_NAMES = frozenset(p.value for p in NO_LENGTH_MODEL_PLACEMENTS)
"""The placements without a stride-length model (cadence only): no calibration factor is kept for them."""
FACTOR_PLACEMENTS: tuple[Placement, ...] = tuple(p for p in Placement if p not in NO_LENGTH_MODEL_PLACEMENTS)
"""The placements a calibration factor is for: those with a stride-length model."""


def check_factor_placement(placement: Placement) -> Placement:
    """``placement``, or a ValueError saying that it has no stride length to calibrate and which placements do.

    Examples
    --------
    >>> check_factor_placement(Placement.HAND).value
    'hand'
    >>> check_factor_placement(Placement.WRIST)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: a wrist sensor has no stride-length model (cadence only), so it has no calibration factor: ...
    """
    if placement not in NO_LENGTH_MODEL_PLACEMENTS:
        return placement
    names = [p.value.replace("_", "-") for p in FACTOR_PLACEMENTS]
    raise ValueError(
        f"a {placement.value} sensor has no stride-length model (cadence only), so it has no calibration factor: "
        f"factors are for a {', '.join(names[:-1])} or {names[-1]} sensor; remove the {placement.value} factor"
    )


LEGACY_FACTOR_KEYS = ("stride_scale", "stride_scale_placement")
"""The single factor of profiles saved before factors were kept per placement (accepted from clients, converted)."""


def upgrade_profile_document(data: dict[str, Any]) -> dict[str, Any]:
    """A stored profile document in today's form: the single factor of profiles saved before factors were kept per
    placement (``stride_scale`` with ``stride_scale_placement``, or alone meaning the usual placement, or
    ``lower_back``, the placement assumed everywhere, when no placement was set) becomes its placement's entry of
    ``stride_scales``. A factor of a placement without a stride-length model (stored before such factors were
    refused) is dropped: nothing could use it. Other keys are kept as they are; a document with none of these is
    returned unchanged (the same object).

    Examples
    --------
    >>> upgrade_profile_document({"placement": "lower_back", "stride_scale": 1.1, "stride_scale_placement": "pocket"})
    {'placement': 'lower_back', 'stride_scales': {'pocket': 1.1}}
    >>> upgrade_profile_document({"placement": "foot", "stride_scale": 0.95})
    {'placement': 'foot', 'stride_scales': {'foot': 0.95}}
    >>> upgrade_profile_document({"stride_scale": None, "stride_scale_placement": None})
    {}
    >>> upgrade_profile_document({"stride_scales": {"wrist": 1.1, "pocket": 0.9}})
    {'stride_scales': {'pocket': 0.9}}
    """
    stored = data.get("stride_scales")
    unusable = [k for k in stored or {} if k in NO_LENGTH_MODEL_NAMES] if isinstance(stored, dict) else []
    if not unusable and not any(key in data for key in LEGACY_FACTOR_KEYS):
        return data
    out = {k: v for k, v in data.items() if k not in LEGACY_FACTOR_KEYS}
    if unusable:  # stored before they were refused: no walk of theirs has a stride length to scale
        out["stride_scales"] = {k: v for k, v in stored.items() if k not in unusable}
    scale = data.get("stride_scale")
    where = data.get("stride_scale_placement") or data.get("placement") or Placement.LOWER_BACK.value
    if scale is not None and str(where) not in NO_LENGTH_MODEL_NAMES:
        scales = dict(out.get("stride_scales") or {})
        scales.setdefault(str(where), scale)  # a per-placement entry already there is newer: it wins
        out["stride_scales"] = scales
    return out


class ProfileBase(BaseModel):
    """The walker's profile: height, usual placement, calibration factors per placement, coaching preferences."""

    # the core's ranges: what the command line accepts, the profile accepts (one range, or a height saved by
    # `gait calibrate` could not be read back)
    body_height_m: float | None = Field(
        None, ge=BODY_HEIGHT_RANGE_M[0], le=BODY_HEIGHT_RANGE_M[1], description="Body height in metres."
    )
    placement: Placement | None = Field(None, description="Where the sensor is usually worn.")
    stride_scales: dict[Placement, StrideScale] = Field(
        default_factory=dict,
        description="Personal calibration factor per sensor placement (from `gait calibrate`, a walk of known "
        f"distance; {STRIDE_SCALE_RANGE[0]}-{STRIDE_SCALE_RANGE[1]}): it multiplies the stride lengths of walks with "
        "the sensor at that placement only. A placement without one uses the model's lengths.",
    )
    coaching: CoachingSettings = Field(default_factory=CoachingSettings)

    def stride_scale_for(self, placement: Placement | None) -> float | None:
        """The walker's calibration factor for walks with the sensor at ``placement`` (None: none fitted there)."""
        return None if placement is None else self.stride_scales.get(placement)


class ProfileUpdate(ProfileBase):
    """The walker's profile as sent by the client (and as stored).

    ``stride_scales`` left out of a request keeps the stored factors (they come from ``gait calibrate``: a client
    that does not know them never drops them). Clients of the single factor may still send ``stride_scale`` (with
    ``stride_scale_placement``, or meaning the usual ``placement``): it sets (a number) or removes (null) the factor
    of that one placement and keeps the others.
    """

    model_config = ConfigDict(extra="forbid")

    stride_scale: float | None = Field(
        None,
        ge=STRIDE_SCALE_RANGE[0],
        le=STRIDE_SCALE_RANGE[1],
        exclude=True,
        json_schema_extra={"deprecated": True},
        description="Deprecated (use stride_scales): the factor of one placement, that of stride_scale_placement "
        "or else the usual placement; null removes it.",
    )
    stride_scale_placement: Placement | None = Field(
        None,
        exclude=True,
        json_schema_extra={"deprecated": True},
        description="Deprecated (use stride_scales): the placement stride_scale is for.",
    )

    @field_validator("stride_scales")
    @classmethod
    def _only_placements_with_a_length_model(cls, scales: dict[Placement, float]) -> dict[Placement, float]:
        for placement in scales:
            check_factor_placement(placement)
        return scales

    @model_validator(mode="after")
    def _fold_the_single_factor(self) -> ProfileUpdate:
        where = self.legacy_factor_placement
        if where is None:
            if self.stride_scale is not None:
                raise ValueError(
                    'stride_scale needs a placement: send stride_scales, e.g. {"pocket": 1.05}, or set '
                    "stride_scale_placement (or placement)"
                )
            return self
        if self.stride_scale is None:
            if "stride_scales" not in self.model_fields_set:
                self.stride_scales.pop(where, None)
            return self
        given = self.stride_scales.get(where)
        if "stride_scales" in self.model_fields_set and given is not None and given != self.stride_scale:
            raise ValueError(
                f"stride_scale {self.stride_scale} contradicts stride_scales[{where.value!r}] {given}: send "
                "stride_scales only"
            )
        check_factor_placement(where)
        self.stride_scales[where] = self.stride_scale  # in place: stride_scales stays "not sent" when it was not
        return self

    @property
    def legacy_factor_placement(self) -> Placement | None:
        """The placement the old single-factor fields address, when a client sent them (None otherwise)."""
        if not set(LEGACY_FACTOR_KEYS) & self.model_fields_set:
            return None
        return self.stride_scale_placement or self.placement

    def merged_with(self, stored: ProfileBase) -> ProfileUpdate:
        """This update with the stored factors kept when it does not send ``stride_scales`` (the factor an old
        client's ``stride_scale`` addresses is set or removed, the others stay)."""
        if "stride_scales" in self.model_fields_set:
            return self
        kept = {p: f for p, f in stored.stride_scales.items() if p != self.legacy_factor_placement}
        return self.model_copy(update={"stride_scales": {**kept, **self.stride_scales}})


NESTED_PROFILE_KEYS = ("stride_scales", "coaching")
"""The profile's objects whose entries a change sets one by one (a factor per placement, each coaching setting)."""

PROFILE_FIELD_NAMES = {
    "body_height_m": "body height",
    "placement": "usual sensor placement",
    "coaching.enabled": "coaching on/off",
    "coaching.reduction": "target reduction",
    "coaching.tolerance_m": "tolerance",
    "coaching.audio_cue": "beep on a cue",
}


class ProfileConflictError(ValueError):
    """A change to the profile made from a stale view: a field it changes was saved elsewhere meanwhile."""


class ProfileChange(BaseModel):
    """A change to some fields of the profile (``PATCH /api/profile``): fields not named keep their stored values,
    so that a page never drops what was saved elsewhere meanwhile (another tab, ``gait calibrate``)."""

    model_config = ConfigDict(extra="forbid")

    changes: dict[str, Any] = Field(
        description="The fields to set, shaped as the profile: e.g. "
        '`{"body_height_m": 1.7, "coaching": {"audio_cue": false}, "stride_scales": {"pocket": null}}`. '
        "Within `coaching` and `stride_scales` only the entries named change; a factor set to null is removed, "
        "as is a body height or placement set to null."
    )
    seen: dict[str, Any] | None = Field(
        None,
        description="The values the client showed for those fields, shaped the same way. A field that is stored "
        "with another value now (saved elsewhere since) is refused with 409, and nothing is saved.",
    )


def flatten_profile_fields(doc: dict[str, Any]) -> dict[str, Any]:
    """A profile document (or part of one) as ``{path: value}``, one entry per field a change can set.

    Examples
    --------
    >>> flatten_profile_fields({"placement": "foot", "stride_scales": {"pocket": 1.1}, "coaching": {"enabled": True}})
    {'placement': 'foot', 'stride_scales.pocket': 1.1, 'coaching.enabled': True}
    """
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if key in NESTED_PROFILE_KEYS:
            if not isinstance(value, dict):
                raise ValueError(f"{key} must be an object naming the entries to change, e.g. {{...}}, not {value!r}")
            out.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            out[key] = value
    return out


def profile_field_name(path: str) -> str:
    """What the dashboard calls a field of the profile, e.g. "body height", "pocket calibration factor"."""
    if path.startswith("stride_scales."):
        return f"{path.split('.', 1)[1].replace('_', ' ')} calibration factor"
    return PROFILE_FIELD_NAMES.get(path, path)


def apply_profile_change(stored: dict[str, Any], change: ProfileChange) -> dict[str, Any]:
    """The stored profile document (defaults filled in) with ``change`` applied and validated.

    Raises :class:`ProfileConflictError` when a changed field's stored value differs from the one ``change.seen`` says
    the client showed (unless it already holds the new value), naming each such field; ``ValueError`` (pydantic's
    ``ValidationError``) for a value the profile does not accept.
    """
    current = ProfileUpdate.model_validate(upgrade_profile_document(stored)).model_dump(mode="json")
    changes = flatten_profile_fields(change.changes)
    seen = flatten_profile_fields(change.seen or {})
    stored_flat = flatten_profile_fields(current)
    stale = [
        f"{profile_field_name(path)} is now {_shown(path, stored_flat.get(path))}"
        for path, value in changes.items()
        if path in seen and stored_flat.get(path) != seen[path] and stored_flat.get(path) != value
    ]
    if stale:
        raise ProfileConflictError(
            f"the profile changed since you opened this page ({'; '.join(stale)}, saved elsewhere): nothing was "
            "saved; reload the page to see the saved profile, then make your change again"
        )
    for path, value in changes.items():
        key, _, entry = path.partition(".")
        target = current.setdefault(key, {}) if entry else current
        name = entry or key
        if value is None and key == "stride_scales":
            target.pop(name, None)
        else:
            target[name] = value
    return ProfileUpdate.model_validate(current).model_dump(mode="json")


def _shown(path: str, value: Any) -> str:
    """A stored field's value as a conflict message says it, e.g. "1.7 m", "10 %", "off", "not set"."""
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "on" if value else "off"
    if path == "coaching.reduction":
        return f"{value * 100:.0f} %"
    if path.startswith("stride_scales."):
        return factor_words(float(value))
    if path.endswith("_m"):
        return f"{value} m"
    return str(value).replace("_", " ")


class ProfilePublic(ProfileBase):
    """The stored profile with the coaching disclaimer."""

    model_config = ConfigDict(extra="ignore")

    not_medical_advice: str


def _rounded_to(decimals: int) -> Callable[[float | None], float | None]:
    def rounded(value: float | None) -> float | None:
        return None if value is None else round_half_away(value, decimals)

    return rounded


LengthM = Annotated[float | None, AfterValidator(_rounded_to(3))]
"""A length or distance in metres as the API gives it: to the millimetre (a mean or an Apple Health stride carries
float noise, 1.1478503194317755)."""
CadenceSpm = Annotated[float | None, AfterValidator(_rounded_to(1))]
"""A cadence as the API gives it: to 0.1 steps/min, as the summaries of ``gait analyze`` are."""


class WalkSummary(BaseModel):
    """Summary figures of one walk (None where unknown): lengths to the millimetre, cadence to 0.1 steps/min."""

    steps: int | None = Field(
        None,
        description="Steps found; a foot sensor sees only its own foot's contacts, about half the walker's steps "
        "(its cadence counts both feet).",
    )
    strides: int | None = None
    cadence_spm: CadenceSpm = None
    stride_length_m: LengthM = None
    distance_m: LengthM = None
    walking_time_s: float | None = None
    duration_s: float | None = None
    flagged_strides: int = 0


class WalkPublic(BaseModel):
    """A walk as listed and shown."""

    id: int
    name: str
    origin: Literal["upload", "sample", "live"]
    status: Literal["complete", "live", "interrupted"]
    format: str | None
    placement: str | None
    started_at: str
    created_at: str
    summary: WalkSummary
    reason: str | None = Field(None, description="Why no strides were found, when none were.")
    source: dict[str, Any] = Field(default_factory=dict)
    coaching: dict[str, Any] = Field(
        default_factory=dict,
        description="Target used to flag strides, and why (the plan at the walk's time, kept as history); "
        "`pain_reports`: the pain reports that plan rested on (id, reported_at, score), those reported within the "
        "pain lookback before the walk; `pain_walk_reports`: those naming a walk of its history (with walk_id), which "
        "was then not pain-free; `relied_on_walks`: the walks whose being pain-free it rested on (its baseline's, its "
        "count of pain-free walks); on a single walk, `deleted_pain_reports`: those deleted since, "
        "`added_pain_reports`: those added since that the plan of its day rests on (with walk_id, walk_name and "
        "`dated`: reported within the lookback before the walk), and `deleted_walks`: the ids of the walks it "
        "relied on that were deleted since.",
    )
    notes: list[str] = Field(
        default_factory=list, description="How the figures were obtained: models, defaults assumed, placement checks."
    )
    demo: bool = Field(
        False,
        description="Not the walker's own walking (a sample recording, a demo replay, a virtual sensor): shown, "
        "never used for coaching (baseline, pain-free walks, targets).",
    )
    ended: str | None = Field(
        None,
        description='How a live walk ended, in plain words ("stopped by you", "the link to the sensor was lost '
        "and could not be restored\"...); its code is `source.ended` (with `source.end_detail`, the error's message, "
        "when an error ended it). Null for uploads, walks still live and walks stored before this was recorded.",
    )
    analysis: dict[str, Any] | None = Field(
        None,
        description="What analysed the walk: `version`, whether the profile applied (`uses_profile`), the height "
        "(`body_height_m`, `height_from`: profile or recording) and calibration factor (`stride_scale`) used; "
        "null for walks analysed before this was recorded.",
    )


class ReanalysisStatus(BaseModel):
    """Whether a walk's analysis is this version's with the current profile, and whether it can be redone."""

    out_of_date: bool = Field(
        description="Analysed by another version, or with another height or factor, or judged by a coaching plan "
        "that a pain report added or deleted since changes, that rested on a walk deleted since, or that a walk's "
        "date changed since changes."
    )
    reasons: list[str] = Field(description="Why it is out of date, in words.")
    plan_changed: bool = Field(
        False,
        description="Out of date (at least) because a pain report added or deleted since changes the coaching plan "
        "of the walk's day (the plan it shows is kept as it was until it is analysed again).",
    )
    reason_kinds: list[str] = Field(
        default_factory=list,
        description="The kinds of its reasons (`version`, `height`, `factor`, `mixed_baseline`, `pain`, "
        "`deleted_walk`, `date`).",
    )
    samples_kept: bool = Field(description="Its samples are kept (an upload's, a live walk's journal, a sample).")
    can_reanalyse: bool
    why_not: str | None = Field(None, description="Why it cannot be analysed again, and what to do.")
    version: str | None = Field(None, description="The version that analysed it (null: before versions were kept).")
    current_version: str


class CalibrationStatus(BaseModel):
    """Whether a walk can fit the walker's stride-length factor ("this walk was N m")."""

    can_calibrate: bool
    why_not: str | None = Field(None, description="Why it cannot, and what to do.")
    placement: Placement | None = Field(None, description="The placement whose factor it would fit.")
    factor: float | None = Field(None, description="The profile's factor for that placement now (null: none).")
    good_walk_m: float = Field(
        description="A walk at least this long gives a factor to rely on; a shorter one a rough factor (a warning)."
    )
    min_walk_m: float = Field(description="A walk shorter than this cannot calibrate (refused).")


class CalibrationRequest(BaseModel):
    """The distance a stored walk really was."""

    model_config = ConfigDict(extra="forbid")

    distance_m: float = Field(
        description="The distance walked, in metres, measured independently (a track lap, a route measured on a "
        "map or a route planner)."
    )
    dry_run: bool = Field(False, description="Fit and show the factor, saving nothing (`gait calibrate --dry-run`).")


class CalibrationResult(BaseModel):
    """The factor fitted from a walk of known distance, and the walk's distance before and after it."""

    walk_id: int
    placement: Placement
    distance_m: float = Field(description="The distance given.")
    model_distance_m: float = Field(description="The distance the model alone estimated (no personal factor).")
    walk_factor: float | None = Field(description="The factor the walk's figures were analysed with (null: none).")
    factor_before: float | None = Field(description="The profile's factor for the placement before (null: none).")
    factor: float = Field(description="The factor fitted.")
    distance_before_m: float = Field(description="The walk's distance as stored.")
    distance_after_m: float = Field(description="The walk's distance with the fitted factor (once analysed again).")
    saved: bool = Field(description="False for a dry run: the profile is unchanged.")
    factors: dict[Placement, float] = Field(description="The profile's factors per placement now.")
    notes: list[str] = Field(description="What else the calibration changed or kept, in words.")
    warning: str | None = Field(
        None,
        description=f"The walk is shorter than {CALIBRATION_WALK_GOOD_M:g} m: the factor is rough, and what to do "
        f"for one to rely on (walk at least {CALIBRATION_WALK_GOOD_M:g} m at your usual pace); null for a long enough "
        "walk. A rough factor is still saved.",
    )
    out_of_date: int | None = Field(
        None, description="Walks now out of date (another factor, height or version) that can be analysed again."
    )


class ReanalyseRequest(BaseModel):
    """How to analyse one walk again: as stored, or with the sensor's placement corrected."""

    model_config = ConfigDict(extra="forbid")

    placement: Placement | None = Field(
        None,
        description="Where the sensor really was worn, when the walk was stored with another placement (uploaded as "
        "waist, worn at the lower back): the walk is analysed and stored as that placement, keeping its id and pain "
        "reports. Default: its own placement. The values the upload's `placement` takes.",
    )


class ReanalysisResult(BaseModel):
    """One walk analysed again: its figures before and after, or why it failed."""

    walk_id: int
    name: str | None = None
    started_at: str | None = Field(
        None, description="When the walk started (ISO 8601): two walks of one name are told apart by it."
    )
    placement: str | None = Field(
        None, description="Where its sensor was worn (a chest or wrist sensor's walk has no stride length)."
    )
    ok: bool = True
    error: str | None = None
    before: WalkSummary | None = None
    after: WalkSummary | None = None
    placement_before: str | None = Field(
        None, description="Its placement before, which `placement` differs from when a placement was corrected."
    )
    change: str | None = Field(
        None,
        description='What changed, in words: "placement waist -> lower back: strides 51, median stride length 0.61 m '
        '-> 0.65 m, distance 165 m -> 160 m".',
    )
    version: str | None = Field(None, description="The version that analysed it now.")
    reasons: list[str] = Field(
        default_factory=list,
        description="Why it was out of date, in words (as its page said), when it was analysed again with the "
        "others (`POST /api/walks/reanalyse`).",
    )


class ReanalysisBatch(BaseModel):
    """Every out-of-date walk analysed again (one failure does not stop the others)."""

    reanalysed: int
    failed: int
    results: list[ReanalysisResult]


class VersionChange(BaseModel):
    """A revision of the analysis since some walks were analysed, and how many of them it can change."""

    revision: int = Field(description="The analysis revision (`gait.analysis.ANALYSIS_REVISION` of its version).")
    change: str = Field(description="What it changed, in words.")
    walks: int = Field(description="The out-of-date walks (that can be analysed again) it can change.")


class ReanalysisOverview(BaseModel):
    """How many walks could be analysed again and how many are out of date."""

    walks: int
    reanalysable: int = Field(description="Walks whose samples are kept (they can be analysed again).")
    out_of_date: int = Field(
        description="Of those, the walks analysed by another version or with another profile, or judged by a coaching "
        "plan that a pain report added or deleted since changes or that rested on a walk deleted since."
    )
    out_of_date_plan_changed: int = Field(
        0,
        description="Of the out-of-date walks, those whose coaching plan a pain report added or deleted since changes.",
    )
    out_of_date_without_samples: int = Field(
        description="Out-of-date walks that cannot be analysed again (uploaded before samples were kept)."
    )
    out_of_date_by_reason: dict[str, int] = Field(
        default_factory=dict,
        description="Of the out-of-date walks that can be analysed again, how many are so for each kind of reason: "
        "`version` (an earlier version), `height` (another body height), `factor` (another calibration factor), "
        "`mixed_baseline` (a baseline that took in other placements' walks), `pain` (a pain report added or deleted "
        "since changes the plan), `deleted_walk` (the plan rested on a walk deleted since), `date` (its own date, "
        "or the date of a walk its plan counted or can count, was changed since). A walk may have several.",
    )
    version_changes: list[VersionChange] = Field(
        default_factory=list,
        description="What the versions since their analysis changed, for the walks out of date by `version` "
        "(a revision that cannot change a walk, such as one about GPS tracks for a walk without one, does not make "
        "it out of date), oldest first.",
    )
    current_version: str


class UploadReplacement(ReanalysisResult):
    """An upload that replaced the analysis of a walk uploaded before samples were kept, in place."""

    message: str = Field(
        description="What the upload did, in words: the walk, its figures before and after, and "
        "that its pain reports stay linked."
    )


class UploadResult(BaseModel):
    """What an upload stored: one walk for a recording, several for an Apple Health export."""

    upload_id: str
    walks: list[WalkPublic]
    replaced: UploadReplacement | None = Field(
        None,
        description="Set when the file is a walk uploaded before samples were kept (the same recording, walk or "
        "time as it, and no other walk's): the walk (``walks``) keeps its id and pain reports, its analysis is "
        "this version's, judged by the coaching plan of its day, and its samples are kept from now on.",
    )


class StridePublic(BaseModel):
    """One stride row."""

    idx: int
    start_s: float
    end_s: float
    length_m: float | None
    cadence_spm: float
    speed_mps: float | None
    confidence: float
    method: str
    side: str | None
    target_m: float | None = Field(None, description="Coaching target for this stride, when coaching applied.")
    overlong: bool | None = Field(None, description="Flagged as overlong; None when no target applied.")


class StrideColumns(BaseModel):
    """A walk's strides as one array per field (``layout=columns``): item ``i`` of each array is stride ``i``."""

    idx: list[int]
    start_s: list[float]
    end_s: list[float]
    length_m: list[float | None]
    cadence_spm: list[float]
    speed_mps: list[float | None]
    confidence: list[float]
    method: list[str]
    side: list[str | None]
    target_m: list[float | None]
    overlong: list[bool | None]


class CuePublic(BaseModel):
    """A cue given during a live walk."""

    t_s: float
    kind: str
    message: str
    reason: str | None


class RidingSpanPublic(BaseModel):
    """A span the walk's GPS track showed in a vehicle: its steps, strides and bouts were left out of the figures."""

    start_s: Annotated[float, AfterValidator(_rounded_to(3))] = Field(
        description="Start, on the time axis of the walk's strides."
    )
    end_s: Annotated[float, AfterValidator(_rounded_to(3))] = Field(description="End, on the same axis.")
    speed_mps: Annotated[float, AfterValidator(_rounded_to(2))] = Field(
        description="The GPS speed over the span (to 0.01 m/s, as the export gives it)."
    )
    steps: int = Field(description="Steps found in the span (a vehicle's bounce), left out.")


class WalkDetail(WalkPublic):
    """A walk with its bouts, cues and linked pain reports (strides come from ``/strides``)."""

    bouts: list[dict[str, Any]]
    cues: list[CuePublic]
    pain_reports: list[PainPublic]
    not_medical_advice: str = Field(description="Shown wherever the walk's coaching (targets, flags, cues) is shown.")
    time_origin_s: float = Field(
        0.0,
        description="The walk's start (its first sample) on the time axis of its strides, steps, bouts and cues, "
        "which is the recording's own (a file may count from 0 or in Unix seconds): time into the walk is "
        "`start_s - time_origin_s`.",
    )
    gps_stride_length_m: LengthM = Field(
        None,
        description="Stride length from GPS (2 x GPS distance / steps), the median over the walking bouts long "
        "enough for one; None without a GPS track or such a bout.",
    )
    riding: list[RidingSpanPublic] = Field(
        default_factory=list, description="Spans the walk's GPS track showed in a vehicle, left out of its figures."
    )
    reanalysis: ReanalysisStatus | None = Field(None, description="Whether the walk can and should be analysed again.")
    calibration: CalibrationStatus | None = Field(
        None, description="Whether the walk can calibrate the stride-length factor of its placement."
    )
    rested_on_by: list[int] = Field(
        default_factory=list,
        description="The later walks whose coaching plan rests on this walk (its baseline, its count of pain-free "
        "walks): deleting it marks them out of date, to analyse again without it.",
    )
    can_change_date: bool = Field(
        False,
        description="The walker may change its start (`PATCH /api/walks/{id}`): one of their own walks that has "
        "ended, whatever dated it; not a sample or demo walk, nor one being recorded live.",
    )


class WalkDateChange(BaseModel):
    """A stored walk's start as the walker gives it."""

    model_config = ConfigDict(extra="forbid")

    started_at: str = Field(
        max_length=64,
        description="When the walk started, ISO 8601 with its UTC offset (2026-11-20T09:30+01:00), checked as the "
        "upload's `started_at` is: from 2000 on, at most a minute ahead of now, the walk (its duration) ending by now, "
        "and at or before the time of every pain report made for it.",
    )


class WalkDateChanged(BaseModel):
    """What changing a walk's start did."""

    walk_id: int
    started_at: str = Field(description="Its start now (UTC), as listed.")
    started_at_before: str = Field(description="Its start before (UTC).")
    marked_out_of_date: list[int] = Field(
        description="The walks whose coaching plan its new date changes, marked out of date to analyse again: the walk "
        "itself (its plan was the one of its old date) first, then those whose plan counted it and no longer can, or "
        "can count it now (its baseline, its count of pain-free walks), oldest first."
    )
    message: str = Field(
        description="What was changed, in words: the new start as given, that its figures and pain reports stay, "
        "and how to analyse the marked walks again (or for one that cannot be, what to do instead)."
    )


class WalkDeleted(BaseModel):
    """What deleting a walk did."""

    walk_id: int
    marked_out_of_date: list[int] = Field(
        description="The later walks whose coaching plan rested on the deleted walk: now out of date (their plan "
        "without it is another one), to analyse again."
    )
    message: str = Field(
        description="What was deleted and what it changed, in words: how to analyse the marked walks again, or for "
        "one that cannot be (uploaded before samples were kept) what to do instead (upload its file again)."
    )


class TrendRow(BaseModel):
    """Totals over one day, week or month, and each walk's median cadence and stride length (a foot pod's or Apple
    Health walk's mean) averaged over its walks, each weighing its strides (lengths to the millimetre, cadence to 0.1
    steps/min); an Apple Health walk counts its steps / 2 strides, as in the means."""

    period: str
    walks: int
    strides: int
    cadence_spm: CadenceSpm
    stride_length_m: LengthM
    distance_m: LengthM
    walking_time_s: float | None
    flagged_strides: int
    placements: dict[str, int] = Field(
        description="The period's walks per sensor placement ('unknown' for a walk without one, an Apple Health "
        "summary). Stride lengths of two placements come from different models: compare like with like "
        "(`?placement=`)."
    )


class PainCreate(BaseModel):
    """A back-pain report."""

    model_config = ConfigDict(extra="forbid")

    score: int = Field(..., ge=0, le=10, description="Back pain from 0 (none) to 10 (worst).")
    reported_at: datetime | None = Field(
        None,
        description="When the pain was felt, ISO 8601 with its UTC offset (2026-11-20T09:30+01:00, or Z; a time "
        "without one is refused); default the end of the walk named by walk_id (its start plus its duration), or now "
        "when no walk is named.",
    )
    walk_id: int | None = Field(
        None,
        description="The walk during which it started, if any; onsets beyond that walk's distance or duration (by "
        "more than 10 %, at least 50 m or 60 s) are refused.",
    )
    onset_distance_m: float | None = Field(
        None, ge=0, le=100_000, description="Distance into the walk at onset (0 is refused: leave it out)."
    )
    onset_time_s: float | None = Field(
        None, ge=0, le=86_400, description="Time into the walk at onset (0 is refused: leave it out)."
    )
    note: str | None = Field(None, max_length=500)


class PainPublic(BaseModel):
    """A stored pain report."""

    id: int
    reported_at: str
    score: int
    walk_id: int | None
    walk_deleted: bool = Field(
        False,
        description="The report was made for a walk deleted since (its walk_id is then null); false for a report "
        "made without a walk, and for one whose walk was deleted before this was kept (unless a later walk's plan "
        "named it).",
    )
    onset_distance_m: float | None
    onset_time_s: float | None
    note: str | None


class UploadStatus(BaseModel):
    """Progress of one upload: stage and a 0..1 fraction."""

    upload_id: str
    filename: str
    stage: Literal["receiving", "reading", "analysing", "storing", "done", "failed"]
    progress: float = Field(..., ge=0, le=1)
    walk_id: int | None = None
    error: str | None = None


class LiveStart(BaseModel):
    """Start a demo walk: replay a stored sample recording through a live session."""

    model_config = ConfigDict(extra="forbid")

    sample: str | None = Field(None, description="File name in sample_recordings/; default the first one.")
    speed: float = Field(1.0, gt=0, le=50, description="Replay speed (1 = real time).")


class LiveSensorStart(BaseModel):
    """Start a live walk from a Bluetooth LE sensor (found by ``GET /api/sensors``)."""

    model_config = ConfigDict(extra="forbid")

    target: str = Field(
        ..., min_length=1, max_length=200, description="The sensor's address, or its advertised name when unique."
    )
    placement: Placement | None = Field(
        None,
        description="Where the sensor is worn; default: the foot for a foot pod (it streams RSC, running speed and "
        "cadence: said in the walk's notes), else the lower back.",
    )
    protocol: Literal["imu", "pmd", "microbit", "rsc"] | None = Field(
        None, description="Force a protocol; default the best the sensor offers (raw samples before RSC aggregates)."
    )
    side: Literal["left", "right"] | None = Field(
        None, description="The shoe a foot sensor is on (foot placement only): its steps and strides carry that side."
    )
    sensor_height_m: float | None = Field(
        None,
        description="The sensor's height above the floor as measured, in metres (lower back or waist only): the "
        "stride-length model's pendulum, as `gait live --sensor-height-m`; default: estimated from the body height. "
        f"From {SENSOR_HEIGHT_RANGE_M[0]:g} to {SENSOR_HEIGHT_RANGE_M[1]:g} m.",
    )

    @model_validator(mode="after")
    def _side_needs_a_foot_sensor(self) -> LiveSensorStart:
        if self.side is not None and self.placement is not Placement.FOOT:
            raise ValueError(
                f"side {self.side!r} is for a sensor on a shoe: choose placement foot, or leave the side out"
            )
        return self

    @model_validator(mode="after")
    def _sensor_height_of_a_trunk_sensor(self) -> LiveSensorStart:
        value = self.sensor_height_m
        if value is None:
            return self
        low, high = SENSOR_HEIGHT_RANGE_M
        if not (math.isfinite(value) and low <= value <= high):
            raise ValueError(
                f"sensor height {value:g} m is not a height from the floor to the sensor ({low * 100:.0f} to "
                f"{high * 100:.0f} cm): measure it again, or leave it out"
            )
        if self.placement not in (None, Placement.LOWER_BACK, Placement.WAIST):  # None: the lower back (not a pod)
            raise ValueError(
                f"a sensor height is used for a sensor at the lower back or waist only (their stride lengths rest on "
                f"it), not at the {self.placement.value.replace('_', ' ')}: leave it out"
            )
        return self


class SensorPublic(BaseModel):
    """A sensor seen while scanning."""

    address: str
    name: str | None
    rssi_dbm: int = Field(..., description="Signal strength of its latest advertisement (closer to 0 is stronger).")
    protocols: list[str] = Field(..., description="What it streams: imu, pmd, microbit, rsc.")
    supports: str = Field(..., description="The same, in words.")


class SensorScan(BaseModel):
    """Result of a scan for gait sensors."""

    seconds: float
    sensors: list[SensorPublic]
    virtual: bool = Field(False, description="The sensors are virtual (the service runs with GAIT_BLE_VIRTUAL=1).")


class LiveStatus(BaseModel):
    """The live session, if any."""

    running: bool
    connecting: bool = Field(
        False,
        description="A sensor walk's start is looking for its sensor or connecting to it (no walk yet): POST "
        "/api/live/stop cancels it.",
    )
    walk_id: int | None
    state: dict[str, Any] | None = Field(
        None, description="Latest session state (phase, samples, lost_packets, gaps, error); kept after the walk ends."
    )
    sensor: dict[str, Any] | None = Field(None, description="The sensor of the latest walk: name, address, protocol.")
    subscribers: int
    unclosed_walk_id: int | None = Field(
        None,
        description="A live walk a full disk stopped before it could be closed: POST /api/live/stop closes it once "
        "there is space again (else the next start does).",
    )
    samples: list[str]
    default_sample: str | None = Field(
        None, description="The sample a demo replays when none is named (the dashboard's demo walk preselects it)."
    )


class Health(BaseModel):
    """Liveness and store facts."""

    status: Literal["ok"]
    version: str
    schema_version: int
    walks: int
    live: bool
    token_required: bool


class PainSaved(PainPublic):
    """A pain report just stored, with what the coaching makes of it."""

    too_old_to_plan: str | None = Field(
        None,
        description="Words saying that the report's point of pain (its distance or time into the walk) gives no "
        "walk-length recommendation because the report is older than the coaching's pain lookback; null otherwise.",
    )


class CoachingStatus(BaseModel):
    """The coaching plan now: on or off and why, baseline, target, walk-length recommendation, tips."""

    plan: dict[str, Any] = Field(..., description="gait.coach.CoachingPlan.to_dict()")
    settings: CoachingSettings
    tips: list[dict[str, str]]
    not_medical_advice: str
    calibration_walk_good_m: float = Field(
        description="A walk of known distance at least this long calibrates a stride-length factor to rely on (a "
        "walk's Calibrate card, gait calibrate); a shorter one gives a rough factor."
    )
    old_onsets: str | None = Field(
        None,
        description="With no walk-length recommendation: words saying that every report of where back pain started "
        "is older than the coaching's pain lookback, so none is planned from; null otherwise.",
    )


class Problem(BaseModel):
    """Error body: what is wrong and what to do."""

    detail: str


WalkDetail.model_rebuild()
