"""The Starlette application: core's routes plus one Mount per plugin, named by its label.

The pages and the JSON API arrive with the web issue; this module already composes the app
from the ``register_routes`` hook so plugins can be served from day one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from sampark.core.errors import ConfigError

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark


async def health(request: Request) -> JSONResponse:
    kernel: Sampark = request.app.state.kernel
    return JSONResponse({"status": "ok", "plugins": kernel.plugins.enabled_labels})


def plugin_mounts(kernel: Sampark) -> list[Mount]:
    """Each plugin's routes under ``/<label>/``; core's own routes are not mounted here."""
    routes_by_plugin: dict[str, list[BaseRoute]] = {}
    for contribution in kernel.plugins.collect("register_routes", kernel=kernel):
        if not isinstance(contribution.item, BaseRoute):
            raise ConfigError(
                f"plugin {contribution.plugin}: register_routes must give Starlette routes"
            )
        routes_by_plugin.setdefault(contribution.plugin, []).append(contribution.item)
    return [
        Mount(f"/{label}", routes=routes, name=label)
        for label, routes in routes_by_plugin.items()
        if label != "core"
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


def build_app(kernel: Sampark) -> Starlette:
    """An ASGI app serving ``kernel``: core's routes, then one Mount per plugin."""
    routes: list[BaseRoute] = [Route("/health", health, name="health"), *plugin_mounts(kernel)]
    app = Starlette(routes=routes, middleware=[Middleware(ActivateKernel, kernel=kernel)])
    app.state.kernel = kernel
    return app
