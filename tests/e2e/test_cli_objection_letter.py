"""`creditmend object revise`: the desk rewrites its own paragraph of a reply letter not yet
approved (sent back, say); the rest stays as written with the outcome; each revision is kept;
an approved letter is not revised. Bad input is one line naming the field, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from in_process import cli  # the e2e folder is on the path (pytest's prepend mode)
from one_borrower import RECORD, RIC, furnished_bureau


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A bureau with one lender and one borrower whose April is 20 days overdue; objection 1
    answered (corrected) on 2026-06-03, its letter sent back the same day."""
    made = furnished_bureau(tmp_path)
    for args in (
        ("file", "cn_ric", RIC, "--record", RECORD, "--reason", "wrong_amount",
         "--as-of", "2026-05-11"),
        ("answer", "1", "--by", "LENDER1", "--outcome", "confirmed", "--as-of", "2026-06-03"),
        ("send-back", "1", "--by", "Wang Li", "--note", "explain why", "--as-of", "2026-06-03"),
    ):  # fmt: skip
        done = cli("object", *args, env=made)
        assert done.returncode == 0, done.stderr
    return made


def _paragraph(folder: Path, text: str | bytes) -> str:
    path = folder / "paragraph.txt"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")
    return str(path)


def test_the_desk_revises_a_sent_back_letter_and_the_earlier_text_is_kept(
    tmp_path: Path, env: dict[str, str]
) -> None:
    written = cli("object", "letter", "1", "--draft", "--as-of", "2026-06-03", env=env).stdout
    said = "The lender's file showed the amount paid.\n\nIt stays as furnished."
    revised = cli(
        "object", "revise", "1", "--by", "Zhao Min", "--file", _paragraph(tmp_path, said),
        "--as-of", "2026-06-04", "--json", env=env,
    )  # fmt: skip
    assert revised.returncode == 0, revised.stderr
    shown = json.loads(revised.stdout)
    assert shown["letter"] == {
        "status": "draft", "replied": False, "reviewed_by": "Zhao Min",
        "reviewed_on": "2026-06-04", "reviewed_at": shown["letter"]["reviewed_at"], "note": None,
    }  # fmt: skip
    assert shown["events"][-1] == {
        "on": "2026-06-04", "actor": "Zhao Min", "action": "revised", "note": said
    }  # fmt: skip
    draft = cli("object", "letter", "1", "--draft", "--as-of", "2026-06-04", env=env).stdout
    block = (
        "本中心说明 / The bureau's explanation:\n  The lender's file showed the amount paid.\n"
        "\n  It stays as furnished.\n\n"
    )
    assert block in draft and draft.replace(block, "") == written  # the rest word for word
    # The letter as it stood the day before: the earlier text, kept.
    before = cli("object", "letter", "1", "--draft", "--as-of", "2026-06-03", env=env).stdout
    assert before == written
    show = cli("object", "show", "1", "--as-of", "2026-06-04", env=env).stdout
    assert "reply letter: draft, waiting for the desk's approval (revised by Zhao Min on" in show
    again = cli(
        "object", "revise", "1", "--file", _paragraph(tmp_path, said), "--as-of", "2026-06-04",
        env=env,
    )  # fmt: skip
    assert again.returncode == 2
    assert again.stderr == "error: objection.explanation: is what the letter already says\n"
    approved = cli("object", "approve", "1", "--by", "Wang Li", "--as-of", "2026-06-04", env=env)
    assert approved.returncode == 0, approved.stderr
    sent = cli("object", "letter", "1", "--as-of", "2026-06-04", env=env).stdout
    assert sent == draft
    late = cli(
        "object", "revise", "1", "--file", _paragraph(tmp_path, "later"), "--as-of", "2026-06-05",
        env=env,
    )  # fmt: skip
    assert late.returncode == 2 and late.stderr == (
        "error: ID: the reply to objection 1 was already approved by Wang Li on 2026-06-04\n"
    )


def test_a_bad_revision_is_one_line_and_changes_nothing(
    tmp_path: Path, env: dict[str, str]
) -> None:
    before = cli("object", "show", "1", "--as-of", "2026-06-04", "--json", env=env).stdout
    for text, as_of, expected in (
        ("clear\x1b[2J", "2026-06-04",
         "error: objection.explanation: line 1 holds a control character U+001B at character 6"),
        ("x" * 1001, "2026-06-04", "error: objection.explanation: has 1001 characters; at most"),
        ("\n".join("x" * 21), "2026-06-04", "error: objection.explanation: has 21 lines; at most"),
        (b"\xff\xfe", "2026-06-04", "error: --file: "),
        ("fine", "2026-06-02", "error: --as-of: 2026-06-02 is before the letter was drafted"),
    ):  # fmt: skip
        refused = cli(
            "object", "revise", "1", "--file", _paragraph(tmp_path, text), "--as-of", as_of,
            env=env,
        )  # fmt: skip
        assert refused.returncode == 2 and refused.stderr.startswith(expected), refused.stderr
        assert len(refused.stderr.splitlines()) == 1
    missing = cli("object", "revise", "1", "--file", str(tmp_path / "none.txt"), env=env)
    assert missing.returncode == 2 and missing.stderr.startswith("error: --file: cannot read")
    empty_by = cli(
        "object", "revise", "1", "--by", " ", "--file", _paragraph(tmp_path, "fine"),
        "--as-of", "2026-06-04", env=env,
    )  # fmt: skip
    assert empty_by.returncode == 2 and empty_by.stderr == "error: --by: is empty\n"
    after = cli("object", "show", "1", "--as-of", "2026-06-04", "--json", env=env).stdout
    assert after == before
