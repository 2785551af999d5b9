from tortoise import fields
from tortoise.models import Model


class AuditEntry(Model):
    """Who changed what and when: one row per create, update, delete, restore or merge."""

    id = fields.IntField(primary_key=True)
    at = fields.DatetimeField()
    actor = fields.ForeignKeyField(
        "core.User", related_name="audit_entries", null=True, on_delete=fields.SET_NULL
    )
    actor_name = fields.CharField(max_length=150)
    entity = fields.CharField(max_length=50)
    record_id = fields.IntField()
    action = fields.CharField(max_length=20)
    # {"field": [before, after], …}; for create only "after" values, for delete only "before".
    changes = fields.JSONField(default=dict)

    class Meta:
        table = "core_audit"
        indexes = (("entity", "record_id", "id"),)
