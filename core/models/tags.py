from tortoise import fields
from tortoise.models import Model


class Tag(Model):
    """A label shared by contacts and accounts (key is the case-folded name)."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    key = fields.CharField(max_length=100, unique=True)

    class Meta:
        table = "core_tag"
