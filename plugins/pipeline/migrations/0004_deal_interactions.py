"""Interactions logged about a deal: a link from the deal to core's interaction.

The interaction itself is core's (it shows on its contacts' and account's timelines too);
this table says which deal it was about, one deal per interaction. An index on
``(deal_id, interaction_id)`` serves the deal's timeline.
"""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

_INDEX = (
    "CREATE INDEX pipeline_deal_interaction_deal ON pipeline_deal_interaction "
    "(deal_id, interaction_id)"
)


async def create(apps, schema_editor) -> None:
    await schema_editor.client.execute_script(_INDEX)


async def drop(apps, schema_editor) -> None:
    await schema_editor.client.execute_script("DROP INDEX IF EXISTS pipeline_deal_interaction_deal")


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0003_title_search")]

    initial = False

    operations = [
        ops.CreateModel(
            name="DealInteraction",
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
                    "interaction",
                    fields.ForeignKeyField(
                        "core.Interaction",
                        source_field="interaction_id",
                        unique=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={
                "table": "pipeline_deal_interaction",
                "app": "pipeline",
                "pk_attr": "id",
                "table_description": "A core interaction (a call, a note…) logged about a deal, "
                "shown on the deal's timeline.",
            },
            bases=["Model"],
        ),
        ops.RunPython(create, drop),
    ]
