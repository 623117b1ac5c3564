"""A person's open loans as the bureau knows them, rebuilt as loan files for the advisor.

The bureau holds what lenders furnish each month: principal, term, the amount scheduled, paid
and past due, the last payment day. It holds no contract, so the loan file is a reconstruction,
and every assumption is stated in the notes that come with it:
- instalments that fall by the same step each month are equal principal, at the rate that step
  implies; otherwise equal instalments, at the rate whose instalment for this principal and term
  equals the amount most often scheduled (solved by bisection, to 4 places);
- each month's payment is made on its last payment day when that falls in the month, else on
  the instalment's due day; a month the lender reported current is paid no later than its due
  day (the lender's grace or holiday rule made it on time), and what the assumed terms leave
  unpaid of its posted interest, penalty and fees is waived, as the lender's books show nothing
  past due;
- penalty interest follows the profile's usual terms (the contract rate x the profile's
  multiplier on the overdue principal, compounded), since no contract says otherwise.

Revolving accounts (a credit limit, no term) are rebuilt from their furnished statements by
`from_bureau_revolving` (its docstring lists what it assumes); accounts without a term or a
limit have nothing to rebuild and are named in the notes and left out. The same loan
documents then go through `read_plan` like a file the borrower wrote, so the rest of the
advisor cannot tell them apart.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from creditmend.domain.calendar import add_months, month_end
from creditmend.domain.i18n import N_, Said
from creditmend.domain.problems import ProblemsError
from creditmend.domain.recovery.from_bureau_revolving import revolving_loan, revolving_note
from creditmend.domain.report.file import AccountFacts, FurnisherFacts
from creditmend.domain.rules.profile import JurisdictionProfile

ENDED = frozenset({"settled", "closed", "transferred"})
RATE_PLACES = Decimal("0.0001")
STEP_NOISE = Decimal("0.02")  # instalments rounded to the fen wobble by a fen or two
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Rebuilt:
    """Loan documents (each a loan file's `contract` and `events`) and what they assume."""

    loans: tuple[dict[str, Any], ...]
    notes: tuple[str, ...]


def instalment(principal: Decimal, monthly_rate: Decimal, months: int) -> Decimal:
    """The equal instalment (等额本息) for a principal, a monthly rate and a term."""
    if monthly_rate == 0:
        return principal / months
    growth = (1 + monthly_rate) ** months
    return principal * monthly_rate * growth / (growth - 1)


def implied_annual_rate(principal: Decimal, payment: Decimal, months: int) -> Decimal:
    """The annual rate (12 x monthly) whose equal instalment is `payment`; 0 when the payment
    repays no more than the principal. Bisection: the instalment grows with the rate."""
    if payment * months <= principal:
        return _ZERO
    low, high = Decimal(0), Decimal(1)  # a monthly rate of 100 % bounds any real loan
    for _ in range(80):
        middle = (low + high) / 2
        if instalment(principal, middle, months) < payment:
            low = middle
        else:
            high = middle
    return (low * 12).quantize(RATE_PLACES, ROUND_HALF_UP)


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), ROUND_HALF_UP))


def implied_terms(
    principal: Decimal, months: int, scheduled: Sequence[Decimal]
) -> tuple[str, Decimal]:
    """The method and annual rate the furnished instalments imply. Instalments falling by the
    same step each month are equal principal (等额本金): the step is a month's interest on one
    month's principal, so rate = step x 12 x term / principal. Otherwise equal instalments, at
    the rate whose instalment is the amount most often scheduled."""
    steps = [a - b for a, b in itertools.pairwise(scheduled)]
    if len(steps) >= 2 and all(s > 0 for s in steps) and max(steps) - min(steps) <= STEP_NOISE:
        step = sum(steps, _ZERO) / len(steps)
        rate = (step * 12 * months / principal).quantize(RATE_PLACES, ROUND_HALF_UP)
        return "equal_principal", rate
    counted = Counter(scheduled)
    payment = counted.most_common(1)[0][0] if counted else principal / months
    return "equal_installment", implied_annual_rate(principal, payment, months)


def loan_id_of(account: AccountFacts) -> str:
    """A rebuilt loan's id: the lender's code and account number (two lenders may use the
    same account number for one person)."""
    return f"{account.furnisher}:{account.account_id}"


