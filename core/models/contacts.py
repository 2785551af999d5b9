from tortoise import fields
from tortoise.models import Model


class Contact(Model):
    """A person. Emails, phones and addresses live in their own tables."""

    id = fields.IntField(primary_key=True)
    first_name = fields.CharField(max_length=200, default="")
    last_name = fields.CharField(max_length=200, default="")
    display_name = fields.CharField(max_length=400)
    # Case-folded display name: the keyset sort key, so lists sort as people expect.
    sort_name = fields.CharField(max_length=400)
    language = fields.CharField(max_length=35, null=True)
    birthday = fields.DateField(null=True)
    notes = fields.TextField(default="")
    owner = fields.ForeignKeyField(
        "core.User", related_name="owned_contacts", null=True, on_delete=fields.SET_NULL
    )
    custom = fields.JSONField(default=dict)
    tags = fields.ManyToManyField(
        "core.Tag",
        related_name="contacts",
        through="core_contact_tag",
        forward_key="tag_id",
        backward_key="contact_id",
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    deleted_at = fields.DatetimeField(null=True)
    version = fields.IntField(default=1)

    class Meta:
        table = "core_contact"
