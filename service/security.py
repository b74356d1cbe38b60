"""ASGI middleware: security headers, a Host check against DNS rebinding, the access token and the body limit.

Written as plain ASGI (not ``BaseHTTPMiddleware``) so streaming responses such as the live SSE feed pass through
untouched.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlsplit

from service.settings import upload_limit_message

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; manifest-src 'self'; media-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
"""Only our own files run or load; nothing is fetched from elsewhere (no CDN, no fonts, no analytics)."""

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)
"""On every response."""
OPENER_POLICY = (b"cross-origin-opener-policy", b"same-origin")
"""Only where the browser deems the origin trustworthy (https, loopback): on a plain-HTTP network address (token mode)
Chromium ignores it and logs an error on every page, which a console check or a curious user in DevTools sees."""
TOKEN_COOKIE = "gait_token"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]", "::1")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class BodyTooLargeError(Exception):
    """Raised from ``receive`` when a request body passes the upload limit."""

    def __init__(self, limit_bytes: int) -> None:
        super().__init__(limit_bytes)
        self.limit_bytes = limit_bytes


TOKEN_MISSING = "a token is required: open the URL that `gait serve` printed, or send 'Authorization: Bearer <token>'"
TOKEN_WRONG = (
    "the token given is not the current one: `gait serve` makes a new token at each start unless GAIT_TOKEN is set; "
    "open the URL it printed when it last started, or send its token"
)
TOKEN_PAGES = {
    TOKEN_MISSING: (
        "This address needs the token",
        "This address needs the token that <code>gait serve</code> printed when it started. On the computer running "
        "it, find the line <code>gait: dashboard at http://…/?token=…</code> (or <code>gait: or at …</code> with "
        "its network address) and open that whole address here, token included.",
    ),
    TOKEN_WRONG: (
        "This token is not the current one",
        "The token in this address, or the one this browser kept from an earlier visit, is not the current one: "
        "<code>gait serve</code> makes a new token each time it starts, unless <code>GAIT_TOKEN</code> is set, so "
        "a link from before its last start no longer opens it. On the computer running it, open the address it "
        "printed when it last started (<code>gait: dashboard at http://…/?token=…</code>), token included.",
    ),
}
"""A browser's page for a refused token: its title and what to do (the API answers JSON with the same cause)."""
TOKEN_PAGE_STYLE = (
    "body{font-family:system-ui,sans-serif;line-height:1.5;max-width:40rem;margin:1rem auto;padding:0 1rem}"
    "code{overflow-wrap:anywhere}"
)
"""The refusal page cannot load the dashboard's stylesheet (it needs the token): its own few rules, inline, so the
printed command wraps on a phone instead of running past the edge."""
TOKEN_PAGE_POLICY = (
    b"content-security-policy",
    CONTENT_SECURITY_POLICY.replace(
        "style-src 'self'",
        "style-src 'sha256-" + base64.b64encode(hashlib.sha256(TOKEN_PAGE_STYLE.encode()).digest()).decode() + "'",
    ).encode(),
)
"""The dashboard's policy with only that inline style allowed (by its hash: no other inline style runs)."""


async def _send_json(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await _send_body(send, status, body, b"application/json")


async def _send_body(send: Send, status: int, body: bytes, content_type: bytes, *extra: tuple[bytes, bytes]) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_token_refusal(send: Send, detail: str, accept: str) -> None:
    """401 for a missing or wrong token: a page in words for a browser opening a page, JSON for the API's clients."""
    if "text/html" not in accept:
        await _send_json(send, 401, detail)
        return
    title, words = TOKEN_PAGES[detail]
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title} - gait</title><style>{TOKEN_PAGE_STYLE}</style></head>"
        f"<body><h1>{title}</h1><p>{words}</p></body></html>"
    )
    await _send_body(send, 401, page.encode(), b"text/html; charset=utf-8", TOKEN_PAGE_POLICY)


