"""Deleting and restoring contracts, and the names their audit trail shows for each field.

A deleted contract keeps its row, its usage and its tickets' links: it is out of every
list, no new ticket is charged to it and time logged meanwhile is not counted. Its
reference is free for a new contract; restoring it is refused while a live one holds it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise.exceptions import IntegrityError

from sampark.core.permissions import SYSTEM, Actor
from sampark.core.services.lifecycle import RecordLifecycle, check_id
from sampark.plugins.contracts import services
from sampark.plugins.contracts.records import ContractRecord

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

LABELS = {
    "account_id": "Account",
    "name": "Name",
    "reference": "Reference",
    "start_date": "Starts",
    "end_date": "Ends",
    "unit": "Counts",
    "units_included": "Included",
    "notes": "Notes",
    "deleted_at": "Deleted",
}

CONTRACTS: RecordLifecycle[ContractRecord] = RecordLifecycle(
    entity=services.ENTITY,
    table="contracts_contract",
    read_permission="contracts.read",
    delete_permission="contracts.delete",
    load=services.load,
    snapshot=services.audited,
    labels=LABELS,
)


async def delete_contract(
    kernel: Sampark,
    contract_id: Any,
    *,
    expected_version: int | None = None,
    actor: Actor = SYSTEM,
) -> ContractRecord:
    """Soft-delete a contract: gone from lists and no longer charged, until restored."""
    return await CONTRACTS.delete(
        kernel, contract_id, expected_version=expected_version, actor=actor
    )


async def restore_contract(
    kernel: Sampark,
    contract_id: Any,
    *,
    expected_version: int | None = None,
    actor: Actor = SYSTEM,
) -> ContractRecord:
    """Bring a deleted contract back as it was (needs ``contracts.delete``, like deleting).

    Refused, naming the reference, when a live contract has taken its reference meanwhile.
    """
    actor.require("contracts.delete")
    contract_id = check_id(services.ENTITY, contract_id)
    current = await services.get_contract(kernel, contract_id, include_deleted=True, actor=actor)
    await services.check_reference(kernel, current.reference, contract_id)
    try:
        return await CONTRACTS.restore(
            kernel, contract_id, expected_version=expected_version, actor=actor
        )
    except IntegrityError as exc:  # taken between the check and the restore
        raise services.clash(exc, current.reference) from None
