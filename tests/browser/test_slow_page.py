"""A page whose data comes back after the walker has opened another page is not drawn over it, and a button's request
that answers after the walker left its page neither draws over the page they went to nor throws on the elements of
the page that is gone.

The walk page a finished upload opens was still fetching its strides when the Upload page was opened again; its
answer then replaced the Upload form (CI saw the form vanish under a test's next upload). Each test below holds one
request (``page.route``), opens another page, lets the request go on, and checks that page and the console."""

from __future__ import annotations

import json

from tests.browser.test_dashboard import open_page, wait_js, watch_console
from tests.browser.test_live_coaching import COACHED, start_demo
from tests.browser.test_qa8_dash import BAG
from tests.browser.test_reanalysis import upload
from tests.service.serverproc import REPO, Server

WALK = REPO / "sample_recordings" / "mobgap_lower_back_daily_living.csv"


def _stored_walk(server: Server) -> int:
    return upload(server, WALK)["id"]


def _held(page, pattern, method: str | None = None) -> list:
    """Hold every request matching ``pattern`` (and ``method``) until the test lets it go; the others go on."""
    held: list = []

    def hold(route) -> None:
        if method is None or route.request.method == method:
            held.append(route)
        else:
            route.continue_()

    page.route(pattern, hold)
    return held


def _wait_held(page, held: list) -> None:
    for _ in range(300):
        if held:
            return
        page.wait_for_timeout(100)
    raise AssertionError("the page never made the request held")


def _answered_elsewhere(page, held: list, away: str, *, fail: bool = False) -> None:
    """Once the held request is made, open the page at ``away`` and let the request go on (``fail``: fail it, as a
    connection that broke); returns once the page that made it has had its answer, and the time to draw it."""
    _wait_held(page, held)
    open_page(page, away)
    request = held[0].request
    if fail:
        held[0].abort()
    else:
        same = lambda r: r.request.url == request.url and r.request.method == request.method  # noqa: E731
        with page.expect_response(same, timeout=120_000):
            held[0].continue_()
    page.wait_for_timeout(500)  # what the page left behind would do with the answer, had it gone on


def _pressed_then_left(page, pattern, button: str, away: str, *, method: str | None = None, fail: bool = False) -> None:
    """Press ``button`` with the request it makes to ``pattern`` (``method``) held, then open the page at ``away``
    and let the request answer there (``fail``: fail it)."""
    held = _held(page, pattern, method)
    page.click(button)
    _answered_elsewhere(page, held, away, fail=fail)


def _still_on(page, h1: str, name: str) -> None:
    """The page the walker went to is still the one shown: its title, and the router's word that it drew it."""
    assert page.locator("h1").first.inner_text() == h1
    assert page.evaluate("document.body.dataset.page") == name


def test_a_walk_page_answering_late_does_not_replace_the_upload_page(browser_context, server: Server) -> None:
    walk_id = _stored_walk(server)
    page = browser_context.new_page()
    errors = watch_console(page)
    held = _held(page, f"**/api/walks/{walk_id}/strides*")
    page.goto(f"{server.url}/#/walk/{walk_id}")
    _wait_held(page, held)
    page.goto(f"{server.url}/#/upload")
    page.wait_for_selector("#file", state="attached")
    with page.expect_response(f"**/api/walks/{walk_id}/strides*"):
        held[0].continue_()
    page.wait_for_timeout(300)  # the walk page's remaining work, had it gone on drawing
    assert page.locator("#file").count() == 1
    assert page.locator("h1").first.inner_text() == "Upload a recording"
    assert page.evaluate("document.body.dataset.page") == "pageUpload"
    assert errors == []


def test_a_page_failing_late_does_not_put_its_error_over_the_next_page(browser_context, server: Server) -> None:
    walk_id = _stored_walk(server)
    page = browser_context.new_page()
    held = _held(page, f"**/api/walks/{walk_id}/strides*")
    page.goto(f"{server.url}/#/walk/{walk_id}")
    _wait_held(page, held)
    page.goto(f"{server.url}/#/walks")
    page.wait_for_selector("h1:has-text('Walks')")
    held[0].abort()
    page.wait_for_timeout(500)
    assert page.locator("#page-error").count() == 0
    assert page.locator("h1").first.inner_text() == "Walks"


