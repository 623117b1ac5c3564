"""`creditmend plan`: the classic strategies and the optimal plan, side by side, with what a
counsellor adds (proposals and letters, objection candidates, the expiry timeline, the score
forecast). From a PLAN file, or from a person's credit file at the bureau (`--person`).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from creditmend import bootstrap
from creditmend.domain.calendar import parse_date
from creditmend.domain.loan.contract import LENDER_KINDS
from creditmend.domain.money import Money, MoneyError
from creditmend.domain.problems import Problem
from creditmend.domain.rate import Rate
from creditmend.domain.recovery.forecast import NewLoanOffer
from creditmend.interfaces.cli import clock
from creditmend.interfaces.cli.bureau import DbOption
from creditmend.interfaces.cli.errors import fail, input_errors
from creditmend.interfaces.cli.plan_form import advice_json
from creditmend.interfaces.cli.plan_view import render
from creditmend.services.advise import Advice, Subject

FORMATS = ("terminal", "json", "html", "pdf")
NAME_MAX = 100  # characters of --name: a signature, not a document
# Control characters, surrogates (undecodable bytes) and line or paragraph separators.
_NOT_IN_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")
_SAFE = re.compile(r"[^A-Za-z0-9_.-]+|^\.+")
_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)  # progress: stdout stays the output


def _amount(text: str, field: str, problems: list[Problem]) -> Decimal | None:
    try:
        value = Money.of(text, bootstrap.rules().currency, field=field).amount
    except MoneyError as error:
        problems.append(Problem(field, str(error).partition(": ")[2]))
        return None
    if value < 0:
        problems.append(Problem(field, f"{text} must be zero or more"))
        return None
    return value


def _new_loan(
    values: tuple[str, str, int] | None, lender: str | None, problems: list[Problem]
) -> NewLoanOffer | None:
    if values is None:
        if lender is not None:  # given without the loan it describes
            problems.append(Problem("--new-loan-lender", "goes with --new-loan"))
        return None
    lender_kind = lender or LENDER_KINDS[0]
    amount_text, rate_text, months = values
    amount = _amount(amount_text, "--new-loan AMOUNT", problems)
    try:
        rate = Rate.annual(Decimal(rate_text))
    except (ArithmeticError, ValueError):
        problems.append(Problem("--new-loan RATE", f"{rate_text!r} is not an annual rate"))
        return None
    if not 1 <= months <= 360:
        problems.append(Problem("--new-loan MONTHS", f"{months} must be 1..360"))
    if lender_kind not in LENDER_KINDS:
        problems.append(Problem("--new-loan-lender", f"one of {', '.join(LENDER_KINDS)}"))
    if amount == 0:
        problems.append(Problem("--new-loan AMOUNT", "must be more than 0"))
    if amount is None or problems:
        return None
    # The plan's currency replaces this one once the plan is read.
    return NewLoanOffer(
        Money(amount, bootstrap.rules().currency), rate, months, lender_kind=lender_kind
    )


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
            help=f"Your name, to sign the letters to the platforms (at most {NAME_MAX} characters)",
        ),
    ] = "",
    letters: Annotated[
        Path | None,
        typer.Option("--letters", help="Write each platform's letter here (text and PDF)"),
    ] = None,
    db: DbOption = None,
) -> None:
    """Compare minimum, avalanche, snowball and the optimal repayment plan."""
    problems: list[Problem] = []
    day: date | None = clock.today() if not as_of else None
    if as_of:
        try:
            day = parse_date(as_of)
        except ValueError as error:
            problems.append(Problem("--as-of", str(error)))
    months: int | None = None
    if horizon_months is not None:
        text = horizon_months.strip()
        if not text.isdigit() or not 1 <= int(text) <= 120:
            problems.append(
                Problem("--horizon-months", f"{horizon_months!r}: a whole number 1..120")
            )
        else:
            months = int(text)
    if output_format not in FORMATS:
        problems.append(Problem("--format", f"{output_format!r}: one of {', '.join(FORMATS)}"))
    if output_format == "pdf" and out is None:
        problems.append(Problem("--out", "a PDF is written to a file: give --out FILE"))
    if plan_file is None and person is None:
        problems.append(Problem("PLAN", "give a PLAN file, or --person ID_TYPE ID_NUMBER"))
    cash = {
        key: value
        for key, value in (
            ("monthly_income", monthly_income),
            ("monthly_essential_expenses", monthly_expenses),
            ("cash_on_hand", cash_on_hand),
        )
        if value is not None
    }
    for key, value in cash.items():
        _amount(value, f"--{key.replace('_essential', '').replace('_', '-')}", problems)
    if cash and person is None:
        given = ", ".join(f"--{k.replace('_essential', '').replace('_', '-')}" for k in cash)
        problems.append(Problem(given, "cash-flow options go with --person"))
    offer = _new_loan(new_loan, new_loan_lender, problems)
    _check_name(name, problems)
    if letters is not None and letters.exists() and not letters.is_dir():
        problems.append(Problem("--letters", f"{letters} is a file, not a folder"))
    if problems:
        raise fail(problems)
    assert day is not None
    with input_errors():
        service = bootstrap.build_advisor(bureau=person is not None, db=db)
        subject: Subject | None = None
        notes: tuple[str, ...] = ()
        if person is not None:
            id_type, id_number = person
            plan_input, subject, notes = service.person_plan(
                id_type, id_number, plan_file, cash or None, day, clock.now()
            )
        else:
            assert plan_file is not None
            plan_input = service.read(plan_file)
        if offer is not None:
            offer = replace(offer, amount=Money(offer.amount.amount, plan_input.currency))
        advice = service.advise(plan_input, day, months)
        advice = service.counsel(
            advice, subject=subject, borrower=name.strip() or "__________", new_loan=offer
        )
        advice = replace(advice, notes=notes)
    _emit(advice_json(advice, detail=output_format in ("html", "pdf")), advice, output_format, out)
    if letters is not None:
        _write_letters(advice, letters)


def _check_name(name: str, problems: list[Problem]) -> None:
    """The signature is one short line: checked before any work, so no name makes it slow."""
    if len(name.strip()) > NAME_MAX:
        problems.append(
            Problem("--name", f"at most {NAME_MAX} characters (got {len(name.strip())})")
        )
    elif _NOT_IN_NAME.search(name):
        problems.append(Problem("--name", "control characters and line breaks are not accepted"))


def _write_letters(advice: Advice, folder: Path) -> None:
    """Each platform's letter as text and as PDF, named after the platform's loans."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for index, letter in enumerate(advice.letters, start=1):
            # Loan ids come from files and lenders: only safe characters reach a file name,
            # and the number keeps two letters apart whatever their ids.
            stem = f"{index:02d}-{_SAFE.sub('_', '-'.join(letter.loan_ids))[:80]}"
            (folder / f"{stem}.txt").write_text(letter.text, encoding="utf-8")
            (folder / f"{stem}.pdf").write_bytes(bootstrap.letter_pdf(letter.text))
    except OSError as error:
        raise fail([Problem("--letters", f"cannot write to {folder}: {error.strerror}")]) from None
    _err.print(f"{len(advice.letters)} letter(s) written to {folder}", markup=False)


def _emit(document: dict[str, Any], advice: Advice, fmt: str, out: Path | None) -> None:
    generated = clock.now()
    if fmt == "terminal":
        render(advice, _out)
        return
    try:
        if fmt == "json":
            text = json.dumps(document, ensure_ascii=False, indent=2)
            if out is None:
                print(text)
                return
            out.write_text(text + "\n", encoding="utf-8")
        elif fmt == "html":
            html = bootstrap.render_plan_html(document, generated)
            if out is None:
                print(html)
                return
            out.write_text(html, encoding="utf-8")
        else:
            assert out is not None
            out.write_bytes(bootstrap.render_plan_pdf(document, generated))
    except OSError as error:
        raise fail([Problem("--out", f"cannot write {out}: {error.strerror}")]) from None
    _err.print(f"plan written to {out}", markup=False)
