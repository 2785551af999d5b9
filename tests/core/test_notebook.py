"""docs/notebook.ipynb runs on a real Jupyter kernel; records and pages render as tables."""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from sampark.core.kernel import Sampark
from sampark.core.records import ContactRecord, EmailRecord, Page, TimelineEntry
from sampark.core.settings import Settings

NOTEBOOK = Path(__file__).resolve().parents[2] / "docs" / "notebook.ipynb"


def _outputs_by_tag(notebook: Any) -> dict[str, list[Any]]:
    return {
        cell.metadata["tags"][0]: cell.outputs
        for cell in notebook.cells
        if cell.cell_type == "code" and cell.metadata.get("tags")
    }


def _result(outputs: list[Any], mime: str) -> str:
    for output in outputs:
        if output.output_type in {"execute_result", "display_data"} and mime in output.data:
            return output.data[mime]
    raise AssertionError(f"no {mime} output in {outputs!r}")


@pytest.fixture
def executed_notebook(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, list[Any]]:
    """The notebook run top to bottom on this engine's test database, outputs by cell tag."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    check = nbformat.v4.new_code_cell("import sys\nprint(sys.prefix)")
    check.metadata["tags"] = ["interpreter"]
    notebook.cells.append(check)
    monkeypatch.setenv("SAMPARK_NOTEBOOK_DATABASE", database_url)
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=120,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    for cell in notebook.cells:
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        assert not errors, f"cell {cell.source!r} failed: {errors}"
    return _outputs_by_tag(notebook)


def test_the_notebook_runs_and_shows_what_it_says(executed_notebook: dict[str, Any]) -> None:
    outputs = executed_notebook
    # It ran in this venv's Python, so it used this checkout of Sampark.
    interpreter = "".join(o.text for o in outputs["interpreter"] if o.output_type == "stream")
    assert Path(interpreter.strip()).resolve() == Path(sys.prefix).resolve()

    assert "<caption>Sampark</caption>" in _result(outputs["open"], "text/html")
    record_html = _result(outputs["create"], "text/html")
    assert "<caption>ContactRecord</caption>" in record_html
    assert "रवि शर्मा" in record_html

    found = _result(outputs["search"], "text/html")
    assert found.count("<tr>") == 2  # the header and one contact
    assert "रवि शर्मा" in found
    assert "Meera" not in found and "Asha" not in found
    assert _result(outputs["search-phone"], "text/plain") == "['Asha Rao']"

    columns = len(dataclasses.fields(ContactRecord))
    assert _result(outputs["frame-shape"], "text/plain") == f"(3, {columns})"
    frame = _result(outputs["frame"], "text/html")
    assert "रवि शर्मा" in frame and "Meera Sharma" in frame
    counts = _result(outputs["groupby"], "text/plain").splitlines()
    assert {tuple(line.split()) for line in counts[1:3]} == {("donor", "2"), ("volunteer", "2")}
    # The default actor (the system) reads an audit trail, and demo data is one await.
    trail = ast.literal_eval(_result(outputs["audit"], "text/plain"))
    assert [action for action, _ in trail] == ["update", "create"] and trail[0][1] == ["tags"]
    contacts, accounts, followups = ast.literal_eval(_result(outputs["demo"], "text/plain"))
    assert (contacts, accounts) == (30, 10) and followups > 0
    assert outputs["close"] == []


# -- how records and pages show in Jupyter, and convert to pandas ----------------------------


def _contact(contact_id: int, name: str, **fields: Any) -> ContactRecord:
    return ContactRecord(id=contact_id, display_name=name, **fields)


def test_a_page_renders_as_a_table_with_every_value_escaped() -> None:
    page = Page(
        [
            _contact(
                1,
                "<script>alert('x')</script>",
                emails=(EmailRecord("a&b@example.in"),),
                tags=("vip", '"quoted"'),
                notes="hidden from the table",
            ),
            _contact(2, "आशा राव"),
        ]
    )
    html = page._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "a&amp;b@example.in" in html
    assert "vip, &quot;quoted&quot;" in html
    assert "<td>आशा राव</td>" in html
    assert "<th>display_name</th>" in html
    for hidden in ("notes", "version", "created_at", "hidden from the table"):
        assert hidden not in html
    assert html.count("<tr>") == 3
    assert "next_cursor" not in html


def test_a_page_with_more_results_says_so_and_an_empty_page_says_none() -> None:
    assert "more results: pass next_cursor" in Page([_contact(1, "A")], "abc")._repr_html_()
    assert Page([])._repr_html_() == "<p><em>No results.</em></p>"


def test_a_record_renders_as_a_two_column_table_with_values_escaped() -> None:
    record = _contact(7, "Tom & <b>Jerry</b>", custom={"tier": "<gold>"}, tags=("a", "b"))
    html = record._repr_html_()
    assert html.startswith("<table><caption>ContactRecord</caption>")
    assert "<b>" not in html
    assert "Tom &amp; &lt;b&gt;Jerry&lt;/b&gt;" in html
    assert "tier: &lt;gold&gt;" in html
    assert "<td style='text-align:left'>a, b</td>" in html
    assert html.count("<tr>") == len(dataclasses.fields(ContactRecord))


def test_to_pandas_gives_one_row_per_record_with_json_ready_values() -> None:
    created = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    page = Page(
        [
            _contact(1, "Asha", tags=("donor",), created_at=created),
            _contact(2, "रवि", emails=(EmailRecord("ravi@example.in", primary=True),)),
        ]
    )
    frame = page.to_pandas()
    assert frame.shape == (2, len(dataclasses.fields(ContactRecord)))
    assert list(frame["display_name"]) == ["Asha", "रवि"]
    assert frame.loc[0, "tags"] == ["donor"]
    assert frame.loc[0, "created_at"] == "2026-01-02T03:04:05+00:00"
    assert frame.loc[1, "emails"] == [
        {"email": "ravi@example.in", "label": "work", "primary": True}
    ]
    assert Page([]).to_pandas().empty


def test_to_pandas_without_pandas_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"pip install 'sampark\[notebook\]'"):
        Page([_contact(1, "A")]).to_pandas()


def test_timeline_pages_render_too() -> None:
    entry = TimelineEntry(
        at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC), kind="call", title="<Chai> & chat"
    )
    html = Page([entry])._repr_html_()
    assert "&lt;Chai&gt; &amp; chat" in html
    assert "<th>kind</th>" in html


def test_the_kernel_shows_its_database_without_the_password() -> None:
    kernel = Sampark(Settings(database_url="postgres://crm:s3cret@db.internal/crm"))
    html = kernel._repr_html_()
    assert "s3cret" not in html and "s3cret" not in repr(kernel)
    assert "postgres://crm:***@db.internal/crm" in html
