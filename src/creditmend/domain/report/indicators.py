"""Every indicator of the report, each defined once, as one flat row per person.

`person_indicators` is the definition: the report reads it, and the batch (`services/batch.py`,
SQL run by DuckDB or Spark) writes the same columns for every person; a conformance test holds
the batch to this function. So every rule below is stated here and nowhere else:

- An account counts from its first furnished month up to the as-of day. Its state is its last
  furnished month's status: **open** (`open`, `restructured`, `charged_off`: a charged-off debt is
  still owed), **settled** (`settled`, `closed`) or neither (`transferred`).
- Amounts are integer fen of the profile's currency; accounts in another currency are counted
  but left out of every amount (the report says so).
- "Current" means the account's last furnished month: current overdue accounts are open
  accounts whose last month has days past due; the amount is their past-due amount; balances
  and monthly obligations (the scheduled amount) are those of open accounts.
- Months at each status in the last 6 / 12 / 24 / 60 months count account-months of the
  60-month grid (so unknown `#` and carried `C`/`G` months count too; `/` never does).
- Hard inquiries "in N days" are those on the as-of day or the N-1 days before it; institutions
  are the distinct furnishers among them; bank or non-bank is the furnisher's registered kind.
- Activity on a platform is the opening of an account or a month with a payment; a platform is
  dormant when it has an open account and the profile's `dormant_months` without activity (a
  platform whose accounts are all settled or closed is not dormant: there is nothing to keep
  active).
- Revolving accounts are those furnished with a credit limit.
- The score's history and age (`scoring/features.py`): the worst bucket in 6 / 12 / 24 months
  reads the grid's `1`..`7` as their number and `B` as 8 (0: none); months since overdue count
  from the latest grid month at an overdue code to the as-of month (0: this month; None: none in
  the 60-month grid); accounts opened in 6 / 12 months are those whose opening month is the
  as-of month or one of the 5 / 11 before it; the oldest account's age is the months from the
  earliest opening to the as-of month (None without accounts). Open accounts and open
  platforms by kind use the furnisher's registered kind (an unregistered one reads `non_bank`).
- Court records are those shown (filed by the as-of day, not revoked, not past retention);
  the active ones (`is_active`) are those whose status is `active`, or that were performed
  after the as-of day (a replayed day): a performed record stays shown for the profile's
  retention years after it ends (cn: 5), the behaviour it records over. Blacklist entries
  shown are those listed by the as-of day and not expired (their own expiry, else the
  profile's default from the listing): every one shown is in force, so none is set apart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from creditmend.domain.calendar import add_months
from creditmend.domain.creditfile.grid import overdue_pattern_shown
from creditmend.domain.creditfile.records import PublicRecordKind, PublicRecordStatus
from creditmend.domain.report.file import AccountView, PublicRecordFacts, VisibleFile
from creditmend.domain.rules.profile import JurisdictionProfile

MONTH_WINDOWS = (6, 12, 24, 60)
BUCKET_WINDOWS = (6, 12, 24)  # the worst bucket's windows
OPENED_WINDOWS = (6, 12)  # accounts opened in the last months
DAY_WINDOWS = (7, 15, 30, 90, 180, 365)
FURNISHER_KINDS = ("bank", "non_bank")
OPEN_STATUSES = frozenset({"open", "restructured", "charged_off"})
SETTLED_STATUSES = frozenset({"settled", "closed"})
# Grid codes as column names ("/" is never counted: the account did not exist).
CODE_NAMES: Mapping[str, str] = {
    "N": "n",
    "M": "m",
    **{str(bucket): f"o{bucket}" for bucket in range(1, 8)},
    "C": "c",
    "G": "g",
    "D": "d",
    "Z": "z",
    "B": "b",
    "*": "none_due",
    "#": "unknown",
}
PUBLIC_RECORD_KINDS = tuple(str(kind) for kind in PublicRecordKind)
RATIO_PLACES = Decimal("0.0001")
# The worst overdue bucket as a number: `1`..`7`, and bad debt past every bucket.
BUCKET_RANKS: Mapping[str, int] = {**{str(k): k for k in range(1, 8)}, "B": 8}

Value = int | bool | date | None


@dataclass(frozen=True, slots=True)
class Indicator:
    name: str
    unit: str  # count | fen | days | months | date | flag
    description: str


def _indicators() -> tuple[Indicator, ...]:
    items = [
        Indicator("accounts_ever", "count", "accounts furnished up to the as-of day"),
        Indicator("accounts_open", "count", "accounts whose last month is open"),
        Indicator("accounts_settled", "count", "accounts whose last month is settled or closed"),
        Indicator("platforms_ever", "count", "distinct furnishers of the accounts"),
        Indicator("platforms_open", "count", "distinct furnishers with an open account"),
        Indicator("platforms_settled", "count", "distinct furnishers with a settled account"),
        *(
            Indicator(f"accounts_open_{kind}", "count", f"open accounts of {kind} furnishers")
            for kind in FURNISHER_KINDS
        ),
        *(
            Indicator(f"platforms_open_{kind}", "count", f"{kind} furnishers with an open account")
            for kind in FURNISHER_KINDS
        ),
        *(
            Indicator(f"accounts_opened_{window}m", "count", f"accounts opened in {window} months")
            for window in OPENED_WINDOWS
        ),
        Indicator("first_loan_on", "date", "the earliest opening day"),
        Indicator("oldest_account_months", "months", "since the earliest opening"),
        Indicator("amount_borrowed_fen", "fen", "sum of the principals of every loan"),
        Indicator("credit_limit_fen", "fen", "sum of the credit limits ever granted"),
        Indicator("current_overdue_accounts", "count", "open accounts overdue now"),
        Indicator("current_overdue_amount_fen", "fen", "their past-due amount"),
        Indicator("max_days_past_due", "days", "the most days past due among open accounts"),
    ]
    for window in MONTH_WINDOWS:
        items += [
            Indicator(f"months_{name}_{window}m", "months", f"account-months at `{code}`")
            for code, name in CODE_NAMES.items()
        ]
        items.append(
            Indicator(f"months_overdue_{window}m", "months", "account-months at `1`..`7` or `B`")
        )
    items += [
        Indicator("months_overdue_3m", "months", "account-months at `1`..`7` or `B` in 3 months"),
        *(
            Indicator(f"worst_bucket_{window}m", "count", f"worst bucket in {window} months, `B` 8")
            for window in BUCKET_WINDOWS
        ),
        Indicator("months_since_overdue", "months", "since the latest overdue grid month"),
        Indicator("paid_fen_6m", "fen", "paid in the furnished months of the last 6"),
        Indicator("scheduled_fen_6m", "fen", "scheduled in the furnished months of the last 6"),
        Indicator("active_months_6m", "months", "months of the last 6 with any payment"),
        Indicator("accounts_3_or_6_in_24", "count", "accounts with 3 consecutive or 6 overdue"),
        Indicator("flag_3_or_6_in_24", "flag", "any account 3 consecutive or 6 overdue in 24"),
        Indicator("outstanding_balance_fen", "fen", "balance of open accounts"),
        Indicator("monthly_obligations_fen", "fen", "scheduled amount of open accounts"),
        Indicator("revolving_balance_fen", "fen", "balance of open revolving accounts"),
        Indicator("revolving_limit_fen", "fen", "credit limit of open revolving accounts"),
    ]
    for window in DAY_WINDOWS:
        items += [
            Indicator(f"hard_inquiries_{window}d", "count", f"hard inquiries in {window} days"),
            Indicator(f"institutions_{window}d", "count", f"institutions asking in {window} days"),
        ]
        for kind in FURNISHER_KINDS:
            items += [
                Indicator(f"hard_inquiries_{kind}_{window}d", "count", f"... by {kind} lenders"),
                Indicator(f"institutions_{kind}_{window}d", "count", f"... {kind} institutions"),
            ]
    items += [
        Indicator("public_records", "count", "court records shown"),
        *(
            Indicator(f"public_records_{kind}", "count", f"{kind} records shown")
            for kind in PUBLIC_RECORD_KINDS
        ),
        Indicator("public_records_active", "count", "court records shown and active"),
        Indicator(
            "public_records_active_dishonest_judgment_debtor",
            "count",
            "dishonest judgment debtor records shown and active",
        ),
        Indicator("blacklist_entries", "count", "blacklist entries shown (none expired)"),
        Indicator("negative_records", "count", "negative records shown"),
        Indicator("negative_uncured", "count", "negative records shown until cured"),
        Indicator("next_expiry_on", "date", "the first day a shown negative record expires"),
        Indicator("months_since_last_activity", "months", "since the latest activity anywhere"),
        Indicator(
            "dormant_platforms",
            "count",
            "platforms with open accounts idle for the profile's dormant_months (cn: 6+)",
        ),
    ]
    return tuple(items)


INDICATORS = _indicators()
NAMES = tuple(indicator.name for indicator in INDICATORS)


def fen(amount: Decimal) -> int:
    """Amounts are validated to the fen on the way in, so this is exact."""
    return int(amount.scaleb(2))


def months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def ratio(numerator: int, denominator: int) -> Decimal | None:
    """Utilisation and debt-to-income: four places, half up; None without a denominator."""
    if denominator <= 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATIO_PLACES, ROUND_HALF_UP)


def is_open(account: AccountView) -> bool:
    return account.last.status in OPEN_STATUSES


def is_active(record: PublicRecordFacts, as_of: date) -> bool:
    """A court record in force on `as_of`: status `active`, or performed after that day (a
    replayed day before the debtor performed); a performed record is shown for years after it
    ends (Art. 16), but the behaviour it records has ended."""
    if record.status == PublicRecordStatus.ACTIVE:
        return True
    performed = record.status == PublicRecordStatus.PERFORMED
    return performed and record.ended_on is not None and record.ended_on > as_of


def last_activity(account: AccountView) -> date:
    """The month of the latest opening or payment."""
    paid = [line.period for line in account.months if line.paid > 0]
    return max([account.opened_on.replace(day=1), *paid])


@dataclass(frozen=True, slots=True)
class PlatformIndicators:
    """Section 5's per-platform lines and the activity indicators."""

    furnisher: str
    kind: str
    accounts: int
    accounts_open: int
    outstanding_balance_fen: int
    monthly_obligations_fen: int
    months_since_activity: int
    dormant: bool


