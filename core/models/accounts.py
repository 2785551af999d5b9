from tortoise import fields
from tortoise.models import Model


class Account(Model):
    """An organisation: customer, supplier, partner, competitor and so on."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=400)
    sort_name = fields.CharField(max_length=400)
    website = fields.CharField(max_length=500, default="")
    registration_number = fields.CharField(max_length=100, default="")
    vat_number = fields.CharField(max_length=100, default="")
    notes = fields.TextField(default="")
    parent = fields.ForeignKeyField(
        "core.Account", related_name="children", null=True, on_delete=fields.SET_NULL
    )
    owner = fields.ForeignKeyField(
        "core.User", related_name="owned_accounts", null=True, on_delete=fields.SET_NULL
    )
    custom = fields.JSONField(default=dict)
    tags = fields.ManyToManyField(
        "core.Tag",
        related_name="accounts",
        through="core_account_tag",
        forward_key="tag_id",
        backward_key="account_id",
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    deleted_at = fields.DatetimeField(null=True)
    version = fields.IntField(default=1)

    class Meta:
        table = "core_account"


class AccountKind(Model):
    """One kind an account has (an account may be customer and supplier at once)."""

    id = fields.IntField(primary_key=True)
    account = fields.ForeignKeyField(
        "core.Account", related_name="kind_rows", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=50)

    class Meta:
        table = "core_account_kind"
        unique_together = (("account", "kind"),)
        indexes = (("kind", "account_id"),)
