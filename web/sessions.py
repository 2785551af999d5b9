"""Who is asking: a session cookie or an API token becomes ``request.state.actor``.

The session cookie carries only the session's random id, signed; the session table is
the truth, so signing out (or disabling a user) ends a session on every worker at once.
A request with an ``Authorization`` header is judged by that header alone: its cookies
are ignored, which is what makes token requests safe to exempt from CSRF checks.

Before signing in, a browser gets a signed pre-session cookie holding a CSRF token, so
the sign-in form is protected too.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING, Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import cookie_parser
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sampark.core.services import auth
from sampark.core.settings import WebSettings
from sampark.web.security import CookieSigner

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

# Paths that never render a form, so they need no pre-session cookie.
_NO_FORMS = ("/api/", "/static/", "/health")


class Cookies:
    """The names, flags and signers of Sampark's two cookies."""

    def __init__(self, web: WebSettings, secret_key: str) -> None:
        self.web = web
        self.session_name = web.session_cookie
        self.csrf_name = "__Host-sampark_csrf" if web.https_only else "sampark_csrf"
        self.session_signer = CookieSigner(secret_key, "session")
        self.csrf_signer = CookieSigner(secret_key, "csrf")

    def set_session(self, response: Response, session: auth.SessionInfo) -> None:
        """Give the browser the (signed) id of its new session, until the session expires."""
        seconds = int((session.expires_at - dt.datetime.now(dt.UTC)).total_seconds())
        self._set(response, self.session_name, self.session_signer.sign(session.id), seconds)

    def clear_session(self, response: Response) -> None:
        response.delete_cookie(
            self.session_name,
            path="/",
            secure=self.web.https_only,
            httponly=True,
            samesite="lax",
        )

    def set_csrf(self, response: Response, token: str) -> None:
        self._set(response, self.csrf_name, self.csrf_signer.sign(token), None)

    def _set(self, response: Response, name: str, value: str, max_age: int | None) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            secure=self.web.https_only,
            httponly=True,
            samesite="lax",
        )


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


class Authentication:
    """ASGI middleware: sets ``request.state`` ``actor``, ``session``, ``crm`` and ``auth``.

    ``auth`` is ``"token"`` when an Authorization header was sent (valid or not),
    ``"session"`` for a live session cookie, ``"none"`` otherwise. ``crm`` is the kernel
    as seen by the actor (``kernel.as_user(actor)``), None when nobody is signed in.
    Runs inside the kernel's activation.
    """

    def __init__(self, app: ASGIApp, *, kernel: Sampark, cookies: Cookies) -> None:
        self.app = app
        self.kernel = kernel
        self.cookies = cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        headers = Headers(scope=scope)
        actor = session = None
        authorization = headers.get("authorization")
        if authorization is not None:
            state["auth"] = "token"
            actor = await self._token_actor(authorization)
        else:
            jar = cookie_parser(headers.get("cookie", ""))
            session_id = self.cookies.session_signer.unsign(jar.get(self.cookies.session_name))
            if session_id:
                session = await auth.session_for(self.kernel, session_id)
            state["auth"] = "session" if session else "none"
            actor = session.actor if session else None
            state["anonymous_csrf"] = self.cookies.csrf_signer.unsign(
                jar.get(self.cookies.csrf_name)
            )
            if session is None and state["anonymous_csrf"] is None and _renders_forms(scope):
                state["anonymous_csrf"] = token = new_csrf_token()
                send = self._sending_csrf_cookie(send, token)
        state["actor"] = actor
        state["session"] = session
        state["crm"] = self.kernel.as_user(actor) if actor is not None else None
        await self.app(scope, receive, send)

    async def _token_actor(self, authorization: str) -> Any:
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        return await auth.token_actor(self.kernel, token)

    def _sending_csrf_cookie(self, send: Send, token: str) -> Send:
        carrier = Response()
        self.cookies.set_csrf(carrier, token)
        cookie = carrier.headers["set-cookie"]

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("set-cookie", cookie)
            await send(message)

        return send_with_cookie


def _renders_forms(scope: Scope) -> bool:
    path: str = scope["path"]
    return scope["method"] in ("GET", "HEAD") and not path.startswith(_NO_FORMS)


def csrf_token(state: Any) -> str:
    """The token this request's forms must carry (the session's, else the pre-session one)."""
    session = getattr(state, "session", None)
    if session is not None:
        return session.csrf_token
    return getattr(state, "anonymous_csrf", None) or ""
