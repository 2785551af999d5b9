"""Everything a Sampark plugin may use, in one place: ``from sampark.plugin import …``.

The names below are the public plugin API, versioned as ``PLUGIN_API_VERSION`` and
documented in docs/plugins.md. They keep working across minor versions; anything
imported from elsewhere in ``sampark`` is internal and may change without notice.

Importing this module is cheap: each name is imported from where it lives on first use,
so a plugin's light ``__init__.py`` may take ``PluginManifest`` from here without loading
the web app or the database layer. Editors and type checkers read the imports below.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what editors and type checkers read
    from sampark.core.commands.runner import reported_errors, run_with_kernel, settings_for
    from sampark.core.contributions import DashboardNumber, NavItem, Panel, SearchHit, SearchSource
    from sampark.core.custom_fields import CustomFieldSpec
    from sampark.core.errors import (
        ConfigError,
        FieldError,
        NotFoundError,
        PermissionDenied,
        SamparkError,
        StaleRecordError,
        ValidationError,
    )
    from sampark.core.facades import PluginFacade
    from sampark.core.hookspecs import hookimpl
    from sampark.core.kernel import Sampark
    from sampark.core.manifest import PLUGIN_API_VERSION, PluginManifest
    from sampark.core.pagination import check_limit, decode_cursor, encode_cursor
    from sampark.core.permissions import SYSTEM, Actor, Permission
    from sampark.core.plugins import unique_by
    from sampark.core.records import (
        AccountRecord,
        AuditRecord,
        ContactRecord,
        Page,
        Record,
        TimelineEntry,
    )
    from sampark.core.services.audit import AuditedRecords, audit_page, record_change
    from sampark.core.services.decimals import parse_decimal
    from sampark.core.services.demo import DemoWorld
    from sampark.core.services.lifecycle import RecordLifecycle
    from sampark.core.services.scope import visible_condition, visible_ids, where
    from sampark.core.services.timeline import TimelineKey, TimelineSubject, older_than
    from sampark.core.sql import (
        cents,
        db_date,
        db_time,
        dialect,
        execute,
        fetch,
        from_cents,
        like_pattern,
        marks,
        now,
        read_date,
        read_time,
    )
    from sampark.core.text import text_problem
    from sampark.web.api import (
        ApiCall,
        ApiOperation,
        ApiProblem,
        ApiSchema,
        Param,
        Reply,
        audit_operation,
        page_reply,
        restore_operation,
    )
    from sampark.web.routes.common import actor_of, crm_of, kernel_of, see_other, signed_in
    from sampark.web.templating import render

# Each public name and the module it lives in.
_EXPORTS = {
    "reported_errors": "sampark.core.commands.runner",
    "run_with_kernel": "sampark.core.commands.runner",
    "settings_for": "sampark.core.commands.runner",
    "DashboardNumber": "sampark.core.contributions",
    "NavItem": "sampark.core.contributions",
    "Panel": "sampark.core.contributions",
    "SearchHit": "sampark.core.contributions",
    "SearchSource": "sampark.core.contributions",
    "CustomFieldSpec": "sampark.core.custom_fields",
    "ConfigError": "sampark.core.errors",
    "FieldError": "sampark.core.errors",
    "NotFoundError": "sampark.core.errors",
    "PermissionDenied": "sampark.core.errors",
    "SamparkError": "sampark.core.errors",
    "StaleRecordError": "sampark.core.errors",
    "ValidationError": "sampark.core.errors",
    "PluginFacade": "sampark.core.facades",
    "hookimpl": "sampark.core.hookspecs",
    "Sampark": "sampark.core.kernel",
    "PLUGIN_API_VERSION": "sampark.core.manifest",
    "PluginManifest": "sampark.core.manifest",
    "check_limit": "sampark.core.pagination",
    "decode_cursor": "sampark.core.pagination",
    "encode_cursor": "sampark.core.pagination",
    "Actor": "sampark.core.permissions",
    "Permission": "sampark.core.permissions",
    "SYSTEM": "sampark.core.permissions",
    "unique_by": "sampark.core.plugins",
    "AccountRecord": "sampark.core.records",
    "AuditRecord": "sampark.core.records",
    "ContactRecord": "sampark.core.records",
    "Page": "sampark.core.records",
    "Record": "sampark.core.records",
    "TimelineEntry": "sampark.core.records",
    "AuditedRecords": "sampark.core.services.audit",
    "audit_page": "sampark.core.services.audit",
    "record_change": "sampark.core.services.audit",
    "DemoWorld": "sampark.core.services.demo",
    "RecordLifecycle": "sampark.core.services.lifecycle",
    "visible_condition": "sampark.core.services.scope",
    "visible_ids": "sampark.core.services.scope",
    "where": "sampark.core.services.scope",
    "older_than": "sampark.core.services.timeline",
    "TimelineKey": "sampark.core.services.timeline",
    "TimelineSubject": "sampark.core.services.timeline",
    "cents": "sampark.core.sql",
    "parse_decimal": "sampark.core.services.decimals",
    "db_date": "sampark.core.sql",
    "db_time": "sampark.core.sql",
    "dialect": "sampark.core.sql",
    "execute": "sampark.core.sql",
    "fetch": "sampark.core.sql",
    "from_cents": "sampark.core.sql",
    "like_pattern": "sampark.core.sql",
    "marks": "sampark.core.sql",
    "now": "sampark.core.sql",
    "read_date": "sampark.core.sql",
    "read_time": "sampark.core.sql",
    "text_problem": "sampark.core.text",
    "ApiCall": "sampark.web.api",
    "ApiOperation": "sampark.web.api",
    "ApiProblem": "sampark.web.api",
    "ApiSchema": "sampark.web.api",
    "Param": "sampark.web.api",
    "Reply": "sampark.web.api",
    "audit_operation": "sampark.web.api",
    "page_reply": "sampark.web.api",
    "restore_operation": "sampark.web.api",
    "actor_of": "sampark.web.routes.common",
    "crm_of": "sampark.web.routes.common",
    "kernel_of": "sampark.web.routes.common",
    "see_other": "sampark.web.routes.common",
    "signed_in": "sampark.web.routes.common",
    "render": "sampark.web.templating",
}

__all__ = [
    "PLUGIN_API_VERSION",
    "SYSTEM",
    "AccountRecord",
    "Actor",
    "ApiCall",
    "ApiOperation",
    "ApiProblem",
    "ApiSchema",
    "AuditRecord",
    "AuditedRecords",
    "ConfigError",
    "ContactRecord",
    "CustomFieldSpec",
    "DashboardNumber",
    "DemoWorld",
    "FieldError",
    "NavItem",
    "NotFoundError",
    "Page",
    "Panel",
    "Param",
    "Permission",
    "PermissionDenied",
    "PluginFacade",
    "PluginManifest",
    "Record",
    "RecordLifecycle",
    "Reply",
    "Sampark",
    "SamparkError",
    "SearchHit",
    "SearchSource",
    "StaleRecordError",
    "TimelineEntry",
    "TimelineKey",
    "TimelineSubject",
    "ValidationError",
    "actor_of",
    "audit_operation",
    "audit_page",
    "cents",
    "check_limit",
    "crm_of",
    "db_date",
    "db_time",
    "decode_cursor",
    "dialect",
    "encode_cursor",
    "execute",
    "fetch",
    "from_cents",
    "hookimpl",
    "kernel_of",
    "like_pattern",
    "marks",
    "now",
    "older_than",
    "page_reply",
    "parse_decimal",
    "read_date",
    "read_time",
    "record_change",
    "render",
    "reported_errors",
    "restore_operation",
    "run_with_kernel",
    "see_other",
    "settings_for",
    "signed_in",
    "text_problem",
    "unique_by",
    "visible_condition",
    "visible_ids",
    "where",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sampark.plugin' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
