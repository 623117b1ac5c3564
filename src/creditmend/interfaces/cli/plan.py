"""`creditmend plan`: the classic strategies and the optimal plan, side by side, with what a
counsellor adds (proposals and letters, objection candidates, the expiry timeline, the score
forecast). From a PLAN file, or from a person's credit file at the bureau (`--person`).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from creditmend import bootstrap
from creditmend.domain.calendar import parse_date
from creditmend.domain.i18n import N_, Said, said_of
from creditmend.domain.problems import Problem
from creditmend.interfaces.cli import clock, language
from creditmend.interfaces.cli.bureau import DbOption
from creditmend.interfaces.cli.errors import fail, input_errors
from creditmend.interfaces.cli.plan_form import advice_json
from creditmend.interfaces.cli.plan_view import render
from creditmend.interfaces.cli.terminal import json_text
from creditmend.services.advise import Advice
from creditmend.services.output_files import link_refused, make_folder, write_file
from creditmend.services.plan import BORROWER_MAX, NewLoanTerms, Person, PlanRequest

FORMATS = ("terminal", "json", "html", "pdf")
_SAFE = re.compile(r"[^A-Za-z0-9_.-]+|^\.+")
_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)  # progress: stdout stays the output


def plan(
    plan_file: Annotated[
        Path | None,
        typer.Argument(help="PLAN file (YAML): loans, cash flow, one-off sources, preferences"),
    ] = None,
    as_of: Annotated[
        str, typer.Option(help="The plan's first day, YYYY-MM-DD (default: today)")
    ] = "",
    horizon_months: Annotated[
        str | None, typer.Option(help="Months the plan covers (default 36 or the file's)")
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="terminal | json | html | pdf")
    ] = "terminal",
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the output to this file (needed for pdf)")
    ] = None,
    person: Annotated[
        tuple[str, str] | None,
        typer.Option(
            "--person",
            help="ID_TYPE ID_NUMBER: plan the open loans the bureau holds for this person",
        ),
    ] = None,
    monthly_income: Annotated[
        str | None, typer.Option(help="With --person and no PLAN file: monthly income")
    ] = None,
    monthly_expenses: Annotated[
        str | None, typer.Option(help="With --person and no PLAN file: essential expenses")
    ] = None,
    cash_on_hand: Annotated[str | None, typer.Option(help="With --person: cash on hand")] = None,
    new_loan: Annotated[
        tuple[str, str, int] | None,
        typer.Option(
            "--new-loan", help="AMOUNT ANNUAL_RATE MONTHS: what taking this loan would do"
        ),
    ] = None,
    new_loan_lender: Annotated[
        str | None, typer.Option(help="The new loan's lender: licensed (default) | private")
    ] = None,
    name: Annotated[
        str,
        typer.Option(
            "--name",
            help="Your name, to sign the letters to the platforms "
            f"(at most {BORROWER_MAX} characters)",
        ),
    ] = "",
    letters: Annotated[
        Path | None,
        typer.Option("--letters", help="Write each platform's letter here (text and PDF)"),
    ] = None,
    bridging: Annotated[
        bool,
        typer.Option(
            "--bridging/--no-bridging",
            help="Look for bridging money: family loan, asset sale, income rise (a few re-plans)",
        ),
    ] = True,
    db: DbOption = None,
) -> None:
    """Compare minimum, avalanche, snowball and the optimal repayment plan."""
    problems: list[Problem] = []
    day: date | None = clock.today() if not as_of else None
    if as_of:
        try:
            day = parse_date(as_of)
        except ValueError as error:
            problems.append(Problem("--as-of", said_of(error)))
    months: int | None = None
    if horizon_months is not None:
        text = horizon_months.strip()
        if text.isdigit():
            months = int(text)
        else:
            whole = Said(N_("%(value)s: a whole number 1..120"), value=repr(horizon_months))
            problems.append(Problem("--horizon-months", whole))
    if output_format not in FORMATS:
        one_of = Said(
            N_("%(value)s: one of %(choices)s"),
            value=repr(output_format),
            choices=", ".join(FORMATS),
        )
        problems.append(Problem("--format", one_of))
    if output_format == "pdf" and out is None:
        problems.append(Problem("--out", Said(N_("a PDF is written to a file: give --out FILE"))))
    if out is not None and (refused := link_refused(out)) is not None:
        problems.append(Problem("--out", refused))
    if new_loan is None and new_loan_lender is not None:  # given without the loan it describes
        problems.append(Problem("--new-loan-lender", Said(N_("goes with %(option)s"),
                                                          option="--new-loan")))  # fmt: skip
    if letters is not None and letters.exists() and not letters.is_dir():
        problems.append(
            Problem("--letters", Said(N_("%(path)s is a file, not a folder"), path=letters))
        )
    cash = {
        key: value
        for key, value in (
            ("monthly_income", monthly_income),
            ("monthly_essential_expenses", monthly_expenses),
            ("cash_on_hand", cash_on_hand),
        )
        if value is not None
    }
    request = PlanRequest(
        as_of=day or date.min,
        plan_file=plan_file,
        person=None if person is None else Person(*person),
        horizon_months=months,
        cash_flow=cash,
        new_loan=None if new_loan is None else _terms(new_loan, new_loan_lender),
        borrower=name,
        bridging=bridging,
    )
    service = bootstrap.build_advisor(bureau=person is not None, db=db)
    problems.extend(service.check(request))
    if problems:
        raise fail(problems)
    with input_errors():
        advice = service.plan(request, clock.now())
    _emit(advice_json(advice, detail=output_format in ("html", "pdf")), advice, output_format, out)
    if letters is not None:
        _write_letters(advice, letters)


def _terms(values: tuple[str, str, int], lender: str | None) -> NewLoanTerms:
    amount, rate, months = values
    return NewLoanTerms(amount, rate, months, lender)


def _write_letters(advice: Advice, folder: Path) -> None:
    """Each platform's letter as text and as PDF, named after the platform's loans."""
    with input_errors():
        make_folder(folder, "--letters")
        for index, letter in enumerate(advice.letters, start=1):
            # Loan ids come from files and lenders: only safe characters reach a file name,
            # and the number keeps two letters apart whatever their ids.
            stem = f"{index:02d}-{_SAFE.sub('_', '-'.join(letter.loan_ids))[:80]}"
            write_file(folder / f"{stem}.txt", letter.text, "--letters")
            write_file(folder / f"{stem}.pdf", bootstrap.letter_pdf(letter.text), "--letters")
    said = language._("%(n)s letter(s) written to %(folder)s")
    _err.print(said % {"n": len(advice.letters), "folder": folder}, markup=False)


def _emit(document: dict[str, Any], advice: Advice, fmt: str, out: Path | None) -> None:
    generated = clock.now()
    if fmt == "terminal":
        render(advice, _out)
        return
    data: str | bytes
    if fmt == "json":
        data = json_text(document, indent=2) + "\n"
    elif fmt == "html":
        data = bootstrap.render_plan_html(document, generated, lang=language.current())
    else:
        data = bootstrap.render_plan_pdf(document, generated, lang=language.current())
    if out is None:
        assert isinstance(data, str)  # a PDF needs --out (checked with the options)
        print(data, end="" if data.endswith("\n") else "\n")
        return
    with input_errors():
        write_file(out, data, "--out")
    _err.print(language._("plan written to %(out)s") % {"out": out}, markup=False)
