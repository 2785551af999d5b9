from tortoise import fields
from tortoise.models import Model


class ContactAccountLink(Model):
    """A contact's place at an account: role or title, primary flag, and when it held."""

    id = fields.IntField(primary_key=True)
    contact = fields.ForeignKeyField(
        "core.Contact", related_name="account_links", on_delete=fields.CASCADE
    )
    account = fields.ForeignKeyField(
        "core.Account", related_name="contact_links", on_delete=fields.CASCADE
    )
    role = fields.CharField(max_length=200, default="")
    is_primary = fields.BooleanField(default=False)
    start_date = fields.DateField(null=True)
    end_date = fields.DateField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "core_contact_account"
