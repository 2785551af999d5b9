"""Sign-in state kept in the database, so any web worker can check or end it."""

from tortoise import fields
from tortoise.models import Model


class WebSession(Model):
    """A signed-in browser (the cookie carries only the random id, signed)."""

    id = fields.CharField(max_length=64, primary_key=True)
    user = fields.ForeignKeyField("core.User", related_name="sessions", on_delete=fields.CASCADE)
    csrf_token = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)
    last_seen_at = fields.DatetimeField()
    address = fields.CharField(max_length=64, default="")
    user_agent = fields.CharField(max_length=300, default="")
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "core_web_session"


class ApiToken(Model):
    """A personal API token: shown once, stored as a SHA-256 hash (it is random, not a password)."""

    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("core.User", related_name="api_tokens", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=100)
    token_hash = fields.CharField(max_length=64, unique=True)
    prefix = fields.CharField(max_length=16)
    created_at = fields.DatetimeField()
    last_used_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "core_api_token"


class LoginAttempt(Model):
    """One sign-in attempt, counted to slow down guessing per account and per address."""

    id = fields.IntField(primary_key=True)
    username_key = fields.CharField(max_length=150)
    address = fields.CharField(max_length=64)
    succeeded = fields.BooleanField()
    at = fields.DatetimeField()

    class Meta:
        table = "core_login_attempt"
        indexes = (("username_key", "at"), ("address", "at"))
