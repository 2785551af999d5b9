"""The commands contacts and accounts share: show, delete, restore and search.

Each group describes its records once (:class:`RecordCommands`) and gets the four
commands; ``add``, ``list`` and ``edit`` stay in the group's module, since their options
differ.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import click

from sampark.core.commands.options import json_option
from sampark.core.commands.output import echo_fields, echo_json, echo_page, say
from sampark.core.commands.runner import run_with_kernel
from sampark.core.kernel import Sampark


@dataclass(frozen=True)
class RecordCommands:
    """How one kind of record is shown on the command line."""

    entity: str  # "contact", "account"
    headers: Sequence[str]
    row: Callable[[Any], list[str]]
    fields: Callable[[Any, Any, Any], list[tuple[str, str]]]
    name: Callable[[Any], str]
    search_help: str

    @property
    def plural(self) -> str:
        return f"{self.entity}s"

    def records(self, crm: Sampark) -> Any:
        """The kernel's facade for these records (``crm.contacts``)."""
        return getattr(crm, self.plural)

    def echo_saved(self, record: Any, verb: str, as_json: bool) -> None:
        if as_json:
            echo_json(record.to_dict())
        else:
            say(f"{verb} {self.entity} {record.id}: {self.name(record)} (version {record.version})")

    def echo_page(self, page: Any, as_json: bool, empty: str) -> None:
        echo_page(page, as_json=as_json, headers=self.headers, row=self.row, empty=empty)

    def add_to(self, group: click.Group) -> None:
        """Add ``show``, ``delete``, ``restore`` and ``search`` to ``group``."""
        entity, plural = self.entity, self.plural
        other = "contacts" if entity == "account" else "accounts"
        article = "an" if entity[0] in "aeiou" else "a"

        @group.command(
            "show",
            help=f"Every field of {article} {entity}, with the {other} linked to it "
            "(deleted ones too).",
        )
        @click.argument("record_id", metavar=f"{entity.upper()}_ID", type=int)
        @json_option
        @click.pass_context
        def show(ctx: click.Context, record_id: int, as_json: bool) -> None:
            async def load(crm: Sampark) -> tuple[Any, ...]:
                record = await self.records(crm).get(record_id, include_deleted=True)
                links = await getattr(crm.links, f"of_{entity}")(record_id)
                return record, links, crm.custom_fields[entity]

            record, links, specs = run_with_kernel(ctx, load)
            if as_json:
                echo_json({**record.to_dict(), "links": links.to_dicts()})
            else:
                echo_fields(self.fields(record, links, specs))

        @group.command(
            "delete",
            help=f"Delete {article} {entity} (restorable: it only leaves lists and search).",
        )
        @click.argument("record_id", metavar=f"{entity.upper()}_ID", type=int)
        @click.pass_context
        def delete(ctx: click.Context, record_id: int) -> None:
            run_with_kernel(ctx, lambda crm: self.records(crm).delete(record_id))
            click.echo(
                f"Deleted {entity} {record_id} (undo with: sampark {plural} restore {record_id})"
            )

        @group.command("restore", help=f"Bring a deleted {entity} back.")
        @click.argument("record_id", metavar=f"{entity.upper()}_ID", type=int)
        @json_option
        @click.pass_context
        def restore(ctx: click.Context, record_id: int, as_json: bool) -> None:
            record = run_with_kernel(ctx, lambda crm: self.records(crm).restore(record_id))
            self.echo_saved(record, "Restored", as_json)

        @group.command("search", help=self.search_help)
        @click.argument("query")
        @click.option(
            "--limit",
            type=click.IntRange(1, 500),
            default=20,
            show_default=True,
            help="Most results.",
        )
        @json_option
        @click.pass_context
        def search(ctx: click.Context, query: str, limit: int, as_json: bool) -> None:
            page = run_with_kernel(ctx, lambda crm: self.records(crm).search(query, limit=limit))
            self.echo_page(page, as_json, f"No {plural} found.")
