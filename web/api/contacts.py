"""The contacts API: ``/v1/contacts`` and each contact's timeline, audit trail and links."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sampark.web.api.operations import ApiOperation
from sampark.web.api.params import OWNER, TAG
from sampark.web.api.records import RecordKind, record_operations

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

CONTACTS = RecordKind(
    entity="contact",
    plural="contacts",
    schema="Contact",
    create_schema="ContactInput",
    change_schema="ContactInput",
    filters=(TAG, OWNER),
    links_of="of_contact",
)


def contact_operations(kernel: Sampark) -> list[ApiOperation]:
    return record_operations(CONTACTS)
