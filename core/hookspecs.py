"""Every hook Sampark calls. Implementations take only the arguments they need.

Collection hooks return a list (or a callable or awaitable giving one); the host merges
the lists and names both plugins when two contribute the same thing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from starlette.routing import BaseRoute

    from sampark.core.contributions import (
        DashboardNumber,
        NavItem,
        Panel,
        SearchSource,
    )
    from sampark.core.custom_fields import CustomFieldSpec
    from sampark.core.errors import FieldError
    from sampark.core.kernel import Sampark
    from sampark.core.permissions import Actor, Permission
    from sampark.core.records import (
        AccountRecord,
        ContactRecord,
        InteractionRecord,
        LinkRecord,
        TimelineEntry,
    )
    from sampark.core.services.audit import AuditedRecords
    from sampark.core.services.demo import DemoWorld
    from sampark.core.services.timeline import TimelineKey, TimelineSubject
    from sampark.web.api.operations import ApiOperation

    # What ``record_saved`` and ``record_deleted`` are given.
    SavedRecord = ContactRecord | AccountRecord | InteractionRecord | LinkRecord

hookspec = pluggy.HookspecMarker("sampark")
hookimpl = pluggy.HookimplMarker("sampark")


# ---------------------------------------------------------------------------
# Start-up
# ---------------------------------------------------------------------------


@hookspec(historic=True)
def add_hookspecs(plugin_manager: pluggy.PluginManager) -> None:
    """Add a plugin's own hookspecs, so other plugins can implement them."""


@hookspec
def startup(kernel: Sampark) -> None:
    """Run once when a kernel has opened its database; may be async."""


# ---------------------------------------------------------------------------
# What the core records accept
# ---------------------------------------------------------------------------


@hookspec
def custom_fields() -> list[CustomFieldSpec]:
    """Declare custom fields (``CustomFieldSpec``) on contacts or accounts."""


@hookspec
def interaction_kinds() -> list[str]:
    """Name interaction kinds beyond call, email, meeting, note and message."""


@hookspec
def permissions() -> list[Permission]:
    """Declare a plugin's ``Permission``s; built-in roles grant them by their suffix."""


@hookspec
def account_kinds() -> list[str]:
    """Name account kinds beyond customer, supplier, partner, competitor, prospect, other."""


# ---------------------------------------------------------------------------
# Record events
# ---------------------------------------------------------------------------


@hookspec
def validate_record(
    kernel: Sampark,
    entity: str,
    data: dict[str, Any],
    existing: ContactRecord | AccountRecord | InteractionRecord | None,
) -> list[FieldError]:
    """Check a record about to be written; return ``FieldError``s to refuse it."""


@hookspec
def record_saved(kernel: Sampark, entity: str, record: SavedRecord, created: bool) -> None:
    """React to a record created or updated (after commit); may be async."""


@hookspec
def records_imported(kernel: Sampark, entity: str, ids: list[int]) -> None:
    """React to many records created at once by an import (after commit); may be async."""


@hookspec
def record_deleted(kernel: Sampark, entity: str, record: SavedRecord, soft: bool) -> None:
    """React to a record deleted (``soft``: restorable) after commit; may be async."""


@hookspec
def audited_records(kernel: Sampark) -> list[AuditedRecords]:
    """Give ``AuditedRecords`` so ``crm.audit(entity, id)`` reads a plugin's own records."""


@hookspec
def demo_data(kernel: Sampark, world: DemoWorld) -> list[str]:
    """Add a plugin's demo records to a demo CRM; say what was added ("40 tickets")."""


# ---------------------------------------------------------------------------
# Timeline and search
# ---------------------------------------------------------------------------


@hookspec
def timeline_entries(
    kernel: Sampark,
    subject: TimelineSubject,
    before: TimelineKey | None,
    limit: int,
    actor: Actor,
) -> list[TimelineEntry]:
    """Give the ``TimelineEntry``s ``actor`` may see older than ``before``, newest first."""


@hookspec
def search_sources(kernel: Sampark, actor: Actor) -> list[SearchSource]:
    """Give ``SearchSource``s that the global search asks alongside contacts and accounts."""


# ---------------------------------------------------------------------------
# Faces: CLI, web routes, navigation and panels
# ---------------------------------------------------------------------------


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add Click commands or groups to the ``sampark`` command."""


@hookspec
def register_routes(kernel: Sampark) -> list[BaseRoute]:
    """Give Starlette routes, mounted under ``/<plugin label>/``."""


@hookspec
def nav_items(kernel: Sampark, actor: Actor) -> list[NavItem]:
    """Give ``NavItem``s for the web UI's navigation as ``actor`` sees it."""


@hookspec
def dashboard_numbers(kernel: Sampark, actor: Actor) -> list[DashboardNumber]:
    """Give ``DashboardNumber``s for the home page as ``actor`` sees it."""


@hookspec
def contact_panels(kernel: Sampark, contact: ContactRecord, actor: Actor) -> list[Panel]:
    """Give ``Panel``s shown to ``actor`` on a contact's page."""


@hookspec
def account_panels(kernel: Sampark, account: AccountRecord, actor: Actor) -> list[Panel]:
    """Give ``Panel``s shown to ``actor`` on an account's page."""


# ---------------------------------------------------------------------------
# The JSON API
# ---------------------------------------------------------------------------


@hookspec
def api_operations(kernel: Sampark) -> list[ApiOperation]:
    """Give ``ApiOperation``s, served under ``/api/v1/<plugin label>/`` and documented."""
