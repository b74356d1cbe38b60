"""Glue between the store and :mod:`gait.coach`: the walker's history in, plans, flags and live coaches out.

No coaching rule lives here; this module only turns stored rows into the coach's records.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from gait.coach import (
    Coach,
    CoachingPlan,
    CoachSettings,
    PainReport,
    StrideJudge,
    WalkRecord,
    plan_coaching,
    population_baseline,
)
from gait.coach.pain import MIN_ONSET_DISTANCE_M, MIN_ONSET_TIME_S
from gait.coach.plan import ACTIVE_REASON, BASELINE_REASON, WALK_TIME_WORDS
from gait.coach.text import format_percent, sensor_words
from gait.types import Placement, StrideEvent
from service.models import ProfileUpdate, upgrade_profile_document
from service.store import Store, recorded_live

StrideFlagger = Callable[[StrideEvent], tuple[float | None, bool | None]]
"""Returns (target_m, overlong) for a stride; overlong is None when the stride is not judged, target_m None when
there is no level to judge it against yet. Stateful (a :class:`~gait.coach.StrideJudge`): call it once per stride,
in stride order."""

STRIDES_KEY_COLUMNS = ("status", "placement", "steps", "strides", "cadence_spm", "stride_length_m", "analysis_json")
"""The columns of a walk whose values change whenever its strides are analysed anew (the analysis' version, height
and factor are in ``analysis_json``; a live walk's strides still grow, but no live walk is in a history)."""
_strides_cache: dict[str, dict[int, tuple[tuple[Any, ...], np.ndarray]]] = {}
"""Per database file, each walk's strides as :func:`history` reads them (length, cadence, confidence), with the
:data:`STRIDES_KEY_COLUMNS` they were read with: a year of daily walks holds 380,000 strides in the baseline's 180
days, and reading them all took 1.0-1.3 s of every Home, Trends and Profile page, of every upload and of every walk
"Analyse all N again" analyses (QA23). Only walks whose key changed, or new ones, are read again; a cache holds at
most the strides of twice the walks of the latest history, plus 100 walks."""
_strides_lock = threading.Lock()


def _strides_key(walk: Any) -> tuple[Any, ...]:
    return tuple(walk[c] for c in STRIDES_KEY_COLUMNS)


def walk_strides(store: Store, conn: Any, walks: Sequence[Any]) -> dict[int, np.ndarray]:
    """Each walk's strides (``walks``: rows with ``id`` and :data:`STRIDES_KEY_COLUMNS`) as an array of columns
    length (NaN unknown), cadence, confidence: from the cache where the walk is unchanged, else read on ``conn``."""
    with _strides_lock:
        cache = _strides_cache.setdefault(str(store.path), {})
        found = {w["id"]: cache[w["id"]][1] for w in walks if cache.get(w["id"], ((),))[0] == _strides_key(w)}
    missing = [w for w in walks if w["id"] not in found]
    if missing:
        rows = conn.execute(
            "SELECT walk_id, length_m, cadence_spm, confidence FROM strides"
            " WHERE cadence_spm > 0 AND walk_id IN (SELECT value FROM json_each(?))",
            (json.dumps([w["id"] for w in missing]),),
        ).fetchall()
        data = np.array([tuple(r) for r in rows], dtype=float).reshape(-1, 4)  # a NULL length reads as NaN
        data = data[np.argsort(data[:, 0], kind="stable")]
        ids = data[:, 0]
        for w in missing:
            found[w["id"]] = data[np.searchsorted(ids, w["id"], "left") : np.searchsorted(ids, w["id"], "right"), 1:]
            found[w["id"]].setflags(write=False)  # shared by every history read from the cache
    with _strides_lock:
        cache = _strides_cache.setdefault(str(store.path), {})
        for w in missing:
            cache[w["id"]] = (_strides_key(w), found[w["id"]])
        if len(cache) > 2 * len(walks) + 100:
            for walk_id in set(cache) - set(found):
                del cache[walk_id]
    return found


def iso_to_unix_s(value: str) -> float:
    """ISO-8601 time (naive = UTC) -> Unix seconds."""
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def load_profile(store: Store) -> ProfileUpdate:
    """The stored profile, with defaults before the first save (a profile saved with the single calibration factor
    of earlier versions reads with that factor kept for its placement)."""
    return ProfileUpdate.model_validate(upgrade_profile_document(store.get_profile()))


def history(
    store: Store,
    *,
    window_days: float,
    now_s: float | None = None,
    own_walk_id: int | None = None,
    stored_before_id: int | None = None,
) -> list[WalkRecord]:
    """The walker's own past walks of the ``window_days`` before ``now_s`` (default now) as coach records (one
    stride query, grouped in numpy). ``own_walk_id``: the walk the plan judges, never part of its own history;
    ``stored_before_id``: only walks stored before that walk (ids never come back; the plan of an upload without a
    start time, see :func:`current_plan`).

    Sample recordings and demo walks are not the walker's walking: they never enter the baseline, the count of
    pain-free walks or the targets. A walk is *coached* only when it was a live walk made while the plan was
    active (only a live walk can cue anyone: the dashboard's, or ``gait live``'s); an uploaded recording never is,
    whatever the plan was when it was uploaded. Each record carries the walk's walking time, which decides whether
    it counts as a walk at all (:attr:`gait.coach.WalkRecord.is_walk`), and its sensor placement, which decides
    which plans' baselines it enters (each placement's lengths come from their own model and calibration factor).
    """
    now_s = time.time() if now_s is None else now_s
    since = datetime.fromtimestamp(now_s - window_days * 86400.0, UTC).isoformat(timespec="seconds")
    with store.read() as conn:
        walks = conn.execute(
            "SELECT id, origin, started_at, created_at, source_json, distance_m, walking_time_s, coaching_json,"
            f" {', '.join(STRIDES_KEY_COLUMNS)} FROM walks"
            " WHERE status != 'live' AND demo = 0 AND started_at >= ?",
            (since,),
        ).fetchall()
        walks = [
            w
            for w in walks
            # the walk judged is no part of its own history; an undated upload's plan had only the walks stored
            # before it
            if w["id"] != own_walk_id and (stored_before_id is None or w["id"] < stored_before_id)
        ]
        strides = walk_strides(store, conn, walks)
    records = []
    for w in walks:
        sel = strides[w["id"]]
        source = json.loads(w["source_json"] or "{}")
        records.append(
            WalkRecord(
                started_at_s=iso_to_unix_s(w["started_at"]),
                stride_length_m=sel[:, 0],
                cadence_spm=sel[:, 1],
                confidence=np.clip(sel[:, 2], 0.0, 1.0),
                distance_m=max(float(w["distance_m"] or 0.0), 0.0),
                # Pain-free unless a pain report names the walk (plan_coaching applies that rule).
                pain_free=True,
                # walked live with cues (the dashboard's, or gait live's stored as an upload of its journal)
                coached=recorded_live({"origin": w["origin"], "source": source})
                and bool(json.loads(w["coaching_json"] or "{}").get("active")),
                walk_id=str(w["id"]),
                walking_time_s=None if w["walking_time_s"] is None else max(float(w["walking_time_s"]), 0.0),
                placement=w["placement"] or None,
                judged_at_s=plan_time_s({**dict(w), "source": source}),
            )
        )
    return records


UPLOAD_TIME_WORDS = "this walk was uploaded"
"""What the time of the plan of an upload without a start time is, in its reasons (judged by the plan of its upload:
:func:`plan_time_s`); :data:`~gait.coach.plan.WALK_TIME_WORDS` for a walk judged by the plan of its start."""


def plan_time_words(walk: dict[str, Any]) -> str:
    """What the time of a stored walk's plan is, in the words its reasons say times relative to (:func:`plan_time_s`).

    Examples
    --------
    >>> plan_time_words({"source": {"started_at_from": "import"}, "created_at": "2026-11-27T08:01:00+00:00"})
    'this walk was uploaded'
    >>> plan_time_words({"source": {"started_at_from": "recording"}})
    'this walk'
    """
    return UPLOAD_TIME_WORDS if is_undated(walk) else WALK_TIME_WORDS


def is_undated(walk: dict[str, Any]) -> bool:
    """Whether a stored walk is an upload without a start time (dated to end at its upload, judged by the plan of
    its upload)."""
    return (walk.get("source") or {}).get("started_at_from") == "import" and bool(walk.get("created_at"))


def plan_time_s(walk: dict[str, Any]) -> float:
    """When the plan a stored walk was judged by was in force (Unix seconds): its recording's start, or for a file
    without a start time its upload, as the upload judged it (``created_at``, stored to the second, rounded up: its
    start, dated to end at the upload, is rounded too and can fall before a pain report made just before).

    Examples
    --------
    >>> walk = {"started_at": "2026-11-27T08:00:00+00:00", "created_at": "2026-11-27T08:01:00+00:00", "source": {}}
    >>> plan_time_s({**walk, "source": {"started_at_from": "import"}}) - plan_time_s(walk)
    61.0
    """
    if is_undated(walk):
        return iso_to_unix_s(walk["created_at"]) + 1.0
    return iso_to_unix_s(walk["started_at"])


def pain_reports(store: Store, *, own_walk_id: int | None = None) -> list[PainReport]:
    """All pain reports as coach records, but those naming ``own_walk_id`` (the walk a plan judges: the pain felt on
    it is no part of the plan it started with, whatever the report's time).

    A report tied to a sample or demo walk (the API refuses new ones; older stores may hold some) keeps its score
    and time, but not its onset distance or time: that walk was not the walker's, so the point of pain is not
    learnt from it.
    """
    with store.read() as conn:
        demo_ids = {r[0] for r in conn.execute("SELECT id FROM walks WHERE demo = 1")}
    reports = []
    for p in store.list_pain():
        if own_walk_id is not None and p["walk_id"] == own_walk_id:
            continue
        on_demo = p["walk_id"] in demo_ids
        reports.append(
            PainReport(
                reported_at_s=iso_to_unix_s(p["reported_at"]),
                pain_0_10=int(p["score"]),
                onset_distance_m=None if on_demo else p["onset_distance_m"],
                onset_time_s=None if on_demo else p["onset_time_s"],
                walk_id=None if p["walk_id"] is None or on_demo else str(p["walk_id"]),
            )
        )
    return reports


def current_plan(
    store: Store,
    profile: ProfileUpdate,
    *,
    now_s: float | None = None,
    placement: Placement | str | None = None,
    own_walk_id: int | None = None,
    stored_before_id: int | None = None,
    undated: bool = False,
) -> CoachingPlan:
    """The coaching plan at ``now_s`` (default now) from the store's history, pain reports and the profile, for a
    walk with the sensor at ``placement``: its baseline comes from the walker's walks of that placement only.

    A plan for a past time (an uploaded walk's own start) sees only the walks and reports before it. For a stored
    walk analysed again, ``own_walk_id`` leaves the walk itself and the pain reports naming it out, and
    ``stored_before_id`` (an upload without a start time, judged by the plan of its upload: its id) the walks stored
    after it:
    such walks are dated to end when uploaded, so a later one can start before the plan's time.

    It is the plan a walk is judged by and stored with: its reasons say times relative to the walk ("pain reported 3
    minutes before this walk"), never to now, which goes stale; for an upload without a start time (``undated``, or
    ``stored_before_id`` given) relative to its upload, the plan's time (:func:`plan_time_words`).
    """
    now_s = time.time() if now_s is None else now_s
    walks = history(
        store,
        window_days=profile.coaching.coach_settings().baseline_window_days,
        now_s=now_s,
        own_walk_id=own_walk_id,
        stored_before_id=stored_before_id,
    )
    before = UPLOAD_TIME_WORDS if undated or stored_before_id is not None else WALK_TIME_WORDS
    return _plan(store, profile, walks, now_s=now_s, placement=placement, own_walk_id=own_walk_id, before=before)


def dashboard_plan(store: Store, profile: ProfileUpdate, *, now_s: float | None = None) -> CoachingPlan:
    """The plan the dashboard shows now: for the walker's usual placement (the profile's, else the placement of
    their latest walk), its reasons describing the baseline of every other placement they walked with in the
    baseline's window too (the latest used first)."""
    now_s = time.time() if now_s is None else now_s
    walks = history(store, window_days=profile.coaching.coach_settings().baseline_window_days, now_s=now_s)
    latest_first = sorted((w for w in walks if w.placement is not None), key=lambda w: -w.started_at_s)
    used = list(dict.fromkeys(w.placement for w in latest_first))
    usual = profile.placement or (used[0] if used else None)
    return _plan(store, profile, walks, now_s=now_s, placement=usual, also_for=used)


def _plan(
    store: Store,
    profile: ProfileUpdate,
    walks: list[WalkRecord],
    *,
    now_s: float,
    placement: Placement | str | None,
    also_for: Sequence[Placement] = (),
    own_walk_id: int | None = None,
    before: str | None = None,
) -> CoachingPlan:
    return plan_coaching(
        walks,
        pain_reports(store, own_walk_id=own_walk_id),
        profile.coaching.coach_settings(),
        body_height_m=profile.body_height_m,
        now_s=now_s,
        placement=placement,
        also_for=also_for,
        before=before,
    )


PAIN_BASIS_KEYS = ("pain_reports", "pain_walk_reports")
"""The keys of a walk's stored plan that hold the pain reports it rested on (:meth:`PainLedger.basis`)."""


def _basis_key(report: dict[str, Any]) -> tuple[Any, ...]:
    """A report as a plan's basis names it: by id, time and score (a deleted report's id may name a later one)."""
    return (report["id"], report["reported_at"], report["score"])


@dataclass(frozen=True)
class NamedWalk:
    """A walk of the walker's that a pain report names, as far as the plans of other walks need it."""

    start_s: float
    name: str
    placement: str | None


def _opted_in(coaching: dict[str, Any]) -> bool:
    """Whether the walker had opted in when a stored plan was made (``enabled``; ``active`` for plans stored
    before it was kept)."""
    return bool(coaching.get("enabled", coaching.get("active")))


def relied_on_walks_show(coaching: dict[str, Any]) -> bool:
    """Whether what a walk shows of its stored plan ``coaching`` changes with the walks the plan relied on
    (``relied_on_walks``): with coaching on (its baseline, its count of pain-free walks); with coaching off only
    through a personal baseline (nothing was flagged and the count of pain-free walks is not shown; a walk's own
    level stays its own without one)."""
    return _opted_in(coaching) or coaching.get("baseline_source") == "personal"


def _has_onset(report: dict[str, Any]) -> bool:
    """Whether a report teaches the point of pain (an onset at the very start teaches nothing)."""
    distance_m, time_s = report.get("onset_distance_m"), report.get("onset_time_s")
    return (distance_m is not None and distance_m >= MIN_ONSET_DISTANCE_M) or (
        time_s is not None and time_s >= MIN_ONSET_TIME_S
    )


@dataclass(frozen=True)
class PainLedger:
    """The stored pain reports, with each of the walker's own walks one names: what the pain basis of a plan at any
    time is made from (:meth:`basis`), and the ids of the stored walks (a walk a stored plan relied on that is not
    among them was deleted since: :func:`deleted_walk_basis`), loaded once for any number of walks.

    Attributes
    ----------
    reports
        All pain reports (:meth:`service.store.Store.list_pain`).
    named_walks
        Walk id -> :class:`NamedWalk`, for the own, finished walks that a report names.
    walk_ids
        The ids of every stored walk; None when not loaded (no walk is then taken for deleted).
    """

    reports: list[dict[str, Any]]
    named_walks: dict[int, NamedWalk]
    walk_ids: frozenset[int] | None = None

    @classmethod
    def load(cls, store: Store) -> PainLedger:
        """The store's pain reports, the walks they name and the ids of the stored walks."""
        reports = store.list_pain()
        with store.read() as conn:
            rows = conn.execute(
                "SELECT id, started_at, name, placement FROM walks WHERE demo = 0 AND status != 'live'"
                " AND id IN (SELECT walk_id FROM pain_reports WHERE walk_id IS NOT NULL)"
            ).fetchall()
        walk_ids = frozenset(store.walk_ids())
        named = {r["id"]: NamedWalk(iso_to_unix_s(r["started_at"]), r["name"], r["placement"]) for r in rows}
        return cls(reports, named, walk_ids)

    def basis(
        self,
        settings: CoachSettings,
        *,
        now_s: float,
        own_walk_id: int | None = None,
        stored_before_id: int | None = None,
    ) -> dict[str, list[dict[str, Any]]]:
        """The pain reports a plan for ``now_s`` rests on, each as ``id``, ``reported_at``, ``score``: those that
        count as pain (score at least ``min_pain_0_10``), but never one naming ``own_walk_id`` (the walk the plan
        judges: the pain felt on it is no part of the plan it started with)

        - ``pain_reports``: reported within ``pain_lookback_days`` before ``now_s``; they decide whether coaching
          is on, the target's relaxation and the point of pain;
        - ``pain_walk_reports`` (with the ``walk_id``): naming a walk of the plan's history (started within
          ``baseline_window_days`` before ``now_s``, and stored before walk ``stored_before_id`` when given: see
          :func:`current_plan`), whenever reported; that walk is then not a pain-free walk, for the baseline and
          the relaxation (:func:`gait.coach.plan_coaching`).
        """
        recent_from_s = now_s - settings.pain_lookback_days * 86400.0
        history_from_s = now_s - settings.baseline_window_days * 86400.0
        pain = [
            p
            for p in self.reports
            if p["score"] >= settings.min_pain_0_10 and (own_walk_id is None or p["walk_id"] != own_walk_id)
        ]
        recent = [p for p in pain if recent_from_s <= iso_to_unix_s(p["reported_at"]) <= now_s]

        def in_history(walk_id: int | None) -> bool:
            named = None if walk_id is None else self.named_walks.get(walk_id)
            if named is None:
                return False
            stored_before = stored_before_id is None or walk_id < stored_before_id
            return history_from_s <= named.start_s <= now_s and stored_before

        on_walks = [p for p in pain if in_history(p["walk_id"])]
        return {
            "pain_reports": [{"id": p["id"], "reported_at": p["reported_at"], "score": p["score"]} for p in recent],
            "pain_walk_reports": [
                {"id": p["id"], "reported_at": p["reported_at"], "score": p["score"], "walk_id": p["walk_id"]}
                for p in on_walks
            ],
        }

    def _relied_on(self, coaching: dict[str, Any], walk_id: int | None) -> bool:
        """Whether the stored plan ``coaching`` rested on walk ``walk_id`` being pain-free (its baseline, its count
        of pain-free walks: ``relied_on_walks``, :attr:`gait.coach.CoachingPlan.relied_on_walk_ids`). A plan stored
        before it kept them: when the walk was of the plan's placement (its baseline), or the walker had opted in
        and it came after a pain report the plan rested on (its count)."""
        if walk_id is None:
            return False
        if "relied_on_walks" in coaching:
            return walk_id in coaching["relied_on_walks"]
        named = self.named_walks.get(walk_id)
        if named is None:
            return False
        if named.placement == coaching.get("baseline_placement", named.placement):
            return True
        pain_s = [iso_to_unix_s(r["reported_at"]) for r in coaching.get("pain_reports") or []]
        return _opted_in(coaching) and any(t < named.start_s for t in pain_s)

    def _changes_plan(self, coaching: dict[str, Any], report: dict[str, Any], *, dated: bool) -> bool:
        """Whether a report added since the stored plan ``coaching`` was made changes it: it names a walk the plan
        rested on (:meth:`_relied_on`), or, dated within the plan's lookback, it teaches the point of pain, or it is
        the latest pain for a walker who opted in (it restarts the target).

        With coaching off nothing was flagged and the walk's band is its usual stride: only a report naming a walk
        of its personal baseline changes what the walk shows (that baseline); a point of pain, the target's restart
        or the count of pain-free walks are not shown for it, and analysing it again would change nothing."""
        if not _opted_in(coaching):
            return relied_on_walks_show(coaching) and self._relied_on(coaching, report["walk_id"])
        if self._relied_on(coaching, report["walk_id"]):
            return True
        if not dated:
            return False
        if _has_onset(report):
            return True
        before = [iso_to_unix_s(r["reported_at"]) for r in coaching.get("pain_reports") or []]
        return all(iso_to_unix_s(report["reported_at"]) > t for t in before)

    def added_since(
        self,
        coaching: dict[str, Any],
        settings: CoachSettings,
        *,
        now_s: float,
        own_walk_id: int | None = None,
        stored_before_id: int | None = None,
    ) -> list[dict[str, Any]]:
        """The pain reports a plan for ``now_s`` rests on today that the walk's stored plan (``coaching``) did not
        and that change it (:meth:`_changes_plan`): added since it was made. Each with ``walk_id`` and
        ``walk_name`` (None when it names no walk), and ``dated`` True when it was reported within the lookback
        before ``now_s`` (the plan's time) and names no walk the stored plan relied on (else it changes the plan by
        naming a walk of its history, whatever its date). ``own_walk_id``, ``stored_before_id``: as
        :meth:`basis`. A stored plan that did not keep a kind of basis (walks stored before it was kept) is not
        compared on it."""
        now = self.basis(settings, now_s=now_s, own_walk_id=own_walk_id, stored_before_id=stored_before_id)
        stored = {_basis_key(r) for key in PAIN_BASIS_KEYS for r in coaching.get(key) or []}
        dated = {_basis_key(r) for r in now["pain_reports"]}
        by_id = {p["id"]: p for p in self.reports}
        added: dict[tuple[Any, ...], dict[str, Any]] = {}
        for key in PAIN_BASIS_KEYS:
            if key not in coaching:
                continue
            for r in now[key]:
                report = by_id[r["id"]]
                if _basis_key(r) in stored or not self._changes_plan(coaching, report, dated=_basis_key(r) in dated):
                    continue
                walk_id = report["walk_id"]
                named = self.named_walks.get(walk_id) if walk_id is not None else None
                added[_basis_key(r)] = {
                    "id": r["id"],
                    "reported_at": r["reported_at"],
                    "score": r["score"],
                    "walk_id": walk_id,
                    "walk_name": None if named is None else named.name,
                    # a report naming a walk the plan counted as pain-free is told as that, whatever its date
                    "dated": _basis_key(r) in dated and not self._relied_on(coaching, walk_id),
                }
        return sorted(added.values(), key=lambda r: (r["reported_at"], r["id"]))


def plan_pain_basis(
    store: Store,
    settings: CoachSettings,
    *,
    now_s: float,
    own_walk_id: int | None = None,
    stored_before_id: int | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The stored pain reports a plan for ``now_s`` rests on (:meth:`PainLedger.basis`)."""
    scope = {"own_walk_id": own_walk_id, "stored_before_id": stored_before_id}
    return PainLedger.load(store).basis(settings, now_s=now_s, **scope)


def deleted_pain_basis(coaching: dict[str, Any], reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The pain reports a walk's stored plan rested on that have been deleted since (matched by id, time and
    score, as a deleted report's id may name a later one). Walks stored before the plan kept its reports give
    none."""
    kept = {_basis_key(p) for p in reports}
    gone: dict[tuple[Any, ...], dict[str, Any]] = {}
    for key in PAIN_BASIS_KEYS:
        for r in coaching.get(key) or []:
            if _basis_key(r) not in kept:
                gone.setdefault(_basis_key(r), {"id": r["id"], "reported_at": r["reported_at"], "score": r["score"]})
    return list(gone.values())


def deleted_walk_basis(coaching: dict[str, Any], walk_ids: frozenset[int] | set[int] | None) -> list[int]:
    """The walks a walk's stored plan ``coaching`` relied on (``relied_on_walks``: its baseline's, its count of
    pain-free walks) that are no longer among the stored walks ``walk_ids``: deleted since (walk ids are never
    reused: the store's ``walks`` table is AUTOINCREMENT). Empty when they change nothing the walk shows
    (:func:`relied_on_walks_show`), for a plan stored before it kept its walks, or without ``walk_ids``.

    Examples
    --------
    >>> deleted_walk_basis({"enabled": True, "relied_on_walks": [1, 2, 3]}, {1, 3, 9})
    [2]
    >>> deleted_walk_basis({"enabled": False, "baseline_source": "population", "relied_on_walks": [2]}, {1})
    []
    """
    if walk_ids is None or not relied_on_walks_show(coaching):
        return []
    return [int(i) for i in coaching.get("relied_on_walks") or [] if i not in walk_ids]


def plan_description(
    plan: CoachingPlan,
    profile: ProfileUpdate,
    store: Store | None = None,
    *,
    own_walk_id: int | None = None,
    stored_before_id: int | None = None,
) -> dict[str, Any]:
    """What is stored with a walk about the target used to flag it.

    With ``store``, the pain reports the plan rests on are kept too (:func:`plan_pain_basis`, with
    ``own_walk_id`` and ``stored_before_id`` as the plan had them: :func:`current_plan`), and the walks whose being
    pain-free it rests on (``relied_on_walks``), so that the walk's page can say when a report deleted or added
    since changes it (the plan stays as it was: it is the walk's history, and the walk is out of date until analysed
    again). A demo plan (no store) rests on no report of the walker's.
    """
    settings = profile.coaching.coach_settings()
    scope = {"own_walk_id": own_walk_id, "stored_before_id": stored_before_id}
    return {
        "active": plan.active,
        # the walker's opt-in when the walk was made: analysing the walk again keeps it (a profile setting, not history)
        "enabled": profile.coaching.enabled,
        "reduction": plan.reduction,
        "tolerance_m": profile.coaching.tolerance_m,
        # strides less confident than this are never judged: the walk page shows them apart
        "min_confidence": settings.min_confidence,
        "baseline_source": plan.baseline.source,
        # the placement whose walks the baseline came from (walks stored before baselines were kept per placement
        # have no such key: their personal baseline mixed every placement's walks)
        "baseline_placement": None if plan.placement is None else plan.placement.value,
        # what strides are judged against: "your usual strides", "this walk's first 20 strides", or None for a
        # placement without a stride-length model (nothing is judged)
        "judged_against": plan.judged_against,
        "reasons": list(plan.reasons),
        "relied_on_walks": [int(i) for i in plan.relied_on_walk_ids],
        **(
            {key: [] for key in PAIN_BASIS_KEYS}
            if store is None
            else plan_pain_basis(store, settings, now_s=plan.now_s, **scope)
        ),
    }


def stride_flagger(
    store: Store,
    profile: ProfileUpdate,
    *,
    at_s: float | None = None,
    placement: Placement | str | None = None,
    own_walk_id: int | None = None,
    stored_before_id: int | None = None,
    undated: bool = False,
) -> tuple[StrideJudge, dict[str, Any]]:
    """A judge of a walk's strides (``flag(stride) -> (target_m, overlong)``) and the plan's description.

    ``at_s`` is when the walk was made (an uploaded recording's own start; default now): the plan is the one in
    force then, so a walk from last week is judged against last week's target, not today's. ``placement`` is where
    the walk's sensor was: only walks of that placement give it a personal baseline. The judge is a
    :class:`~gait.coach.StrideJudge` holding the walk's state: call it **once per stride, in stride order** (as
    ``analyze`` gives them, or a stored walk's strides by index), one judge per walk. Without a personal baseline
    the walk's first 20 trusted strides set its level and get no target; after them every stride gets its target
    (the usual stride while coaching is inactive, so the charts can draw it) and, while the plan is active, a
    verdict when its length is trusted. ``own_walk_id``, ``stored_before_id``: a stored walk analysed again;
    ``undated``: an upload without a start time, judged at its upload (:func:`current_plan`).
    """
    scope = {"own_walk_id": own_walk_id, "stored_before_id": stored_before_id}
    plan = current_plan(store, profile, now_s=at_s, placement=placement, undated=undated, **scope)
    return StrideJudge(plan, profile.coaching.coach_settings()), plan_description(plan, profile, store, **scope)


def judged_description(
    coaching: dict[str, Any],
    judge: StrideJudge,
    *,
    calibrated: bool | None = None,
    height_known: bool | None = None,
) -> dict[str, Any]:
    """A walk's stored coaching once its strides were judged: what they were judged against, with the walk's level
    (:meth:`gait.coach.StrideJudge.describe`), added to its reasons after the baseline's (and after the rule of a
    walk's own level, when the plan states it). ``calibrated`` and ``height_known``: whether the walk was analysed
    with a calibration factor and a body height (to say why its lengths were not trusted, when they were not)."""
    reasons = list(coaching.get("reasons") or [])
    after = (BASELINE_REASON, "Until then each walk sets its own level")
    at = max((i + 1 for i, r in enumerate(reasons) if r.startswith(after)), default=len(reasons))
    reasons.insert(at, judge.describe(calibrated=calibrated, height_known=height_known))
    return {
        **coaching,
        "judged_against": judge.compared_with,
        "walk_level_scale": judge.scale,
        "reasons": reasons,
    }


NOT_YOUR_COACHING = (
    "Not part of your coaching: this walk never counts for your baseline, your pain-free walks, your point of pain "
    "or your targets, and your profile (height, calibration) is not used for it."
)
"""Said first about every sample and demo walk's coaching."""

SAMPLE_COACHING: dict[str, Any] = {
    "active": False,
    "reduction": 0.0,
    "sample": True,
    "pain_reports": [],
    "reasons": [
        "A sample recording: somebody else's walk, analysed with its own walker's height (from the sample's "
        "reference file). It is not coached: no target, nothing flagged.",
        NOT_YOUR_COACHING,
    ],
}
"""What is stored about coaching with a sample recording's walk (it has none: see :data:`NOT_YOUR_COACHING`)."""

DEMO_PAIN_0_10 = 4
"""The pain score a demonstration plan imagines (it only has to count as pain)."""


def demo_coach(
    settings: CoachSettings,
    *,
    body_height_m: float | None,
    now_s: float | None = None,
    placement: Placement | str | None = None,
) -> tuple[Coach, CoachingPlan, str]:
    """A coach for a demo walk (a replayed sample, a virtual sensor): as it would be just after back pain.

    A demo walk is somebody else's walking, so it is never judged against the walker's own baseline: its first 20
    trusted strides set its level (against the population default for the height given, the demo walker's), as any
    walk without a personal baseline is judged, with the walker's reduction and tolerance (default 10 %, the
    documented first target after pain), whether or not coaching is switched on. Nothing is stored: no
    pain report, no change to the profile. ``placement``: the demo sensor's (a placement without a stride-length
    model gives no target at all, and the plan says that instead). Returns the coach, its plan and a one-line note
    saying all that with the target actually used.
    """
    now_s = time.time() if now_s is None else now_s
    demo_settings = replace(settings, enabled=True)
    plan = plan_coaching(
        [],
        [PainReport(reported_at_s=now_s, pain_0_10=DEMO_PAIN_0_10)],
        demo_settings,
        body_height_m=body_height_m,
        now_s=now_s,
        placement=placement,
    )
    base = population_baseline(body_height_m, why="a demo walk is somebody else's walking, never your baseline")
    # the demo walker's height, not the user's profile, is what is missing when none is known
    base = replace(
        base,
        description=base.description.replace(
            "(assumed: no body height in your profile)", "(assumed: the demo walker's height is not known)"
        ),
        placement=plan.placement,
    )
    target = (
        f"target {format_percent(plan.reduction)} below {plan.judged_against}: the demo walker's own level, never "
        "your baseline"
        if plan.measures_length
        else f"no target: {sensor_words(plan.placement)} has no stride-length model"
    )
    note = f"demo: coached as if you had reported back pain just now ({target}); nothing is stored in your coaching"
    # the imagined report's status and relaxation ("reported just now", "so far 0 pain-free walks") are not the
    # walker's: left out, with a plain word that the walk is no part of their coaching
    reasons = tuple(
        f"{BASELINE_REASON}: {base.description}." if r.startswith(BASELINE_REASON) and plan.measures_length else r
        for r in plan.reasons
        if not r.startswith((ACTIVE_REASON, "Target: "))
    )
    plan = replace(
        plan, baseline=base, demo=True, reasons=(note[:1].upper() + note[1:] + ".", NOT_YOUR_COACHING, *reasons)
    )
    return Coach(plan, demo_settings), plan, note


def live_coach(
    store: Store, profile: ProfileUpdate, placement: Placement | str | None = None
) -> tuple[Coach, CoachingPlan]:
    """A fresh :class:`~gait.coach.Coach` for a live walk with the sensor at ``placement``, with the plan it
    follows."""
    plan = current_plan(store, profile, placement=placement)
    return Coach(plan, profile.coaching.coach_settings()), plan
