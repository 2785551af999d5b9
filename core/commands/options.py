"""Options shared by several commands, and the small parsers behind them.

Parsers only split what was typed into the shape the services take; the services do
all checking, so the CLI, the web app and notebooks refuse the same input the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import click

F = Callable[..., Any]


def labelled(values: Iterable[str], key: str) -> list[dict[str, str]]:
    """``work:asha@example.in`` -> ``{"label": "work", key: "asha@example.in"}``.

    The part before the first colon is a label only when it is a plain word, so an
    address or number with a colon in it is passed on whole.
    """
    items = []
    for value in values:
        label, colon, rest = value.partition(":")
        if colon and label.strip().replace("-", "").replace("_", "").isalnum():
            items.append({"label": label.strip(), key: rest.strip()})
        else:
            items.append({key: value})
    return items


def custom_values(values: Iterable[str]) -> dict[str, str]:
    """``--field NAME=VALUE`` pairs as a dict; the service checks names and types."""
    fields: dict[str, str] = {}
    for value in values:
        name, equals, text = value.partition("=")
        if not equals or not name.strip():
            raise click.BadParameter(f"{value!r} is not NAME=VALUE", param_hint="--field")
        fields[name.strip()] = text
    return fields


def subject_ref(text: str) -> tuple[str, int]:
    """``contact:12``, ``c:12``, ``account:7``, ``a:7`` or a bare ``12`` (a contact)."""
    kind, colon, number = text.strip().partition(":")
    if not colon:
        kind, number = "contact", kind
    kinds = {"contact": "contact", "c": "contact", "account": "account", "a": "account"}
    entity = kinds.get(kind.strip().lower())
    if entity is None or not number.strip().isdigit():
        raise click.BadParameter(
            f"{text!r}: write contact:ID or account:ID (c:ID, a:ID, or a bare contact ID)",
            param_hint="SUBJECT",
        )
    return entity, int(number)


class LocalDateTime(click.ParamType):
    """An ISO date or date-time; without a time zone it is the user's local time."""

    name = "datetime"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.datetime):
            return value
        try:
            moment = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(
                f"{value!r} is not a date-time such as 2026-12-01T10:00 or 2026-12-01", param, ctx
            )
        return moment if moment.tzinfo else moment.astimezone()


LOCAL_DATETIME = LocalDateTime()


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(func)


def page_options(func: F) -> F:
    """``--limit`` and ``--cursor`` of every paged listing."""
    func = click.option(
        "--cursor", help="Continue after the page that printed this cursor on its last line."
    )(func)
    return click.option(
        "--limit", type=click.IntRange(1, 500), default=50, show_default=True, help="Rows per page."
    )(func)


def channel_options(func: F) -> F:
    """The options contacts and accounts share: emails, phones, tags, owner, notes, fields."""
    options = [
        click.option(
            "--email",
            "emails",
            multiple=True,
            metavar="[LABEL:]ADDRESS",
            help="Email address, e.g. work:asha@example.in (repeatable; on edit, replaces all).",
        ),
        click.option(
            "--phone",
            "phones",
            multiple=True,
            metavar="[LABEL:]NUMBER",
            help="Phone number, e.g. mobile:+91 98765 43210 (repeatable; on edit, replaces all).",
        ),
        click.option(
            "--tag", "tags", multiple=True, help="Tag (repeatable; on edit, replaces all)."
        ),
        click.option("--owner", help="Username of the user who owns the record."),
        click.option("--notes", help="Free text notes."),
        click.option(
            "--field",
            "fields",
            multiple=True,
            metavar="NAME=VALUE",
            help="A custom field's value; NAME= clears it (repeatable).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def channel_data(
    emails: tuple[str, ...],
    phones: tuple[str, ...],
    tags: tuple[str, ...],
    owner: str | None,
    notes: str | None,
    fields: tuple[str, ...],
) -> dict[str, Any]:
    """The input for the shared options that were given (absent ones are left out)."""
    data: dict[str, Any] = {}
    if emails:
        data["emails"] = labelled(emails, "email")
    if phones:
        data["phones"] = labelled(phones, "number")
    if tags:
        data["tags"] = list(tags)
    if owner is not None:
        data["owner"] = owner
    if notes is not None:
        data["notes"] = notes
    if fields:
        data["custom"] = custom_values(fields)
    return data


def given(**values: Any) -> dict[str, Any]:
    """Keep only the options the user actually gave (None means "not given")."""
    return {key: value for key, value in values.items() if value is not None}
