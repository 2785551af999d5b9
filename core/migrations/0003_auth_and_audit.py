import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("core", "0002_search_and_indexes")]

    initial = False

    operations = [
        ops.CreateModel(
            name="ApiToken",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "core.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="api_tokens",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("name", fields.CharField(max_length=100)),
                ("token_hash", fields.CharField(unique=True, max_length=64)),
                ("prefix", fields.CharField(max_length=16)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "last_used_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("expires_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "core_api_token",
                "app": "core",
                "pk_attr": "id",
                "table_description": "A personal API token: shown once, stored as a SHA-256 hash (it is random, not a password).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="AuditEntry",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "actor",
                    fields.ForeignKeyField(
                        "core.User",
                        source_field="actor_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="audit_entries",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("actor_name", fields.CharField(max_length=150)),
                ("entity", fields.CharField(max_length=50)),
                ("record_id", fields.IntField()),
                ("action", fields.CharField(max_length=20)),
                (
                    "changes",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
            ],
            options={
                "table": "core_audit",
                "app": "core",
                "indexes": [Index(fields=["entity", "record_id", "id"])],
                "pk_attr": "id",
                "table_description": "Who changed what and when: one row per create, update, delete, restore or merge.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="LoginAttempt",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("username_key", fields.CharField(max_length=150)),
                ("address", fields.CharField(max_length=64)),
                ("succeeded", fields.BooleanField()),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "core_login_attempt",
                "app": "core",
                "indexes": [Index(fields=["username_key", "at"]), Index(fields=["address", "at"])],
                "pk_attr": "id",
                "table_description": "One sign-in attempt, counted to slow down guessing per account and per address.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="WebSession",
            fields=[
                (
                    "id",
                    fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "core.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="sessions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("csrf_token", fields.CharField(max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "expires_at",
                    fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False),
                ),
                ("last_seen_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("address", fields.CharField(default="", max_length=64)),
                ("user_agent", fields.CharField(default="", max_length=300)),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "core_web_session",
                "app": "core",
                "pk_attr": "id",
                "table_description": "A signed-in browser (the cookie carries only the random id, signed).",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="User",
            name="last_login_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="User",
            name="password_hash",
            field=fields.CharField(null=True, max_length=255),
        ),
        ops.AddField(
            model_name="User",
            name="roles",
            field=fields.JSONField(
                default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
            ),
        ),
    ]
