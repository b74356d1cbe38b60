"""The upload form's "as the file says" placement: it sends none, so the service takes the location a file's header
names (GENEActiv), else the usual placement of the profile, and refuses saying what to do when neither says."""

from __future__ import annotations

import pytest

from tests.browser.conftest import shot
from tests.browser.test_dashboard import open_page, wait_js, watch_console
from tests.service.serverproc import REPO, Server

GENEACTIV = REPO.parent / "shared" / "data" / "dev" / "gaitpy_demo_geneactiv_lumbar" / "demo_data.csv"
SAYS_NOTHING = REPO / "sample_recordings" / "mobgap_lower_back_daily_living.csv"


def _set_usual_placement(server: Server, placement: str | None) -> None:
    profile = server.client.get("/api/profile").json()
    profile.pop("not_medical_advice", None)
    assert server.client.put("/api/profile", json={**profile, "placement": placement}).status_code == 200


def _selected_text(page) -> str:
    return page.evaluate("document.getElementById('placement').selectedOptions[0].text")


def test_a_geneactiv_file_is_placed_by_its_header_even_over_the_usual_placement(
    browser_context, server: Server
) -> None:
    if not GENEACTIV.is_file():
        pytest.skip(f"the shared GENEActiv file is not here: {GENEACTIV}")
    # no usual placement: the form asks, until a file whose header names its location is picked
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/upload")
    page.wait_for_selector("#placement-file", state="attached")
    assert page.evaluate("document.getElementById('placement').validity.valueMissing")
    page.set_input_files("#file", str(GENEACTIV))
    wait_js(page, "document.getElementById('placement').value === 'file'")
    assert _selected_text(page) == 'as the file says (its header: "back")'
    shot(page, "upload-placement-from-header")
    page.click("#upload-btn")
    page.wait_for_url("**/#/walk/*", timeout=120_000)
    walks = server.client.get("/api/walks").json()
    assert [w["placement"] for w in walks] == ["lower_back"]  # GENEActiv's 'back'
    assert errors == [], errors


def test_with_a_usual_placement_the_file_is_asked_first_then_the_profile(browser_context, server: Server) -> None:
    if not GENEACTIV.is_file():
        pytest.skip(f"the shared GENEActiv file is not here: {GENEACTIV}")
    _set_usual_placement(server, "wrist")
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/upload")
    page.wait_for_selector("#placement-file", state="attached")
    # the default, and its words: what it falls back on
    assert page.locator("#placement").input_value() == "file"
    assert _selected_text(page) == "as the file says, else my usual (wrist)"
    # the header wins over the usual wrist: the form sent no placement
    page.set_input_files("#file", str(GENEACTIV))
    page.click("#upload-btn")
    page.wait_for_url("**/#/walk/*", timeout=120_000)
    assert [w["placement"] for w in server.client.get("/api/walks").json()] == ["lower_back"]
    # a file that says nothing takes the usual placement
    open_page(page, server.url + "/#/upload")
    # the header is read (the choice's words are written again once it is): it names nothing, the words stay
    page.evaluate(
        "window.__headerRead = false; new MutationObserver(() => { window.__headerRead = true; })"
        ".observe(document.getElementById('placement-file'), { childList: true, characterData: true, subtree: true })"
    )
    page.set_input_files("#file", str(SAYS_NOTHING))
    wait_js(page, "window.__headerRead")
    assert _selected_text(page) == "as the file says, else my usual (wrist)"
    page.click("#upload-btn")
    server.wait_until(lambda: len(server.client.get("/api/walks").json()) == 2, "the second walk", 120.0)
    assert {w["name"]: w["placement"] for w in server.client.get("/api/walks").json()}[SAYS_NOTHING.stem] == "wrist"
    assert errors == [], errors


def test_as_the_file_says_with_neither_saying_is_refused_with_what_to_do(browser_context, server: Server) -> None:
    page = browser_context.new_page()
    page.goto(server.url + "/#/upload")
    page.wait_for_selector("#placement-file", state="attached")
    page.set_input_files("#file", str(SAYS_NOTHING))
    page.select_option("#placement", "file")
    assert _selected_text(page) == "as the file says"
    page.click("#upload-btn")
    page.wait_for_selector("#upload-error:not(:empty)", timeout=60_000)
    text = page.locator("#upload-error").inner_text()
    assert "the file does not say where the sensor was worn" in text, text
    assert 'choose it under "Where was the sensor worn?"' in text and "usual placement in your profile" in text, text
    shot(page, "upload-placement-neither-says")
    assert server.client.get("/api/walks").json() == []
