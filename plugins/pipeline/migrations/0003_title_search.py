"""Finding deals by any part of their title without reading the whole deals table.

SQLite: an FTS5 table with the trigram tokenizer over ``pipeline_deal.title`` (external
content, rowid = deal id), holding live deals only. Triggers keep it in step with every
insert, title change, soft delete (or restore) and hard delete; existing live deals are
indexed here. PostgreSQL: a partial pg_trgm GIN index on ``lower(title)`` of live deals
(core's migration 0002 creates the pg_trgm extension).

Both answer any substring of three or more characters, case-insensitively, in any script.
Shorter searches use a prefix range on ``lower(title)``: this migration replaces 0002's plain
``pipeline_deal_title`` index with a partial one on ``(lower(title), id)`` of live deals
(in byte order, ``COLLATE "C"``, on PostgreSQL) that serves the range in title order.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

_OLD_TITLE = "CREATE INDEX pipeline_deal_title ON pipeline_deal (lower(title))"

# An FTS5 'delete' must repeat exactly what was indexed, so each trigger removes the old
# row only if it was live (indexed) and adds the new one only if it is live.
_REMOVE_OLD = (
    "INSERT INTO pipeline_deal_search (pipeline_deal_search, rowid, title) "
    "SELECT 'delete', old.id, old.title WHERE old.deleted_at IS NULL;"
)
_ADD_NEW = (
    "INSERT INTO pipeline_deal_search (rowid, title) "
    "SELECT new.id, new.title WHERE new.deleted_at IS NULL;"
)
_SQLITE = [
    "CREATE VIRTUAL TABLE pipeline_deal_search USING fts5(title, content='pipeline_deal', "
    "content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER pipeline_deal_search_insert AFTER INSERT ON pipeline_deal BEGIN {_ADD_NEW} END",
    "CREATE TRIGGER pipeline_deal_search_delete AFTER DELETE ON pipeline_deal "
    f"BEGIN {_REMOVE_OLD} END",
    "CREATE TRIGGER pipeline_deal_search_update AFTER UPDATE OF id, title, deleted_at "
    f"ON pipeline_deal BEGIN {_REMOVE_OLD} {_ADD_NEW} END",
    # Deals that existed before this migration.
    "INSERT INTO pipeline_deal_search (rowid, title) "
    "SELECT id, title FROM pipeline_deal WHERE deleted_at IS NULL",
    "CREATE INDEX pipeline_deal_title_prefix ON pipeline_deal (lower(title), id) "
    "WHERE deleted_at IS NULL",
]
_POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX pipeline_deal_title_trgm ON pipeline_deal "
    "USING gin (lower(title) gin_trgm_ops) WHERE deleted_at IS NULL",
    'CREATE INDEX pipeline_deal_title_prefix ON pipeline_deal (lower(title) COLLATE "C", id) '
    "WHERE deleted_at IS NULL",
]


async def create(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    await client.execute_script("DROP INDEX IF EXISTS pipeline_deal_title")
    for statement in _POSTGRES if postgres else _SQLITE:
        await client.execute_script(statement)


async def drop(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script("DROP INDEX pipeline_deal_title_trgm")
    else:
        for event in ("insert", "delete", "update"):
            await client.execute_script(f"DROP TRIGGER pipeline_deal_search_{event}")
        await client.execute_script("DROP TABLE pipeline_deal_search")
    await client.execute_script("DROP INDEX pipeline_deal_title_prefix")
    await client.execute_script(_OLD_TITLE)


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0002_indexes_and_checks")]

    operations = [ops.RunPython(create, drop)]
