"""``sampark plugins list``: installed plugins and what the config enables, no database needed."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Callable, Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from click.testing import Result

import sampark.core.plugins

Invoke = Callable[..., Result]

FAKE_PLUGINS = """
from sampark.core.manifest import PluginManifest

greeter = PluginManifest(
    label="cli_greeter", name="Greeter", version="1.2.0", description="Says नमस्ते"
)
glue = PluginManifest(
    label="cli_glue", name="Glue", version="0.3.0", requires=("cli_greeter",), auto_enable=True
)
idle = PluginManifest(label="cli_idle", name="Idle", version="2.0.0")
"""


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Three plugins installed (entry points), none of them with hooks or models."""
    (tmp_path / "cli_fake_plugins.py").write_text(textwrap.dedent(FAKE_PLUGINS), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    found = [
        EntryPoint(label, f"cli_fake_plugins:{attr}", "sampark")
        for label, attr in (("cli_greeter", "greeter"), ("cli_glue", "glue"), ("cli_idle", "idle"))
    ]
    monkeypatch.setattr(sampark.core.plugins, "entry_points", lambda group: found)
    yield
    sys.modules.pop("cli_fake_plugins", None)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A config whose database cannot be reached: listing plugins must not try."""
    path = tmp_path / "sampark.toml"
    path.write_text(
        'database = "postgres://nobody@127.0.0.1:1/nowhere"\nplugins = ["cli_greeter"]\n',
        encoding="utf-8",
    )
    return path


def test_plugins_list_shows_each_plugin_and_whether_it_is_enabled(
    installed: None, config: Path, invoke: Invoke
) -> None:
    result = invoke(config, "plugins", "list")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["LABEL", "NAME", "VERSION", "ENABLED", "REQUIRES", "DESCRIPTION"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert rows["cli_greeter"] == ["cli_greeter", "Greeter", "1.2.0", "yes", "Says", "नमस्ते"]
    assert rows["cli_glue"] == ["cli_glue", "Glue", "0.3.0", "auto", "cli_greeter"]
    assert rows["cli_idle"] == ["cli_idle", "Idle", "2.0.0", "no"]


def test_plugins_list_json(installed: None, config: Path, invoke: Invoke) -> None:
    result = invoke(config, "plugins", "list", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["label"]: row for row in json.loads(result.stdout)}
    assert rows["cli_greeter"] == {
        "label": "cli_greeter",
        "name": "Greeter",
        "version": "1.2.0",
        "enabled": True,
        "auto_enabled": False,
        "requires": [],
        "description": "Says नमस्ते",
    }
    assert rows["cli_glue"]["enabled"] and rows["cli_glue"]["auto_enabled"]
    assert rows["cli_glue"]["requires"] == ["cli_greeter"]
    assert not rows["cli_idle"]["enabled"]


def test_plugins_list_with_nothing_installed(
    config: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sampark.core.plugins, "entry_points", lambda group: [])
    config.write_text('database = "sqlite:///no/such/folder/crm.db"\n', encoding="utf-8")
    result = invoke(config, "plugins", "list")
    assert result.exit_code == 0, result.output
    assert result.stdout == "No plugins installed.\n"


def test_an_unknown_plugin_in_the_config_is_one_error_line(
    installed: None, config: Path, invoke: Invoke
) -> None:
    config.write_text('plugins = ["cli_greeter", "crystal_ball"]\n', encoding="utf-8")
    result = invoke(config, "plugins", "list")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: plugins: unknown plugin 'crystal_ball' "
        "(installed: cli_glue, cli_greeter, cli_idle)\n"
    )
