"""Find plugins through one entry-point group, enable the configured ones, block the rest."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import Any

import pluggy

from sampark.core import hookspecs
from sampark.core.errors import ConfigError
from sampark.core.manifest import PluginManifest, api_incompatibility
from sampark.core.typed_config import build_config

ENTRY_POINT_GROUP = "sampark"
CORE_LABEL = "core"


@dataclass(frozen=True)
class Contribution:
    """One item a plugin gave to a collection hook, remembering which plugin gave it."""

    plugin: str
    item: Any


async def await_me_maybe(value: Any) -> Any:
    """Hook results may be values, callables or awaitables; return the plain value."""
    if callable(value):
        value = value()
    if inspect.isawaitable(value):
        value = await value
    return value


def discover_manifests(
    found: Iterable[EntryPoint] | None = None,
) -> dict[str, PluginManifest]:
    """Every installed plugin's manifest by label, read without importing its code."""
    manifests: dict[str, PluginManifest] = {}
    sources: dict[str, str] = {}
    for entry_point in found if found is not None else entry_points(group=ENTRY_POINT_GROUP):
        where = f"entry point {entry_point.name} = {entry_point.value}"
        try:
            loaded = entry_point.load()
        except Exception as exc:
            raise ConfigError(
                f"plugin {entry_point.name}: cannot be loaded ({where}): {exc}"
            ) from exc
        manifest = getattr(loaded, "manifest", loaded)
        if not isinstance(manifest, PluginManifest):
            raise ConfigError(f"plugin {entry_point.name}: {where} does not give a PluginManifest")
        if manifest.label != entry_point.name:
            raise ConfigError(
                f"plugin {entry_point.name}: its manifest's label is {manifest.label!r}; "
                "the entry point name must match it"
            )
        if manifest.label in manifests and sources[manifest.label] != entry_point.value:
            raise ConfigError(
                f"plugin {manifest.label} is installed twice: {sources[manifest.label]} "
                f"and {entry_point.value}"
            )
        manifests[manifest.label] = manifest
        sources[manifest.label] = entry_point.value
    return manifests


def resolve_enabled(
    requested: Iterable[str], available: Mapping[str, PluginManifest]
) -> list[PluginManifest]:
    """The plugins to enable, requirements first; glue plugins join when all they need is on."""
    requested = [label for label in requested if label != CORE_LABEL]
    for label in requested:
        if label not in available:
            installed = ", ".join(sorted(available)) or "none"
            raise ConfigError(f"plugins: unknown plugin {label!r} (installed: {installed})")
    enabled = set(requested)
    changed = True
    while changed:
        changed = False
        for manifest in available.values():
            wanted = manifest.auto_enable and manifest.label not in enabled
            if wanted and all(requirement in enabled for requirement in manifest.requires):
                enabled.add(manifest.label)
                changed = True
    for label in sorted(enabled):
        wanted = available[label].plugin_api
        problem = api_incompatibility(wanted) if wanted is not None else None
        if problem:
            raise ConfigError(f"plugin {label}: {problem}")
        for requirement in available[label].requires:
            if requirement == CORE_LABEL:
                continue
            if requirement not in available:
                raise ConfigError(
                    f"plugin {label} requires {requirement!r}, which is not installed"
                )
            if requirement not in enabled:
                raise ConfigError(
                    f"plugin {label} requires {requirement!r}, which is not enabled "
                    f"(add {requirement!r} to plugins)"
                )
    return _requirements_first([available[label] for label in sorted(enabled)])


def _requirements_first(manifests: list[PluginManifest]) -> list[PluginManifest]:
    by_label = {manifest.label: manifest for manifest in manifests}
    ordered: list[PluginManifest] = []
    visiting: set[str] = set()

    def visit(label: str) -> None:
        if label in visiting:
            raise ConfigError(f"plugin {label}: its requirements form a cycle")
        if any(manifest.label == label for manifest in ordered):
            return
        visiting.add(label)
        for requirement in by_label[label].requires:
            if requirement in by_label:
                visit(requirement)
        visiting.discard(label)
        ordered.append(by_label[label])

    for label in by_label:
        visit(label)
    return ordered