def platform_indicators(
    view: VisibleFile, currency: str, profile: JurisdictionProfile
) -> tuple[PlatformIndicators, ...]:
    by_platform: dict[str, list[AccountView]] = {}
    for account in view.accounts:
        by_platform.setdefault(account.furnisher, []).append(account)
    month = view.as_of.replace(day=1)
    lines = []
    for furnisher, accounts in sorted(by_platform.items()):
        open_local = [a for a in accounts if is_open(a) and a.currency == currency]
        idle = months_between(max(last_activity(a) for a in accounts), month)
        still_open = sum(1 for a in accounts if is_open(a))
        lines.append(
            PlatformIndicators(
                furnisher=furnisher,
                kind=accounts[0].furnisher_kind,
                accounts=len(accounts),
                accounts_open=still_open,
                outstanding_balance_fen=sum(fen(a.last.balance) for a in open_local),
                monthly_obligations_fen=sum(fen(a.last.scheduled) for a in open_local),
                months_since_activity=idle,
                dormant=still_open > 0 and idle >= profile.dormant_months.value,
            )
        )
    return tuple(lines)


def _sum(amounts: Iterable[Decimal]) -> int:
    return sum(fen(amount) for amount in amounts)


def _months_at_status(
    accounts: Sequence[AccountView], row: dict[str, Value], overdue: frozenset[str]
) -> None:
    for window in MONTH_WINDOWS:
        counts = Counter(entry.code for a in accounts for entry in a.grid[-window:])
        for code, name in CODE_NAMES.items():
            row[f"months_{name}_{window}m"] = counts[code]
        row[f"months_overdue_{window}m"] = sum(counts[code] for code in overdue)


