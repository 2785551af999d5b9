"""Every hook and every public name is documented in docs/plugins.md; every hook is tested.

Adding a hookspec without a reference entry (with its arguments) or without a test that
implements or calls it fails here, as does a reference entry for a hook that is gone, and
a name exported by ``sampark.plugin`` that docs/plugins.md never mentions.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import sampark.plugin
from sampark.core.plugins import PluginSet

ROOT = Path(__file__).resolve().parents[2]
PLUGINS_DOC = ROOT / "docs" / "plugins.md"
TESTS = ROOT / "tests"

# A reference entry is a heading naming the hook with its arguments: ### `record_saved(kernel, …)`
_ENTRY = re.compile(r"^#{2,4} `(?P<name>[a-z_]+)\((?P<args>[^)]*)\)`", re.MULTILINE)


def _hookspecs() -> dict[str, tuple[str, ...]]:
    hook = PluginSet([], available={}).pm.hook
    specs = {}
    for name in dir(hook):
        caller = getattr(hook, name)
        if not name.startswith("_") and getattr(caller, "spec", None) is not None:
            specs[name] = tuple(caller.spec.argnames)
    return specs


HOOKSPECS = _hookspecs()


def _documented() -> dict[str, tuple[str, ...]]:
    text = PLUGINS_DOC.read_text(encoding="utf-8")
    return {
        match["name"]: tuple(arg.strip() for arg in match["args"].split(",") if arg.strip())
        for match in _ENTRY.finditer(text)
    }


def _test_sources() -> str:
    sources = [
        path.read_text(encoding="utf-8")
        for path in sorted(TESTS.rglob("*.py"))
        if path != Path(__file__).resolve() and "build" not in path.parts
    ]
    return "\n".join(sources)


def test_the_hooks_are_found() -> None:
    assert {"record_saved", "register_commands", "add_hookspecs"} <= set(HOOKSPECS)


@pytest.mark.parametrize("name", sorted(HOOKSPECS))
def test_the_hook_is_in_the_reference_with_its_arguments(name: str) -> None:
    documented = _documented()
    assert name in documented, f"docs/plugins.md has no reference entry ### `{name}(…)`"
    assert documented[name] == HOOKSPECS[name], (
        f"docs/plugins.md documents {name}{documented[name]}, the hookspec takes {HOOKSPECS[name]}"
    )


def test_the_reference_has_no_hook_that_is_gone() -> None:
    assert sorted(set(_documented()) - set(HOOKSPECS)) == []


@pytest.mark.parametrize("name", sorted(HOOKSPECS))
def test_the_hook_is_exercised_by_a_test(name: str) -> None:
    used = re.compile(
        rf"def {name}\("  # an implementation (function or method, sync or async)
        rf"|\.hook\.{name}\("  # a direct call
        rf"|(?:collect|acollect|notify)\(\s*[\"']{name}[\"']"  # through the plugin set
    )
    assert used.search(_test_sources()), f"no test under tests/ implements or calls {name}"


@pytest.mark.parametrize("name", sampark.plugin.__all__)
def test_every_public_name_is_in_the_plugin_guide(name: str) -> None:
    text = PLUGINS_DOC.read_text(encoding="utf-8")
    assert f"`{name}" in text, f"docs/plugins.md never mentions sampark.plugin.{name}"


def test_the_guides_migration_example_depends_on_the_sample_plugins_core_migration() -> None:
    text = PLUGINS_DOC.read_text(encoding="utf-8")
    sample = ROOT / "tests/plugins/sampark_hello/sampark_hello/migrations/0001_initial.py"
    (dependency,) = re.findall(r'\("core", "(\w+)"\)', sample.read_text(encoding="utf-8"))
    assert f'dependencies = [("core", "{dependency}")]' in text
    assert (ROOT / "core" / "migrations" / f"{dependency}.py").exists()
