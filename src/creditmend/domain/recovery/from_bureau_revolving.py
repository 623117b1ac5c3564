"""A revolving account (Huabei, Baitiao, a card) as the bureau knows it, rebuilt as a loan file.

Each month a furnisher reports a revolving account's credit limit, the balance of the month's
statement, its minimum due (`scheduled_amount`), what was paid, what is past due, the days past
due and the last payment day. No contract, no purchases. The rebuild is a revolving contract on
the profile's defaults (`RevolvingDefaults`) plus events chosen so that its ledger shows what was
furnished, and every assumption is stated in the notes:

- **Due day.** The first month furnished overdue dates the oldest unpaid minimum: the month's
  end less its days past due is that due day (a due day is that day of month). With no overdue
  month, the latest day of month a current month was paid on (a current month is paid by its due
  day); with no payment either, the day of month the account was opened.
- **Statement day.** The due day less the profile's usual gap (`statement_to_due_days`, 9 for
  cn: Huabei's 1st and 10th), into the previous month when that is before the 1st (at most 28).
- **Minimum rate.** The smallest share of the balance a furnished minimum asks (rounded to the
  percent; a statement without interest asks exactly the rate), else the profile's.
- **Purchases.** Before each month's statement day, the purchase that makes the statement's
  balance what was furnished: the statement the ledger would cut without it, then the difference
  bought the day before (so it adds no interest before the due day). A furnished balance below
  what the ledger would bill is kept as the ledger's and named in the notes.
- **Payments.** Each month's paid amount on its last payment day when that falls in the month,
  else on the due day in the month; a month reported current is paid no later than that due day
  (the lender counted it on time). So the rebuilt account is overdue exactly when the payments
  furnished fall short of the minimum the ledger asks, which is where the bureau says it is when
  the minimums agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from creditmend.domain.calendar import BusinessCalendar, WeekdayCalendar, add_months, month_end
from creditmend.domain.creditfile.grid import MonthFacts
from creditmend.domain.loan.document import read_loan
from creditmend.domain.loan.fold import run
from creditmend.domain.loan.ledger import Ledger
from creditmend.domain.loan.revolving import RevolvingLedger
from creditmend.domain.report.file import AccountFacts
from creditmend.domain.rules.profile import JurisdictionProfile

_ZERO = Decimal(0)
_FEN = Decimal("0.01")
LAST_STATEMENT_DAY = 28  # a rebuilt statement day every month has


def _money(value: Decimal) -> str:
    return str(value.quantize(_FEN, ROUND_HALF_UP))


def inferred_due_day(account: AccountFacts, months: Mapping[date, MonthFacts]) -> int:
    """The due day the furnished months imply (module docstring)."""
    for period, facts in sorted(months.items()):
        if facts.days_past_due > 0:
            return (month_end(period) - timedelta(days=facts.days_past_due)).day
    paid_days = [
        row.last_payment_on.day
        for row in account.history
        if row.last_payment_on is not None
        and row.days_past_due == 0
        and row.period in months
        and (row.last_payment_on.year, row.last_payment_on.month)
        == (row.period.year, row.period.month)
    ]
    return max(paid_days) if paid_days else account.opened_on.day


def inferred_statement_day(due_day: int, profile: JurisdictionProfile) -> int:
    """The due day less the profile's usual gap, wrapped into the month before (1..28)."""
    assert profile.revolving is not None
    gap = int(profile.revolving.statement_to_due_days.value)
    day = due_day - gap
    if day < 1:
        day += 30
    return max(1, min(day, LAST_STATEMENT_DAY))


def inferred_minimum_rate(
    months: Mapping[date, MonthFacts], balances: Mapping[date, Decimal], default: Decimal
) -> Decimal:
    """The smallest share of a statement's balance its minimum asks, to the percent."""
    shares = [
        (f.scheduled_amount / balances[p]).quantize(_FEN, ROUND_HALF_UP)
        for p, f in months.items()
        if balances.get(p, _ZERO) > 0 and f.scheduled_amount > 0
    ]
    shares = [s for s in shares if _ZERO < s <= 1]
    return min(shares) if shares else default


def _statement_day_in(period: date, statement_day: int) -> date:
    return add_months(period, 0, statement_day)


