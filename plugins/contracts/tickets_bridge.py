"""What contracts read of the tickets plugin's tables: a ticket's number, subject and status."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sampark.core.permissions import Actor
from sampark.core.sql import fetch, marks

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark


async def ticket_details(
    kernel: Sampark, ids: list[int], actor: Actor
) -> dict[int, tuple[str, str, str]]:
    """``{ticket id: (number, subject, status)}`` of live tickets among ``ids``.

    The caller has checked ``tickets.read``; tickets outside the actor's ticket scope
    (see the tickets plugin) keep only their id.
    """
    from sampark.plugins.tickets.services import scope_condition

    if not ids:
        return {}
    scope, params = scope_condition(actor, "t")
    extra = "".join(f" AND {condition}" for condition in scope)
    rows = await fetch(
        kernel.connection,
        f"SELECT t.id, t.number, t.subject, t.status FROM tickets_ticket t "
        f"WHERE t.id IN ({marks(len(ids))}) AND t.deleted_at IS NULL{extra}",
        [*ids, *params],
    )
    return {row["id"]: (row["number"], row["subject"], row["status"]) for row in rows}
