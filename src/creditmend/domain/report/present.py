"""How the report is worded, for every renderer alike: section titles, labels of record kinds
and codes (message ids, translated where shown) and window keys. Numbers, amounts and dates are
written by each language's `Speaker` (`adapters/i18n.py`)."""

from __future__ import annotations

from collections.abc import Mapping

from creditmend.domain.i18n import N_
from creditmend.domain.report.indicators import DAY_WINDOWS, MONTH_WINDOWS

SECTIONS: tuple[tuple[str, str], ...] = (
    ("header", N_("Report information")),
    ("summary", N_("Summary")),
    ("loan_history", N_("Loan history")),
    ("overdue", N_("Overdue details")),
    ("liabilities", N_("Liabilities")),
    ("multi_head", N_("Multi-head borrowing")),
    ("untrustworthy", N_("Untrustworthy information")),
    ("blacklist", N_("Blacklist")),
    ("objections", N_("Objections and statements")),
    ("expiry_timeline", N_("Record expiry timeline")),
    ("inquiries", N_("Inquiries")),
)
TITLES: Mapping[str, str] = dict(SECTIONS)
PUBLIC_RECORD_KINDS: Mapping[str, str] = {
    "dishonest_judgment_debtor": N_("Dishonest judgment debtor"),
    "enforced_debtor": N_("Enforced debtor"),
    "consumption_restriction": N_("Consumption restriction"),
}
# The codes a report shows as words ("online_consumer_loan" -> "online consumer loan"), marked
# for the catalogues so each renderer can show them in its language; a code not listed here is
# shown as its words.
CODE_WORDS: Mapping[str, str] = {
    # account types
    "online_consumer_loan": N_("online consumer loan"),
    "microloan": N_("microloan"),
    "consumer_finance": N_("consumer finance"),
    "credit_card": N_("credit card"),
    "mortgage": N_("mortgage"),
    "auto_loan": N_("auto loan"),
    "other": N_("other"),
    # account statuses
    "open": N_("open (account)"),  # "open" alone is an objection's status
    "settled": N_("settled"),
    "charged_off": N_("charged off"),
    "transferred": N_("transferred"),
    "closed": N_("closed"),
    "restructured": N_("restructured"),
    # public records and the blacklist
    "active": N_("active"),
    "performed": N_("performed"),
    "revoked": N_("revoked"),
    "fraud": N_("fraud"),
    "severe_overdue": N_("severe overdue"),
    "lost_contact": N_("lost contact"),
    "identity_theft": N_("identity theft"),
    # inquiry purposes
    "loan_approval": N_("loan approval"),
    "credit_card_approval": N_("credit card approval"),
    "guarantee_review": N_("guarantee review"),
    "post_loan_management": N_("post loan management"),
    "self_inquiry": N_("self inquiry"),
    # risk flags
    "bad_debt": N_("bad debt"),
    "blacklist": N_("blacklist"),
    "overdue_now": N_("overdue now"),
    "public_record": N_("public record"),
    "high_debt_to_income": N_("high debt to income"),
    "high_utilisation": N_("high utilisation"),
    "many_lenders_asked": N_("many lenders asked"),
    "dormant_platforms": N_("dormant platforms"),
    "three_or_six_in_24": N_("three or six in 24"),
    # platform kinds
    "bank": N_("bank"),
    "non_bank": N_("non bank"),
}
OBJECTION = N_("under objection")
DAY_KEYS = tuple(f"d{window}" for window in DAY_WINDOWS)
MONTH_KEYS = tuple(f"m{window}" for window in MONTH_WINDOWS)
NONE = "—"


def words(code: str) -> str:
    """A code as words: "online_consumer_loan" -> "online consumer loan"."""
    return code.replace("_", " ")


def code_words(code: str) -> str:
    """A code's message id: its words, as the catalogues know them."""
    return CODE_WORDS.get(code, words(code))
