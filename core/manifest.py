"""A plugin's identity as data: readable without importing its models, hooks or services."""

from __future__ import annotations

import re
from dataclasses import dataclass

_LABEL = re.compile(r"^[a-z][a-z0-9_]*$")
RESERVED_LABELS = frozenset({"core", "api", "static", "auth"})


@dataclass(frozen=True)
class PluginManifest:
    """What Sampark needs to know about a plugin before enabling it.

    ``hooks``, ``models`` and ``migrations`` are dotted module paths, imported only when
    the plugin is enabled, so listing plugins never loads their code. ``config_schema``
    is the dataclass itself or, to keep even it unloaded while the plugin is off, its
    ``"package.module:ClassName"``.
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

    def __post_init__(self) -> None:
        if not _LABEL.match(self.label):
            raise ValueError(
                f"plugin label {self.label!r} must be lower-case letters, digits and _"
            )
        if self.label in RESERVED_LABELS:
            raise ValueError(f"plugin label {self.label!r} is reserved")
        if self.models and not self.migrations:
            raise ValueError(f"plugin {self.label}: models need a migrations package")
        if isinstance(self.requires, list):
            object.__setattr__(self, "requires", tuple(self.requires))
        if self.auto_enable and not self.requires:
            raise ValueError(
                f"plugin {self.label}: auto_enable is for glue plugins and needs requires"
            )
