"""QA8 finding 1: a distance typed in the wrong unit on a walk's "Calibrate" card is answered with what was entered and
the number to type, not only with the factor it would give."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from service.coaching import load_profile
from service.store import Store
from tests.service.test_walk_calibration import FOOT, FOOT_DISTANCE_M, calibrate, uploaded

MILE_M = 1609.344


def refused(client: TestClient, walk_id: int, typed: float) -> str:
    """The refusal of ``typed`` metres, the same with and without saving."""
    details = set()
    for dry_run in (True, False):
        r = calibrate(client, walk_id, typed, dry_run=dry_run)
        assert r.status_code == 422, r.text
        details.add(r.json()["detail"])
    assert len(details) == 1, details
    return details.pop()


def test_a_distance_typed_in_km_or_miles_says_what_to_enter_in_metres(client: TestClient, store: Store) -> None:
    walk = uploaded(client, FOOT, "foot")
    model_m = client.get(f"/api/walks/{walk['id']}").json()["summary"]["distance_m"]  # no factor: the model's own
    assert 0.8 * FOOT_DISTANCE_M < model_m < 1.2 * FOOT_DISTANCE_M  # the cases below rest on it

    # 0.04 "meaning km": 40 m fits the walk, 0.04 miles (64 m) does not
    detail = refused(client, walk["id"], 0.04)
    # QA9: once the slip is named, the fix is the end of it (no "factor 0.001 is implausible" after it)
    assert detail == "0.04 m? The box takes metres: 0.04 km = 40 m, so enter 40.", detail
    # 0.015 "meaning miles": 24 m fits, 15 m does not
    detail = refused(client, walk["id"], 0.015)
    assert detail == f"0.015 m? The box takes metres: 0.015 miles = {0.015 * MILE_M:.0f} m, so enter 24.", detail
    # 0.03: 30 m and 48 m both fit: both said
    detail = refused(client, walk["id"], 0.03)
    assert detail == (
        f"0.03 m? The box takes metres: 0.03 km = 30 m and 0.03 miles = {0.03 * MILE_M:.0f} m; "
        "enter the one you walked."
    )
    assert load_profile(store).stride_scales == {}  # nothing saved


def test_a_distance_that_fits_no_unit_says_the_range_that_fits_the_walk(client: TestClient, store: Store) -> None:
    walk = uploaded(client, FOOT, "foot")
    model_m = client.get(f"/api/walks/{walk['id']}").json()["summary"]["distance_m"]  # no factor: the model's own
    r = calibrate(client, walk["id"], 4)  # a tenth of the walk, and no unit makes it one
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert detail.startswith(f"4 m does not fit this walk: the model measured it at about {model_m:.0f} m."), detail
    assert f"between about {0.5 * model_m:.0f} and {1.5 * model_m:.0f} m" in detail, detail
    # QA9: why, in one plain sentence, without the factor it would give (a number the walker never typed)
    assert detail.endswith(
        "covers the whole walk. A calibration corrects the measured distance by up to 50 % either way: a distance "
        "further off is taken for a slip."
    ), detail
    assert "factor" not in detail and not re.search(r"\d\.\d{3}", detail), detail
    assert load_profile(store).stride_scales == {}
