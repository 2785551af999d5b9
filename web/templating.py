"""Jinja2 for the web UI: plugins' templates first, then core's; autoescaped everywhere.

Pages render with :func:`render`, which adds what every page needs (the actor, the
navigation, the CSRF token). A plugin ships templates in a ``templates/`` folder beside
its hooks module; they may extend core's ``base.html`` or replace a core template by
giving one of the same name. Its CSS and JS go in a ``static/`` folder there, served
under ``/<label>/static/`` and linked with ``plugin_static(label, name)``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from sampark.web.forms import input_id
from sampark.web.sessions import csrf_token

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark
    from sampark.core.manifest import PluginManifest

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


@dataclass(frozen=True)
class Link:
    """One navigation link as the page shows it."""

    label: str
    url: str


CORE_NAV = (
    (Link("Home", "/"), None),
    (Link("Contacts", "/contacts"), "contacts.read"),
    (Link("Accounts", "/accounts"), "accounts.read"),
    (Link("Users", "/users"), "users.manage"),
)


def plugin_folder(manifest: PluginManifest, name: str) -> Path | None:
    """A plugin's ``templates`` or ``static`` folder, beside its hooks module (if it has one)."""
    if not manifest.hooks:
        return None
    package = manifest.hooks.rpartition(".")[0] or manifest.hooks
    spec = importlib.util.find_spec(package)
    for location in (spec.submodule_search_locations or []) if spec else []:
        folder = Path(location) / name
        if folder.is_dir():
            return folder
    return None


def _plugin_loaders(kernel: Sampark) -> list[jinja2.BaseLoader]:
    """A loader per enabled plugin with a ``templates`` folder next to its hooks module."""
    folders = (plugin_folder(manifest, "templates") for manifest in kernel.plugins.enabled)
    return [jinja2.FileSystemLoader(folder) for folder in folders if folder]


def _static_versions(folder: Path) -> dict[str, str]:
    """A short content hash per static file, so browsers refetch a file when it changes."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:10]
        for path in folder.rglob("*")
        if path.is_file()
    }


def _plugin_static_urls(kernel: Sampark) -> Any:
    """``plugin_static(label, name)``: the versioned URL of a file in a plugin's static folder."""
    versions = {}
    for manifest in kernel.plugins.enabled:
        folder = plugin_folder(manifest, "static")
        if folder:
            versions[manifest.label] = _static_versions(folder)

    def plugin_static(label: str, name: str) -> str:
        return f"/{label}/static/{name}?v={versions.get(label, {}).get(name, '0')}"

    return plugin_static


def when(value: dt.datetime | dt.date | None) -> str:
    """A timestamp as people read it, in UTC (the time stored)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


def display(value: Any) -> str:
    """A value from the audit trail as text: lists joined, nothing as a dash."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(display(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {display(item)}" for key, item in value.items())
    return str(value)


def build_templates(kernel: Sampark) -> Jinja2Templates:
    """The template set of one app: plugins' folders, then core's."""
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([*_plugin_loaders(kernel), jinja2.FileSystemLoader(TEMPLATES)]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    versions = _static_versions(STATIC)
    env.globals["static"] = lambda name: f"/static/{name}?v={versions.get(name, '0')}"
    env.globals["plugin_static"] = _plugin_static_urls(kernel)
    env.globals["input_id"] = input_id
    env.filters["when"] = when
    env.filters["display"] = display
    env.filters["pairs"] = lambda values: [(str(value), str(value)) for value in values]
    env.filters["iso"] = lambda value: value.isoformat() if value else ""
    return Jinja2Templates(env=env)


def navigation(request: Request) -> list[Link]:
    """Core's links and the enabled plugins', those the actor may use."""
    crm = getattr(request.state, "crm", None)
    if crm is None:
        return []
    links = [link for link, permission in CORE_NAV if permission is None or crm.can(permission)]
    links += [Link(item.label, item.url) for item in crm.nav_items()]
    return links


def current_link(links: list[Link], path: str) -> str | None:
    """The URL of the link the page belongs to (the longest that prefixes its path)."""
    matches = [
        link.url
        for link in links
        if path == link.url or (link.url != "/" and path.startswith(link.url.rstrip("/") + "/"))
    ]
    return max(matches, key=len, default=None)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """A page: ``template`` with ``context`` plus the actor, navigation and CSRF token."""
    templates: Jinja2Templates = request.app.state.templates
    links = navigation(request)
    page = {
        "actor": getattr(request.state, "actor", None),
        "nav": links,
        "current": current_link(links, request.url.path),
        "csrf_token": csrf_token(request.state),
        **(context or {}),
    }
    return templates.TemplateResponse(
        request, template, page, status_code=status_code, headers=headers
    )
