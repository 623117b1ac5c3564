"""Build the report's 11 sections from a visible file and its indicator row.

Every number comes from `indicators.person_indicators` (or `platform_indicators`): this module
only arranges them, adds the lists (accounts with their grids, records, inquiries), and says in
words what a thin file lacks. Risk flags are rules over indicators, kept as data (`RISK_FLAGS`);
the score itself is the scorecard's (issue 5), passed in, and `None` until one is installed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from creditmend.domain.creditfile.grid import overdue_pattern_shown
from creditmend.domain.creditfile.inquiry import SELF, self_report_notice
from creditmend.domain.i18n import N_, Said
from creditmend.domain.money import Money
from creditmend.domain.report.file import (
    AccountView,
    CreditFileFacts,
    VisibleFile,
    recent_inquiries,
    record_refs,
)
from creditmend.domain.report.indicators import (
    CODE_NAMES,
    DAY_WINDOWS,
    FURNISHER_KINDS,
    MONTH_WINDOWS,
    PUBLIC_RECORD_KINDS,
    Value,
    is_open,
    months_between,
    person_indicators,
    platform_indicators,
    ratio,
)
from creditmend.domain.report.model import (
    AccountLine,
    BlacklistHits,
    BlacklistLine,
    Header,
    InquiryLine,
    Liabilities,
    LoanHistory,
    MultiHead,
    ObjectionLine,
    Objections,
    Overdue,
    PlatformLine,
    PublicRecordLine,
    Reason,
    Report,
    StatementLine,
    Summary,
    TypeLine,
    Untrustworthy,
)
from creditmend.domain.rules.profile import JurisdictionProfile
from creditmend.domain.scoring.features import score_indicators
from creditmend.domain.scoring.scorecard import Scorecard, ScoreResult

THIN_HISTORY_MONTHS = 6
HIGH_UTILISATION = Decimal("0.8")
HIGH_DEBT_TO_INCOME = Decimal("0.5")
MANY_INSTITUTIONS_90D = 3


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """Who asked, why, and what the asker adds (income is not furnished data)."""

    report_id: str
    as_of: date
    purpose: str
    inquirer: str | None = None
    monthly_income: Decimal | None = None


@dataclass(frozen=True, slots=True)
class RiskFlag:
    code: str
    applies: Callable[[Mapping[str, Value], Decimal | None, Decimal | None], bool]
    text: str


def _count(row: Mapping[str, Value], name: str) -> int:
    value = row[name]
    return value if isinstance(value, int) else 0


# (code, rule over the indicator row, utilisation, debt-to-income), most serious first.
RISK_FLAGS: tuple[RiskFlag, ...] = (
    RiskFlag("blacklist", lambda r, u, d: _count(r, "blacklist_entries") > 0, "on a blacklist"),
    RiskFlag(
        "public_record",
        lambda r, u, d: _count(r, "public_records") > 0,
        "a court record (dishonest or enforced debtor, consumption restriction)",
    ),
    RiskFlag("bad_debt", lambda r, u, d: _count(r, "months_b_24m") > 0, "a bad debt in 24 months"),
    RiskFlag(
        "overdue_now",
        lambda r, u, d: _count(r, "current_overdue_accounts") > 0,
        "an account is overdue now",
    ),
    RiskFlag(
        "three_or_six_in_24",
        lambda r, u, d: bool(r["flag_3_or_6_in_24"]),
        "3 consecutive or 6 overdue months in the last 24",
    ),
    RiskFlag(
        "many_lenders_asked",
        lambda r, u, d: _count(r, "institutions_90d") >= MANY_INSTITUTIONS_90D,
        f"{MANY_INSTITUTIONS_90D} or more lenders made hard inquiries in 90 days",
    ),
    RiskFlag(
        "high_debt_to_income",
        lambda r, u, d: d is not None and d >= HIGH_DEBT_TO_INCOME,
        "monthly obligations are half the monthly income or more",
    ),
    RiskFlag(
        "high_utilisation",
        lambda r, u, d: u is not None and u >= HIGH_UTILISATION,
        "revolving credit used 80 % or more",
    ),
    RiskFlag(
        "dormant_platforms",
        lambda r, u, d: _count(r, "dormant_platforms") > 0,
        "platforms with open accounts and no activity for 6 months or more",
    ),
)


def _money(fen: Value, currency: str) -> Money:
    return Money(Decimal(fen if isinstance(fen, int) else 0).scaleb(-2), currency)


def _windows(
    row: Mapping[str, Value], template: str, windows: Sequence[int] = DAY_WINDOWS
) -> dict[str, int]:
    """`template` names the column of one window: "hard_inquiries_{}d" -> {"d7": ..}."""
    prefix = template[-1]
    return {f"{prefix}{w}": _count(row, template.format(w)) for w in windows}


def _missing(view: VisibleFile, request: ReportRequest, currency: str, scored: bool) -> list[str]:
    notes: list[str] = []
    if not view.accounts:
        notes.append(Said(N_("no loan or card account has been furnished")))
    elif len(view.accounts) == 1:
        notes.append(Said(N_("only one account: every indicator rests on one lender's data")))
    if view.accounts:
        first = min(a.months[0].period for a in view.accounts)
        if months_between(first, view.as_of) + 1 < THIN_HISTORY_MONTHS:
            notes.append(
                Said(N_("less than %(n)s months of repayment history"), n=THIN_HISTORY_MONTHS)
            )
        if not any(a.credit_limit is not None for a in view.accounts):
            notes.append(Said(N_("no revolving account: utilisation is not computed")))
        foreign = sum(1 for a in view.accounts if a.currency != currency)
        if foreign:
            notes.append(
                Said(N_("%(n)s account(s) in another currency left out of the amounts"), n=foreign)
            )
    if request.monthly_income is None:
        notes.append(Said(N_("income not known: debt-to-income is not computed")))
    if not scored:
        notes.append(Said(N_("no scorecard installed: the score is not computed")))
    return notes


def _account_line(
    account: AccountView,
    facts: CreditFileFacts,
    objected: frozenset[str],
    ref: str,
    profile: JurisdictionProfile,
) -> AccountLine:
    last = account.last
    furnisher = facts.furnishers.get(account.furnisher)
    statements = [s.text for s in facts.statements if s.record.startswith(ref)]
    return AccountLine(
        furnisher_id=account.furnisher,
        furnisher_name=furnisher.name if furnisher else account.furnisher,
        account_id=account.account_id,
        account_type=account.account_type,
        currency=account.currency,
        opened_on=account.opened_on,
        last_reported=last.period,
        status=last.status,
        balance=Money(last.balance, account.currency),
        days_past_due=last.days_past_due,
        past_due_amount=Money(last.past_due, account.currency),
        grid=tuple(entry.code for entry in account.grid),
        grid_starts=account.grid[0].month,
        three_or_six_in_24=overdue_pattern_shown(account.grid, profile),
        under_objection=any(_objected(record, frozenset({ref})) for record in objected),
        statement=statements[-1] if statements else None,
    )


def _objected(record: str, objected: frozenset[str]) -> bool:
    """An objection against an account covers its months; one against a month covers that
    month's episode record (`account:F:ID:YYYY-MM`)."""
    return any(record == ref or record.startswith(ref + ":") for ref in objected)


