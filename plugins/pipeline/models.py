"""The pipeline's tables: deals, the contacts on them, and every stage change."""

from tortoise import fields
from tortoise.models import Model


class Deal(Model):
    """An opportunity: an amount in a currency moving through the stages of a pipeline."""

    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=200)
    account = fields.ForeignKeyField(
        "core.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    amount = fields.DecimalField(max_digits=18, decimal_places=2, default=0)
    currency = fields.CharField(max_length=3)
    # Stage keys from [plugin.pipeline]: stable identities, never renamed.
    pipeline = fields.CharField(max_length=50)
    stage = fields.CharField(max_length=50)
    status = fields.CharField(max_length=10, default="open")
    probability = fields.SmallIntField()
    expected_close = fields.DateField(null=True)
    owner = fields.ForeignKeyField(
        "core.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    source = fields.CharField(max_length=100, default="")
    lost_reason = fields.CharField(max_length=500, default="")
    closed_on = fields.DateField(null=True)
    notes = fields.TextField(default="")
    stage_changed_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    deleted_at = fields.DatetimeField(null=True)
    version = fields.IntField(default=1)

    class Meta:
        table = "pipeline_deal"


class DealContact(Model):
    """A contact taking part in a deal."""

    id = fields.IntField(primary_key=True)
    deal = fields.ForeignKeyField("pipeline.Deal", related_name=False, on_delete=fields.CASCADE)
    contact = fields.ForeignKeyField("core.Contact", related_name=False, on_delete=fields.CASCADE)

    class Meta:
        table = "pipeline_deal_contact"
        unique_together = (("deal_id", "contact_id"),)


class DealInteraction(Model):
    """A core interaction (a call, a note…) logged about a deal, shown on the deal's timeline."""

    id = fields.IntField(primary_key=True)
    deal = fields.ForeignKeyField("pipeline.Deal", related_name=False, on_delete=fields.CASCADE)
    interaction = fields.ForeignKeyField(
        "core.Interaction", related_name=False, unique=True, on_delete=fields.CASCADE
    )

    class Meta:
        table = "pipeline_deal_interaction"


class StageChange(Model):
    """A deal entering a stage: who moved it, when, from where, and when it moved on."""

    id = fields.IntField(primary_key=True)
    deal = fields.ForeignKeyField("pipeline.Deal", related_name=False, on_delete=fields.CASCADE)
    pipeline = fields.CharField(max_length=50)
    from_stage = fields.CharField(max_length=50, null=True)
    to_stage = fields.CharField(max_length=50)
    at = fields.DatetimeField()
    # When the deal moved on to its next stage (none while it is still here).
    left_at = fields.DatetimeField(null=True)
    by = fields.ForeignKeyField(
        "core.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    by_name = fields.CharField(max_length=150, default="")

    class Meta:
        table = "pipeline_stage_change"
