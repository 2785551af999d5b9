"""Shapes that plugins hand to the host through hooks: search sources, nav items, panels."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sampark.core.records import Record


@dataclass(frozen=True)
class SearchHit(Record):
    """One result of the global search, whatever it came from."""

    source: str
    ref: str
    title: str
    subtitle: str = ""
    url: str | None = None


@dataclass(frozen=True)
class SearchSource:
    """Something the global search asks: ``search(kernel, query, limit)`` gives SearchHits."""

    name: str
    label: str
    search: Callable[..., Awaitable[list[SearchHit]]]


@dataclass(frozen=True)
class NavItem:
    """A link in the web UI's navigation."""

    label: str
    url: str
    order: int = 100
    permission: str | None = None


@dataclass(frozen=True)
class Panel:
    """A box on a contact's or account's page: a title and ready-escaped HTML."""

    title: str
    html: str
    order: int = 100