class PluginSet:
    """The plugin manager of one kernel: core plus the enabled plugins, others blocked."""

    def __init__(
        self,
        requested: Iterable[str],
        plugin_tables: Mapping[str, Mapping[str, Any]] | None = None,
        *,
        available: Mapping[str, PluginManifest] | None = None,
    ) -> None:
        self.available = dict(discover_manifests() if available is None else available)
        self.enabled = resolve_enabled(requested, self.available)
        self.configs = _plugin_configs(self.enabled, self.available, plugin_tables or {})
        self.pm = pluggy.PluginManager("sampark")
        self.pm.add_hookspecs(hookspecs)
        self._register_all()

    @property
    def hook(self) -> Any:
        return self.pm.hook

    @property
    def enabled_labels(self) -> list[str]:
        return [manifest.label for manifest in self.enabled]

    def is_enabled(self, label: str) -> bool:
        return label == CORE_LABEL or label in self.enabled_labels

    def _register_all(self) -> None:
        from sampark.core import default_hooks

        self.pm.hook.add_hookspecs.call_historic(kwargs={"plugin_manager": self.pm})
        self.pm.register(default_hooks, name=CORE_LABEL)
        enabled = set(self.enabled_labels)
        for label in self.available:
            if label not in enabled:
                self.pm.set_blocked(label)
        for manifest in self.enabled:
            if manifest.hooks:
                self.pm.register(_import(manifest.hooks, manifest.label), name=manifest.label)
        self._check_hook_names()

    def _check_hook_names(self) -> None:
        """Fail on a hook implementation that matches no hookspec (usually a typo)."""
        known = sorted(name for name in dir(self.pm.hook) if not name.startswith("_"))
        for name in known:
            caller = getattr(self.pm.hook, name)
            if caller.spec is not None:
                continue
            for impl in caller.get_hookimpls():
                if not impl.optionalhook:
                    specified = [n for n in known if getattr(self.pm.hook, n).spec is not None]
                    raise ConfigError(
                        f"plugin {impl.plugin_name}: hook {name!r} matches no hookspec "
                        f"(known hooks: {', '.join(specified)})"
                    )

    def collect(self, hook_name: str, **kwargs: Any) -> list[Contribution]:
        """Call a collection hook and flatten its lists, remembering each item's plugin."""
        caller = getattr(self.pm.hook, hook_name)
        contributions: list[Contribution] = []
        for impl in reversed(caller.get_hookimpls()):
            result = impl.function(*(kwargs[name] for name in impl.argnames))
            for item in result or ():
                contributions.append(Contribution(impl.plugin_name, item))
        return contributions

    async def acollect(self, hook_name: str, **kwargs: Any) -> list[Contribution]:
        """Like :meth:`collect` for hooks whose results may be callables or awaitables."""
        caller = getattr(self.pm.hook, hook_name)
        contributions: list[Contribution] = []
        for impl in reversed(caller.get_hookimpls()):
            result = await await_me_maybe(impl.function(*(kwargs[name] for name in impl.argnames)))
            for item in result or ():
                contributions.append(Contribution(impl.plugin_name, item))
        return contributions

    async def notify(self, hook_name: str, **kwargs: Any) -> None:
        """Call an event hook, awaiting the implementations that are async."""
        for result in getattr(self.pm.hook, hook_name)(**kwargs):
            await await_me_maybe(result)


def unique_by(
    contributions: Iterable[Contribution], key: Callable[[Any], Any], what: str
) -> list[Contribution]:
    """Refuse two contributions with one key, naming both plugins."""
    seen: dict[Any, str] = {}
    for contribution in contributions:
        value = key(contribution.item)
        if value in seen:
            raise ConfigError(
                f"{what} {value!r} is given by both plugin {seen[value]} "
                f"and plugin {contribution.plugin}"
            )
        seen[value] = contribution.plugin
    return list(contributions)


def _import(module_path: str, label: str) -> ModuleType:
    try:
        return importlib.import_module(module_path)
    except ImportError as exc:
        raise ConfigError(f"plugin {label}: cannot import {module_path}: {exc}") from exc


def _plugin_configs(
    enabled: list[PluginManifest],
    available: Mapping[str, PluginManifest],
    tables: Mapping[str, Mapping[str, Any]],
) -> dict[str, Any]:
    for label in tables:
        if label not in available:
            raise ConfigError(f"plugin.{label}: no plugin with that name is installed")
        if available[label].config_schema is None:
            raise ConfigError(f"plugin.{label}: plugin {label} takes no settings")
    return {
        manifest.label: build_config(
            _schema(manifest), tables.get(manifest.label, {}), f"plugin.{manifest.label}"
        )
        for manifest in enabled
        if manifest.config_schema is not None
    }


def _schema(manifest: PluginManifest) -> type:
    """The config dataclass, imported now if the manifest names it as ``"module:Class"``."""
    schema = manifest.config_schema
    if not isinstance(schema, str):
        return schema  # type: ignore[return-value]
    module_path, _, name = schema.partition(":")
    found = getattr(_import(module_path, manifest.label), name, None)
    if not isinstance(found, type):
        raise ConfigError(f"plugin {manifest.label}: config_schema {schema!r} names no class")
    return found
