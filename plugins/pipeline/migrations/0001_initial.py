from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("core", "0004_scope_indexes")]

    initial = True

    operations = [
        ops.CreateModel(
            name="Deal",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("title", fields.CharField(max_length=200)),
                (
                    "account",
                    fields.ForeignKeyField(
                        "core.Account",
                        source_field="account_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("amount", fields.DecimalField(default=0, max_digits=18, decimal_places=2)),
                ("currency", fields.CharField(max_length=3)),
                ("pipeline", fields.CharField(max_length=50)),
                ("stage", fields.CharField(max_length=50)),
                ("status", fields.CharField(default="open", max_length=10)),
                ("probability", fields.SmallIntField()),
                ("expected_close", fields.DateField(null=True)),
                (
                    "owner",
                    fields.ForeignKeyField(
                        "core.User",
                        source_field="owner_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("source", fields.CharField(default="", max_length=100)),
                ("lost_reason", fields.CharField(default="", max_length=500)),
                ("closed_on", fields.DateField(null=True)),
                ("notes", fields.TextField(default="", unique=False)),
                ("stage_changed_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("deleted_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("version", fields.IntField(default=1)),
            ],
            options={
                "table": "pipeline_deal",
                "app": "pipeline",
                "pk_attr": "id",
                "table_description": "An opportunity: an amount in a currency moving through the stages of a pipeline.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="DealContact",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "deal",
                    fields.ForeignKeyField(
                        "pipeline.Deal",
                        source_field="deal_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "contact",
                    fields.ForeignKeyField(
                        "core.Contact",
                        source_field="contact_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={
                "table": "pipeline_deal_contact",
                "app": "pipeline",
                "unique_together": (("deal_id", "contact_id"),),
                "pk_attr": "id",
                "table_description": "A contact taking part in a deal.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="StageChange",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "deal",
                    fields.ForeignKeyField(
                        "pipeline.Deal",
                        source_field="deal_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("pipeline", fields.CharField(max_length=50)),
                ("from_stage", fields.CharField(null=True, max_length=50)),
                ("to_stage", fields.CharField(max_length=50)),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("left_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "by",
                    fields.ForeignKeyField(
                        "core.User",
                        source_field="by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("by_name", fields.CharField(default="", max_length=150)),
            ],
            options={
                "table": "pipeline_stage_change",
                "app": "pipeline",
                "pk_attr": "id",
                "table_description": "A deal entering a stage: who moved it, when, from where, and when it moved on.",
            },
            bases=["Model"],
        ),
    ]
