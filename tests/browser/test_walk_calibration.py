"""Calibrating from a walk's page: "this walk was N m", the factor before and after, saved to the profile, then the
walk analysed again to the distance walked; refusals said on the page; not offered on somebody else's walk."""

from __future__ import annotations

import re
from pathlib import Path

from tests.browser.conftest import shot
from tests.browser.test_dashboard import wait_js, watch_console
from tests.service.serverproc import REPO, Server
from tests.test_cli_calibrate import long_walk_m

FOOT = REPO / "sample_recordings" / "gaitmap_left_foot.csv"
FOOT_DISTANCE_M = 40  # 2 x 20 m with a turn (the recording's reference file)
BACK = REPO / "sample_recordings" / "mobgap_lower_back_daily_living.csv"
SHORT_BACK_ROWS = 4500
"""The first 45 s of :data:`BACK`: 25 steps (enough to upload, the lab's 11-step straight walk is not), some 9 m."""
SHORT_BACK_M = 10.0
POCKET = REPO / "sample_recordings" / "oxford_phone_back_pocket.csv"


def test_a_walk_of_known_distance_calibrates_from_its_page_and_is_analysed_again(
    browser_context, server: Server
) -> None:
    files = {"file": ("my shoe walk.csv", FOOT.read_bytes())}
    r = server.client.post("/api/uploads", files=files, data={"placement": "foot"})
    assert r.status_code == 201, r.text
    walk = r.json()["walks"][0]
    model_m = walk["summary"]["distance_m"]
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + f"/#/walk/{walk['id']}")
    page.wait_for_selector("#calibrate-form")
    assert "(yours now: none)" in page.locator("#calibrate").inner_text()
    length = page.locator("#calibrate-length").inner_text()
    assert "Walk at least 100 m at your usual pace" in length and "under 20 m it cannot calibrate" in length

    # nothing typed, then a distance the walk cannot have been: said, nothing saved
    page.click("#calibrate-form button[type=submit]")
    wait_js(page, "document.getElementById('calibrate-preview').textContent.includes('metres')")
    page.fill("#calibrate-distance", "4000")
    page.click("#calibrate-form button[type=submit]")
    page.wait_for_selector("#calibrate-error")
    refused = page.locator("#calibrate-error").inner_text()
    assert refused.startswith("4000 m does not fit this walk"), refused
    # why, in plain words: not the factor 4000 m would give (QA9: "factor 27.307 is implausible" was jargon)
    assert "corrects the measured distance by up to 50 % either way" in refused, refused
    assert "factor" not in refused and not re.search(r"\d\.\d{3}", refused), refused

    page.fill("#calibrate-distance", str(FOOT_DISTANCE_M))
    page.click("#calibrate-form button[type=submit]")
    page.wait_for_selector("#calibrate-save")
    rows = page.locator("#calibrate-table tr").all_inner_texts()
    assert rows[1].split("\t")[1:] == ["none (the model's own lengths)", f"{FOOT_DISTANCE_M / model_m:.3f}"]
    assert rows[2].split("\t")[1:] == [f"{round(model_m)} m", f"{FOOT_DISTANCE_M} m"]
    # 40 m: rough, said beside the factor before it is saved, with what to walk instead
    rough = page.locator("#calibrate-warning").inner_text()
    assert rough.startswith("A 40 m walk gives a rough factor: its starting and stopping strides"), rough
    assert "walk at least 100 m at your usual pace (for example a 400 m track lap" in rough
    assert server.client.get("/api/profile").json()["stride_scales"] == {}  # not saved before "Save"
    shot(page, "walk-calibrate-preview")

    offered = re.fullmatch(r"Save factor (\d\.\d{3}) to my profile", page.locator("#calibrate-save").inner_text())
    assert offered is not None
    page.click("#calibrate-save")
    page.wait_for_selector("#calibrate-saved")
    factor = server.client.get("/api/profile").json()["stride_scales"]["foot"]
    assert factor == float(offered.group(1))  # the profile holds (and shows) the factor the button offered
    saved = page.locator("#calibrate-saved").inner_text()
    assert f"your foot factor is now {factor:.3f} (was none)" in saved
    assert f"its distance becomes about {FOOT_DISTANCE_M} m" in saved
    assert "A 40 m walk gives a rough factor" in page.locator("#calibrate-saved-warning").inner_text()
    # the walk is now out of date, and the page offers to analyse it again
    assert "calibration factor" in page.locator("#reanalysis-note").inner_text()
    shot(page, "walk-calibrated")

    page.click("#reanalyse-btn")
    page.wait_for_selector("#reanalyse-result")
    assert server.client.get(f"/api/walks/{walk['id']}").json()["summary"]["distance_m"] == FOOT_DISTANCE_M
    assert f"{FOOT_DISTANCE_M} m" in page.locator("#summary").inner_text()
    assert page.locator("#reanalysis-note").count() == 0
    # the console's only error is the refused 4000 m (a 422 the page said in its own words)
    assert len(errors) == 1 and "422" in errors[0], errors


