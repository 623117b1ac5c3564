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

- an inquiry of the file (as the report's inquiries section shows it) that the bureau's own
  log shows was made without consent (Order 631 Art. 18, `inquiry.consent_fault`): no
  consent reference logged, or the file read after the consent's logged term ended or before
  it was signed. The objection desk's check proposes deleting it on the log alone, so it can
  be filed as it stands (reason `inquiry_without_consent`, `needs_evidence` False).

A record already under an open objection, or objected to for the same reason before, is left
out: the desk is on it, or filing it again without new evidence is a repeat. Each candidate
carries the exact command that files it (`creditmend object file ...`), as the advisor's own
candidates do; one that needs evidence names the file to write it in.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from creditmend.domain.creditfile.evidence import PLATFORM_FAILURE_REMARK
from creditmend.domain.creditfile.inquiry import (
    CONSENT_EXPIRED,
    CONSENT_NOT_YET_SIGNED,
    NO_CONSENT_LOGGED,
    SELF,
    consent_fault,
    look_day,
)
from creditmend.domain.creditfile.objection import Reason
from creditmend.domain.i18n import N_
from creditmend.domain.report.file import (
    AccountFacts,
    CreditFileFacts,
    InquiryFacts,
    MonthLine,
    VisibleFile,
    recent_inquiries,
)
from creditmend.domain.rules.profile import JurisdictionProfile

REASON = Reason.DEDUCTION_FAILED_NOT_MY_FAULT.value
INQUIRY_REASON = Reason.INQUIRY_WITHOUT_CONSENT.value
OVERDUE_CODES = frozenset("1234567")  # the overdue buckets of the report's grid
FIRST_BUCKET = "1"  # 1 to 30 days past due
EVIDENCE_FILE = "evidence.json"  # where the command of a candidate needing evidence reads it


@dataclass(frozen=True, slots=True)
class FileCandidate:
    """One record of the file worth an objection, as the report names it: a month of an
    account, or an inquiry."""

    record: str  # account:FURNISHER:ACCOUNT_ID:YYYY-MM or inquiry:ID
    furnisher: str  # the account's furnisher, or the inquirer
    furnisher_name: str
    account_id: str | None  # None for an inquiry
    month: str  # YYYY-MM: the month reported, or the inquiry's
    days_past_due: int | None  # None for an inquiry
    needs_evidence: bool  # False: the bureau's check grounds it on its own data alone
    why: str  # `FURNISHER_SAID`, `LONE_SHORT_MONTH` or an `inquiry.consent_fault` code
    reason: str = REASON
    command: str = ""  # the line that files it
    inquired_on: date | None = None  # an inquiry's day (its report's as-of)
    purpose: str | None = None  # an inquiry's purpose


FURNISHER_SAID = "furnisher_reported_failed_debit"
LONE_SHORT_MONTH = "lone_short_overdue_month"

# What each kind of candidate means to the borrower, for the views (the plan in the terminal,
# its HTML page, the portal): message ids, with the placeholders `days` (days past due), `by`
# (the inquirer's name), `on` (the inquiry's day) and `purpose`.
WHY_WORDS = {
    FURNISHER_SAID: N_(
        "the platform itself reported that its automatic debit failed on its side: the "
        "bureau's check accepts this without more evidence."
    ),
    LONE_SHORT_MONTH: N_(
        "one month %(days)s days late on an account otherwise paid as agreed. If the automatic "
        "debit failed on the platform's or the bank's side, or your balance was enough on the "
        "due day, object with your bank statement or the failed debit's notice."
    ),
    NO_CONSENT_LOGGED: N_(
        "%(by)s read your file on %(on)s (%(purpose)s) with no consent of yours logged: the "
        "bureau's own log grounds the objection, without more evidence."
    ),
    CONSENT_EXPIRED: N_(
        "%(by)s read your file on %(on)s (%(purpose)s) after your consent had expired: the "
        "bureau's own log grounds the objection, without more evidence."
    ),
    CONSENT_NOT_YET_SIGNED: N_(
        "%(by)s read your file on %(on)s (%(purpose)s) before your consent was signed: the "
        "bureau's own log grounds the objection, without more evidence."
    ),
}


def file_command(id_type: str, id_number: str, record: str, reason: str, evidence: bool) -> str:
    """`creditmend object file ...` for one candidate, quoted for a POSIX shell."""
    words = ["creditmend", "object", "file", id_type, id_number, "--record", record]
    words += ["--reason", reason, *(("--evidence", EVIDENCE_FILE) if evidence else ())]
    return shlex.join(words)


def file_candidates(
    facts: CreditFileFacts,
    view: VisibleFile,
    profile: JurisdictionProfile,
    id_type: str = "ID_TYPE",
    id_number: str = "ID_NUMBER",
) -> tuple[FileCandidate, ...]:
    """The candidates of the file as `view` shows it on its day (months retention hides are
    not shown, so not candidates), newest month first within each account, then the
    inquiries, newest first. `id_type`/`id_number` go into the commands."""
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
            if _objected(facts, record, REASON):
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
                    command=file_command(id_type, id_number, record, REASON, not said),
                )
            )
    for inquiry in recent_inquiries(view):
        candidate = _inquiry_candidate(facts, inquiry, profile, id_type, id_number)
        if candidate is not None:
            found.append(candidate)
    return tuple(found)


def _objected(facts: CreditFileFacts, record: str, reason: str) -> bool:
    """Under an open objection, or objected to for `reason` before."""
    return any(o.record == record and (o.is_open or o.reason == reason) for o in facts.objections)


def _inquiry_candidate(
    facts: CreditFileFacts,
    inquiry: InquiryFacts,
    profile: JurisdictionProfile,
    id_type: str,
    id_number: str,
) -> FileCandidate | None:
    """A third party's look the log shows made without consent in force on its day."""
    if inquiry.by is None or inquiry.purpose == SELF or not inquiry.ref:
        return None  # the subject's own looks need no consent
    looked_on = inquiry.on if inquiry.at is None else look_day(inquiry.at, profile)
    why = consent_fault(
        inquiry.purpose,
        inquiry.consent_ref,
        inquiry.consent_signed_on,
        inquiry.consent_expires_on,
        looked_on,
    )
    if why is None or _objected(facts, inquiry.ref, INQUIRY_REASON):
        return None
    name = facts.furnishers.get(inquiry.by)
    return FileCandidate(
        record=inquiry.ref,
        furnisher=inquiry.by,
        furnisher_name=name.name if name is not None else inquiry.by,
        account_id=None,
        month=f"{inquiry.on:%Y-%m}",
        days_past_due=None,
        needs_evidence=False,
        why=why,
        reason=INQUIRY_REASON,
        command=file_command(id_type, id_number, inquiry.ref, INQUIRY_REASON, False),
        inquired_on=inquiry.on,
        purpose=inquiry.purpose,
    )


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
            "command": c.command,
            "inquired_on": None if c.inquired_on is None else c.inquired_on.isoformat(),
            "purpose": c.purpose,
        }
        for c in candidates
    ]
