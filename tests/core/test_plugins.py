"""The plugin platform: discovery, enabling, blocking, start-up errors, migrations, isolation.

The sample plugin ``sampark_hello`` (tests/plugins/sampark_hello) is installed into the venv
like any third-party plugin; hand-made manifests with hook modules written under tmp_path
cover the error paths.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import json
import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

import pytest
import sampark_hello
import sampark_hello.hooks
from click.testing import CliRunner
from sampark_hello.config import HelloConfig

import sampark
from sampark.cli import build_cli
from sampark.core import default_hooks
from sampark.core.custom_fields import CustomFieldSpec
from sampark.core.errors import ConfigError
from sampark.core.kernel import Sampark
from sampark.core.manifest import PluginManifest
from sampark.core.plugins import (
    Contribution,
    PluginSet,
    discover_manifests,
    resolve_enabled,
    unique_by,
)
from sampark.core.settings import Settings

MEMORY = Settings(database_url="sqlite://:memory:")

HookModule = Callable[[str, str], str]


@pytest.fixture
def hook_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[HookModule]:
    """Write a plugin's hooks module under tmp_path; return its (test-unique) dotted name."""
    folder = tmp_path / "hook_modules"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    prefix = f"hooks_{uuid.uuid4().hex[:8]}"
    written: list[str] = []

    def write(name: str, source: str) -> str:
        module = f"{prefix}_{name}"
        header = "from __future__ import annotations\nfrom sampark import hookimpl\n"
        (folder / f"{module}.py").write_text(header + textwrap.dedent(source), encoding="utf-8")
        importlib.invalidate_caches()
        written.append(module)
        return module

    yield write
    for module in written:
        sys.modules.pop(module, None)


def manifest(label: str, **fields: Any) -> PluginManifest:
    return PluginManifest(label=label, name=label.title(), version="1.0", **fields)


async def table_exists(kernel: Sampark, table: str) -> bool:
    if kernel.dialect == "sqlite":
        sql = "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?"
    else:
        sql = "SELECT COUNT(*) AS n FROM pg_tables WHERE tablename = $1"
    with kernel.activate():
        rows = await kernel.connection.execute_query_dict(sql, [table])
    return rows[0]["n"] == 1


async def greetings_in_table(kernel: Sampark) -> list[tuple[int, str]]:
    """The hello plugin's rows read with SQL, so it works while the plugin is disabled."""
    with kernel.activate():
        rows = await kernel.connection.execute_query_dict(
            "SELECT contact_id, text FROM hello_greeting ORDER BY id"
        )
    return [(row["contact_id"], row["text"]) for row in rows]


# -- discovery and enabling ------------------------------------------------------------------


def test_the_sample_plugin_is_discovered_through_its_entry_point() -> None:
    (entry,) = [e for e in entry_points(group="sampark") if e.name == "hello"]
    assert entry.value == "sampark_hello"
    found = discover_manifests()
    assert found["hello"] is sampark_hello.manifest
    assert found["hello"].config_schema is HelloConfig
    assert found["hello"].migrations == "sampark_hello.migrations"


def test_an_installed_plugin_is_enabled_only_when_listed() -> None:
    off = PluginSet([])
    assert "hello" in off.available
    assert off.enabled_labels == []
    assert not off.is_enabled("hello")
    assert off.pm.is_blocked("hello")
    assert off.pm.get_plugin("hello") is None
    # Blocked means blocked: even a direct register is refused.
    assert off.pm.register(sampark_hello.hooks, name="hello") is None
    assert off.configs == {}

    on = PluginSet(["hello"], {"hello": {"greeting": "Vanakkam"}})
    assert on.enabled_labels == ["hello"]
    assert not on.pm.is_blocked("hello")
    assert on.pm.get_plugin("hello") is sampark_hello.hooks
    assert on.configs["hello"] == HelloConfig(greeting="Vanakkam")
    assert "hello" in Sampark(MEMORY, on).tortoise_config["apps"]
    assert "hello" not in Sampark(MEMORY, off).tortoise_config["apps"]