def test_an_upload_slow_to_reach_the_service_still_opens_its_walk(browser_context, server: Server) -> None:
    """Its progress asked for before the service had the file is answered 404 (not started yet): the page goes on
    asking, and those answers are not counted as the page's errors (the browser logs them)."""
    page = browser_context.new_page()
    errors = watch_console(page)
    early: list[int] = []
    page.on("response", lambda r: early.append(r.status) if "/api/uploads/" in r.url else None)
    open_page(page, f"{server.url}/#/upload")
    held = _held(page, lambda url: "/api/uploads?" in url)
    page.set_input_files("#file", str(WALK))
    page.select_option("#placement", "lower_back")
    page.click("#upload-btn")
    _wait_held(page, held)
    page.wait_for_timeout(1000)  # the file on its way: a slow network, a loaded machine
    held[0].continue_()
    page.wait_for_url("**/#/walk/*", timeout=120_000)
    assert 404 in early  # asked before the service had it
    assert errors == [], errors


def test_home_looking_up_where_to_calibrate_late_is_not_drawn_over_the_next_page(
    browser_context, server: Server
) -> None:
    # a phone walk no length is trusted in: Home looks up the latest one that can calibrate, after its own data
    walk_id = upload(server, BAG, "pocket")["id"]
    page = browser_context.new_page()
    errors = watch_console(page)
    held = _held(page, f"**/api/walks/{walk_id}")
    page.goto(f"{server.url}/#/")
    _answered_elsewhere(page, held, f"{server.url}/#/walks")
    _still_on(page, "Walks", "pageWalks")
    assert errors == [], errors


def test_the_pain_page_looking_up_its_walk_late_is_not_drawn_over_the_next_page(
    browser_context, server: Server
) -> None:
    page = browser_context.new_page()
    errors = watch_console(page)
    held = _held(page, "**/api/walks/987654")  # a walk not among the latest: looked up on its own
    page.goto(f"{server.url}/#/pain?walk=987654")
    _answered_elsewhere(page, held, f"{server.url}/#/walks")
    _still_on(page, "Walks", "pageWalks")
    assert [e for e in errors if "status of 404" not in e] == [], errors  # the walk it asked for is not stored


def test_analyse_again_answering_after_the_walker_left_does_not_draw_the_walk_page(
    browser_context, server: Server
) -> None:
    walk_id = _stored_walk(server)
    assert server.client.put("/api/profile", json={"body_height_m": 1.95, "placement": "lower_back"}).is_success
    page = browser_context.new_page()
    errors = watch_console(page)
    open_page(page, f"{server.url}/#/walk/{walk_id}")
    _pressed_then_left(page, f"**/api/walks/{walk_id}/reanalyse", "#reanalyse-btn", f"{server.url}/#/upload")
    _still_on(page, "Upload a recording", "pageUpload")
    assert server.client.get(f"/api/walks/{walk_id}").json()["reanalysis"]["out_of_date"] is False  # done all the same
    assert errors == [], errors


def test_a_calibration_fitted_after_the_walker_left_throws_nothing(browser_context, server: Server) -> None:
    walk = upload(server, WALK)
    walk_id = walk["id"]
    page = browser_context.new_page()
    errors = watch_console(page)
    open_page(page, f"{server.url}/#/walk/{walk_id}")
    page.fill("#calibrate-distance", f"{1.05 * walk['summary']['distance_m']:.0f}")  # a distance that fits
    fit = "#calibrate-form button[type=submit]"
    _pressed_then_left(page, f"**/api/walks/{walk_id}/calibrate", fit, f"{server.url}/#/walks")
    _still_on(page, "Walks", "pageWalks")
    assert errors == [], errors


def test_a_calibration_saved_after_the_walker_left_does_not_draw_the_walk_page(browser_context, server: Server) -> None:
    walk = upload(server, WALK)
    page = browser_context.new_page()
    errors = watch_console(page)
    open_page(page, f"{server.url}/#/walk/{walk['id']}")
    page.fill("#calibrate-distance", f"{1.05 * walk['summary']['distance_m']:.0f}")
    page.click("#calibrate-form button[type=submit]")
    page.wait_for_selector("#calibrate-save")
    _pressed_then_left(page, f"**/api/walks/{walk['id']}/calibrate", "#calibrate-save", f"{server.url}/#/walks")
    _still_on(page, "Walks", "pageWalks")
    assert "lower_back" in server.client.get("/api/profile").json()["stride_scales"]  # saved all the same
    assert errors == [], errors


