"""The Starlette application: core's pages, the JSON API, and one Mount per plugin.

The app is composed as data: routes and middleware are listed before it is built. A
request meets the middleware in the order listed: security headers, trusted hosts, the
body-size cap, 503 while the database is unreachable, the kernel's database, who is asking,
then the CSRF check. Nothing is kept
in the process between requests (sessions live in the database), so any number of
workers can serve one CRM.
"""

from __future__ import annotations

import contextlib
import gc
import secrets
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Router
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from sampark.core.errors import ConfigError
from sampark.web.api import api_routes
from sampark.web.errors import DatabaseOutage, exception_handlers, refuse
from sampark.web.routes import activity, api_docs, auth, home, profile, records, users
from sampark.web.security import BodySizeLimit, CsrfProtection, SecurityHeaders, TrustedHosts
from sampark.web.sessions import Authentication, Cookies
from sampark.web.templating import STATIC, build_templates, plugin_folder

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

# First path segments core serves; a plugin mounted there would be shadowed.
CORE_PATHS = frozenset(
    {
        "api",
        "static",
        "login",
        "logout",
        "profile",
        "users",
        "contacts",
        "accounts",
        "interactions",
        "links",
        "health",
    }
)


class SignedIn:
    """ASGI wrapper: a plugin's pages are for signed-in users only (others go to sign in)."""

    def __init__(self, app: Router) -> None:
        self.app = app
        self.routes = app.routes  # so url_path_for still finds the plugin's named routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("state", {}).get("actor") is None:
            login = "/login?" + urlencode({"next": scope["path"]})
            await RedirectResponse(login, status_code=303)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def plugin_mounts(kernel: Sampark) -> list[Mount]:
    """Each plugin's routes and static files under ``/<label>/``; core's are not mounted here."""
    routes_by_plugin: dict[str, list[BaseRoute]] = {}
    for manifest in kernel.plugins.enabled:
        folder = plugin_folder(manifest, "static")
        if folder:
            static = Mount("/static", app=StaticAssets(directory=folder), name="static")
            routes_by_plugin.setdefault(manifest.label, []).append(static)
    for contribution in kernel.plugins.collect("register_routes", kernel=kernel):
        if not isinstance(contribution.item, BaseRoute):
            raise ConfigError(
                f"plugin {contribution.plugin}: register_routes must give Starlette routes"
            )
        routes_by_plugin.setdefault(contribution.plugin, []).append(contribution.item)
    routes_by_plugin.pop("core", None)
    for label in routes_by_plugin:
        if label in CORE_PATHS:
            raise ConfigError(f"plugin {label}: its pages would clash with core's /{label}")
    return [
        Mount(f"/{label}", app=SignedIn(Router(routes)), name=label)
        for label, routes in routes_by_plugin.items()
    ]


class ActivateKernel:
    """ASGI middleware: the kernel's database is the active one while a request runs."""

    def __init__(self, app: ASGIApp, kernel: Sampark) -> None:
        self.app = app
        self.kernel = kernel

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        with self.kernel.activate():
            await self.app(scope, receive, send)


class StaticAssets(StaticFiles):
    """Core's CSS and JS; page links carry a content hash, so browsers may keep them long."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["cache-control"] = "public, max-age=86400"
        return response


def _lifespan(kernel: Sampark, manage_kernel: bool) -> Any:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if not manage_kernel:
            yield
            return
        await kernel.start()
        # What start-up built (modules, models, templates) lives as long as the server:
        # keep it out of the collector's full passes, which would otherwise walk it all
        # and stall a request now and then.
        gc.freeze()
        try:
            yield
        finally:
            await kernel.close()

    return lifespan


def build_app(kernel: Sampark, *, manage_kernel: bool = False) -> Starlette:
    """An ASGI app serving ``kernel``: pages, ``/api``, static files, then one Mount per plugin.

    With ``manage_kernel`` the app starts the kernel when the server starts and closes it
    when it stops (what ``sampark serve`` uses); otherwise the caller has started it.
    Without ``[web] secret_key`` the cookies are signed with a key that lives only as
    long as this process: fine for tests, refused by ``sampark serve``.
    """
    web = kernel.settings.web
    cookies = Cookies(web, web.secret_key or secrets.token_urlsafe(48))
    routes: list[BaseRoute] = [
        *home.routes(),
        *auth.routes(),
        *profile.routes(),
        *users.routes(),
        *records.list_pages(records.CONTACTS),
        *records.edit_pages(records.CONTACTS),
        *records.list_pages(records.ACCOUNTS),
        *records.edit_pages(records.ACCOUNTS),
        *activity.routes(),
        *api_docs.routes(),
        Mount("/api", routes=api_routes(kernel), name="api"),
        Mount("/static", app=StaticAssets(directory=STATIC), name="static"),
        *plugin_mounts(kernel),
    ]
    middleware = [
        Middleware(SecurityHeaders, https_only=web.https_only),
        Middleware(TrustedHosts, allowed_hosts=web.allowed_hosts, refuse=refuse),
        Middleware(BodySizeLimit, max_bytes=web.max_body_bytes, refuse=refuse),
        Middleware(DatabaseOutage),
        Middleware(ActivateKernel, kernel=kernel),
        Middleware(Authentication, kernel=kernel, cookies=cookies),
        Middleware(CsrfProtection, refuse=refuse),
    ]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers=exception_handlers(),
        lifespan=_lifespan(kernel, manage_kernel),
    )
    app.state.kernel = kernel
    app.state.cookies = cookies
    app.state.templates = build_templates(kernel)
    return app
