"""The tickets app's tables: tickets, their numbering counter, tags, status history, messages.

The services read and write these with SQL through the connection; the models define the
schema and its migrations.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Counter(Model):
    """The last number handed out per series, bumped in the transaction that uses it"""

    name = fields.CharField(max_length=20, primary_key=True)
    last_number = fields.IntField(default=0)

    class Meta:
        table = "tickets_counter"


class Ticket(Model):
    """A trouble ticket with a human number, SLA deadlines and a status"""

    id = fields.IntField(primary_key=True)
    seq = fields.IntField(unique=True)
    number = fields.CharField(max_length=20, unique=True)
    subject = fields.CharField(max_length=500)
    description = fields.TextField(default="")
    requester = fields.ForeignKeyField(
        "core.Contact", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    account = fields.ForeignKeyField(
        "core.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    channel = fields.CharField(max_length=20, default="email")
    priority = fields.CharField(max_length=10, default="normal")
    status = fields.CharField(max_length=10, default="new")
    assignee = fields.ForeignKeyField(
        "core.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    first_response_at = fields.DatetimeField(null=True)
    resolved_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    first_response_due_at = fields.DatetimeField(null=True)
    resolution_due_at = fields.DatetimeField(null=True)
    # The earliest deadline still ahead while the clock runs: what the queue sorts by.
    next_due_at = fields.DatetimeField(null=True)
    sla_used_seconds = fields.IntField(default=0)
    sla_started_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)
    version = fields.IntField(default=1)

    class Meta:
        table = "tickets_ticket"


class TicketTag(Model):
    """A tag on a ticket, stored folded to lower case"""

    id = fields.IntField(primary_key=True)
    ticket = fields.ForeignKeyField("tickets.Ticket", related_name=False, on_delete=fields.CASCADE)
    tag = fields.CharField(max_length=100)

    class Meta:
        table = "tickets_ticket_tag"
        unique_together = (("ticket", "tag"),)


class StatusChange(Model):
    """One status change of a ticket, with when and who"""

    id = fields.IntField(primary_key=True)
    ticket = fields.ForeignKeyField("tickets.Ticket", related_name=False, on_delete=fields.CASCADE)
    # Copies of the ticket's requester and account, so a timeline walks one index.
    requester_id = fields.IntField(null=True)
    account_id = fields.IntField(null=True)
    from_status = fields.CharField(max_length=10, null=True)
    to_status = fields.CharField(max_length=10)
    at = fields.DatetimeField()
    actor = fields.CharField(max_length=150, default="")

    class Meta:
        table = "tickets_status_change"


class TicketInteraction(Model):
    """A reply or internal note of a ticket: the core interaction that holds it"""

    id = fields.IntField(primary_key=True)
    ticket = fields.ForeignKeyField("tickets.Ticket", related_name=False, on_delete=fields.CASCADE)
    interaction = fields.ForeignKeyField(
        "core.Interaction", related_name=False, unique=True, on_delete=fields.CASCADE
    )
    internal = fields.BooleanField(default=False)
    minutes = fields.IntField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "tickets_ticket_interaction"
