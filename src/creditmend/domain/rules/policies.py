"""Dated policies: one-off rules from a regulator, as records whose conditions are data.

A profile lists its dated policies (`JurisdictionProfile.dated_policies`); retention applies
them beside the statutory period (`creditfile/retention.py`). A later policy is one more record
in the profile, never a code branch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from creditmend.domain.calendar import add_months, month_end


class FactKind(StrEnum):
    OVERDUE = "overdue"  # one delinquency episode of one account
    CHARGE_OFF = "charge_off"  # an episode that reached bad debt (呆账)
    PUBLIC_RECORD = "public_record"
    BLACKLIST = "blacklist"


class PolicyEffect(StrEnum):
    HIDE_OVERDUE = "hide_overdue"  # status shown as normal, overdue amount 0: not displayed


@dataclass(frozen=True, slots=True)
class HidingStep:
    """When a qualifying fact stops being shown, for repayments between two days (inclusive).

    Either a fixed first hidden day, or `by_end_of_month_after` months: the fact is hidden on
    the last day of that month after the repayment month (1 = "by the end of the following
    month": repaid 2026-02-15 -> hidden by 2026-03-31, so a report as of that day omits it).
    """

    repaid_from: date | None
    repaid_to: date
    hidden_from: date | None = None
    by_end_of_month_after: int | None = None

    def hides_from(self, repaid_on: date) -> date | None:
        if repaid_on > self.repaid_to or (self.repaid_from and repaid_on < self.repaid_from):
            return None
        if self.hidden_from is not None:
            return self.hidden_from
        if self.by_end_of_month_after is not None:
            return month_end(add_months(repaid_on.replace(day=1), self.by_end_of_month_after))
        return None


@dataclass(frozen=True, slots=True)
class DatedPolicy:
    """A dated, one-off rule from a regulator, with its conditions as data.

    A fact qualifies when its kind is one of `kinds`, it started within
    `started_from..started_to`, its amount is known and at most `max_amount`, and it was fully
    repaid by `repaid_by`; `hiding` then says from when it is not shown.
    """

    id: str
    name: str
    source: str
    announced_on: date
    effect: PolicyEffect
    kinds: frozenset[FactKind]
    started_from: date
    started_to: date
    max_amount: Decimal
    repaid_by: date
    hiding: tuple[HidingStep, ...]
    other_sources: tuple[str, ...] = ()
