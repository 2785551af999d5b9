"""The CLI's pure parts: widths in terminal columns, tables, option parsing, the new config."""

from __future__ import annotations

import datetime as dt
import tomllib

import click
import pytest

from sampark.core.commands.options import LOCAL_DATETIME, custom_values, labelled, subject_ref
from sampark.core.commands.output import (
    StageCounter,
    display_width,
    table_lines,
    terminal_safe,
    truncate,
)
from sampark.core.commands.setup import config_text


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("Asha", 4),
        ("आशा", 3),  # आ, श and the vowel sign ा (a spacing mark): one column each
        ("श्री", 2),  # the virama joins श and र into one conjunct: one column, plus ी
        ("চট্টোপাধ্যায়", 8),  # Bengali: five conjuncts and vowel signs
        ("சுப்ரமணியம்", 9),  # Tamil: the pulli (virama) takes no column
        ("వెంకటేశ్వర్లు", 8),  # Telugu: subjoined consonants take none
        ("José", 4),
        ("Jose\u0301", 4),  # a combining accent takes no column
        ("東京", 4),  # wide characters take two
        ("", 0),
    ],
)
def test_display_width_counts_terminal_columns(text: str, width: int) -> None:
    assert display_width(text) == width


def test_table_columns_line_up_across_scripts() -> None:
    lines = table_lines(
        ("id", "name", "email"),
        [(1, "आशा राव", "asha@example.in"), (22, "Bob", "bob@example.com"), (3, "東京", None)],
    )
    assert lines[0].startswith("ID  NAME")
    asha, bob = lines[1], lines[2]
    assert display_width(asha[: asha.index("asha@")]) == display_width(bob[: bob.index("bob@")])
    assert lines[3] == "3   東京", "no trailing blanks, empty cells left empty"


def test_long_cells_are_cut_except_in_the_last_column() -> None:
    long = "x" * 60
    row = table_lines(("a", "b"), [(long, long)])[1]
    assert row.startswith("x" * 39 + "…  ")
    assert row.endswith(long)
    assert truncate("आशा राव", 4) == "आशा…"


def test_cuts_fall_between_syllables() -> None:
    cut = truncate("వెంకటేశ్వర్లు", 5)
    assert cut == "వెంకటే…" and display_width(cut) <= 5


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[31mred", "\\x1b[31mred"),
        ("bell\x07", "bell\\x07"),
        ("c1\x9bm", "c1\\x9bm"),
        ("\u202eevil", "\\u202eevil"),
        ("del\x7f", "del\\x7f"),
        ("आशा\u200dराव\tok", "आशा\u200dराव\tok"),  # joiners and tabs are text, not commands
    ],
)
def test_terminal_safe_spells_out_what_could_drive_a_terminal(text: str, shown: str) -> None:
    assert terminal_safe(text) == shown


def test_cells_are_kept_on_one_line() -> None:
    assert table_lines(("notes",), [("one\ntwo\tthree",)])[1] == "one two three"


def test_labelled_values_split_a_plain_word_label_only() -> None:
    assert labelled(["work:asha@example.in", "asha@example.in"], "email") == [
        {"label": "work", "email": "asha@example.in"},
        {"email": "asha@example.in"},
    ]
    assert labelled(["home-office: +91 98765 43210", "+91 98765 43210"], "number") == [
        {"label": "home-office", "number": "+91 98765 43210"},
        {"number": "+91 98765 43210"},
    ]
    assert labelled(["a b:c@d.in"], "email") == [{"email": "a b:c@d.in"}]


def test_custom_values_need_name_equals_value() -> None:
    assert custom_values(["tier=gold", "note=a=b", "empty="]) == {
        "tier": "gold",
        "note": "a=b",
        "empty": "",
    }
    with pytest.raises(click.BadParameter, match="'tier' is not NAME=VALUE"):
        custom_values(["tier"])


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("contact:12", ("contact", 12)),
        ("c:12", ("contact", 12)),
        ("12", ("contact", 12)),
        ("account:7", ("account", 7)),
        ("A:7", ("account", 7)),
    ],
)
def test_subject_refs(text: str, ref: tuple[str, int]) -> None:
    assert subject_ref(text) == ref


@pytest.mark.parametrize("text", ["deal:3", "c:x", "", "contact:"])
def test_bad_subject_refs_are_usage_errors(text: str) -> None:
    with pytest.raises(click.BadParameter, match="contact:ID or account:ID"):
        subject_ref(text)


def test_a_datetime_without_zone_is_local_time() -> None:
    moment = LOCAL_DATETIME.convert("2026-12-01T10:00", None, None)
    assert moment.tzinfo is not None
    assert moment.replace(tzinfo=None) == dt.datetime(2026, 12, 1, 10, 0)
    aware = LOCAL_DATETIME.convert("2026-12-01T10:00+05:30", None, None)
    assert aware.utcoffset() == dt.timedelta(hours=5, minutes=30)
    with pytest.raises(click.BadParameter, match="is not a date-time"):
        LOCAL_DATETIME.convert("next tuesday", None, None)


def test_config_text_sets_the_database_of_a_profile_once() -> None:
    text = config_text("nonprofit", 'postgres://crm@db/"quoted"')
    parsed = tomllib.loads(text)
    assert parsed["database"] == 'postgres://crm@db/"quoted"'
    assert text.count("\ndatabase =") + text.startswith("database =") == 1


def test_the_minimal_config_is_valid_toml_with_a_sqlite_default() -> None:
    assert tomllib.loads(config_text(None, None)) == {
        "database": "sqlite://sampark.db",
        "plugins": [],
    }


def test_stage_counter_on_a_terminal_counts_in_place(capsys: pytest.CaptureFixture[str]) -> None:
    counter = StageCounter()
    counter.live = True
    counter("users", 4, 4)
    counter("contacts", 1, 3)
    counter("contacts", 2, 3)  # within 0.1 s of the last one: skipped
    counter("contacts", 3, 3)
    counter.finish()
    lines = capsys.readouterr().out.split("\n")
    assert [part.split() for part in lines[0].split("\r")[1:]] == [["users", "4/4"]]
    assert [part.split() for part in lines[1].split("\r")[1:]] == [
        ["contacts", "1/3"],
        ["contacts", "3/3"],
    ]
    assert lines[2:] == [""]


def test_stage_counter_in_a_pipe_prints_finished_stages(capsys: pytest.CaptureFixture[str]) -> None:
    counter = StageCounter()
    counter.live = False
    for done in range(1, 4):
        counter("contacts", done, 3)
    counter.finish()
    assert capsys.readouterr().out.split() == ["contacts", "3/3"]
