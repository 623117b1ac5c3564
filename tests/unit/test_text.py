"""Text from outside: one judgement of a single-line field, and one way to show stored text.

`why_refused` must refuse exactly the characters that can move a terminal's cursor, retitle or
clear its screen, reorder what a reader sees, break a line, or fail to encode (lone
surrogates), and anything longer than the field's limit; it must accept every other text,
whatever its script. `escaped` must show every one of those characters visibly, leave every
other character as it is, and never give back a character the door refuses.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditmend.domain.problems import Problem
from creditmend.domain.text import (
    NAME_MAX_CHARS,
    REASON_MAX_CHARS,
    REFERENCE_MAX_CHARS,
    escaped,
    json_escaped,
    text_problem,
    text_problems_in,
    why_refused,
)

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
REFUSED = (
    "".join(chr(c) for c in range(0x20))
    + "\x7f"
    + "".join(chr(c) for c in range(0x80, 0xA0))
    + BIDI
    + "\u2028\u2029"
    + "\ud800\udbff\udc00\udfff"
)
REFUSED_SET = frozenset(REFUSED)

refused_char = st.one_of(
    st.sampled_from(sorted(REFUSED_SET)), st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
)
# every other character: any script, emoji, spaces, joiners, private use
accepted_char = st.characters(codec=None, exclude_categories=("Cs",)).filter(
    lambda c: c not in REFUSED_SET
)
accepted_text = st.text(alphabet=accepted_char, max_size=NAME_MAX_CHARS)


def test_the_limits_say_what_they_are_for() -> None:
    assert NAME_MAX_CHARS == 200
    assert REFERENCE_MAX_CHARS == 200
    assert REASON_MAX_CHARS == 2000


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("\x1b]0;pwned\x07\x1b[2J", "U+001B"),
        ("C-17\nforged: yes", "U+000A"),
        ("A\u009b1", "U+009B"),
        ("abc\u202eexe.txt", "U+202E"),
        ("court\x00", "U+0000"),
        ("\ud800x", "U+D800"),
        ("tab\there", "U+0009"),
        ("del\x7f", "U+007F"),
        ("line\u2028two", "U+2028"),
    ],
)
def test_the_issues_cases_are_refused_naming_the_character(text: str, says: str) -> None:
    reason = why_refused(text, NAME_MAX_CHARS)
    assert reason is not None
    assert says in reason
    assert why_refused(reason, REASON_MAX_CHARS) is None, "the reason itself is plain text"


def test_a_value_over_its_limit_is_refused_with_both_lengths() -> None:
    assert why_refused("x" * 200, NAME_MAX_CHARS) is None
    reason = why_refused("x" * 201, NAME_MAX_CHARS)
    assert reason == "has 201 characters; at most 200"


def test_ordinary_text_in_any_script_is_accepted() -> None:
    for text in ("张三", "Lender One", "Zoë O'Brien-Ünal", "محكمة", "👩‍👩‍👧", "a b", ""):
        assert why_refused(text, NAME_MAX_CHARS) is None


@given(accepted_text)
def test_text_without_a_refused_character_is_accepted(text: str) -> None:
    assert why_refused(text, NAME_MAX_CHARS) is None


@given(accepted_text, refused_char, accepted_text)
def test_one_refused_character_anywhere_refuses_the_text(before: str, bad: str, after: str) -> None:
    reason = why_refused(before + bad + after, 2 * NAME_MAX_CHARS + 1)
    assert reason is not None
    assert f"U+{ord(bad):04X}" in reason


@given(st.text(alphabet=accepted_char, min_size=1, max_size=50))
def test_the_limit_is_counted_in_characters(text: str) -> None:
    assert why_refused(text, len(text)) is None
    assert why_refused(text, len(text) - 1) is not None


def test_a_problem_names_the_field_and_line() -> None:
    assert text_problem("account_id", "A-1", REFERENCE_MAX_CHARS, line=3) is None
    problem = text_problem("account_id", "A\u009b1", REFERENCE_MAX_CHARS, line=3)
    assert isinstance(problem, Problem)
    assert (problem.field, problem.line) == ("account_id", 3)
    assert "U+009B" in problem.message


@given(st.text(alphabet=st.one_of(accepted_char, refused_char)))
def test_escaped_text_is_always_accepted_and_keeps_the_rest(text: str) -> None:
    shown = escaped(text)
    assert why_refused(shown, 10 * len(text) + 1) is None
    assert shown.encode("utf-8").decode("utf-8") == shown  # nothing left to fail on output
    if not REFUSED_SET.intersection(text) and not any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        assert shown == text


json_value = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(alphabet=st.one_of(accepted_char, refused_char)),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.text(alphabet=st.one_of(accepted_char, refused_char)), inner, max_size=4
        )
    ),
    max_leaves=12,
)


@given(json_value, st.sampled_from([None, 2]))
def test_json_escaped_means_the_same_and_holds_no_refused_character(
    value: object, indent: int | None
) -> None:
    shown = json_escaped(json.dumps(value, ensure_ascii=False, indent=indent))
    # the same as Python's ASCII-only JSON means (which also reads a surrogate pair as one)
    assert json.loads(shown) == json.loads(json.dumps(value))
    assert not (REFUSED_SET - {"\n"}).intersection(shown)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in shown)


def test_json_escaped_keeps_chinese_and_escapes_what_json_leaves_raw() -> None:
    written = json.dumps({"名称": "借呗\u009b\u202e\x7f\x1b"}, ensure_ascii=False)
    assert json_escaped(written) == '{"名称": "借呗\\u009b\\u202e\\u007f\\u001b"}'


def test_escapes_are_the_ones_a_reader_knows() -> None:
    assert escaped("\x1b]0;pwned\x07\x1b[2J") == "\\x1b]0;pwned\\x07\\x1b[2J"
    assert escaped("abc\u202eexe") == "abc\\u202eexe"
    assert escaped("A\u009b1") == "A\\x9b1"
    assert escaped("\ud800x") == "\\ud800x"
    assert escaped("a\nb\x00") == "a\\nb\\x00"


def test_a_record_is_walked_naming_each_path() -> None:
    record = {
        "name": "ok",
        "files": [{"name": "a\x1bb"}, {"name": "fine"}],
        "remarks": ["x", "\u202e"],
        "\x1b[2J": 1,
        "nested": {"deep": "\ud800"},
    }
    found = text_problems_in(record, line=4, source="evidence")
    assert [(p.field, p.line) for p in found] == [
        ("evidence.files[0].name", 4),
        ("evidence.remarks[1]", 4),
        ("evidence", 4),  # the key itself is never repeated
        ("evidence.nested.deep", 4),
    ]
    assert found[2].message.startswith("a key holds a control character U+001B")
    assert text_problems_in({"a": "x" * 10}, max_chars=9)[0].message == (
        "has 10 characters; at most 9"
    )
    deep: object = "\x00"
    for _ in range(5000):  # deeper than Python's recursion limit: walked, not recursed
        deep = [deep]
    assert len(text_problems_in({"k": deep})) == 1


flat_value = st.one_of(
    st.none(),
    st.integers(),
    st.text(alphabet=st.one_of(accepted_char, refused_char), max_size=30),
    st.lists(st.text(alphabet=st.one_of(accepted_char, refused_char), max_size=5), max_size=3),
)


@given(
    st.dictionaries(
        st.text(alphabet=st.one_of(accepted_char, refused_char), max_size=8),
        flat_value,
        max_size=6,
    ),
    st.integers(min_value=0, max_value=40),
)
def test_the_fast_way_through_agrees_with_judging_every_text(
    record: dict[str, object], max_chars: int
) -> None:
    """A flat record (what a file's line is) is refused exactly when one of its keys or texts
    is, whichever way `text_problems_in` takes."""
    texts: list[tuple[str, int]] = [(key, NAME_MAX_CHARS) for key in record]
    for value in record.values():
        if isinstance(value, str):
            texts.append((value, max_chars))
        elif isinstance(value, list):
            texts.extend((item, max_chars) for item in value)
    refused = any(why_refused(text, limit) is not None for text, limit in texts)
    assert bool(text_problems_in(record, max_chars=max_chars)) == refused
