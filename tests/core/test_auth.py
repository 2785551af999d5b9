"""Users, passwords, sign-in with its rate limit, sessions and API tokens, on both engines."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from typing import Any

import pytest
from argon2 import PasswordHasher

from sampark.core.errors import (
    LoginFailed,
    NotFoundError,
    PermissionDenied,
    TooManyAttempts,
    ValidationError,
)
from sampark.core.kernel import Sampark
from sampark.core.permissions import SYSTEM, Role
from sampark.core.services import auth
from sampark.core.services.users import create_user, user_id_for
from sampark.core.sql import execute, fetch, read_time

PASSWORD = "correct horse battery"


class Clock:
    """The ``now`` auth uses, moved by hand."""

    def __init__(self) -> None:
        self.moment = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(auth, "now", clock)
    return clock


async def rows(crm: Sampark, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    with crm.activate():
        return await fetch(crm.connection, sql, params or [])


async def sign_in(crm: Sampark, username: str, password: str, address: str = "10.0.0.1") -> Any:
    return await auth.authenticate(crm, username, password, address=address)


# -- passwords -------------------------------------------------------------------------------


def test_passwords_are_hashed_with_argon2id_and_verified() -> None:
    hashed = auth.hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$")
    assert PASSWORD not in hashed
    assert auth.hash_password(PASSWORD) != hashed, "each hash has its own salt"
    assert auth.verify_password(hashed, PASSWORD)
    assert not auth.verify_password(hashed, PASSWORD.upper())
    assert not auth.verify_password("not a hash", PASSWORD)
    assert not auth.verify_password(None, PASSWORD)


async def test_signing_in_rehashes_a_password_hashed_with_old_parameters(crm: Sampark) -> None:
    await auth.add_user(crm, "meera", password=PASSWORD)
    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    with crm.activate():
        sql = "UPDATE core_user SET password_hash = ? WHERE username = ?"
        await execute(crm.connection, sql, [weak, "meera"])
    await sign_in(crm, "meera", PASSWORD)
    (row,) = await rows(crm, "SELECT password_hash FROM core_user WHERE username = ?", ["meera"])
    assert row["password_hash"] != weak
    assert not PasswordHasher().check_needs_rehash(row["password_hash"])
    assert (await sign_in(crm, "meera", PASSWORD)).username == "meera"


# -- users -----------------------------------------------------------------------------------


async def test_add_user_names_every_bad_field_and_writes_nothing(crm: Sampark) -> None:
    with pytest.raises(ValidationError) as caught:
        await auth.add_user(
            crm, "asha rao!", password="short", roles=["agent", "boss"], email="not-an-email"
        )
    errors = {error.field: error.message for error in caught.value.errors}
    assert set(errors) == {"username", "password", "roles[1]", "email"}
    assert errors["password"] == "must be at least 10 characters long"
    assert errors["roles[1]"] == (
        "unknown role 'boss' (known roles: admin, agent, manager, read-only)"
    )
    with pytest.raises(ValidationError) as caught:
        await auth.add_user(crm, "x" * 151)
    assert caught.value.errors[0].field == "username"
    assert (await auth.list_users(crm)).items == []


async def test_a_new_user_keeps_every_detail_but_never_shows_the_hash(crm: Sampark) -> None:
    user = await auth.add_user(
        crm,
        "meera.iyer@example.in",
        password=PASSWORD,
        roles=["manager", "agent"],
        display_name="मीरा अय्यर",
        email="Meera@Example.IN",
    )
    assert (user.username, user.roles, user.is_active) == (
        "meera.iyer@example.in",
        ("manager", "agent"),
        True,
    )
    assert user.email == "Meera@example.in"
    assert not any("argon2" in str(value) for value in user.to_dict().values())
    assert await auth.get_user(crm, "meera.iyer@example.in") == user
    default = await auth.add_user(crm, "ravi")
    assert default.roles == ("agent",)


async def test_usernames_are_unique_whatever_their_case(crm: Sampark) -> None:
    meera = await auth.add_user(crm, "Meera", password=PASSWORD)
    with pytest.raises(ValidationError) as caught:
        await auth.add_user(crm, "meera")
    assert str(caught.value) == "username: 'meera' is taken"
    assert (await auth.get_user(crm, "MEERA")).id == meera.id
    with crm.activate():
        assert await user_id_for(crm, "meera") == meera.id
    assert (await sign_in(crm, "mEERA", PASSWORD)).user_id == meera.id
    with pytest.raises(NotFoundError):
        await auth.get_user(crm, "ghost")


async def test_users_are_listed_by_name_a_page_at_a_time(crm: Sampark) -> None:
    for name in ("ravi", "asha", "meera"):
        await auth.add_user(crm, name)
    first = await auth.list_users(crm, limit=2)
    assert [user.username for user in first] == ["asha", "meera"]
    rest = await auth.list_users(crm, cursor=first.next_cursor, limit=2)
    assert [user.username for user in rest] == ["ravi"]
    assert rest.next_cursor is None
    with pytest.raises(ValidationError):
        await auth.list_users(crm, cursor="nonsense")


async def test_roles_must_exist_and_config_roles_count(make_kernel: Any) -> None:
    crm = await make_kernel(roles=(Role("fundraiser", ("contacts.*",), "own"),))
    await auth.add_user(crm, "asha", roles=["admin"])
    await auth.add_user(crm, "meera")
    user = await auth.set_roles(crm, "meera", ["fundraiser", "read-only"])
    assert user.roles == ("fundraiser", "read-only")
    assert (await auth.get_user(crm, "meera")).roles == ("fundraiser", "read-only")
    with pytest.raises(ValidationError) as caught:
        await auth.set_roles(crm, "meera", ["fundraiser", "boss"])
    assert str(caught.value) == (
        "roles[1]: unknown role 'boss' (known roles: admin, agent, fundraiser, manager, read-only)"
    )
    assert (await auth.get_user(crm, "meera")).roles == ("fundraiser", "read-only")
    with pytest.raises(NotFoundError):
        await auth.set_roles(crm, "ghost", ["agent"])


async def test_the_last_user_who_may_manage_users_keeps_that_power(crm: Sampark) -> None:
    await auth.add_user(crm, "asha", roles=["admin"])
    with pytest.raises(ValidationError) as caught:
        await auth.set_roles(crm, "asha", ["manager"])
    assert caught.value.errors[0].field == "roles"
    assert "last active user who may manage users" in str(caught.value)
    with pytest.raises(ValidationError):
        await auth.disable_user(crm, "asha")
    user = await auth.get_user(crm, "asha")
    assert (user.roles, user.is_active) == (("admin",), True)

    await auth.add_user(crm, "meera", roles=["admin"])
    assert (await auth.set_roles(crm, "asha", ["manager"])).roles == ("manager",)
    with pytest.raises(ValidationError):
        await auth.disable_user(crm, "meera")


async def test_disabling_ends_sessions_and_tokens_at_once(crm: Sampark) -> None:
    await auth.add_user(crm, "asha", roles=["admin"])
    await auth.add_user(crm, "meera", password=PASSWORD)
    session = await auth.start_session(crm, await sign_in(crm, "meera", PASSWORD))
    token, _ = await auth.create_token(crm, "meera", "laptop")
    assert await auth.session_for(crm, session.id) is not None

    disabled = await auth.disable_user(crm, "meera")
    assert not disabled.is_active
    assert await auth.session_for(crm, session.id) is None
    assert await auth.token_actor(crm, token) is None
    assert await auth.actor_for_user(crm, disabled.id) is None
    revoked = await rows(
        crm,
        "SELECT (SELECT COUNT(*) FROM core_web_session WHERE revoked_at IS NULL) AS sessions, "
        "(SELECT COUNT(*) FROM core_api_token WHERE revoked_at IS NULL) AS tokens",
    )
    assert revoked == [{"sessions": 0, "tokens": 0}]
    with pytest.raises(LoginFailed):
        await sign_in(crm, "meera", PASSWORD)
    with pytest.raises(ValidationError):
        await auth.create_token(crm, "meera", "another")

    assert (await auth.enable_user(crm, "meera")).is_active
    assert (await sign_in(crm, "meera", PASSWORD)).username == "meera"
    assert await auth.session_for(crm, session.id) is None, "old sessions stay ended"
    assert await auth.token_actor(crm, token) is None, "old tokens stay revoked"
    assert (await auth.actor_for_user(crm, disabled.id)).username == "meera"
    assert await auth.actor_for_user(crm, None) is None
    assert await auth.actor_for_user(crm, 999_999) is None


async def test_a_new_password_works_at_once_and_ends_sessions(crm: Sampark) -> None:
    await auth.add_user(crm, "meera", password=PASSWORD)
    session = await auth.start_session(crm, await sign_in(crm, "meera", PASSWORD))
    with pytest.raises(ValidationError) as caught:
        await auth.set_password(crm, "meera", "too short")
    assert caught.value.errors[0].field == "password"
    await auth.set_password(crm, "meera", "a much better passphrase")
    assert await auth.session_for(crm, session.id) is None
    with pytest.raises(LoginFailed):
        await sign_in(crm, "meera", PASSWORD)
    assert await sign_in(crm, "meera", "a much better passphrase")


async def test_users_without_users_manage_handle_only_their_own_account(crm: Sampark) -> None:
    await auth.add_user(crm, "asha", password=PASSWORD, roles=["admin"])
    await auth.add_user(crm, "meera", password=PASSWORD, roles=["manager"])
    meera = await sign_in(crm, "meera", PASSWORD)
    for denied in (
        auth.add_user(crm, "ravi", actor=meera),
        auth.list_users(crm, actor=meera),
        auth.get_user(crm, "asha", actor=meera),
        auth.set_password(crm, "asha", "taking over asha", actor=meera),
        auth.set_roles(crm, "meera", ["admin"], actor=meera),
        auth.disable_user(crm, "asha", actor=meera),
        auth.create_token(crm, "asha", "stolen", actor=meera),
        auth.list_tokens(crm, "asha", actor=meera),
    ):
        with pytest.raises(PermissionDenied):
            await denied
    assert (await auth.get_user(crm, "MEERA", actor=meera)).username == "meera"
    token, _ = await auth.create_token(crm, "meera", "mine", actor=meera)
    assert len(await auth.list_tokens(crm, "meera", actor=meera)) == 1
    await auth.set_password(crm, "meera", "my own new password", actor=meera)
    asha = await sign_in(crm, "asha", PASSWORD)
    assert len(await auth.list_users(crm, actor=asha)) == 2
    assert (await auth.token_actor(crm, token)).username == "meera"


async def test_create_user_still_adds_record_owners_who_cannot_sign_in(crm: Sampark) -> None:
    with crm.activate():
        user_id = await create_user(crm, "john", "John Miller", "john@example.com")
    user = await auth.get_user(crm, "john")
    assert (user.id, user.roles, user.display_name) == (user_id, (), "John Miller")
    with pytest.raises(LoginFailed):
        await sign_in(crm, "john", "")


# -- signing in ------------------------------------------------------------------------------


async def test_every_refusal_reads_the_same(crm: Sampark) -> None:
    await auth.add_user(crm, "asha", roles=["admin"])
    await auth.add_user(crm, "meera", password=PASSWORD)
    await auth.add_user(crm, "ravi", password=PASSWORD)
    await auth.disable_user(crm, "ravi")
    messages = set()
    for username, password in [
        ("ghost", PASSWORD),  # no such user
        ("meera", PASSWORD + "!"),  # wrong password
        ("ravi", PASSWORD),  # disabled
        ("asha", ""),  # no password set
        ("", ""),
    ]:
        with pytest.raises(LoginFailed) as caught:
            await sign_in(crm, username, password, address=f"10.0.0.{len(messages)}")
        messages.add(str(caught.value))
    assert messages == {"wrong username or password"}

    actor = await sign_in(crm, "meera", PASSWORD)
    assert (actor.username, actor.scope) == ("meera", "own")
    assert actor.can("contacts.write") and not actor.can("contacts.delete")
    assert (await auth.get_user(crm, "meera")).last_login_at is not None


async def test_failed_sign_ins_are_limited_per_account(crm: Sampark, clock: Clock) -> None:
    await auth.add_user(crm, "meera", password=PASSWORD)
    await auth.add_user(crm, "ravi", password=PASSWORD)
    for attempt in range(auth.MAX_FAILURES_PER_USERNAME):
        with pytest.raises(LoginFailed):
            await sign_in(crm, "Meera", "guess", address=f"10.1.0.{attempt}")
        clock.advance(seconds=10)
    with pytest.raises(TooManyAttempts) as caught:
        await sign_in(crm, "meera", PASSWORD, address="10.2.0.1")  # right password, new address
    # The first failure leaves the window 15 minutes after it was made, 50 s ago.
    assert caught.value.retry_after_seconds == 15 * 60 - 50
    assert caught.value.retry_after == caught.value.retry_after_seconds
    assert str(caught.value) == "too many failed sign-ins: try again in 15 minutes"
    assert await sign_in(crm, "ravi", PASSWORD, address="10.1.0.1"), "other accounts are free"

    clock.advance(minutes=10)  # refused attempts are not counted: the lock does not stretch
    with pytest.raises(TooManyAttempts) as caught:
        await sign_in(crm, "meera", PASSWORD)
    assert caught.value.retry_after_seconds == 5 * 60 - 50
    clock.advance(seconds=5 * 60 - 49)
    assert (await sign_in(crm, "meera", PASSWORD)).username == "meera"


async def test_signing_in_clears_only_that_accounts_failures(crm: Sampark, clock: Clock) -> None:
    await auth.add_user(crm, "meera", password=PASSWORD)
    await auth.add_user(crm, "ravi", password=PASSWORD)
    for _ in range(auth.MAX_FAILURES_PER_USERNAME - 1):
        with pytest.raises(LoginFailed):
            await sign_in(crm, "meera", "guess", address="10.1.0.1")
    await sign_in(crm, "meera", PASSWORD, address="10.1.0.2")  # its owner signs in
    for _ in range(auth.MAX_FAILURES_PER_USERNAME):
        with pytest.raises(LoginFailed):
            await sign_in(crm, "meera", "guess", address="10.1.0.3")
    await sign_in(crm, "ravi", PASSWORD, address="10.1.0.3")  # someone else's success
    with pytest.raises(TooManyAttempts):
        await sign_in(crm, "meera", PASSWORD, address="10.1.0.4")
    attempts = await rows(crm, "SELECT COUNT(*) AS n FROM core_login_attempt")
    assert attempts == [{"n": 4 + 1 + 5 + 1}], "records are kept; refusals are not"


async def test_failed_sign_ins_are_limited_per_address(crm: Sampark, clock: Clock) -> None:
    await auth.add_user(crm, "mallory", password=PASSWORD)
    await auth.add_user(crm, "meera", password=PASSWORD)
    limit = auth.MAX_FAILURES_PER_ADDRESS
    for number in range(limit - 1):
        with pytest.raises(LoginFailed):
            await sign_in(crm, f"user{number}", "guess", address="203.0.113.9")
    # Signing in to an account of one's own does not reset the address's count.
    await sign_in(crm, "mallory", PASSWORD, address="203.0.113.9")
    with pytest.raises(LoginFailed):
        await sign_in(crm, "someone", "guess", address="203.0.113.9")
    with pytest.raises(TooManyAttempts) as caught:
        await sign_in(crm, "meera", PASSWORD, address="203.0.113.9")
    assert 0 < caught.value.retry_after_seconds <= 15 * 60
    assert await sign_in(crm, "meera", PASSWORD, address="198.51.100.7")
    clock.advance(minutes=15, seconds=1)
    assert (await sign_in(crm, "meera", PASSWORD, address="203.0.113.9")).username == "meera"


async def test_parallel_guesses_cannot_slip_past_the_limit(crm: Sampark) -> None:
    await auth.add_user(crm, "meera", password=PASSWORD)
    outcomes = await asyncio.gather(
        *(sign_in(crm, "meera", f"guess {n}", address=f"10.3.0.{n}") for n in range(12)),
        return_exceptions=True,
    )
    assert all(isinstance(outcome, LoginFailed | TooManyAttempts) for outcome in outcomes)
    checked = [outcome for outcome in outcomes if isinstance(outcome, LoginFailed)]
    assert len(checked) <= auth.MAX_FAILURES_PER_USERNAME
    kept = await rows(crm, "SELECT COUNT(*) AS n FROM core_login_attempt")
    assert kept == [{"n": len(checked)}], "refused attempts leave no row"


# -- sessions --------------------------------------------------------------------------------


async def test_each_sign_in_gets_a_new_session_until_it_ends(crm: Sampark) -> None:
    await auth.add_user(crm, "meera", password=PASSWORD)
    actor = await sign_in(crm, "meera", PASSWORD)
    first = await auth.start_session(crm, actor, address="10.0.0.1", user_agent="Firefox")
    second = await auth.start_session(crm, await sign_in(crm, "meera", PASSWORD))
    assert first.id != second.id and first.csrf_token != second.csrf_token
    assert len(first.id) >= 43 and first.csrf_token != first.id

    found = await auth.session_for(crm, first.id)
    assert found is not None
    assert (found.id, found.csrf_token, found.user_id) == (
        first.id,
        first.csrf_token,
        actor.user_id,
    )
    assert found.actor == actor
    assert abs(found.expires_at - first.expires_at) < dt.timedelta(seconds=1)

    await auth.end_session(crm, first.id)
    assert await auth.session_for(crm, first.id) is None
    assert await auth.session_for(crm, second.id) is not None, "other browsers stay signed in"
    for unknown in ("", "no such session", "x" * 500, None):
        assert await auth.session_for(crm, unknown) is None
    with pytest.raises(ValueError):
        await auth.start_session(crm, SYSTEM)


async def test_sessions_end_after_two_idle_hours(crm: Sampark, clock: Clock) -> None:
    await auth.add_user(crm, "meera", password=PASSWORD)
    session = await auth.start_session(crm, await sign_in(crm, "meera", PASSWORD))
    clock.advance(hours=1, minutes=59)
    assert await auth.session_for(crm, session.id) is not None  # and that keeps it alive
    clock.advance(hours=1, minutes=59)
    assert await auth.session_for(crm, session.id) is not None
    clock.advance(hours=2)
    assert await auth.session_for(crm, session.id) is None


async def test_sessions_end_twelve_hours_after_sign_in_however_busy(
    crm: Sampark, clock: Clock
) -> None:
    await auth.add_user(crm, "meera", password=PASSWORD)
    session = await auth.start_session(crm, await sign_in(crm, "meera", PASSWORD))
    assert session.expires_at == clock.moment + auth.SESSION_LIFETIME
    for _ in range(11):
        clock.advance(hours=1)
        assert await auth.session_for(crm, session.id) is not None
    clock.advance(hours=1)
    assert await auth.session_for(crm, session.id) is None
    # A later sign-in sweeps the expired session out of the table.
    clock.advance(seconds=1)
    await auth.start_session(crm, await sign_in(crm, "meera", PASSWORD))
    left = await rows(crm, "SELECT id FROM core_web_session WHERE id = ?", [session.id])
    assert left == []


async def test_a_session_is_touched_at_most_once_a_minute(crm: Sampark, clock: Clock) -> None:
    await auth.add_user(crm, "meera", password=PASSWORD)
    session = await auth.start_session(crm, await sign_in(crm, "meera", PASSWORD))
    started = clock.moment

    async def last_seen() -> dt.datetime | None:
        sql = "SELECT last_seen_at FROM core_web_session WHERE id = ?"
        return read_time((await rows(crm, sql, [session.id]))[0]["last_seen_at"])

    clock.advance(seconds=30)
    await auth.session_for(crm, session.id)
    assert await last_seen() == started
    clock.advance(seconds=31)
    await auth.session_for(crm, session.id)
    assert await last_seen() == clock.moment


async def test_a_session_follows_its_users_roles(crm: Sampark) -> None:
    await auth.add_user(crm, "asha", roles=["admin"])
    await auth.add_user(crm, "meera", password=PASSWORD, roles=["read-only"])
    session = await auth.start_session(crm, await sign_in(crm, "meera", PASSWORD))
    assert not session.actor.can("contacts.write")
    await auth.set_roles(crm, "meera", ["manager"])
    found = await auth.session_for(crm, session.id)
    assert found is not None and found.actor.can("contacts.delete")


# -- API tokens ------------------------------------------------------------------------------


async def test_a_token_is_shown_once_and_stored_hashed(crm: Sampark) -> None:
    await auth.add_user(crm, "meera", roles=["manager"])
    token, record = await auth.create_token(crm, "Meera", "  accounting sync ")
    assert token.startswith("smp_") and len(token) >= 4 + 43
    assert (record.name, record.prefix, record.username) == (
        "accounting sync",
        token[4:12],
        "meera",
    )
    stored = await rows(crm, "SELECT * FROM core_api_token")
    assert len(stored) == 1
    assert stored[0]["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    secret = token[4:]
    assert not any(secret in str(value) for value in stored[0].values()), "no plaintext"

    actor = await auth.token_actor(crm, token)
    assert actor is not None and (actor.username, actor.scope) == ("meera", "all")
    assert actor.can("contacts.delete")
    for wrong in (token[:-1] + ("A" if token[-1] != "A" else "B"), "smp_", "Bearer " + token, ""):
        assert await auth.token_actor(crm, wrong) is None

    (listed,) = await auth.list_tokens(crm, "meera")
    assert (listed.id, listed.prefix, listed.last_used_at is not None) == (
        record.id,
        record.prefix,
        True,
    )
    assert secret not in str(listed.to_dict())


async def test_token_input_is_checked(crm: Sampark, clock: Clock) -> None:
    await auth.add_user(crm, "meera")
    with pytest.raises(ValidationError) as caught:
        await auth.create_token(crm, "meera", " ", expires_at=clock.moment - dt.timedelta(days=1))
    assert {error.field for error in caught.value.errors} == {"name", "expires_at"}
    with pytest.raises(ValidationError) as caught:
        await auth.create_token(crm, "meera", "naive", expires_at=dt.datetime(2099, 1, 1))
    assert str(caught.value) == "expires_at: must be a date-time with a time zone"
    with pytest.raises(NotFoundError):
        await auth.create_token(crm, "ghost", "laptop")
    assert len(await auth.list_tokens(crm, "meera")) == 0


async def test_revoked_and_expired_tokens_stop_working(crm: Sampark, clock: Clock) -> None:
    await auth.add_user(crm, "meera")
    await auth.add_user(crm, "ravi")
    lasting, kept = await auth.create_token(crm, "meera", "lasting")
    brief, _ = await auth.create_token(
        crm, "meera", "brief", expires_at=clock.moment + dt.timedelta(hours=1)
    )
    doomed, revoked = await auth.create_token(crm, "meera", "doomed")
    assert await auth.token_actor(crm, brief) is not None

    with pytest.raises(NotFoundError):
        await auth.revoke_token(crm, "ravi", revoked.id)  # not ravi's token
    await auth.revoke_token(crm, "meera", revoked.id)
    await auth.revoke_token(crm, "meera", revoked.id)  # again: nothing changes
    with pytest.raises(NotFoundError):
        await auth.revoke_token(crm, "meera", 999_999)
    assert await auth.token_actor(crm, doomed) is None

    clock.advance(hours=1, seconds=1)
    assert await auth.token_actor(crm, brief) is None
    assert await auth.token_actor(crm, lasting) is not None
    page = await auth.list_tokens(crm, "meera", limit=2)
    assert [token.name for token in page] == ["doomed", "brief"]
    assert page[0].revoked_at is not None
    rest = await auth.list_tokens(crm, "meera", cursor=page.next_cursor, limit=2)
    assert [token.id for token in rest] == [kept.id] and rest.next_cursor is None


async def test_token_use_is_recorded_at_most_once_a_minute(crm: Sampark, clock: Clock) -> None:
    await auth.add_user(crm, "meera")
    token, record = await auth.create_token(crm, "meera", "laptop")

    async def last_used() -> dt.datetime | None:
        sql = "SELECT last_used_at FROM core_api_token WHERE id = ?"
        return read_time((await rows(crm, sql, [record.id]))[0]["last_used_at"])

    assert await last_used() is None
    await auth.token_actor(crm, token)
    first_use = clock.moment
    assert await last_used() == first_use
    clock.advance(seconds=59)
    await auth.token_actor(crm, token)
    assert await last_used() == first_use
    clock.advance(seconds=2)
    await auth.token_actor(crm, token)
    assert await last_used() == clock.moment
