"""Plain records the services return: cheap to build, JSON-ready, tables in Jupyter."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def to_jsonable(value: Any) -> Any:
    """Dates become ISO text, decimals strings, records dicts; the rest stays as it is."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [to_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: to_jsonable(item) for key, item in value.items()}
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_cell(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_cell(item)}" for key, item in value.items())
    return str(value)


class Record:
    """Mixin for a plugin's frozen dataclass records: ``to_dict()`` and a table in Jupyter.

    ``to_dict()`` gives JSON-ready values (dates as ISO text, decimals as strings).
    """

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(f.name)}</th>"
            f"<td style='text-align:left'>{html.escape(_cell(getattr(self, f.name)))}</td></tr>"
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
        )
        return f"<table><caption>{html.escape(type(self).__name__)}</caption>{rows}</table>"


@dataclass(frozen=True)
class EmailRecord(Record):
    email: str
    label: str = "work"
    primary: bool = False

    def __str__(self) -> str:
        return self.email


@dataclass(frozen=True)
class PhoneRecord(Record):
    e164: str
    original: str = ""
    label: str = "mobile"
    primary: bool = False

    def __str__(self) -> str:
        return self.e164


@dataclass(frozen=True)
class AddressRecord(Record):
    label: str = "work"
    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""

    def __str__(self) -> str:
        parts = [self.street, self.city, self.region, self.postal_code, self.country]
        return ", ".join(part for part in parts if part)


@dataclass(frozen=True)
class ContactRecord(Record):
    """A person, as services return them (``crm.contacts.get(7)``).

    Attributes:
        id: the contact's id.
        display_name: the name shown everywhere, derived from the parts.
        first_name, last_name: the name's parts.
        emails: ``EmailRecord``s (``email``, ``label``, ``primary``).
        phones: ``PhoneRecord``s (``e164``, ``original``, ``label``, ``primary``).
        addresses: ``AddressRecord``s (``label``, ``street``, ``city``, ``region``,
            ``postal_code``, ``country``).
        tags: tag names, without ``#``.
        language: preferred language (a BCP 47 tag such as ``ta``), if known.
        birthday: their birthday, if known.
        notes: free text.
        owner: the owning user's username (None: nobody's).
        custom: custom field values by name.
        created_at, updated_at: when it was written first and last.
        deleted_at: when it was soft-deleted (None: live).
        version: grows with every change; pass it back to refuse stale edits.
    """

    id: int
    display_name: str
    first_name: str = ""
    last_name: str = ""
    emails: tuple[EmailRecord, ...] = ()
    phones: tuple[PhoneRecord, ...] = ()
    addresses: tuple[AddressRecord, ...] = ()
    tags: tuple[str, ...] = ()
    language: str | None = None
    birthday: dt.date | None = None
    notes: str = ""
    owner: str | None = None
    custom: dict[str, Any] = field(default_factory=dict)
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    deleted_at: dt.datetime | None = None
    version: int = 1

    @property
    def primary_email(self) -> str | None:
        return _primary(self.emails)

    @property
    def primary_phone(self) -> str | None:
        return _primary(self.phones)


@dataclass(frozen=True)
class AccountRecord(Record):
    """An organisation, as services return them (``crm.accounts.get(3)``).

    Attributes:
        id: the account's id.
        name: its name.
        kinds: customer, supplier, partner, … (plugins may add kinds).
        website, registration_number, vat_number: as given.
        parent_id: the account it belongs to, if any.
        emails: ``EmailRecord``s (``email``, ``label``, ``primary``).
        phones: ``PhoneRecord``s (``e164``, ``original``, ``label``, ``primary``).
        addresses: ``AddressRecord``s (``label``, ``street``, ``city``, ``region``,
            ``postal_code``, ``country``).
        tags: tag names, without ``#``.
        notes: free text.
        owner: the owning user's username (None: nobody's).
        custom: custom field values by name.
        created_at, updated_at: when it was written first and last.
        deleted_at: when it was soft-deleted (None: live).
        version: grows with every change; pass it back to refuse stale edits.
    """

    id: int
    name: str
    kinds: tuple[str, ...] = ()
    website: str = ""
    registration_number: str = ""
    vat_number: str = ""
    emails: tuple[EmailRecord, ...] = ()
    phones: tuple[PhoneRecord, ...] = ()
    addresses: tuple[AddressRecord, ...] = ()
    parent_id: int | None = None
    tags: tuple[str, ...] = ()
    notes: str = ""
    owner: str | None = None
    custom: dict[str, Any] = field(default_factory=dict)
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    deleted_at: dt.datetime | None = None
    version: int = 1

    @property
    def primary_email(self) -> str | None:
        return _primary(self.emails)

    @property
    def primary_phone(self) -> str | None:
        return _primary(self.phones)


