"""`creditmend inquire`: a consented look at a credit file, logged before it is answered."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from creditmend import bootstrap
from creditmend.domain.creditfile.inquiry import InquiryRequest
from creditmend.domain.creditfile.summary import CreditFileSummary
from creditmend.domain.problems import Problem
from creditmend.interfaces.cli.bureau import AsOfOption, DbOption, as_of_date
from creditmend.interfaces.cli.errors import fail, input_errors

_out = Console(highlight=False, soft_wrap=True)


def inquire(
    id_type: Annotated[str, typer.Argument(help="cn_ric | passport | us_ssn")],
    id_number: Annotated[str, typer.Argument(help="The subject's identity number")],
    purpose: Annotated[
        str,
        typer.Option(
            help="loan_approval | credit_card_approval | guarantee_review | "
            "post_loan_management | self_inquiry"
        ),
    ],
    by: Annotated[str | None, typer.Option(help="Furnisher asking (not for self_inquiry)")] = None,
    consent: Annotated[
        str | None, typer.Option(help="Reference of the subject's written consent")
    ] = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Look at a credit file: refused without consent (except a self-inquiry); always logged."""
    day = as_of_date(as_of)
    if day > datetime.now(UTC).date():
        raise fail(
            [
                Problem(
                    "--as-of",
                    f"{day} is in the future; an inquiry happens now or was made on a past day",
                )
            ]
        )
    request = InquiryRequest(id_type, id_number.strip().upper(), by, purpose, consent, day)
    with input_errors():
        summary = bootstrap.build_bureau(db).inquire.inquire(request, datetime.now(UTC))
    if as_json:
        print(json.dumps(summary_json(summary), ensure_ascii=False, indent=2))
    else:
        _tables(summary)


def audit(
    id_type: Annotated[str, typer.Argument(help="cn_ric | passport | us_ssn")],
    id_number: Annotated[str, typer.Argument(help="The subject's identity number")],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """List who looked at (or corrected) a person's file, when, why, with which consent."""
    with input_errors():
        looks = bootstrap.build_bureau(db).inquire.who_looked(
            id_type, id_number.strip().upper(), datetime.now(UTC)
        )
    rows = [
        {
            "at": look.at.isoformat(),
            "by": look.actor,
            "action": look.action,
            "purpose": look.purpose,
            "consent": look.consent_ref,
        }
        for look in looks
    ]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    table = Table(title="Who looked at this file")
    for name in ("at", "by", "action", "purpose", "consent"):
        table.add_column(name)
    for row in rows:
        table.add_row(
            *(str(row[key] or "") for key in ("at", "by", "action", "purpose", "consent"))
        )
    _out.print(table)


def summary_json(summary: CreditFileSummary) -> dict[str, Any]:
    return {
        "subject": summary.subject,
        "as_of": summary.as_of.isoformat(),
        "accounts": [
            {
                "furnisher": a.furnisher,
                "account_id": a.account_id,
                "account_type": a.account_type,
                "opened_on": a.opened_on.isoformat(),
                "principal": None if a.principal is None else str(a.principal.amount),
                "credit_limit": None if a.credit_limit is None else str(a.credit_limit.amount),
                "last_period": None if a.last_period is None else a.last_period.strftime("%Y-%m"),
                "status": a.status,
                "balance": None if a.balance is None else str(a.balance.amount),
                "days_past_due": a.days_past_due,
                "grid": "".join(code.code for code in a.grid),
                "three_or_six_in_24": a.three_or_six_in_24,
            }
            for a in summary.accounts
        ],
        "inquiries": [
            {"on": i.on.isoformat(), "by": i.by, "purpose": i.purpose, "hard": i.hard}
            for i in summary.inquiries
        ],
        "hard_inquiries": summary.hard_inquiries,
        "expiry_timeline": [
            {
                "record": e.key,
                "kind": e.kind,
                "shown": e.shown,
                "visible_until": None if e.visible_until is None else e.visible_until.isoformat(),
                "reason": e.reason,
            }
            for e in summary.expiry
        ],
    }


def _tables(summary: CreditFileSummary) -> None:
    _out.print(f"Credit file of {summary.subject} as of {summary.as_of}")
    accounts = Table(title="Accounts (60-month grid, oldest first)")
    for name in ("furnisher", "account", "opened", "status", "balance", "dpd"):
        accounts.add_column(name)
    accounts.add_column("grid", overflow="fold", min_width=20)
    for a in summary.accounts:
        accounts.add_row(
            a.furnisher,
            a.account_id,
            a.opened_on.isoformat(),
            a.status or "",
            "" if a.balance is None else str(a.balance.amount),
            str(a.days_past_due),
            "".join(code.code for code in a.grid),
        )
    _out.print(accounts)
    inquiries = Table(title=f"Inquiries ({summary.hard_inquiries} hard)")
    for name in ("on", "by", "purpose", "hard"):
        inquiries.add_column(name)
    for i in summary.inquiries:
        inquiries.add_row(i.on.isoformat(), i.by or "self", i.purpose, "yes" if i.hard else "no")
    _out.print(inquiries)
    if summary.expiry:
        timeline = Table(title="Negative records and when they stop being shown")
        for name in ("record", "kind", "shown until", "why"):
            timeline.add_column(name)
        for e in summary.expiry:
            until = "not until cured" if e.visible_until is None else e.visible_until.isoformat()
            timeline.add_row(e.key, e.kind, until if e.shown else "hidden", e.reason)
        _out.print(timeline)
