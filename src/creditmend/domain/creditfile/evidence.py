"""What a subject brings to an objection, and the bureau's automatic check of it.

The check answers one question the source article raises: was an overdue caused by an auto-debit
that failed although it should have gone through? The bureau (for an objection) and the advisor
(for a borrower's own loans) ask it the same way, through `deduction_finding`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from creditmend.domain.calendar import parse_date
from creditmend.domain.i18n import N_, Said
from creditmend.domain.problems import Problem
from creditmend.domain.text import NAME_MAX_CHARS, text_problems_in

# Failures that are not the borrower's doing: the platform's debit run or the bank's systems.
# Insufficient funds, an expired card or a frozen account are on the borrower's side; `other`
# proves nothing without a balance.
NOT_BORROWER_SIDE = frozenset({"platform_error", "bank_error"})
# Those codes as a finding names them: the English is the code, the Chinese says what it means.
_NOT_BORROWER_SIDE_WORDS = {"platform_error": N_("platform_error"), "bank_error": N_("bank_error")}
FAILURE_REASONS = (
    "insufficient_funds",
    "platform_error",
    "bank_error",
    "card_expired",
    "account_frozen",
    "other",
)
# A furnisher may say so itself: a month furnished with this remark had a failed debit on the
# platform's side.
PLATFORM_FAILURE_REMARK = "deduction_failed_platform"
_SHA256 = re.compile(r"[0-9a-f]{64}")
# The amounts CMF v1 accepts (15 digits, at most 2 decimals), without a sign.
_AMOUNT = re.compile(r"[0-9]{1,15}(\.[0-9]{1,2})?")


def plain_amount(raw: Any) -> Decimal:
    """An amount written as CMF writes one ("1100.16"); ValueError for anything else."""
    if not isinstance(raw, str) or not _AMOUNT.fullmatch(raw):
        raise ValueError('must be an amount like "1100.16" (up to 15 digits, 2 decimals)')
    return Decimal(raw)


class Dated(NamedTuple):
    on: date
    amount: Decimal


class Attempt(NamedTuple):
    on: date
    succeeded: bool
    reason: str | None


def dated_after(evidence: Evidence, day: date) -> tuple[Problem, ...]:
    """Evidence of something that has not happened yet on the day it is filed is not evidence."""
    items: tuple[tuple[str, Sequence[Dated | Attempt]], ...] = (
        ("bank_balances", evidence.bank_balances),
        ("payments", evidence.payments),
        ("deduction_attempts", evidence.deduction_attempts),
    )
    return tuple(
        Problem(f"evidence.{name}[{index}].on", f"{item.on} is after the filing day {day}")
        for name, listed in items
        for index, item in enumerate(listed)
        if item.on > day
    )


class Attachment(NamedTuple):
    name: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Evidence:
    bank_balances: tuple[Dated, ...] = ()
    payments: tuple[Dated, ...] = ()
    deduction_attempts: tuple[Attempt, ...] = ()
    files: tuple[Attachment, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.bank_balances or self.payments or self.deduction_attempts or self.files)

    def adds_to(self, earlier: Evidence) -> bool:
        """Whether anything here is new compared with `earlier` (a repeat needs nothing new)."""
        return not (
            set(self.bank_balances) <= set(earlier.bank_balances)
            and set(self.payments) <= set(earlier.payments)
            and set(self.deduction_attempts) <= set(earlier.deduction_attempts)
            and set(self.files) <= set(earlier.files)
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "bank_balances": [
                {"on": d.on.isoformat(), "amount": str(d.amount)} for d in self.bank_balances
            ],
            "payments": [{"on": d.on.isoformat(), "amount": str(d.amount)} for d in self.payments],
            "deduction_attempts": [
                {
                    "on": a.on.isoformat(),
                    "result": "succeeded" if a.succeeded else "failed",
                    "reason": a.reason,
                }
                for a in self.deduction_attempts
            ],
            "files": [{"name": f.name, "sha256": f.sha256} for f in self.files],
        }

    @property
    def sha256(self) -> str:
        text = json.dumps(self.to_json(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


def parse_evidence(data: Any, source: str = "evidence") -> tuple[Evidence, tuple[Problem, ...]]:
    """Evidence from its JSON form; every problem names its key path."""
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        return Evidence(), (Problem(source, "must be a JSON object"),)
    refused = text_problems_in(data, source=source, max_chars=NAME_MAX_CHARS)
    if refused:  # a file name is shown to the furnisher and in the reply letter
        return Evidence(), refused
    unknown = sorted(set(data) - {"bank_balances", "payments", "deduction_attempts", "files"})
    for key in unknown:
        problems.append(Problem(f"{source}.{key}", "is not an evidence key"))

    def items(key: str) -> list[tuple[str, Mapping[str, Any]]]:
        raw = data.get(key, [])
        if not isinstance(raw, list):
            problems.append(Problem(f"{source}.{key}", "must be a list"))
            return []
        found = []
        for index, item in enumerate(raw):
            path = f"{source}.{key}[{index}]"
            if isinstance(item, Mapping):
                found.append((path, item))
            else:
                problems.append(Problem(path, "must be an object"))
        return found

    def day(path: str, item: Mapping[str, Any]) -> date | None:
        try:
            return parse_date(str(item["on"]))
        except KeyError:
            problems.append(Problem(f"{path}.on", "is missing"))
        except ValueError as error:
            problems.append(Problem(f"{path}.on", str(error)))
        return None

    def amount(path: str, item: Mapping[str, Any]) -> Decimal | None:
        try:
            return plain_amount(item.get("amount"))
        except ValueError as error:
            problems.append(Problem(f"{path}.amount", str(error)))
            return None

    def dated(key: str) -> tuple[Dated, ...]:
        values = []
        for path, item in items(key):
            on, value = day(path, item), amount(path, item)
            if on is not None and value is not None:
                values.append(Dated(on, value))
        return tuple(values)

    attempts = []
    for path, item in items("deduction_attempts"):
        on = day(path, item)
        result, reason = item.get("result"), item.get("reason")
        if result not in ("failed", "succeeded"):
            problems.append(Problem(f"{path}.result", "must be failed or succeeded"))
        if reason is not None and reason not in FAILURE_REASONS:
            problems.append(
                Problem(f"{path}.reason", f"must be one of {', '.join(FAILURE_REASONS)}")
            )
        if on is not None and result in ("failed", "succeeded"):
            attempts.append(Attempt(on, result == "succeeded", reason))
    files = []
    for path, item in items("files"):
        name, digest = item.get("name"), item.get("sha256")
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem(f"{path}.name", "must be a file name"))
        elif not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            problems.append(Problem(f"{path}.sha256", "must be 64 lower-case hex digits"))
        else:
            files.append(Attachment(name, digest))
    evidence = Evidence(dated("bank_balances"), dated("payments"), tuple(attempts), tuple(files))
    return evidence, tuple(problems)


@dataclass(frozen=True, slots=True)
class DueDay:
    """One due date of an account: when, how much, and what the furnisher said about it."""

    due_on: date | None  # None when the furnished data does not tell the day
    period: date  # first day of the month reported
    amount_due: Decimal
    remarks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    grounded: bool  # the overdue was not the borrower's doing
    summary: tuple[str, ...]


def _on_the_day(on: date, due: DueDay) -> bool:
    """The due date itself; when it is not known, any day of the month reported."""
    if due.due_on is not None:
        return on == due.due_on
    return (on.year, on.month) == (due.period.year, due.period.month)


def deduction_finding(due: DueDay, evidence: Evidence) -> Finding:
    """Grounded when the furnished data says the platform's debit failed, or the evidence holds
    a failed debit on the due date for a reason on the platform's or bank's side, or a bank
    balance on the due date at least the amount due."""
    reasons: list[str] = []
    day = due.due_on.isoformat() if due.due_on else f"{due.period:%Y-%m}"
    if PLATFORM_FAILURE_REMARK in due.remarks:
        reasons.append(
            Said(
                N_("the furnisher reported a failed debit on its side in %(month)s"),
                month=f"{due.period:%Y-%m}",
            )
        )
    for attempt in evidence.deduction_attempts:
        if (
            not attempt.succeeded
            and attempt.reason in NOT_BORROWER_SIDE
            and _on_the_day(attempt.on, due)
        ):
            reasons.append(
                Said(
                    N_("the debit on %(on)s failed for %(reason)s"),
                    on=attempt.on,
                    reason=Said(_NOT_BORROWER_SIDE_WORDS[str(attempt.reason)]),
                )
            )
    for balance in evidence.bank_balances:
        if _on_the_day(balance.on, due) and balance.amount >= due.amount_due:
            reasons.append(
                Said(
                    N_("the bank balance on %(on)s was %(balance)s, at least the %(due)s due"),
                    on=balance.on,
                    balance=f"{balance.amount:.2f}",
                    due=f"{due.amount_due:.2f}",
                )
            )
    if reasons:
        return Finding(True, tuple(reasons))
    missing = Said(
        N_("no failed debit on the platform's side and no sufficient balance on %(day)s"),
        day=day,
    )
    return Finding(False, (missing,))


def due_day_of(
    period: date,
    scheduled: Decimal,
    past_due: Decimal,
    first_delinquency_on: date | None,
    remarks: Sequence[str],
) -> DueDay:
    """The due day behind one furnished month: the day before the overdue began, when that
    falls in the month; the amount scheduled (or, when nothing was scheduled, the past-due)."""
    due_on = None
    if first_delinquency_on is not None:
        candidate = date.fromordinal(first_delinquency_on.toordinal() - 1)
        if (candidate.year, candidate.month) == (period.year, period.month):
            due_on = candidate
    return DueDay(due_on, period, scheduled if scheduled > 0 else past_due, tuple(remarks))