def _fold(document: dict[str, Any], day: date, profile: JurisdictionProfile) -> Ledger:
    contract, events = read_loan(document, profile)
    return run(contract, events, day, profile, _CALENDAR)


_CALENDAR: BusinessCalendar = WeekdayCalendar()  # revolving dues do not roll over holidays


def revolving_loan(
    account: AccountFacts,
    platform: str,
    loan_id: str,
    as_of: date,
    profile: JurisdictionProfile,
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The loan document of a revolving account and the notes on what could not be matched."""
    assert account.credit_limit is not None and profile.revolving is not None
    months = {p: f for p, f in sorted(account.months.items()) if p <= as_of}
    balances = {p: account.balances.get(p, _ZERO) for p in months}
    due_day = inferred_due_day(account, months)
    statement_day = inferred_statement_day(due_day, profile)
    default_rate = Decimal(profile.revolving.minimum_rate.value)
    minimum_rate = inferred_minimum_rate(months, balances, default_rate)
    document: dict[str, Any] = {
        "contract": {
            "id": loan_id,
            "platform": platform,
            "method": "revolving",
            "currency": account.currency,
            "credit_limit": _money(account.credit_limit),
            "statement_day": statement_day,
            "due_day": due_day,
            "opened_on": account.opened_on.isoformat(),
            "minimum_rate": str(minimum_rate),
        },
        "events": [],
    }
    events: list[dict[str, Any]] = document["events"]
    last_paid = {row.period: row.last_payment_on for row in account.history}
    notes: list[str] = []
    for period, facts in months.items():
        # The month's payment first: one made before the statement day lowers what it bills.
        if facts.paid_amount > 0:
            due_on = add_months(period, 0, due_day)
            paid_on = last_paid.get(period)
            if paid_on is None or (paid_on.year, paid_on.month) != (period.year, period.month):
                paid_on = due_on
            if facts.days_past_due == 0 and facts.past_due_amount == 0:
                paid_on = min(paid_on, due_on)
            paid_on = max(min(paid_on, as_of), account.opened_on)
            events.append(
                {"on": paid_on.isoformat(), "type": "payment", "amount": _money(facts.paid_amount)}
            )
        cut = _statement_day_in(period, statement_day)
        if cut > as_of:
            cut = as_of  # the month's statement is not cut yet: nothing more to buy
        elif cut > account.opened_on:
            ledger = _fold(document, cut, profile)
            assert isinstance(ledger, RevolvingLedger)
            # What the statement cut on `cut` bills without a new purchase.
            billed = ledger.statements[-1].balance if ledger.statements else _ZERO
            if ledger.statements and ledger.statements[-1].statement_on != cut:
                billed = _ZERO
            wanted = balances[period]
            if wanted > billed:
                buy_on = max(cut - timedelta(days=1), account.opened_on)
                events.append(
                    {
                        "on": buy_on.isoformat(),
                        "type": "purchase",
                        "amount": _money(wanted - billed),
                    }
                )
            elif wanted < billed:
                notes.append(
                    f"{loan_id}: the statement of {cut} bills {_money(billed)} under the assumed "
                    f"terms, the lender furnished {_money(wanted)}"
                )
        if facts.status.value == "charged_off" and not any(
            e["type"] == "charge_off" for e in events
        ):
            events.append({"on": min(month_end(period), as_of).isoformat(), "type": "charge_off"})
    events.sort(key=lambda e: str(e["on"]))
    return document, tuple(notes)


def revolving_note(profile: JurisdictionProfile) -> str:
    """What a rebuilt revolving account assumes, in a counsellor's words."""
    assert profile.revolving is not None
    defaults = profile.revolving
    return (
        "Revolving accounts are rebuilt from their statements: the due day from the first month "
        "furnished overdue (its end less the days past due) or the latest day a current month "
        "was paid, the statement day "
        f"{defaults.statement_to_due_days.value} days before it, the minimum rate from the "
        "smallest share of a balance a minimum asked, a purchase before each statement day that "
        "makes the statement's balance the one furnished, each month's payment on its last "
        "payment day; interest "
        f"{defaults.daily_rate.value * 100} % a day and a conversion fee of "
        f"{defaults.conversion_fee_rate.value * 100} % a period, the usual terms. "
        "Correct them in a plan file if your agreement says otherwise."
    )
