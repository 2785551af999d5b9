"""Every hook Sampark calls. Implementations take only the arguments they need.

Collection hooks return a list (or a callable or awaitable giving one); the host merges
the lists and names both plugins when two contribute the same thing.
"""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("sampark")
hookimpl = pluggy.HookimplMarker("sampark")


# ---------------------------------------------------------------------------
# Start-up
# ---------------------------------------------------------------------------


@hookspec(historic=True)
def add_hookspecs(plugin_manager: pluggy.PluginManager) -> None:
    """Add a plugin's own hookspecs, so other plugins can implement them."""


@hookspec
def startup(kernel: Any) -> None:
    """Run once when a kernel has opened its database; may be async."""


# ---------------------------------------------------------------------------
# What the core records accept
# ---------------------------------------------------------------------------


@hookspec
def custom_fields() -> list[Any]:
    """Declare custom fields (``CustomFieldSpec``) on contacts or accounts."""


@hookspec
def interaction_kinds() -> list[str]:
    """Name interaction kinds beyond call, email, meeting, note and message."""


@hookspec
def permissions() -> list[Any]:
    """Declare a plugin's ``Permission``s; built-in roles grant them by their suffix."""


@hookspec
def account_kinds() -> list[str]:
    """Name account kinds beyond customer, supplier, partner, competitor, prospect, other."""


# ---------------------------------------------------------------------------
# Record events
# ---------------------------------------------------------------------------


@hookspec
def validate_record(kernel: Any, entity: str, data: dict[str, Any], existing: Any) -> list[Any]:
    """Check a record about to be written; return ``FieldError``s to refuse it."""


@hookspec
def record_saved(kernel: Any, entity: str, record: Any, created: bool) -> None:
    """React to a record created or updated (after commit); may be async."""


@hookspec
def records_imported(kernel: Any, entity: str, ids: list[int]) -> None:
    """React to many records created at once by an import (after commit); may be async."""


@hookspec
def record_deleted(kernel: Any, entity: str, record: Any, soft: bool) -> None:
    """React to a record deleted (``soft``: restorable) after commit; may be async."""


@hookspec
def audited_records(kernel: Any) -> list[Any]:
    """Give ``AuditedRecords`` so ``crm.audit(entity, id)`` reads a plugin's own records."""


@hookspec
def demo_data(kernel: Any, world: Any) -> list[str]:
    """Add a plugin's demo records to a demo CRM; say what was added ("40 tickets")."""


# ---------------------------------------------------------------------------
# Timeline and search
# ---------------------------------------------------------------------------


@hookspec
def timeline_entries(kernel: Any, subject: Any, before: Any, limit: int, actor: Any) -> list[Any]:
    """Give the ``TimelineEntry``s ``actor`` may see older than ``before``, newest first."""


@hookspec
def search_sources(kernel: Any, actor: Any) -> list[Any]:
    """Give ``SearchSource``s that the global search asks alongside contacts and accounts."""


# ---------------------------------------------------------------------------
# Faces: CLI, web routes, navigation and panels
# ---------------------------------------------------------------------------


@hookspec
def register_commands(cli: Any) -> None:
    """Add Click commands or groups to the ``sampark`` command."""


@hookspec
def register_routes(kernel: Any) -> list[Any]:
    """Give Starlette routes, mounted under ``/<plugin label>/``."""


@hookspec
def nav_items(kernel: Any, actor: Any) -> list[Any]:
    """Give ``NavItem``s for the web UI's navigation as ``actor`` sees it."""


@hookspec
def dashboard_numbers(kernel: Any, actor: Any) -> list[Any]:
    """Give ``DashboardNumber``s for the home page as ``actor`` sees it."""


@hookspec
def contact_panels(kernel: Any, contact: Any, actor: Any) -> list[Any]:
    """Give ``Panel``s shown to ``actor`` on a contact's page."""


@hookspec
def account_panels(kernel: Any, account: Any, actor: Any) -> list[Any]:
    """Give ``Panel``s shown to ``actor`` on an account's page."""


# ---------------------------------------------------------------------------
# The JSON API
# ---------------------------------------------------------------------------


@hookspec
def api_operations(kernel: Any) -> list[Any]:
    """Give ``ApiOperation``s, served under ``/api/v1/<plugin label>/`` and documented."""
