"""What a walk's coaching says when nothing of it can be judged (QA pass 6): a chest walk states no target it cannot
have (only how the walker's target relaxes), and a waist walk none of whose strides was trusted says it was
compared with nothing.

Real phone recordings (sample_recordings/ and the Oxford step-counter data of ../shared/data/dev) uploaded through
the API onto a real SQLite file.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.service.test_coaching_words_qa5 import SAMPLES, coaching_on
from tests.service.test_pain_marks_changed_plans import OXFORD, oxford, page, upload_file

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not OXFORD.is_dir(), reason=f"shared dev data not found at {OXFORD}"),
    pytest.mark.timeout(300),
]


def test_a_chest_walk_states_no_target(client: TestClient) -> None:
    # QA: "Target: 10 % shorter than your usual strides (though a chest sensor measures no stride length)", then
    # "No target: a chest sensor has no stride-length model"
    coaching_on(client)
    walk = page(client, upload_file(client, oxford("Samsung_Carmelo_Hard_NeckPouch_2"), "chest"))
    reasons = walk["coaching"]["reasons"]
    assert any(r.startswith("Stride coaching is switched on and active") for r in reasons)
    assert not [r for r in reasons if r.startswith("Target:") or "measures no stride length)" in r]
    (said,) = [r for r in reasons if r.startswith("No target for a chest sensor, which measures no stride length; ")]
    assert (
        "so far 3 days and 0 pain-free walks since that report" in said
    )  # the relaxation is the walker's, whatever the sensor
    assert any("a chest sensor has no stride-length model" in r for r in reasons)


def test_a_waist_walk_with_no_trusted_stride_was_compared_with_nothing(client: TestClient) -> None:
    # QA: judged_against "this walk's first 20 strides" (the live view says "Compared with ...") though none was
    coaching_on(client)
    walk = page(client, upload_file(client, SAMPLES / "oxford_phone_in_bag.csv", "waist"))
    strides = client.get(f"/api/walks/{walk['id']}/strides").json()
    assert strides and max(s["confidence"] for s in strides) <= 0.5
    assert {s["target_m"] for s in strides} == {None}
    assert walk["coaching"]["judged_against"] is None
