"""How the report is worded, for every renderer alike: section titles (English beside the
Chinese of PBOC-style reports), labels of record kinds, window keys and number formats."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from creditmend.domain.money import Money
from creditmend.domain.report.indicators import DAY_WINDOWS, MONTH_WINDOWS

SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("header", "Report information", "报告信息"),
    ("summary", "Summary", "概要"),
    ("loan_history", "Loan history", "借贷记录"),
    ("overdue", "Overdue details", "逾期详情"),
    ("liabilities", "Liabilities", "负债"),
    ("multi_head", "Multi-head borrowing", "多头借贷"),
    ("untrustworthy", "Untrustworthy information", "失信信息"),
    ("blacklist", "Blacklist", "黑名单"),
    ("objections", "Objections and statements", "异议与个人声明"),
    ("expiry_timeline", "Record expiry timeline", "不良记录到期"),
    ("inquiries", "Inquiries", "查询记录"),
)
TITLES: Mapping[str, tuple[str, str]] = {key: (en, zh) for key, en, zh in SECTIONS}
PUBLIC_RECORD_KINDS: Mapping[str, tuple[str, str]] = {
    "dishonest_judgment_debtor": ("Dishonest judgment debtor", "失信被执行人"),
    "enforced_debtor": ("Enforced debtor", "被执行人"),
    "consumption_restriction": ("Consumption restriction", "限制高消费"),
}
OBJECTION = "异议中 under objection"
DAY_KEYS = tuple(f"d{window}" for window in DAY_WINDOWS)
MONTH_KEYS = tuple(f"m{window}" for window in MONTH_WINDOWS)
NONE = "—"


def words(code: str) -> str:
    """A code as words: "online_consumer_loan" -> "online consumer loan"."""
    return code.replace("_", " ")


def day(value: date | None, none: str = NONE) -> str:
    return none if value is None else value.isoformat()


def percent(value: Decimal | None) -> str:
    """A four-place ratio as a percentage: 0.8333 -> "83.33 %"."""
    return NONE if value is None else f"{value * 100:,.2f} %"


def amount(value: Money | None) -> str:
    """Thousands separators and the currency's places: 12,345.60."""
    return NONE if value is None else f"{value.amount:,f}"


def money(value: Money | None) -> str:
    """12,345.60 CNY."""
    return NONE if value is None else f"{value.amount:,f} {value.currency}"
