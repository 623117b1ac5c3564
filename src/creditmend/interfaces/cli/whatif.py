"""`creditmend score what-if`: the score now and after a change the borrower is weighing.

`--json` prints exactly `{"before": {"score", "band"}, "after": {"score", "band"}, "change",
"reasons_before", "reasons_after"}` (reasons as plain words, the largest loss first); the table
also says the day the new score is for and which reasons go or come.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from creditmend import bootstrap
from creditmend.domain.i18n import told
from creditmend.domain.money import Money, MoneyError
from creditmend.domain.problems import Problem
from creditmend.domain.scoring.whatif import Change, Inquiries, MonthsOnTime, NewLoan, PayOff
from creditmend.interfaces.cli import clock, language
from creditmend.interfaces.cli.bureau import AsOfOption, DbOption, JsonOption, past_day
from creditmend.interfaces.cli.errors import fail, input_errors
from creditmend.interfaces.cli.inquiry import IdNumberArgument, IdTypeArgument
from creditmend.interfaces.cli.language import _
from creditmend.interfaces.cli.terminal import json_text

_out = Console(highlight=False, soft_wrap=True)


def _change(
    pay_off: str | None,
    new_loan: str | None,
    term: int,
    months: int | None,
    inquiries: int | None,
    inquiry_kind: str,
) -> Change:
    given = [option for option in (pay_off, new_loan, months, inquiries) if option is not None]
    if len(given) != 1:
        raise fail(
            [
                Problem(
                    "--pay-off",
                    "give exactly one of --pay-off, --new-loan, --months-on-time, --inquiries",
                )
            ]
        )
    if inquiries is not None:
        return Inquiries(inquiries, inquiry_kind)
    if pay_off is not None:
        return PayOff(pay_off)
    if new_loan is not None:
        try:
            return NewLoan(
                Money.of(new_loan, bootstrap.rules().currency, field="what_if.new_loan").amount,
                term,
            )
        except MoneyError as error:
            raise fail([error.problem()]) from None
    assert months is not None
    return MonthsOnTime(months)


def what_if(
    id_type: IdTypeArgument,
    id_number: IdNumberArgument,
    pay_off: Annotated[
        str | None, typer.Option(help="Settle this account (ACCOUNT_ID or FURNISHER:ACCOUNT_ID)")
    ] = None,
    new_loan: Annotated[str | None, typer.Option(help="Take a new loan of this amount")] = None,
    term: Annotated[int, typer.Option(min=1, max=600, help="Its term in months")] = 12,
    months_on_time: Annotated[
        int | None, typer.Option(min=1, max=120, help="Pay every open account on time N months")
    ] = None,
    inquiries: Annotated[
        int | None,
        typer.Option(min=1, max=100, help="Apply to N new lenders today: N hard inquiries"),
    ] = None,
    inquiry_kind: Annotated[
        str, typer.Option(help="Their kind: non_bank (online lenders) or bank")
    ] = "non_bank",
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """How the score would change: after paying an account off, taking a new loan, paying on
    time for some months, or applying to N lenders; and which reasons would go or come."""
    change = _change(pay_off, new_loan, term, months_on_time, inquiries, inquiry_kind)
    day = past_day(as_of)
    with input_errors():
        result = bootstrap.build_bureau(db).inquire.what_if(
            id_type, id_number, day, change, clock.now()
        )
    data = {
        "before": {"score": result.before.score, "band": result.before.band},
        "after": {"score": result.after.score, "band": result.after.band},
        "change": result.after.score - result.before.score,
        "reasons_before": [text for _, text in result.before.reasons],
        "reasons_after": [text for _, text in result.after.reasons],
    }
    if as_json:
        print(json_text(data))
        return
    lang = language.current()
    table = Table(title=_("What if"), show_header=False)
    table.add_column("")
    table.add_column("")
    table.add_row(_("score now"), f"{result.before.score} ({result.before.band})")
    table.add_row(
        _("score on %(day)s") % {"day": result.as_of},
        f"{result.after.score} ({result.after.band})",
    )
    table.add_row(_("change"), f"{data['change']:+d}")
    for text in result.reasons_gone:  # the scorecard's words, as text (no markup)
        table.add_row(_("no longer a reason"), Text(told(text, _, lang)))
    for text in result.reasons_new:
        table.add_row(_("a new reason"), Text(told(text, _, lang)))
    _out.print(table)