def _loan(
    account: AccountFacts, platform: str, as_of: date, profile: JurisdictionProfile
) -> dict[str, Any]:
    assert account.principal is not None and account.term_months is not None
    scheduled = [
        f.scheduled_amount for _, f in sorted(account.months.items()) if f.scheduled_amount > 0
    ]
    method, rate = implied_terms(account.principal, account.term_months, scheduled)
    last_paid = {row.period: row.last_payment_on for row in account.history}
    events: list[dict[str, Any]] = []
    for period, facts in sorted(account.months.items()):
        current = facts.days_past_due == 0 and facts.past_due_amount == 0
        if facts.paid_amount > 0:
            due_day = add_months(period, 0, account.opened_on.day)
            paid_on = last_paid.get(period)
            if paid_on is None or (paid_on.year, paid_on.month) != (period.year, period.month):
                paid_on = due_day
            if current:  # the lender counted it on time (a grace period, a holiday rule)
                paid_on = min(paid_on, due_day)
            paid_on = max(min(paid_on, as_of), account.opened_on)
            if current:  # the assumed penalty must not eat the payment that made it current
                events.append({"on": paid_on.isoformat(), "type": "waiver", "component": "penalty"})
            events.append(
                {"on": paid_on.isoformat(), "type": "payment", "amount": _money(facts.paid_amount)}
            )
            if current:
                # Nothing past due in the lender's books after this payment: whatever interest,
                # penalty or fees the assumed terms leave unpaid was not charged.
                events.append({"on": paid_on.isoformat(), "type": "waiver", "component": "all"})
        if facts.status.value == "charged_off" and not any(
            e["type"] == "charge_off" for e in events
        ):
            events.append({"on": min(month_end(period), as_of).isoformat(), "type": "charge_off"})
    return {
        "contract": {
            "id": loan_id_of(account),
            "platform": platform,
            "principal": _money(account.principal),
            "currency": account.currency,
            "annual_rate": str(rate),
            "term_months": account.term_months,
            "method": method,
            "disbursed_on": account.opened_on.isoformat(),
            "penalty": {
                "basis": "overdue_principal",
                "multiplier": str(profile.penalty_multiplier.value),
                "compound_interest": True,
            },
        },
        "events": events,
    }


def loans_from_file(
    accounts: Sequence[AccountFacts],
    furnishers: Mapping[str, FurnisherFacts],
    as_of: date,
    profile: JurisdictionProfile,
    currency: str | None = None,
) -> Rebuilt:
    """The open instalment loans of a credit file as loan documents, with the notes a counsellor
    would give the borrower about what was assumed and what was left out. Only loans in the
    plan's `currency` (default: the profile's) are planned; others are named in the notes."""
    loans: list[dict[str, Any]] = []
    notes: list[str] = [
        Said(
            N_(
                "The bureau holds no contracts: methods and rates are implied by the instalments "
                "furnished (equal principal when they fall by the same step, else equal "
                "instalments), penalty terms are the usual ones (%(multiplier)s x the rate on "
                "overdue principal, compounded). Correct them in a plan file if your contracts "
                "say otherwise."
            ),
            multiplier=profile.penalty_multiplier.value,
        )
    ]
    for account in accounts:
        months = {p: f for p, f in account.months.items() if p <= as_of}
        if not months:
            continue
        last = months[max(months)]
        name = f"{account.furnisher}:{account.account_id}"
        if last.status.value in ENDED:
            continue
        revolving = account.credit_limit is not None and account.term_months is None
        if not revolving and (account.principal is None or account.term_months is None):
            notes.append(Said(N_("%(name)s has no term: not planned here"), name=name))
            continue
        if revolving and profile.revolving is None:
            notes.append(
                Said(
                    N_("%(name)s is revolving: the %(profile)s profile has no revolving rules"),
                    name=name,
                    profile=profile.code,
                )
            )
            continue
        if account.currency != (currency or profile.currency):
            notes.append(
                Said(
                    N_("%(name)s is in %(currency)s: not planned with this plan's money"),
                    name=name,
                    currency=account.currency,
                )
            )
            continue
        if revolving:
            furnisher = furnishers.get(account.furnisher)
            platform = furnisher.name if furnisher else account.furnisher
            try:
                document, mismatches = revolving_loan(
                    account, platform, loan_id_of(account), as_of, profile
                )
            except ProblemsError as error:  # furnished figures no revolving ledger can show
                reason: str = (
                    error.problems[0].message if error.problems else Said(N_("inconsistent months"))
                )
                notes.append(
                    Said(
                        N_("%(name)s could not be rebuilt as a revolving account (%(reason)s)"),
                        name=name,
                        reason=reason,
                    )
                )
                continue
            loans.append(document)
            if not any(note == revolving_note(profile) for note in notes):
                notes.append(revolving_note(profile))
            notes.extend(mismatches)
            continue
        if last.status.value == "restructured":
            notes.append(
                Said(N_("%(name)s was restructured: simulated on its original terms"), name=name)
            )
        furnisher = furnishers.get(account.furnisher)
        platform = furnisher.name if furnisher else account.furnisher
        loans.append(_loan(account, platform, as_of, profile))
    if len(notes) == 1 and not loans:
        notes.append(Said(N_("no open loan in the file")))
    return Rebuilt(tuple(loans), tuple(notes))
