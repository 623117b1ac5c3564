"""A revolving account (Huabei, Baitiao, a card) as the bureau knows it, rebuilt as a loan file.

Each month a furnisher reports a revolving account's credit limit, the balance of the month's
statement, its minimum due (`scheduled_amount`), what was paid, what is past due, the days past
due and the last payment day. No contract, no purchases. The rebuild is a revolving contract on
the profile's defaults (`RevolvingDefaults`) plus events chosen so that its ledger shows what was
furnished, and every assumption is stated in the notes:

- **Due day.** The first month furnished overdue dates the oldest unpaid minimum: the month's
  end less its days past due is that due day (a due day is that day of month). With no overdue
  month, the day of month a current month was most often paid on (the latest of equals: most
  pay on or a little before the due day); with no payment either, the day of month the account
  was opened. Then every month is current, as furnished, whatever the true due day.
- **Statement day.** The due day less the profile's usual gap (`statement_to_due_days`, 9 for
  cn: Huabei's 1st and 10th), into the previous month when that is before the 1st (at most 28).
- **Minimum rate.** The smallest share of the balance a furnished minimum asks (rounded to the
  percent; a statement without interest asks exactly the rate), else the profile's.
- **Purchases.** Before each month's statement day, the purchase that makes the statement's
  balance what was furnished: the statement the ledger would cut without it, then the difference
  bought the day before (so it adds no interest before the due day), never beyond the credit
  left. A furnished balance below what the ledger would bill (by more than a few fen of
  rounding) is kept as the ledger's and named in the notes.
- **Payments.** Each month's paid amount on its last payment day when that falls in the month
  (the bureau holds no other day: several payments in a month are made that day),
  else on the due day in the month. A month reported current is paid at least what keeps the
  rebuilt account current (the arrears and what is left of the month's minimum: the assumed
  terms may ask a few fen more than the lender's; more than 1.00 more is named in the notes).
  A month reported overdue, paid after its statement, is paid what leaves the furnished amount
  past due at its end: the assumed terms can bill other minimums (interest on purchases made
  before the day assumed), and the furnished payment would then cure a minimum the lender held
  overdue; more than 1.00 off the furnished payment is named in the notes.
  Its day is kept: a payment after the due day that cures the account within the month leaves
  the month end current, which is what the bureau reads (and a payment late in the month may be
  for the next month's due day). So the rebuilt account is as many days past due at each month
  end as furnished; when the inferred due day does not give that, the likeliest other days are
  tried (those payments were made on first) and the first that does is kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from creditmend.domain.calendar import BusinessCalendar, WeekdayCalendar, add_months, month_end
from creditmend.domain.creditfile.grid import MonthFacts
from creditmend.domain.i18n import N_, Said
from creditmend.domain.loan.delinquency import days_past_due
from creditmend.domain.loan.document import read_loan
from creditmend.domain.loan.fold import new_ledger, run
from creditmend.domain.loan.ledger import Ledger, LedgerError
from creditmend.domain.loan.revolving import RevolvingLedger
from creditmend.domain.money import ACCRUAL_CONTEXT
from creditmend.domain.report.file import AccountFacts
from creditmend.domain.rules.profile import JurisdictionProfile

_ZERO = Decimal(0)
_FEN = Decimal("0.01")
LAST_STATEMENT_DAY = 28  # a rebuilt statement day every month has
# Interest is rounded when a payment or a statement meets it, so payments on other days than the
# lender's can bill a few fen more: not worth a note.
ROUNDING_NOISE = Decimal("0.10")


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
    if not paid_days:
        return account.opened_on.day
    counted = Counter(paid_days)
    return max(counted, key=lambda day: (counted[day], day))


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
    """The loan document of a revolving account and the notes on what could not be matched:
    the due day inferred, or else the first other day whose rebuilt account is as many days past
    due at every month end as furnished (the likeliest first: days payments were made on)."""
    assert account.credit_limit is not None and profile.revolving is not None
    months = {p: f for p, f in sorted(account.months.items()) if p <= as_of}
    first = inferred_due_day(account, months)
    paid = Counter(
        row.last_payment_on.day for row in account.history if row.last_payment_on is not None
    )
    others = sorted(range(1, LAST_STATEMENT_DAY + 1), key=lambda d: (-paid[d], abs(d - first)))
    tried: tuple[dict[str, Any], tuple[str, ...]] | None = None
    for due_day in dict.fromkeys([first, *others]):
        document, notes = _rebuilt(account, platform, loan_id, as_of, profile, months, due_day)
        if tried is None:
            tried = (document, notes)
        if _as_furnished(document, months, as_of, profile):
            return document, notes
    assert tried is not None
    document, notes = tried
    return document, (
        *notes,
        Said(
            N_(
                "%(loan)s: no due day makes the rebuilt account overdue exactly as furnished; "
                "the %(day)sth is assumed"
            ),
            loan=loan_id,
            day=document["contract"]["due_day"],
        ),
    )


def _as_furnished(
    document: dict[str, Any],
    months: Mapping[date, MonthFacts],
    as_of: date,
    profile: JurisdictionProfile,
) -> bool:
    """Whether the rebuilt account is as many days past due at every month end as furnished."""
    contract, events = read_loan(document, profile)
    ledger = new_ledger(contract, profile, _CALENDAR)
    pending = sorted(events, key=lambda e: e.on)
    with localcontext(ACCRUAL_CONTEXT):
        for period, facts in months.items():
            end = min(month_end(period), as_of)
            try:
                while pending and pending[0].on <= end:
                    ledger.apply(pending.pop(0))
                ledger.advance_to(end)
            except LedgerError:
                return False
            if days_past_due(ledger.dues, end) != facts.days_past_due:
                return False
    return True


def _rebuilt(
    account: AccountFacts,
    platform: str,
    loan_id: str,
    as_of: date,
    profile: JurisdictionProfile,
    months: Mapping[date, MonthFacts],
    due_day: int,
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The loan document for an assumed due day."""
    assert account.credit_limit is not None and profile.revolving is not None
    balances = {p: account.balances.get(p, _ZERO) for p in months}
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
        cut = _statement_day_in(period, statement_day)
        steps = [(cut, 1, "statement")]
        if facts.paid_amount > 0:
            due_on = add_months(period, 0, due_day)
            paid_on = last_paid.get(period)
            if paid_on is None or (paid_on.year, paid_on.month) != (period.year, period.month):
                paid_on = due_on
            current = facts.days_past_due == 0 and facts.past_due_amount == 0
            paid_on = max(min(paid_on, as_of), account.opened_on)
            # A payment on the statement day counts towards the new statement: after the cut.
            steps.append((paid_on, 2, "payment"))
        for day, _, step in sorted(steps):
            if step == "payment":
                amount = facts.paid_amount
                if current:
                    amount = _keeping_current(document, day, due_on, amount, profile)
                    if amount - facts.paid_amount > 1:
                        notes.append(
                            Said(
                                N_(
                                    "%(loan)s: %(month)s was reported current; under the "
                                    "assumed terms that takes %(takes)s, not the %(paid)s "
                                    "furnished"
                                ),
                                loan=loan_id,
                                month=f"{period:%Y-%m}",
                                takes=_money(amount),
                                paid=_money(facts.paid_amount),
                            )
                        )
                elif facts.days_past_due > 0 and cut <= day:
                    end = min(month_end(period), as_of)
                    amount = _leaving_overdue(document, end, facts.past_due_amount, profile)
                    if abs(amount - facts.paid_amount) > 1:
                        notes.append(
                            Said(
                                N_(
                                    "%(loan)s: %(month)s was reported %(past_due)s past due; "
                                    "under the assumed terms that takes a payment of "
                                    "%(takes)s, not the %(paid)s furnished"
                                ),
                                loan=loan_id,
                                month=f"{period:%Y-%m}",
                                past_due=_money(facts.past_due_amount),
                                takes=_money(amount),
                                paid=_money(facts.paid_amount),
                            )
                        )
                events.append({"on": day.isoformat(), "type": "payment", "amount": _money(amount)})
            elif day <= as_of and day > account.opened_on:
                notes.extend(_buy_statement(document, day, balances[period], loan_id, profile))
        if facts.status.value == "charged_off" and not any(
            e["type"] == "charge_off" for e in events
        ):
            events.append({"on": min(month_end(period), as_of).isoformat(), "type": "charge_off"})
    events.sort(key=lambda e: str(e["on"]))
    return document, tuple(notes)


