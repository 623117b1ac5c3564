"""The desk's paragraph in a reply letter: how a textarea's text is kept (line ends, outer
blanks), what is refused (length, lines, control and direction characters), and where it is
set in the letter (before the legal basis; the rest word for word)."""

from __future__ import annotations

import pytest

from creditmend.domain.creditfile.letter import (
    EXPLANATION_MAX_CHARS,
    EXPLANATION_MAX_LINES,
    explanation,
    with_explanation,
)

LETTER = "Reply No. 1\n\nAfter verification the record is correct.\n\n依据 / Basis: Art. 25\n"


def test_a_textareas_text_is_kept_with_its_lines_and_without_its_outer_blanks() -> None:
    said, problems = explanation("\r\n  First line. \r\n\r\nSecond line.\r\n\n ")
    assert (said, problems) == ("First line.\n\nSecond line.", ())
    assert explanation(" \n \t") == ("", ())  # nothing: no paragraph


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("x" * (EXPLANATION_MAX_CHARS + 1), f"at most {EXPLANATION_MAX_CHARS}"),
        ("\n".join("x" * (EXPLANATION_MAX_LINES + 1)), f"at most {EXPLANATION_MAX_LINES}"),
        ("fine\nbad\x1b[2J", "line 2 holds a control character U+001B"),
        ("a\u202eb", "line 1 holds a bidirectional control U+202E"),
        ("a\u2028b", "line 1 holds a line separator"),
    ],
)
def test_a_paragraph_that_would_act_on_a_reader_or_overflow_is_refused(
    text: str, says: str
) -> None:
    _, problems = explanation(text)
    assert len(problems) == 1 and problems[0].field == "objection.explanation"
    assert says in problems[0].message


def test_the_paragraph_goes_before_the_legal_basis_and_the_rest_stays_word_for_word() -> None:
    revised = with_explanation(LETTER, "We checked the bank's record.\n\nIt matched.")
    assert revised == (
        "Reply No. 1\n\nAfter verification the record is correct.\n\n"
        "本中心说明 / The bureau's explanation:\n  We checked the bank's record.\n\n"
        "  It matched.\n\n依据 / Basis: Art. 25\n"
    )
    assert with_explanation(LETTER, "") == LETTER
    # A letter without the basis line (none is written so): the paragraph closes it.
    assert with_explanation("Reply\n", "Note.") == (
        "Reply\n本中心说明 / The bureau's explanation:\n  Note.\n\n"
    )
