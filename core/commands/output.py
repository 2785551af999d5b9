"""What commands print: aligned tables for people, JSON for scripts.

Widths are counted in terminal columns by ``wcwidth``, which knows how Indic scripts join
(vowel signs, viramas and conjuncts), so Bengali, Tamil, Telugu or Devanagari names and
CJK line up with Latin ones. Stored text is shown with its control characters spelled
out, so a name holding an escape sequence cannot recolour, move or retitle the terminal.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import click
import wcwidth

from sampark.core.records import Page

MAX_CELL = 40
# C0 and C1 controls, DEL, and the bidirectional overrides and isolates that reorder a
# line; newline and tab are left to the caller, which splits or flattens them.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What json.dumps(ensure_ascii=False) leaves raw but a terminal would obey.
_UNSAFE_IN_JSON = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _spelled(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """``text`` with every character that could drive a terminal spelled out (``\\x1b``)."""
    return _UNSAFE.sub(_spelled, text)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: marks and joined consonants none, CJK two."""
    return wcwidth.width(text)


def truncate(text: str, width: int) -> str:
    """Cut ``text`` to ``width`` columns, ending in … when something was left out.

    The cut falls between grapheme clusters, so no syllable loses its vowel sign.
    """
    if display_width(text) <= width:
        return text
    kept, used = [], 0
    for grapheme in wcwidth.iter_graphemes(text):
        grapheme_width = display_width(grapheme)
        if used + grapheme_width > width - 1:
            break
        kept.append(grapheme)
        used += grapheme_width
    return "".join(kept) + "…"


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def one_line(value: Any) -> str:
    """A value as it reads in a table cell: on one line, lists joined with commas."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(one_line(item) for item in value)
    if isinstance(value, dt.datetime):
        return when(value)
    return terminal_safe(" ".join(str(value).split()))


def when(moment: dt.datetime | None) -> str:
    """A stored (UTC) moment in the user's local time, to the minute."""
    if moment is None:
        return ""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def table_lines(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    """Rows under upper-case headers, columns two spaces apart, no trailing blanks.

    Long cells are cut short, except in the last column, which has room to run on.
    """
    cells = [[one_line(value) for value in row] for row in rows]
    cells = [[truncate(cell, MAX_CELL) for cell in row[:-1]] + row[-1:] for row in cells]
    heads = [header.upper() for header in headers]
    widths = [
        max([display_width(head)] + [display_width(row[i]) for row in cells])
        for i, head in enumerate(heads)
    ]
    return [
        "  ".join(pad(cell, width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in [heads, *cells]
    ]


def say(message: str) -> None:
    """Print one message that quotes stored text (a name, a subject), terminal-safe."""
    click.echo(terminal_safe(message))


def echo_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], empty: str) -> None:
    rows = list(rows)
    if not rows:
        click.echo(empty)
        return
    for line in table_lines(headers, rows):
        click.echo(line)


def echo_json(data: Any) -> None:
    """JSON as scripts want it: UTF-8 text (names stay readable), stable indentation.

    The few characters JSON may carry raw but a terminal obeys are written as ``\\u``
    escapes, which decode to the very same string.
    """
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    click.echo(_UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text))


def echo_page(
    page: Page[Any],
    *,
    as_json: bool,
    headers: Sequence[str],
    row: Callable[[Any], Sequence[Any]],
    empty: str,
) -> None:
    """A page as JSON (items and next_cursor) or a table, the next cursor on the last line."""
    if as_json:
        echo_json({"items": page.to_dicts(), "next_cursor": page.next_cursor})
        return
    echo_table(headers, (row(item) for item in page), empty)
    if page.next_cursor:
        click.echo(f"more: --cursor {page.next_cursor}")


def echo_fields(pairs: Iterable[tuple[str, Any]]) -> None:
    """``label  value`` lines, labels aligned; a list value gives one line per item."""
    pairs = list(pairs)
    width = max((display_width(label) for label, _ in pairs), default=0)
    for label, value in pairs:
        lines = [one_line(item) for item in value] if isinstance(value, list) else None
        if lines is None:
            lines = (
                [terminal_safe(line) for line in value.splitlines()]
                if isinstance(value, str)
                else [one_line(value)]
            )
        lines = [line for line in lines if line.strip()] or ["-"]
        click.echo(f"{pad(label, width)}  {lines[0]}".rstrip())
        for line in lines[1:]:
            click.echo(f"{' ' * width}  {line}".rstrip())


class StageCounter:
    """Progress of a job done in stages: ``stage  done/total``, one line per stage.

    On a terminal the line counts up in place (at most ten times a second); piped
    output gets each stage's line once, when the stage is finished.
    """

    def __init__(self) -> None:
        self.live = sys.stdout.isatty()
        self._stage: str | None = None
        self._line_open = False
        self._shown_at = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        finished = done >= total
        if stage != self._stage:
            self.finish()
            self._stage = stage
        elif not finished and time.monotonic() - self._shown_at < 0.1:
            return
        if not (self.live or finished):
            return
        self._shown_at = time.monotonic()
        line = f"  {pad(stage, 14)}{done:>9,}/{total:,}"
        if self.live:
            click.echo(f"\r{line}", nl=False)
            self._line_open = True
        else:
            click.echo(line)

    def finish(self) -> None:
        """End the line a terminal is counting on, if any."""
        if self._line_open:
            click.echo()
            self._line_open = False
