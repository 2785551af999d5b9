"""Emails, phones and addresses, each owned by exactly one contact or one account.

The one-owner rule is a CHECK on PostgreSQL and a trigger on SQLite (migration 0002).
"""

from tortoise import fields
from tortoise.models import Model


class EmailAddress(Model):
    id = fields.IntField(primary_key=True)
    contact = fields.ForeignKeyField(
        "core.Contact", related_name="emails", null=True, on_delete=fields.CASCADE
    )
    account = fields.ForeignKeyField(
        "core.Account", related_name="emails", null=True, on_delete=fields.CASCADE
    )
    email = fields.CharField(max_length=320, db_index=True)
    label = fields.CharField(max_length=50, default="work")
    is_primary = fields.BooleanField(default=False)
    position = fields.SmallIntField(default=0)

    class Meta:
        table = "core_email"


class PhoneNumber(Model):
    id = fields.IntField(primary_key=True)
    contact = fields.ForeignKeyField(
        "core.Contact", related_name="phones", null=True, on_delete=fields.CASCADE
    )
    account = fields.ForeignKeyField(
        "core.Account", related_name="phones", null=True, on_delete=fields.CASCADE
    )
    e164 = fields.CharField(max_length=32, db_index=True)
    original = fields.CharField(max_length=64)
    label = fields.CharField(max_length=50, default="mobile")
    is_primary = fields.BooleanField(default=False)
    position = fields.SmallIntField(default=0)

    class Meta:
        table = "core_phone"


class PostalAddress(Model):
    id = fields.IntField(primary_key=True)
    contact = fields.ForeignKeyField(
        "core.Contact", related_name="addresses", null=True, on_delete=fields.CASCADE
    )
    account = fields.ForeignKeyField(
        "core.Account", related_name="addresses", null=True, on_delete=fields.CASCADE
    )
    label = fields.CharField(max_length=50, default="work")
    street = fields.CharField(max_length=500, default="")
    city = fields.CharField(max_length=200, default="")
    region = fields.CharField(max_length=200, default="")
    postal_code = fields.CharField(max_length=40, default="")
    country = fields.CharField(max_length=2, default="")
    position = fields.SmallIntField(default=0)

    class Meta:
        table = "core_address"
