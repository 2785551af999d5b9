from tortoise import fields
from tortoise.models import Model


class User(Model):
    """Someone who signs in, owns records and authors interactions."""

    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=150, unique=True)
    display_name = fields.CharField(max_length=200, default="")
    email = fields.CharField(max_length=320, null=True)
    is_active = fields.BooleanField(default=True)
    # argon2id hash (argon2-cffi); None until a password is set.
    password_hash = fields.CharField(max_length=255, null=True)
    roles = fields.JSONField(default=list)
    # Preferences for localisation: "" means the deployment's default.
    language = fields.CharField(max_length=16, default="", db_default="")
    time_zone = fields.CharField(max_length=64, default="", db_default="")
    last_login_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "core_user"
