"""The plan page's objection candidates from the bureau's own data (`file_candidates`), each
with one button: a month the furnisher itself said its debit failed on is filed at once (a
POST with the CSRF token; the bureau's check grounds it on the remark alone), a lone short
overdue month goes to the objection form with the record and the reason chosen, where the
evidence is added. The months already under an open objection are not offered again."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from portal_support import CSRF, RIC, Portal
from sqlalchemy import create_engine, text
from test_plan_pages import CASH, EN, plan

from creditmend import bootstrap
from creditmend.domain.creditfile.inquiry import InquiryRequest

SAID = "account:LEND1:A-2:2026-10"  # the furnisher's remark: its debit failed on its side
LONE = "account:LEND2:B-3:2026-10"  # five days late once, on time before and after
TWICE = "account:LEND2:B-4:2026-10"  # late twice: a pattern, not a failed debit
POSTED = re.compile(
    r'<form method="post" action="/me/objections/new" class="inline">\s*'
    r'<input type="hidden" name="csrf" value="[^"]+">\s*'
    r'<input type="hidden" name="record" value="([^"]+)">\s*'
    r'<input type="hidden" name="reason" value="(deduction_failed_not_my_fault|'
    r'inquiry_without_consent)">'
)
ASKED = re.compile(
    r'<form method="get" action="/me/objections/new" class="inline">\s*'
    r'<input type="hidden" name="record" value="([^"]+)">\s*'
    r'<input type="hidden" name="reason" value="deduction_failed_not_my_fault">'
)


def _month(furnisher: str, account: str, period: str, dpd: int) -> dict[str, object]:
    """One furnished month: paid as scheduled, or `dpd` days late at the month's end."""
    paid, past_due = ("0.00", "1100.16") if dpd else ("1100.16", "0.00")
    row: dict[str, object] = {
        "furnisher_id": furnisher, "account_id": account, "id_type": "cn_ric",
        "id_number": RIC, "name": "张三", "account_type": "online_consumer_loan",
        "opened_on": "2026-08-26", "principal": "12000.00", "term_months": 12,
        "scheduled_amount": "1100.16", "balance": "9000.00", "status": "open",
        "period": period, "paid_amount": paid, "past_due_amount": past_due,
        "days_past_due": dpd, "last_payment_on": "2026-09-26",
    }  # fmt: skip
    if dpd:
        year, month = (int(part) for part in period.split("-"))
        end = date(year + month // 12, month % 12 + 1, 1).toordinal() - 1
        first = date.fromordinal(end - dpd + 1)
        row["first_delinquency_on"] = first.isoformat()
        row["negative_notice_on"] = date.fromordinal(first.toordinal() + 1).isoformat()
    return row


def _furnish(portal: Portal, folder: Path) -> None:
    """Three more accounts of the borrower, furnished September to November."""
    rows = []
    for furnisher, account, late in (("LEND1", "A-2", {"2026-10": 5}),
                                     ("LEND2", "B-3", {"2026-10": 5}),
                                     ("LEND2", "B-4", {"2026-09": 3, "2026-10": 5})):  # fmt: skip
        for period in ("2026-09", "2026-10", "2026-11"):
            dpd = late.get(period, 0)
            rows.append(_month(furnisher, account, period, dpd))
    # The furnisher's own word that its debit failed on its side (CMF v1's remark code).
    rows[1]["remarks"] = ["deduction_failed_platform"]  # A-2's October
    cmf = folder / "more.jsonl"
    cmf.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    bureau = bootstrap.build_bureau(portal.url)
    done = bureau.furnish.ingest(cmf, "jsonl", date(2026, 12, 1), datetime(2026, 12, 2, tzinfo=UTC))
    assert done.committed, done
    # Two looks the bureau's log shows made without consent in force: LEND2's (through the API,
    # its consent's term logged) a day after the consent expired, and LEND1's with no consent
    # reference logged (the bureau refuses such a look: written into the store here, as an
    # older log would leave it).
    at = datetime(2026, 12, 2, 3, tzinfo=UTC)
    late = InquiryRequest("cn_ric", RIC, "LEND2", "loan_approval", "C-8", date(2026, 12, 1),
                          date(2026, 11, 1), date(2026, 12, 1))  # fmt: skip
    bureau.inquire.inquire(replace(late, consent_expires_on=date(2026, 11, 30)), at)
    bureau.inquire.inquire(replace(late, by="LEND1", consent_ref="C-9", consent_signed_on=None,
                                   consent_expires_on=None), at)  # fmt: skip
    engine = create_engine(portal.url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE inquiries SET consent_ref = NULL WHERE id = 3"))
    engine.dispose()


def test_the_bureaus_candidates_each_have_one_button(portal: Portal, tmp_path: Path) -> None:
    _furnish(portal, tmp_path)
    portal.enrol(portal.invite())
    _, page = plan(portal, CASH)
    part = page.split("Records worth objecting to")[1].split("<h2>")[0]
    assert POSTED.findall(part) == [  # filed as they stand
        (SAID, "deduction_failed_not_my_fault"),
        ("inquiry:3", "inquiry_without_consent"),  # the newest look first
        ("inquiry:2", "inquiry_without_consent"),
    ]
    assert "Lender LEND2 · inquiry:2 · 2026-12" in part
    assert "read your file on 2026-12-01 (loan_approval) after your consent had expired" in part
    assert "read your file on 2026-12-01 (loan_approval) with no consent of yours logged" in part
    assert ASKED.findall(part) == [LONE]  # to the form, for the evidence
    assert TWICE not in part
    assert "account:LEND1:A-1:2026-11" not in part  # the seed's months: objected to already
    # The GET button: the form with that record and reason chosen, ready for the evidence.
    form = portal.client.get("/me/objections/new", params={"record": LONE,
                             "reason": "deduction_failed_not_my_fault"}, headers=EN)  # fmt: skip
    assert form.status_code == 200
    assert re.search(rf'value="{re.escape(LONE)}"[^>]*checked', form.text)
    assert 'value="deduction_failed_not_my_fault" selected' in form.text
    # The POST button files it: the objection's page, routed to LEND1 with the bureau's
    # proposal to correct the month (its check grounded on the furnisher's remark).
    token = CSRF.search(page)
    assert token
    filed = portal.client.post("/me/objections/new", data={"csrf": token.group(1), "record": SAID,
                               "reason": "deduction_failed_not_my_fault"},
                               follow_redirects=False)  # fmt: skip
    assert filed.status_code == 303, filed.text[:500]
    number = int(filed.headers["location"].rsplit("/", 1)[1])
    svc = portal.service
    objection = svc.bureau.objections.subjects_own(
        number, "cn_ric", RIC, svc.clock.today(), svc.clock.now()
    )
    assert str(objection.record) == SAID and objection.routed_to == "LEND1"
    assert objection.proposal is not None
    # The look after the consent's term: the bureau's to answer, its check proposes deletion.
    filed = portal.client.post("/me/objections/new", data={"csrf": token.group(1),
                               "record": "inquiry:2", "reason": "inquiry_without_consent"},
                               follow_redirects=False)  # fmt: skip
    assert filed.status_code == 303, filed.text[:500]
    number = int(filed.headers["location"].rsplit("/", 1)[1])
    objection = svc.bureau.objections.subjects_own(
        number, "cn_ric", RIC, svc.clock.today(), svc.clock.now()
    )
    assert objection.routed_to == "bureau" and objection.proposal is not None
    assert objection.proposal.outcome.value == "deleted"
    # Filed, they are no longer offered: the same form again is a new plan without them.
    _, again = plan(portal, CASH)
    offered = again.split("Records worth objecting to")[1].split("<h2>")[0]
    assert SAID not in offered and "inquiry:2" not in offered and "inquiry:3" in offered
