"""Security: token off loopback, Host check on loopback, strict CSP, no outside URLs in the dashboard."""

from __future__ import annotations

import base64
import hashlib
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


def test_a_wrong_token_is_told_apart_from_a_missing_one(remote_client: TestClient) -> None:
    missing = remote_client.get("/api/walks").json()["detail"]
    assert missing.startswith("a token is required: open the URL that `gait serve` printed"), missing
    for wrong in ({"Authorization": "Bearer wrong"}, {"Cookie": "gait_token=from-the-server-s-last-start"}):
        r = remote_client.get("/api/walks", headers=wrong)
        assert r.status_code == 401 and r.headers["content-type"] == "application/json"
        detail = r.json()["detail"]
        assert detail.startswith("the token given is not the current one: `gait serve` makes a new token at each start")
        assert "unless GAIT_TOKEN is set" in detail, detail
    assert remote_client.get("/api/walks?token=wrong").json()["detail"] != missing


def test_an_outdated_link_is_refused_even_with_the_current_cookie(remote_client: TestClient) -> None:
    # A bookmark from an earlier start must fail here as it fails on any other device, not pass on the cookie.
    good = {"Cookie": "gait_token=s3cret-token-16ch"}
    assert remote_client.get("/api/walks", headers=good).status_code == 200
    r = remote_client.get("/api/walks?token=from-an-earlier-start", headers=good)
    assert r.status_code == 401 and r.json()["detail"].startswith("the token given is not the current one"), r.text
    bearer = {**good, "Authorization": "Bearer from-an-earlier-start"}
    assert remote_client.get("/api/walks", headers=bearer).status_code == 401
    assert (
        remote_client.get("/api/walks?token=s3cret-token-16ch", headers={"Cookie": "gait_token=old"}).status_code == 200
    )


def test_a_browser_is_told_in_words_what_to_open(remote_client: TestClient) -> None:
    html = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}  # Chromium opening a page
    r = remote_client.get("/", headers=html)
    assert r.status_code == 401 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>This address needs the token</h1>" in r.text
    assert "the token that <code>gait serve</code> printed when it started" in r.text
    csp = r.headers["content-security-policy"]
    assert csp.startswith("default-src 'none'") and "script-src 'self'" in csp
    # its few style rules (so the printed command wraps on a phone) are allowed by their hash alone
    style = re.search(r"<style>(.*?)</style>", r.text).group(1)
    assert "overflow-wrap:anywhere" in style
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in csp and "unsafe-inline" not in csp, csp
    r = remote_client.get("/walks?token=wrong-token-zzzzzzzzzzzz", headers=html)
    assert r.status_code == 401 and "<h1>This token is not the current one</h1>" in r.text
    assert "makes a new token each time it starts, unless <code>GAIT_TOKEN</code> is set" in r.text
    assert "set-cookie" not in r.headers
    # a script or stylesheet the page asks for (Accept */*) gets the API's JSON
    assert remote_client.get("/app.js", headers={"Accept": "*/*"}).json()["detail"].startswith("a token is required")


def test_the_opener_policy_only_where_the_browser_heeds_it(client: TestClient, tmp_path: Path) -> None:
    # a browser ignores Cross-Origin-Opener-Policy on a plain-HTTP network address, and logs an error for it
    coop = "cross-origin-opener-policy"
    for host in ("127.0.0.1:8765", "localhost:8765", "[::1]:8765"):
        assert client.get("/api/health", headers={"Host": host}).headers[coop] == "same-origin", host
    settings = Settings(data_dir=tmp_path / "d", demo=False, host="0.0.0.0", token="s3cret-token-16ch")
    bearer = {"Authorization": "Bearer s3cret-token-16ch"}
    with TestClient(create_app(settings), base_url="http://192.168.1.20:8765") as plain:
        r = plain.get("/", headers=bearer)
        assert r.status_code == 200 and coop not in r.headers
        assert r.headers["content-security-policy"].startswith("default-src 'none'")  # the others stay
        refused = plain.get("/")
        assert refused.status_code == 401 and coop not in refused.headers and "x-frame-options" in refused.headers
        assert plain.get("/", headers={"Host": "127.0.0.1:8765", **bearer}).headers[coop] == "same-origin"
    with TestClient(create_app(settings), base_url="https://gait.example:8765") as secure:
        assert secure.get("/", headers=bearer).headers[coop] == "same-origin"


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
