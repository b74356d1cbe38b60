"""Token mode (``gait serve --host 0.0.0.0``): the start message says the data and the token cross the network
unencrypted and gives this computer's network addresses (another device may not resolve its name), and the
dashboard takes the token out of the address bar and history once its cookie is set."""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.browser.conftest import PHONE, shot
from tests.browser.test_dashboard import watch_console
from tests.service.serverproc import REPO, free_port

TOKEN = "a-token-for-this-test-only-1234"


def wait_for_server(port: int, proc: subprocess.Popen[str], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.stdout.read()}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/health", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("the server did not start")


@pytest.fixture
def token_server(tmp_path: Path):
    port = free_port()
    env = {**os.environ, "GAIT_TOKEN": TOKEN}
    args = [sys.executable, "-u", "-m", "service.cli", "serve", "--host", "0.0.0.0", "--port", str(port), "--no-demo"]
    proc = subprocess.Popen(
        [*args, "--data-dir", str(tmp_path / "data")],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_server(port, proc)
        yield port, proc
    finally:
        proc.kill()
        proc.wait(10)
        proc.stdout.close()


def start_message(proc: subprocess.Popen[str]) -> list[str]:
    """What ``gait serve`` printed, all of it before it answered: read what is there without waiting for more."""
    os.set_blocking(proc.stdout.fileno(), False)
    return os.read(proc.stdout.fileno(), 1 << 16).decode().splitlines()


def network_addresses(lines: list[str], port: int) -> list[str]:
    """The network addresses the start message gives ("gait: or at http://ADDRESS:PORT/?token=...")."""
    return [line.split("http://")[1].split(f":{port}/")[0] for line in lines if line.startswith("gait: or at")]


def test_the_start_message_says_plain_http_and_gives_the_network_addresses(token_server) -> None:
    port, proc = token_server
    lines = start_message(proc)
    text = "\n".join(lines)
    assert "unencrypted" in text and "plain HTTP" in text and "token" in text
    assert f"gait: dashboard at http://{socket.gethostname()}:{port}/?token={TOKEN}" in text
    addresses = network_addresses(lines, port)
    assert addresses, text  # this machine has a network address
    for address in addresses:
        assert not ipaddress.ip_address(address).is_loopback
        with socket.socket() as sock:  # an address of this computer (another cannot be bound)
            sock.bind((address, 0))
        # the printed URL opens the dashboard from the network
        assert httpx.get(f"http://{address}:{port}/?token={TOKEN}", timeout=10).status_code == 200
        assert httpx.get(f"http://{address}:{port}/api/walks", timeout=10).status_code == 401


def test_the_token_leaves_the_address_bar_once_the_cookie_is_set(browser_context, token_server) -> None:
    port, _ = token_server
    page = browser_context.new_page()
    page.goto(f"http://127.0.0.1:{port}/?token={TOKEN}#/walks")
    page.wait_for_function("!location.search.includes('token')")
    assert TOKEN not in page.url and page.url.endswith("/#/walks")
    # replaced, not a second entry holding it: the entry before is the blank page the browser opened with
    page.go_back()
    assert page.url == "about:blank"
    page.go_forward()
    assert TOKEN not in page.url
    # the cookie carries it now: the page loads again and its API requests pass
    page.reload()
    page.wait_for_selector("#main")
    assert page.evaluate("fetch('/api/walks').then(r => r.status)") == 200


def test_a_missing_or_outdated_token_is_explained_on_a_page(browser_context, token_server) -> None:
    port, _ = token_server
    context = browser_context
    page = context.new_page()
    page.set_viewport_size(PHONE)  # the phone opening the printed address
    # a bookmark without the token
    page.goto(f"http://127.0.0.1:{port}/#/walks")
    assert page.locator("h1").inner_text() == "This address needs the token"
    words = page.locator("p").inner_text()
    assert "needs the token that gait serve printed when it started" in words and "detail" not in words
    shot(page, "token-missing")
    # the phone's cookie from before the server's restart (a new token at each start without GAIT_TOKEN)
    context.add_cookies(
        [{"name": "gait_token", "value": "the-token-of-its-last-start", "url": f"http://127.0.0.1:{port}"}]
    )
    page.goto(f"http://127.0.0.1:{port}/")
    assert page.locator("h1").inner_text() == "This token is not the current one"
    words = page.locator("p").inner_text()
    assert "gait serve makes a new token each time it starts, unless GAIT_TOKEN is set" in words, words
    # a token typed wrong in the address, too
    page.goto(f"http://127.0.0.1:{port}/?token=wrong-token-zzzzzzzzzzzz")
    assert page.locator("h1").inner_text() == "This token is not the current one"
    shot(page, "token-wrong")
    # the printed address opens the dashboard still
    page.goto(f"http://127.0.0.1:{port}/?token={TOKEN}#/walks")
    page.wait_for_selector("#main h1")
    assert page.locator("#main h1").inner_text() == "Walks"


def test_no_console_error_over_plain_http_from_the_network(browser_context, token_server) -> None:
    # Chromium ignores Cross-Origin-Opener-Policy on a plain-HTTP address other than loopback, with a console error
    port, proc = token_server
    addresses = network_addresses(start_message(proc), port)
    assert addresses  # this machine has a network address
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(f"http://{addresses[0]}:{port}/?token={TOKEN}#/walks")
    page.wait_for_selector("#main h1")
    assert page.locator("#main h1").inner_text() == "Walks"
    page.goto(f"http://{addresses[0]}:{port}/#/profile")  # the cookie carries it: a second page load
    page.wait_for_selector("#main h1")
    browser_context.clear_cookies()
    page.goto(f"http://{addresses[0]}:{port}/?token=wrong-token-zzzzzzzzzzzz")  # the refusal's page
    assert page.locator("h1").inner_text() == "This token is not the current one"
    refusal = "Failed to load resource: the server responded with a status of 401 (Unauthorized)"
    assert [e for e in errors if e != refusal] == [], errors
