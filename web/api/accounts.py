"""The accounts API: ``/v1/accounts`` and each account's timeline, audit trail and links."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sampark.web.api.operations import ApiOperation, Param
from sampark.web.api.params import OWNER, TAG
from sampark.web.api.records import RecordKind, record_operations

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark


def account_operations(kernel: Sampark) -> list[ApiOperation]:
    kind = Param(
        "kind",
        "query",
        {"type": "string", "enum": list(kernel.account_kinds)},
        "Only accounts of this kind.",
    )
    accounts = RecordKind(
        entity="account",
        plural="accounts",
        schema="Account",
        create_schema="AccountInput",
        change_schema="AccountChanges",
        filters=(TAG, kind, OWNER),
        links_of="of_account",
    )
    return record_operations(accounts)
