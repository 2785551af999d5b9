"""Shapes that plugins hand to the host through hooks: search sources, nav items, panels."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sampark.core.records import Record


@dataclass(frozen=True)
class SearchHit(Record):
    """One result of the global search, whatever it came from.

    Attributes:
        source: the name of the ``SearchSource`` that found it.
        ref: a stable reference to the record (``"deal:7"``).
        title: the line people read first.
        subtitle: a second, quieter line ("Acme · Proposal").
        url: the record's page, if it has one.
    """

    source: str
    ref: str
    title: str
    subtitle: str = ""
    url: str | None = None


@dataclass(frozen=True)
class SearchSource:
    """Something the global search asks: ``search(kernel, query, limit)`` gives SearchHits.

    Attributes:
        name: unique among all sources (two sources with one name fail at start-up).
        label: the heading of its results ("Deals").
        search: ``async search(kernel, query, limit)`` giving ``SearchHit``s; one that
            also takes ``actor`` is told who is searching and must return only what that
            actor may see.
        permission: actors without it never ask this source (None: everyone does).
    """

    name: str
    label: str
    search: Callable[..., Awaitable[list[SearchHit]]]
    permission: str | None = None

    async def ask(self, kernel: Any, query: str, limit: int, actor: Any) -> list[SearchHit]:
        """Call ``search``, passing ``actor`` only to a function that takes it."""
        if _takes_actor(self.search):
            return await self.search(kernel, query, limit, actor=actor)
        return await self.search(kernel, query, limit)


def _takes_actor(function: Callable[..., Any]) -> bool:
    parameters = inspect.signature(function).parameters.values()
    return any(
        parameter.name == "actor" or parameter.kind is inspect.Parameter.VAR_KEYWORD
        for parameter in parameters
    )


@dataclass(frozen=True)
class NavItem:
    """A link in the web UI's navigation.

    Attributes:
        label: the link text.
        url: where it goes (``/pipeline/``).
        order: links sort by ``(order, label)``; core's come first.
        permission: shown only to actors with it (None: to everyone signed in).
    """

    label: str
    url: str
    order: int = 100
    permission: str | None = None


@dataclass(frozen=True)
class Panel:
    """A box on a contact's or account's page.

    Attributes:
        title: the box's heading.
        html: its body, inserted as is: escape every value you put in it.
        order: panels sort by ``(order, title)``.
    """

    title: str
    html: str
    order: int = 100


@dataclass(frozen=True)
class DashboardNumber:
    """A figure on the home page ("3 tickets breaching soon"), linking to where it comes from.

    Attributes:
        label: what is counted ("open deals").
        value: the figure (a count, or preformatted text such as an amount).
        url: the page listing what was counted.
        order: figures sort by ``(order, label)``.
        alert: needs attention now; the page highlights it when not zero.
    """

    label: str
    value: int | str
    url: str | None = None
    order: int = 100
    alert: bool = False
