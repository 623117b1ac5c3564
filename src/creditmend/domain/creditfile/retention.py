"""Retention: when a negative fact stops being shown, by law and by dated policies.

征信业管理条例 (State Council Order 631, 2013) Art. 16: negative information is kept for 5 years
from the day the bad behaviour or event *ends* (自不良行为或者事件终止之日起), then deleted from
what is shown. So the clock starts when an overdue is cured or the debt settled, and an overdue
that is never cured never expires. The profile supplies the number of years (`RetentionRules`).

Dated policies are rule records, not code branches: the PBOC one-off credit repair announced
2025-12-22 (`rules/cn.py` `CN_CREDIT_REPAIR_2025`) is a `DatedPolicy` whose conditions are data,
and a later policy is one more record in the profile's `dated_policies`. A policy is ignored
when replaying a day before its announcement, so a past report is rebuilt as the bureau would
have produced it then.

Hiding is not deleting: `apply_retention` only decides what a report may show as of a day and
when each shown fact will stop being shown (the report's expiry timeline); the store keeps what
is hidden in its audit archive.

Dates: `visible_until` is the first day a fact is no longer shown. Adding years keeps the day
of month and clamps to the month's end, so 2020-02-29 + 5 years = 2025-02-28.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from creditmend.domain.calendar import add_months, month_end
from creditmend.domain.creditfile.furnishing import PAID_OFF, AccountStatus
from creditmend.domain.creditfile.records import BlacklistEntry, PublicRecord, PublicRecordStatus
from creditmend.domain.i18n import N_, Said
from creditmend.domain.rules.policies import DatedPolicy, FactKind
from creditmend.domain.rules.profile import JurisdictionProfile


@dataclass(frozen=True, slots=True)
class NegativeFact:
    """Something negative that can expire, as known on the day retention runs.

    `ended_on` is the day the bad behaviour ended (overdue cured, debt settled, judgment
    performed), None while it continues. `amount` is the largest single overdue amount of the
    episode (what the credit repair policy limits). `expires_on` is a blacklist entry's own
    expiry; other kinds leave it empty.
    """

    kind: FactKind
    key: str
    started_on: date
    ended_on: date | None
    amount: Decimal | None = None
    fully_repaid_on: date | None = None
    expires_on: date | None = None


@dataclass(frozen=True, slots=True)
class RetentionRules:
    """A profile's retention periods, each with its source."""

    years: int
    source: str
    blacklist_default_years: int
    blacklist_source: str


def retention_rules(profile: JurisdictionProfile) -> RetentionRules:
    """The retention rules of a profile. A blacklist entry without its own expiry is kept the
    profile's retention years from its listing: the lists carry no end of behaviour, and Art. 16
    would otherwise keep them for ever (an assumption, stated as the source)."""
    years = int(profile.retention_years.value)
    default = f"assumption: {profile.code} retention ({years} years) counted from the listing day"
    return RetentionRules(years, profile.retention_years.source, years, default)


def _add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)  # clamps 29 February to the 28th


def visible_until(fact: NegativeFact, rules: RetentionRules) -> date | None:
    """The first day the fact is no longer shown by the profile's retention; None: not until
    the bad behaviour ends (Art. 16). Blacklist entries end at their own expiry, else at the
    profile's default after listing; everything else `rules.years` after it ended."""
    if fact.kind is FactKind.BLACKLIST:
        if fact.expires_on is not None:
            return fact.expires_on
        return _add_years(fact.started_on, rules.blacklist_default_years)
    if fact.ended_on is None:
        return None
    return _add_years(fact.ended_on, rules.years)


class Rule(StrEnum):
    """Which rule ends (or will end) the showing of a fact: counted by kind, never by text."""

    RETENTION = "retention"
    BLACKLIST = "blacklist"
    POLICY = "policy"


def _retention_reason(fact: NegativeFact, rules: RetentionRules) -> tuple[Rule, str]:
    """The rule that ends the fact's showing, in words (`Said`: English in the JSON, the
    reader's language in a report's rendering)."""
    if fact.kind is FactKind.BLACKLIST:
        if fact.expires_on is not None:
            return Rule.BLACKLIST, Said(N_("blacklist: expires on %(on)s"), on=fact.expires_on)
        return Rule.BLACKLIST, Said(
            N_("blacklist: %(years)s years after %(on)s"),
            years=rules.blacklist_default_years,
            on=fact.started_on,
        )
    if fact.ended_on is None:
        return Rule.RETENTION, Said(N_("retention: not until cured"))
    return Rule.RETENTION, Said(
        N_("retention: %(years)s years after %(on)s"), years=rules.years, on=fact.ended_on
    )


def qualifies(policy: DatedPolicy, fact: NegativeFact) -> bool:
    """Whether the fact meets every condition of the policy (repayment included)."""
    repaid = fact.fully_repaid_on
    return (
        fact.kind in policy.kinds
        and policy.started_from <= fact.started_on <= policy.started_to
        and fact.amount is not None
        and fact.amount <= policy.max_amount
        and repaid is not None
        and repaid <= policy.repaid_by
    )


def policy_hidden_from(policy: DatedPolicy, fact: NegativeFact, as_of: date) -> date | None:
    """The first day the policy hides the fact; None when it does not apply, including on any
    day before the policy was announced (a replayed past day knows nothing of it)."""
    if as_of < policy.announced_on or not qualifies(policy, fact) or fact.fully_repaid_on is None:
        return None
    for step in policy.hiding:
        day = step.hides_from(fact.fully_repaid_on)
        if day is not None:
            return day
    return None