def _loan_history(view: VisibleFile, row: Mapping[str, Value], currency: str) -> LoanHistory:
    by_type: dict[str, list[AccountView]] = {}
    for account in view.accounts:
        by_type.setdefault(account.account_type, []).append(account)
    lines = []
    for account_type, accounts in sorted(by_type.items()):
        local = [a for a in accounts if a.currency == currency]
        lines.append(
            TypeLine(
                account_type,
                len(accounts),
                sum(1 for a in accounts if is_open(a)),
                Money(sum((a.principal or Decimal(0) for a in local), Decimal(0)), currency),
                Money(sum((a.credit_limit or Decimal(0) for a in local), Decimal(0)), currency),
            )
        )
    first = row["first_loan_on"]
    return LoanHistory(
        platforms_ever=_count(row, "platforms_ever"),
        platforms_open=_count(row, "platforms_open"),
        platforms_settled=_count(row, "platforms_settled"),
        accounts_ever=_count(row, "accounts_ever"),
        accounts_open=_count(row, "accounts_open"),
        accounts_settled=_count(row, "accounts_settled"),
        first_loan_on=first if isinstance(first, date) else None,
        amount_borrowed=_money(row["amount_borrowed_fen"], currency),
        credit_limit=_money(row["credit_limit_fen"], currency),
        by_type=tuple(lines),
    )


