"""NaN and Infinity in a JSON body (Python's JSON reader accepts them) give a clear 422 on every route, never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("PUT", "/api/profile", '{"stride_scales": {"waist": 1e309}}', "waist"),
        ("PUT", "/api/profile", '{"stride_scales": {"waist": NaN}}', "waist"),
        ("PUT", "/api/profile", '{"body_height_m": 1e309}', "body_height_m"),
        ("PUT", "/api/profile", '{"coaching": {"reduction": -Infinity}}', "reduction"),
        ("POST", "/api/pain", '{"score": NaN}', "score"),
        ("POST", "/api/pain", '{"score": 4, "onset_distance_m": Infinity}', "onset_distance_m"),
    ],
)
def test_a_non_finite_number_in_a_json_body_is_a_clear_422(
    client: TestClient, method: str, url: str, body: str, field: str
) -> None:
    r = client.request(method, url, content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    (error,) = r.json()["detail"]
    assert error["loc"][-1] == field
    assert "finite number" in error["msg"]
    assert error["input"] in ("NaN", "Infinity", "-Infinity")
    # nothing was stored
    assert client.get("/api/pain").json() == []
    profile = client.get("/api/profile").json()
    assert profile["body_height_m"] is None and profile["stride_scales"] == {}
