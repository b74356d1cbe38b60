"""Liveness."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter

from service.deps import HubDep, SettingsDep, StoreDep
from service.models import Health

router = APIRouter(prefix="/api", tags=["health"])


def _version() -> str:
    try:
        return version("gait-analyser")
    except PackageNotFoundError:
        return "0+unknown"


@router.get("/health", response_model=Health, summary="Is the service up; store facts")
def health(store: StoreDep, hub: HubDep, settings: SettingsDep) -> Health:
    """Report that the service is up, with its version, store facts and live state."""
    return Health(
        status="ok",
        version=_version(),
        schema_version=store.schema_version,
        walks=store.count_walks(),
        live=hub.running,
        token_required=settings.requires_token,
    )