def _score_inputs(
    view: VisibleFile, currency: str, row: dict[str, Value], overdue: frozenset[str]
) -> None:
    """What the score's features need (`scoring/features.py`): recent overdue months, the worst
    bucket, months since overdue, paid against scheduled, and months with a payment."""
    accounts = view.accounts
    row["months_overdue_3m"] = sum(
        1 for a in accounts for entry in a.grid[-3:] if entry.code in overdue
    )
    for window in BUCKET_WINDOWS:
        row[f"worst_bucket_{window}m"] = max(
            (BUCKET_RANKS.get(entry.code, 0) for a in accounts for entry in a.grid[-window:]),
            default=0,
        )
    latest = max(
        (entry.month for a in accounts for entry in a.grid if entry.code in overdue), default=None
    )
    row["months_since_overdue"] = None if latest is None else months_between(latest, view.as_of)
    since = add_months(view.as_of.replace(day=1), -5)
    recent = [(a, m) for a in accounts for m in a.months if m.period >= since]
    row["paid_fen_6m"] = _sum(m.paid for a, m in recent if a.currency == currency)
    row["scheduled_fen_6m"] = _sum(m.scheduled for a, m in recent if a.currency == currency)
    row["active_months_6m"] = len({m.period for _, m in recent if m.paid > 0})


