"""Contracts are soft-deleted: a ``deleted_at`` column, and references unique among live ones.

A deleted contract keeps its row (restorable, its audit trail readable) but no longer
holds its reference: the unique index on ``lower(reference)`` becomes partial, so a new
contract may take the reference of a deleted one (restoring that one is then refused).
A partial index on ``(deleted_at, id)`` serves the list of deleted contracts.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

_OLD_REFERENCE = (
    "CREATE UNIQUE INDEX contracts_contract_reference ON contracts_contract (lower(reference)) "
    "WHERE reference <> ''"
)
_INDEXES = [
    "CREATE UNIQUE INDEX contracts_contract_reference ON contracts_contract (lower(reference)) "
    "WHERE reference <> '' AND deleted_at IS NULL",
    "CREATE INDEX contracts_contract_deleted ON contracts_contract (deleted_at, id) "
    "WHERE deleted_at IS NOT NULL",
]


async def create(apps, schema_editor) -> None:
    # IF EXISTS: unapplying this migration on SQLite rebuilds the table without its indexes.
    await schema_editor.client.execute_script("DROP INDEX IF EXISTS contracts_contract_reference")
    for statement in _INDEXES:
        await schema_editor.client.execute_script(statement)


async def drop(apps, schema_editor) -> None:
    for name in ("contracts_contract_deleted", "contracts_contract_reference"):
        await schema_editor.client.execute_script(f"DROP INDEX {name}")
    await schema_editor.client.execute_script(_OLD_REFERENCE)


class Migration(migrations.Migration):
    dependencies = [("contracts", "0002_checks_and_indexes")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Contract",
            name="deleted_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.RunPython(create, drop),
    ]
