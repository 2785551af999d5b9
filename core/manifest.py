"""A plugin's identity as data: readable without importing its models, hooks or services."""

from __future__ import annotations

import re
from dataclasses import dataclass

_LABEL = re.compile(r"^[a-z][a-z0-9_]*$")
_API_VERSION = re.compile(r"^(\d+)\.(\d+)$")
RESERVED_LABELS = frozenset({"core", "api", "static", "auth"})

# The version of the contract between Sampark and its plugins: the hooks and their
# arguments, and the names exported by ``sampark.plugin``. The minor number grows when
# something is added (a hook, a hook argument, an exported name); the major number grows
# only when something is removed or changes meaning, after a deprecation period.
PLUGIN_API_VERSION = "1.0"


def api_version_parts(version: str) -> tuple[int, int]:
    """``"1.2"`` as ``(1, 2)``; ValueError for anything that is not MAJOR.MINOR."""
    match = _API_VERSION.match(version)
    if not match:
        raise ValueError(f"plugin API version must be MAJOR.MINOR, like {PLUGIN_API_VERSION!r}")
    return int(match[1]), int(match[2])


def api_incompatibility(wanted: str, provided: str = PLUGIN_API_VERSION) -> str | None:
    """Why a plugin written for plugin API ``wanted`` cannot run on ``provided`` (None: it can).

    Same major version and a minor version no newer than Sampark's are compatible: minor
    versions only add hooks, arguments and names, which older plugins do not use.
    """
    want_major, want_minor = api_version_parts(wanted)
    have_major, have_minor = api_version_parts(provided)
    if want_major != have_major:
        return f"written for plugin API {wanted}; this Sampark provides plugin API {provided}"
    if want_minor > have_minor:
        return (
            f"written for plugin API {wanted}, newer than this Sampark's plugin API "
            f"{provided}: upgrade Sampark"
        )
    return None


@dataclass(frozen=True)
class PluginManifest:
    """What Sampark needs to know about a plugin before enabling it.

    ``hooks``, ``models`` and ``migrations`` are dotted module paths, imported only when
    the plugin is enabled, so listing plugins never loads their code.

    Attributes:
        label: the plugin's identity: entry point name, ``[plugin.<label>]`` table,
            tortoise app label, URL prefix ``/<label>/``. Lower-case letters, digits, ``_``.
        name: the name people read (``sampark plugins list``).
        version: the plugin's own version.
        description: one sentence on what it does.
        requires: labels of plugins it needs enabled.
        auto_enable: a glue plugin, on by itself when everything in ``requires`` is on.
        hooks: module holding the ``@hookimpl`` functions.
        models: module holding the tortoise models of the plugin's app (needs
            ``migrations``).
        migrations: package holding the plugin's migrations.
        config_schema: the dataclass of ``[plugin.<label>]`` or, to keep even it unloaded
            while the plugin is off, its ``"package.module:ClassName"``.
        plugin_api: the Sampark plugin API (``PLUGIN_API_VERSION``) the plugin was written
            for; a plugin whose major version differs, or whose minor version is newer, is
            refused when enabled. None (not stated) is taken as the current version.
    """

    label: str
    name: str
    version: str
    description: str = ""
    requires: tuple[str, ...] = ()
    auto_enable: bool = False
    hooks: str | None = None
    models: str | None = None
    migrations: str | None = None
    config_schema: type | str | None = None
    plugin_api: str | None = None

    def __post_init__(self) -> None:
        if not _LABEL.match(self.label):
            raise ValueError(
                f"plugin label {self.label!r} must be lower-case letters, digits and _"
            )
        if self.label in RESERVED_LABELS:
            raise ValueError(f"plugin label {self.label!r} is reserved")
        if self.models and not self.migrations:
            raise ValueError(f"plugin {self.label}: models need a migrations package")
        if self.plugin_api is not None:
            try:
                api_version_parts(self.plugin_api)
            except ValueError as exc:
                raise ValueError(f"plugin {self.label}: {exc} (got {self.plugin_api!r})") from None
        if isinstance(self.requires, list):
            object.__setattr__(self, "requires", tuple(self.requires))
        if self.auto_enable and not self.requires:
            raise ValueError(
                f"plugin {self.label}: auto_enable is for glue plugins and needs requires"
            )
