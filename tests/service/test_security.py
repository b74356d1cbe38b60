"""Security: token off loopback, Host check on loopback, strict CSP, no outside URLs in the dashboard."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import STATIC_DIR, create_app
from service.settings import Settings, SettingsError


@pytest.fixture
def remote_client(tmp_path: Path):
    settings = Settings(data_dir=tmp_path / "d", demo=False, host="0.0.0.0", token="s3cret-token-16ch")
    with TestClient(create_app(settings), base_url="http://192.168.1.20:8765") as c:
        yield c


def test_token_required_off_loopback(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="token"):
        Settings(data_dir=tmp_path, host="0.0.0.0")


@pytest.mark.parametrize("path", ["/", "/api/health", "/api/walks", "/static/app.js", "/api/openapi.json"])
def test_every_request_needs_the_token(remote_client: TestClient, path: str) -> None:
    r = remote_client.get(path)
    assert r.status_code == 401 and "token" in r.json()["detail"]
    assert remote_client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_token_accepted_by_header_query_and_cookie(remote_client: TestClient) -> None:
    assert remote_client.get("/api/health", headers={"Authorization": "Bearer s3cret-token-16ch"}).status_code == 200
    r = remote_client.get("/?token=s3cret-token-16ch")
    assert r.status_code == 200 and "HttpOnly" in r.headers["set-cookie"]
    # The cookie set by the URL carries later requests (the browser's EventSource cannot send headers).
    assert remote_client.get("/api/health").json()["token_required"] is True


def test_loopback_refuses_foreign_host_header(client: TestClient) -> None:
    assert client.get("/api/health").status_code == 200
    r = client.get("/api/health", headers={"Host": "evil.example:8765"})
    assert r.status_code == 421


@pytest.mark.parametrize("path", ["/", "/api/health", "/static/app.js", "/api/nope"])
def test_strict_csp_on_every_response(client: TestClient, path: str) -> None:
    csp = client.get(path).headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'" and directives["connect-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "http" not in csp
    assert client.get(path).headers["x-content-type-options"] == "nosniff"


def test_dashboard_makes_no_outside_requests() -> None:
    urls = re.compile(r"""(?:src|href|url\(|fetch\(|EventSource\()\s*=?\s*["']?(https?:)?//""")
    for f in STATIC_DIR.rglob("*"):
        if f.suffix in (".html", ".js", ".css") and "vendor" not in f.parts:
            assert not urls.search(f.read_text(encoding="utf-8")), f"{f.name} references an outside URL"


def test_serve_refuses_bad_settings_in_one_line(capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    from service.cli import main

    monkeypatch.setenv("GAIT_MAX_UPLOAD_MB", "lots")
    assert main(["serve", "--port", "8799"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("gait: error:") and "GAIT_" in err and "\n" not in err


def test_cross_site_post_is_refused(client: TestClient) -> None:
    evil = {"Origin": "https://evil.example"}
    assert client.post("/api/live/stop", headers=evil).status_code == 403
    assert client.post("/api/pain", json={"score": 3}, headers=evil).status_code == 403
    assert client.get("/api/pain").json() == []
    same = {"Origin": "http://127.0.0.1"}
    assert client.post("/api/pain", json={"score": 3}, headers=same).status_code == 201
