"""QA 9: words a walker read that contradicted what they had done or could not act on."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

REPO = Path(__file__).resolve().parents[2]
WALK = REPO / "sample_recordings" / "mobgap_lower_back_daily_living_2.csv"


def _upload(client: TestClient, path: Path, placement: str = "lower_back") -> dict:
    with path.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": placement})
    assert r.status_code == 201, r.text
    return r.json()["walks"][0]


def test_a_walk_made_with_coaching_off_does_not_ask_to_switch_on_what_is_on(client: TestClient) -> None:
    """QA: an older walk analysed again while coaching was on said "Stride coaching is off: it is opt-in; switch it
    on in the settings to get cues." The opt-in of then is kept (deliberately); the words say it in the past tense."""
    walk = _upload(client, WALK)

    def reasons() -> list[str]:
        return client.get(f"/api/walks/{walk['id']}").json()["coaching"]["reasons"]

    off_now = (
        "Stride coaching is switched off: it is opt-in; to get cues, switch it on under Stride coaching on the "
        "dashboard's Profile page."
    )
    assert off_now in reasons()  # coaching off now too: today's words
    r = client.put("/api/profile", json={"coaching": {"enabled": True}})
    assert r.status_code == 200, r.text
    for _ in range(2):  # as stored, and analysed again (which keeps the opt-in of then)
        said = reasons()
        assert not any("switch it on" in reason for reason in said), said
        then = "Stride coaching was switched off when this walk was made"
        assert any(reason.startswith(then) for reason in said), said
        assert any("it is switched on now" in reason for reason in said), said
        r = client.post(f"/api/walks/{walk['id']}/reanalyse")
        assert r.status_code == 200, r.text
        assert client.get(f"/api/walks/{walk['id']}").json()["coaching"]["enabled"] is False
    assert client.put("/api/profile", json={"coaching": {"enabled": False}}).status_code == 200
    assert off_now in reasons()
