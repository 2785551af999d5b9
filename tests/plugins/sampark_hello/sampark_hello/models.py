"""The hello plugin's own table (tortoise app ``hello``)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Greeting(Model):
    """A greeting written for a contact when it was created."""

    id = fields.IntField(primary_key=True)
    # related_name=False: a plugin adds no attribute to core's Contact, so kernels
    # without this plugin see Contact exactly as core defines it.
    contact = fields.ForeignKeyField("core.Contact", related_name=False, on_delete=fields.CASCADE)
    text = fields.CharField(max_length=500)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "hello_greeting"
