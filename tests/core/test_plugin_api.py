"""The public plugin API: ``sampark.plugin``, its version, and the scoping helpers it exports."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import json
import subprocess
import sys
from typing import Any

import pytest

import sampark.plugin
from sampark.core.errors import ConfigError, SamparkError
from sampark.core.kernel import Sampark
from sampark.core.manifest import PLUGIN_API_VERSION, PluginManifest, api_incompatibility
from sampark.core.permissions import actor_for
from sampark.core.plugins import PluginSet
from sampark.core.services.users import create_user
from sampark.plugin import SYSTEM, Actor, fetch, visible_condition, visible_ids, where

# -- the module --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sampark.plugin.__all__)
def test_every_public_name_resolves_to_the_object_where_it_lives(name: str) -> None:
    home = importlib.import_module(sampark.plugin._EXPORTS[name])
    assert getattr(sampark.plugin, name) is getattr(home, name)


def test_all_lists_exactly_the_exported_names() -> None:
    assert sorted(sampark.plugin.__all__) == sorted(sampark.plugin._EXPORTS)
    assert set(sampark.plugin.__all__) <= set(dir(sampark.plugin))
    with pytest.raises(AttributeError, match="has no attribute 'fetch_all'"):
        sampark.plugin.fetch_all  # noqa: B018


def test_importing_the_module_loads_neither_the_web_app_nor_the_database() -> None:
    script = (
        "import json, sys\n"
        "from sampark.plugin import PluginManifest, hookimpl\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('starlette', 'tortoise', 'sampark'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(done.stdout))
    assert not any(name.startswith(("starlette", "tortoise", "sampark.web")) for name in loaded)
    assert "sampark.core.manifest" in loaded


def _public_classes() -> list[tuple[str, type]]:
    return [
        (name, value)
        for name in sampark.plugin.__all__
        if inspect.isclass(value := getattr(sampark.plugin, name))
    ]


def _fields(cls: type) -> list[str]:
    if dataclasses.is_dataclass(cls):
        return [field.name for field in dataclasses.fields(cls)]
    if hasattr(cls, "_fields"):  # a NamedTuple
        return list(cls._fields)
    if issubclass(cls, Exception) and "__init__" in vars(cls):  # what its __init__ keeps
        return [name for name in inspect.signature(cls.__init__).parameters if name != "self"]
    return []


@pytest.mark.parametrize(("name", "cls"), _public_classes())
def test_every_public_class_says_what_each_field_is(name: str, cls: type) -> None:
    doc = inspect.getdoc(cls) or ""
    assert doc, f"{name} has no docstring"
    undocumented = [field for field in _fields(cls) if f"{field}" not in doc]
    assert undocumented == [], f"the docstring of {name} does not name {undocumented}"


def test_the_errors_are_sampark_errors() -> None:
    names = ("ConfigError", "NotFoundError", "PermissionDenied", "StaleRecordError")
    for name in (*names, "ValidationError"):
        assert issubclass(getattr(sampark.plugin, name), SamparkError)


# -- the plugin API version ----------------------------------------------------------------


def test_the_version_rule_same_major_and_no_newer_minor() -> None:
    major, minor = (int(part) for part in PLUGIN_API_VERSION.split("."))
    assert api_incompatibility(PLUGIN_API_VERSION) is None
    assert api_incompatibility(f"{major}.{minor}", f"{major}.{minor + 3}") is None
    assert api_incompatibility("1.4", "1.2") == (
        "written for plugin API 1.4, newer than this Sampark's plugin API 1.2: upgrade Sampark"
    )
    assert api_incompatibility("2.0", "1.2") == (
        "written for plugin API 2.0; this Sampark provides plugin API 1.2"
    )
    assert api_incompatibility("1.0", "2.0") == (
        "written for plugin API 1.0; this Sampark provides plugin API 2.0"
    )


def _manifest(label: str, **fields: Any) -> PluginManifest:
    return PluginManifest(label=label, name=label.title(), version="1.0", **fields)


def test_a_plugin_for_another_major_version_is_refused_naming_both_versions() -> None:
    future = f"{int(PLUGIN_API_VERSION.split('.')[0]) + 1}.0"
    available = {"loyalty": _manifest("loyalty", plugin_api=future)}
    with pytest.raises(ConfigError) as refused:
        PluginSet(["loyalty"], available=available)
    assert str(refused.value) == (
        f"plugin loyalty: written for plugin API {future}; "
        f"this Sampark provides plugin API {PLUGIN_API_VERSION}"
    )
    # Installed but not enabled, it stands in nobody's way.
    assert PluginSet([], available=available).enabled_labels == []


def test_a_plugin_stating_the_current_version_or_none_is_enabled() -> None:
    available = {
        "stated": _manifest("stated", plugin_api=PLUGIN_API_VERSION),
        "unstated": _manifest("unstated"),
    }
    assert PluginSet(["stated", "unstated"], available=available).enabled_labels == [
        "stated",
        "unstated",
    ]


def test_the_shipped_plugins_state_the_current_version() -> None:
    for manifest in PluginSet([]).available.values():
        assert manifest.plugin_api == PLUGIN_API_VERSION, manifest.label


@pytest.mark.parametrize("version", ["1", "v1.0", "1.0.0", "", "one.two"])
def test_a_malformed_version_is_refused_when_the_manifest_is_built(version: str) -> None:
    with pytest.raises(ValueError, match=r"^plugin loyalty: plugin API version must be MAJOR"):
        _manifest("loyalty", plugin_api=version)


# -- rows hanging off contacts and accounts, on both engines ---------------------------------


async def _agent(crm: Sampark, username: str) -> Actor:
    with crm.activate():
        user_id = await create_user(crm, username)
    return actor_for(user_id, username, ("agent",), crm.roles, crm.permission_names)


async def test_visible_ids_keep_live_records_the_actor_owns(crm: Sampark) -> None:
    asha = await _agent(crm, "asha")
    ravi = await _agent(crm, "ravi")
    hers = await crm.contacts.create(first_name="Meera", owner="asha")
    gone = await crm.contacts.create(first_name="Old", owner="asha")
    his = await crm.contacts.create(first_name="Kiran", owner="ravi")
    account = await crm.accounts.create(name="Acme", owner="asha")
    await crm.contacts.delete(gone.id)
    ids = [hers.id, gone.id, his.id, 10**9]

    with crm.activate():
        conn = crm.connection
        assert await visible_ids(conn, asha, "contact", ids) == {hers.id}
        assert await visible_ids(conn, ravi, "contact", ids) == {his.id}
        assert await visible_ids(conn, SYSTEM, "contact", ids) == {hers.id, his.id}
        assert await visible_ids(conn, asha, "account", [account.id]) == {account.id}
        assert await visible_ids(conn, ravi, "account", [account.id]) == set()
        assert await visible_ids(conn, asha, "contact", []) == set()
    with pytest.raises(ValueError, match="entity must be 'contact' or 'account'"):
        await visible_ids(crm.connection, asha, "deal", [1])


async def test_visible_condition_scopes_rows_that_hang_off_contacts(crm: Sampark) -> None:
    asha = await _agent(crm, "asha")
    await _agent(crm, "ravi")
    hers = await crm.contacts.create(first_name="Meera", owner="asha")
    his = await crm.contacts.create(first_name="Kiran", owner="ravi")
    # Rows of a plugin's own that name a contact: interactions stand in for them here.
    for contact in (hers, his):
        await crm.interactions.log(kind="call", subject=contact.display_name, contacts=[contact.id])

    async def subjects(actor: Actor) -> list[str]:
        conditions, params = visible_condition(actor, "contact", "p.contact_id")
        rows = await fetch(
            crm.connection,
            "SELECT i.subject FROM core_interaction i JOIN core_interaction_participant p "
            f"ON p.interaction_id = i.id WHERE p.contact_id IS NOT NULL{where(conditions)} "
            "ORDER BY i.subject",
            params,
        )
        return [row["subject"] for row in rows]

    with crm.activate():
        assert await subjects(asha) == ["Meera"]
        assert await subjects(SYSTEM) == ["Kiran", "Meera"]
