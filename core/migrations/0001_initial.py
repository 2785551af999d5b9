import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="Tag",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("name", fields.CharField(max_length=100)),
                ("key", fields.CharField(unique=True, max_length=100)),
            ],
            options={
                "table": "core_tag",
                "app": "core",
                "pk_attr": "id",
                "table_description": "A label shared by contacts and accounts (key is the case-folded name).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="User",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("username", fields.CharField(unique=True, max_length=150)),
                ("display_name", fields.CharField(default="", max_length=200)),
                ("email", fields.CharField(null=True, max_length=320)),
                ("is_active", fields.BooleanField(default=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "core_user",
                "app": "core",
                "pk_attr": "id",
                "table_description": "Someone who signs in, owns records and authors interactions.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Account",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("name", fields.CharField(max_length=400)),
                ("sort_name", fields.CharField(max_length=400)),
                ("website", fields.CharField(default="", max_length=500)),
                ("registration_number", fields.CharField(default="", max_length=100)),
                ("vat_number", fields.CharField(default="", max_length=100)),
                ("notes", fields.TextField(default="", unique=False)),
                (
                    "parent",
                    fields.ForeignKeyField(
                        "core.Account",
                        source_field="parent_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="children",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "owner",
                    fields.ForeignKeyField(
                        "core.User",
                        source_field="owner_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="owned_accounts",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "custom",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "tags",
                    fields.ManyToManyField(
                        "core.Tag",
                        unique=True,
                        db_constraint=True,
                        through="core_account_tag",
                        forward_key="tag_id",
                        backward_key="account_id",
                        related_name="accounts",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("deleted_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("version", fields.IntField(default=1)),
            ],
            options={
                "table": "core_account",
                "app": "core",
                "pk_attr": "id",
                "table_description": "An organisation: customer, supplier, partner, competitor and so on.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="AccountKind",
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
                        related_name="kind_rows",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("kind", fields.CharField(max_length=50)),
            ],
            options={
                "table": "core_account_kind",
                "app": "core",
                "unique_together": (("account", "kind"),),
                "indexes": [Index(fields=["kind", "account_id"])],
                "pk_attr": "id",
                "table_description": "One kind an account has (an account may be customer and supplier at once).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Contact",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("first_name", fields.CharField(default="", max_length=200)),
                ("last_name", fields.CharField(default="", max_length=200)),
                ("display_name", fields.CharField(max_length=400)),
                ("sort_name", fields.CharField(max_length=400)),
                ("language", fields.CharField(null=True, max_length=35)),
                ("birthday", fields.DateField(null=True)),
                ("notes", fields.TextField(default="", unique=False)),
                (
                    "owner",
                    fields.ForeignKeyField(
                        "core.User",
                        source_field="owner_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="owned_contacts",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "custom",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "tags",
                    fields.ManyToManyField(
                        "core.Tag",
                        unique=True,
                        db_constraint=True,
                        through="core_contact_tag",
                        forward_key="tag_id",
                        backward_key="contact_id",
                        related_name="contacts",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("deleted_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("version", fields.IntField(default=1)),
            ],
            options={
                "table": "core_contact",
                "app": "core",
                "pk_attr": "id",
                "table_description": "A person. Emails, phones and addresses live in their own tables.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ContactAccountLink",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "contact",
                    fields.ForeignKeyField(
                        "core.Contact",
                        source_field="contact_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="account_links",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "account",
                    fields.ForeignKeyField(
                        "core.Account",
                        source_field="account_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="contact_links",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("role", fields.CharField(default="", max_length=200)),
                ("is_primary", fields.BooleanField(default=False)),
                ("start_date", fields.DateField(null=True)),
                ("end_date", fields.DateField(null=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "core_contact_account",
                "app": "core",
                "pk_attr": "id",
                "table_description": "A contact's place at an account: role or title, primary flag, and when it held.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="EmailAddress",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "contact",
                    fields.ForeignKeyField(
                        "core.Contact",
                        source_field="contact_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="emails",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "account",
                    fields.ForeignKeyField(
                        "core.Account",
                        source_field="account_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="emails",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("email", fields.CharField(db_index=True, max_length=320)),
                ("label", fields.CharField(default="work", max_length=50)),
                ("is_primary", fields.BooleanField(default=False)),
                ("position", fields.SmallIntField(default=0)),
            ],
            options={"table": "core_email", "app": "core", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Interaction",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("kind", fields.CharField(max_length=50)),
                ("status", fields.CharField(default="done", max_length=10)),
                ("direction", fields.CharField(null=True, max_length=10)),
                (
                    "occurred_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("due_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("duration_minutes", fields.IntField(null=True)),
                ("subject", fields.CharField(default="", max_length=500)),
                ("body", fields.TextField(default="", unique=False)),
                ("outcome", fields.CharField(default="", max_length=500)),
                (
                    "author",
                    fields.ForeignKeyField(
                        "core.User",
                        source_field="author_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="interactions",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("deleted_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("version", fields.IntField(default=1)),
            ],
            options={
                "table": "core_interaction",
                "app": "core",
                "indexes": [Index(fields=["status", "due_at"]), Index(fields=["at", "id"])],
                "pk_attr": "id",
                "table_description": "A call, email, meeting, note or message: done, or planned with a due time.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="InteractionParticipant",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "interaction",
                    fields.ForeignKeyField(
                        "core.Interaction",
                        source_field="interaction_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="participants",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "contact",
                    fields.ForeignKeyField(
                        "core.Contact",
                        source_field="contact_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="participations",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "account",
                    fields.ForeignKeyField(
                        "core.Account",
                        source_field="account_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="participations",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={
                "table": "core_interaction_participant",
                "app": "core",
                "indexes": [
                    Index(fields=["contact_id", "interaction_id"]),
                    Index(fields=["account_id", "interaction_id"]),
                ],
                "pk_attr": "id",
                "table_description": "A contact or an account taking part in an interaction.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="PhoneNumber",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "contact",
                    fields.ForeignKeyField(
                        "core.Contact",
                        source_field="contact_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="phones",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "account",
                    fields.ForeignKeyField(
                        "core.Account",
                        source_field="account_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="phones",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("e164", fields.CharField(db_index=True, max_length=32)),
                ("original", fields.CharField(max_length=64)),
                ("label", fields.CharField(default="mobile", max_length=50)),
                ("is_primary", fields.BooleanField(default=False)),
                ("position", fields.SmallIntField(default=0)),
            ],
            options={"table": "core_phone", "app": "core", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="PostalAddress",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "contact",
                    fields.ForeignKeyField(
                        "core.Contact",
                        source_field="contact_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="addresses",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "account",
                    fields.ForeignKeyField(
                        "core.Account",
                        source_field="account_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="addresses",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("label", fields.CharField(default="work", max_length=50)),
                ("street", fields.CharField(default="", max_length=500)),
                ("city", fields.CharField(default="", max_length=200)),
                ("region", fields.CharField(default="", max_length=200)),
                ("postal_code", fields.CharField(default="", max_length=40)),
                ("country", fields.CharField(default="", max_length=2)),
                ("position", fields.SmallIntField(default=0)),
            ],
            options={"table": "core_address", "app": "core", "pk_attr": "id"},
            bases=["Model"],
        ),
    ]
