from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("core", "0004_scope_indexes"), ("tickets", "0001_initial")]

    initial = True

    operations = [
        ops.CreateModel(
            name="Contract",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "account",
                    fields.ForeignKeyField(
                        "core.Account",
                        source_field="account_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("name", fields.CharField(max_length=200)),
                ("sort_name", fields.CharField(max_length=200)),
                ("reference", fields.CharField(default="", max_length=100)),
                ("start_date", fields.DateField()),
                ("end_date", fields.DateField(null=True)),
                ("unit", fields.CharField(max_length=20)),
                ("included_count", fields.IntField()),
                ("used_count", fields.IntField(default=0)),
                ("notes", fields.TextField(default="", unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("version", fields.IntField(default=1)),
            ],
            options={
                "table": "contracts_contract",
                "app": "contracts",
                "pk_attr": "id",
                "table_description": "A service contract of an account: incidents or hours included, and how many are used.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="TicketLink",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "ticket",
                    fields.ForeignKeyField(
                        "tickets.Ticket",
                        source_field="ticket_id",
                        unique=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "contract",
                    fields.ForeignKeyField(
                        "contracts.Contract",
                        source_field="contract_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("used_count", fields.IntField(default=0)),
                ("linked_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "contracts_ticket_link",
                "app": "contracts",
                "pk_attr": "id",
                "table_description": "The contract a ticket is charged to (one at most) and what it has used of it.",
            },
            bases=["Model"],
        ),
    ]
