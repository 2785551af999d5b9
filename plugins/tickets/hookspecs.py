"""Hooks the tickets plugin publishes, so other plugins (contracts, billing) can join in.

Plugins implementing them list ``requires=("tickets",)`` or mark their implementations
``@hookimpl(optionalhook=True)``.
"""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("sampark")


@hookspec
def ticket_written(kernel: Any, conn: Any, ticket: Any, previous: Any, actor: Any) -> None:
    """Join the transaction that creates (``previous`` is None) or changes a ticket.

    Called after the ticket's row is written, before the commit; ``ticket`` and ``previous``
    are ``TicketRecord``s. Write through ``conn`` so your rows commit or roll back with the
    ticket; raise ``ValidationError`` to refuse the whole write. May be async.
    """


@hookspec
def ticket_time_logged(kernel: Any, conn: Any, ticket: Any, minutes: int, actor: Any) -> None:
    """Join the transaction that logs ``minutes`` of work on a ticket (a reply or a note)."""


@hookspec
def ticket_panels(kernel: Any, ticket: Any, actor: Any) -> list[Any]:
    """Give ``Panel``s shown to ``actor`` on a ticket's page. May be async."""