class SecurityMiddleware:
    """Security headers on every response; token, Host and size checks on every request.

    Parameters
    ----------
    app
        The wrapped ASGI app.
    token
        Required on every request when not None: ``Authorization: Bearer``, the ``gait_token`` cookie, or a
        ``?token=`` query parameter (which then sets the cookie so the browser's EventSource works).
    loopback_only
        When the server binds loopback only, refuse requests whose Host header is not a loopback name: a web page
        elsewhere cannot reach the API through DNS rebinding.
    max_body_bytes
        Request bodies above this are refused with 413 (Content-Length up front, counted while streaming too).
    """

    def __init__(self, app: ASGIApp, *, token: str | None, loopback_only: bool, max_body_bytes: int) -> None:
        self.app = app
        self.token = token
        self.loopback_only = loopback_only
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check one HTTP request (host, token, body size) before passing it on; other scopes pass through."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        security = SECURITY_HEADERS + ((OPENER_POLICY,) if self._trustworthy(scope, headers) else ())
        set_cookie: list[tuple[bytes, bytes]] = []

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing = {k.lower() for k, _ in message.get("headers", [])}
                extra = [h for h in security if h[0] not in existing]
                message["headers"] = list(message.get("headers", [])) + extra + set_cookie
            await send(message)

        if self.loopback_only and not self._host_ok(headers.get("host", "")):
            await _send_json(
                send_with_headers, 421, "this server only answers requests addressed to 127.0.0.1 or localhost"
            )
            return
        if scope.get("method") not in SAFE_METHODS and not self._same_origin(headers):
            # A web page elsewhere may POST a form to 127.0.0.1 (the Host check cannot tell); browsers say where
            # such a request comes from in the Origin header.
            await _send_json(
                send_with_headers, 403, "cross-site request refused: use the dashboard served by this server"
            )
            return
        if self.token is not None:
            query_token = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [None])[0]
            given = self._tokens_given(headers, query_token)
            if not any(hmac.compare_digest(t.encode(), self.token.encode()) for t in given):
                await _send_token_refusal(
                    send_with_headers, TOKEN_WRONG if given else TOKEN_MISSING, headers.get("accept", "")
                )
                return
            if query_token:
                set_cookie.append(
                    (b"set-cookie", f"{TOKEN_COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/".encode())
                )
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            await _send_json(send_with_headers, 413, self._too_large_message())
            return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLargeError(self.max_body_bytes)
            return message

        await self.app(scope, limited_receive, send_with_headers)

    def _too_large_message(self) -> str:
        return upload_limit_message(self.max_body_bytes)

    @staticmethod
    def _same_origin(headers: dict[str, str]) -> bool:
        origin = headers.get("origin")
        if origin is None:
            return True  # not a browser's cross-origin request (curl, scripts, same-origin GET-like requests)
        return urlsplit(origin).netloc == headers.get("host", "")

    @staticmethod
    def _host_ok(host: str) -> bool:
        return _host_name(host) in LOOPBACK_NAMES

    @staticmethod
    def _trustworthy(scope: Scope, headers: dict[str, str]) -> bool:
        """Whether a browser deems the origin asked for potentially trustworthy: https, or a loopback name."""
        if scope.get("scheme") == "https":
            return True
        name = _host_name(headers.get("host", ""))
        return name in LOOPBACK_NAMES or name.startswith("127.") or name.endswith(".localhost")

    @staticmethod
    def _tokens_given(headers: dict[str, str], query_token: str | None) -> list[str]:
        """The tokens a request carries: none is "missing", none right is "wrong".

        A token given on purpose (``?token=``, a bearer header) decides alone: the cookie a browser kept from an
        earlier visit must not admit an outdated link, or the walker keeps a bookmark that fails elsewhere.
        """
        explicit = [query_token]
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            explicit.append(auth[7:].strip())
        explicit = [c for c in explicit if c]
        if explicit or "cookie" not in headers:
            return explicit
        cookie = SimpleCookie()
        cookie.load(headers["cookie"])
        return [cookie[TOKEN_COOKIE].value] if TOKEN_COOKIE in cookie and cookie[TOKEN_COOKIE].value else []


def _host_name(host: str) -> str:
    """A Host header's name without its port ("[::1]" keeps its brackets)."""
    return host.rsplit(":", 1)[0] if not host.endswith("]") else host
