"""The ready-made restore and audit-trail operations, served for a plugin's records."""

from __future__ import annotations

from typing import Any

import pytest

import sampark
from sampark.core.kernel import Sampark
from sampark.core.permissions import Actor
from sampark.core.services.lifecycle import RecordLifecycle
from sampark.plugin import audit_operation, restore_operation
from sampark.web.api.schemas import ref


async def _no_load(*_: Any) -> Any:
    raise AssertionError("the test's restore replaces the lifecycle's own")


async def _restore_contact(
    kernel: Sampark, record_id: int, *, expected_version: int | None, actor: Actor
) -> Any:
    return await kernel.as_user(actor).contacts.restore(record_id)


# Contacts, as a plugin would describe its own records: core already audits them.
CONTACTS: RecordLifecycle[Any] = RecordLifecycle(
    entity="contact",
    table="contacts",
    read_permission="contacts.read",
    delete_permission="contacts.delete",
    load=_no_load,
)


class _Keeper:
    """A plugin serving restore and audit for its records from the factories alone."""

    @sampark.hookimpl
    def api_operations(self, kernel: Sampark) -> list[Any]:
        path = "/people/{person_id}"
        return [
            restore_operation(
                CONTACTS, path, response_schema=ref("Contact"), restore=_restore_contact
            ),
            audit_operation(CONTACTS, path),
        ]


async def test_a_plugin_gets_working_restore_and_audit_operations(
    crm: Sampark, make_api_app, connect
) -> None:
    crm.plugins.pm.register(_Keeper(), name="keeper")
    app = make_api_app(crm)
    contact = await crm.contacts.create(first_name="Asha")
    await crm.contacts.delete(contact.id)
    admin, reader = connect(app, "admin"), connect(app, "reader")
    url = f"/keeper/people/{contact.id}"

    assert (await admin.post(f"{url}/restore")).status_code == 428
    assert (await reader.post(f"{url}/restore", headers={"If-Match": '"v1"'})).status_code == 403
    restored = await admin.post(f"{url}/restore", headers={"If-Match": '"v1"'})
    assert restored.status_code == 200, restored.text
    assert restored.json()["id"] == contact.id and restored.json()["deleted_at"] is None
    assert restored.headers["etag"] == f'"v{restored.json()["version"]}"'
    assert (await crm.contacts.get(contact.id)).deleted_at is None

    first = await admin.get(f"{url}/audit", params={"limit": 2})
    assert first.status_code == 200, first.text
    assert [row["action"] for row in first.json()["items"]] == ["restore", "delete"]
    rest = await admin.get(f"{url}/audit", params={"cursor": first.json()["next_cursor"]})
    assert [row["action"] for row in rest.json()["items"]] == ["create"]
    assert rest.json()["next_cursor"] is None
    assert (await admin.get("/keeper/people/99999999999/audit")).status_code == 404


def test_the_operations_are_named_from_the_entity() -> None:
    records = RecordLifecycle(
        entity="support_case",
        table="cases",
        read_permission="cases.read",
        delete_permission="cases.delete",
        load=_no_load,
    )
    restore = restore_operation(records, "/cases/{case_id}", response_schema={"type": "object"})
    assert (restore.method, restore.path) == ("POST", "/cases/{case_id}/restore")
    assert (restore.operation_id, restore.permission) == ("restoreSupportCase", "cases.delete")
    assert restore.if_match and restore.etag
    assert [param.name for param in restore.parameters] == ["case_id"]
    audit = audit_operation("interaction", "/interactions/{interaction_id}")
    assert (audit.operation_id, audit.permission) == ("interactionAudit", "audit.read")
    assert audit.summary == "An interaction's audit trail, newest first"
    with pytest.raises(ValueError, match="must end with the support_case's id"):
        audit_operation(records, "/cases")
