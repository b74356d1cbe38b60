"""QA19's dashboard findings: an Apple Health export's usual renamed copies ("export (1).zip") need no placement
(QA19b #13); the Profile page offers no calibration factor for a cadence-only sensor (QA19a #5); charts, buttons,
navigation and motion that a screen reader, a keyboard or "reduce motion" can use (QA19a #2, #3, #4, #10); the live
cue banner does not move the cards."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.browser.test_dash_qa import HEALTH_EXPORT
from tests.browser.test_dashboard import watch_console
from tests.service.serverproc import Server

PLACEMENT_REQUIRED = "document.getElementById('placement').required"


def choose_file(page, name: str, content: bytes = b"PK\x05\x06" + bytes(18)) -> None:
    """Pick a file called ``name`` in the Upload form (by default an empty zip: only its name is looked at)."""
    page.set_input_files("#file", files=[{"name": name, "mimeType": "application/octet-stream", "buffer": content}])
    page.wait_for_timeout(150)


def test_an_apple_health_export_renamed_as_copies_are_needs_no_placement(
    browser_context, server: Server, tmp_path: Path
) -> None:
    if not HEALTH_EXPORT.exists():
        pytest.skip(f"the shared Apple Health export is not here: {HEALTH_EXPORT}")
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/upload")
    page.wait_for_selector("#file")
    assert page.evaluate(PLACEMENT_REQUIRED)  # a new walker: no usual placement in the profile
    # a browser's second download, a Finder or iCloud copy, a dated copy, names saying "health"
    for name in (
        "export (1).zip",
        "export(2).zip",
        "export 2.zip",
        "Export-2024-10-18.zip",
        "Health export.zip",
        "apple_health_export.zip",
        "export.xml",
    ):
        choose_file(page, name)
        assert not page.evaluate(PLACEMENT_REQUIRED), name
    # other recordings still ask where the sensor was
    for name in ("walk.zip", "exported_walk.csv", "2024-10-18_15-26-13.zip", "export.csv", "my_export.zip"):
        choose_file(page, name)
        assert page.evaluate(PLACEMENT_REQUIRED), name
    # the real export, zipped as the Health app does and saved as a browser's second download: uploaded as it is
    renamed = tmp_path / "export (1).zip"
    with zipfile.ZipFile(renamed, "w") as z:
        z.write(HEALTH_EXPORT, "apple_health_export/export.xml")
    page.set_input_files("#file", str(renamed))
    page.click("#upload-btn")
    page.wait_for_selector("#upload-count", timeout=120_000)
    assert page.locator("#upload-count").inner_text().endswith(")"), page.locator("#upload-count").inner_text()
    assert len(server.client.get("/api/walks?limit=1000").json()) > 1
    assert errors == [], errors


def test_the_profile_offers_factors_only_for_placements_with_a_stride_length(browser_context, server: Server) -> None:
    page = browser_context.new_page()
    page.goto(server.url + "/#/profile")
    page.wait_for_selector("#scales-table")
    rows = page.evaluate("[...document.querySelectorAll('#scales-table tbody tr')].map((tr) => tr.dataset.placement)")
    assert rows == ["lower_back", "waist", "foot", "pocket", "hand"]
    said = page.locator("#scales-cadence-only").inner_text()
    assert "wrist or chest sensor has no factor" in said and "cadence only" in said