def test_core_is_always_on_and_cannot_be_listed_or_blocked() -> None:
    plugins = PluginSet(["core"], available={})
    assert plugins.enabled_labels == []
    assert plugins.is_enabled("core")
    assert plugins.pm.get_plugin("core") is default_hooks
    assert not plugins.pm.is_blocked("core")


_SHOW_LOADED = """
import sys
import sampark
from sampark.cli import build_cli
from sampark.core.kernel import Sampark
from sampark.core.settings import load_settings

kernel = Sampark(load_settings())
commands = sorted(build_cli([]).commands)
loaded = sorted(name for name in sys.modules if name.startswith("sampark_hello"))
print(json.dumps({"loaded": loaded, "commands": commands}))
"""


def _loaded_in_fresh_process(tmp_path: Path, plugins: str) -> dict[str, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMPARK_")}
    env["SAMPARK_PLUGINS"] = plugins
    result = subprocess.run(
        [sys.executable, "-c", "import json" + _SHOW_LOADED],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_a_disabled_plugins_code_is_never_imported(tmp_path: Path) -> None:
    # Other tests import sampark_hello.hooks, so look from a fresh process.
    off = _loaded_in_fresh_process(tmp_path, "")
    assert off["loaded"] == ["sampark_hello", "sampark_hello.config"]
    assert "hello" not in off["commands"]

    on = _loaded_in_fresh_process(tmp_path, "hello")
    assert {"sampark_hello.hooks", "sampark_hello.commands"} <= set(on["loaded"])
    assert "hello" in on["commands"]


# -- start-up errors name the culprit --------------------------------------------------------


def test_an_unknown_plugin_is_named_with_the_installed_ones() -> None:
    with pytest.raises(ConfigError, match=r"plugins: unknown plugin 'helo' \(installed: .*hello"):
        PluginSet(["helo"])
    with pytest.raises(ConfigError, match=r"unknown plugin 'x' \(installed: none\)"):
        PluginSet(["x"], available={})


def test_a_requirement_that_is_not_installed_is_named() -> None:
    available = {"sync": manifest("sync", requires=("ledger",))}
    with pytest.raises(
        ConfigError, match=r"^plugin sync requires 'ledger', which is not installed"
    ):
        PluginSet(["sync"], available=available)


def test_a_requirement_that_is_not_enabled_says_what_to_add() -> None:
    available = {"ledger": manifest("ledger"), "sync": manifest("sync", requires=("ledger",))}
    with pytest.raises(
        ConfigError,
        match=r"^plugin sync requires 'ledger', which is not enabled \(add 'ledger' to plugins\)",
    ):
        PluginSet(["sync"], available=available)
    assert PluginSet(["sync", "ledger"], available=available).enabled_labels == ["ledger", "sync"]


def test_requirements_may_name_core_and_must_not_form_a_cycle() -> None:
    assert PluginSet(["a"], available={"a": manifest("a", requires=("core",))}).enabled_labels == [
        "a"
    ]
    cycle = {"a": manifest("a", requires=("b",)), "b": manifest("b", requires=("a",))}
    with pytest.raises(ConfigError, match=r"requirements form a cycle"):
        PluginSet(["a", "b"], available=cycle)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"greting": "Hi"}, r"^plugin\.hello: unknown setting 'greting' \(known settings: "),
        ({"greeting": 5}, r"^plugin\.hello\.greeting: must be text \(got 5\)$"),
        (
            {"greet_on_update": "sometimes"},
            r"^plugin\.hello\.greet_on_update: must be true or false \(got 'sometimes'\)$",
        ),
    ],
)
def test_a_bad_plugin_setting_is_named(table: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        PluginSet(["hello"], {"hello": table})


def test_a_plugin_command_under_a_bad_setting_reports_the_setting(tmp_path: Path) -> None:
    config = tmp_path / "sampark.toml"
    config.write_text(
        f'database = "sqlite:///{tmp_path}/crm.db"\nplugins = ["hello"]\n'
        '[plugin.hello]\ngreting = "Hi"\n',
        encoding="utf-8",
    )
    result = run_cli("--config", str(config), "hello", "greet", "Asha")
    assert result.exit_code == 1
    assert result.output.startswith(
        "error: plugin.hello: unknown setting 'greting' (known settings: greet_on_update, "
        "greeting) (plugins' commands need a working config)"
    )


def test_a_hook_with_no_spec_is_named_with_the_known_hooks(hook_module: HookModule) -> None:
    typo = hook_module(
        "typo",
        """
        @hookimpl
        def record_savd(kernel, record):
            pass
        """,
    )
    with pytest.raises(
        ConfigError,
        match=r"^plugin typo: hook 'record_savd' matches no hookspec \(known hooks: .*record_saved",
    ):
        PluginSet(["typo"], available={"typo": manifest("typo", hooks=typo)})


def test_an_optional_hook_with_no_spec_is_allowed(hook_module: HookModule) -> None:
    maybe = hook_module(
        "maybe",
        """
        @hookimpl(optionalhook=True)
        def invoice_issued(invoice):
            pass
        """,
    )
    plugins = PluginSet(["maybe"], available={"maybe": manifest("maybe", hooks=maybe)})
    assert plugins.enabled_labels == ["maybe"]


def test_a_hooks_module_that_cannot_be_imported_is_named() -> None:
    ghost = manifest("ghost", hooks="sampark_no_such_module.hooks")
    with pytest.raises(ConfigError, match=r"^plugin ghost: cannot import sampark_no_such_module"):
        PluginSet(["ghost"], available={"ghost": ghost})


def test_discovery_refuses_broken_entry_points() -> None:
    def entry(name: str, value: str) -> EntryPoint:
        return EntryPoint(name=name, value=value, group="sampark")

    with pytest.raises(ConfigError, match=r"^plugin hi: its manifest's label is 'hello'"):
        discover_manifests([entry("hi", "sampark_hello")])
    with pytest.raises(ConfigError, match=r"^plugin json: entry point json = json does not give"):
        discover_manifests([entry("json", "json")])
    with pytest.raises(ConfigError, match=r"^plugin gone: cannot be loaded \(entry point gone"):
        discover_manifests([entry("gone", "sampark_gone_plugin")])
    with pytest.raises(ConfigError, match=r"^plugin hello is installed twice: sampark_hello and "):
        discover_manifests(
            [entry("hello", "sampark_hello"), entry("hello", "sampark_hello:manifest")]
        )
    assert discover_manifests([entry("hello", "sampark_hello:manifest")]) == {
        "hello": sampark_hello.manifest
    }


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"label": "Hello"}, r"must be lower-case letters"),
        ({"label": "core"}, r"'core' is reserved"),
        ({"models": "x.models"}, r"models need a migrations package"),
        ({"auto_enable": True}, r"auto_enable is for glue plugins and needs requires"),
    ],
)
def test_a_manifest_checks_itself(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PluginManifest(**{"label": "x", "name": "X", "version": "1", **fields})


def test_a_custom_field_from_config_and_a_plugin_names_both(hook_module: HookModule) -> None:
    loyalty = hook_module(
        "loyalty",
        """
        from sampark.core.custom_fields import CustomFieldSpec

        @hookimpl
        def custom_fields():
            return [CustomFieldSpec("contact", "tier", "choice", choices=("gold", "silver"))]
        """,
    )
    available = {"loyalty": manifest("loyalty", hooks=loyalty)}
    settings = dataclasses.replace(
        MEMORY, custom_fields=(CustomFieldSpec("contact", "tier", "text"),)
    )
    with pytest.raises(
        ConfigError,
        match=r"^custom field contact\.tier is declared by both config and plugin loyalty$",
    ):
        Sampark(settings, PluginSet(["loyalty"], available=available))
    # Without the clash the plugin's field is there, remembering where it came from.
    kernel = Sampark(MEMORY, PluginSet(["loyalty"], available=available))
    assert kernel.custom_fields["contact"]["tier"].source == "plugin loyalty"


def test_a_custom_field_from_two_plugins_names_both(hook_module: HookModule) -> None:
    source = """
        from sampark.core.custom_fields import CustomFieldSpec

        @hookimpl
        def custom_fields():
            return [CustomFieldSpec("account", "gstin", "text")]
        """
    available = {
        "billing": manifest("billing", hooks=hook_module("billing", source)),
        "tax": manifest("tax", hooks=hook_module("tax", source)),
    }
    with pytest.raises(
        ConfigError,
        match=r"custom field account\.gstin is declared by both plugin (billing|tax) "
        r"and plugin (tax|billing)$",
    ) as caught:
        Sampark(MEMORY, PluginSet(["billing", "tax"], available=available))
    assert "billing" in str(caught.value) and "tax" in str(caught.value)


def test_custom_fields_must_be_field_specs(hook_module: HookModule) -> None:
    sloppy = hook_module(
        "sloppy",
        """
        @hookimpl
        def custom_fields():
            return [{"entity": "contact", "name": "x"}]
        """,
    )
    available = {"sloppy": manifest("sloppy", hooks=sloppy)}
    with pytest.raises(ConfigError, match=r"^plugin sloppy: custom_fields must give CustomField"):
        Sampark(MEMORY, PluginSet(["sloppy"], available=available))


def test_plugins_add_interaction_and_account_kinds(hook_module: HookModule) -> None:
    school = hook_module(
        "school",
        """
        @hookimpl
        def interaction_kinds():
            return ["parent_meeting", "call"]

        @hookimpl
        def account_kinds():
            return ["school", "customer"]
        """,
    )
    settings = dataclasses.replace(MEMORY, interaction_kinds=("site_visit",))
    kernel = Sampark(
        settings, PluginSet(["school"], available={"school": manifest("school", hooks=school)})
    )
    assert kernel.interaction_kinds[-2:] == ("site_visit", "parent_meeting")
    assert kernel.interaction_kinds.count("call") == 1
    assert kernel.account_kinds[-1] == "school"
    assert kernel.account_kinds.count("customer") == 1


# -- glue plugins and plugin-published hooks -------------------------------------------------


def test_a_glue_plugin_switches_on_only_when_all_it_needs_is_on(hook_module: HookModule) -> None:
    glue_hooks = hook_module(
        "glue",
        """
        @hookimpl
        def interaction_kinds():
            return ["invoice_chased"]
        """,
    )
    available = {
        "tickets": manifest("tickets"),
        "invoices": manifest("invoices"),
        "tickets_invoices": manifest(
            "tickets_invoices",
            requires=("tickets", "invoices"),
            auto_enable=True,
            hooks=glue_hooks,
        ),
        "glue_report": manifest("glue_report", requires=("tickets_invoices",), auto_enable=True),
    }
    only_tickets = PluginSet(["tickets"], available=available)
    assert only_tickets.enabled_labels == ["tickets"]
    assert only_tickets.pm.is_blocked("tickets_invoices")
    assert not only_tickets.hook.interaction_kinds()

    both = PluginSet(["invoices", "tickets"], available=available)
    labels = both.enabled_labels
    assert set(labels) == {"tickets", "invoices", "tickets_invoices", "glue_report"}
    assert labels.index("tickets_invoices") > max(labels.index("tickets"), labels.index("invoices"))
    assert labels.index("glue_report") > labels.index("tickets_invoices")
    assert both.hook.interaction_kinds() == [["invoice_chased"]]
    assert [m.label for m in resolve_enabled(["tickets"], available)] == ["tickets"]


def test_a_plugin_publishes_a_hook_that_another_implements(hook_module: HookModule) -> None:
    specs = hook_module(
        "loyalty_specs",
        """
        import pluggy

        hookspec = pluggy.HookspecMarker("sampark")

        @hookspec
        def reward_rules(kernel):
            \"\"\"Give reward rules: (name, points) pairs.\"\"\"
        """,
    )
    publisher = hook_module(
        "publisher",
        f"""
        import {specs}

        @hookimpl
        def add_hookspecs(plugin_manager):
            plugin_manager.add_hookspecs({specs})
        """,
    )
    festival = hook_module(
        "festival",
        """
        @hookimpl
        def reward_rules():
            return [("diwali", 100)]
        """,
    )
    birthday = hook_module(
        "birthday",
        """
        @hookimpl
        async def reward_rules(kernel):
            return [("birthday", 50), ("diwali", 10)]
        """,
    )
    available = {
        "loyalty": manifest("loyalty", hooks=publisher),
        "festival": manifest("festival", requires=("loyalty",), hooks=festival),
        "birthday": manifest("birthday", requires=("loyalty",), hooks=birthday),
    }
    plugins = PluginSet(["loyalty", "festival", "birthday"], available=available)
    assert plugins.pm.hook.reward_rules.spec is not None

    found = asyncio.run(plugins.acollect("reward_rules", kernel=None))
    assert sorted((c.plugin, c.item) for c in found) == [
        ("birthday", ("birthday", 50)),
        ("birthday", ("diwali", 10)),
        ("festival", ("diwali", 100)),
    ]
    with pytest.raises(ConfigError, match=r"reward rule 'diwali' is given by both plugin "):
        unique_by(found, key=lambda rule: rule[0], what="reward rule")

    # Without the publisher the hook is unknown, and the implementer is refused by name.
    with pytest.raises(ConfigError, match=r"^plugin festival: hook 'reward_rules' matches no"):
        PluginSet(["festival"], available={"festival": manifest("festival", hooks=festival)})


def test_collect_remembers_which_plugin_gave_what(hook_module: HookModule) -> None:
    one = hook_module("one", "@hookimpl\ndef account_kinds():\n    return ['school']\n")
    two = hook_module("two", "@hookimpl\ndef account_kinds():\n    return ['clinic', 'ngo']\n")
    available = {"one": manifest("one", hooks=one), "two": manifest("two", hooks=two)}
    found = PluginSet(["one", "two"], available=available).collect("account_kinds")
    # pluggy's call order: the plugin enabled last answers first; each list keeps its order.
    assert found == [
        Contribution("two", "clinic"),
        Contribution("two", "ngo"),
        Contribution("one", "school"),
    ]


# -- the sample plugin against a real database (SQLite and PostgreSQL) -----------------------


async def test_startup_hooks_run_once_the_database_is_ready(
    settings: Settings, hook_module: HookModule
) -> None:
    watcher = hook_module(
        "watcher",
        """
        calls = []

        @hookimpl
        async def startup(kernel):
            rows = await kernel.connection.execute_query_dict(
                "SELECT COUNT(*) AS n FROM core_contact"
            )
            calls.append((kernel, rows[0]["n"]))
        """,
    )
    available = {"watcher": manifest("watcher", hooks=watcher)}
    kernel = Sampark(settings, PluginSet(["watcher"], available=available))
    await kernel.start(migrate=True)
    try:
        assert sys.modules[watcher].calls == [(kernel, 0)]
    finally:
        await kernel.close()


async def test_enabling_hello_on_an_existing_database_migrates_it_forward(
    settings: Settings, make_kernel: Callable[..., Any]
) -> None:
    before = await make_kernel()
    asha = await before.contacts.create(first_name="Asha")
    assert not await table_exists(before, "hello_greeting")
    await before.close()

    with_hello = dataclasses.replace(settings, plugins=("hello",))
    with pytest.raises(
        ConfigError,
        match=r"the database needs 1 migration\(s\) \(hello\.0001_initial\): run `sampark migrate`",
    ):
        await Sampark(with_hello).start()

    after = await make_kernel(plugins=("hello",))  # starts with migrate=True
    assert await after.pending_migrations() == []
    assert await table_exists(after, "hello_greeting")
    assert (await after.contacts.get(asha.id)).display_name == "Asha"
    assert await greetings_in_table(after) == []  # contacts made before are not greeted


async def test_creating_a_contact_writes_a_greeting(make_kernel: Callable[..., Any]) -> None:
    from sampark_hello.services import list_greetings

    crm = await make_kernel(plugins=("hello",), plugin_tables={"hello": {"greeting": "Vanakkam"}})
    asha = await crm.contacts.create(first_name="Asha", last_name="Iyer")
    ravi = await crm.contacts.create(first_name="रवि", last_name="शर्मा")
    assert await greetings_in_table(crm) == [
        (asha.id, "Vanakkam, Asha Iyer!"),
        (ravi.id, "Vanakkam, रवि शर्मा!"),
    ]
    assert [row["text"] for row in await list_greetings(crm, limit=1)] == ["Vanakkam, रवि शर्मा!"]

    await crm.contacts.update(asha.id, notes="met at the fair")
    await crm.accounts.create(name="Iyer Traders")
    assert len(await greetings_in_table(crm)) == 2  # updates and accounts are not greeted


async def test_greet_on_update_greets_edited_contacts(make_kernel: Callable[..., Any]) -> None:
    crm = await make_kernel(plugins=("hello",), plugin_tables={"hello": {"greet_on_update": True}})
    asha = await crm.contacts.create(first_name="Asha")
    await crm.contacts.update(asha.id, first_name="Asha Devi")
    assert await greetings_in_table(crm) == [
        (asha.id, "Namaste, Asha!"),
        (asha.id, "Namaste, Asha Devi!"),
    ]


async def test_disabling_hello_keeps_its_table_and_rows(make_kernel: Callable[..., Any]) -> None:
    with_hello = await make_kernel(plugins=("hello",))
    asha = await with_hello.contacts.create(first_name="Asha")
    await with_hello.close()

    without = await make_kernel()
    assert await without.pending_migrations() == []
    assert without.plugins.pm.is_blocked("hello")
    assert await greetings_in_table(without) == [(asha.id, "Namaste, Asha!")]
    await without.contacts.create(first_name="Ravi")
    assert await greetings_in_table(without) == [(asha.id, "Namaste, Asha!")]

    again = await make_kernel(plugins=("hello",))
    bela = await again.contacts.create(first_name="Bela")
    assert await greetings_in_table(again) == [
        (asha.id, "Namaste, Asha!"),
        (bela.id, "Namaste, Bela!"),
    ]


@pytest.fixture
def other_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database on the same engine as ``database_url``."""
    if database_url.startswith("sqlite"):
        yield f"sqlite://{tmp_path / 'other.db'}"
        return
    import asyncpg

    server, _, _ = database_url.rpartition("/")
    name = f"sampark_other_{uuid.uuid4().hex[:12]}"

    async def admin(statement: str) -> None:
        connection = await asyncpg.connect(f"{server}/postgres")
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    yield f"{server}/{name}"
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def plain_other_kernel(settings: Settings, other_database_url: str) -> AsyncIterator[Sampark]:
    kernel = Sampark(dataclasses.replace(settings, database_url=other_database_url))
    await kernel.start(migrate=True)
    yield kernel
    await kernel.close()


async def test_two_kernels_with_different_plugins_do_not_see_each_other(
    make_kernel: Callable[..., Any], plain_other_kernel: Sampark
) -> None:
    hello_crm = await make_kernel(plugins=("hello",))
    plain_crm = plain_other_kernel
    asha, ravi = await asyncio.gather(
        hello_crm.contacts.create(first_name="Asha", emails=["asha@example.in"]),
        plain_crm.contacts.create(first_name="Ravi", emails=["ravi@example.in"]),
    )
    assert [c.display_name for c in await hello_crm.contacts.list()] == ["Asha"]
    assert [c.display_name for c in await plain_crm.contacts.list()] == ["Ravi"]
    assert len(await hello_crm.contacts.search("ravi")) == 0
    assert len(await plain_crm.contacts.search("asha")) == 0

    assert await greetings_in_table(hello_crm) == [(asha.id, "Namaste, Asha!")]
    assert not await table_exists(plain_crm, "hello_greeting")
    assert plain_crm.plugins.pm.is_blocked("hello")
    assert "hello" not in plain_crm.tortoise_config["apps"]
    # Interleaved again: each kernel still writes to its own database.
    await plain_crm.contacts.create(first_name="Bela")
    await hello_crm.contacts.create(first_name="Chitra")
    assert [text for _, text in await greetings_in_table(hello_crm)] == [
        "Namaste, Asha!",
        "Namaste, Chitra!",
    ]
    assert sorted(c.display_name for c in await plain_crm.contacts.list()) == ["Bela", "Ravi"]
    # Ids are per database: each kernel reads its own row even where the ids coincide.
    assert (await hello_crm.contacts.get(asha.id)).display_name == "Asha"
    assert (await plain_crm.contacts.get(ravi.id)).display_name == "Ravi"


# -- the CLI ---------------------------------------------------------------------------------


def write_config(folder: Path, database_url: str, *, hello: bool, greeting: str = "") -> Path:
    lines = [f'database = "{database_url}"', 'phone_region = "IN"']
    lines.append('plugins = ["hello"]' if hello else "plugins = []")
    if greeting:
        lines += ["[plugin.hello]", f'greeting = "{greeting}"']
    path = folder / ("hello.toml" if hello else "plain.toml")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_cli(*argv: str) -> Any:
    return CliRunner().invoke(build_cli(list(argv)), list(argv), catch_exceptions=False)


def test_the_hello_command_exists_only_while_hello_is_enabled(
    database_url: str, tmp_path: Path
) -> None:
    on = str(write_config(tmp_path, database_url, hello=True, greeting="Vanakkam"))
    off = str(write_config(tmp_path, database_url, hello=False))

    assert "hello" in build_cli(["--config", on]).commands
    assert "hello" not in build_cli(["--config", off]).commands
    listed = run_cli("--config", on, "--help")
    assert "hello" in listed.output and "Greetings for new contacts" in listed.output

    greeted = run_cli("--config", on, "hello", "greet", "Asha")
    assert (greeted.exit_code, greeted.output) == (0, "Vanakkam, Asha!\n")

    missing = run_cli("--config", off, "hello", "greet", "Asha")
    assert missing.exit_code == 2
    assert "No such command 'hello'" in missing.output


def test_hello_list_shows_the_greetings_and_disappears_when_disabled(
    database_url: str, tmp_path: Path
) -> None:
    on = str(write_config(tmp_path, database_url, hello=True))
    off = str(write_config(tmp_path, database_url, hello=False))

    # Switched on in the config but not migrated yet: commands say what to run.
    unmigrated = run_cli("--config", on, "hello", "list")
    assert unmigrated.exit_code == 1
    assert "hello.0001_initial" in unmigrated.output
    assert "run `sampark migrate`" in unmigrated.output
    migrated = run_cli("--config", on, "migrate")
    assert migrated.exit_code == 0, migrated.output
    assert "applying hello.0001_initial … done" in migrated.output

    async def add_contacts() -> list[int]:
        async with sampark.open(on) as crm:
            made = [await crm.contacts.create(first_name=name) for name in ("Asha", "Ravi")]
            return [contact.id for contact in made]

    asha_id, ravi_id = asyncio.run(add_contacts())

    listed = run_cli("--config", on, "hello", "list")
    assert listed.exit_code == 0, listed.output
    assert listed.output.splitlines() == [
        f"{ravi_id}\tNamaste, Ravi!",
        f"{asha_id}\tNamaste, Asha!",
    ]
    limited = run_cli("--config", on, "hello", "list", "--limit", "1")
    assert limited.output.splitlines() == [f"{ravi_id}\tNamaste, Ravi!"]

    assert run_cli("--config", off, "hello", "list").exit_code == 2
    assert "hello" not in run_cli("--config", off, "--help").output


def test_a_config_schema_named_by_path_is_imported_only_when_enabled() -> None:
    named = PluginManifest(
        label="greeter",
        name="Greeter",
        version="1.0",
        config_schema="sampark_hello.config:HelloConfig",
    )
    plugins = PluginSet(
        ["greeter"], {"greeter": {"greeting": "Salaam"}}, available={"greeter": named}
    )
    assert plugins.configs["greeter"].greeting == "Salaam"
    wrong = dataclasses.replace(named, config_schema="sampark_hello.config:Nothing")
    with pytest.raises(ConfigError, match=r"plugin greeter: config_schema .* names no class"):
        PluginSet(["greeter"], available={"greeter": wrong})