@dataclass(frozen=True)
class LinkRecord(Record):
    id: int
    contact_id: int
    account_id: int
    contact_name: str = ""
    account_name: str = ""
    role: str = ""
    primary: bool = False
    start_date: dt.date | None = None
    end_date: dt.date | None = None


@dataclass(frozen=True)
class InteractionRecord(Record):
    id: int
    kind: str
    status: str
    at: dt.datetime
    subject: str = ""
    body: str = ""
    outcome: str = ""
    direction: str | None = None
    occurred_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    duration_minutes: int | None = None
    contact_ids: tuple[int, ...] = ()
    account_ids: tuple[int, ...] = ()
    author: str | None = None
    version: int = 1


@dataclass(frozen=True)
class TimelineEntry(Record):
    """One line on a timeline; core interactions and plugin entries share this shape.

    Attributes:
        at: when it happened (timezone-aware; the timeline keeps it in UTC).
        kind: what it is (``"call"``, ``"deal"``, ``"ticket"``), shown as a label.
        title: the line people read.
        source: the label of the plugin that gave the entry. The host sets it from the
            plugin whose ``timeline_entries`` returned the entry; leave it out.
        ref: a stable reference, unique within the source (``"ticket:7"``); the timeline
            pages by ``(at, source, ref)``.
        body: more text, shown under the title.
        status: ``"done"`` or ``"planned"``.
        url: a page to open the entry on, if any.
    """

    at: dt.datetime
    kind: str
    title: str
    source: str = ""
    ref: str = ""
    body: str = ""
    status: str = "done"
    url: str | None = None


@dataclass(frozen=True)
class UserRecord(Record):
    """A user as admins see it (never the password hash)."""

    id: int
    username: str
    display_name: str = ""
    email: str | None = None
    roles: tuple[str, ...] = ()
    is_active: bool = True
    last_login_at: dt.datetime | None = None
    created_at: dt.datetime | None = None
    language: str = ""  # a code from users.LANGUAGES; "" = the deployment's default
    time_zone: str = ""  # an IANA name such as Asia/Kolkata; "" = the deployment's default


@dataclass(frozen=True)
class TokenRecord(Record):
    """An API token's public face: its name and first characters, never the secret."""

    id: int
    name: str
    prefix: str
    username: str = ""
    created_at: dt.datetime | None = None
    last_used_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None


@dataclass(frozen=True)
class AuditRecord(Record):
    """One change to a record: who, when, what, and each field's value before and after.

    Attributes:
        id: the audit row's id (newer rows have larger ids).
        at: when the change was committed.
        actor: the username of who made it (``"system"`` for the CLI and jobs).
        entity: what kind of record (``"contact"``, ``"deal"``).
        record_id: the record's id.
        action: ``create``, ``update``, ``delete``, ``restore``, ``link`` or ``unlink``.
        changes: ``{field: [before, after]}`` for each field that changed.
    """

    id: int
    at: dt.datetime
    actor: str
    entity: str
    record_id: int
    action: str
    changes: dict[str, Any] = field(default_factory=dict)


def _primary(items: Sequence[EmailRecord] | Sequence[PhoneRecord]) -> str | None:
    for item in items:
        if item.primary:
            return str(item)
    return str(items[0]) if items else None


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results and the cursor for the next.

    Attributes:
        items: the records on this page; the page also iterates, indexes and ``len()``s
            like this list.
        next_cursor: pass it back as ``cursor=`` for the next page (None on the last).
    """

    items: list[T]
    next_cursor: str | None = None

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> T:
        return self.items[index]

    def rows(self) -> list[dict[str, Any]]:
        """Each item as a flat dict of display values (lists joined), for tables."""
        return [_flat_row(item) for item in self.items]

    def to_pandas(self) -> Any:
        """A pandas DataFrame of the page (needs the ``notebook`` extra)."""
        try:
            import pandas
        except ImportError:
            raise ImportError("to_pandas() needs pandas: pip install 'sampark[notebook]'") from None
        return pandas.DataFrame([to_jsonable(item) for item in self.items])

    def to_dicts(self) -> list[dict[str, Any]]:
        return [to_jsonable(item) for item in self.items]

    def _repr_html_(self) -> str:
        rows = self.rows()
        if not rows:
            return "<p><em>No results.</em></p>"
        columns = list(rows[0])
        head = "".join(f"<th>{html.escape(column)}</th>" for column in columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(row[c])}</td>" for c in columns) + "</tr>"
            for row in rows
        )
        more = "<caption>more results: pass next_cursor</caption>" if self.next_cursor else ""
        return f"<table>{more}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_HIDDEN_COLUMNS = {"created_at", "updated_at", "deleted_at", "version", "body", "notes"}


def _flat_row(item: Any) -> dict[str, str]:
    if not dataclasses.is_dataclass(item):
        return {"value": _cell(item)}
    return {
        f.name: _cell(getattr(item, f.name))
        for f in dataclasses.fields(item)
        if f.name not in _HIDDEN_COLUMNS
    }
