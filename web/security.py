"""Browser-facing protections: security headers, a body-size cap, signed cookies and CSRF.

Each is a small pure-ASGI middleware (no BaseHTTPMiddleware: it would copy every response
and break the kernel's context variable), so the order they are listed in ``app.py`` is the
order a request meets them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def security_headers(https_only: bool) -> list[tuple[str, str]]:
    """The headers every response carries (HSTS only when served over TLS)."""
    headers = [
        ("content-security-policy", CONTENT_SECURITY_POLICY),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("x-frame-options", "DENY"),
        ("cross-origin-opener-policy", "same-origin"),
    ]
    if https_only:
        headers.append(("strict-transport-security", "max-age=31536000"))
    return headers


def apply_security_headers(headers: MutableHeaders, https_only: bool) -> None:
    """Set the security headers a response lacks; pages that hold records are not cached."""
    for name, value in security_headers(https_only):
        headers.setdefault(name, value)
    headers.setdefault("cache-control", "no-store")


class SecurityHeaders:
    """ASGI middleware: every response gets the security headers, error pages included."""

    def __init__(self, app: ASGIApp, *, https_only: bool) -> None:
        self.app = app
        self.https_only = https_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                apply_security_headers(MutableHeaders(scope=message), self.https_only)
            await send(message)

        await self.app(scope, receive, send_secured)


Responder = Callable[[Scope, Receive, Send, int, str], Awaitable[None]]


class TrustedHosts:
    """ASGI middleware: a request whose ``Host`` is not in ``allowed_hosts`` gets 400.

    Starlette's TrustedHostMiddleware answers in plain text; this one answers through
    ``refuse``, so the API's clients get problem+json like every other refusal. A pattern
    ``*.example.in`` allows the subdomains, ``*`` any host.
    """

    def __init__(self, app: ASGIApp, *, allowed_hosts: Iterable[str], refuse: Responder) -> None:
        self.app = app
        self.allowed_hosts = tuple(allowed_hosts)
        self.refuse = refuse

    def allows(self, host_header: str) -> bool:
        """Whether a ``Host`` header's name (its port aside) is an allowed host or pattern."""
        host = _without_port(host_header)
        return any(
            pattern in ("*", host) or (pattern.startswith("*.") and host.endswith(pattern[1:]))
            for pattern in self.allowed_hosts
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self.allows(Headers(scope=scope).get("host", "")):
            await self.refuse(scope, receive, send, 400, "Invalid host header.")
            return
        await self.app(scope, receive, send)


def _without_port(host: str) -> str:
    if host.startswith("["):  # an IPv6 address: [::1]:8000
        return host[: host.find("]") + 1]
    return host.split(":", 1)[0]


class BodyTooLarge(Exception):
    """Raised by the counting receive; BodySizeLimit turns it into the 413 page."""


class BodySizeLimit:
    """ASGI middleware: a request body over ``max_bytes`` is refused with 413.

    A declared Content-Length over the cap is refused before the app runs; a body sent
    without one is counted as it arrives, whoever reads it (the CSRF check or a page).
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, refuse: Responder) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            status = 413 if declared.isdigit() else 400
            await self.refuse(scope, receive, send, status, _too_large(self.max_bytes))
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge()
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await self.refuse(scope, receive, send, 413, _too_large(self.max_bytes))


def _too_large(max_bytes: int) -> str:
    return f"The request is too large: at most {max_bytes // 1024} KiB can be sent at once."


class CookieSigner:
    """Signs cookie values with HMAC-SHA256 so a tampered or forged cookie is ignored."""

    def __init__(self, secret_key: str, purpose: str) -> None:
        self._key = hashlib.sha256(f"sampark:{purpose}:{secret_key}".encode()).digest()

    def _mac(self, value: str) -> str:
        digest = hmac.new(self._key, value.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def sign(self, value: str) -> str:
        return f"{value}.{self._mac(value)}"

    def unsign(self, signed: str | None) -> str | None:
        """The value, or None if the cookie is missing or its signature does not match."""
        if not signed or "." not in signed:
            return None
        value, mac = signed.rsplit(".", 1)
        return value if hmac.compare_digest(mac, self._mac(value)) else None


def tokens_match(given: str | None, expected: str | None) -> bool:
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


class CsrfProtection:
    """ASGI middleware: unsafe requests must prove they come from one of our own pages.

    * ``Sec-Fetch-Site: cross-site`` on an unsafe method is refused outright, and so is
      an ``Origin`` header that names another origin than the one serving the request
      (``Origin: null``, sent from sandboxed frames and some redirects, included).
    * Requests authenticated by ``Authorization`` (API tokens) carry no ambient
      credentials, so they are exempt; so are API calls with no session at all, which
      the API refuses by itself.
    * Everything else needs the CSRF token: the signed-in session's, or (before signing
      in) the one in the signed pre-session cookie, sent as the ``csrf_token`` form field
      or the ``X-CSRF-Token`` header. Runs after the session middleware.
    """

    def __init__(self, app: ASGIApp, *, refuse: Responder, api_prefix: str = "/api") -> None:
        self.app = app
        self.refuse = refuse
        self.api_prefix = api_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if headers.get("sec-fetch-site") == "cross-site" or (
            origin is not None and origin.lower() != own_origin(scope)
        ):
            await self.refuse(scope, receive, send, 403, "Requests from other sites are refused.")
            return
        state: dict[str, Any] = scope.get("state", {})
        if state.get("auth") == "token" or (
            state.get("session") is None and _under(scope["path"], self.api_prefix)
        ):
            await self.app(scope, receive, send)
            return
        session = state.get("session")
        expected = session.csrf_token if session is not None else state.get("anonymous_csrf")
        given = headers.get(CSRF_HEADER)
        if given is None and headers.get("content-type", "").startswith(_FORM_TYPES):
            body = await _read_body(receive)
            receive = _replay(body, receive)
            given = await _form_token(scope, body)
        if not tokens_match(given, expected):
            await self.refuse(
                scope,
                receive,
                send,
                403,
                "This form has expired or did not come from this site. "
                "Go back, reload the page and try again.",
            )
            return
        await self.app(scope, receive, send)


_DEFAULT_PORTS = {"http": 80, "https": 443}


def own_origin(scope: Scope) -> str:
    """The origin serving this request, as a browser would write it in ``Origin``.

    Built from the scheme the server saw (the proxy's ``X-Forwarded-Proto`` once the
    server trusts it) and the ``Host`` header, which TrustedHosts has checked.
    """
    scheme = scope.get("scheme", "http")
    host = Headers(scope=scope).get("host")
    if not host:
        server = scope.get("server") or ("localhost", _DEFAULT_PORTS.get(scheme, 80))
        host = f"{server[0]}:{server[1]}"
    name, _, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
    if port.isdigit() and int(port) == _DEFAULT_PORTS.get(scheme):
        host = name
    return f"{scheme}://{host.lower()}"


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


async def _read_body(receive: Receive) -> bytes:
    """The whole body (already capped by BodySizeLimit, which runs first)."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the app the body already read, then the real channel."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _form_token(scope: Scope, body: bytes) -> str | None:
    request = Request(scope, _replay(body, _no_more))
    try:
        form = await request.form()
    except HTTPException:  # a malformed body has no token
        return None
    try:
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    finally:
        await form.close()


async def _no_more() -> Message:
    return {"type": "http.disconnect"}
