"""The contracts API, served under ``/api/v1/contracts/`` and documented in /api/openapi.json.

Every handler works through ``call.crm`` (the caller's view), so permissions and the
"own" scope hold exactly as on the pages and in the services.
"""

from __future__ import annotations

from typing import Any

from sampark.plugins.contracts.facade import Contracts
from sampark.plugins.contracts.lifecycle import CONTRACTS, restore_contract
from sampark.plugins.contracts.records import STATUSES, UNITS
from sampark.web.api import (
    ApiCall,
    ApiOperation,
    ApiSchema,
    Param,
    Reply,
    audit_operation,
    page_reply,
    restore_operation,
)
from sampark.web.api.params import CURSOR, DELETED, LIMIT, record_id
from sampark.web.api.schemas import MAX_ID, date, page_of, ref, timestamp

_TAGS = ("contracts",)
_ID = record_id("contract_id", "contract")
_TICKET_ID = record_id("ticket_id", "ticket")
UNIT = ApiSchema(
    "ContractUnit",
    {"type": "string", "enum": list(UNITS), "description": "What the contract counts."},
)
STATUS_SCHEMA = ApiSchema("ContractStatus", {"type": "string", "enum": list(STATUSES)})
_UNITS = {
    "type": ["string", "integer"],
    "maxLength": 20,
    "minimum": 1,
    "maximum": 1_000_000,
    "description": (
        'Incidents (whole) or hours (to the minute) included: text such as "7.5" or a whole '
        "number; never a fractional JSON number."
    ),
}
_INPUT_PROPERTIES: dict[str, Any] = {
    "account_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    "name": {"type": "string", "minLength": 1, "maxLength": 200},
    "reference": {"type": "string", "maxLength": 100},
    "start_date": date(nullable=False, description="Today when not given."),
    "end_date": date(),
    "unit": UNIT,
    "units_included": _UNITS,
    "notes": {"type": "string", "maxLength": 20000},
}
CONTRACT_INPUT = ApiSchema(
    "ContractInput",
    {
        "type": "object",
        "properties": _INPUT_PROPERTIES,
        "required": ["account_id", "name", "unit", "units_included"],
        "additionalProperties": False,
    },
)
CONTRACT_CHANGES = ApiSchema(
    "ContractChanges",
    {"type": "object", "properties": _INPUT_PROPERTIES, "additionalProperties": False},
)
_DECIMAL = ref("Decimal")
CONTRACT = ApiSchema(
    "Contract",
    {
        "type": "object",
        "required": [
            "id",
            "account_id",
            "name",
            "unit",
            "units_included",
            "units_used",
            "start_date",
            "status",
            "version",
        ],
        "properties": {
            "id": {"type": "integer"},
            "account_id": {"type": "integer"},
            "account_name": {"type": "string"},
            "name": {"type": "string"},
            "reference": {"type": "string"},
            "unit": UNIT,
            "units_included": _DECIMAL,
            "units_used": _DECIMAL,
            "start_date": date(nullable=False),
            "end_date": date(),
            "status": STATUS_SCHEMA,
            "percent_used": {"type": "integer"},
            "near_exhaustion": {"type": "boolean"},
            "near_expiry": {"type": "boolean"},
            "notes": {"type": "string"},
            "created_at": timestamp(nullable=True),
            "updated_at": timestamp(nullable=True),
            "deleted_at": timestamp(nullable=True),
            "version": {"type": "integer"},
        },
    },
)
CONTRACT_PAGE = ApiSchema("ContractPage", page_of(CONTRACT))
_TICKET_LINK_PROPERTIES: dict[str, Any] = {
    "ticket_id": {"type": "integer"},
    "contract_id": {"type": "integer"},
    "units_used": _DECIMAL,
    "linked_at": timestamp(nullable=True),
    "number": {"type": "string"},
    "title": {"type": "string"},
    "status": {"type": "string"},
}
TICKET_LINK = ApiSchema(
    "ContractTicket",
    {
        "type": "object",
        "description": "A ticket charged to a contract, and the units it used.",
        "properties": _TICKET_LINK_PROPERTIES,
        "required": list(_TICKET_LINK_PROPERTIES),
    },
)
TICKET_LINKS = ApiSchema(
    "ContractTickets",
    {
        "type": "object",
        "required": ["items"],
        "properties": {
            "items": {"type": "array", "items": TICKET_LINK},
        },
    },
)
ACCOUNT = Param(
    "account_id",
    "query",
    {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    "Only this account's contracts.",
)
STATUS = Param("status", "query", STATUS_SCHEMA, "Only this status.")
ATTENTION = Param(
    "attention",
    "query",
    {"type": "boolean", "default": False},
    "Only in-date contracts near exhaustion or expiry.",
)


async def list_contracts(call: ApiCall) -> Any:
    query = call.query
    page = await Contracts.of(call.crm).list(
        account_id=query["account_id"],
        status=query["status"],
        attention=query["attention"],
        deleted=query["deleted"],
        cursor=query["cursor"],
        limit=query["limit"],
    )
    return page_reply(page)


async def create_contract(call: ApiCall) -> Reply:
    record = await Contracts.of(call.crm).create(call.body)
    return Reply(
        record,
        status=201,
        version=record.version,
        location=call.location(f"/v1/contracts/{record.id}"),
    )


async def get_contract(call: ApiCall) -> Reply:
    record = await Contracts.of(call.crm).get(call.path["contract_id"])
    return Reply(record, version=record.version)


async def change_contract(call: ApiCall) -> Reply:
    record = await Contracts.of(call.crm).update(
        call.path["contract_id"], call.body, version=call.version
    )
    return Reply(record, version=record.version)


async def delete_contract(call: ApiCall) -> Reply:
    await Contracts.of(call.crm).delete(call.path["contract_id"], version=call.version)
    return Reply(status=204)


async def contract_tickets(call: ApiCall) -> Any:
    return {"items": await Contracts.of(call.crm).tickets(call.path["contract_id"])}


async def ticket_contract(call: ApiCall) -> Reply:
    from sampark.web.api import ApiProblem

    record = await Contracts.of(call.crm).of_ticket(call.path["ticket_id"])
    if record is None:
        raise ApiProblem(404, f"ticket {call.path['ticket_id']} is not charged to a contract")
    return Reply(record, version=record.version)


def operations() -> list[ApiOperation]:
    one = "/{contract_id}"
    return [
        ApiOperation(
            "GET",
            "",
            list_contracts,
            "List contracts by name",
            "listContracts",
            "contracts.read",
            response_schema=CONTRACT_PAGE,
            parameters=(ACCOUNT, STATUS, ATTENTION, DELETED, CURSOR, LIMIT),
            tags=_TAGS,
        ),
        ApiOperation(
            "POST",
            "",
            create_contract,
            "Add a contract",
            "createContract",
            "contracts.write",
            request_schema=CONTRACT_INPUT,
            response_schema=CONTRACT,
            status=201,
            tags=_TAGS,
            etag=True,
            location=True,
        ),
        ApiOperation(
            "GET",
            one,
            get_contract,
            "Get a contract with its usage and status",
            "getContract",
            "contracts.read",
            response_schema=CONTRACT,
            parameters=(_ID,),
            tags=_TAGS,
            etag=True,
        ),
        ApiOperation(
            "PATCH",
            one,
            change_contract,
            "Change a contract",
            "updateContract",
            "contracts.write",
            request_schema=CONTRACT_CHANGES,
            response_schema=CONTRACT,
            parameters=(_ID,),
            tags=_TAGS,
            if_match=True,
            etag=True,
            description="The account and unit stay fixed once tickets have used the contract.",
        ),
        ApiOperation(
            "DELETE",
            one,
            delete_contract,
            "Delete a contract",
            "deleteContract",
            "contracts.delete",
            parameters=(_ID,),
            status=204,
            tags=_TAGS,
            if_match=True,
            description="The contract is kept with its usage, out of every list and charged "
            "no more; its reference is free again. `restore` brings it back.",
        ),
        restore_operation(
            CONTRACTS,
            one,
            response_schema=CONTRACT,
            tags=_TAGS,
            restore=restore_contract,  # also checks that its reference is still free
            description="`If-Match` carries the deleted contract's version (list it with "
            "`deleted=true`); a live contract is answered as it is. Refused (422, "
            "`reference`) while a live contract holds its reference.",
        ),
        audit_operation(CONTRACTS, one, tags=_TAGS),
        ApiOperation(
            "GET",
            f"{one}/tickets",
            contract_tickets,
            "The tickets charged to a contract, newest first",
            "contractTickets",
            "contracts.read",
            response_schema=TICKET_LINKS,
            parameters=(_ID,),
            tags=_TAGS,
        ),
        ApiOperation(
            "GET",
            "/tickets/{ticket_id}/contract",
            ticket_contract,
            "The contract a ticket is charged to",
            "ticketContract",
            "contracts.read",
            response_schema=CONTRACT,
            parameters=(_TICKET_ID,),
            tags=_TAGS,
            etag=True,
        ),
    ]
