"""Trends per day, per week and per month."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter

from service.deps import StoreDep
from service.models import TrendRow

router = APIRouter(prefix="/api/trends", tags=["trends"])


@router.get("", response_model=list[TrendRow], summary="Totals and stride-weighted means per day, week or month")
def trends(store: StoreDep, period: Literal["day", "week", "month"] = "day") -> list[dict[str, Any]]:
    """Totals and stride-weighted means per local day, ISO 8601 week or calendar month (``2026-11``)."""
    return store.trends(period)
