from tortoise import fields
from tortoise.models import Model


class Interaction(Model):
    """A call, email, meeting, note or message: done, or planned with a due time."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=50)
    status = fields.CharField(max_length=10, default="done")
    direction = fields.CharField(max_length=10, null=True)
    occurred_at = fields.DatetimeField(null=True)
    due_at = fields.DatetimeField(null=True)
    # When it sits on the timeline: occurred_at once done, due_at while planned.
    at = fields.DatetimeField()
    duration_minutes = fields.IntField(null=True)
    subject = fields.CharField(max_length=500, default="")
    body = fields.TextField(default="")
    outcome = fields.CharField(max_length=500, default="")
    author = fields.ForeignKeyField(
        "core.User", related_name="interactions", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    deleted_at = fields.DatetimeField(null=True)
    version = fields.IntField(default=1)

    class Meta:
        table = "core_interaction"
        indexes = (("status", "due_at"), ("at", "id"))


class InteractionParticipant(Model):
    """A contact or an account taking part in an interaction."""

    id = fields.IntField(primary_key=True)
    interaction = fields.ForeignKeyField(
        "core.Interaction", related_name="participants", on_delete=fields.CASCADE
    )
    contact = fields.ForeignKeyField(
        "core.Contact", related_name="participations", null=True, on_delete=fields.CASCADE
    )
    account = fields.ForeignKeyField(
        "core.Account", related_name="participations", null=True, on_delete=fields.CASCADE
    )

    class Meta:
        table = "core_interaction_participant"
        indexes = (("contact_id", "interaction_id"), ("account_id", "interaction_id"))
