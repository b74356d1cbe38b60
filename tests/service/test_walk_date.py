"""Changing a stored walk's start (PATCH /api/walks/{id}): an upload whose file held no start time, dated at its
upload, gets the date the walker gives, in place: it keeps its id, figures and pain reports, moves in the walk
list and the Trends buckets, and its page says the walker dated it; refusals change nothing. Synthetic walks on a
real SQLite file through the API.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service import reanalysis, walkdate
from service.settings import Settings
from service.store import NewWalk, Store
from tests.service.conftest import synthetic_walk, write_walk_csv
from tests.service.test_coaching_honesty import post_file, write_csv


def upload(client: TestClient, path: Path, **data: str) -> dict[str, Any]:
    r = post_file(client, path, **data)
    assert r.status_code == 201, r.text
    return r.json()["walks"][0]


def local_days_ago(days: int, hour: int, minute: int) -> datetime:
    """This computer's local time ``days`` days ago at ``hour``:``minute``, with its UTC offset (as the dashboard
    sends a datetime-local box's value)."""
    return (datetime.now().astimezone() - timedelta(days=days)).replace(
        hour=hour, minute=minute, second=0, microsecond=0
    )


def local_day(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone().date().isoformat()


def trend_days(client: TestClient) -> dict[str, int]:
    return {row["period"]: row["walks"] for row in client.get("/api/trends").json()}


def test_an_undated_upload_gets_its_date_and_moves_in_the_list_and_trends_keeping_its_pain_reports(
    client: TestClient, tmp_path: Path
) -> None:
    undated = upload(client, write_walk_csv(tmp_path / "no date.csv"))
    assert undated["source"]["started_at_from"] == "import"  # a gait CSV from 0 s: dated to end at its upload
    given = local_days_ago(3, 7, 30)
    dated = upload(
        client, write_walk_csv(tmp_path / "dated.csv", step_hz=1.6, duration_s=90.0), started_at=given.isoformat()
    )
    x, y = undated["id"], dated["id"]
    assert [w["id"] for w in client.get("/api/walks").json()] == [x, y]
    pain = client.post("/api/pain", json={"score": 4, "walk_id": x, "onset_time_s": 40}).json()
    strides = client.get(f"/api/walks/{x}/strides").json()
    today = local_day(undated["started_at"])
    assert trend_days(client) == {local_day(dated["started_at"]): 1, today: 1}

    walked = local_days_ago(10, 8, 15)
    r = client.patch(f"/api/walks/{x}", json={"started_at": walked.isoformat()})
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["started_at"] == walked.astimezone(UTC).isoformat(timespec="seconds")
    assert done["started_at_before"] == undated["started_at"]
    offset = walked.strftime("%z")
    assert done["message"].startswith(
        f'walk {x} "no date" now starts {walked:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]}), as you gave it; '
        "its figures stay, and its pain report stays linked"
    ), done["message"]

    # the same walk at its new date: listed after the walk of 3 days ago, counted on its own day in Trends
    assert [w["id"] for w in client.get("/api/walks").json()] == [y, x]
    assert trend_days(client) == {local_day(walked.isoformat()): 1, local_day(dated["started_at"]): 1}
    weeks = {row["period"] for row in client.get("/api/trends?period=week").json()}
    year, week, _ = walked.isocalendar()
    assert f"{year}-W{week:02d}" in weeks
    page = client.get(f"/api/walks/{x}").json()
    assert page["id"] == x and datetime.fromisoformat(page["started_at"]) == walked
    assert page["summary"] == undated["summary"] and client.get(f"/api/walks/{x}/strides").json() == strides
    assert [p["id"] for p in page["pain_reports"]] == [pain["id"]]
    assert [p["walk_id"] for p in client.get("/api/pain").json()] == [x]
    assert page["source"]["started_at_from"] == "user"
    assert page["notes"][-1] == (
        f"date: the start you gave on this page, {walked:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]}); before, it "
        "was dated to end when it was uploaded (the file holds no start time)"
    )
    assert page["can_change_date"] is True


def test_the_walk_itself_is_marked_and_analysing_it_again_judges_it_by_the_plan_of_its_new_date(
    client: TestClient, tmp_path: Path
) -> None:
    x = upload(client, write_walk_csv(tmp_path / "walk.csv"))["id"]
    assert not client.get(f"/api/walks/{x}").json()["reanalysis"]["out_of_date"]
    before = client.get("/api/walks/reanalysis").json()
    assert before["out_of_date"] == 0

    r = client.patch(f"/api/walks/{x}", json={"started_at": local_days_ago(4, 18, 5).isoformat()})
    assert r.status_code == 200, r.text
    assert r.json()["marked_out_of_date"] == [x]
    assert "its coaching was judged by the plan of its old date: it is marked out of date" in r.json()["message"]
    status = client.get(f"/api/walks/{x}").json()["reanalysis"]
    assert status["out_of_date"] and status["reason_kinds"] == ["date"]
    assert status["reasons"] == [
        "its date was changed since it was analysed: the coaching plan it was judged by is the one of its old date"
    ]
    assert client.get("/api/walks/reanalysis").json()["out_of_date_by_reason"]["date"] == 1

    assert client.post(f"/api/walks/{x}/reanalyse").status_code == 200
    again = client.get(f"/api/walks/{x}").json()
    assert not again["reanalysis"]["out_of_date"] and "dates_changed" not in again["coaching"]
    assert again["source"]["started_at_from"] == "user"  # analysed again, it stays dated by the walker


def test_a_date_changed_while_the_walk_is_analysed_again_starts_the_analysis_over_at_the_new_date(
    client: TestClient, store: Store, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a pain report of 10 days ago, then an undated upload: dated now, its plan rests on that report
    report = client.post("/api/pain", json={"score": 5, "reported_at": local_days_ago(10, 9, 0).isoformat()}).json()
    x = upload(client, write_walk_csv(tmp_path / "walk.csv"))["id"]
    assert [r["id"] for r in client.get(f"/api/walks/{x}").json()["coaching"]["pain_reports"]] == [report["id"]]

    walked = local_days_ago(30, 8, 0)  # before the report: the plan of that day rests on no pain report
    analysed = reanalysis.analysis_again
    starts: list[str] = []

    def dated_in_another_tab_meanwhile(store_: Store, walk: dict[str, Any], *args: Any) -> NewWalk:
        starts.append(walk["started_at"])
        if len(starts) == 1:
            walkdate.change_walk_start(store, x, walked.isoformat(), reanalysis.SampleFolders.of(settings))
        return analysed(store_, walk, *args)

    monkeypatch.setattr(reanalysis, "analysis_again", dated_in_another_tab_meanwhile)
    r = client.post(f"/api/walks/{x}/reanalyse")
    assert r.status_code == 200, r.text
    new_start = walked.astimezone(UTC).isoformat(timespec="seconds")
    assert starts[-1] == new_start and len(starts) == 2  # started over once, from the walk at its new date
    page = client.get(f"/api/walks/{x}").json()
    assert page["started_at"] == new_start
    # judged by the plan of its new date (no pain report yet), not stored with the old date's plan and unmarked
    assert page["coaching"]["pain_reports"] == [] and "dates_changed" not in page["coaching"]
    assert not page["reanalysis"]["out_of_date"]


def test_a_date_changing_at_every_analysis_again_stores_nothing_and_says_so(
    client: TestClient, store: Store, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    x = upload(client, write_walk_csv(tmp_path / "walk.csv"))["id"]
    before = store.get_walk(x)
    analysed = reanalysis.analysis_again
    days = iter(range(20, 40))

    def dated_again_each_time(store_: Store, walk: dict[str, Any], *args: Any) -> NewWalk:
        given = local_days_ago(next(days), 8, 0).isoformat()
        walkdate.change_walk_start(store, x, given, reanalysis.SampleFolders.of(settings))
        return analysed(store_, walk, *args)

    monkeypatch.setattr(reanalysis, "analysis_again", dated_again_each_time)
    r = client.post(f"/api/walks/{x}/reanalyse")
    assert r.status_code == 409, r.text
    assert r.json()["detail"] == (
        f"the date of walk {x} was changed while it was analysed again, 3 times: nothing was stored; analyse it "
        "again once its date is settled"
    )
    after = store.get_walk(x)
    assert after is not None and before is not None
    # its last date stays, marked out of date; its analysis is the one it had
    assert after["analysis"] == before["analysis"] and after["steps"] == before["steps"]
    assert reanalysis.own_date_changed(after)


def _state(client: TestClient, store: Store, walk_id: int) -> tuple[Any, ...]:
    """Everything a refused change must leave as it was: the walk's row, the list, the trends and the pain reports."""
    return (
        store.get_walk(walk_id),
        [w["id"] for w in client.get("/api/walks").json()],
        client.get("/api/trends").json(),
        client.get("/api/pain").json(),
    )


def test_refusals_say_what_is_wrong_and_change_nothing(client: TestClient, store: Store, tmp_path: Path) -> None:
    x = upload(client, write_walk_csv(tmp_path / "walk.csv", duration_s=180.0))["id"]
    walked = local_days_ago(5, 9, 0)
    assert client.patch(f"/api/walks/{x}", json={"started_at": walked.isoformat()}).status_code == 200
    felt = walked + timedelta(hours=2)
    assert client.post("/api/pain", json={"score": 5, "walk_id": x, "reported_at": felt.isoformat()}).status_code == 201
    live = store.start_live_walk(NewWalk(name="live now", origin="live"))
    sample = store.add_walk(NewWalk(name="a sample", origin="sample", demo=True))
    before = _state(client, store, x)

    def refused(walk_id: int, body: dict[str, Any], status: int) -> str:
        r = client.patch(f"/api/walks/{walk_id}", json=body)
        assert r.status_code == status, r.text
        assert _state(client, store, x) == before
        return r.json()["detail"]

    assert refused(999, {"started_at": walked.isoformat()}, 404) == "no walk with id 999: list walks at /api/walks"
    assert refused(live, {"started_at": walked.isoformat()}, 409) == (
        f"walk {live} is being recorded live: stop it on the Live page first, then change its date"
    )
    assert refused(sample, {"started_at": walked.isoformat()}, 409).startswith(
        f"walk {sample} is a sample recording, somebody else's walking"
    )
    assert "is not a date and time" in refused(x, {"started_at": "last Tuesday"}, 422)
    no_offset = refused(x, {"started_at": walked.strftime("%Y-%m-%dT%H:%M")}, 422)
    assert "has no UTC offset: give it as ISO 8601 with its offset" in no_offset and "nothing was changed" in no_offset
    assert "is in the future" in refused(x, {"started_at": (datetime.now(UTC) + timedelta(hours=2)).isoformat()}, 422)
    assert "is before 2000" in refused(x, {"started_at": "1999-12-31T10:00+00:00"}, 422)
    # a 3 min walk started 20 s ago would end after now (more than the minute a clock may be off)
    late = refused(x, {"started_at": (datetime.now(UTC) - timedelta(seconds=20)).isoformat()}, 422)
    assert "of recording would end after now: give the time the walk started" in late, late
    # the pain report made for it (2 h after its start) cannot come before it: said in local time, with what to do
    after_pain = refused(x, {"started_at": (walked + timedelta(hours=3)).isoformat()}, 422)
    local = "%Y-%m-%d %H:%M %Z"
    assert after_pain.startswith(
        f"the pain report of {felt.astimezone().strftime(local)} for this walk (back pain 5/10) was felt before "
        f"{(walked + timedelta(hours=3)).astimezone().strftime(local)}, the start given"
    ), after_pain
    assert "delete it on the Pain page and report it again" in after_pain
    assert refused(x, {}, 422) and refused(x, {"started_at": walked.isoformat(), "name": "x"}, 422)
    # a start at the pain report's time is no refusal
    assert client.patch(f"/api/walks/{x}", json={"started_at": felt.isoformat()}).status_code == 200


def test_a_walk_dated_by_its_own_clock_can_be_dated_again_and_is_then_never_taken_for_another_by_its_time(
    client: TestClient, tmp_path: Path
) -> None:
    # a phone whose clock was a day off: the walker re-dates its walk. Dated by them, it is compared with other
    # uploads by its samples and steps, never by the time it covers (their minute, not a clock): a recording made at
    # its new time by another sensor, or at its old time, is stored; the same file again is still refused
    wrong_clock_s = datetime(2026, 11, 20, 10, 0, tzinfo=UTC).timestamp()
    walk = synthetic_walk(duration_s=120.0)
    path = write_csv(tmp_path / "phone.csv", walk, start_epoch_s=wrong_clock_s)
    r = upload(client, path)
    assert r["source"]["started_at_from"] == "recording"
    right = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
    assert client.patch(f"/api/walks/{r['id']}", json={"started_at": right.isoformat()}).status_code == 200

    other = synthetic_walk(step_hz=1.6, duration_s=100.0)
    at_new = upload(client, write_csv(tmp_path / "belt at the new time.csv", other, start_epoch_s=right.timestamp()))
    third = synthetic_walk(step_hz=1.7, duration_s=110.0)
    at_old = upload(client, write_csv(tmp_path / "at the old time.csv", third, start_epoch_s=wrong_clock_s))
    assert len({r["id"], at_new["id"], at_old["id"]}) == 3

    again = post_file(client, write_csv(tmp_path / "phone again.csv", walk, start_epoch_s=wrong_clock_s))
    assert again.status_code == 409
    assert f'walk {r["id"]} "phone" (walked 2026-11-19 10:00 UTC, as given on its page)' in again.json()["detail"]
    export = client.get(f"/api/walks/{r['id']}/export.json").json()
    assert export["time_origin"] is None  # the clock it had was wrong: no sample is dated by it any more


def test_the_walk_page_says_how_an_undated_walk_gets_its_date(client: TestClient, tmp_path: Path) -> None:
    x = upload(client, write_walk_csv(tmp_path / "walk.csv"))["id"]
    note = client.get(f"/api/walks/{x}").json()["notes"][-1]
    assert note.endswith('to give it the time you walked, use "Change date" at the top of its page'), note
