"""The report's published JSON form: sections as top-level keys, amounts as decimal strings,
dates ISO 8601. The schema it validates against ships as `schemas/report_v1.schema.json`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from creditmend.domain.money import Money
from creditmend.domain.report.model import AccountLine, Report

SCHEMA_VERSION = "report/v1"


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _amount(value: Money | Decimal | None) -> str | None:
    if value is None:
        return None
    return str(value.amount if isinstance(value, Money) else value)


def _account(a: AccountLine) -> dict[str, Any]:
    return {
        "furnisher_id": a.furnisher_id,
        "furnisher_name": a.furnisher_name,
        "account_id": a.account_id,
        "account_type": a.account_type,
        "currency": a.currency,
        "opened_on": _day(a.opened_on),
        "last_reported": a.last_reported.strftime("%Y-%m"),
        "status": a.status,
        "balance": _amount(a.balance),
        "days_past_due": a.days_past_due,
        "past_due_amount": _amount(a.past_due_amount),
        "grid": list(a.grid),
        "grid_starts": a.grid_starts.strftime("%Y-%m"),
        "three_or_six_in_24": a.three_or_six_in_24,
        "under_objection": a.under_objection,
        "statement": a.statement,
    }


def report_json(report: Report) -> dict[str, Any]:
    h, s, lh, o, li = (
        report.header,
        report.summary,
        report.loan_history,
        report.overdue,
        report.liabilities,
    )
    return {
        "header": {
            "schema": SCHEMA_VERSION,
            "report_id": h.report_id,
            "as_of": _day(h.as_of),
            "subject": {"id": h.subject_id, "name": h.subject_name},
            "purpose": h.purpose,
            "inquirer": h.inquirer,
            "currency": h.currency,
            "has_file": h.has_file,
            "notices": list(h.notices),
            "missing": list(h.missing),
        },
        "summary": {
            "score": s.score,
            "band": s.band,
            "reasons": [{"code": r.code, "text": r.text, "text_zh": r.text_zh} for r in s.reasons],
            "flags": list(s.flags),
        },
        "loan_history": {
            "platforms_ever": lh.platforms_ever,
            "platforms_open": lh.platforms_open,
            "platforms_settled": lh.platforms_settled,
            "accounts_ever": lh.accounts_ever,
            "accounts_open": lh.accounts_open,
            "accounts_settled": lh.accounts_settled,
            "first_loan_on": _day(lh.first_loan_on),
            "amount_borrowed": _amount(lh.amount_borrowed),
            "credit_limit": _amount(lh.credit_limit),
            "by_type": [
                {
                    "account_type": t.account_type,
                    "accounts": t.accounts,
                    "accounts_open": t.accounts_open,
                    "amount_borrowed": _amount(t.amount_borrowed),
                    "credit_limit": _amount(t.credit_limit),
                }
                for t in lh.by_type
            ],
        },
        "overdue": {
            "current_overdue_accounts": o.current_overdue_accounts,
            "current_overdue_amount": _amount(o.current_overdue_amount),
            "max_days_past_due": o.max_days_past_due,
            "months_at_status": {w: dict(codes) for w, codes in o.months_at_status.items()},
            "months_overdue": dict(o.months_overdue),
            "three_or_six_in_24": o.three_or_six_in_24,
            "accounts": [_account(a) for a in o.accounts],
        },
        "liabilities": {
            "outstanding_balance": _amount(li.outstanding_balance),
            "monthly_obligations": _amount(li.monthly_obligations),
            "monthly_income": _amount(li.monthly_income),
            "debt_to_income": _amount(li.debt_to_income),
            "revolving_balance": _amount(li.revolving_balance),
            "revolving_limit": _amount(li.revolving_limit),
            "revolving_utilisation": _amount(li.revolving_utilisation),
            "platforms": [
                {
                    "furnisher_id": p.furnisher_id,
                    "name": p.name,
                    "kind": p.kind,
                    "accounts": p.accounts,
                    "accounts_open": p.accounts_open,
                    "outstanding_balance": _amount(p.outstanding_balance),
                    "monthly_obligations": _amount(p.monthly_obligations),
                    "months_since_activity": p.months_since_activity,
                    "dormant": p.dormant,
                }
                for p in li.platforms
            ],
        },
        "multi_head": {
            "hard_inquiries": dict(report.multi_head.hard_inquiries),
            "institutions": dict(report.multi_head.institutions),
            **{
                kind: {name: dict(counts) for name, counts in by.items()}
                for kind, by in report.multi_head.by_kind.items()
            },
        },
        "untrustworthy": {
            "counts": dict(report.untrustworthy.counts),
            "records": [
                {
                    "record": r.record,
                    "kind": r.kind,
                    "court": r.court,
                    "case_number": r.case_number,
                    "filed_on": _day(r.filed_on),
                    "amount": _amount(r.amount),
                    "status": r.status,
                    "ended_on": _day(r.ended_on),
                    "under_objection": r.under_objection,
                    "statement": r.statement,
                }
                for r in report.untrustworthy.records
            ],
        },
        "blacklist": {
            "hits": report.blacklist.hits,
            "by_source": {k: dict(v) for k, v in report.blacklist.by_source.items()},
            "entries": [
                {
                    "record": b.record,
                    "source": b.source,
                    "category": b.category,
                    "listed_on": _day(b.listed_on),
                    "expires_on": _day(b.expires_on),
                    "reason": b.reason,
                    "under_objection": b.under_objection,
                    "statement": b.statement,
                }
                for b in report.blacklist.entries
            ],
        },
        "objections": {
            "objections": [
                {
                    "record": x.record,
                    "status": x.status,
                    "reason": x.reason,
                    "filed_on": _day(x.filed_on),
                    "due_on": _day(x.due_on),
                }
                for x in report.objections.objections
            ],
            "statements": [
                {"record": x.record, "text": x.text, "on": _day(x.on)}
                for x in report.objections.statements
            ],
        },
        "expiry_timeline": [
            {
                "record": e.record,
                "kind": e.kind,
                "expires_on": _day(e.expires_on),
                "reason": e.reason,
                "under_objection": e.under_objection,
            }
            for e in report.expiry_timeline
        ],
        "inquiries": [
            {
                "on": _day(i.on),
                "furnisher_id": i.furnisher_id,
                "furnisher_name": i.furnisher_name,
                "purpose": i.purpose,
                "hard": i.hard,
                "record": i.record,
                "under_objection": i.under_objection,
                "statement": i.statement,
            }
            for i in report.inquiries
        ],
    }
