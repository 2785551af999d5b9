"""Errors a person can act on: each names the field or setting at fault."""

from __future__ import annotations

from dataclasses import dataclass


class SamparkError(Exception):
    """Base of every error Sampark raises on purpose."""


class ConfigError(SamparkError):
    """The configuration or the plugin set cannot be used; the message names the culprit."""


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field, e.g. ``emails[1].email: not a valid address``.

    Attributes:
        field: the field's path in the input (``emails[1].email``, ``amount``).
        message: what is wrong, for a person (``must be > 0 (got -2)``).
    """

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ValidationError(SamparkError):
    """Input was refused and nothing was written.

    Attributes:
        errors: every ``FieldError`` found, so a form can mark them all at once. Raise
            ``ValidationError.single(field, message)`` for one.
    """

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(error) for error in self.errors))

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls([FieldError(field, message)])


class NotFoundError(SamparkError):
    """The record does not exist (or is hidden from the caller): a 404 on the web and API.

    Attributes:
        entity: what kind of record (``"deal"``).
        key: the id or number that was asked for.
    """

    def __init__(self, entity: str, key: object) -> None:
        self.entity = entity
        self.key = key
        super().__init__(f"{entity} {key} not found")


class PermissionDenied(SamparkError):
    """The actor lacks a permission; nothing was read or written (a 403).

    Attributes:
        username: who asked.
        permission: the permission they lack (``"tickets.write"``).
    """

    def __init__(self, username: str, permission: str) -> None:
        self.username = username
        self.permission = permission
        super().__init__(f"{username} may not do this (needs the {permission} permission)")


class StaleRecordError(SamparkError):
    """Someone else changed the record since it was read; the edit was refused (a 409).

    Attributes:
        entity: what kind of record.
        key: its id.
        expected: the version the editor read.
        actual: the version it is now.
    """

    def __init__(self, entity: str, key: object, expected: int, actual: int) -> None:
        self.entity = entity
        self.key = key
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"{entity} {key} was changed by someone else "
            f"(you edited version {expected}, it is now version {actual})"
        )


class LoginFailed(SamparkError):
    """A sign-in was refused; one message whatever the cause, so it reveals no usernames."""

    def __init__(self) -> None:
        super().__init__("wrong username or password")


class TooManyAttempts(SamparkError):
    """Too many failed sign-ins for the account or from the address; wait and try again.

    ``retry_after_seconds`` (also ``retry_after``) is when the next try may succeed, for a
    ``Retry-After`` header.
    """

    def __init__(self, retry_after_seconds: int) -> None:
        self.retry_after_seconds = self.retry_after = max(1, int(retry_after_seconds))
        minutes = -(-self.retry_after_seconds // 60)
        unit = "minute" if minutes == 1 else "minutes"
        super().__init__(f"too many failed sign-ins: try again in {minutes} {unit}")
