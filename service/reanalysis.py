"""Analyse stored walks again, from their kept samples, with this version's core and the current profile.

Where a walk's samples are:

- an upload: ``recordings/walk-<id>.npz`` (:mod:`service.recordings`), kept since this version; walks uploaded
  before have none: uploading the file again replaces such a walk's analysis in place (:class:`UnkeptReplacer`),
  as analysing it again would, and keeps its samples from then on;
- a live walk from the walker's own sensor: its journal ``journal/walk-<id>.csv``, with the current profile's
  height in place of the one the journal noted (the profile's at the time);
- a sample recording: its file in the samples folder, when it is still there with the same samples (checked by
  the walk's fingerprint); analysed with its own walker's heights, as at import, never with the profile;
- a live demo walk (a replayed sample, a virtual sensor) is not re-analysed: it demonstrates the live view, and
  the sample itself is a walk that is; an Apple Health walk is the phone's own summary, with no samples.

The analysis is the upload's (:func:`service.pipeline.prepare_analysis`, :func:`service.pipeline.analyse_to_walk`),
judged by the coaching plan in force when the walk was made (with the walker's opt-in of then: see
:func:`coaching_opt_in`), and swapped in one transaction
(:meth:`service.store.Store.replace_analysis`).
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from gait.analysis import (
    ANALYSIS_REVISION,
    ANALYSIS_REVISIONS,
    MODEL_NOTE_START,
    AnalysisRevision,
    revisions_since,
)
from gait.coach.text import plural
from gait.errors import GaitError
from gait.stride_length import factor_words
from gait.tracker import PENDULUM_PLACEMENTS
from gait.types import Placement, Recording
from ingest.errors import IngestError
from service import coaching
from service.coaching import plan_time_s, relied_on_walks_show
from service.live import load_journal
from service.models import ProfileUpdate
from service.pipeline import (
    ANALYSIS_VERSION,
    analyse_to_walk,
    personal_scale,
    prepare_analysis,
    recording_fingerprint,
)
from service.recordings import StagedRecording, load_recording, recording_path
from service.settings import Settings
from service.store import (
    SUMMARY_COLUMNS,
    DuplicateRecordingError,
    NewWalk,
    OverlappingWalkError,
    SameWalkError,
    Store,
    StoreError,
    WalkChangedError,
)

log = logging.getLogger(__name__)

PLAN_BEFORE_S = 0.001
"""The plan a walk is judged by is the one in force just before it started: the walk itself, stored now, was no
part of its own history when it was made (the coach's baseline counts walks up to and including its time)."""

NO_SAMPLES = (
    "walk {id} was uploaded before samples were kept: upload its file again: it replaces walk {id}'s analysis with "
    "this version's, keeping its pain reports"
)
REPLACED = "walk {id} was uploaded before samples were kept: this file replaced its analysis ({change}); {pain}"
"""What an upload that replaced such a walk's analysis says (:class:`UnkeptReplacer`)."""
SAMPLE_PLACEMENT = (
    "walk {id} is a sample recording: its sensor's placement is its walker's, not yours to change; it can be "
    "analysed again as it is"
)
SAME_TIME_SHARE = 0.9
"""Share of the longer of an upload and a stored walk they must cover together for the upload to replace the walk
(refused as covering its time, :class:`service.store.OverlappingWalkError`): the same walk's file, not a part of
it (a cut-short export covers half of the whole) nor a whole holding it."""
NOT_REANALYSABLE = {
    "apple_health": "walk {id} is an Apple Health summary (the phone's own steps and distance, no samples): there is "
    "nothing to analyse again",
    "demo": "walk {id} is a live demo (a replayed sample or a virtual sensor): it is not analysed again; the sample "
    "walks themselves are",
    "live_no_journal": "walk {id} is a live walk whose journal of samples is gone (or a foot pod's, which sends no "
    "samples): there is nothing to analyse again",
    "sample_missing": "walk {id} is a sample recording whose file is no longer in the samples folder (or holds other "
    "samples now): it cannot be analysed again",
}


class ReanalysisError(Exception):
    """A walk cannot be analysed again; ``status`` is the HTTP status the API answers with."""

    status = 409


class UnknownWalkError(ReanalysisError):
    """No walk has this id."""

    status = 404


class WalkIsLiveError(ReanalysisError):
    """The walk is being recorded live."""


class NoSamplesError(ReanalysisError):
    """The walk's samples were not kept (or it never had any)."""


class KeptChangingError(ReanalysisError):
    """The walk's date (or a mark on its plan) changed during each of :data:`CHANGED_ATTEMPTS` analyses."""


CHANGED_ATTEMPTS = 3
"""How often an analysis again starts over from the walk as it is now when its start or stored plan changed while it
was analysed (another tab changed its date): the analysis of the old date is never stored as the new date's."""


@dataclass(frozen=True)
class SampleFolders:
    """Where walks' samples are: kept uploads, live journals and the sample recordings."""

    recordings_dir: Path
    journal_dir: Path
    samples_dir: Path

    @classmethod
    def of(cls, settings: Settings) -> SampleFolders:
        """Where the service of ``settings`` keeps walks' samples."""
        return cls(settings.recordings_dir, settings.journal_dir, settings.samples_dir)


def no_samples_kind(walk: dict[str, Any]) -> str | None:
    """Why a walk never has samples to analyse again (a key of :data:`NOT_REANALYSABLE`), or None."""
    if walk["format"] == "apple_health":
        return "apple_health"
    if walk["origin"] == "live" and walk["demo"]:
        return "demo"
    if walk["coaching"].get("pod"):
        return "live_no_journal"  # a foot pod's figures are its own: no samples were ever recorded
    return None


def _sample_file(walk: dict[str, Any], samples_dir: Path) -> Path | None:
    from service.demo import list_samples

    wanted = walk["source"].get("file")
    for path in list_samples(samples_dir):
        if path.name == wanted or path.stem == walk["name"]:
            return path
    return None


def _journal(walk: dict[str, Any], folders: SampleFolders) -> Path:
    return Path(folders.journal_dir) / f"walk-{walk['id']}.csv"


def samples_kept(walk: dict[str, Any], folders: SampleFolders) -> bool:
    """True when the walk's samples are there to analyse it again (files looked up, not read)."""
    if no_samples_kind(walk):
        return False
    if walk["origin"] == "upload":
        return recording_path(folders.recordings_dir, walk["id"]).is_file()
    if walk["origin"] == "live":
        return _journal(walk, folders).is_file()
    return _sample_file(walk, folders.samples_dir) is not None


def reader_notes(walk: dict[str, Any]) -> list[str]:
    """The notes the file's reader gave when the walk was uploaded (a counter that skips, a unit read from the
    data's size), which its kept samples no longer give: its source's ``reader_notes``, or for a walk stored before
    they were kept there, the notes it begins with before its analysis' own (an analysis begins its notes with the
    reader's, then the stride-length model's, :data:`gait.analysis.MODEL_NOTE_START`; a walk analysed again before
    they were kept lost them).

    Examples
    --------
    >>> reader_notes({"source": {"reader_notes": ["a.txt: a note"]}, "notes": []})
    ['a.txt: a note']
    >>> reader_notes({"source": {}, "notes": ["a.txt: a note", "stride length: a model", "GPS: a ride"]})
    ['a.txt: a note']
    >>> reader_notes({"source": {}, "notes": ["a note of an analysis without a model note"]})
    []
    """
    source = walk.get("source") or {}
    if "reader_notes" in source:
        return [str(note) for note in source["reader_notes"]]
    notes = [str(note) for note in walk.get("notes") or []]
    model = next((i for i, note in enumerate(notes) if note.startswith(MODEL_NOTE_START)), None)
    return [] if model is None else notes[:model]


def kept_recording(store: Store, walk: dict[str, Any], folders: SampleFolders) -> Recording:
    """The walk's samples as the recording to analyse again.

    Raises
    ------
    NoSamplesError
        When there are none (with a message saying why and what to do).
    """
    kind = no_samples_kind(walk)
    if kind:
        raise NoSamplesError(NOT_REANALYSABLE[kind].format(id=walk["id"]))
    try:
        if walk["origin"] == "upload":
            recording = load_recording(recording_path(folders.recordings_dir, walk["id"]))
            # the samples are kept without what the file's reader said of them: the analysis says it again
            notes = reader_notes(walk)
            return replace(recording, source={**recording.source, "notes": notes}) if notes else recording
        if walk["origin"] == "live":
            recording = load_journal(_journal(walk, folders))
            # the journal noted the profile's height of that day: the walker's walk takes today's
            return replace(recording, body_height_m=None)
    except FileNotFoundError:
        raise NoSamplesError(NO_SAMPLES.format(id=walk["id"])) from None
    except (IngestError, ValueError) as exc:
        if walk["origin"] == "live" and not _journal(walk, folders).is_file():
            raise NoSamplesError(NOT_REANALYSABLE["live_no_journal"].format(id=walk["id"])) from None
        raise NoSamplesError(f"walk {walk['id']}: its kept samples cannot be read ({exc})") from None
    from service.demo import sample_recording

    path = _sample_file(walk, folders.samples_dir)
    recording = None
    if path is not None:
        try:
            recording = sample_recording(path)
        except (IngestError, GaitError) as exc:
            log.warning("sample %s not readable: %s", path, exc)
    stored = store.walk_fingerprint(walk["id"])
    # a sample walk stored before fingerprints were kept (None) takes the samples folder's file of its name; its
    # new analysis records the file's fingerprint (Store.replace_analysis), compared from then on
    if recording is None or stored not in (None, recording_fingerprint(recording)):
        raise NoSamplesError(NOT_REANALYSABLE["sample_missing"].format(id=walk["id"]))
    return recording


def _compared_plan(walk: dict[str, Any]) -> dict[str, Any] | None:
    """A walk's stored plan, when it is compared with the pain reports and walks there are now: None for a walk
    whose stored plan kept no pain reports (a sample or demo walk, a walk stored before plans kept them) or that is
    being recorded."""
    stored = walk.get("coaching") or {}
    if walk["demo"] or walk["status"] == "live" or "pain_reports" not in stored:
        return None
    return stored


def deleted_walks(walk: dict[str, Any], pain: coaching.PainLedger) -> list[int]:
    """The walks the walk's stored plan relied on that were deleted since (:func:`service.coaching.deleted_walk_basis`,
    against the ledger's stored walks): the plan of its day, without them, is another one."""
    stored = _compared_plan(walk)
    return [] if stored is None else coaching.deleted_walk_basis(stored, pain.walk_ids)


def resting_on(store: Store, walk_id: int, pain: coaching.PainLedger | None = None) -> list[int]:
    """The walks whose stored coaching plan rests on walk ``walk_id`` so that without it they are out of date
    (:func:`deleted_walks`; not those never out of date: no samples ever, being recorded), oldest first: what
    deleting it marks, asked before (the walk page's Delete question) or after (the DELETE response). ``pain``: the
    ledger when loaded already."""
    ledger = coaching.PainLedger.load(store) if pain is None else pain
    without = replace(ledger, walk_ids=(ledger.walk_ids or frozenset()) - {walk_id})
    return [
        w["id"]
        for w in store.walks_relying_on(walk_id)
        if not no_samples_kind(w) and w["status"] != "live" and walk_id in deleted_walks(w, without)
    ]


DATES_CHANGED = "dates_changed"
"""The key of a walk's stored plan that lists the walks whose date was changed since in a way that changes the plan
(:func:`date_change_marks`): each ``{"walk_id", "from", "to"}`` (its start before and after, ISO 8601); the walk's
own id when its own date changed. Analysing the walk again stores a new plan, without it."""


def own_date_changed(walk: dict[str, Any]) -> bool:
    """Whether a walk's own date was changed since it was analysed (:data:`DATES_CHANGED`)."""
    return any(e.get("walk_id") == walk["id"] for e in (walk.get("coaching") or {}).get(DATES_CHANGED) or [])


def date_change_reason(walk: dict[str, Any]) -> str | None:
    """Why a walk is out of date because a date was changed since it was analysed (:data:`DATES_CHANGED`): its own
    (its plan is of its old date), else other walks' (its plan counted them, or can count them now); None when none
    was.

    Examples
    --------
    >>> date_change_reason({"id": 5, "coaching": {"dates_changed": [{"walk_id": 5}]}})  # doctest: +NORMALIZE_WHITESPACE
    'its date was changed since it was analysed: the coaching plan it was judged by is the one of its old date'
    >>> date_change_reason({"id": 5, "coaching": {"dates_changed": [{"walk_id": 3}, {"walk_id": 4}, {"walk_id": 3}]}})
    ... # doctest: +NORMALIZE_WHITESPACE
    'the dates of 2 walks were changed since (walks 3, 4): the coaching plan it was judged by counted them, or can
    count them at their new dates'
    >>> date_change_reason({"id": 5, "coaching": {}}) is None
    True
    """
    if own_date_changed(walk):
        return (
            "its date was changed since it was analysed: the coaching plan it was judged by is the one of its old date"
        )
    moved = sorted({int(e["walk_id"]) for e in (walk.get("coaching") or {}).get(DATES_CHANGED) or []})
    if not moved:
        return None
    one = len(moved) == 1
    return (
        f"the date{'' if one else 's'} of {'a walk was' if one else f'{len(moved)} walks were'} changed since "
        f"({walk_ids_words(moved)}): the coaching plan it was judged by counted {'it' if one else 'them'}, or can "
        f"count {'it at its new date' if one else 'them at their new dates'}"
    )


def _plan_parts_with(
    plan_walk: dict[str, Any], walk: dict[str, Any], *, start_s: float, after_s: float, window_s: float
) -> set[str]:
    """The parts of ``plan_walk``'s stored plan that ``walk``, a pain-free walk of the walker's, could be counted in
    if it started at ``start_s`` (and counted as walked from ``after_s``, :attr:`gait.coach.WalkRecord.after_s`):
    ``baseline`` (in the plan's history, of its baseline's placement, not a coached live walk) and ``pain_free``
    (in its history after the latest pain report it rested on, for a walker who had opted in). What enters the plan's
    history is :func:`service.coaching.history`'s rule, with the plan's time and walks stored before an upload without
    a start time (:func:`plan_scope`); whether the walk's strides are trusted enough for a baseline is not looked at
    (its date does not change that)."""
    stored = _compared_plan(plan_walk)
    if stored is None or no_samples_kind(plan_walk):
        return set()
    scope = plan_scope(plan_walk)
    before_id = scope["stored_before_id"]
    if not scope["at_s"] - window_s <= start_s <= scope["at_s"] or (before_id is not None and walk["id"] >= before_id):
        return set()
    parts = set()
    coached = walk["origin"] == "live" and bool((walk.get("coaching") or {}).get("active"))
    if walk["placement"] == stored.get("baseline_placement", plan_walk["placement"]) and not coached:
        parts.add("baseline")
    pain_s = [coaching.iso_to_unix_s(r["reported_at"]) for r in stored.get("pain_reports") or []]
    if coaching_opt_in(stored) and pain_s and max(pain_s) < after_s:
        parts.add("pain_free")
    return parts


def date_change_marks(
    walk: dict[str, Any],
    started_at: str,
    others: list[dict[str, Any]],
    *,
    pain_free: bool,
    window_days: float,
) -> list[int]:
    """The walks whose stored coaching plan giving ``walk`` the start ``started_at`` changes, to mark out of date
    (:data:`DATES_CHANGED`), oldest first: the walk itself when the time of its own plan changes (:func:`plan_time_s`:
    its start, or its upload for one without a start time), and of ``others`` (the walker's own finished walks) each
    whose plan counted it and no longer can (it left the plan's history, or, with coaching on, its place before or
    after the plan's latest pain report; counted only where a plan shows its walks: :func:`relied_on_walks_show`), or
    could not count it and now can (:func:`_plan_parts_with`). ``pain_free``: no pain report names the walk (one that
    does is counted by no plan, wherever it lies). Walks that never have samples, or whose plan kept no pain reports,
    are never marked (:func:`plan_change_kinds`)."""
    new_s = coaching.iso_to_unix_s(started_at)
    marked = []
    if _compared_plan(walk) is not None and not no_samples_kind(walk) and plan_time_s(walk) != new_s:
        marked.append(walk["id"])
    if not pain_free:
        return marked
    window_s = window_days * 86400.0
    old = {"start_s": coaching.iso_to_unix_s(walk["started_at"]), "after_s": plan_time_s(walk), "window_s": window_s}
    new = {"start_s": new_s, "after_s": new_s, "window_s": window_s}
    for other in others:
        before, after = _plan_parts_with(other, walk, **old), _plan_parts_with(other, walk, **new)
        if after - before or (before - after and relied_on_walks_show(other["coaching"])):
            marked.append(other["id"])
    return marked


def with_date_change(stored: dict[str, Any], walk_id: int, before: str, after: str) -> dict[str, Any]:
    """A walk's stored plan marked out of date by walk ``walk_id``'s date changed from ``before`` to ``after``
    (:data:`DATES_CHANGED`); the plan itself stays as it was (the walk's history)."""
    change = {"walk_id": walk_id, "from": before, "to": after}
    return {**stored, DATES_CHANGED: [*(stored.get(DATES_CHANGED) or []), change]}


def pain_changes(walk: dict[str, Any], pain: coaching.PainLedger, profile: ProfileUpdate) -> dict[str, Any]:
    """The pain reports added (``added``, :meth:`service.coaching.PainLedger.added_since`) and deleted
    (``deleted``, :func:`service.coaching.deleted_pain_basis`) since the walk's plan was made that the plan of its
    day rests on, and the walks it rested on deleted since (``deleted_walks``, :func:`deleted_walks`): each changes
    the plan an analysis now judges it by (the one in force just before it started, :func:`plan_time_s`). None for
    a walk whose stored plan kept no pain reports (a sample or demo walk, a walk stored before plans kept them) or
    that is being recorded."""
    stored = _compared_plan(walk)
    if stored is None or own_date_changed(walk):
        # a walk whose own date changed since is out of date for that alone (its plan is of another day): the pain
        # reports of its new day's plan are not "added since", nor its old day's "deleted"
        return {"added": [], "deleted": [], "deleted_walks": []}
    scope = plan_scope(walk)
    return {
        "deleted_walks": deleted_walks(walk, pain),
        "added": pain.added_since(
            stored,
            profile.coaching.coach_settings(),
            now_s=scope["at_s"],
            own_walk_id=scope["own_walk_id"],
            stored_before_id=scope["stored_before_id"],
        ),
        "deleted": coaching.deleted_pain_basis(stored, pain.reports),
    }


def _scores(reports: list[dict[str, Any]]) -> str:
    """``"back pain 3/10"``, ``"back pain 3/10, 5/10"``."""
    return "back pain " + ", ".join(f"{r['score']}/10" for r in reports)


def pain_change_reasons(changes: dict[str, Any]) -> list[str]:
    """:func:`pain_changes` in words, as the reasons a walk is out of date (none: its plan still holds).

    Examples
    --------
    >>> added = [{"score": 3, "dated": True, "walk_name": "nov10"}, {"score": 4, "dated": False, "walk_name": "a"}]
    >>> pain_change_reasons({"added": added, "deleted": [{"score": 6}]})  # doctest: +NORMALIZE_WHITESPACE
    ['a pain report dated before this walk was added since (back pain 3/10): the coaching plan it was judged by
    leaves it out', 'a pain report for an earlier walk (“a”) was added since (back pain 4/10): the coaching
    plan it was judged by counted that walk as pain-free', 'a pain report the coaching plan it was judged by rested
    on was deleted since (back pain 6/10)']
    """
    dated = [r for r in changes["added"] if r["dated"]]
    # a report naming a walk the plan relied on, or dated after the plan, changes it by making that walk not pain-free
    on_walks = [r for r in changes["added"] if not r["dated"]]
    gone = changes["deleted"]
    reasons = []
    if dated:
        one = len(dated) == 1
        reasons.append(
            f"{'a pain report' if one else f'{len(dated)} pain reports'} dated before this walk "
            f"{'was' if one else 'were'} added since ({_scores(dated)}): the coaching plan it was judged by leaves "
            f"{'it' if one else 'them'} out"
        )
    if on_walks:
        one = len(on_walks) == 1
        names = ", ".join(f"\u201c{r['walk_name']}\u201d" for r in on_walks)
        reasons.append(
            f"{'a pain report for an earlier walk' if one else f'{len(on_walks)} pain reports for earlier walks'} "
            f"({names}) {'was' if one else 'were'} added since ({_scores(on_walks)}): the coaching plan it was judged "
            f"by counted {'that walk' if one else 'those walks'} as pain-free"
        )
    if gone:
        one = len(gone) == 1
        reasons.append(
            f"{'a pain report' if one else f'{len(gone)} pain reports'} the coaching plan it was judged by rested on "
            f"{'was' if one else 'were'} deleted since ({_scores(gone)})"
        )
    return reasons


def walk_ids_words(walk_ids: list[int]) -> str:
    """Walks named by their ids, as the dashboard numbers them.

    Examples
    --------
    >>> walk_ids_words([12]), walk_ids_words([12, 14])
    ('walk 12', 'walks 12, 14')
    """
    return f"{'walk' if len(walk_ids) == 1 else 'walks'} {', '.join(str(i) for i in walk_ids)}"


def marked_words(marked: list[int], cannot: dict[int, str], *, why: str, again: str) -> str:
    """Walks an action marked out of date (``marked``, not empty), in words: ``why`` (naming them), that they are
    marked, and how to analyse them again (``again``: "without it"), or for those that cannot be (``cannot``:
    :func:`why_not_each`) what to do instead.

    Examples
    --------
    >>> marked_words([5], {}, why="walk 5 rested on it", again="without it")  # doctest: +NORMALIZE_WHITESPACE
    'walk 5 rested on it: it is marked out of date, to analyse again without it ("Analyse again" on its page, or
    "Analyse all again" on your profile page)'
    >>> marked_words([7], {7: "walk 7 cannot"}, why="walk 7 rested on it", again="without it")
    'walk 7 rested on it: it is marked out of date; walk 7 cannot'
    """
    one = len(marked) == 1
    words = f"{why}: {'it is' if one else 'they are'} marked out of date"
    todo = [i for i in marked if i not in cannot]
    if todo:
        if len(todo) == len(marked):
            where = "its page" if one else "their pages"
        else:
            where = f"the page{'' if len(todo) == 1 else 's'} of {walk_ids_words(todo)}"
        words += f', to analyse again {again} ("Analyse again" on {where}, or "Analyse all again" on your profile page)'
    return "; ".join([words, *(cannot[i] for i in marked if i in cannot)])


def why_not_each(store: Store, walk_ids: list[int], folders: SampleFolders) -> dict[int, str]:
    """Why each of the walks ``walk_ids`` that cannot be analysed again cannot, with what to do instead
    (:func:`why_not_reanalysable`); the others, and walks gone, are left out."""
    cannot = {}
    for walk in filter(None, map(store.get_walk, walk_ids)):
        why = why_not_reanalysable(walk, kept=samples_kept(walk, folders))
        if why is not None:
            cannot[walk["id"]] = why
    return cannot


def deleted_walk_reason(walk_ids: list[int], stored: dict[str, Any]) -> str | None:
    """The walks a walk's stored plan (``stored``) relied on that were deleted since (:func:`deleted_walks`), in
    words, as a reason the walk is out of date (None: none was). The plan keeps their ids only: they are named so.
    With coaching off, the plan relied on walks of its personal baseline only; with it on, also on its count of
    pain-free walks (the plan keeps them together).

    Examples
    --------
    >>> deleted_walk_reason([12], {"enabled": False, "baseline_source": "personal"})
    'a walk of the personal baseline it was judged against was deleted since (walk 12)'
    >>> deleted_walk_reason([12, 14], {"enabled": True})  # doctest: +NORMALIZE_WHITESPACE
    '2 walks the coaching plan it was judged by counted (in its baseline or its pain-free walks) were deleted since
    (walks 12, 14)'
    >>> deleted_walk_reason([], {}) is None
    True
    """
    if not walk_ids:
        return None
    one = len(walk_ids) == 1
    which = walk_ids_words(walk_ids)
    walks = "a walk" if one else f"{len(walk_ids)} walks"
    if coaching_opt_in(stored):
        what = f"{walks} the coaching plan it was judged by counted (in its baseline or its pain-free walks)"
    else:
        what = f"{walks} of the personal baseline it was judged against"
    return f"{what} {'was' if one else 'were'} deleted since ({which})"


MIXED_BASELINE = (
    "its strides were judged against a personal baseline that took in your walks with the sensor at other "
    "placements too (each placement's stride lengths come from their own model and calibration factor; now only "
    "walks with a {sensor} make its baseline)"
)
"""Why a walk judged before baselines were kept per placement is out of date (see the store's migration
``walk_plans_name_their_baseline_placement``)."""


REASON_KINDS = ("version", "height", "factor", "mixed_baseline", "pain", "deleted_walk", "date")
"""The kinds of reasons a walk is out of date (:func:`out_of_date_kinds`, and ``pain``, ``deleted_walk`` and
``date``: :func:`plan_change_kinds`), counted apart on the profile page."""

REASON_KIND_WORDS = {
    "factor": "analysed with another calibration factor",
    "height": "analysed with another body height",
    "version": "analysed by an earlier version",
    "mixed_baseline": "judged against a baseline that took in other placements' walks",
    "pain": "judged by a plan that a pain report added or deleted since changes",
    "deleted_walk": "judged by a plan that rested on a walk you deleted since",
    "date": "judged by a plan that a walk's date changed since changes (its own, or a walk's its plan counted or "
    "could count)",
}
"""Each kind of :data:`REASON_KINDS` in a few words, as :func:`out_of_date_words` counts them (the profile page's
"Analyse all N again" card says them at length)."""


def analysed_revision(version: str | None) -> int | None:
    """The analysis revision (:data:`gait.analysis.ANALYSIS_REVISION`) of a stored analysis' version
    (:data:`service.pipeline.ANALYSIS_VERSION`, ``"<package version>+r<revision>"``); None when it names none.

    Examples
    --------
    >>> analysed_revision("0.1.0+r1"), analysed_revision("0+unknown+r2"), analysed_revision("0.1.0")
    (1, 2, None)
    """
    match = re.search(r"\+r(\d+)$", version or "")
    return None if match is None else int(match.group(1))


def walk_facts(walk: dict[str, Any]) -> dict[str, Any]:
    """What a stored walk's recording was, as :attr:`gait.analysis.AnalysisRevision.can_change` reads it: its
    source and the placement it was analysed as, and for a live walk that its journal holds no GPS track (a sensor
    streams no position)."""
    facts = dict(walk.get("source") or {})
    if walk.get("placement"):
        facts["placement"] = walk["placement"]
    if walk["origin"] == "live":
        facts["has_gps"] = False
    return facts


def revisions_to_apply(walk: dict[str, Any]) -> list[AnalysisRevision]:
    """The analysis revisions since the walk's analysis that can change it (empty: this version's analysis of it
    is the one stored, or its analysis names no revision)."""
    revision = analysed_revision((walk.get("analysis") or {}).get("version"))
    return [] if revision is None else revisions_since(revision, walk_facts(walk))


def version_reason(walk: dict[str, Any]) -> str | None:
    """Why a walk's analysis, by an earlier version, is out of date, in words: what the revisions since changed
    (:data:`gait.analysis.ANALYSIS_REVISIONS`); None when none of them can change this walk (a walk without a GPS
    track by the revision that leaves out rides) or it was analysed by this version. A version naming no revision,
    or a later one, is named."""
    version = (walk.get("analysis") or {}).get("version")
    revision = analysed_revision(version)
    if revision is None or revision > ANALYSIS_REVISION:
        return None if version == ANALYSIS_VERSION else f"analysed by version {version}; this is {ANALYSIS_VERSION}"
    changes = revisions_to_apply(walk)
    if not changes:
        return None
    one = len(changes) == 1
    return f"analysed before this version's change{'' if one else 's'}: " + "; ".join(r.change for r in changes)


def out_of_date_reasons(
    walk: dict[str, Any], profile: ProfileUpdate, *, factor: bool = True, coaching_too: bool = True
) -> list[str]:
    """Why a walk's stored analysis is not what this version with the current profile gives (empty: it is).

    A walk that never has samples (an Apple Health summary, a live demo) or is being recorded is never out of
    date: nothing can be done about it. ``factor`` False leaves out a changed calibration factor (a calibration
    with the walk fits exactly that); ``coaching_too`` False leaves out what changes only the walk's coaching (its
    targets and flags), not its figures. A coaching plan changed by pain reports or walks since is
    :func:`plan_change_kinds`. An earlier version makes a walk out of date only when a revision of the analysis since
    can change it (:func:`version_reason`): the package's version alone changes no figure.
    """
    return [text for _, text in out_of_date_kinds(walk, profile, factor=factor, coaching_too=coaching_too)]


def out_of_date_kinds(
    walk: dict[str, Any], profile: ProfileUpdate, *, factor: bool = True, coaching_too: bool = True
) -> list[tuple[str, str]]:
    """:func:`out_of_date_reasons`, each with its kind (one of :data:`REASON_KINDS`)."""
    if no_samples_kind(walk) or walk["status"] == "live":
        return []
    record = walk.get("analysis")
    if not record:
        return [("version", f"analysed by an earlier version (before {ANALYSIS_VERSION}, which records it)")]
    reasons = []
    version = version_reason(walk)
    if version:
        reasons.append(("version", version))
    if record.get("uses_profile"):
        # only the pendulum's lengths (lower back, waist) rest on the height: a phone's or a shoe's do not change
        height_matters = walk["placement"] in {p.value for p in PENDULUM_PLACEMENTS}
        if (
            height_matters
            and record.get("height_from") != "recording"
            and record.get("body_height_m") != profile.body_height_m
        ):
            then = record.get("body_height_m")
            now = profile.body_height_m
            reasons.append(
                (
                    "height",
                    f"analysed with {'no height' if then is None else f'a height of {then:.2f} m'}; your profile "
                    f"now says {'none' if now is None else f'{now:.2f} m'}",
                )
            )
        scale_now = personal_scale(profile.stride_scales, walk["placement"])
        if factor and record.get("stride_scale") != scale_now:
            then = record.get("stride_scale")
            then_words = "no calibration factor" if then is None else f"a calibration factor of {factor_words(then)}"
            reasons.append(
                (
                    "factor",
                    f"analysed with {then_words}; your {(walk['placement'] or '').replace('_', '-')} factor is now "
                    f"{'none' if scale_now is None else factor_words(scale_now)}",
                )
            )
        if coaching_too and (walk.get("coaching") or {}).get("baseline_placements_mixed"):
            sensor = f"{(walk['placement'] or 'same').replace('_', '-')} sensor"
            reasons.append(("mixed_baseline", MIXED_BASELINE.format(sensor=sensor)))
    return reasons


def plan_change_kinds(walk: dict[str, Any], profile: ProfileUpdate, pain: coaching.PainLedger) -> list[tuple[str, str]]:
    """Why the coaching plan a walk was judged by no longer is the plan of its day (:func:`pain_changes` in words,
    each with its kind: ``pain`` for pain reports added or deleted since, ``deleted_walk`` for walks it rested on
    deleted since; empty: it still is). The stored plan is the walk's history and stays until the walk is analysed
    again, which judges it by the plan with the pain reports and walks as they are now. As
    :func:`out_of_date_reasons`, none for a walk that never has samples or is being recorded."""
    if no_samples_kind(walk) or walk["status"] == "live":
        return []
    changes = pain_changes(walk, pain, profile)
    kinds = [("pain", text) for text in pain_change_reasons(changes)]
    gone = deleted_walk_reason(changes["deleted_walks"], walk.get("coaching") or {})
    moved = date_change_reason(walk)
    return kinds + ([("deleted_walk", gone)] if gone else []) + ([("date", moved)] if moved else [])


def why_not_reanalysable(walk: dict[str, Any], *, kept: bool) -> str | None:
    """Why a walk cannot be analysed again, and what the walker can do instead (upload its file again, for an upload
    of before samples were kept), or None when it can; ``kept``: :func:`samples_kept`'s answer for it."""
    if walk["status"] == "live":
        return "the walk is being recorded: it can be analysed again once it ends"
    if kept:
        return None
    kind = no_samples_kind(walk) or {"upload": None, "live": "live_no_journal", "sample": "sample_missing"}.get(
        walk["origin"]
    )
    return (NOT_REANALYSABLE[kind] if kind else NO_SAMPLES).format(id=walk["id"])


def walk_status(
    walk: dict[str, Any], profile: ProfileUpdate, folders: SampleFolders, *, pain: coaching.PainLedger | None = None
) -> dict[str, Any]:
    """What the walk page says about analysing a walk again: whether its analysis is out of date and why (with
    ``pain``, the stored pain reports and walks: also when pain reports added or deleted since change the plan of
    its day, ``plan_changed``, or walks it rested on were deleted since), whether its samples are kept, and why not
    when it cannot be analysed again."""
    plan_kinds = [] if pain is None else plan_change_kinds(walk, profile, pain)
    plan_reasons = [text for kind, text in plan_kinds if kind == "pain"]
    kinds = out_of_date_kinds(walk, profile) + plan_kinds
    reasons = [text for _, text in kinds]
    kept = samples_kept(walk, folders)
    return {
        "out_of_date": bool(reasons),
        "reasons": reasons,
        "plan_changed": bool(plan_reasons),
        "reason_kinds": list(dict.fromkeys(kind for kind, _ in kinds)),
        "samples_kept": kept,
        "can_reanalyse": kept and walk["status"] != "live",
        "why_not": why_not_reanalysable(walk, kept=kept),
        "version": (walk.get("analysis") or {}).get("version"),
        "current_version": ANALYSIS_VERSION,
    }


def figures(summary: dict[str, Any]) -> dict[str, Any]:
    """A walk's headline figures (before or after an analysis)."""
    return {k: summary.get(k) for k in (*SUMMARY_COLUMNS, "flagged_strides")}


def plan_scope(walk: dict[str, Any]) -> dict[str, Any]:
    """The plan a stored walk is judged by, as :func:`service.coaching.current_plan` takes it: in force just before
    it started (``at_s``, :func:`plan_time_s`), without the walk itself and the pain reports naming it
    (``own_walk_id``: "the walk a report names is not out of date for it", whatever the report's time), and for an
    upload without a start time (judged by the plan of its upload) only the walks stored before it
    (``stored_before_id``, its id: ids never come back):
    a walk uploaded after it is dated to end at its own upload and may start before this plan's time.

    Examples
    --------
    >>> walk = {"id": 7, "started_at": "2026-11-27T08:00:00+00:00", "created_at": "2026-11-27T08:01:00+00:00"}
    >>> scope = plan_scope({**walk, "source": {}})
    >>> scope["own_walk_id"], scope["stored_before_id"]
    (7, None)
    >>> plan_scope({**walk, "source": {"started_at_from": "import"}})["stored_before_id"]
    7
    """
    at_s = plan_time_s(walk) - PLAN_BEFORE_S
    undated = coaching.is_undated(walk)
    return {"at_s": at_s, "own_walk_id": walk["id"], "stored_before_id": walk["id"] if undated else None}


def coaching_opt_in(stored: dict[str, Any]) -> bool:
    """Whether the walker had opted in to stride coaching when a walk was made, from its stored coaching: its
    ``enabled``, or for walks stored before that was kept its ``active`` (an active plan was opted in to; an inactive
    one is judged inactive again, as it was).

    Examples
    --------
    >>> coaching_opt_in({"enabled": True, "active": False}), coaching_opt_in({"active": True}), coaching_opt_in({})
    (True, True, False)
    """
    return bool(stored.get("enabled", stored.get("active", False)))


def analysis_again(store: Store, walk: dict[str, Any], recording: Recording, placement: str | None) -> NewWalk:
    """Stored walk ``walk``'s samples (``recording``) analysed with this version and the current profile, judged by
    the coaching plan of its day with the opt-in of then (:func:`plan_scope`, :func:`coaching_opt_in`), as the
    walk to store in place of its analysis; ``placement`` is the one it is analysed with (the walk's, or another
    one the walker corrects it to: its calibration factor and its baseline are that placement's)."""
    worn = Placement.parse(placement) if placement else None
    if worn is not None:
        # the kept samples name the placement they were analysed with first, which would win over a corrected one
        recording = replace(recording, placement=worn)
    prepared = prepare_analysis(
        store,
        recording,
        origin=walk["origin"],
        placement=worn,
        # only a foot sensor has a side: a walk corrected to another placement drops it
        sensor_side=recording.source.get("sensor_side") if worn in (None, Placement.FOOT) else None,
        coaching_enabled=coaching_opt_in(walk["coaching"]),
        **plan_scope(walk),
    )
    new = analyse_to_walk(
        recording,
        name=walk["name"],
        origin=walk["origin"],
        options=prepared.options,
        flagger=prepared.flagger,
        coaching=prepared.coaching,
    )
    new.analysis = prepared.record
    return new


def _analysed(walk: dict[str, Any], new: NewWalk) -> dict[str, Any]:
    """What an analysis again did to a walk: its figures before and after, its placement before and now, and the
    change in words (:func:`change_words`, led by the placement when it changed)."""
    after = {**new.summary, "flagged_strides": new.flagged_strides}
    before = figures(walk)
    placement = new.placement or walk["placement"]
    change = change_words(before, figures(after))
    if placement != walk["placement"]:
        change = f"placement {_worn(walk['placement'])} -> {_worn(placement)}: {change}"
    return {
        "walk_id": walk["id"],
        "name": walk["name"],
        "started_at": walk["started_at"],
        "placement": placement,  # a chest or wrist sensor's walk has no stride length (the page says why)
        "placement_before": walk["placement"],
        "before": before,
        "after": figures(after),
        "version": ANALYSIS_VERSION,
        "change": change,
    }


def _worn(placement: str | None) -> str:
    """A placement in words: ``"lower back"``, ``"unknown"``."""
    return "unknown" if placement is None else placement.replace("_", " ")


def reanalyse_walk(
    store: Store, walk_id: int, folders: SampleFolders, *, placement: Placement | str | None = None
) -> dict[str, Any]:
    """Analyse walk ``walk_id`` again from its kept samples with this version and the current profile, and store
    the new analysis in place of the old one (blocking). Returns the walk's figures before and after.

    ``placement``, when given, corrects where the sensor was worn (a walk uploaded as waist, really at the lower
    back): the walk is analysed as that placement (its factor, the coaching plan of its day with that placement's
    baseline) and stored with it, keeping its id and pain reports.

    Raises
    ------
    UnknownWalkError, WalkIsLiveError, NoSamplesError, KeptChangingError
        Nothing is changed then (also for another placement of a sample walk: :data:`SAMPLE_PLACEMENT`;
        KeptChangingError: its date changed during each of :data:`CHANGED_ATTEMPTS` analyses).
    ingest.errors.IngestError, gait.errors.GaitError
        When the samples can no longer be analysed; the old analysis stays.
    """
    for _ in range(CHANGED_ATTEMPTS):
        walk = store.get_walk(walk_id)
        if walk is None:
            raise UnknownWalkError(f"no walk with id {walk_id}: list walks at /api/walks")
        if walk["status"] == "live":
            raise WalkIsLiveError(f"walk {walk_id} is being recorded live: analyse it again once it has ended")
        worn = Placement.parse(placement).value if placement else walk["placement"]
        if worn != walk["placement"] and walk["origin"] == "sample":
            raise NoSamplesError(SAMPLE_PLACEMENT.format(id=walk_id))
        recording = kept_recording(store, walk, folders)
        new = analysis_again(store, walk, recording, worn)
        if walk["origin"] == "sample":
            new.recording_sha256 = recording_fingerprint(recording)
        try:
            stored = store.replace_analysis(walk_id, new, read_as=walk)
        except WalkChangedError:
            continue  # its date changed meanwhile: judged by the plan of its old date, so start over
        if not stored:
            # deleted, or (a live walk's id cannot come back) gone meanwhile
            raise UnknownWalkError(f"walk {walk_id} was deleted while it was analysed again: nothing was stored")
        return _analysed(walk, new)
    raise KeptChangingError(
        f"the date of walk {walk_id} was changed while it was analysed again, {CHANGED_ATTEMPTS} times: nothing was "
        "stored; analyse it again once its date is settled"
    )


def _whole_refusal(exc: DuplicateRecordingError, upload: NewWalk) -> bool:
    """Whether an upload was refused as the stored walk itself: the same recording, the same whole walk by its
    steps, or the same time as it (:data:`SAME_TIME_SHARE` of the longer of the two); not a part of it nor a
    recording holding it."""
    if isinstance(exc, SameWalkError):
        return not exc.part
    if isinstance(exc, OverlappingWalkError):
        longer_s = max(float(upload.summary.get("duration_s") or 0.0), float(exc.existing["duration_s"] or 0.0))
        return exc.overlap_s >= SAME_TIME_SHARE * longer_s
    return True


def unkept_upload(store: Store, exc: DuplicateRecordingError, recordings_dir: Path) -> dict[str, Any] | None:
    """The stored walk a refusal names when it is one of the walker's own uploads whose samples were not kept
    (uploaded before they were), else None (a sample or demo walk, an Apple Health summary, a live walk, a walk
    whose samples are kept)."""
    walk = store.get_walk(exc.existing["id"])
    if walk is None or walk["origin"] != "upload" or walk["demo"] or walk["status"] == "live":
        return None
    if no_samples_kind(walk) or recording_path(recordings_dir, walk["id"]).is_file():
        return None
    return walk


def pain_words(store: Store, walk_id: int) -> str:
    """What happened to a walk's pain reports when an upload replaced its analysis: they stay linked."""
    n = sum(1 for report in store.list_pain() if report["walk_id"] == walk_id)
    if n == 0:
        return "no pain report names it"
    return f"its {'pain report stays' if n == 1 else f'{n} pain reports stay'} linked"


def change_words(before: dict[str, Any], after: dict[str, Any]) -> str:
    """A walk's figures before and after an analysis, in words: "strides 51 -> 52, median stride length 0.61 m ->
    0.65 m, distance 165 m -> 160 m"; figures that stayed are said once ("as before: ..." when all did).

    Examples
    --------
    >>> before = {"strides": 51, "stride_length_m": 0.612, "distance_m": 165.2, "flagged_strides": 0}
    >>> change_words(before, {**before, "strides": 52, "distance_m": 160.4})
    'strides 51 -> 52, median stride length 0.61 m, distance 165 m -> 160 m'
    >>> change_words(before, before)
    'as before: strides 51, median stride length 0.61 m, distance 165 m'
    >>> change_words(before, {**before, "stride_length_m": None, "distance_m": None, "flagged_strides": 3})
    'strides 51, median stride length 0.61 m -> none, distance 165 m -> none, flagged strides 0 -> 3'
    """

    def said(key: str, value: Any) -> str:
        if value is None:
            return "none"
        return {"stride_length_m": f"{value:.2f} m", "distance_m": f"{value:.0f} m"}.get(key, f"{value:.0f}")

    names = {"strides": "strides", "stride_length_m": "median stride length", "distance_m": "distance"}
    words = []
    for key in ("strides", "stride_length_m", "distance_m", "flagged_strides"):
        then, now = said(key, before.get(key)), said(key, after.get(key))
        name = names.get(key, "flagged strides")
        if key == "flagged_strides" and then == now:
            continue  # said only when the coaching flags other strides
        words.append(f"{name} {then}" if then == now else f"{name} {then} -> {now}")
    changed = any("->" in word for word in words)
    return ", ".join(words) if changed else "as before: " + ", ".join(words)


class UnkeptReplacer:
    """What the dashboard's upload does with an upload refused as a walk already stored
    (:func:`service.pipeline.process_file`'s ``on_refused``): when that walk is exactly one stored walk, the
    walker's own upload whose samples were not kept (:func:`unkept_upload`), and the upload is the same recording,
    the same whole walk or the same time as it (not a part, nor a whole holding it), the upload replaces the walk's
    analysis in place (:func:`replace_unkept_upload`); anything else stays refused.

    Attributes
    ----------
    replaced
        The replacement (:func:`replace_unkept_upload`'s result), once one was made.

    ``placement`` is the one the walker chose for the upload, if any: the walk is analysed and stored with it (a
    placement corrected in place, its pain reports kept); without a choice the walk keeps its own.
    """

    def __init__(
        self,
        store: Store,
        recordings_dir: Path,
        *,
        sensor_side: str | None = None,
        placement: Placement | str | None = None,
    ) -> None:
        self.store = store
        self.recordings_dir = Path(recordings_dir)
        self.sensor_side = sensor_side
        self.placement = Placement.parse(placement).value if placement else None
        self.replaced: dict[str, Any] | None = None

    def __call__(
        self, exc: DuplicateRecordingError, upload: NewWalk, recording: Recording, staged: StagedRecording
    ) -> list[int] | None:
        """The stored walk's id when the upload replaced its analysis, else None (refused)."""
        if not _whole_refusal(exc, upload):
            return None
        walk = unkept_upload(self.store, exc, self.recordings_dir)
        if walk is None:
            return None
        worn = self.placement or walk["placement"] or upload.placement
        if worn != walk["placement"] and isinstance(exc, OverlappingWalkError):
            return None  # the same time by a sensor worn elsewhere is another sensor's record, not this walk's file
        if self.sensor_side and "sensor_side" not in recording.source:
            recording = replace(recording, source={**recording.source, "sensor_side": self.sensor_side})
        self.replaced = replace_unkept_upload(
            self.store, walk, upload, recording, staged, self.recordings_dir, refusal=exc, placement=worn
        )
        return [walk["id"]]


def replace_unkept_upload(
    store: Store,
    walk: dict[str, Any],
    upload: NewWalk,
    recording: Recording,
    staged: StagedRecording,
    recordings_dir: Path,
    *,
    refusal: DuplicateRecordingError,
    placement: str | None = None,
) -> dict[str, Any]:
    """Replace stored walk ``walk``'s analysis (an upload whose samples were not kept) with an analysis of an
    upload of its file, ``recording``, as "Analyse again" analyses a walk (:func:`analysis_again`): this version,
    the current profile, the coaching plan of its day, as ``placement`` (default: the walk's own, else the
    upload's); its id, name, start and pain reports stay. The upload's
    samples (``staged``) become the walk's kept samples, all in one transaction
    (:meth:`service.store.Store.replace_analysis`): a failure leaves the walk as it was, without samples.

    Returns :func:`reanalyse_walk`'s result with ``message`` (:data:`REPLACED`).

    Raises
    ------
    service.store.DuplicateRecordingError
        ``refusal`` when the walk's samples were kept meanwhile (another upload of it), or another stored walk's
        refusal of the upload; nothing is changed then.
    """
    target = recording_path(recordings_dir, walk["id"])

    def place(walk_ids: list[int]) -> None:
        if target.exists():
            raise refusal  # another upload of it kept its samples meanwhile: this one is the same recording again
        staged.place(walk_ids)

    worn = placement or walk["placement"] or upload.placement
    for _ in range(CHANGED_ATTEMPTS):
        new = analysis_again(store, walk, recording, worn)
        new.recording_sha256 = upload.recording_sha256
        try:
            stored = store.replace_analysis(walk["id"], new, as_upload=True, before_commit=place, read_as=walk)
        except WalkChangedError:
            # its date changed meanwhile: judged by the plan of its old date, so start over from it as it is now
            walk = store.get_walk(walk["id"]) or walk
            continue
        if not stored:
            raise refusal  # deleted meanwhile: refused as named; uploaded again, it is stored as a new walk
        break
    else:
        raise refusal  # its date kept changing: nothing stored, as for any refusal; the walker uploads it again
    result = _analysed(walk, new)
    pain = pain_words(store, walk["id"])
    message = REPLACED.format(id=walk["id"], change=result["change"], pain=pain)
    return {**result, "message": message}


def overview(store: Store, folders: SampleFolders) -> dict[str, Any]:
    """How many walks could be analysed again (their samples are kept) and how many are out of date."""
    profile = coaching.load_profile(store)
    pain = coaching.PainLedger.load(store)
    walks = store.list_walks(limit=max(store.count_walks(), 1))
    # the walker's own walks: the samples and demos are somebody else's walking, never scaled by the walker's profile
    own = [walk["origin"] != "sample" and not walk["demo"] for walk in walks]
    counts = {
        "walks": len(walks),
        "own_walks": sum(own),
        "own_out_of_date": 0,
        "reanalysable": 0,
        "out_of_date": 0,
        "out_of_date_plan_changed": 0,
        "out_of_date_without_samples": 0,
    }
    by_reason = dict.fromkeys(REASON_KINDS, 0)
    own_by_reason = dict.fromkeys(REASON_KINDS, 0)
    by_revision: dict[int, int] = {}
    for walk, mine in zip(walks, own, strict=True):
        status = walk_status(walk, profile, folders, pain=pain)
        counts["reanalysable"] += status["can_reanalyse"]
        if status["out_of_date"]:
            counts["out_of_date" if status["can_reanalyse"] else "out_of_date_without_samples"] += 1
            counts["own_out_of_date"] += mine and status["can_reanalyse"]
            counts["out_of_date_plan_changed"] += status["can_reanalyse"] and status["plan_changed"]
            for kind in status["reason_kinds"] if status["can_reanalyse"] else ():
                by_reason[kind] += 1
                own_by_reason[kind] += mine
            for revision in revisions_to_apply(walk) if status["can_reanalyse"] else ():
                by_revision[revision.number] = by_revision.get(revision.number, 0) + 1
    changes = [
        {"revision": r.number, "change": r.change, "walks": by_revision[r.number]}
        for r in ANALYSIS_REVISIONS
        if r.number in by_revision
    ]
    return {
        **counts,
        "out_of_date_by_reason": by_reason,
        "own_out_of_date_by_reason": own_by_reason,
        "version_changes": changes,
        "current_version": ANALYSIS_VERSION,
    }


def out_of_date_words(counts: dict[str, Any]) -> str | None:
    """How many stored walks are out of date, why, and how to analyse them again, from :func:`overview`'s counts
    (what ``gait calibrate`` says after a new factor or height); None when no walk is stored.

    Examples
    --------
    >>> counts = {"walks": 9, "out_of_date": 3, "out_of_date_without_samples": 0,
    ...           "out_of_date_by_reason": {"factor": 2, "height": 1, "version": 0}}
    >>> print(out_of_date_words(counts))  # doctest: +NORMALIZE_WHITESPACE
    3 of your 9 stored walks are now out of date (2 analysed with another calibration factor, 1 analysed with another
    body height): your coaching baseline, built from their stored stride lengths, stays on the old scale until they
    are analysed again: press "Analyse all 3 again" on your profile page of the dashboard (`gait serve` starts it, if
    it is not running)
    >>> print(out_of_date_words({**counts, "out_of_date": 2, "out_of_date_by_reason": {"pain": 2}}))
    ... # doctest: +NORMALIZE_WHITESPACE
    2 of your 9 stored walks are out of date (2 judged by a plan that a pain report added or deleted since changes),
    none for a calibration factor or body height; to bring them up to date, press "Analyse all 2 again" on your
    profile page of the dashboard (`gait serve` starts it, if it is not running)
    >>> mine = {"own_walks": 2, "own_out_of_date": 1, "own_out_of_date_by_reason": {"factor": 1}}
    >>> print(out_of_date_words({**counts, **mine}))  # 2 sample walks of a new version: the button counts them
    ... # doctest: +NORMALIZE_WHITESPACE
    1 of your 2 stored walks is now out of date (1 analysed with another calibration factor): your coaching baseline,
    built from their stored stride lengths, stays on the old scale until it is analysed again: press "Analyse all 3
    again" on your profile page of the dashboard (`gait serve` starts it, if it is not running); it analyses 2 sample
    walks that are out of date too
    >>> out_of_date_words({**counts, "out_of_date": 0, "out_of_date_by_reason": {}})
    'none of your 9 stored walks is out of date'
    >>> one_without = out_of_date_words({**counts, "out_of_date_without_samples": 1})
    >>> print(one_without.split("; ", 1)[1])  # doctest: +NORMALIZE_WHITESPACE
    1 more is out of date but cannot be analysed again (uploaded before samples were kept: upload its file again on
    the dashboard; it replaces that walk's analysis, keeping its pain reports)
    """
    # the walker's own walks are counted (counts of old have only all walks); the button analyses every walk that is
    # out of date, a sample too
    n_all = counts["out_of_date"]
    n, total = counts.get("own_out_of_date", n_all), counts.get("own_walks", counts["walks"])
    if not total:
        return None
    cannot = counts.get("out_of_date_without_samples", 0)
    more = (
        f"; {cannot} more {'is' if cannot == 1 else 'are'} out of date but cannot be analysed again (uploaded before "
        + (
            "samples were kept: upload its file again on the dashboard; it replaces that walk's analysis, keeping "
            "its pain reports)"
            if cannot == 1
            else "samples were kept: upload their files again on the dashboard; each replaces its walk's analysis, "
            "keeping its pain reports)"
        )
        if cannot
        else ""
    )
    if not n:
        return f"none of your {total} stored walks is out of date{more}"
    by = counts.get("own_out_of_date_by_reason", counts.get("out_of_date_by_reason")) or {}
    why = ", ".join(f"{by[kind]} {words}" for kind, words in REASON_KIND_WORDS.items() if by.get(kind))
    one = n == 1
    samples = n_all - n
    also = f"; it analyses {plural(samples, 'sample walk')} that {'is' if samples == 1 else 'are'} out of date too"
    # right whether or not the dashboard runs now
    press = (
        f'press "{"Analyse it again" if n_all == 1 else f"Analyse all {n_all} again"}" on your profile page of the '
        f"dashboard (`gait serve` starts it, if it is not running){also if samples else ''}{more}"
    )
    if not (by.get("factor") or by.get("height")):
        # out of date for other reasons (pain reports, dates): no stride length is on an old scale
        return (
            f"{n} of your {total} stored walks {'is' if one else 'are'} out of date{f' ({why})' if why else ''}, "
            f"none for a calibration factor or body height; to bring {'it' if one else 'them'} up to date, {press}"
        )
    return (
        f"{n} of your {total} stored walks {'is' if one else 'are'} now out of date{f' ({why})' if why else ''}: "
        "your coaching baseline, "
        f"built from their stored stride lengths, stays on the old scale until {'it is' if one else 'they are'} "
        f"analysed again: {press}"
    )


def reanalyse_out_of_date(store: Store, folders: SampleFolders) -> list[dict[str, Any]]:
    """Analyse again every out-of-date walk whose samples are kept, oldest first (a walk's coaching plan rests on
    the walks before it, analysed again by then); one failure does not stop the others. Returns one result per
    walk: ``ok`` with its figures, or its ``error``, and the ``reasons`` it was out of date."""
    profile = coaching.load_profile(store)
    pain = coaching.PainLedger.load(store)
    walks = store.list_walks(limit=max(store.count_walks(), 1))
    statuses = [(w, walk_status(w, profile, folders, pain=pain)) for w in reversed(walks)]
    todo = [(w, status) for w, status in statuses if status["out_of_date"] and status["can_reanalyse"]]
    results = []
    for walk, status in todo:
        why = {"reasons": status["reasons"]}
        try:
            results.append({"ok": True, "error": None, **why, **reanalyse_walk(store, walk["id"], folders)})
        except (ReanalysisError, IngestError, GaitError, OSError, ValueError, sqlite3.Error, StoreError) as exc:
            log.warning("walk %s not analysed again: %s", walk["id"], exc)
            which = {k: walk[k] for k in ("name", "started_at", "placement")}
            results.append({"walk_id": walk["id"], **which, "ok": False, "error": str(exc), **why})
    return results
