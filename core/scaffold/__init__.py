"""``sampark plugin new NAME``: a pip-installable plugin package that passes its own tests.

The files under ``template/`` are ``string.Template`` texts (``$label``, ``$package``, …);
``__package__`` and ``__label__`` in their paths become the package and the label.
"""

from __future__ import annotations

import re
import string
from dataclasses import asdict, dataclass
from pathlib import Path

from sampark.core.manifest import PLUGIN_API_VERSION, RESERVED_LABELS

TEMPLATE = Path(__file__).parent / "template"
_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
_MIGRATION = re.compile(r"\d{4}_\w+\.py")


class ScaffoldError(ValueError):
    """A plugin cannot be generated; the message says why, for the command line."""


@dataclass(frozen=True)
class PluginNames:
    """What a new plugin is called in each place a name appears."""

    label: str  # entry point, [plugin.<label>], tortoise app, /<label>/ URLs
    package: str  # the Python package: sampark_<label>
    distribution: str  # the pip name and the folder: sampark-<label>
    command: str  # `sampark <command> …`
    title: str  # what people read


def plugin_names(name: str) -> PluginNames:
    """The names of a plugin labelled ``name``, or a ScaffoldError saying what is wrong."""
    if not _NAME.fullmatch(name):
        raise ScaffoldError(
            f"plugin name {name!r} must be 1 to 40 lower-case letters, digits and _, "
            "starting with a letter (e.g. donations)"
        )
    if name in RESERVED_LABELS:
        raise ScaffoldError(f"plugin name {name!r} is reserved by Sampark; choose another")
    return PluginNames(
        label=name,
        package=f"sampark_{name}",
        distribution=f"sampark-{name.replace('_', '-')}",
        command=name.replace("_", "-"),
        title=name.replace("_", " ").capitalize(),
    )


def latest_core_migration() -> str:
    """The name of core's newest migration, which a new plugin's first one depends on."""
    from sampark.core import migrations

    folder = Path(migrations.__file__).parent
    names = sorted(path.stem for path in folder.iterdir() if _MIGRATION.fullmatch(path.name))
    return names[-1]


def write_plugin(name: str, parent: Path) -> Path:
    """Write the package of a new plugin into ``parent``; returns its folder.

    An existing folder is never touched: the plugin's folder must not exist yet.
    """
    names = plugin_names(name)
    target = parent / names.distribution
    if target.exists():
        raise ScaffoldError(f"{target} already exists: choose another name or --dir")
    values = {
        **asdict(names),
        "core_migration": latest_core_migration(),
        "plugin_api": PLUGIN_API_VERSION,
    }
    for source in sorted(TEMPLATE.rglob("*.tmpl")):
        relative = str(source.relative_to(TEMPLATE).with_suffix(""))
        relative = relative.replace("__package__", names.package)
        relative = relative.replace("__label__", names.label)
        text = string.Template(source.read_text(encoding="utf-8")).substitute(values)
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(text, encoding="utf-8")
    return target
