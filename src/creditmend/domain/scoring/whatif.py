"""What-if: the score after a change a borrower is weighing, against the score now.

A change is applied to the visible file (what the report shows), then the same indicators,
features and scorecard give the new score, so the answer is exactly what the bureau would show
if the change were furnished:

- `PayOff(account)`: the account is settled in the as-of month (balance and past due 0).
- `NewLoan(amount, term_months)`: a hard inquiry today and a new open account of that principal,
  its instalment (principal / term, half up to the fen) due from this month, opened today at a
  new non-bank lender: every count that sees inquiries (hard inquiries, institutions, by kind) and
  every count that sees accounts (open accounts, accounts opened, open platforms, by kind) sees it.
- `Inquiries(count, kind)`: `count` hard inquiries (loan approval) today, each from a different
  new institution of `kind` (`non_bank` by default: the online lenders multi-head borrowing goes
  to; `bank` as asked), so they count in every window (7 to 180 days) and as `count` institutions.
- `MonthsOnTime(n)`: n more months in which every open account is paid as agreed (the first one
  also clears what is past due), balances falling by the instalment until settled; the as-of day
  moves n months on, and negative records whose showing ends by then are no longer shown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from creditmend.domain.calendar import add_months
from creditmend.domain.creditfile.furnishing import ASSET_REPAID, GUARANTOR_PAID, AccountStatus
from creditmend.domain.creditfile.grid import MonthFacts, month_code, repayment_grid
from creditmend.domain.problems import FieldError
from creditmend.domain.report.file import AccountView, InquiryFacts, MonthLine, VisibleFile
from creditmend.domain.report.indicators import is_open, person_indicators
from creditmend.domain.rules.profile import JurisdictionProfile
from creditmend.domain.scoring.features import score_indicators
from creditmend.domain.scoring.scorecard import Scorecard, ScoreResult

FEN = Decimal("0.01")
WHAT_IF = "what-if"  # the furnisher code of a loan that does not exist yet


@dataclass(frozen=True, slots=True)
class PayOff:
    account: str  # the lender's account id, or FURNISHER:ACCOUNT_ID


@dataclass(frozen=True, slots=True)
class NewLoan:
    amount: Decimal
    term_months: int = 12


@dataclass(frozen=True, slots=True)
class MonthsOnTime:
    months: int


@dataclass(frozen=True, slots=True)
class Inquiries:
    count: int
    kind: str = "non_bank"  # bank | non_bank: the asking institutions' kind


Change = PayOff | NewLoan | MonthsOnTime | Inquiries
INQUIRY_KINDS = ("bank", "non_bank")


@dataclass(frozen=True, slots=True)
class WhatIf:
    change: Change
    before: ScoreResult
    after: ScoreResult
    as_of: date  # the day the new score is for

    @property
    def reasons_gone(self) -> tuple[str, ...]:
        """The reasons now that the change takes away, each with its Chinese (`Worded`)."""
        kept = {feature for feature, _ in self.after.reasons}
        words = zip(self.before.reasons, self.before.worded(), strict=True)
        return tuple(text for (feature, _), text in words if feature not in kept)

    @property
    def reasons_new(self) -> tuple[str, ...]:
        """The reasons the change brings, each with its Chinese (`Worded`)."""
        had = {feature for feature, _ in self.before.reasons}
        words = zip(self.after.reasons, self.after.worded(), strict=True)
        return tuple(text for (feature, _), text in words if feature not in had)


class WhatIfError(FieldError):
    pass


def _facts(line: MonthLine) -> MonthFacts:
    remarks = {"D": (GUARANTOR_PAID,), "Z": (ASSET_REPAID,)}.get(line.code, ())
    return MonthFacts(
        AccountStatus(line.status),
        line.days_past_due,
        line.scheduled,
        line.paid,
        line.past_due,
        remarks,
    )


def _line(period: date, status: AccountStatus, scheduled: Decimal, paid: Decimal,
          balance: Decimal, profile: JurisdictionProfile) -> MonthLine:  # fmt: skip
    facts = MonthFacts(status, 0, scheduled, paid, Decimal(0))
    return MonthLine(
        period, month_code(facts, profile), str(status), 0, scheduled, paid, balance, Decimal(0)
    )


def _with_months(
    account: AccountView, lines: list[MonthLine], as_of: date, profile: JurisdictionProfile
) -> AccountView:
    months = {line.period: _facts(line) for line in lines}
    grid = repayment_grid(months, account.opened_on, as_of, profile)
    return replace(account, months=tuple(lines), grid=grid)


def _pay_off(view: VisibleFile, account: str, profile: JurisdictionProfile) -> VisibleFile:
    month = view.as_of.replace(day=1)
    found = [a for a in view.accounts if account in {a.account_id, f"{a.furnisher}:{a.account_id}"}]
    if not found:
        raise WhatIfError("what_if.pay_off", f"no account {account!r} in this file")
    target = found[0]
    if not is_open(target):
        raise WhatIfError("what_if.pay_off", f"{account} is already {target.last.status}")
    last = target.last
    settle = _line(
        month, AccountStatus.SETTLED, Decimal(0), last.balance + last.past_due, Decimal(0), profile
    )
    lines = [line for line in target.months if line.period != month] + [settle]
    accounts = tuple(
        _with_months(a, lines, view.as_of, profile) if a is target else a for a in view.accounts
    )
    return replace(view, accounts=accounts)


def _new_loan(view: VisibleFile, loan: NewLoan, profile: JurisdictionProfile) -> VisibleFile:
    instalment = (loan.amount / loan.term_months).quantize(FEN, ROUND_HALF_UP)
    month = view.as_of.replace(day=1)
    opening = _line(month, AccountStatus.OPEN, instalment, Decimal(0), loan.amount, profile)
    account = AccountView(
        key="what-if",
        furnisher=WHAT_IF,
        furnisher_kind="non_bank",
        account_id="new-loan",
        account_type="online_consumer_loan",
        currency=view.accounts[0].currency if view.accounts else profile.currency,
        opened_on=view.as_of,
        principal=loan.amount,
        credit_limit=None,
        months=(opening,),
        grid=(),
    )
    account = _with_months(account, [opening], view.as_of, profile)
    inquiry = InquiryFacts(
        view.as_of, WHAT_IF, "loan_approval", True, "inquiry:what-if", "non_bank"
    )
    return replace(view, accounts=(*view.accounts, account), inquiries=(inquiry, *view.inquiries))


def _inquiries(view: VisibleFile, change: Inquiries) -> VisibleFile:
    asked = tuple(
        InquiryFacts(
            view.as_of,
            f"{WHAT_IF}-{n}",
            "loan_approval",
            True,
            f"inquiry:{WHAT_IF}-{n}",
            change.kind,
        )
        for n in range(1, change.count + 1)
    )
    return replace(view, inquiries=(*asked, *view.inquiries))


def _on_time(view: VisibleFile, months: int, profile: JurisdictionProfile) -> VisibleFile:
    as_of = add_months(view.as_of, months)
    accounts = []
    for account in view.accounts:
        if not is_open(account) or account.last.status == AccountStatus.CHARGED_OFF:
            accounts.append(_with_months(account, list(account.months), as_of, profile))
            continue
        lines = list(account.months)
        balance, scheduled = account.last.balance, account.last.scheduled
        start = view.as_of.replace(day=1)
        for step in range(1, months + 1):
            due = min(scheduled, balance) if scheduled > 0 else Decimal(0)
            paid = due + (account.last.past_due if step == 1 else Decimal(0))
            balance -= due
            status = AccountStatus.SETTLED if balance <= 0 else AccountStatus.OPEN
            period = add_months(start, step)
            lines = [line for line in lines if line.period != period]
            lines.append(_line(period, status, due, paid, max(balance, Decimal(0)), profile))
            if status == AccountStatus.SETTLED:
                break
        accounts.append(_with_months(account, lines, as_of, profile))
    expiry = tuple(e for e in view.expiry if e.expires_on is None or e.expires_on > as_of)
    return replace(view, as_of=as_of, accounts=tuple(accounts), expiry=expiry)


def check_change(change: Change) -> None:
    """What can be wrong with a change whatever the file (checked before the file is read, so a
    refused question leaves no look behind); an unknown account to pay off needs the file."""
    if isinstance(change, NewLoan) and (change.amount <= 0 or change.term_months < 1):
        raise WhatIfError("what_if.new_loan", "the amount and the term must be more than 0")
    if isinstance(change, MonthsOnTime) and change.months < 1:
        raise WhatIfError("what_if.months_on_time", "must be at least 1")
    if isinstance(change, PayOff) and not change.account.strip():
        raise WhatIfError("what_if.pay_off", "name an account")
    if isinstance(change, Inquiries):
        if change.count < 1:
            raise WhatIfError("what_if.inquiries", "must be at least 1")
        if change.kind not in INQUIRY_KINDS:
            raise WhatIfError("what_if.inquiry_kind", f"{change.kind!r} is not bank or non_bank")


def apply_change(view: VisibleFile, change: Change, profile: JurisdictionProfile) -> VisibleFile:
    check_change(change)
    if isinstance(change, PayOff):
        return _pay_off(view, change.account, profile)
    if isinstance(change, NewLoan):
        return _new_loan(view, change, profile)
    if isinstance(change, Inquiries):
        return _inquiries(view, change)
    return _on_time(view, change.months, profile)


def score_view(
    card: Scorecard, view: VisibleFile, currency: str, profile: JurisdictionProfile
) -> ScoreResult:
    """The score of a file, as its report gives it (`score_indicators`)."""
    return score_indicators(card, person_indicators(view, currency, profile))


def what_if(
    card: Scorecard,
    view: VisibleFile,
    change: Change,
    profile: JurisdictionProfile,
    currency: str,
) -> WhatIf:
    changed = apply_change(view, change, profile)
    return WhatIf(
        change,
        score_view(card, view, currency, profile),
        score_view(card, changed, currency, profile),
        changed.as_of,
    )
