"""Tickets using contracts: the default link, counting incidents and hours, atomically.

Everything here runs inside the ticket's own write transaction, through the ``conn`` the
tickets plugin hands over, so a ticket and its contract usage commit or roll back together.
Usage only ever changes by one ``UPDATE … SET used_count = used_count + ?`` statement
(never read, add, write back), so concurrent tickets cannot lose an increment; a CHECK
constraint keeps ``used_count >= 0``.

Rules (see docs/plugins/contracts.md):

* A new ticket for an account is charged to one of the account's contracts that is in
  date (started, not ended) and not exhausted; of several, the one **ending soonest**
  (open-ended last), then the one started first, then the oldest.
* An incidents contract takes one incident per ticket, at the moment of linking; the
  link is made only while the contract has an incident left (checked in the same
  UPDATE), so concurrent tickets never overdraw it.
* An hours contract takes every minute logged on its tickets. Work already under way is
  never refused: usage may go past the hours included; the contract then shows as
  exhausted (and flagged), and new tickets stop linking to it.
* A deleted contract is left alone: no new ticket links to it and time logged on its
  tickets is not counted; restored, it counts again from where it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient

from sampark.core.errors import NotFoundError
from sampark.core.permissions import SYSTEM, Actor
from sampark.core.sql import db_date, db_time, execute, fetch, now, read_time
from sampark.plugins.contracts import services
from sampark.plugins.contracts.records import ContractRecord, TicketLinkRecord

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark


async def _candidates(conn: BaseDBAsyncClient, account_id: int) -> list[dict[str, Any]]:
    day = db_date(conn, services.today())
    return await fetch(
        conn,
        "SELECT c.id, c.unit FROM contracts_contract c WHERE c.account_id = ? "
        f"AND c.deleted_at IS NULL AND {services.in_date_sql()} "
        "AND c.used_count < c.included_count "
        "ORDER BY CASE WHEN c.end_date IS NULL THEN 1 ELSE 0 END, c.end_date, c.start_date, c.id",
        [account_id, day, day],
    )


async def _linked_contract(conn: BaseDBAsyncClient, ticket_id: int) -> int | None:
    rows = await fetch(
        conn, "SELECT contract_id FROM contracts_ticket_link WHERE ticket_id = ?", [ticket_id]
    )
    return rows[0]["contract_id"] if rows else None


async def link_new_ticket(conn: BaseDBAsyncClient, ticket_id: int, account_id: int) -> int | None:
    """Charge a ticket to its account's current contract; the contract's id, or None.

    Does nothing for a ticket already linked. For an incidents contract, the increment
    and the check that an incident is left are one statement: when two tickets race for
    the last incident, one gets it and the other moves on to the next contract (or none).
    """
    if await _linked_contract(conn, ticket_id) is not None:
        return None
    day = db_date(conn, services.today())
    still_current = services.in_date_sql("contracts_contract")
    for candidate in await _candidates(conn, account_id):
        charge = 1 if candidate["unit"] == "incidents" else 0
        if charge:
            taken = await fetch(
                conn,
                "UPDATE contracts_contract SET used_count = used_count + ? "
                "WHERE id = ? AND used_count < included_count AND deleted_at IS NULL "
                f"AND {still_current} "
                "RETURNING id",
                [charge, candidate["id"], day, day],
            )
            if not taken:
                continue
        await execute(
            conn,
            "INSERT INTO contracts_ticket_link (ticket_id, contract_id, used_count, linked_at) "
            "VALUES (?, ?, ?, ?)",
            [ticket_id, candidate["id"], charge, db_time(conn, now())],
        )
        return candidate["id"]
    return None


async def ticket_written(
    kernel: Sampark, conn: BaseDBAsyncClient, ticket: Any, previous: Any
) -> int | None:
    """The ``ticket_written`` hook: link a new ticket (or one just given an account).

    A ticket being deleted gives back what it used; one being restored is linked again.

    Writes go through the ticket's transaction. Linking is a consequence of writing the
    ticket, so it needs no contracts permission of the ticket's writer.
    """
    deleted = getattr(ticket, "deleted_at", None) is not None
    was_deleted = previous is not None and getattr(previous, "deleted_at", None) is not None
    if deleted:
        if not was_deleted:
            await release_ticket(conn, ticket.id)
        return None
    account_id = getattr(ticket, "account_id", None)
    if account_id is None:
        return None
    if (
        previous is not None
        and not was_deleted
        and getattr(previous, "account_id", None) == account_id
    ):
        return None
    return await link_new_ticket(conn, ticket.id, account_id)


async def release_ticket(conn: BaseDBAsyncClient, ticket_id: int) -> int | None:
    """Give back what a deleted ticket used and unlink it; the contract's id, or None.

    A restored ticket is linked afresh, like a new one.
    """
    rows = await fetch(
        conn,
        "DELETE FROM contracts_ticket_link WHERE ticket_id = ? RETURNING contract_id, used_count",
        [ticket_id],
    )
    if not rows:
        return None
    contract_id, used = rows[0]["contract_id"], rows[0]["used_count"]
    if used:
        await execute(
            conn,
            "UPDATE contracts_contract SET used_count = used_count - ? WHERE id = ?",
            [used, contract_id],
        )
    return contract_id


async def time_logged(conn: BaseDBAsyncClient, ticket_id: int, minutes: int) -> int | None:
    """The ``ticket_time_logged`` hook: add ``minutes`` to the ticket's hours contract.

    Returns the contract's id when it counted. Incidents contracts and deleted ones
    ignore time. A
    negative correction is applied too, but can never take usage below zero (the CHECK
    constraint refuses the whole write).
    """
    if not minutes:
        return None
    rows = await fetch(
        conn,
        "UPDATE contracts_contract SET used_count = used_count + ? "
        "WHERE unit = 'hours' AND deleted_at IS NULL AND id = "
        "(SELECT contract_id FROM contracts_ticket_link WHERE ticket_id = ?) RETURNING id",
        [minutes, ticket_id],
    )
    if not rows:
        return None
    await execute(
        conn,
        "UPDATE contracts_ticket_link SET used_count = used_count + ? WHERE ticket_id = ?",
        [minutes, ticket_id],
    )
    return rows[0]["id"]


# ---------------------------------------------------------------------------
# Reading links
# ---------------------------------------------------------------------------


async def contract_of_ticket(
    kernel: Sampark, ticket_id: int, *, actor: Actor = SYSTEM
) -> ContractRecord | None:
    """The contract a ticket is charged to, if the actor may see it."""
    actor.require("contracts.read")
    contract_id = await _linked_contract(kernel.connection, ticket_id)
    if contract_id is None:
        return None
    try:
        return await services.load(kernel, kernel.connection, contract_id, actor)
    except NotFoundError:
        return None


async def linked_tickets(
    kernel: Sampark, contract_id: int, *, limit: int = 100, actor: Actor = SYSTEM
) -> list[TicketLinkRecord]:
    """The tickets charged to a contract, newest link first (at most ``limit``)."""
    contract = await services.get_contract(kernel, contract_id, actor=actor)
    rows = await fetch(
        kernel.connection,
        "SELECT l.ticket_id, l.used_count, l.linked_at FROM contracts_ticket_link l "
        "WHERE l.contract_id = ? ORDER BY l.linked_at DESC, l.id DESC LIMIT ?",
        [contract.id, limit],
    )
    details = await _ticket_details(kernel, [row["ticket_id"] for row in rows], actor)
    links = []
    for row in rows:
        number, title, status = details.get(row["ticket_id"], ("", "", ""))
        links.append(
            TicketLinkRecord(
                ticket_id=row["ticket_id"],
                contract_id=contract.id,
                units_used=services.amount(row["used_count"], contract.unit),
                linked_at=read_time(row["linked_at"]),
                number=number,
                title=title,
                status=status,
            )
        )
    return links


async def _ticket_details(
    kernel: Sampark, ids: list[int], actor: Actor
) -> dict[int, tuple[str, str, str]]:
    """Number, title and status of the tickets the actor may see (the tickets plugin's rows)."""
    if not ids or not actor.can("tickets.read"):
        return {}
    from sampark.plugins.contracts import tickets_bridge

    return await tickets_bridge.ticket_details(kernel, ids, actor)
