"""`creditmend object ...` end to end: file, list, answer, letter (text and PDF), statement.

In process (Typer's runner) rather than one interpreter per command: the same command line,
parsing, exit codes and output streams, without paying the imports a dozen times.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from in_process import cli  # the e2e folder is on the path (pytest's prepend mode)
from one_borrower import RECORD, RIC, furnished_bureau
from pypdf import PdfReader


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A bureau with one lender and one borrower whose April is 20 days overdue."""
    return furnished_bureau(tmp_path)


def test_an_objection_from_filing_to_the_reply_letter(tmp_path: Path, env: dict[str, str]) -> None:
    evidence = tmp_path / "evidence.json"
    evidence.write_text(
        json.dumps({"bank_balances": [{"on": "2026-04-10", "amount": "3000.00"}]}), "utf-8"
    )
    filed = cli(
        "object", "file", "cn_ric", RIC, "--record", RECORD, "--reason",
        "deduction_failed_not_my_fault", "--evidence", str(evidence), "--as-of", "2026-05-11",
        "--json", env=env,
    )  # fmt: skip
    assert filed.returncode == 0, filed.stderr
    assert json.loads(filed.stdout) == {"id": 1, "status": "open", "due_on": "2026-06-01"}

    late = cli("object", "list", "--overdue", "--as-of", "2026-06-02", "--json", env=env)
    (listed,) = json.loads(late.stdout)
    assert (listed["id"], listed["status"], listed["age_days"]) == (1, "lapsed", 22)

    report = cli("report", "cn_ric", RIC, "--as-of", "2026-05-12", "--format", "json", env=env)
    (account,) = json.loads(report.stdout)["overdue"]["accounts"]
    assert account["under_objection"] and account["grid"][-2] == "1"

    answered = cli(
        "object", "answer", "1", "--by", "LENDER1", "--outcome", "corrected",
        "--as-of", "2026-06-03", "--json", env=env,
    )  # fmt: skip
    assert answered.returncode == 0, answered.stderr
    assert json.loads(answered.stdout)["outcome"] == "corrected"
    report = cli("report", "cn_ric", RIC, "--as-of", "2026-06-03", "--format", "json", env=env)
    (account,) = json.loads(report.stdout)["overdue"]["accounts"]
    assert not account["under_objection"]
    assert account["grid"][-3] == "N"

    # The letter is a draft until the desk approves it: refused, shown to the desk on asking.
    unapproved = cli("object", "letter", "1", "--as-of", "2026-06-03", env=env)
    assert unapproved.returncode == 2 and unapproved.stdout == ""
    assert unapproved.stderr == (
        "error: letter: the reply to objection 1 is a draft: the desk has not approved it\n"
    )
    draft = cli("object", "letter", "1", "--draft", "--as-of", "2026-06-03", env=env)
    assert "2026-04 days_past_due: 20 -> 0" in draft.stdout
    listed = cli("object", "list", "--as-of", "2026-06-03", "--json", env=env)
    assert json.loads(listed.stdout)[0]["letter"]["status"] == "draft"
    waiting = cli("object", "list", "--unapproved", "--as-of", "2026-06-03", "--json", env=env)
    assert [o["id"] for o in json.loads(waiting.stdout)] == [1]
    for args, field in (
        (("approve", "1", "--by", "desk\x1b[2J"), "--by"),
        (("send-back", "1", "--note", "no\u202e"), "--note"),
        (("send-back", "1", "--note", " "), "--note"),
    ):
        refused = cli("object", *args, "--as-of", "2026-06-03", env=env)
        assert refused.returncode == 2 and refused.stderr.startswith(f"error: {field}: "), args
        assert len(refused.stderr.splitlines()) == 1
    back = cli(
        "object", "send-back", "1", "--by", "Wang Li", "--note", "check the amounts",
        "--as-of", "2026-06-03", "--json", env=env,
    )  # fmt: skip
    assert back.returncode == 0, back.stderr
    assert json.loads(back.stdout)["letter"]["note"] == "check the amounts"
    still = cli("object", "letter", "1", "--as-of", "2026-06-03", env=env)
    assert still.returncode == 2 and "sent back (check the amounts)" in still.stderr
    approved = cli(
        "object", "approve", "1", "--by", "Wang Li", "--as-of", "2026-06-03", "--json", env=env
    )
    assert approved.returncode == 0, approved.stderr
    review = json.loads(approved.stdout)["letter"]
    assert (review["status"], review["replied"], review["reviewed_by"], review["reviewed_on"]) == (
        "approved",
        True,
        "Wang Li",
        "2026-06-03",
    )
    waiting = cli("object", "list", "--unapproved", "--as-of", "2026-06-03", "--json", env=env)
    assert json.loads(waiting.stdout) == []
    again = cli("object", "approve", "1", "--as-of", "2026-06-03", env=env)
    assert again.returncode == 2 and again.stderr == (
        "error: ID: the reply to objection 1 was already approved by Wang Li on 2026-06-03\n"
    )
    letter = cli("object", "letter", "1", "--as-of", "2026-06-03", env=env)
    assert "2026-04 days_past_due: 20 -> 0" in letter.stdout
    assert "after the legal period (2026-06-01)" in letter.stdout
    pdf = tmp_path / "reply.pdf"
    cli("object", "letter", "1", "--out", str(pdf), "--as-of", "2026-06-03", env=env)
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "异议处理结果告知书" in text and "days_past_due: 20 -> 0" in text