def test_a_walk_deleted_after_the_walker_left_its_page_does_not_take_them_to_the_walk_list(
    browser_context, server: Server
) -> None:
    walk_id = _stored_walk(server)
    page = browser_context.new_page()
    errors = watch_console(page)
    page.on("dialog", lambda dialog: dialog.accept())
    open_page(page, f"{server.url}/#/walk/{walk_id}")
    away = f"{server.url}/#/upload"
    _pressed_then_left(page, f"**/api/walks/{walk_id}", "#delete-walk", away, method="DELETE")
    assert page.evaluate("location.hash") == "#/upload"
    _still_on(page, "Upload a recording", "pageUpload")
    assert server.client.get(f"/api/walks/{walk_id}").status_code == 404  # deleted all the same
    assert errors == [], errors


def test_an_upload_answering_after_the_walker_left_neither_opens_its_walk_nor_throws(
    browser_context, server: Server, tmp_path
) -> None:
    refused = tmp_path / "notes.csv"
    refused.write_text("hello,world\n1,2\n")
    page = browser_context.new_page()
    errors = watch_console(page)
    sent = lambda url: "/api/uploads?" in url  # noqa: E731 (the upload itself, not its progress)
    # one walk: its page would open; refused, or the connection broken: its words would go under the form
    for path, fail in ((WALK, False), (refused, False), (refused, True)):
        open_page(page, f"{server.url}/#/upload")
        page.set_input_files("#file", str(path))
        page.select_option("#placement", "lower_back")
        _pressed_then_left(page, sent, "#upload-btn", f"{server.url}/#/walks", fail=fail)
        assert page.evaluate("location.hash") == "#/walks", path.name
        _still_on(page, "Walks", "pageWalks")
        page.unroute(sent)
    assert [w["name"] for w in server.client.get("/api/walks").json()] == [WALK.stem]  # stored all the same
    # the refusal logs its status, the broken connection its failure
    assert [e for e in errors if "status of 422" not in e and "ERR_FAILED" not in e] == [], errors


def test_a_recording_whose_header_is_read_after_the_walker_left_throws_nothing(browser_context, server: Server) -> None:
    page = browser_context.new_page()
    # the header of a picked file is read in the page; held here as a slow disk would hold it
    page.add_init_script(
        "window.__heldReads = []; const read = Blob.prototype.text; Blob.prototype.text = function () {"
        " return new Promise((resolve) => window.__heldReads.push(() => resolve(read.call(this)))); };"
    )
    errors = watch_console(page)
    open_page(page, f"{server.url}/#/upload")
    page.set_input_files("#file", str(WALK))
    wait_js(page, "window.__heldReads.length === 1")
    open_page(page, f"{server.url}/#/walks")
    page.evaluate("window.__heldReads.forEach((release) => release())")
    page.wait_for_timeout(500)
    _still_on(page, "Walks", "pageWalks")
    assert errors == [], errors


def test_a_pain_report_saved_after_the_walker_left_does_not_draw_the_pain_page(browser_context, server: Server) -> None:
    page = browser_context.new_page()
    errors = watch_console(page)
    open_page(page, f"{server.url}/#/pain")
    save = "#pain-form button[type=submit]"
    _pressed_then_left(page, "**/api/pain", save, f"{server.url}/#/walks", method="POST")
    _still_on(page, "Walks", "pageWalks")
    assert len(server.client.get("/api/pain").json()) == 1  # saved all the same
    assert errors == [], errors


def test_a_pain_report_deleted_after_the_walker_left_does_not_draw_the_pain_page(
    browser_context, server: Server
) -> None:
    assert server.client.post("/api/pain", json={"score": 4}).status_code == 201
    page = browser_context.new_page()
    errors = watch_console(page)
    page.on("dialog", lambda dialog: dialog.accept())
    open_page(page, f"{server.url}/#/pain")
    _pressed_then_left(page, "**/api/pain/*", "button[data-del]", f"{server.url}/#/walks", method="DELETE")
    _still_on(page, "Walks", "pageWalks")
    assert server.client.get("/api/pain").json() == []  # deleted all the same
    assert errors == [], errors


