"""`creditmend inquire` and `creditmend report`: a look at a credit file, logged before it is
answered, answered with the online-loan report in the format asked for."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from creditmend import bootstrap
from creditmend.domain.creditfile.inquiry import InquiryRequest
from creditmend.domain.money import Money, MoneyError
from creditmend.domain.problems import Problem
from creditmend.domain.report.json_form import report_json
from creditmend.domain.report.model import Report
from creditmend.interfaces.cli.bureau import AsOfOption, DbOption, as_of_date
from creditmend.interfaces.cli.errors import fail, input_errors
from creditmend.interfaces.cli.report_view import print_report

_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)
REPORT_FORMATS = ("terminal", "json", "html", "pdf")

IdTypeArgument = Annotated[str, typer.Argument(help="cn_ric | passport | us_ssn")]
IdNumberArgument = Annotated[str, typer.Argument(help="The subject's identity number")]
ReportFormatOption = Annotated[str, typer.Option("--format", help="terminal | json | html | pdf")]
OutOption = Annotated[
    Path | None, typer.Option("--out", help="Write the report to this file (needed for pdf)")
]
IncomeOption = Annotated[
    str | None,
    typer.Option(help="Monthly income, if known (for debt-to-income); not stored"),
]


def past_day(as_of: str | None, what: str = "an inquiry happens now or was made") -> date:
    """The business date, refused in the future: a record of what happened cannot be dated
    after today (a later date would, say, lapse every open objection for good)."""
    day = as_of_date(as_of)
    if day > datetime.now(UTC).date():
        message = f"{day} is in the future; {what} on a past day"
        raise fail([Problem("--as-of", message)])
    return day


def _checked(fmt: str, out: Path | None, income: str | None) -> Decimal | None:
    problems = []
    if fmt not in REPORT_FORMATS:
        problems.append(Problem("--format", f"unknown {fmt!r}; one of {', '.join(REPORT_FORMATS)}"))
    if fmt == "pdf" and out is None:
        problems.append(Problem("--out", "a PDF report is written to a file: give --out FILE"))
    amount = None
    if income is not None:
        try:
            amount = Money.of(income, field="--monthly-income").amount
        except MoneyError as error:
            problems.append(Problem("--monthly-income", str(error).partition(": ")[2]))
        else:
            if amount <= 0:
                problems.append(Problem("--monthly-income", "must be more than 0"))
    if problems:
        raise fail(problems)
    return amount


def emit_report(report: Report, fmt: str, out: Path | None) -> None:
    """Print or write the report; a subject without a file is told so on stderr as well."""
    if not report.header.has_file and fmt != "terminal":
        _err.print(f"No credit file for {report.header.subject_id} as of {report.header.as_of}")
    generated_at = datetime.now(UTC)
    if fmt == "json":
        text = json.dumps(report_json(report), ensure_ascii=False, indent=2) + "\n"
    elif fmt == "html":
        text = bootstrap.render_html(report, generated_at)
    elif fmt == "pdf":
        assert out is not None  # checked with the options
        out.write_bytes(bootstrap.render_pdf(report, generated_at))
        _err.print(f"report written to {out}")
        return
    else:
        if out is None:
            print_report(report, _out)
            return
        console = Console(file=io.StringIO(), record=True, width=120, highlight=False)
        print_report(report, console)
        out.write_text(console.export_text(), encoding="utf-8")
        _err.print(f"report written to {out}")
        return
    if out is None:
        print(text, end="")
    else:
        out.write_text(text, encoding="utf-8")
        _err.print(f"report written to {out}")


def inquire(
    id_type: IdTypeArgument,
    id_number: IdNumberArgument,
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
    fmt: ReportFormatOption = "terminal",
    out: OutOption = None,
    monthly_income: IncomeOption = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json")] = False,
) -> None:
    """Look at a credit file: refused without consent (except a self-inquiry); always logged;
    answered with the online-loan report."""
    fmt = "json" if as_json else fmt
    income = _checked(fmt, out, monthly_income)
    request = InquiryRequest(
        id_type, id_number.strip().upper(), by, purpose, consent, past_day(as_of)
    )
    with input_errors():
        report = bootstrap.build_bureau(db).inquire.inquire(request, datetime.now(UTC), income)
        emit_report(report, fmt, out)


def report(
    id_type: IdTypeArgument,
    id_number: IdNumberArgument,
    as_of: AsOfOption = None,
    fmt: ReportFormatOption = "terminal",
    out: OutOption = None,
    monthly_income: IncomeOption = None,
    db: DbOption = None,
) -> None:
    """Your own online-loan report (a self-inquiry: logged, soft, never counted against you)."""
    income = _checked(fmt, out, monthly_income)
    day = past_day(as_of)
    with input_errors():
        found = bootstrap.build_bureau(db).inquire.self_report(
            id_type, id_number.strip().upper(), day, datetime.now(UTC), income
        )
        emit_report(found, fmt, out)


def audit(
    id_type: IdTypeArgument,
    id_number: IdNumberArgument,
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
