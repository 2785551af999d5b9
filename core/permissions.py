"""Named permissions, roles that grant them, and the actor every service call runs as."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from sampark.core.errors import PermissionDenied

Scope = Literal["all", "own"]

CORE_PERMISSIONS: dict[str, str] = {
    "contacts.read": "See contacts",
    "contacts.write": "Create and change contacts",
    "contacts.delete": "Delete and restore contacts",
    "accounts.read": "See accounts",
    "accounts.write": "Create and change accounts and their links",
    "accounts.delete": "Delete and restore accounts",
    "interactions.read": "See interactions and timelines",
    "interactions.write": "Log interactions and plan follow-ups",
    "interactions.delete": "Delete interactions",
    "audit.read": "See the audit trail of records",
    "users.manage": "Add users, set their roles and passwords",
}


@dataclass(frozen=True)
class Permission:
    """A permission a plugin adds, e.g. ``Permission("tickets.write", "Open and edit tickets")``.

    Attributes:
        name: ``<area>.<action>``; built-in roles grant it by its suffix (``.read``,
            ``.write``, ``.delete``).
        description: what it allows, shown to admins.
    """

    name: str
    description: str = ""


@dataclass(frozen=True)
class Role:
    """A named set of permissions; ``scope="own"`` limits records to those the user owns."""

    name: str
    grants: tuple[str, ...]
    scope: Scope = "all"

    def permissions(self, known: Iterable[str]) -> frozenset[str]:
        """The known permissions this role's grants (which may use * wildcards) match."""
        return frozenset(
            name for name in known if any(fnmatch.fnmatchcase(name, grant) for grant in self.grants)
        )


BUILTIN_ROLES: dict[str, Role] = {
    "admin": Role("admin", ("*",)),
    "manager": Role("manager", ("*.read", "*.write", "*.delete", "audit.read")),
    "agent": Role("agent", ("*.read", "*.write"), scope="own"),
    "read-only": Role("read-only", ("*.read",)),
}


@dataclass(frozen=True)
class Actor:
    """Who a service call runs as: a signed-in user, or the system (CLI, notebook, jobs).

    Attributes:
        user_id: the user's id; None for the system (``SYSTEM``), which may do anything.
        username: the name audit rows record.
        permissions: the permission names the user's roles grant.
        scope: ``"all"`` records, or ``"own"``: only the contacts and accounts the user
            owns, and what hangs off them.
        language: the user's preferred language ("": the deployment's default).
        time_zone: the user's time zone ("": the deployment's default).
    """

    user_id: int | None
    username: str
    permissions: frozenset[str]
    scope: Scope = "all"
    language: str = ""  # the user's preferences ("" = the deployment's default)
    time_zone: str = ""

    @property
    def is_system(self) -> bool:
        """Whether this is the system (no user), which every check lets through."""
        return self.user_id is None

    def can(self, permission: str) -> bool:
        """Whether the actor holds ``permission`` (the system holds every one)."""
        return self.is_system or permission in self.permissions

    def require(self, permission: str) -> None:
        """Refuse before anything is read or written (a denied request changes nothing)."""
        if not self.can(permission):
            raise PermissionDenied(self.username, permission)

    def sees_everything(self) -> bool:
        """Whether no "own" scope limits which records the actor sees."""
        return self.is_system or self.scope == "all"


SYSTEM = Actor(user_id=None, username="system", permissions=frozenset(), scope="all")


def actor_for(
    user_id: int,
    username: str,
    role_names: Iterable[str],
    roles: Mapping[str, Role],
    known_permissions: Iterable[str],
    *,
    language: str = "",
    time_zone: str = "",
) -> Actor:
    """The actor of a user with these roles: the union of their permissions, the widest scope."""
    known = list(known_permissions)
    granted: set[str] = set()
    scopes: set[str] = set()
    for name in role_names:
        role = roles.get(name)
        if role is None:
            continue
        granted |= role.permissions(known)
        scopes.add(role.scope)
    scope: Scope = "all" if "all" in scopes else "own"
    return Actor(user_id, username, frozenset(granted), scope, language, time_zone)