def _multi_head(view: VisibleFile, row: dict[str, Value]) -> None:
    for window in DAY_WINDOWS:
        since = view.as_of - timedelta(days=window)
        hard = [i for i in view.inquiries if i.hard and i.on > since]
        row[f"hard_inquiries_{window}d"] = len(hard)
        row[f"institutions_{window}d"] = len({i.by for i in hard if i.by})
        for kind in FURNISHER_KINDS:
            mine = [i for i in hard if i.by_kind == kind]
            row[f"hard_inquiries_{kind}_{window}d"] = len(mine)
            row[f"institutions_{kind}_{window}d"] = len({i.by for i in mine if i.by})


def person_indicators(
    view: VisibleFile, currency: str, profile: JurisdictionProfile
) -> dict[str, Value]:
    """The row of every indicator for one person, in `NAMES` order."""
    accounts = view.accounts
    open_ = [a for a in accounts if is_open(a)]
    settled = [a for a in accounts if a.last.status in SETTLED_STATUSES]
    open_local = [a for a in open_ if a.currency == currency]
    overdue = [a for a in open_ if a.last.days_past_due > 0]
    revolving = [a for a in open_local if a.credit_limit is not None]
    platforms = platform_indicators(view, currency, profile)
    first_loan_on = min((a.opened_on for a in accounts), default=None)
    row: dict[str, Value] = {
        "accounts_ever": len(accounts),
        "accounts_open": len(open_),
        "accounts_settled": len(settled),
        "platforms_ever": len({a.furnisher for a in accounts}),
        "platforms_open": len({a.furnisher for a in open_}),
        "platforms_settled": len({a.furnisher for a in settled}),
        **{
            f"accounts_opened_{window}m": sum(
                1 for a in accounts if months_between(a.opened_on, view.as_of) < window
            )
            for window in OPENED_WINDOWS
        },
        "first_loan_on": first_loan_on,
        "oldest_account_months": (
            None if first_loan_on is None else months_between(first_loan_on, view.as_of)
        ),
        "amount_borrowed_fen": _sum(
            a.principal for a in accounts if a.currency == currency and a.principal is not None
        ),
        "credit_limit_fen": _sum(
            a.credit_limit
            for a in accounts
            if a.currency == currency and a.credit_limit is not None
        ),
        "current_overdue_accounts": len(overdue),
        "current_overdue_amount_fen": _sum(a.last.past_due for a in overdue if a in open_local),
        "max_days_past_due": max((a.last.days_past_due for a in open_), default=0),
    }
    for kind in FURNISHER_KINDS:
        row[f"accounts_open_{kind}"] = sum(1 for a in open_ if a.furnisher_kind == kind)
        lenders = {a.furnisher for a in open_ if a.furnisher_kind == kind}
        row[f"platforms_open_{kind}"] = len(lenders)
    _months_at_status(accounts, row, profile.overdue_codes)
    _score_inputs(view, currency, row, profile.overdue_codes)
    flagged = sum(1 for a in accounts if overdue_pattern_shown(a.grid, profile))
    row["accounts_3_or_6_in_24"] = flagged
    row["flag_3_or_6_in_24"] = flagged > 0
    row["outstanding_balance_fen"] = _sum(a.last.balance for a in open_local)
    row["monthly_obligations_fen"] = _sum(a.last.scheduled for a in open_local)
    row["revolving_balance_fen"] = _sum(a.last.balance for a in revolving)
    row["revolving_limit_fen"] = _sum(
        a.credit_limit for a in revolving if a.credit_limit is not None
    )
    _multi_head(view, row)
    row["public_records"] = len(view.public_records)
    for kind in PUBLIC_RECORD_KINDS:
        row[f"public_records_{kind}"] = sum(1 for r in view.public_records if r.kind == kind)
    active = [r for r in view.public_records if is_active(r, view.as_of)]
    row["public_records_active"] = len(active)
    row["public_records_active_dishonest_judgment_debtor"] = sum(
        1 for r in active if r.kind == PublicRecordKind.DISHONEST_JUDGMENT_DEBTOR
    )
    row["blacklist_entries"] = len(view.blacklist)
    row["negative_records"] = len(view.expiry)
    row["negative_uncured"] = sum(1 for line in view.expiry if line.expires_on is None)
    row["next_expiry_on"] = min(
        (line.expires_on for line in view.expiry if line.expires_on is not None), default=None
    )
    row["months_since_last_activity"] = min(
        (p.months_since_activity for p in platforms), default=None
    )
    row["dormant_platforms"] = sum(1 for p in platforms if p.dormant)
    return {name: row[name] for name in NAMES}
