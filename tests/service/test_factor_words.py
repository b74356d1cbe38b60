"""A calibration factor is said one way everywhere (3 decimals, the stored value unchanged) and its placement in
words ("lower-back"), not as its raw id: the calibration's notes, the out-of-date reasons and the analysis notes."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.service.test_walk_calibration import calibrate, uploaded

BACK = Path(__file__).resolve().parents[2] / "sample_recordings" / "mobgap_lower_back_daily_living.csv"


def test_a_lower_back_factor_is_said_with_three_decimals_and_in_words(client: TestClient) -> None:
    assert client.put("/api/profile", json={"placement": "pocket"}).status_code == 200
    walk = uploaded(client, BACK, "lower_back")
    model_m = walk["summary"]["distance_m"]  # about 31 m: a rough factor, but one
    r = calibrate(client, walk["id"], round(model_m * 1.08063, 2))  # a factor with a 4th decimal: 1.0806
    assert r.status_code == 200, r.text
    saved = r.json()
    stored = client.get("/api/profile").json()["stride_scales"]["lower_back"]
    assert stored == saved["factor"] and round(stored, 3) == stored  # stored as the fit showed it (3 decimals)
    # a factor an earlier version saved with 4 decimals is kept as it is, and said with 3
    stored = 1.0806
    profile = {"placement": "pocket", "stride_scales": {"lower_back": stored}}
    assert client.put("/api/profile", json=profile).status_code == 200
    assert client.get("/api/profile").json()["stride_scales"]["lower_back"] == stored
    shown = "1.081"
    assert (
        "your usual sensor placement stays pocket; this factor applies only to walks with a lower-back sensor"
        in (saved["notes"])
    ), saved["notes"]

    reasons = client.get(f"/api/walks/{walk['id']}").json()["reanalysis"]["reasons"]
    assert f"analysed with no calibration factor; your lower-back factor is now {shown}" in reasons, reasons
    again = client.post(f"/api/walks/{walk['id']}/reanalyse")
    assert again.status_code == 200, again.text
    notes = client.get(f"/api/walks/{walk['id']}").json()["notes"]
    assert any(f"personal factor {shown}" in n for n in notes), notes
    assert not any(f"{stored:g}" in n for n in notes)

    # a second fit replaces it: said with the earlier factor as shown before
    r = calibrate(client, walk["id"], round(model_m * 1.05, 2))
    assert f"it replaces your earlier lower-back factor {shown}" in r.json()["notes"], r.json()["notes"]
