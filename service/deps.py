"""FastAPI dependencies as ``Annotated`` aliases; tests replace them with ``app.dependency_overrides``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.demo import BleAccess
from service.livehub import LiveHub
from service.settings import Settings
from service.store import Store
from service.uploads import UploadRegistry


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    return request.app.state.settings


def get_store(request: Request) -> Store:
    """The app's store (opened by the lifespan)."""
    return request.app.state.store


def get_uploads(request: Request) -> UploadRegistry:
    """Progress registry of uploads in flight."""
    return request.app.state.uploads


def get_hub(request: Request) -> LiveHub:
    """The live-session hub."""
    return request.app.state.hub


def get_ble(request: Request) -> BleAccess:
    """How the service reaches Bluetooth LE sensors (bleak's platform backend, or the virtual radio)."""
    return request.app.state.ble


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
UploadsDep = Annotated[UploadRegistry, Depends(get_uploads)]
HubDep = Annotated[LiveHub, Depends(get_hub)]
BleDep = Annotated[BleAccess, Depends(get_ble)]
