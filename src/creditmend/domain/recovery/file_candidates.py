"""Objection candidates from the bureau's own data: the months of a person's file, as a report
shows them, that an objection could clear.

The advisor's other candidates (`candidates.py`) need the borrower's own record of a failed
auto-debit (its day, its reason, the bank balance), which the bureau does not hold: a plan made
from the bureau's data alone finds none there. What the bureau does hold says two things:

- a month furnished with the furnisher's own remark that its debit failed on its side
  (`deduction_failed_platform`) and shown overdue: the bureau's automatic check
  (`deduction_finding`) grounds it on the remark alone, so it can be filed as it stands, with
  no evidence (`needs_evidence` False);
- a lone short overdue month (the first overdue bucket, 1 to 30 days) on an account whose
  other shown months are all current: the pattern a failed debit paid by hand a few days late
  leaves. The bureau cannot tell whose fault it was; the
  borrower's bank statement or the failed debit's notice can, so it is worth an objection
  with that evidence (`needs_evidence` True).

A month already under an open objection, or objected to for the same reason before, is left
out: the desk is on it, or filing it again without new evidence is a repeat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from creditmend.domain.creditfile.evidence import PLATFORM_FAILURE_REMARK
from creditmend.domain.report.file import AccountFacts, CreditFileFacts, MonthLine, VisibleFile

REASON = "deduction_failed_not_my_fault"
OVERDUE_CODES = frozenset("1234567")  # the overdue buckets of the report's grid
FIRST_BUCKET = "1"  # 1 to 30 days past due


@dataclass(frozen=True, slots=True)
class FileCandidate:
    """One month of the file worth an objection, as the report names it."""

    record: str  # account:FURNISHER:ACCOUNT_ID:YYYY-MM
    furnisher: str
    furnisher_name: str
    account_id: str
    month: str  # YYYY-MM
    days_past_due: int
    needs_evidence: bool  # False: the bureau's check grounds it on the furnished data alone
    why: str  # `FURNISHER_SAID` or `LONE_SHORT_MONTH`
    reason: str = REASON


FURNISHER_SAID = "furnisher_reported_failed_debit"
LONE_SHORT_MONTH = "lone_short_overdue_month"


def file_candidates(facts: CreditFileFacts, view: VisibleFile) -> tuple[FileCandidate, ...]:
    """The candidates of the file as `view` shows it on its day (months retention hides are
    not shown, so not candidates), newest month first within each account."""
    objected = {o.record for o in facts.objections if o.is_open or o.reason == REASON}
    stored = {account.key: account for account in facts.accounts}
    found: list[FileCandidate] = []
    for account in view.accounts:
        months = account.months
        remarks = _remarks(stored.get(account.key))
        name = facts.furnishers.get(account.furnisher)
        for index in reversed(range(len(months))):
            line = months[index]
            if line.code not in OVERDUE_CODES:
                continue
            record = f"account:{account.furnisher}:{account.account_id}:{line.period:%Y-%m}"
            if record in objected:
                continue
            said = PLATFORM_FAILURE_REMARK in remarks.get(line.period, ())
            if not said and not _lone_short(months, index):
                continue
            found.append(
                FileCandidate(
                    record=record,
                    furnisher=account.furnisher,
                    furnisher_name=name.name if name is not None else account.furnisher,
                    account_id=account.account_id,
                    month=f"{line.period:%Y-%m}",
                    days_past_due=line.days_past_due,
                    needs_evidence=not said,
                    why=FURNISHER_SAID if said else LONE_SHORT_MONTH,
                )
            )
    return tuple(found)


def _remarks(account: AccountFacts | None) -> dict[date, tuple[str, ...]]:
    if account is None:
        return {}
    return {period: month.remarks for period, month in account.months.items()}


def _lone_short(months: Sequence[MonthLine], index: int) -> bool:
    """The first bucket, with the account's other shown months all current (a late month on an
    account otherwise paid as agreed)."""
    if months[index].code != FIRST_BUCKET:
        return False
    return all(
        line.code not in OVERDUE_CODES for position, line in enumerate(months) if position != index
    )


def file_candidates_json(candidates: Sequence[FileCandidate]) -> list[dict[str, object]]:
    """The `file_candidates` key of the plan's JSON."""
    return [
        {
            "record": c.record,
            "furnisher": c.furnisher,
            "furnisher_name": c.furnisher_name,
            "account_id": c.account_id,
            "month": c.month,
            "days_past_due": c.days_past_due,
            "reason": c.reason,
            "needs_evidence": c.needs_evidence,
            "why": c.why,
        }
        for c in candidates
    ]
