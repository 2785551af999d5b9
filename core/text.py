"""What text Sampark stores: one rule for the kernel, CLI, forms and API alike.

No database stores a NUL or a lone UTF-16 surrogate in text (PostgreSQL refuses both), and
nobody types a control character on purpose: pasted in, it would later drive the terminal
or hide text on a page. So every cleaner of text input asks :func:`text_problem`, and every
face refuses the same values with the same words, naming the field.
"""

from __future__ import annotations

import re

NUL_MESSAGE = "must not contain the NUL character (U+0000)"
# JSON may escape half of a UTF-16 pair ("\ud800"); a CLI argument that is not UTF-8 becomes
# one too (surrogateescape).
SURROGATE_MESSAGE = "must not contain a lone UTF-16 surrogate (U+D800 to U+DFFF)"
LINE_BREAK_MESSAGE = "must be a single line (no line breaks)"

_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 and C1 controls and DEL; multi-line text may hold tabs and line breaks.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def text_problem(text: str, *, multiline: bool = False) -> str | None:
    """What makes ``text`` unfit to store, as a message for its field, or None if it is fine.

    ``multiline`` text (notes, descriptions, message bodies) may hold tabs and line breaks;
    single-line text (names, subjects, references) may not.
    """
    if "\x00" in text:
        return NUL_MESSAGE
    if _SURROGATE.search(text):
        return SURROGATE_MESSAGE
    control = (_CONTROL_IN_LINES if multiline else _CONTROL).search(text)
    if control is None:
        return None
    if control.group() in "\n\r":
        return LINE_BREAK_MESSAGE
    return f"must not contain control characters (found U+{ord(control.group()):04X})"
