"""Each user's language and time zone, chosen on their profile page ("" = the default)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("core", "0004_scope_indexes")]

    initial = False

    operations = [
        ops.AddField(
            model_name="User",
            name="language",
            field=fields.CharField(max_length=16, default="", db_default=""),
        ),
        ops.AddField(
            model_name="User",
            name="time_zone",
            field=fields.CharField(max_length=64, default="", db_default=""),
        ),
    ]
