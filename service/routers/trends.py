"""Trends per day and per week."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter

from service.deps import StoreDep
from service.models import TrendRow

router = APIRouter(prefix="/api/trends", tags=["trends"])


@router.get("", response_model=list[TrendRow], summary="Totals and stride-weighted means per day or week")
def trends(store: StoreDep, period: Literal["day", "week"] = "day") -> list[dict[str, Any]]:
    """Totals and stride-weighted means per local day or ISO 8601 week."""
    return store.trends(period)