def _reasons(scored: ScoreResult) -> tuple[Reason, ...]:
    """The score's reasons with their Chinese words; a feature without Chinese words reads the
    English in both, and is shown once."""
    chinese = dict(scored.reasons_zh)
    return tuple(
        Reason(feature, text, "" if chinese.get(feature, text) == text else chinese[feature])
        for feature, text in scored.reasons
    )


def build_report(
    facts: CreditFileFacts,
    view: VisibleFile,
    request: ReportRequest,
    profile: JurisdictionProfile,
    scorecard: Scorecard | None = None,
) -> Report:
    """The report for `view` (the part of `facts` shown on `request.as_of`), scored with
    `scorecard` when one is installed and there is a file to score."""
    currency = profile.currency
    row = person_indicators(view, currency, profile)
    scored = (
        score_indicators(scorecard, row) if scorecard is not None and not view.is_empty else None
    )
    objected = frozenset(o.record for o in facts.objections if o.is_open)
    stated = {s.record: s.text for s in facts.statements}  # the latest per record
    refs = record_refs(a for a in facts.accounts)
    names = {code: f.name for code, f in facts.furnishers.items()}
    accounts = tuple(
        _account_line(a, facts, objected, refs.get(a.key, a.key), profile) for a in view.accounts
    )
    utilisation = ratio(_count(row, "revolving_balance_fen"), _count(row, "revolving_limit_fen"))
    income = request.monthly_income
    debt_to_income = (
        None
        if income is None
        else ratio(_count(row, "monthly_obligations_fen"), int(income.scaleb(2)))
    )
    flags = tuple(f for f in RISK_FLAGS if f.applies(row, utilisation, debt_to_income))
    notices: list[str] = (
        [Said(N_("%(n)s record(s) under objection"), n=len(objected))] if objected else []
    )
    if facts.statements:
        notices.append(Said(N_("%(n)s personal statement(s)"), n=len(facts.statements)))
    if request.purpose == SELF:
        self_looks = (i.on for i in facts.inquiries if i.purpose == SELF and i.gives_report)
        beyond = self_report_notice(self_looks, request.as_of, profile)
        notices += [beyond] if beyond else []
    header = Header(
        report_id=request.report_id,
        as_of=request.as_of,
        subject_id=facts.subject_id,
        subject_name=facts.subject_name,
        purpose=request.purpose,
        inquirer=request.inquirer,
        currency=currency,
        has_file=not view.is_empty,
        notices=tuple(notices),
        missing=tuple(_missing(view, request, currency, scorecard is not None)),
    )
    summary = Summary(
        score=None if scored is None else scored.score,
        band="unscored" if scored is None else scored.band,
        reasons=(_reasons(scored) if scored else tuple(Reason(f.code, f.text) for f in flags)),
        flags=tuple(f.code for f in flags),
    )
    return Report(
        header=header,
        summary=summary,
        loan_history=_loan_history(view, row, currency),
        overdue=Overdue(
            current_overdue_accounts=_count(row, "current_overdue_accounts"),
            current_overdue_amount=_money(row["current_overdue_amount_fen"], currency),
            max_days_past_due=_count(row, "max_days_past_due"),
            months_at_status={
                f"m{w}": {code: _count(row, f"months_{n}_{w}m") for code, n in CODE_NAMES.items()}
                for w in MONTH_WINDOWS
            },
            months_overdue=_windows(row, "months_overdue_{}m", MONTH_WINDOWS),
            three_or_six_in_24=bool(row["flag_3_or_6_in_24"]),
            accounts=accounts,
        ),
        liabilities=Liabilities(
            outstanding_balance=_money(row["outstanding_balance_fen"], currency),
            monthly_obligations=_money(row["monthly_obligations_fen"], currency),
            monthly_income=None if income is None else Money(income, currency),
            debt_to_income=debt_to_income,
            revolving_balance=_money(row["revolving_balance_fen"], currency),
            revolving_limit=_money(row["revolving_limit_fen"], currency),
            revolving_utilisation=utilisation,
            platforms=tuple(
                PlatformLine(
                    p.furnisher,
                    names.get(p.furnisher, p.furnisher),
                    p.kind,
                    p.accounts,
                    p.accounts_open,
                    _money(p.outstanding_balance_fen, currency),
                    _money(p.monthly_obligations_fen, currency),
                    p.months_since_activity,
                    p.dormant,
                )
                for p in platform_indicators(view, currency, profile)
            ),
        ),
        multi_head=MultiHead(
            hard_inquiries=_windows(row, "hard_inquiries_{}d"),
            institutions=_windows(row, "institutions_{}d"),
            by_kind={
                kind: {
                    "hard_inquiries": _windows(row, f"hard_inquiries_{kind}_{{}}d"),
                    "institutions": _windows(row, f"institutions_{kind}_{{}}d"),
                }
                for kind in FURNISHER_KINDS
            },
        ),
        untrustworthy=Untrustworthy(
            counts={kind: _count(row, f"public_records_{kind}") for kind in PUBLIC_RECORD_KINDS},
            records=tuple(
                PublicRecordLine(
                    r.ref,
                    r.kind,
                    r.court,
                    r.case_number,
                    r.filed_on,
                    None if r.amount is None else Money(r.amount, currency),
                    r.status,
                    r.ended_on,
                    r.ref in objected,
                    stated.get(r.ref),
                )
                for r in view.public_records
            ),
        ),
        blacklist=_blacklist(view, objected, stated),
        objections=Objections(
            objections=tuple(
                ObjectionLine(o.record, o.status, o.reason, o.filed_on, o.due_on)
                for o in facts.objections
            ),
            statements=tuple(StatementLine(s.record, s.text, s.on) for s in facts.statements),
        ),
        expiry_timeline=tuple(
            replace(e, under_objection=_objected(e.record, objected)) for e in view.expiry
        ),
        inquiries=tuple(
            InquiryLine(
                i.on,
                i.by,
                names.get(i.by) if i.by else None,
                i.purpose,
                i.hard,
                i.ref,
                i.ref in objected,
                stated.get(i.ref),
            )
            for i in recent_inquiries(view)
        ),
        indicators=row,
    )


def _blacklist(
    view: VisibleFile, objected: frozenset[str], stated: Mapping[str, str]
) -> BlacklistHits:
    by_source: dict[str, Counter[str]] = {}
    for entry in view.blacklist:
        by_source.setdefault(entry.source, Counter())[entry.category] += 1
    return BlacklistHits(
        hits=len(view.blacklist),
        by_source={source: dict(counts) for source, counts in sorted(by_source.items())},
        entries=tuple(
            BlacklistLine(
                b.ref,
                b.source,
                b.category,
                b.listed_on,
                b.expires_on,
                b.reason,
                b.ref in objected,
                stated.get(b.ref),
            )
            for b in view.blacklist
        ),
    )