def _buy_statement(
    document: dict[str, Any],
    cut: date,
    wanted: Decimal,
    loan_id: str,
    profile: JurisdictionProfile,
) -> list[str]:
    """The purchase, the day before `cut`, that makes the statement cut then bill `wanted`
    (never beyond the credit left: a balance can exceed the limit by its interest)."""
    ledger = _fold(document, cut, profile)
    assert isinstance(ledger, RevolvingLedger)
    latest = ledger.statements[-1] if ledger.statements else None
    billed = latest.balance if latest is not None and latest.statement_on == cut else _ZERO
    used = ledger.performing + sum((d.principal_out for d in ledger.dues), _ZERO)
    buy = min(wanted - billed, ledger.limit - used)
    if buy > 0:
        on = max(cut - timedelta(days=1), ledger.contract.disbursed_on)
        document["events"].append({"on": on.isoformat(), "type": "purchase", "amount": _money(buy)})
    if abs(wanted - billed - max(buy, _ZERO)) <= ROUNDING_NOISE:
        return []
    return [
        Said(
            N_(
                "%(loan)s: the statement of %(on)s bills %(bills)s under the assumed terms, the "
                "lender furnished %(furnished)s"
            ),
            loan=loan_id,
            on=cut,
            bills=_money(billed + max(buy, _ZERO)),
            furnished=_money(wanted),
        )
    ]