def open_uploaded_walk(browser_context, server: Server, path: Path, placement: str, name: str | None = None):
    """Upload ``path`` with ``placement`` and open its walk page: the page, its console errors and the walk."""
    files = {"file": (name or path.name, path.read_bytes())}
    r = server.client.post("/api/uploads", files=files, data={"placement": placement})
    assert r.status_code == 201, r.text
    walk = r.json()["walks"][0]
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + f"/#/walk/{walk['id']}")
    page.wait_for_selector("#summary")
    return page, errors, walk


def test_a_walk_without_model_stride_lengths_says_why_it_cannot_calibrate(browser_context, server: Server) -> None:
    page, errors, _ = open_uploaded_walk(browser_context, server, FOOT, "wrist", name="wrist walk.csv")
    assert page.locator("#calibrate-form").count() == 0
    assert "a wrist sensor has no stride-length model" in page.locator("#calibrate-why-not").inner_text()
    assert errors == [], errors


def _fit(page, distance_m: float) -> None:
    page.fill("#calibrate-distance", f"{distance_m:g}")
    page.click("#calibrate-form button[type=submit]")
    wait_js(page, "!document.getElementById('calibrate-preview').textContent.includes('Fitting')")


def test_a_long_walk_fits_without_a_warning_and_a_short_one_is_refused_with_what_to_do(
    browser_context, server: Server
) -> None:
    walks = {}
    short_back = "\n".join(BACK.read_text().splitlines()[: SHORT_BACK_ROWS + 1]).encode()
    for name, body, placement in (
        (POCKET.name, POCKET.read_bytes(), "pocket"),
        ("short back.csv", short_back, "lower_back"),
    ):
        r = server.client.post("/api/uploads", files={"file": (name, body)}, data={"placement": placement})
        assert r.status_code == 201, r.text
        walks[placement] = r.json()["walks"][0]["id"]
    page = browser_context.new_page()
    errors = watch_console(page)

    page.goto(server.url + f"/#/walk/{walks['pocket']}")
    page.wait_for_selector("#calibrate-form")
    _fit(page, round(long_walk_m()))
    page.wait_for_selector("#calibrate-save")
    assert page.locator("#calibrate-warning").count() == 0
    page.click("#calibrate-save")
    page.wait_for_selector("#calibrate-saved")
    assert page.locator("#calibrate-saved-warning").count() == 0
    assert "pocket" in server.client.get("/api/profile").json()["stride_scales"]

    page.goto("about:blank")  # a load of its own: a hash change would leave the pocket walk's form to wait on
    page.goto(server.url + f"/#/walk/{walks['lower_back']}")
    page.wait_for_selector("#calibrate-form")
    header = page.locator("h1 + p.muted").first.inner_text()
    assert "\u00b7 a lower-back sensor" in header and "lower_back" not in header, header  # words, not the raw name
    distance_m = SHORT_BACK_M
    _fit(page, distance_m)
    page.wait_for_selector("#calibrate-error")
    refused = page.locator("#calibrate-error").inner_text()
    assert f"{distance_m:g} m walk is too short to calibrate" in refused and "walk at least 100 m" in refused
    assert page.locator("#calibrate-save").count() == 0
    assert "lower_back" not in server.client.get("/api/profile").json()["stride_scales"]
    shot(page, "walk-calibrate-too-short")
    # the console's only error is the refused short walk (a 422 the page said in its own words)
    assert len(errors) == 1 and "422" in errors[0], errors


def test_the_saved_notice_counts_the_other_walks_out_of_date_and_names_the_button(
    browser_context, server: Server
) -> None:
    """QA (12th session): the notice said '("Analyse all again")' for a button reading "Analyse all N again", and
    spoke of its other walks as walks "with a ... sensor" whatever made them out of date."""
    ids = []
    for sample in (POCKET, REPO / "sample_recordings" / "oxford_phone_in_hand.csv"):
        r = server.client.post(
            "/api/uploads", files={"file": (sample.name, sample.read_bytes())}, data={"placement": "pocket"}
        )
        assert r.status_code == 201, r.text
        ids.append(r.json()["walks"][0]["id"])
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + f"/#/walk/{ids[0]}")
    page.wait_for_selector("#calibrate-form")
    _fit(page, round(long_walk_m()))
    page.wait_for_selector("#calibrate-save")
    page.click("#calibrate-save")
    page.wait_for_selector("#calibrate-saved")
    out_of_date = server.client.get("/api/walks/reanalysis").json()["out_of_date"]
    assert out_of_date >= 2  # this walk and the other pocket walk, analysed with no factor
    saved = " ".join(page.locator("#calibrate-saved").inner_text().split())
    others = out_of_date - 1
    assert f"{others} other walk{'' if others == 1 else 's'} {'is' if others == 1 else 'are'} out of date too" in saved
    assert f'("Analyse all {out_of_date} again")' in saved, saved
    page.goto(server.url + "/#/profile")
    page.get_by_role("button", name=f"Analyse all {out_of_date} again").wait_for(timeout=10_000)
    assert errors == [], errors
