"""The kernel: configuration, plugins and one database context, shared by every face."""

from __future__ import annotations

import contextlib
import html
import os
from collections.abc import Generator, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.context import TortoiseContext, _current_context

from sampark.core import db
from sampark.core.contributions import DashboardNumber, NavItem, Panel
from sampark.core.custom_fields import CustomFieldSpec, index_specs
from sampark.core.errors import ConfigError
from sampark.core.facades import Accounts, Contacts, Interactions, Links
from sampark.core.permissions import BUILTIN_ROLES, CORE_PERMISSIONS, SYSTEM, Actor, Permission
from sampark.core.plugins import PluginSet, unique_by
from sampark.core.records import AccountRecord, AuditRecord, ContactRecord, Page, TimelineEntry
from sampark.core.settings import (
    Settings,
    is_database_url,
    load_settings,
    redact_url,
    sqlite_url,
)
from sampark.core.views import UserView

if TYPE_CHECKING:
    from sampark.core.services.demo import DemoProgress, DemoSummary

CORE_INTERACTION_KINDS = ("call", "email", "meeting", "note", "message")
CORE_ACCOUNT_KINDS = ("customer", "supplier", "partner", "competitor", "prospect", "other")


class Sampark:
    """One CRM: its settings, its plugins and its database connection.

    Several kernels may live in one process (each owns its tortoise context); every
    database call a kernel makes runs inside :meth:`activate`.
    """

    def __init__(self, settings: Settings, plugins: PluginSet | None = None) -> None:
        self.settings = settings
        self.plugins = plugins or PluginSet(settings.plugins, settings.plugin_tables)
        self.hook = self.plugins.hook
        self.custom_fields = self._custom_fields()
        self.interaction_kinds = self._kinds(
            CORE_INTERACTION_KINDS, settings.interaction_kinds, "interaction_kinds"
        )
        self.account_kinds = self._kinds(
            CORE_ACCOUNT_KINDS, settings.account_kinds, "account_kinds"
        )
        self.permission_names = self._permission_names()
        self.roles = {**BUILTIN_ROLES, **{role.name: role for role in settings.roles}}
        self.tortoise_config = db.tortoise_config(settings.database_url, self.plugins.enabled)
        self._context: TortoiseContext | None = None
        self.contacts = Contacts(self)
        self.accounts = Accounts(self)
        self.links = Links(self)
        self.interactions = Interactions(self)

    # -- set-up -------------------------------------------------------------------------

    def _custom_fields(self) -> dict[str, dict[str, CustomFieldSpec]]:
        specs = list(self.settings.custom_fields)
        for contribution in self.plugins.collect("custom_fields"):
            spec = contribution.item
            if not isinstance(spec, CustomFieldSpec):
                raise ConfigError(
                    f"plugin {contribution.plugin}: custom_fields must give CustomFieldSpec items"
                )
            specs.append(replace(spec, source=f"plugin {contribution.plugin}"))
        try:
            return index_specs(specs)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None

    def _permission_names(self) -> dict[str, str]:
        """Every permission (name → description): core's and the enabled plugins'."""
        names = dict(CORE_PERMISSIONS)
        contributions = self.plugins.collect("permissions")
        for contribution in unique_by(contributions, lambda p: p.name, "permission"):
            permission = contribution.item
            if not isinstance(permission, Permission):
                raise ConfigError(
                    f"plugin {contribution.plugin}: permissions must give Permission items"
                )
            if permission.name in names:
                raise ConfigError(
                    f"plugin {contribution.plugin}: permission {permission.name!r} is core's"
                )
            names[permission.name] = permission.description
        return names

    def _kinds(self, core: Iterable[str], configured: Iterable[str], hook: str) -> tuple[str, ...]:
        kinds = list(core) + list(configured)
        kinds += [c.item for c in self.plugins.collect(hook)]
        return tuple(dict.fromkeys(kinds))

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgres``."""
        return "postgres" if self.settings.database_url.startswith("postgres") else "sqlite"

    async def start(
        self,
        *,
        migrate: bool = False,
        create_db: bool = False,
        progress: db.Progress | None = None,
    ) -> Sampark:
        """Connect; apply pending migrations if ``migrate``, else refuse an outdated schema.

        ``progress(event, app_label, name)`` hears each migration start and finish (and
        ``create_database`` when ``create_db`` creates a missing PostgreSQL database; without
        ``create_db`` a missing one is a ConfigError that says how to create it).
        """
        if self._context is not None:
            return self
        db.claim_engine(self.dialect)
        try:
            self._context = await db.open_context(
                self.tortoise_config, create_db=create_db, progress=progress
            )
        except BaseException:
            db.release_engine(self.dialect)
            raise
        try:
            if migrate:
                await self.migrate(progress)
            else:
                pending = await self.pending_migrations()
                if pending:
                    raise ConfigError(
                        f"the database needs {len(pending)} migration(s) "
                        f"({', '.join(pending[:3])}{', …' if len(pending) > 3 else ''}): "
                        "run `sampark migrate`"
                    )
            with self.activate():
                await self.plugins.notify("startup", kernel=self)
        except BaseException:
            await self.close()
            raise
        return self

    async def close(self) -> None:
        """Close the database connection; the kernel can be started again."""
        if self._context is not None:
            context, self._context = self._context, None
            try:
                with context:
                    await context.close_connections()
            finally:
                db.release_engine(self.dialect)

    async def __aenter__(self) -> Sampark:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @contextlib.contextmanager
    def activate(self) -> Generator[None, None, None]:
        """Make this kernel's database the one tortoise models use, for the block."""
        if self._context is None:
            raise RuntimeError("the kernel is not started: use `await sampark.open(...)`")
        # A token of our own, not TortoiseContext.__enter__'s single shared one, so many
        # tasks (concurrent requests, gather) can use one kernel at once.
        token = _current_context.set(self._context)
        try:
            yield
        finally:
            _current_context.reset(token)

    @property
    def connection(self) -> BaseDBAsyncClient:
        """The raw tortoise connection, for SQL the ORM cannot express (use inside activate)."""
        if self._context is None:
            raise RuntimeError("the kernel is not started")
        return self._context.db()

    # -- migrations -----------------------------------------------------------------------

    async def pending_migrations(self) -> list[str]:
        with self.activate():
            return await db.pending_migrations(self.connection, self.tortoise_config)

    async def migrate(self, progress: db.Progress | None = None) -> list[str]:
        """Apply pending migrations of core and the enabled plugins; return what ran."""
        with self.activate():
            return await db.apply_migrations(self.connection, self.tortoise_config, progress)

    # -- cross-record views ---------------------------------------------------------------

    def as_user(self, actor: Actor) -> UserView:
        """The CRM as ``actor`` sees it: the same record APIs, checked and scoped.

        ``crm.contacts`` and the other views on the kernel itself run as the system
        (every permission, no scope): a notebook or script is trusted like the CLI.
        """
        return UserView(self, actor)

    def plugin_config(self, label: str) -> Any:
        """The validated config object of an enabled plugin."""
        return self.plugins.configs.get(label)

    async def timeline(
        self, subject: Any, *, cursor: str | None = None, limit: int = 50
    ) -> Page[TimelineEntry]:
        """A contact's or account's interactions and plugin entries, newest first.

        ``subject`` is a ContactRecord or AccountRecord, or ``("contact", id)`` /
        ``("account", id)``.
        """
        return await self.as_user(SYSTEM).timeline(subject, cursor=cursor, limit=limit)

    async def audit(
        self, entity: str, record_id: int, *, cursor: str | None = None, limit: int = 50
    ) -> Page[AuditRecord]:
        """A record's audit trail, newest first: ``await crm.audit("contact", 7)``."""
        return await self.as_user(SYSTEM).audit(entity, record_id, cursor=cursor, limit=limit)

    async def demo(
        self,
        *,
        contacts: int = 300,
        seed: int | None = None,
        progress: DemoProgress | None = None,
    ) -> DemoSummary:
        """Fill the CRM with demo users, accounts, contacts, interactions and plugin records.

        What ``sampark demo`` writes; the first admin gets a share of the follow-ups,
        deals and tickets, so their dashboard is busy when they sign in.
        """
        from sampark.core.services.demo import create_demo_data

        with self.activate():
            return await create_demo_data(self, contacts=contacts, seed=seed, progress=progress)

    async def search(self, query: str, *, limit_per_source: int = 10) -> dict[str, list[Any]]:
        """Search contacts, accounts and every plugin's search source at once."""
        return await self.as_user(SYSTEM).search(query, limit_per_source=limit_per_source)

    def nav_items(self) -> list[NavItem]:
        """Navigation links from core and the enabled plugins, in display order."""
        return self.as_user(SYSTEM).nav_items()

    async def panels(self, record: ContactRecord | AccountRecord) -> list[Panel]:
        """Boxes plugins show on a contact's or an account's page, in display order."""
        return await self.as_user(SYSTEM).panels(record)

    async def dashboard_numbers(self) -> list[DashboardNumber]:
        """Figures the enabled plugins put on the home page, in display order."""
        return await self.as_user(SYSTEM).dashboard_numbers()

    def _repr_html_(self) -> str:
        plugins = ", ".join(self.plugins.enabled_labels) or "none"
        database = html.escape(redact_url(self.settings.database_url))
        return (
            "<table><caption>Sampark</caption>"
            f"<tr><th>database</th><td>{database}</td></tr>"
            f"<tr><th>plugins</th><td>{html.escape(plugins)}</td></tr></table>"
        )

    def __repr__(self) -> str:
        plugins = ",".join(self.plugins.enabled_labels) or "-"
        return f"<Sampark {redact_url(self.settings.database_url)} plugins={plugins}>"


