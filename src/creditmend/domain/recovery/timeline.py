"""The expiry timeline: when each negative record stops being shown, and what paying sooner buys.

The article's third point: overdue records are kept for five years, counted from the day the
overdue ends. So the most useful date a counsellor can give is not "when am I debt-free" but
"when does this record go", and how much earlier it goes if the client finds the money sooner.

Every date here is the retention module's own decision (`retention.decide`: the profile's years
and the dated policies such as the PBOC one-off credit repair), on the records the exact
simulation derived from the month ends (`LoanOutcome.negative_records` and `.expiries`). How the
date moves is computed the same way: the record's showing is a function of the day its overdue
ends, so for each earlier month end the record is decided again as if it had been cured that
day (`fully_repaid_on` too: paying is a repayment, which the credit repair asks for). The extra
money that day is the month end's past-due amount under the plan: everything overdue then, with
penalty to that day, which a payment on that day clears (the allocation takes past due first).

Assumption, stated: the record's amount (the largest overdue amount of the run, which only the
dated policies read) is kept as the plan leaves it; paying sooner can only lower it, so a policy
that applies under the plan still applies. Records no longer shown on the plan's date are left
out; records that only arise later under the plan are in (the plan did not avoid them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, NamedTuple

from creditmend.domain.calendar import month_end
from creditmend.domain.creditfile.retention import (
    NegativeFact,
    RetentionRules,
    decide,
    retention_rules,
)
from creditmend.domain.money import ZERO, Money
from creditmend.domain.recovery.candidates import AccountRef, account_refs
from creditmend.domain.recovery.json_form import iso
from creditmend.domain.recovery.plan_input import PlanInput
from creditmend.domain.recovery.simulate import LoanOutcome, Outcome
from creditmend.domain.rules.policies import DatedPolicy
from creditmend.domain.rules.profile import JurisdictionProfile


class PaidBy(NamedTuple):
    """Cured on `on` (paying `extra` beyond the plan by then): shown until `expires_on`."""

    on: date
    extra: Money
    expires_on: date | None


@dataclass(frozen=True, slots=True)
class ExpiryRow:
    record: str  # account:FURNISHER:ACCOUNT_ID:YYYY-MM (the month the overdue began)
    loan_id: str
    platform: str
    kind: str  # overdue | charge_off
    overdue_from: date  # the first overdue day
    cured_on: date | None  # under the plan; None: not within the horizon
    expires_on: date | None  # the first day not shown; None: not until cured
    reason: str  # the rule that ends the showing, as retention words it
    shown_now: bool  # shown on the plan's date (False: the record only arises later)
    if_paid_by: tuple[PaidBy, ...]  # earlier month ends while it runs under the plan


def expiry_timeline(
    plan_input: PlanInput,
    outcome: Outcome,
    profile: JurisdictionProfile,
    *,
    refs: Mapping[str, AccountRef] | None = None,
) -> tuple[ExpiryRow, ...]:
    """Every negative record of the plan's loans still to expire as of the plan's date, the
    soonest first, under the profile's retention and dated policies (as `simulate` applied them)."""
    as_of = outcome.horizon.as_of
    rules = retention_rules(profile)
    chosen = account_refs(plan_input, refs)
    rows: list[ExpiryRow] = []
    for loan in outcome.loans:
        ref = chosen[loan.loan_id]
        for fact, decision in zip(loan.negative_records, loan.expiries, strict=True):
            until = decision.visible_until
            if until is not None and until <= as_of:
                continue
            month = fact.key.rsplit("#", 1)[1]
            rows.append(
                ExpiryRow(
                    record=ref.record(month),
                    loan_id=loan.loan_id,
                    platform=loan.platform,
                    kind=str(fact.kind),
                    overdue_from=fact.started_on,
                    cured_on=fact.ended_on,
                    expires_on=until,
                    reason=decision.reason,
                    shown_now=fact.started_on <= as_of,
                    if_paid_by=_sooner(fact, loan, as_of, profile.dated_policies, rules),
                )
            )
    return tuple(sorted(rows, key=lambda row: (row.expires_on or date.max, row.record)))


def expires_if_cured(
    fact: NegativeFact,
    cured_on: date,
    as_of: date,
    policies: Sequence[DatedPolicy],
    rules: RetentionRules,
) -> date | None:
    """The first day the record is not shown if its overdue ends (paid in full) on `cured_on`."""
    cured = replace(fact, ended_on=cured_on, fully_repaid_on=cured_on)
    return decide(cured, as_of, policies, rules).visible_until


def _sooner(
    fact: NegativeFact,
    loan: LoanOutcome,
    as_of: date,
    policies: Sequence[DatedPolicy],
    rules: RetentionRules,
) -> tuple[PaidBy, ...]:
    """The month ends of the horizon at which the record's overdue still runs under the plan."""
    ended = fact.ended_on
    if ended is not None and ended <= as_of:
        return ()
    found: list[PaidBy] = []
    for month in loan.months:
        end = month_end(date.fromisoformat(f"{month.month}-01"))
        if end < fact.started_on or end < as_of:
            continue
        if (ended is not None and end >= ended) or month.past_due.amount <= ZERO:
            break
        found.append(
            PaidBy(end, month.past_due, expires_if_cured(fact, end, as_of, policies, rules))
        )
    return tuple(found)


def timeline_json(rows: Sequence[ExpiryRow]) -> list[dict[str, Any]]:
    """The `expiry_timeline` key of the plan's JSON."""
    return [
        {
            "record": row.record,
            "loan_id": row.loan_id,
            "platform": row.platform,
            "kind": row.kind,
            "overdue_from": row.overdue_from.isoformat(),
            "cured_on": iso(row.cured_on),
            "expires_on": iso(row.expires_on),
            "reason": row.reason,
            "shown_now": row.shown_now,
            "if_paid_by": [
                {
                    "on": p.on.isoformat(),
                    "extra": str(p.extra.amount),
                    "expires_on": iso(p.expires_on),
                }
                for p in row.if_paid_by
            ],
        }
        for row in rows
    ]
