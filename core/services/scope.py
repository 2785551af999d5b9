"""Which records an actor may see, written once as SQL for every service.

Scope "own" limits contacts and accounts to those the actor owns, and interactions to
those the actor wrote or that involve a contact or account the actor owns. A record out of
scope is answered exactly like a missing one, so its existence never leaks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from sampark.core.errors import ValidationError
from sampark.core.permissions import Actor
from sampark.core.sql import fetch, marks

# Each service's permission for reading, by entity.
READ_PERMISSIONS = {
    "contact": "contacts.read",
    "account": "accounts.read",
    "interaction": "interactions.read",
}


def owner_condition(actor: Actor, alias: str) -> tuple[list[str], list[Any]]:
    """SQL conditions (and their values) keeping contacts or accounts the actor may see.

    Used with the ``(owner_id, sort_name, id)`` indexes, an own-scope list stays a range.
    """
    if actor.sees_everything():
        return [], []
    return [f"{alias}.owner_id = ?"], [actor.user_id]


# The tables of the records a plugin's rows may hang off.
OWNED_TABLES = {"contact": "core_contact", "account": "core_account"}


def _owned_table(entity: str) -> str:
    if entity not in OWNED_TABLES:
        raise ValueError(f"entity must be 'contact' or 'account' (got {entity!r})")
    return OWNED_TABLES[entity]


def visible_condition(actor: Actor, entity: str, column: str) -> tuple[list[str], list[Any]]:
    """SQL conditions keeping rows whose ``column`` names a contact or account ``actor`` sees.

    For a plugin's rows that hang off a contact or account (``t.requester_id``): an
    "own"-scoped actor keeps rows whose record they own (a NULL ``column`` is not kept);
    everyone else keeps every row. Join the result onto a WHERE clause with :func:`where`.
    """
    if actor.sees_everything():
        return [], []
    table = _owned_table(entity)
    return [f"EXISTS (SELECT 1 FROM {table} v WHERE v.id = {column} AND v.owner_id = ?)"], [
        actor.user_id
    ]


async def visible_ids(
    conn: BaseDBAsyncClient, actor: Actor, entity: str, ids: Iterable[int]
) -> set[int]:
    """Which of ``ids`` name a live (not deleted) contact or account ``actor`` may see.

    Check the ids a plugin's input names before writing them: one missing from the answer
    is reported like a missing record, so a record out of scope never shows it exists.
    """
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    conditions, params = owner_condition(actor, "r")
    rows = await fetch(
        conn,
        f"SELECT r.id FROM {_owned_table(entity)} r WHERE r.deleted_at IS NULL "
        f"AND r.id IN ({marks(len(wanted))}){where(conditions)}",
        [*wanted, *params],
    )
    return {row["id"] for row in rows}


def interaction_condition(actor: Actor, alias: str) -> tuple[list[str], list[Any]]:
    """SQL conditions keeping interactions the actor wrote or whose participants they own."""
    if actor.sees_everything():
        return [], []
    participant = (
        "EXISTS (SELECT 1 FROM core_interaction_participant p "
        "JOIN {table} r ON r.id = p.{column} "
        f"WHERE p.interaction_id = {alias}.id AND r.owner_id = ?)"
    )
    condition = (
        f"({alias}.author_id = ? "
        f"OR {participant.format(table='core_contact', column='contact_id')} "
        f"OR {participant.format(table='core_account', column='account_id')})"
    )
    return [condition], [actor.user_id] * 3


def where(conditions: list[str]) -> str:
    """`` AND …`` joining extra conditions onto a WHERE clause ('' for none)."""
    return "".join(f" AND {condition}" for condition in conditions)


def owner_for_new(actor: Actor, given: bool, owner: str | None, where: str = "owner") -> str | None:
    """Who owns a record ``actor`` creates.

    A signed-in user who names no owner owns it; an "own"-scoped user may name nobody but
    themselves (they would lose sight of the record). The system keeps what it was given.
    """
    if actor.is_system:
        return owner
    if actor.sees_everything():
        return owner if given else actor.username
    if owner is None:
        return actor.username
    return owner_for_change(actor, owner, where)


def owner_for_change(actor: Actor, owner: str | None, where: str = "owner") -> str | None:
    """The owner (or author) ``actor`` may give a record: anyone, or for "own" scope themselves.

    Usernames compare case-insensitively, as users are found.
    """
    if actor.sees_everything():
        return owner
    if owner is None or owner.casefold() != actor.username.casefold():
        raise ValidationError.single(
            where, f"you may only give records to yourself ({actor.username}), not {owner!r}"
        )
    return actor.username
