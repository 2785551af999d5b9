"""Indexes the scoped lists rely on: an "own"-scoped user's trash, follow-ups, recent work.

A user who sees only their own records lists their deleted ones by owner and deletion
time; the follow-up list walks planned, live interactions by due time (all of them, or one
author's) without sorting.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

_INDEXES = [
    "CREATE INDEX core_contact_owner_deleted ON core_contact (owner_id, deleted_at, id) "
    "WHERE deleted_at IS NOT NULL",
    "CREATE INDEX core_account_owner_deleted ON core_account (owner_id, deleted_at, id) "
    "WHERE deleted_at IS NOT NULL",
    "CREATE INDEX core_interaction_planned ON core_interaction (due_at, id) "
    "WHERE status = 'planned' AND deleted_at IS NULL",
    "CREATE INDEX core_interaction_author_planned ON core_interaction (author_id, due_at, id) "
    "WHERE status = 'planned' AND deleted_at IS NULL",
    "CREATE INDEX core_interaction_done ON core_interaction (at, id) "
    "WHERE status = 'done' AND deleted_at IS NULL",
    "CREATE INDEX core_interaction_author_recent ON core_interaction (author_id, at, id) "
    "WHERE status = 'done' AND deleted_at IS NULL",
    # Usernames are unique whatever their case, and looked up that way.
    "CREATE UNIQUE INDEX core_user_username_folded ON core_user (lower(username))",
]


async def create(apps, schema_editor) -> None:
    for statement in _INDEXES:
        await schema_editor.client.execute_script(statement)


async def drop(apps, schema_editor) -> None:
    for statement in _INDEXES:
        await schema_editor.client.execute_script(f"DROP INDEX {statement.split()[2]}")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_auth_and_audit")]

    operations = [ops.RunPython(create, drop)]