def _json_file(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, "utf-8")
    return str(path)


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, env: dict[str, str]) -> None:
    def evidence(text: str) -> tuple[str, ...]:
        path = _json_file(tmp_path, f"e{len(text)}.json", text)
        return ("--record", RECORD, "--reason", "deduction_failed_not_my_fault", "--evidence", path)

    amount = "error: evidence.bank_balances[0].amount: must be an amount like"
    cases = [
        (evidence('{"bank_balances": [{"on": "2026-04-10", "amount": 3000.5}]}'), amount),
        (evidence('{"bank_balances": [{"on": "2026-04-10", "amount": "1e30"}]}'), amount),
        (evidence("null"), "error: --evidence: "),
        (evidence("[" * 5000 + "]" * 5000), "error: --evidence: "),
        (("--record", "account:LENDER1", "--reason", "other"), "error: --record: "),
        (("--record", "account:LENDER1:A-1", "--reason", "other", "--as-of", "2026-02-28"),
         "error: --record: account:LENDER1:A-1 is not a record"),
        (("--record", RECORD, "--reason", "other", "--as-of", "2199-01-01"),
         "error: --as-of: 2199-01-01 is in the future"),
        (("--record", RECORD, "--reason", "inquiry_without_consent"),
         "error: --reason: inquiry_without_consent applies to inquiry records"),
    ]  # fmt: skip
    for args, message in cases:
        dated = args if "--as-of" in args else (*args, "--as-of", "2026-05-11")
        done = cli("object", "file", "cn_ric", RIC, *dated, env=env)
        assert done.returncode == 2, done.stdout
        assert done.stderr.startswith(message), done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
    filed = cli(
        "object", "file", "cn_ric", RIC, "--record", RECORD, "--reason", "paid_on_time",
        "--as-of", "2026-05-11", env=env,
    )  # fmt: skip
    assert filed.returncode == 0, filed.stderr
    steps = [
        (("answer", "1", "--by", "OTHER", "--outcome", "confirmed"), "error: --by: OTHER cannot"),
        (("statement", "1", "--text", "I paid"), "error: ID: objection 1 is still open"),
        (("letter", "1"), "error: ID: objection 1 is open"),
        (("approve", "1"), "error: ID: objection 1 is open: there is no reply letter to review"),
        (("send-back", "1", "--note", "no"), "error: ID: objection 1 is open: there is no reply"),
        (("show", "9"), "error: ID: there is no objection 9"),
        (("answer", "1", "--by", "LENDER1", "--outcome", "maybe"), "error: --outcome: 'maybe'"),
        (
            (
                "answer",
                "1",
                "--by",
                "LENDER1",
                "--outcome",
                "corrected",
                "--corrections",
                _json_file(tmp_path, "c.json", '{"days_past_due": 100000}'),
            ),
            "error: corrections.days_past_due: must be a whole number of days, 0..36500",
        ),
        (
            (
                "answer",
                "1",
                "--by",
                "LENDER1",
                "--outcome",
                "confirmed",
                "--corrections",
                _json_file(tmp_path, "n.json", "null"),
            ),
            "error: --corrections: ",
        ),
    ]
    for args, message in steps:
        done = cli("object", *args, "--as-of", "2026-05-12", env=env)
        assert (done.returncode, done.stderr.splitlines()[0]) == (2, done.stderr.strip()), args
        assert done.stderr.startswith(message), done.stderr
    huge = cli("object", "show", "99999999999999999999", env=env)  # Click's own range check
    assert huge.returncode == 2 and "Traceback" not in huge.stderr
    shown = cli("object", "show", "1", "--as-of", "2026-05-12", "--json", env=env)
    assert json.loads(shown.stdout)["status"] == "open"  # nothing refused changed anything
