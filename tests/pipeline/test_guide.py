"""The Python examples of docs/plugins/pipeline.md run as written, on both engines."""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import sampark

GUIDE = Path(sampark.__file__).parent / "docs" / "plugins" / "pipeline.md"


def python_blocks(markdown: str, section: str) -> list[str]:
    """The ```python blocks under the heading ``## section``, in order."""
    body = markdown.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", body, re.DOTALL)


async def test_the_guides_python_section_runs(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Any] = []
    real_open = sampark.open

    def open_the_test_database(source: str, **options: Any) -> Any:
        # The guide opens a SQLite file; the test runs it on this engine's fresh database.
        assert source == "crm.db"
        opened.append(options)
        return real_open(database_url, **options)

    monkeypatch.setattr(sampark, "open", open_the_test_database)
    monkeypatch.chdir(tmp_path)
    blocks = python_blocks(GUIDE.read_text(encoding="utf-8"), "From Python")
    assert len(blocks) == 2
    names: dict[str, Any] = {}
    try:
        for block in blocks:
            code = compile(block, str(GUIDE), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
            result = eval(code, names)  # our own documentation's code
            if inspect.iscoroutine(result):
                await result
    finally:
        if "crm" in names:
            await names["crm"].close()

    assert opened == [{"plugins": ["pipeline"], "migrate": True}]
    deal = names["deal"]
    assert (deal.stage, deal.probability, deal.amount) == ("proposal", 60, Decimal("48000.00"))
    [month] = names["forecast"]
    assert (month.deals, month.weighted) == (1, Decimal("28800.00"))
    entered = {row.stage: row.entered for row in names["win_rates"]}
    assert (entered["qualification"], entered["proposal"]) == (2, 1)
    [sale] = names["sales"]
    assert (sale.account_id, sale.amount) == (names["tata"].id, Decimal("12500.00"))
    assert list(names["open_deals"]["title"]) == ["Plant maintenance"]
    assert names["by_month"]["weighted"].tolist() == ["28800.00"]
    assert month.group == (dt.date.today() + dt.timedelta(days=30)).strftime("%Y-%m")
