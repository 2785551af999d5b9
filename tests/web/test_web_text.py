"""Forms refuse the text the API refuses: bad characters beside the field, bytes that are not
UTF-8 with a 400 page; nothing is stored either way."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from sampark.core.kernel import Sampark
from sampark.core.services import auth
from sampark.core.settings import WebSettings
from sampark.web.app import build_app
from sampark.web.forms import undecodable_field

URLENCODED = "application/x-www-form-urlencoded"


def _multipart(fields: dict[str, bytes], boundary: str = "b0und") -> tuple[str, bytes]:
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + value
        + b"\r\n"
        for name, value in fields.items()
    )
    return f"multipart/form-data; boundary={boundary}", body + f"--{boundary}--\r\n".encode()


@pytest.mark.parametrize(
    ("content_type", "body", "field"),
    [
        (URLENCODED, b"first_name=Asha&notes=caf%C3%A9", None),
        (URLENCODED, b"first_name=As%FFha&notes=ok", "first_name"),
        (URLENCODED, b"first_name=Asha&notes=caf\xc3\xa9", "notes"),  # not percent-encoded
        (URLENCODED, b"first_name=Asha&n%FFotes=ok", "n\ufffdotes"),
        ("application/json", b'{"first_name": "\xff"}', None),  # not a form: the API's job
        (*_multipart({"first_name": "आशा".encode(), "notes": b"ok"}), None),
        (*_multipart({"first_name": b"Asha", "body": b"Half a char \xe0\xa4"}), "body"),
    ],
)
def test_undecodable_field(content_type: str, body: bytes, field: str | None) -> None:
    assert undecodable_field(content_type, body) == field


@pytest.fixture
async def signed_in(
    make_kernel: Callable[..., Awaitable[Sampark]], clients: Any
) -> tuple[Sampark, Any, str]:
    """A kernel, a client signed in as an admin, and a CSRF token from the new contact form."""
    kernel = await make_kernel(web=WebSettings(secret_key="k" * 40))
    await auth.add_user(kernel, "asha", password=clients.password, roles=("admin",))
    client = await clients.signed_in(build_app(kernel), "asha")
    form = await client.get("/contacts/new")
    return kernel, client, clients.csrf_of(form.text)


async def test_a_contact_form_with_nul_in_the_name_comes_back_with_the_error(
    signed_in: tuple[Sampark, Any, str],
) -> None:
    kernel, client, token = signed_in
    refused = await client.post(
        "/contacts/new", data={"first_name": "As\x00ha", "csrf_token": token}
    )
    assert refused.status_code == 400
    error = re.search(r'id="f-first_name-error"><span>([^<]*)<', refused.text)
    assert error is not None and "NUL character" in error.group(1)
    assert (await kernel.contacts.list()).items == []


async def test_a_contact_form_with_bytes_that_are_not_utf8_is_a_400_page(
    signed_in: tuple[Sampark, Any, str],
) -> None:
    kernel, client, token = signed_in
    for content_type, body in (
        (URLENCODED, f"csrf_token={token}&first_name=As%FFha".encode()),
        _multipart({"csrf_token": token.encode(), "first_name": b"As\xffha"}),
    ):
        refused = await client.post(
            "/contacts/new", content=body, headers={"content-type": content_type}
        )
        assert refused.status_code == 400, refused.text
        assert "first_name" in refused.text and "not UTF-8 text" in refused.text
        assert "Traceback" not in refused.text
    assert (await kernel.contacts.list()).items == []
