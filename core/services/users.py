"""Users, as far as records need them: someone to own a contact or an account.

Passwords and roles come later; this module only creates users and finds them by name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from sampark.core.errors import ValidationError
from sampark.core.services.inputs import clean_email
from sampark.core.services.search import db_time, fetch, now

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark


async def create_user(
    kernel: Sampark, username: str, display_name: str = "", email: str | None = None
) -> int:
    """Add a user and return its id; the username must be new."""
    username = (username or "").strip()
    if not username or len(username) > 150:
        raise ValidationError.single("username", "must be 1 to 150 characters")
    if email:
        email = clean_email(email, "email")
    try:
        async with in_transaction() as conn:
            rows = await fetch(
                conn,
                "INSERT INTO core_user (username, display_name, email, is_active, roles, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                [username, display_name.strip(), email or None, True, "[]", db_time(conn, now())],
            )
    except IntegrityError:
        raise ValidationError.single("username", f"{username!r} is taken") from None
    return rows[0]["id"]


async def user_id_for(kernel: Sampark, username: str, where: str = "owner") -> int:
    """The id of the user called ``username``; a field error naming ``where`` if none."""
    rows = await fetch(kernel.connection, "SELECT id FROM core_user WHERE username = ?", [username])
    if not rows:
        raise ValidationError.single(where, f"no user named {username!r}")
    return rows[0]["id"]
