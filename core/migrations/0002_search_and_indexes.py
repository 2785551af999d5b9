"""Indexes the lists and search rely on, and the full-text search tables.

SQLite gets FTS5 tables with the trigram tokenizer; PostgreSQL gets pg_trgm GIN indexes.
Both match any substring of three or more characters, case-insensitively, in any script.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

_INDEXES = [
    "CREATE INDEX core_contact_live_sort ON core_contact (sort_name, id) WHERE deleted_at IS NULL",
    "CREATE INDEX core_contact_deleted ON core_contact (deleted_at, id) WHERE deleted_at IS NOT NULL",
    "CREATE INDEX core_contact_owner ON core_contact (owner_id, sort_name, id)",
    "CREATE INDEX core_account_live_sort ON core_account (sort_name, id) WHERE deleted_at IS NULL",
    "CREATE INDEX core_account_deleted ON core_account (deleted_at, id) WHERE deleted_at IS NOT NULL",
    "CREATE INDEX core_account_owner ON core_account (owner_id, sort_name, id)",
    "CREATE INDEX core_account_parent ON core_account (parent_id)",
    "CREATE INDEX core_email_contact ON core_email (contact_id)",
    "CREATE INDEX core_email_account ON core_email (account_id)",
    "CREATE INDEX core_phone_contact ON core_phone (contact_id)",
    "CREATE INDEX core_phone_account ON core_phone (account_id)",
    "CREATE INDEX core_address_contact ON core_address (contact_id)",
    "CREATE INDEX core_address_account ON core_address (account_id)",
    "CREATE INDEX core_link_contact ON core_contact_account (contact_id)",
    "CREATE INDEX core_link_account ON core_contact_account (account_id)",
    "CREATE UNIQUE INDEX core_link_once ON core_contact_account (contact_id, account_id, lower(role))",
    "CREATE INDEX core_contact_tag_by_tag ON core_contact_tag (tag_id, contact_id)",
    "CREATE INDEX core_account_tag_by_tag ON core_account_tag (tag_id, account_id)",
    "CREATE INDEX core_participant_interaction ON core_interaction_participant (interaction_id)",
]

# Rows that belong to exactly one contact or one account.
_ONE_OWNER = {
    "core_email": "(contact_id IS NULL) <> (account_id IS NULL)",
    "core_phone": "(contact_id IS NULL) <> (account_id IS NULL)",
    "core_address": "(contact_id IS NULL) <> (account_id IS NULL)",
    "core_interaction_participant": "(contact_id IS NULL) <> (account_id IS NULL)",
    "core_interaction": "status IN ('planned', 'done')",
}


def _postgres_checks() -> list[str]:
    return [
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_check CHECK ({rule})"
        for table, rule in _ONE_OWNER.items()
    ]


def _sqlite_checks() -> list[str]:
    """SQLite cannot add a CHECK to an existing table; triggers enforce the same rule."""
    statements = []
    for table, rule in _ONE_OWNER.items():
        new_rule = rule
        for column in ("contact_id", "account_id", "status"):
            new_rule = new_rule.replace(column, f"NEW.{column}")
        for event in ("INSERT", "UPDATE"):
            statements.append(
                f"CREATE TRIGGER {table}_check_{event.lower()} BEFORE {event} ON {table} "
                f"WHEN NOT ({new_rule}) "
                f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {table}_check'); END"
            )
    return statements


_SQLITE = [
    "CREATE VIRTUAL TABLE core_contact_search USING fts5(body, tokenize='trigram')",
    "CREATE VIRTUAL TABLE core_account_search USING fts5(body, tokenize='trigram')",
]

_POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TABLE core_contact_search (id INT PRIMARY KEY REFERENCES core_contact (id) "
    "ON DELETE CASCADE, body TEXT NOT NULL)",
    "CREATE INDEX core_contact_search_trgm ON core_contact_search USING gin (body gin_trgm_ops)",
    "CREATE TABLE core_account_search (id INT PRIMARY KEY REFERENCES core_account (id) "
    "ON DELETE CASCADE, body TEXT NOT NULL)",
    "CREATE INDEX core_account_search_trgm ON core_account_search USING gin (body gin_trgm_ops)",
]


async def create(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    engine = _POSTGRES + _postgres_checks() if postgres else _SQLITE + _sqlite_checks()
    for statement in _INDEXES + engine:
        await client.execute_script(statement)


async def drop(apps, schema_editor) -> None:
    client = schema_editor.client
    await client.execute_script("DROP TABLE core_contact_search")
    await client.execute_script("DROP TABLE core_account_search")
    for statement in _INDEXES:
        name = statement.split()[2]
        await client.execute_script(f"DROP INDEX {name}")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [ops.RunPython(create, drop)]
