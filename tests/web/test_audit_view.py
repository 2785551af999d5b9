"""How a change in the audit trail reads on a record's page."""

from __future__ import annotations

from sampark.web.audit_view import describe


def test_a_list_change_reads_as_what_was_added_and_removed() -> None:
    change = describe("tags", [["vip", "lead"], ["vip", "partner"]], {"tags": "Tags"})
    assert (change.label, change.added, change.removed) == ("Tags", ("partner",), ("lead",))
    assert change.is_list


def test_a_foreign_key_links_to_its_record_and_a_plain_field_gets_its_label() -> None:
    key = describe("contact_id", [None, 82], {})
    assert (key.label, key.before, key.after, key.link) == ("contact id", "—", "82", "/contacts/")
    custom = describe("custom.vip_since", ["2024-01-01", None], {"custom": "Custom"})
    assert (custom.label, custom.before, custom.after) == ("Custom", "2024-01-01", "—")
    assert not custom.is_list and custom.link is None
