"""Trends per day, per week and per month."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from gait.types import Placement
from service.deps import StoreDep
from service.models import TrendRow
from service.store import UNKNOWN_PLACEMENT

router = APIRouter(prefix="/api/trends", tags=["trends"])

TrendPlacement = Literal[(*(p.value for p in Placement), UNKNOWN_PLACEMENT)]  # type: ignore[valid-type]
"""A placement to show the trends of: one of the sensor placements, or walks stored without one."""


@router.get("", response_model=list[TrendRow], summary="Totals and stride-weighted means per day, week or month")
def trends(
    store: StoreDep,
    period: Literal["day", "week", "month"] = "day",
    placement: Annotated[
        TrendPlacement | None,  # type: ignore[valid-type]
        Query(
            description="Only the walks with the sensor worn there ('unknown': walks without a placement); all "
            "walks when not given. A stride length is estimated by each placement's own model and calibration "
            "factor: over walks of two placements a change of sensor reads as a change of stride."
        ),
    ] = None,
) -> list[dict[str, Any]]:
    """Totals and stride-weighted means per local day, ISO 8601 week or calendar month (``2026-11``), of all walks
    or of one placement's."""
    return store.trends(period, placement=placement)
