"""`creditmend inquire` and `creditmend report`: a look at a credit file, logged before it is
answered, answered with the online-loan report in the format asked for."""

from __future__ import annotations

import io
import os
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from creditmend import bootstrap
from creditmend.domain.creditfile.inquiry import InquiryRequest
from creditmend.domain.i18n import N_, Said
from creditmend.domain.money import Money, MoneyError
from creditmend.domain.problems import Problem
from creditmend.domain.report.json_form import report_json
from creditmend.domain.report.model import Report
from creditmend.interfaces.cli import access, clock, language
from creditmend.interfaces.cli.bureau import AsOfOption, DbOption, past_day
from creditmend.interfaces.cli.errors import fail, input_errors
from creditmend.interfaces.cli.report_view import print_report
from creditmend.interfaces.cli.terminal import json_text, plain
from creditmend.services.inquire import income_problems
from creditmend.services.output_files import link_refused, write_file

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


def _checked(fmt: str, out: Path | None, income: str | None) -> Decimal | None:
    problems = []
    if fmt not in REPORT_FORMATS:
        unknown = Said(
            N_("unknown %(value)s; one of %(choices)s"),
            value=repr(fmt),
            choices=", ".join(REPORT_FORMATS),
        )
        problems.append(Problem("--format", unknown))
    if fmt == "pdf" and out is None:
        pdf = Said(N_("a PDF report is written to a file: give --out FILE"))
        problems.append(Problem("--out", pdf))
    if out is not None and (trouble := _unwritable(out)):
        problems.append(Problem("--out", trouble))
    amount = None
    if income is not None:
        try:
            amount = Money.of(
                income, bootstrap.rules().currency, field="inquiry.monthly_income"
            ).amount
        except MoneyError as error:
            problems.append(error.problem())
        else:
            problems.extend(income_problems(amount))
    if problems:
        raise fail(problems)
    return amount


def _unwritable(out: Path) -> str | None:
    """Why the report could not be written to `out`, checked before anything is computed or
    logged (a look at a file is logged only when its answer can be delivered); None if fine."""
    if (refused := link_refused(out)) is not None:
        return refused
    if out.is_dir():
        return f"{out} is a folder: give a file name"
    folder = out.parent
    if not folder.exists():
        return f"no folder {folder}: make it first"
    if not folder.is_dir():
        return f"{folder} is not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):  # the file is made beside it, then renamed
        return f"cannot write {out}: permission denied"
    return None


def _write(out: Path, data: str | bytes) -> None:
    """Write the report whole and owner-only (`output_files`); a failure (permission, full
    disk) is a one-line error and leaves a previous report at `out` as it was."""
    with input_errors():
        write_file(out, data, "--out")
    _err.print(language._("report written to %(out)s") % {"out": out}, markup=False)


def emit_report(report: Report, fmt: str, out: Path | None) -> None:
    """Print or write the report; a subject without a file is told so on stderr as well."""
    if not report.header.has_file and fmt != "terminal":
        header = report.header
        said = language._("No credit file for %(subject)s as of %(on)s")
        _err.print(said % {"subject": header.subject_id, "on": header.as_of}, markup=False)
    generated_at = clock.now()
    if fmt == "json":
        text = json_text(report_json(report), indent=2) + "\n"
    elif fmt == "html":
        text = bootstrap.render_html(report, generated_at, lang=language.current())
    elif fmt == "pdf":
        assert out is not None  # checked with the options
        _write(out, bootstrap.render_pdf(report, generated_at, lang=language.current()))
        return
    elif out is None:
        # Made now, not at import, so that the width (COLUMNS, the terminal) is today's; it
        # wraps text at that width (`print_report` does so even on a soft-wrapping console).
        print_report(report, Console(highlight=False), profile=bootstrap.rules())
        return
    else:
        console = Console(file=io.StringIO(), record=True, width=120, highlight=False)
        print_report(report, console, profile=bootstrap.rules())
        text = console.export_text()
    if out is None:
        print(text, end="")
    else:
        _write(out, text)


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
    request = InquiryRequest(id_type, id_number, by, purpose, consent, past_day(as_of))
    with input_errors():
        report = bootstrap.build_bureau(db).inquire.inquire(request, clock.now(), income)
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
            id_type, id_number, day, clock.now(), income
        )
        emit_report(found, fmt, out)


def audit(
    id_type: Annotated[str | None, typer.Argument(help="cn_ric | passport | us_ssn")] = None,
    id_number: Annotated[str | None, typer.Argument(help="The subject's identity number")] = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    api: Annotated[
        bool, typer.Option("--api", help="The API's access instead: tokens issued and refused")
    ] = False,
    client: Annotated[
        str | None, typer.Option("--client", help="With --api: this client's events only")
    ] = None,
    refused: Annotated[bool, typer.Option("--refused", help="With --api: refusals only")] = False,
    limit: Annotated[int, typer.Option("--limit", help="With --api: the newest N events")] = 200,
) -> None:
    """List who looked at (or corrected) a person's file, when, why, with which consent, and
    the looks the bureau refused (and why). With --api instead: the API's clients added and
    revoked, tokens issued and requests refused (who, address, why, request id)."""
    if api:
        if id_type is not None:
            raise fail([Problem("ID_TYPE", "--api lists the API's access, not a person's file")])
        access.print_access(db, client, refused_only=refused, limit=limit, as_json=as_json)
        return
    if client is not None or refused:
        said = "--client" if client is not None else "--refused"
        raise fail([Problem(said, "is an option of --api")])
    if id_type is None or id_number is None:
        said = "ID_TYPE" if id_type is None else "ID_NUMBER"
        raise fail([Problem(said, "give the subject's ID_TYPE and ID_NUMBER (or --api)")])
    with input_errors():
        looks = bootstrap.build_bureau(db).inquire.who_looked(id_type, id_number, clock.now())
    rows = [
        {
            "at": look.at.isoformat(),
            "by": look.actor,
            "action": look.action,
            "purpose": look.purpose,
            "consent": look.consent_ref,
            "refused": look.refused,
            "client_id": look.client_id,
            "scope": look.scope,
            "request_id": look.request_id,
        }
        for look in looks
    ]
    if as_json:
        print(json_text(rows))
        return
    table = Table(title="Who looked at this file (refused: why a look was not given)")
    columns = ("at", "by", "action", "purpose", "consent", "refused")
    for name in (*columns, "via"):
        table.add_column(name)
    for row in rows:
        # Text, not markup, with controls escaped: a caller's code or a reason may hold anything.
        via = f"API {row['client_id']} ({row['scope']}), request {row['request_id']}"
        table.add_row(
            *(plain(row[key] or "") for key in columns), plain(via) if row["client_id"] else ""
        )
    # Made now, not at import (as for the report): the width is the one COLUMNS says today.
    Console(highlight=False, soft_wrap=True).print(table)
