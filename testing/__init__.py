"""Test fixtures for Sampark and its plugins, shipped with Sampark as a pytest plugin.

Installing Sampark registers ``sampark.testing.fixtures`` with pytest (the ``pytest11`` entry
point), so a plugin's tests get kernels on SQLite and PostgreSQL, users of each role, web,
API and CLI clients, a served app for browser tests and the schemathesis harness without
importing anything. Importing this package is cheap: the database drivers, schemathesis,
hypothesis and Playwright load only inside the fixtures that need them. The fixtures are
listed in docs/plugins.md, "Testing a plugin".
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sampark.testing.browser import USERNAME, Browsing, Server, kernel_do
    from sampark.testing.cli import invoke_cli
    from sampark.testing.clients import (
        PASSWORD,
        SECRET,
        TEST_HOSTS,
        USERS,
        Clients,
        Expect,
        add_users,
    )
    from sampark.testing.databases import POSTGRES_VARIABLE, migrate_back_to, postgres_url
    from sampark.testing.queries import QueryPlans
    from sampark.testing.served import fuzz

# Public name -> the module defining it; loaded on first use, so that pytest imports (and
# rewrites the assertions of) the fixture modules itself.
_HOMES = {
    "USERNAME": "browser",
    "Browsing": "browser",
    "Server": "browser",
    "kernel_do": "browser",
    "invoke_cli": "cli",
    "add_users": "clients",
    "PASSWORD": "clients",
    "SECRET": "clients",
    "TEST_HOSTS": "clients",
    "USERS": "clients",
    "Clients": "clients",
    "Expect": "clients",
    "POSTGRES_VARIABLE": "databases",
    "postgres_url": "databases",
    "migrate_back_to": "databases",
    "QueryPlans": "queries",
    "fuzz": "served",
}

__all__ = [  # noqa: RUF022 - grouped by module, as in _HOMES
    "USERNAME",
    "Browsing",
    "Server",
    "kernel_do",
    "invoke_cli",
    "add_users",
    "PASSWORD",
    "SECRET",
    "TEST_HOSTS",
    "USERS",
    "Clients",
    "Expect",
    "POSTGRES_VARIABLE",
    "postgres_url",
    "migrate_back_to",
    "QueryPlans",
    "fuzz",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f"sampark.testing.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'sampark.testing' has no attribute {name!r}")
