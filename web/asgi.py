"""The app uvicorn's workers load: ``sampark.web.asgi:create_app`` (a factory).

Each worker reads the config named by ``$SAMPARK_CONFIG`` (else ./sampark.toml), builds
its own kernel, and connects when the server starts. ``sampark serve`` sets the variable;
to run uvicorn or gunicorn yourself:

    SAMPARK_CONFIG=/srv/crm/sampark.toml uvicorn --factory sampark.web.asgi:create_app

``sampark.web.asgi:app`` also works (it builds the app when first asked for).
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette

from sampark.core.errors import ConfigError
from sampark.core.kernel import Sampark
from sampark.core.settings import Settings, load_settings


def check_servable(settings: Settings) -> None:
    """Refuse to serve without what browsers' safety depends on."""
    if not settings.web.secret_key:
        where = settings.path or "sampark.toml"
        raise ConfigError(
            f"{where}: [web] secret_key is not set; it signs the web UI's cookies. Add one "
            "(e.g. the output of: python -c 'import secrets; print(secrets.token_urlsafe(48))') "
            'or write it from the environment: secret_key = { "$env" = "SAMPARK_SECRET_KEY" }'
        )


def create_app() -> Starlette:
    """The web app of the configured CRM; its kernel starts with the server."""
    from sampark.web.app import build_app

    settings = load_settings()
    check_servable(settings)
    return build_app(Sampark(settings), manage_kernel=True)


def __getattr__(name: str) -> Any:
    if name == "app":
        return create_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
