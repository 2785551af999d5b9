"""Input that once made the API answer 500: each is now a clear refusal, on both engines.

Every request goes through the whole web app (its body cap, its authentication) and
nothing refused is written.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

import sampark
from sampark.core.kernel import Sampark
from sampark.core.sql import fetch
from sampark.web.api import ApiCall, ApiOperation, Param, Reply
from sampark.web.api.schemas import MAX_ID


async def _chunks(size: int) -> AsyncIterator[bytes]:
    """A JSON body of ``size`` bytes sent without a Content-Length, 64 KiB at a time."""
    yield b'{"first_name": "'
    sent = 17
    while sent < size:
        yield b"a" * 65_536
        sent += 65_536
    yield b'"}'


async def test_a_chunked_body_over_the_cap_is_413(api, crm: Sampark, expect) -> None:
    client = api("admin")
    response = await client.post(
        "/contacts",
        content=_chunks(crm.settings.web.max_body_bytes + 1),
        headers={"content-type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    expect.problem(response, 413)
    assert (await crm.contacts.list()).items == []


@pytest.mark.parametrize("depth", [40, 100_000])
async def test_deeply_nested_json_is_400(api, crm: Sampark, expect, depth: int) -> None:
    body = '{"first_name": "Asha", "notes": ' + "[" * depth + "]" * depth + "}"
    response = await api("admin").post(
        "/contacts", content=body, headers={"content-type": "application/json"}
    )
    fields = expect.fields(response, 400)
    assert "nested too deeply" in fields["body"]
    assert (await crm.contacts.list()).items == []


async def test_json_nested_within_the_limit_reaches_the_schema_check(api, expect) -> None:
    body = '{"first_name": "Asha", "notes": ' + "[" * 30 + "]" * 30 + "}"
    response = await api("admin").post(
        "/contacts", content=body, headers={"content-type": "application/json"}
    )
    assert expect.fields(response)["notes"] == "must be text (got array)"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"first_name": "A\\ud800sha"}', "first_name"),
        ('{"first_name": "Asha", "tags": ["ok", "\\udfff"]}', "tags[1]"),
        ('{"first_name": "Asha", "addresses": [{"city": "\\ud83d"}]}', "addresses[0].city"),
    ],
)
async def test_a_lone_surrogate_is_422_naming_the_field(
    api, crm: Sampark, expect, body: str, field: str
) -> None:
    response = await api("admin").post(
        "/contacts", content=body, headers={"content-type": "application/json"}
    )
    assert "surrogate" in expect.fields(response)[field]
    assert (await crm.contacts.list()).items == []


async def test_a_lone_surrogate_in_a_key_is_refused_readably(api, expect) -> None:
    response = await api("admin").post(
        "/contacts",
        content='{"first_name": "Asha", "\\ud800": 1}',
        headers={"content-type": "application/json"},
    )
    body = expect.problem(response, 422)
    assert "surrogate" in body["errors"][0]["message"]


async def test_a_surrogate_pair_is_one_character_and_welcome(api) -> None:
    response = await api("admin").post(
        "/contacts",
        content='{"first_name": "Asha \\ud83d\\ude00"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["first_name"] == "Asha \U0001f600"


@pytest.mark.parametrize("given", ["", " ", "2026-02-30", "31/03/2026", "2026-03-31T10:00"])
async def test_a_date_field_refuses_what_is_not_a_date(
    api, crm: Sampark, expect, given: str
) -> None:
    response = await api("admin").post("/contacts", json={"first_name": "Asha", "birthday": given})
    assert "must be a date such as 2026-03-31" in expect.fields(response)["birthday"]
    assert (await crm.contacts.list()).items == []


async def test_a_date_field_takes_a_date_or_null(api) -> None:
    client = api("admin")
    made = await client.post("/contacts", json={"first_name": "Asha", "birthday": "1990-04-01"})
    assert made.json()["birthday"] == "1990-04-01"
    cleared = await client.patch(
        f"/contacts/{made.json()['id']}", json={"birthday": None}, headers={"If-Match": '"v1"'}
    )
    assert cleared.json()["birthday"] is None


@pytest.mark.parametrize("given", ["", "tomorrow", "2026-03-31T25:00:00"])
async def test_a_date_time_field_refuses_what_is_not_one(api, expect, given: str) -> None:
    response = await api("admin").post("/interactions", json={"kind": "call", "occurred_at": given})
    assert "must be a date and time" in expect.fields(response)["occurred_at"]


async def test_an_integer_field_takes_a_whole_number_written_as_a_float(api, expect) -> None:
    client = api("admin")
    asha = (await client.post("/contacts", json={"first_name": "Asha"})).json()
    made = await client.post(
        "/interactions",
        json={"kind": "call", "contacts": [asha["id"]], "duration_minutes": 92.0},
    )
    assert made.status_code == 201, made.text
    assert made.json()["duration_minutes"] == 92
    assert isinstance(made.json()["duration_minutes"], int)
    refused = await client.post("/interactions", json={"kind": "call", "duration_minutes": 92.5})
    assert (
        expect.fields(refused)["duration_minutes"] == "must be a whole number or null (got number)"
    )


async def _lookup(call: ApiCall) -> Reply:
    """A plugin handler that trusts its path id, as a third-party plugin's might."""
    rows = await fetch(
        call.kernel.connection, "SELECT id FROM core_contact WHERE id = ?", [call.path["n"]]
    )
    return Reply({"found": bool(rows)})


