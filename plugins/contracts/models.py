"""Tables of the contracts plugin: contracts, and which contract each ticket is charged to.

Usage is counted in whole base units (incidents, or minutes for an hours contract), so
many small time entries add up exactly; records show hours as decimals.
"""

from tortoise import fields
from tortoise.models import Model


class Contract(Model):
    """A service contract of an account: incidents or hours included, and how many are used."""

    id = fields.IntField(primary_key=True)
    account = fields.ForeignKeyField("core.Account", related_name=False, on_delete=fields.CASCADE)
    name = fields.CharField(max_length=200)
    sort_name = fields.CharField(max_length=200)
    reference = fields.CharField(max_length=100, default="")
    start_date = fields.DateField()
    end_date = fields.DateField(null=True)
    unit = fields.CharField(max_length=20)
    # Included and used, in incidents or (for hours) minutes.
    included_count = fields.IntField()
    used_count = fields.IntField(default=0)
    notes = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    deleted_at = fields.DatetimeField(null=True)
    version = fields.IntField(default=1)

    class Meta:
        table = "contracts_contract"


class TicketLink(Model):
    """The contract a ticket is charged to (one at most) and what it has used of it."""

    id = fields.IntField(primary_key=True)
    ticket = fields.ForeignKeyField(
        "tickets.Ticket", related_name=False, unique=True, on_delete=fields.CASCADE
    )
    contract = fields.ForeignKeyField(
        "contracts.Contract", related_name=False, on_delete=fields.CASCADE
    )
    used_count = fields.IntField(default=0)
    linked_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "contracts_ticket_link"