def test_a_profile_saved_after_the_walker_left_does_not_draw_the_profile_page(browser_context, server: Server) -> None:
    page = browser_context.new_page()
    errors = watch_console(page)
    open_page(page, f"{server.url}/#/profile")
    page.fill("#height", "1.80")
    save = "#profile-form button[type=submit]"
    _pressed_then_left(page, "**/api/profile", save, f"{server.url}/#/walks", method="PATCH")
    _still_on(page, "Walks", "pageWalks")
    assert server.client.get("/api/profile").json()["body_height_m"] == 1.8  # saved all the same
    assert errors == [], errors


def test_analyse_all_answering_after_the_walker_came_back_leaves_the_new_page_as_drawn(
    browser_context, server: Server
) -> None:
    _stored_walk(server)
    assert server.client.put("/api/profile", json={"body_height_m": 1.95, "placement": "lower_back"}).is_success
    page = browser_context.new_page()
    errors = watch_console(page)
    open_page(page, f"{server.url}/#/profile")
    held = _held(page, "**/api/walks/reanalyse", "POST")
    page.click("#reanalyse-all-btn")
    _wait_held(page, held)
    open_page(page, f"{server.url}/#/walks")
    _answered_elsewhere(page, held, f"{server.url}/#/profile")  # drawn again while the batch still runs
    # the page drawn meanwhile keeps its card whole: the answer was for the page the walker left
    assert page.locator("#reanalyse-all-why").count() == 1 and page.locator("#reanalyse-all-btn").count() == 1
    assert errors == [], errors


def test_a_stop_failing_after_the_walker_left_the_live_page_throws_nothing(browser_context, server: Server) -> None:
    start_demo(server, speed=1)  # a walk to stop
    page = browser_context.new_page()
    errors = watch_console(page)
    open_page(page, f"{server.url}/#/live")
    # the service gone before it answered
    _pressed_then_left(page, "**/api/live/stop", "#stop-live", f"{server.url}/#/walks", fail=True)
    _still_on(page, "Walks", "pageWalks")
    assert server.client.post("/api/live/stop").status_code == 200
    assert [e for e in errors if "ERR_FAILED" not in e] == [], errors  # the aborted request is logged as such


def test_a_live_page_left_and_opened_again_lists_the_cues_so_far_once(browser_context, server: Server) -> None:
    """The live page opened mid-walk fetches the walk's cues so far; a fetch of the page left behind answering after
    the page was opened again added them to its list a second time."""
    assert server.client.put("/api/profile", json=COACHED).status_code == 200
    assert server.client.post("/api/pain", json={"score": 5}).status_code == 201
    walk_id = start_demo(server)
    server.wait_until(lambda: server.client.get(f"/api/walks/{walk_id}").json()["cues"], "a stored cue")
    first = server.client.get(f"/api/walks/{walk_id}").json()["cues"][0]
    minutes, seconds = divmod(round(first["t_s"]), 60)
    first_cue = f"{f'{minutes} min {seconds} s' if minutes else f'{seconds} s'}: {first['message']}"
    page = browser_context.new_page()
    errors = watch_console(page)
    first_visit: list = []

    def hold_the_first(route) -> None:  # the first visit's fetch is held; the second visit's goes through
        if first_visit:
            route.continue_()
        else:
            first_visit.append(route)

    page.route(f"**/api/walks/{walk_id}/strides*", hold_the_first)
    page.goto(f"{server.url}/#/live")
    _wait_held(page, first_visit)
    open_page(page, f"{server.url}/#/walks")
    open_page(page, f"{server.url}/#/live")
    wait_js(page, f"document.getElementById('cue-list').innerText.includes({json.dumps(first_cue)})")
    with page.expect_response(f"**/api/walks/{walk_id}/strides*"):
        first_visit[0].continue_()
    page.wait_for_timeout(500)
    assert page.locator("#cue-list").inner_text().count(first_cue) == 1
    server.client.post("/api/live/stop")
    assert errors == [], errors