LOOKUP = ApiOperation(
    "GET",
    "/things/{n}",
    _lookup,
    "Look a thing up",
    "lookup",
    "contacts.read",
    response_schema={"type": "object", "properties": {"found": {"type": "boolean"}}},
    # No bounds declared: the host must add them.
    parameters=(Param("n", "path", {"type": "integer"}),),
)


class _Lookups:
    @sampark.hookimpl
    def api_operations(self, kernel: Sampark) -> list[Any]:
        return [LOOKUP]


@pytest.mark.parametrize("given", [str(MAX_ID + 1), "99999999999", "0", "-1"])
async def test_a_plugins_path_id_out_of_range_is_404_before_its_handler(
    crm: Sampark, make_api_app, connect, expect, given: str
) -> None:
    crm.plugins.pm.register(_Lookups(), name="lookups")
    client = connect(make_api_app(crm), "admin")
    expect.problem(await client.get(f"/lookups/things/{given}"), 404)
    found = await client.get(f"/lookups/things/{MAX_ID}")
    assert found.status_code == 200, found.text
    assert found.json() == {"found": False}


async def test_an_if_match_version_past_any_record_is_stale_not_a_crash(
    api, crm: Sampark, expect
) -> None:
    contact = await crm.contacts.create(first_name="Asha")
    url = f"/contacts/{contact.id}"
    client = api("admin")
    expect.problem(await client.delete(url, headers={"If-Match": '"v7953544707"'}), 412)
    changed = await client.patch(
        url, json={"last_name": "Rao"}, headers={"If-Match": '"v9999999999"'}
    )
    expect.problem(changed, 412)
    assert (await crm.contacts.get(contact.id)).last_name == ""


async def _count_things(call: ApiCall) -> Reply:
    """A plugin handler that trusts its body's integers, as a third-party plugin's might."""
    rows = await fetch(
        call.kernel.connection,
        "SELECT id FROM core_contact WHERE id = ? OR id = ?",
        [call.body["count"], *(call.body.get("tally") or [0])[:1]],
    )
    return Reply({"found": bool(rows), "big": call.body.get("big")})


COUNT = ApiOperation(
    "POST",
    "/things",
    _count_things,
    "Count things",
    "count_things",
    "contacts.read",
    request_schema={
        "type": "object",
        "properties": {
            # No bounds declared: the host must add 32-bit ones.
            "count": {"type": "integer"},
            "tally": {"type": "array", "items": {"type": ["integer", "null"]}},
            # A BIGINT column's value declares its own range, which the host keeps.
            "big": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
        },
        "required": ["count"],
    },
    response_schema={"type": "object"},
)


class _Counter:
    @sampark.hookimpl
    def api_operations(self, kernel: Sampark) -> list[Any]:
        return [COUNT]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"count": MAX_ID + 1}, "count", f"must be at most {MAX_ID} (got {MAX_ID + 1})"),
        ({"count": -MAX_ID - 2}, "count", f"must be at least {-MAX_ID - 1} (got {-MAX_ID - 2})"),
        ({"count": 1, "tally": [1, 2**40]}, "tally[1]", f"must be at most {MAX_ID} (got {2**40})"),
        ({"count": 1e12}, "count", f"must be at most {MAX_ID} (got {10**12})"),
        ({"count": 1, "big": 2**63}, "big", f"must be at most {2**63 - 1} (got {2**63})"),
    ],
)
async def test_a_body_integer_past_its_bounds_is_422_before_the_handler(
    crm: Sampark, make_api_app, connect, expect, body: dict[str, Any], field: str, message: str
) -> None:
    crm.plugins.pm.register(_Counter(), name="counter")
    client = connect(make_api_app(crm), "admin")
    assert expect.fields(await client.post("/counter/things", json=body)) == {field: message}
    within = {"count": MAX_ID, "tally": [-MAX_ID - 1, None], "big": 2**62}
    found = await client.post("/counter/things", json=within)
    assert found.status_code == 200, found.text
    assert found.json() == {"found": False, "big": 2**62}


async def test_the_document_shows_the_bounds_the_host_gives_body_integers(
    crm: Sampark, make_api_app, connect
) -> None:
    crm.plugins.pm.register(_Counter(), name="counter")
    client = connect(make_api_app(crm), None)
    document = (await client.get("http://test/api/openapi.json")).json()
    body = document["paths"]["/v1/counter/things"]["post"]["requestBody"]["content"]
    properties = body["application/json"]["schema"]["properties"]
    assert properties["count"] == {"type": "integer", "minimum": -MAX_ID - 1, "maximum": MAX_ID}
    assert properties["tally"]["items"]["maximum"] == MAX_ID
    assert properties["big"] == {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}
    # Core's named schemas too.
    interaction = document["components"]["schemas"]["Interaction"]["properties"]
    assert interaction["contact_ids"]["items"]["maximum"] == MAX_ID