@dataclass(frozen=True, slots=True)
class Decision:
    """What retention decides for one fact as of a day.

    `visible_until` is the first day the fact is not shown (None: not until cured);
    `hidden_from` is that day when it has come (`shown` is False), else None. `reason` says
    in words what ends (or will end) the showing; `rule` is which kind of rule that is.
    """

    fact_key: str
    shown: bool
    hidden_from: date | None
    reason: str
    visible_until: date | None
    rule: Rule


def decide(
    fact: NegativeFact,
    as_of: date,
    policies: Iterable[DatedPolicy],
    rules: RetentionRules,
) -> Decision:
    """The decision for one fact: the earliest of retention and every applicable policy."""
    retention_day = visible_until(fact, rules)
    own_rule, own_reason = _retention_reason(fact, rules)
    candidates: list[tuple[date, Rule, str]] = []
    if retention_day is not None:
        candidates.append((retention_day, own_rule, own_reason))
    for policy in policies:
        day = policy_hidden_from(policy, fact, as_of)
        if day is not None:
            candidates.append((day, Rule.POLICY, Said(N_("policy: %(name)s"), name=policy.name)))
    if not candidates:
        return Decision(fact.key, True, None, own_reason, None, own_rule)
    until, rule, reason = min(candidates, key=lambda candidate: candidate[0])  # first wins a tie
    shown = as_of < until
    return Decision(fact.key, shown, None if shown else until, reason, until, rule)


def apply_retention(
    facts: Iterable[NegativeFact],
    as_of: date,
    policies: Iterable[DatedPolicy],
    rules: RetentionRules,
) -> tuple[Decision, ...]:
    """One decision per fact, in the facts' order: what is hidden as of `as_of`, and when each
    fact still shown will stop being shown (the report's record expiry timeline)."""
    chosen = tuple(policies)
    return tuple(decide(fact, as_of, chosen, rules) for fact in facts)


@dataclass(frozen=True, slots=True)
class Archived:
    """A fact a retention run hid: the operator's archive keeps it, reports no longer show it."""

    fact_key: str
    person: int
    kind: str
    hidden_from: date
    reason: str
    decided_on: date


class MonthRow(NamedTuple):
    """What episode detection needs from one furnished month of one account."""

    period: date
    days_past_due: int
    past_due_amount: Decimal
    status: str
    last_payment_on: date | None
    closed_on: date | None


MonthTuple = tuple[date, int, Decimal, str, date | None, date | None]


def _overdue_began(row: MonthRow) -> date:
    """The first overdue day: days past due are counted at the period's end, day 1 included."""
    return month_end(row.period) - timedelta(days=max(row.days_past_due, 1) - 1)


def overdue_episodes(
    months: Iterable[MonthTuple | MonthRow], account_key: str = ""
) -> tuple[NegativeFact, ...]:
    """The delinquency episodes of one account, oldest first.

    An episode starts at the first month with days past due (its `started_on` is the first
    overdue day, counted back from the days past due at period end) and ends at the first
    later month that shows none (cured: on that month's `last_payment_on`, or its first day if
    the payment day is unknown or before that month: the previous month end still showed the
    overdue, so an older payment did not cure it; a restructure cures without one) or when the
    account is settled or closed (`closed_on`). A charged-off account's episode is a
    `charge_off` fact and ends only when the account is settled or closed: the debt is still
    owed (Art. 16). A transferred
    account's open episode does not end either: the debt moved, it was not paid. `amount` is
    the largest past-due amount seen in the episode. Keys are `{account_key}#{YYYY-MM}` of the
    month the episode was first seen.
    """
    rows = sorted((MonthRow(*month) for month in months), key=lambda row: row.period)
    episodes: list[NegativeFact] = []
    start: MonthRow | None = None
    began = date.min
    largest = Decimal(0)
    charged_off = False

    def close(ended_on: date | None, repaid: bool = True) -> None:
        assert start is not None
        kind = FactKind.CHARGE_OFF if charged_off else FactKind.OVERDUE
        key = f"{account_key}#{start.period:%Y-%m}"
        episodes.append(
            NegativeFact(kind, key, began, ended_on, largest, ended_on if repaid else None)
        )

    for row in rows:
        status = AccountStatus(row.status)
        bad = row.days_past_due > 0 or status is AccountStatus.CHARGED_OFF
        if start is None:
            if bad:
                start, began = row, _overdue_began(row)
                largest, charged_off = row.past_due_amount, status is AccountStatus.CHARGED_OFF
            continue
        if status in PAID_OFF:
            close(row.closed_on or row.period)
            start = None
            continue
        charged_off = charged_off or status is AccountStatus.CHARGED_OFF
        if bad or charged_off or status is AccountStatus.TRANSFERRED:
            largest = max(largest, row.past_due_amount)
            continue
        paid = row.last_payment_on
        # A restructure ends the overdue without repaying it: the clock of Art. 16 starts, but
        # a policy that asks for full repayment (the 2025 credit repair) does not apply.
        close(
            paid if paid is not None and paid >= row.period else row.period,
            repaid=status is not AccountStatus.RESTRUCTURED,
        )
        start = None
    if start is not None:
        close(None)
    return tuple(episodes)


def public_record_fact(record: PublicRecord, key: str) -> NegativeFact:
    """A court record as a fact: it ends when performed or revoked (Art. 16's clock starts)."""
    repaid = record.ended_on if record.status is PublicRecordStatus.PERFORMED else None
    return NegativeFact(
        FactKind.PUBLIC_RECORD, key, record.filed_on, record.ended_on, record.amount, repaid
    )


def blacklist_fact(entry: BlacklistEntry, key: str) -> NegativeFact:
    """A blacklist hit as a fact: it lasts until the list's own expiry or the default."""
    return NegativeFact(FactKind.BLACKLIST, key, entry.listed_on, None, expires_on=entry.expires_on)
