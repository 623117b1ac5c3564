"""Retention: when a negative fact stops being shown, by law and by dated policies.

征信业管理条例 (State Council Order 631, 2013) Art. 16: negative information is kept for 5 years
from the day the bad behaviour or event *ends* (自不良行为或者事件终止之日起), then deleted from
what is shown. So the clock starts when an overdue is cured or the debt settled, and an overdue
that is never cured never expires. The profile supplies the number of years (`RetentionRules`).

Dated policies are rule records, not code branches: the PBOC one-off credit repair announced
2025-12-22 (`CN_CREDIT_REPAIR_2025`) is a `DatedPolicy` whose conditions are data, and a later
policy is one more record in `CN_POLICIES`. A policy is ignored when replaying a day before its
announcement, so a past report is rebuilt as the bureau would have produced it then.

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
from creditmend.domain.rules.cn import CN
from creditmend.domain.rules.profile import JurisdictionProfile


class FactKind(StrEnum):
    OVERDUE = "overdue"  # one delinquency episode of one account
    CHARGE_OFF = "charge_off"  # an episode that reached bad debt (呆账)
    PUBLIC_RECORD = "public_record"
    BLACKLIST = "blacklist"


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


CN_RETENTION = retention_rules(CN)


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
    if fact.kind is FactKind.BLACKLIST:
        if fact.expires_on is not None:
            return Rule.BLACKLIST, f"blacklist: expires on {fact.expires_on}"
        return (
            Rule.BLACKLIST,
            f"blacklist: {rules.blacklist_default_years} years after {fact.started_on}",
        )
    if fact.ended_on is None:
        return Rule.RETENTION, "retention: not until cured"
    return Rule.RETENTION, f"retention: {rules.years} years after {fact.ended_on}"


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


CN_CREDIT_REPAIR_2025 = DatedPolicy(
    id="cn-pboc-credit-repair-2025",
    name="PBOC one-off credit repair 2025",
    source=(
        "PBOC, one-off personal credit relief policy, announced 2025-12-22 (official Q&A: "
        "nanjing.pbc.gov.cn/en/3688110/3688172/5552468/2025122615180023523/index.html)"
    ),
    announced_on=date(2025, 12, 22),
    effect=PolicyEffect.HIDE_OVERDUE,
    # "Personal credit-overdue records": a bad debt (呆账) is treated as outside the scope.
    kinds=frozenset({FactKind.OVERDUE}),
    started_from=date(2020, 1, 1),
    started_to=date(2025, 12, 31),
    # The single overdue amount, interest and penalty included (secondary source).
    max_amount=Decimal("10000.00"),
    repaid_by=date(2026, 3, 31),
    hiding=(
        # Repaid by 2025-11-30: not shown from 2026-01-01.
        HidingStep(None, date(2025, 11, 30), hidden_from=date(2026, 1, 1)),
        # Repaid 2025-12-01..2026-03-31: not shown by the end of the month after repayment.
        HidingStep(date(2025, 12, 1), date(2026, 3, 31), by_end_of_month_after=1),
    ),
    other_sources=(
        "en.people.cn/n3/2025/1222/c90000-20405124.html",
        "mip.maxlaw.cn/top/20251222/11590200996107.shtml (amount includes interest and penalty)",
    ),
)
CN_POLICIES: tuple[DatedPolicy, ...] = (CN_CREDIT_REPAIR_2025,)


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
    policies: Iterable[DatedPolicy] = CN_POLICIES,
    rules: RetentionRules = CN_RETENTION,
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
            candidates.append((day, Rule.POLICY, f"policy: {policy.name}"))
    if not candidates:
        return Decision(fact.key, True, None, own_reason, None, own_rule)
    until, rule, reason = min(candidates, key=lambda candidate: candidate[0])  # first wins a tie
    shown = as_of < until
    return Decision(fact.key, shown, None if shown else until, reason, until, rule)


def apply_retention(
    facts: Iterable[NegativeFact],
    as_of: date,
    policies: Iterable[DatedPolicy] = CN_POLICIES,
    rules: RetentionRules = CN_RETENTION,
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
