"""A walker deletes a walk that a later walk's coaching baseline was fitted from: the Delete question says the
later walk will be marked out of date; its page then says why and what to do, the profile counts it, and "Analyse
all again" judges it without the deleted walk. Real phone recordings (the Oxford step-counter data set), uploaded as
the walker's own pocket walks."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.browser.conftest import shot
from tests.browser.test_dashboard import open_page, wait_js, watch_console
from tests.browser.test_pain_added_later import own_server  # noqa: F401  (the walker's own walks only)
from tests.service.serverproc import Server
from tests.service.test_walk_deleted_marks_plans import DAY_S, OXFORD, POCKET_WALKS, upload_days_ago, upload_pocket

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not OXFORD.is_dir(), reason=f"shared dev data not found at {OXFORD}"),
]


def pocket_walks(server: Server, tmp_path: Path, days_ago: tuple[float, ...]) -> list[int]:
    """The walker's profile (a body height, a pocket factor: trusted lengths), then pocket walks started each of
    ``days_ago`` days ago: their ids."""
    profile = {"body_height_m": 1.75, "stride_scales": {"pocket": 1.0}}
    assert server.client.put("/api/profile", json=profile).status_code == 200
    return upload_days_ago(server.client, tmp_path, days_ago)


def test_deleting_a_baseline_walk_says_the_later_walk_will_be_marked_and_its_page_says_why(
    browser_context,
    own_server: Server,  # noqa: F811
    tmp_path: Path,
) -> None:
    server = own_server
    a, b, c, w = pocket_walks(server, tmp_path, (20, 15, 10, 2))
    assert server.client.get(f"/api/walks/{w}").json()["coaching"]["relied_on_walks"] == [a, b, c]

    page = browser_context.new_page()
    errors = watch_console(page)
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.goto(f"{server.url}/#/walk/{b}")
    page.click("#delete-walk")
    page.wait_for_url("**/#/walks")
    (question,) = asked
    assert question.startswith(f'Delete "{POCKET_WALKS[1]}" and its '), question
    assert question.endswith(
        "strides? The coaching of 1 later walk rested on it (its baseline or count of pain-free walks): it will be "
        "marked out of date, to analyse again without it."
    ), question
    assert server.client.get(f"/api/walks/{b}").status_code == 404

    page.goto(f"{server.url}/#/walk/{w}")
    page.wait_for_selector("#coaching-then")
    note = page.locator("#reanalysis-note").inner_text()
    assert f"out of date: a walk of the personal baseline it was judged against was deleted since (walk {b})" in note
    deleted = page.locator("#deleted-walk").inner_text()
    assert deleted.startswith(f"Since this walk, a walk of this plan's personal baseline was deleted (walk {b})")
    assert "in 3 baseline walks" in page.locator("#coaching-then").text_content()  # the plan of then, as it was
    shot(page, "walk-deleted-baseline-walk")

    page.goto(server.url + "/#/profile")
    page.wait_for_selector("#reanalyse-all-btn")
    assert page.locator("#reanalyse-all-deleted-walk").inner_text() == (
        "1 walk was judged by a coaching plan that rested on a walk you deleted since (in its baseline or its count "
        "of pain-free walks)"
    )
    page.click("#reanalyse-all-btn")
    wait_js(page, "document.getElementById('reanalyse-all-msg').textContent.includes('analysed again')")
    page.goto(f"{server.url}/#/walk/{w}")
    page.wait_for_selector("#coaching-then")
    assert page.locator("#reanalysis-note").count() == 0 and page.locator("#deleted-walk").count() == 0
    assert "none of your own yet" in page.locator("#coaching-then").text_content()  # two walks are too few
    assert errors == [], errors


def test_the_delete_question_counts_the_later_walks_when_asked_not_when_the_page_loaded(
    browser_context,
    own_server: Server,  # noqa: F811
    tmp_path: Path,
) -> None:
    server = own_server
    a, b, c = pocket_walks(server, tmp_path, (20, 15, 10))
    assert server.client.get(f"/api/walks/{b}").json()["rested_on_by"] == []  # two walks before c: no baseline

    page = browser_context.new_page()
    errors = watch_console(page)
    asked: list[str] = []
    answers: list[bool] = []
    page.on(
        "dialog", lambda dialog: (asked.append(dialog.message), dialog.accept() if answers.pop(0) else dialog.dismiss())
    )
    open_page(page, f"{server.url}/#/walk/{b}")
    # meanwhile (another tab, an upload) a walk is added whose baseline rests on it
    w = upload_pocket(server.client, tmp_path, POCKET_WALKS[3], time.time() - 2 * DAY_S)
    assert server.client.get(f"/api/walks/{w}").json()["coaching"]["relied_on_walks"] == [a, b, c]
    answers.append(False)
    page.click("#delete-walk")
    wait_js(page, "!document.getElementById('delete-walk').disabled")
    assert len(asked) == 1, asked
    assert asked[0].endswith(
        "strides? The coaching of 1 later walk rested on it (its baseline or count of pain-free walks): it will be "
        "marked out of date, to analyse again without it."
    ), asked[0]
    assert server.client.get(f"/api/walks/{b}").status_code == 200  # not deleted: the walker said no

    # the question's request fails: asked all the same, without the count, and the walk is deleted
    page.route(f"**/api/walks/{b}", lambda route: route.abort() if route.request.method == "GET" else route.fallback())
    answers.append(True)
    page.click("#delete-walk")
    page.wait_for_url("**/#/walks")
    assert asked[1].endswith(
        "strides? Any later walk whose coaching rested on it (its baseline or count of pain-free walks) will be "
        "marked out of date, to analyse again without it."
    ), asked[1]
    assert server.client.get(f"/api/walks/{b}").status_code == 404
    assert server.client.get(f"/api/walks/{w}").json()["reanalysis"]["out_of_date"] is True
    assert [e for e in errors if "ERR_FAILED" not in e] == [], errors
