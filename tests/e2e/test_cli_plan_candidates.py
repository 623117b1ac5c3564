"""A furnisher's own word that its debit failed (CMF v1's remark `deduction_failed_platform`),
end to end: ingested from a file, the plan from the bureau's data offers the month as a
one-click objection candidate in its JSON, terminal and HTML views with the exact command,
and that command files an objection the bureau's evidence check grounds on the remark alone."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from in_process import cli  # the e2e folder is on the path (pytest's prepend mode)
from one_borrower import MONTHS, RECORD, RIC

AS_OF = "2026-05-10"
PLAN = ("plan", "--person", "cn_ric", RIC, "--monthly-income", "6000", "--monthly-expenses",
        "3500", "--as-of", AS_OF, "--no-bridging")  # fmt: skip


def test_a_remarked_month_is_offered_and_filed_as_the_plan_says(tmp_path: Path) -> None:
    env = {"CREDITMEND_DB": f"sqlite:///{tmp_path / 'bureau.db'}", "CREDITMEND_KEY": ""}
    april = {**MONTHS[1], "remarks": ["deduction_failed_platform"]}  # the platform's own word
    cmf = tmp_path / "cmf.jsonl"
    rows = [MONTHS[0], april]
    cmf.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in rows), "utf-8")
    for step in (
        ("furnisher", "add", "LENDER1", "--name", "Lender One", "--kind", "non_bank"),
        ("ingest", str(cmf), "--as-of", AS_OF),
    ):
        done = cli(*step, env=env)
        assert done.returncode == 0, done.stderr

    as_json = cli(*PLAN, "--format", "json", env=env)
    assert as_json.returncode == 0, as_json.stderr
    (candidate,) = json.loads(as_json.stdout)["file_candidates"]
    command = shlex.join([
        "creditmend", "object", "file", "cn_ric", RIC, "--record", RECORD,
        "--reason", "deduction_failed_not_my_fault",
    ])  # fmt: skip
    assert candidate == {
        "record": RECORD, "furnisher": "LENDER1", "furnisher_name": "Lender One",
        "account_id": "A-1", "month": "2026-04", "days_past_due": 20,
        "reason": "deduction_failed_not_my_fault", "needs_evidence": False,
        "why": "furnisher_reported_failed_debit", "command": command, "inquired_on": None,
        "purpose": None,
    }  # fmt: skip

    terminal = cli(*PLAN, env=env)
    assert terminal.returncode == 0, terminal.stderr
    shown = terminal.stdout.split("Records worth objecting to\n", 1)[1].splitlines()
    assert shown[0] == (
        f"- {RECORD} (Lender One): the platform itself reported that its automatic debit "
        "failed on its side: the bureau's check accepts this without more evidence."
    )
    assert shown[1] == f"  {command}"
    page = tmp_path / "plan.html"
    html = cli(*PLAN, "--format", "html", "--out", str(page), env=env)
    assert html.returncode == 0, html.stderr
    text = page.read_text("utf-8")
    assert f"<code>{command}</code>" in text
    assert "the platform itself reported that its automatic debit failed on its side" in text

    # The command, run as the plan prints it: the bureau's check grounds it on the remark.
    filed = cli(*shlex.split(command)[1:], "--as-of", AS_OF, "--json", env=env)
    assert filed.returncode == 0, filed.stderr
    number = json.loads(filed.stdout)["id"]
    shown_objection = cli("object", "show", str(number), "--as-of", AS_OF, "--json", env=env)
    assert shown_objection.returncode == 0, shown_objection.stderr
    objection = json.loads(shown_objection.stdout)
    assert objection["routed_to"] == "LENDER1"
    assert not any(objection["evidence"].values())  # nothing but the furnisher's word
    proposal = objection["proposal"]
    assert proposal["outcome"] == "corrected"
    assert proposal["corrections"] == {"days_past_due": 0, "past_due_amount": "0.00",
                                       "first_delinquency_on": None}  # fmt: skip
    assert (
        "2026-04: the furnisher reported a failed debit on its side in 2026-04"
        in (proposal["summary"])
    )
    # Filed, it is offered no more.
    again = json.loads(cli(*PLAN, "--format", "json", env=env).stdout)
    assert again["file_candidates"] == []