class _Opener:
    """What :func:`open` returns: await it, or use it with ``async with``."""

    def __init__(self, kernel: Sampark, migrate: bool) -> None:
        self._kernel = kernel
        self._migrate = migrate

    def __await__(self) -> Generator[Any, None, Sampark]:
        return self._start().__await__()

    async def __aenter__(self) -> Sampark:
        return await self._start()

    async def _start(self) -> Sampark:
        # Like `sampark migrate`: migrating creates a missing PostgreSQL database first.
        return await self._kernel.start(migrate=self._migrate, create_db=self._migrate)

    async def __aexit__(self, *exc_info: object) -> None:
        await self._kernel.close()


def open(
    source: str | os.PathLike[str] | None = None,
    *,
    plugins: list[str] | tuple[str, ...] | None = None,
    migrate: bool = False,
) -> _Opener:
    """Open a CRM from a config file, a SQLite file or a database URL.

    ``crm = await sampark.open("sampark.toml")``; a path not ending in ``.toml`` is a
    SQLite file (``sampark.open("crm.db", migrate=True)``, relative to the current folder);
    a URL is ``sqlite://relative.db``, ``sqlite:///absolute/path.db`` or
    ``postgres://user@host/dbname``. ``async with sampark.open(…) as crm`` closes it after.
    ``plugins`` replaces the configured plugin list; ``migrate=True`` applies pending
    migrations first, creating a missing PostgreSQL database as ``sampark migrate`` does.
    """
    if source is not None and not is_database_url(str(source)) and Path(source).suffix != ".toml":
        source = sqlite_url(source)
    settings = load_settings(source, plugins=plugins)
    return _Opener(Sampark(settings), migrate)
