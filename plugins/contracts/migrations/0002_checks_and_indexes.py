"""Rules and indexes tortoise's CreateModel does not emit.

CHECK constraints keep usage from going below zero (PostgreSQL: constraints; SQLite,
which cannot add a CHECK to an existing table: triggers raising the same error). The
indexes serve the lists (by name; by account), the default link (an account's contracts
by end date), the linked tickets of a contract, unique references, and search.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

_CHECKS = {
    "contracts_contract": [
        ("used", "used_count >= 0"),
        ("included", "included_count > 0"),
        ("unit", "unit IN ('incidents', 'hours')"),
        ("dates", "end_date IS NULL OR end_date >= start_date"),
    ],
    "contracts_ticket_link": [("used", "used_count >= 0")],
}
_COLUMNS = ("used_count", "included_count", "unit", "end_date", "start_date")

_INDEXES = [
    "CREATE INDEX contracts_contract_sort ON contracts_contract (sort_name, id)",
    "CREATE INDEX contracts_contract_account ON contracts_contract (account_id, sort_name, id)",
    "CREATE INDEX contracts_contract_account_end ON contracts_contract (account_id, end_date)",
    "CREATE INDEX contracts_contract_end ON contracts_contract (end_date)",
    "CREATE UNIQUE INDEX contracts_contract_reference ON contracts_contract (lower(reference)) "
    "WHERE reference <> ''",
    "CREATE INDEX contracts_ticket_link_contract ON contracts_ticket_link "
    "(contract_id, linked_at, id)",
]
_POSTGRES_SEARCH = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX contracts_contract_name_trgm ON contracts_contract "
    "USING gin (sort_name gin_trgm_ops)",
    "CREATE INDEX contracts_contract_reference_trgm ON contracts_contract "
    "USING gin (lower(reference) gin_trgm_ops)",
]


def _is_postgres(schema_editor) -> bool:
    return schema_editor.client.capabilities.dialect == "postgres"


def _sqlite_checks() -> list[str]:
    statements = []
    for table, rules in _CHECKS.items():
        for name, rule in rules:
            new_rule = rule
            for column in _COLUMNS:
                new_rule = new_rule.replace(column, f"NEW.{column}")
            for event in ("INSERT", "UPDATE"):
                statements.append(
                    f"CREATE TRIGGER {table}_{name}_{event.lower()} BEFORE {event} ON {table} "
                    f"WHEN NOT ({new_rule}) "
                    f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {table}_{name}'); END"
                )
    return statements


def _postgres_checks() -> list[str]:
    return [
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_{name} CHECK ({rule})"
        for table, rules in _CHECKS.items()
        for name, rule in rules
    ]


async def create(apps, schema_editor) -> None:
    postgres = _is_postgres(schema_editor)
    statements = _INDEXES + (
        _postgres_checks() + _POSTGRES_SEARCH if postgres else _sqlite_checks()
    )
    for statement in statements:
        await schema_editor.client.execute_script(statement)


async def drop(apps, schema_editor) -> None:
    postgres = _is_postgres(schema_editor)
    for statement in _INDEXES + (_POSTGRES_SEARCH[1:] if postgres else []):
        name = statement.split(" ON ")[0].split()[-1]
        await schema_editor.client.execute_script(f"DROP INDEX {name}")
    if postgres:
        for table, rules in _CHECKS.items():
            for name, _ in rules:
                await schema_editor.client.execute_script(
                    f"ALTER TABLE {table} DROP CONSTRAINT {table}_{name}"
                )
    else:
        for statement in _sqlite_checks():
            await schema_editor.client.execute_script(f"DROP TRIGGER {statement.split()[2]}")


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial")]

    operations = [ops.RunPython(create, drop)]