def _keeping_current(
    document: dict[str, Any],
    day: date,
    due_on: date,
    paid: Decimal,
    profile: JurisdictionProfile,
) -> Decimal:
    """A month the lender reported current pays at least what keeps the rebuilt account
    current: the arrears and what is left of the minimum due in the month, unless it falls due
    on the month's last day, when it is not yet overdue at the month end the bureau reads (the
    assumed terms can ask a few fen more than the lender's did)."""
    ledger = _fold(document, day, profile)
    assert isinstance(ledger, RevolvingLedger)
    due = [s for s in ledger.statements if s.due_on.replace(day=1) == due_on.replace(day=1)]
    left = max(due[-1].minimum - due[-1].paid, _ZERO) if due and not due[-1].posted else _ZERO
    if due_on >= month_end(due_on):  # due on the month's last day: not yet overdue at its end
        left = _ZERO
    return max(paid, ledger.amount_due() + left)


def _leaving_overdue(
    document: dict[str, Any], end: date, past_due: Decimal, profile: JurisdictionProfile
) -> Decimal:
    """A month the lender reported overdue pays what leaves the furnished amount past due at
    its end: the assumed terms can split a statement into interest and principal otherwise than
    the lender's (interest on purchases made before the day the rebuild assumes), so the
    minimums differ by a few fen or yuan, and the furnished payment could cure a minimum the
    lender still held overdue (or leave one the lender held paid)."""
    ledger = _fold(document, end, profile)
    return max(ledger.amount_due() - past_due, _ZERO)


def revolving_note(profile: JurisdictionProfile) -> str:
    """What a rebuilt revolving account assumes, in a counsellor's words."""
    assert profile.revolving is not None
    defaults = profile.revolving
    return Said(
        N_(
            "Revolving accounts are rebuilt from their statements: the due day from the first "
            "month furnished overdue (its end less the days past due) or the latest day a "
            "current month was paid, the statement day %(days)s days before it, the minimum "
            "rate from the smallest share of a balance a minimum asked, a purchase before each "
            "statement day that makes the statement's balance the one furnished, each month's "
            "payment on its last payment day; interest %(daily)s %% a day and a conversion fee "
            "of %(fee)s %% a period, the usual terms. Correct them in a plan file if your "
            "agreement says otherwise."
        ),
        days=defaults.statement_to_due_days.value,
        daily=defaults.daily_rate.value * 100,
        fee=defaults.conversion_fee_rate.value * 100,
    )
