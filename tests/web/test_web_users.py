"""The admin's user pages: add, roles, disable and enable, password resets, refusals."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from sampark.core.kernel import Sampark
from sampark.core.services import auth
from sampark.core.services.audit import audit_page
from sampark.testing.clients import csrf_of


async def _post(client: httpx.AsyncClient, path: str, data: dict[str, Any]) -> httpx.Response:
    page = await client.get("/profile")
    return await client.post(path, data={**data, "csrf_token": csrf_of(page.text)})


async def test_the_admin_lists_users_from_the_navigation(admin: httpx.AsyncClient) -> None:
    home = await admin.get("/")
    assert '<a href="/users"' in home.text
    page = await admin.get("/users")
    assert page.status_code == 200
    for username in ("asha", "maya", "ravi", "mira"):
        assert f'href="/users/{username}"' in page.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/users"),
        ("GET", "/users/new"),
        ("GET", "/users/ravi"),
        ("POST", "/users/new"),
        ("POST", "/users/ravi/roles"),
        ("POST", "/users/ravi/disable"),
        ("POST", "/users/asha/enable"),
        ("POST", "/users/ravi/password"),
    ],
)
async def test_only_admins_may_use_the_user_pages(
    web_crm: Sampark, browser: Any, method: str, path: str
) -> None:
    maya = await browser("maya")  # a manager: not users.manage
    if method == "GET":
        response = await maya.get(path)
    else:
        response = await _post(maya, path, {"username": "x", "roles": "admin", "password": ""})
    assert response.status_code == 403
    assert "users.manage" in response.text
    assert '<a href="/users"' not in (await maya.get("/")).text
    user = await auth.get_user(web_crm, "ravi")
    assert (user.roles, user.is_active) == (("agent",), True)
    assert await auth.find_user(web_crm.connection, "x") is None


async def test_adding_a_user_with_a_generated_password(
    web_crm: Sampark, admin: httpx.AsyncClient, clients: Any, app: Any
) -> None:
    form = await admin.get("/users/new")
    response = await admin.post(
        "/users/new",
        data={
            "username": "meera",
            "display_name": "मीरा",
            "roles": ["manager", "agent"],
            "password": "",
            "csrf_token": csrf_of(form.text),
        },
    )
    assert response.status_code == 200
    password = re.search(r'id="generated-password-value" value="([^"]+)"', response.text)
    assert password
    user = await auth.get_user(web_crm, "meera")
    assert (user.display_name, user.roles) == ("मीरा", ("manager", "agent"))
    signed_in = clients.browser(app)
    assert (await clients.sign_in(signed_in, "meera", password.group(1))).status_code == 303
    assert password.group(1) not in (await admin.get("/users/meera")).text  # shown once
    trail = await audit_page(web_crm, "user", user.id)
    assert trail.items[0].action == "create"
    assert trail.items[0].actor == "asha"
    assert trail.items[0].changes["password"] == [None, "set"]


async def test_bad_input_is_refused_beside_each_field_and_kept(
    web_crm: Sampark, admin: httpx.AsyncClient
) -> None:
    response = await _post(
        admin,
        "/users/new",
        {"username": "ravi", "display_name": "Keep me", "roles": "wizard", "password": "short"},
    )
    assert response.status_code == 400
    assert "&#39;ravi&#39; is taken" in response.text
    assert "unknown role &#39;wizard&#39;" in response.text
    assert "must be at least 10 characters long" in response.text
    assert 'value="Keep me"' in response.text
    assert 'value="short"' not in response.text
    assert len((await auth.list_users(web_crm)).items) == 4


async def test_changing_roles_is_saved_and_audited(
    web_crm: Sampark, admin: httpx.AsyncClient
) -> None:
    response = await _post(admin, "/users/ravi/roles", {"roles": ["manager"]})
    assert response.status_code == 303
    user = await auth.get_user(web_crm, "ravi")
    assert user.roles == ("manager",)
    page = await admin.get("/users/ravi?done=roles")
    assert "The roles were saved" in page.text
    assert "<dt>Roles</dt>" in page.text  # the trail, labelled
    assert "added: manager" in page.text and "removed: agent" in page.text
    trail = await audit_page(web_crm, "user", user.id)
    assert trail.items[0].changes == {"roles": [["agent"], ["manager"]]}


async def test_the_last_admin_keeps_the_power_to_manage_users(
    web_crm: Sampark, admin: httpx.AsyncClient
) -> None:
    response = await _post(admin, "/users/asha/roles", {"roles": ["manager"]})
    assert response.status_code == 400
    assert "asha is the last active user who may manage users" in response.text
    assert (await auth.get_user(web_crm, "asha")).roles == ("admin",)


async def test_an_admin_cannot_disable_themselves(
    web_crm: Sampark, admin: httpx.AsyncClient
) -> None:
    page = await admin.get("/users/asha")
    assert 'id="disable-user"' not in page.text
    response = await _post(admin, "/users/asha/disable", {})
    assert response.status_code == 400
    assert "you cannot disable yourself" in response.text
    assert (await auth.get_user(web_crm, "asha")).is_active
    assert (await admin.get("/")).status_code == 200


async def test_disabling_and_enabling_a_user(
    web_crm: Sampark, admin: httpx.AsyncClient, browser: Any, tokens: dict[str, str], api: Any
) -> None:
    ravi = await browser("ravi")
    response = await _post(admin, "/users/ravi/disable", {})
    assert response.status_code == 303
    assert (await ravi.get("/")).status_code == 303  # signed out at once
    assert (await api("ravi").get("/contacts")).status_code == 401
    page = await admin.get("/users/ravi?done=disabled")
    assert 'id="user-status">disabled' in page.text
    assert (await _post(admin, "/users/ravi/enable", {})).status_code == 303
    assert (await auth.get_user(web_crm, "ravi")).is_active
    trail = await audit_page(web_crm, "user", (await auth.get_user(web_crm, "ravi")).id)
    assert [row.changes for row in trail][:2] == [
        {"is_active": [False, True]},
        {"is_active": [True, False]},
    ]


async def test_resetting_a_password_signs_the_user_out(
    web_crm: Sampark, admin: httpx.AsyncClient, browser: Any, clients: Any, app: Any
) -> None:
    ravi = await browser("ravi")
    typed = await _post(admin, "/users/ravi/password", {"password": "set by the admin"})
    assert typed.status_code == 200
    assert 'value="set by the admin"' in typed.text  # shown this once, to hand over
    assert (await ravi.get("/")).status_code == 303
    fresh = clients.browser(app)
    assert (await clients.sign_in(fresh, "ravi", "set by the admin")).status_code == 303
    generated = await _post(admin, "/users/ravi/password", {"password": ""})
    found = re.search(r'id="generated-password-value" value="([^"]+)"', generated.text)
    assert found and len(found.group(1)) >= 20
    short = await _post(admin, "/users/ravi/password", {"password": "short"})
    assert short.status_code == 400
    assert "must be at least 10 characters long" in short.text


async def test_an_admin_resets_their_own_password_on_the_profile_only(
    admin: httpx.AsyncClient,
) -> None:
    response = await _post(admin, "/users/asha/password", {"password": "a new one, typed"})
    assert response.status_code == 400
    assert "change your own password on your profile" in response.text


async def test_password_resets_are_rate_limited(admin: httpx.AsyncClient) -> None:
    for _ in range(auth.MAX_RESETS_PER_WINDOW):
        assert (await _post(admin, "/users/ravi/password", {"password": ""})).status_code == 200
    refused = await _post(admin, "/users/ravi/password", {"password": ""})
    assert refused.status_code == 429
    assert "Too many password resets" in refused.text
    assert 'id="generated-password"' not in refused.text


async def test_the_admin_revokes_a_users_token(web_crm: Sampark, admin: httpx.AsyncClient) -> None:
    _, record = await auth.create_token(web_crm, "ravi", "old laptop")
    page = await admin.get("/users/ravi")
    assert "old laptop" in page.text
    response = await _post(admin, f"/users/ravi/tokens/{record.id}/revoke", {})
    assert response.status_code == 303
    assert (await auth.list_tokens(web_crm, "ravi")).items[0].revoked_at is not None
    missing = await _post(admin, f"/users/maya/tokens/{record.id}/revoke", {})
    assert missing.status_code == 404
