"""The score's features, defined once: what each means, its plain words in English and Chinese,
which way it moves risk, and how it is computed from the bureau's indicator row
(`domain/report/indicators.py`), so the report, the batch, what-if and training read the same
numbers.

The bureau's features (`BUREAU_SPECS`; docs/score.md has the table): late months by severity
over 24 months, months since the last overdue, the worst status in 12 and 24 months, revolving
utilisation, open accounts and open platforms by the furnisher's kind, accounts opened in 6 and
12 months, the oldest account's age, hard inquiries and distinct institutions in 7 / 30 / 90 /
180 days (by kind), court records and dishonest-debtor records in force (active on the as-of
day: a record the debtor has performed is still shown for years, but no longer counts here),
blacklist entries (every one shown is unexpired), and the current overdue amount over the
balance. Values are Decimal (counts whole), None where the file has nothing to say (no
account, no revolving account, no balance): a model gives missing its own bin. Never overdue
is a fact, not missing: `months_since_overdue` of a file with accounts but no overdue month in
the 60 months the grid shows is `NO_OVERDUE_SHOWN` (60, the grid's length; a real value is at
most 59), so one more overdue month can only lower it; it is None only without accounts. The
indicator of the same name stays None then (the report and the batch's SQL keep it): the
feature alone reads it as 60. `months_since_activity` is the indicator
`months_since_last_activity` (months from the latest opening or payment on any platform to the
as-of month), None only without accounts: it tells apart clean files that are otherwise alike
(all settled, no inquiry, no revolving account) by how long ago credit was last used; its risk
is `VALLEY` (no direction imposed: recent use and long dormancy may both cost). `risk` is the
way a feature moves risk as it grows ("rises": more is riskier; "falls": more is safer;
"valley": the data decide); a trained model is held monotone the first two ways.

One scoring path: `score_indicators(card, row)` scores a person's indicator row by its
features (`from_indicators`), and nothing else. The report, the batch, what-if and the
advisor's forecast all call it, so they cannot give the same person two scores.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from creditmend.domain.scoring.scorecard import Scorecard, ScoreResult, score

RISES, FALLS = "rises", "falls"
# Least risk at some use, more both at none and as use rises (the Taiwan data show no use of a
# card riskier than a little; so does FICO's advice): no direction is imposed in training.
VALLEY = "valley"
PLACES = Decimal("0.0001")
INQUIRY_WINDOWS = (7, 30, 90, 180)  # days
# `months_since_overdue` when no overdue month is shown: the grid's length (cn: 60 months, the
# indicators' `MONTH_WINDOWS[-1]`), one past any real value; the training sources give it to a
# history with no overdue month in what it shows (a censored "none seen").
NO_OVERDUE_SHOWN = Decimal(60)
KINDS = {"bank": ("banks", "银行"), "non_bank": ("non-bank lenders", "非银行机构")}

Values = dict[str, Decimal | None]


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    name: str
    description: str  # what it measures, for the model card and a missing value
    reason: str  # what cost points, in plain words; may use {value}
    reason_zh: str  # the same in Chinese
    risk: str  # RISES: more is riskier; FALLS: more is safer; VALLEY: least risk in between


def _inquiry_specs() -> tuple[FeatureSpec, ...]:
    specs = []
    for days in INQUIRY_WINDOWS:
        specs += [
            FeatureSpec(
                f"hard_inquiries_{days}d",
                f"hard inquiries in {days} days",
                f"lenders checked your file for {{value}} applications in the last {days} days",
                f"近{days}天有{{value}}次贷款或信用卡申请查询了征信",
                RISES,
            ),
            FeatureSpec(
                f"institutions_{days}d",
                f"distinct institutions with hard inquiries in {days} days",
                f"{{value}} different lenders checked your file in the last {days} days",
                f"近{days}天有{{value}}家不同机构因申请查询了征信",
                RISES,
            ),
        ]
        for kind, (words, words_zh) in KINDS.items():
            specs += [
                FeatureSpec(
                    f"hard_inquiries_{kind}_{days}d",
                    f"hard inquiries by {words} in {days} days",
                    f"{words} checked your file for {{value}} applications in the last {days} days",
                    f"近{days}天有{{value}}次{words_zh}申请查询",
                    RISES,
                ),
                FeatureSpec(
                    f"institutions_{kind}_{days}d",
                    f"distinct {words} with hard inquiries in {days} days",
                    f"{{value}} different {words} checked your file in the last {days} days",
                    f"近{days}天有{{value}}家{words_zh}查询了征信",
                    RISES,
                ),
            ]
    return tuple(specs)


BUREAU_SPECS: tuple[FeatureSpec, ...] = (
    FeatureSpec(
        "late_2_24m",
        "account-months 31 to 60 days late (`2`) in 24 months",
        "{value} months 31 to 60 days late in the last 2 years",
        "近2年有{value}个月逾期31-60天",
        RISES,
    ),
    FeatureSpec(
        "late_3_24m",
        "account-months 61 to 90 days late (`3`) in 24 months",
        "{value} months 61 to 90 days late in the last 2 years",
        "近2年有{value}个月逾期61-90天",
        RISES,
    ),
    FeatureSpec(
        "late_4plus_24m",
        "account-months over 90 days late (`4`..`7`) in 24 months",
        "{value} months more than 90 days late in the last 2 years",
        "近2年有{value}个月逾期90天以上",
        RISES,
    ),
    FeatureSpec(
        "bad_debt_24m",
        "account-months as bad debt (`B`) in 24 months",
        "{value} months as bad debt in the last 2 years",
        "近2年有{value}个月为呆账",
        RISES,
    ),
    FeatureSpec(
        "months_since_overdue",
        "months since the latest overdue month (60: none in the 60 months the grid shows)",
        "{value} months in a row without a late payment, up to now (of the 60 months shown)",
        "截至目前已连续{value}个月无逾期（征信展示近60个月）",
        FALLS,
    ),
    FeatureSpec(
        "worst_status_12m",
        "worst overdue bucket in 12 months (0 none, 1..7, bad debt 8)",
        "your worst late payment in 1 year: stage {value} (1: up to 30 days, 8: bad debt)",
        "近1年最严重逾期为第{value}级（1级：30天以内，8级：呆账）",
        RISES,
    ),
    FeatureSpec(
        "worst_status_24m",
        "worst overdue bucket in 24 months (0 none, 1..7, bad debt 8)",
        "your worst late payment in 2 years: stage {value} (1: up to 30 days, 8: bad debt)",
        "近2年最严重逾期为第{value}级（1级：30天以内，8级：呆账）",
        RISES,
    ),
    FeatureSpec(
        "utilisation",
        "revolving balance over revolving limit of open revolving accounts",
        "credit used: {value} of the limit",
        "信用额度已使用{value}",
        VALLEY,
    ),
    FeatureSpec(
        "open_accounts",
        "accounts open now",
        "{value} accounts open",
        "有{value}个未结清账户",
        RISES,
    ),
    FeatureSpec(
        "open_accounts_bank",
        "accounts open now with banks",
        "{value} accounts open with banks",
        "在银行有{value}个未结清账户",
        RISES,
    ),
    FeatureSpec(
        "open_accounts_non_bank",
        "accounts open now with non-bank lenders",
        "{value} accounts open with non-bank lenders",
        "在非银行机构有{value}个未结清账户",
        RISES,
    ),
    FeatureSpec(
        "open_platforms_bank",
        "banks with an open account",
        "accounts open with {value} different banks",
        "在{value}家银行有未结清账户",
        RISES,
    ),
    FeatureSpec(
        "open_platforms_non_bank",
        "non-bank lenders with an open account",
        "accounts open with {value} different non-bank lenders",
        "在{value}家非银行机构有未结清账户",
        RISES,
    ),
    FeatureSpec(
        "opened_6m",
        "accounts opened in the last 6 months",
        "{value} accounts opened in the last 6 months",
        "近6个月新开{value}个账户",
        RISES,
    ),
    FeatureSpec(
        "opened_12m",
        "accounts opened in the last 12 months",
        "{value} accounts opened in the last 12 months",
        "近12个月新开{value}个账户",
        RISES,
    ),
    FeatureSpec(
        "oldest_account_months",
        "months since the oldest account was opened",
        "your oldest account is only {value} months old",
        "最早的账户仅开立{value}个月",
        FALLS,
    ),
    FeatureSpec(
        "current_24m",
        "account-months current (`N`, or `1`: less than 30 days late) in 24 months",
        "{value} account-months of repayments kept current in the last 2 years",
        "近2年正常还款的账户月份共{value}个",
        FALLS,
    ),
    FeatureSpec(
        "months_since_activity",
        "months since the latest opening or payment on any account (0: this month)",
        "last credit activity {value} months ago",
        "最近一次信贷活动在{value}个月前",
        VALLEY,
    ),
    *_inquiry_specs(),
    FeatureSpec(
        "court_records",
        "active court records shown",
        "{value} court records still in force on your file",
        "有{value}条仍在执行中的法院记录",
        RISES,
    ),
    FeatureSpec(
        "dishonest_debtor",
        "active dishonest judgment debtor records shown",
        "listed as a dishonest judgment debtor ({value} records)",
        "被列为失信被执行人（{value}条记录）",
        RISES,
    ),
    FeatureSpec(
        "blacklist_entries",
        "blacklist entries shown (every one shown is unexpired)",
        "{value} blacklist entries on your file",
        "有{value}条黑名单记录",
        RISES,
    ),
    FeatureSpec(
        "overdue_share",
        "current overdue amount over the balance of open accounts",
        "{value} of what you owe is overdue now",
        "当前逾期金额占欠款的{value}",
        RISES,
    ),
)
BUREAU_NAMES = tuple(spec.name for spec in BUREAU_SPECS)

# Which way each known feature moves risk: training holds a model monotone that way.
RISK_OF: Mapping[str, str] = {spec.name: spec.risk for spec in BUREAU_SPECS}
# Every spec by name: the bureau's.
SPECS: tuple[FeatureSpec, ...] = BUREAU_SPECS


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if denominator <= 0:
        return None
    return (numerator / denominator).quantize(PLACES, ROUND_HALF_UP)


def _count(row: Mapping[str, object], name: str) -> int:
    """An indicator's count; 0 when the row lacks it."""
    value = row.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _months(row: Mapping[str, object], name: str) -> Decimal | None:
    """An indicator that is None when the file has nothing to count from."""
    value = row.get(name)
    return Decimal(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _months_since_overdue(row: Mapping[str, object]) -> Decimal | None:
    """The indicator's months since the latest overdue month; `NO_OVERDUE_SHOWN` for a file
    with accounts and none overdue in its grid (a fact), None only without accounts."""
    since = _months(row, "months_since_overdue")
    if since is None and _count(row, "accounts_ever"):
        return NO_OVERDUE_SHOWN
    return since


def from_indicators(row: Mapping[str, object]) -> Values:
    """The features of one person from the bureau's indicator row (a report's or the batch's):
    every one of `BUREAU_NAMES`, in that order."""

    def count(*names: str) -> Decimal:
        return Decimal(sum(_count(row, name) for name in names))

    values: Values = {
        "late_2_24m": count("months_o2_24m"),
        "late_3_24m": count("months_o3_24m"),
        "late_4plus_24m": count(*(f"months_o{k}_24m" for k in range(4, 8))),
        "bad_debt_24m": count("months_b_24m"),
        "months_since_overdue": _months_since_overdue(row),
        "worst_status_12m": count("worst_bucket_12m"),
        "worst_status_24m": count("worst_bucket_24m"),
        "utilisation": _ratio(count("revolving_balance_fen"), count("revolving_limit_fen")),
        "open_accounts": count("accounts_open"),
        "open_accounts_bank": count("accounts_open_bank"),
        "open_accounts_non_bank": count("accounts_open_non_bank"),
        "open_platforms_bank": count("platforms_open_bank"),
        "open_platforms_non_bank": count("platforms_open_non_bank"),
        "opened_6m": count("accounts_opened_6m"),
        "opened_12m": count("accounts_opened_12m"),
        "oldest_account_months": _months(row, "oldest_account_months"),
        "current_24m": count("months_n_24m", "months_o1_24m"),
        "months_since_activity": _months(row, "months_since_last_activity"),
    }
    for days in INQUIRY_WINDOWS:
        for kind in ("", *(f"{k}_" for k in KINDS)):
            for name in (f"hard_inquiries_{kind}{days}d", f"institutions_{kind}{days}d"):
                values[name] = count(name)
    values |= {
        "court_records": count("public_records_active"),
        "dishonest_debtor": count("public_records_active_dishonest_judgment_debtor"),
        "blacklist_entries": count("blacklist_entries"),
        "overdue_share": _ratio(
            count("current_overdue_amount_fen"), count("outstanding_balance_fen")
        ),
    }
    return {name: values[name] for name in BUREAU_NAMES}


def score_indicators(card: Scorecard, row: Mapping[str, object]) -> ScoreResult:
    """The score of one person's indicator row (`person_indicators`, or the batch's row): the
    card reads the features of `from_indicators` only, never an indicator by its own name."""
    return score(card, from_indicators(row))
