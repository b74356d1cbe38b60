"""Back-pain reports: score 0-10, when, and how far or how long into a walk it started."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Response

from service.deps import StoreDep
from service.models import PainCreate, PainPublic

router = APIRouter(prefix="/api/pain", tags=["pain"])

FUTURE_SLACK = timedelta(minutes=5)
"""Clock skew between phone and server tolerated before a report counts as 'in the future'."""


@router.get("", response_model=list[PainPublic], summary="Pain reports, newest first")
def list_pain(store: StoreDep) -> list[dict[str, Any]]:
    return store.list_pain()


@router.post("", response_model=PainPublic, status_code=201, summary="Report back pain")
def add_pain(report: PainCreate, store: StoreDep) -> dict[str, Any]:
    if report.walk_id is not None:
        walk = store.get_walk(report.walk_id)
        if walk is None:
            raise HTTPException(422, f"no walk with id {report.walk_id}: leave walk_id empty or pick a listed walk")
        if walk["demo"]:
            raise HTTPException(
                422,
                f"walk {report.walk_id} is a sample or demo walk, not one of yours: report the pain without a walk "
                "or for a walk you made",
            )
    when = report.reported_at or datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if when.astimezone(UTC) > datetime.now(UTC) + FUTURE_SLACK:
        raise HTTPException(422, "reported_at is in the future: give the time the pain was felt")
    row = report.model_dump()
    row["reported_at"] = when.astimezone(UTC).isoformat(timespec="seconds")
    report_id = store.add_pain(row)
    stored = store.get_pain(report_id)
    assert stored is not None
    return stored


@router.delete("/{report_id}", status_code=204, summary="Delete a pain report")
def delete_pain(report_id: int, store: StoreDep) -> Response:
    if not store.delete_pain(report_id):
        raise HTTPException(404, f"no pain report with id {report_id}")
    return Response(status_code=204)
