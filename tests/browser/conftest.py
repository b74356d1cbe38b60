"""Browser tests: Playwright's Python API driving Debian's Chromium (never `playwright install`).

They run in CI and are never skipped there: with CI=true and no Chromium they fail with a clear message.
Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.service.conftest import write_walk_csv
from tests.service.serverproc import REPO, Server

CHROMIUM = Path(os.environ.get("GAIT_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # The live view's beep needs an AudioContext that runs without a real user gesture in a headless test.
    "--autoplay-policy=no-user-gesture-required",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        message = (
            f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium` (or set GAIT_CHROMIUM)"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + "; browser tests never skip in CI")
        pytest.skip(message)
    return CHROMIUM


@contextmanager
def chromium_context(chromium_path: Path, tmp_path: Path, **options: Any) -> Iterator[Any]:
    """A headless Chromium on a fresh profile under ``tmp_path`` (``options``: Playwright's, e.g. ``timezone_id``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(chromium_path),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=DESKTOP,
            **options,
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def browser_context(chromium_path: Path, tmp_path: Path):
    with chromium_context(chromium_path, tmp_path) as context:
        yield context


@pytest.fixture
def samples_dir(tmp_path: Path) -> Path:
    """The repo's sample recordings plus an overstriding synthetic walk used as the live demo."""
    samples = tmp_path / "samples"
    samples.mkdir()
    write_walk_csv(samples / "a_overstride_walk.csv", duration_s=120.0)
    # a short walker (1.20 m) with a large bounce: strides of about 0.90 m, 10 % over the population's for that
    # height at 108 steps/min (0.91 m), so the demo's coaching (as just after back pain: 10 % shorter) flags them. A
    # demo walk is analysed and coached with its sample walker's height, never the user's.
    reference = {"placement": "lower_back", "body_height_m": 1.2}
    (samples / "a_overstride_walk.reference.json").write_text(json.dumps(reference))
    for f in sorted((REPO / "sample_recordings").glob("*")):
        if f.is_file():
            shutil.copy(f, samples / f.name)
    return samples


@pytest.fixture
def server(tmp_path: Path, samples_dir: Path) -> Iterator[Server]:
    srv = Server(tmp_path / "data", samples_dir, demo=False)
    try:
        yield srv
    finally:
        srv.kill()


def shot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
