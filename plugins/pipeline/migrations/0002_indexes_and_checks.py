"""Indexes the board, lists, timelines and forecasts use, and the rules a deal row keeps.

The board and the list walk live deals by pipeline and stage (or owner, or status) and id;
forecasts group open deals by expected close and won deals by close date; timelines read
a deal's stage changes newest first. Tortoise emits no CHECK constraints: PostgreSQL gets
them as constraints, SQLite (which cannot add one to a table) as triggers.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

_INDEXES = [
    "CREATE INDEX pipeline_deal_stage ON pipeline_deal (pipeline, stage, id) "
    "WHERE deleted_at IS NULL",
    "CREATE INDEX pipeline_deal_live ON pipeline_deal (id) WHERE deleted_at IS NULL",
    "CREATE INDEX pipeline_deal_status ON pipeline_deal (status, id) WHERE deleted_at IS NULL",
    "CREATE INDEX pipeline_deal_owner ON pipeline_deal (owner_id, status, id) "
    "WHERE deleted_at IS NULL",
    "CREATE INDEX pipeline_deal_owner_all ON pipeline_deal (owner_id, id) WHERE deleted_at IS NULL",
    # Covering: the board's counts and totals read no table rows.
    "CREATE INDEX pipeline_deal_board ON pipeline_deal (pipeline, stage, currency, amount) "
    "WHERE deleted_at IS NULL",
    # Covering: a forecast over a range of close dates reads no table rows.
    "CREATE INDEX pipeline_deal_open_close ON pipeline_deal "
    "(expected_close, currency, probability, amount, pipeline, stage, owner_id) "
    "WHERE status = 'open' AND deleted_at IS NULL",
    "CREATE INDEX pipeline_deal_won_on ON pipeline_deal "
    "(closed_on, account_id, currency, amount) WHERE status = 'won' AND deleted_at IS NULL",
    "CREATE INDEX pipeline_deal_account ON pipeline_deal (account_id, id)",
    "CREATE INDEX pipeline_deal_title ON pipeline_deal (lower(title))",
    "CREATE INDEX pipeline_deal_contact_contact ON pipeline_deal_contact (contact_id, deal_id)",
    "CREATE INDEX pipeline_stage_change_deal ON pipeline_stage_change (deal_id, at, id)",
    "CREATE INDEX pipeline_stage_change_at ON pipeline_stage_change (at, id)",
    # Covering: win rates and days in stage read no table rows of the history.
    "CREATE INDEX pipeline_stage_change_stats ON pipeline_stage_change "
    "(pipeline, to_stage, deal_id, at, left_at)",
]
_RULE = (
    "status IN ('open', 'won', 'lost') AND probability BETWEEN 0 AND 100 "
    "AND CAST(amount AS NUMERIC) >= 0 AND length(currency) = 3 "
    "AND (status = 'open') = (closed_on IS NULL)"
)


def _checks(postgres: bool) -> list[str]:
    if postgres:
        return [f"ALTER TABLE pipeline_deal ADD CONSTRAINT pipeline_deal_check CHECK ({_RULE})"]
    new_rule = (
        _RULE.replace("status", "NEW.status")
        .replace("probability", "NEW.probability")
        .replace("CAST(amount", "CAST(NEW.amount")
        .replace("(currency)", "(NEW.currency)")
        .replace("closed_on", "NEW.closed_on")
    )
    return [
        f"CREATE TRIGGER pipeline_deal_check_{event.lower()} BEFORE {event} ON pipeline_deal "
        f"WHEN NOT ({new_rule}) "
        "BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: pipeline_deal_check'); END"
        for event in ("INSERT", "UPDATE")
    ]


async def create(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    for statement in [*_INDEXES, *_checks(postgres)]:
        await client.execute_script(statement)


async def drop(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script("ALTER TABLE pipeline_deal DROP CONSTRAINT pipeline_deal_check")
    else:
        for event in ("insert", "update"):
            await client.execute_script(f"DROP TRIGGER pipeline_deal_check_{event}")
    for statement in _INDEXES:
        await client.execute_script(f"DROP INDEX {statement.split()[2]}")


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0001_initial")]

    operations = [ops.RunPython(create, drop)]
