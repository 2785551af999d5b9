"""The API's pure parts: If-Match rules, parameter reading and the body checker."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from sampark.core.errors import FieldError, NotFoundError, StaleRecordError, ValidationError
from sampark.core.records import ContactRecord, EmailRecord, to_jsonable
from sampark.web.api.components import ApiSchema
from sampark.web.api.etags import etag, parse_if_match
from sampark.web.api.operations import Param, read_param, render_json
from sampark.web.api.problems import ApiProblem, problem_for
from sampark.web.api.validation import MAX_DEPTH, SchemaChecker, format_error, too_deep


def test_an_etag_is_the_quoted_version() -> None:
    assert etag(3) == '"v3"'
    assert parse_if_match(['"v3"']) == 3
    assert parse_if_match([' "v12" ']) == 12


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ([], 428),
        (["*"], 428),
        (['"v1", "v2"'], 400),
        (["v3"], 400),
        (['W/"v3"'], 412),
        (['"abc"'], 412),
        (['"v0"'], 412),
    ],
)
def test_if_match_that_cannot_guard_a_write_is_refused(header: list[str], status: int) -> None:
    with pytest.raises(ApiProblem) as caught:
        parse_if_match(header)
    assert caught.value.status == status


def test_parameters_are_read_in_their_schema_type() -> None:
    limit = Param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 200})
    assert read_param("20", limit) == 20
    for bad in ("0", "201", "2x", "", "1e3", "9" * 40):
        with pytest.raises(ValueError):
            read_param(bad, limit)
    flag = Param("deleted", "query", {"type": "boolean"})
    assert read_param("true", flag) is True
    assert read_param("0", flag) is False
    with pytest.raises(ValueError, match="true or false"):
        read_param("maybe", flag)
    kind = Param("kind", "query", {"type": "string", "enum": ["customer", "partner"]})
    with pytest.raises(ValueError, match="one of customer, partner"):
        read_param("friend", kind)


def test_the_checker_names_every_bad_field_in_the_services_notation() -> None:
    components = {
        "Email": {
            "anyOf": [
                {"type": "string", "maxLength": 10},
                {
                    "type": "object",
                    "properties": {"email": {"type": "string"}, "primary": {"type": "boolean"}},
                    "required": ["email"],
                    "additionalProperties": False,
                },
            ]
        }
    }
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "age": {"type": ["integer", "null"], "minimum": 0},
            "emails": {"type": "array", "items": {"$ref": "#/components/schemas/Email"}},
        },
        "required": ["name"],
        "additionalProperties": False,
    }
    checker = SchemaChecker(components)
    assert checker.errors({"name": "Asha", "age": None, "emails": ["a@b.in"]}, schema) == []
    errors = checker.errors(
        {
            "age": -1,
            "nick": "x",
            "emails": ["a@very-long.example.in", {"primary": "yes"}, 7],
        },
        schema,
    )
    by_field = {error.field: error.message for error in errors}
    assert by_field == {
        "name": "is required",
        "age": "must be at least 0 (got -1)",
        "nick": "unknown field (known: name, age, emails)",
        "emails[0]": "must be at most 10 characters (got 22)",
        "emails[1].email": "is required",
        "emails[1].primary": "must be true or false (got string)",
        "emails[2]": "must be text or an object (got integer)",
    }
    assert checker.errors([1], schema) == [FieldError("body", "must be an object (got array)")]
    assert checker.errors({"name": True}, schema)[0].message == "must be text (got boolean)"


def test_the_checker_reads_whole_floats_as_integers_through_named_schemas() -> None:
    count = ApiSchema("Count", {"type": "integer", "minimum": 0})
    schema = {
        "type": "object",
        "properties": {
            "counts": {"type": "array", "items": count},
            "either": {"anyOf": [{"type": "string"}, count]},
            "ratio": {"type": "number"},
        },
    }
    read, errors = SchemaChecker({}).conform(
        {"counts": [1, 2.0], "either": 3.0, "ratio": 4.0}, schema
    )
    assert errors == []
    assert read == {"counts": [1, 2], "either": 3, "ratio": 4.0}
    assert [type(n) for n in read["counts"]] == [int, int]
    assert isinstance(read["ratio"], float)  # a number stays a number
    _, errors = SchemaChecker({}).conform({"counts": [2.5, -1.0]}, schema)
    assert [(e.field, e.message) for e in errors] == [
        ("counts[0]", "must be a whole number (got number)"),
        ("counts[1]", "must be at least 0 (got -1)"),
    ]


def test_nesting_is_measured_without_recursion() -> None:
    def nested(depth: int) -> list:
        value: list = []
        for _ in range(depth - 1):
            value = [value]
        return value

    assert not too_deep(nested(MAX_DEPTH))
    assert too_deep(nested(MAX_DEPTH + 1))
    assert too_deep({"a": nested(MAX_DEPTH)})
    assert not too_deep("text")


@pytest.mark.parametrize(
    ("value", "kind", "ok"),
    [
        ("2026-03-31", "date", True),
        ("2026-02-30", "date", False),
        ("", "date", False),
        ("20260331", "date", False),
        ("२०२६-०३-३१", "date", False),
        ("2026-03-31T14:30:00+05:30", "date-time", True),
        ("2026-03-31T14:30Z", "date-time", True),
        ("2026-03-31", "date-time", False),
        ("", "date-time", False),
        ("anything", None, True),
    ],
)
def test_date_formats(value: str, kind: str | None, ok: bool) -> None:
    assert (format_error(value, kind) is None) is ok


def test_errors_become_problems_with_the_right_status() -> None:
    assert problem_for(NotFoundError("contact", 9)).status == 404
    assert problem_for(StaleRecordError("contact", 9, 1, 2)).status == 412
    body_fault = ValidationError.single("emails[0].email", "not a valid email address")
    assert problem_for(body_fault, ["cursor"]).status == 422
    query_fault = ValidationError.single("cursor", "is not a cursor this server gave out")
    problem = problem_for(query_fault, ["cursor", "limit"])
    assert problem.status == 400
    assert problem.body()["errors"] == [
        {"field": "cursor", "message": "is not a cursor this server gave out"}
    ]
    crash = problem_for(RuntimeError("secret detail"))
    assert crash.status == 500
    assert "secret" not in str(crash.body())


def test_records_are_rendered_as_to_jsonable_would() -> None:
    contact = ContactRecord(
        id=7,
        display_name="आशा",
        emails=(EmailRecord("asha@example.in", primary=True),),
        birthday=dt.date(1990, 5, 17),
        custom={"budget": Decimal("12.50"), "since": dt.date(2020, 1, 1)},
        created_at=dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC),
    )
    body = {"items": [contact], "next_cursor": None}
    rendered = render_json(body)
    assert json.loads(rendered) == to_jsonable(body)
    assert "आशा".encode() in rendered
    with pytest.raises(TypeError):
        render_json({"x": object()})
