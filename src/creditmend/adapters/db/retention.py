"""Retention in the store: the negative facts known on a day (overdue episodes from the
furnished months, court records, blacklist entries; what an objection deleted left out), the
decisions of each run, and the archive of what they hid."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from creditmend.adapters.db import tables as t
from creditmend.adapters.db.base import UnitOfWork, audit, from_fen
from creditmend.adapters.db.objections import objection_facts
from creditmend.domain.creditfile.retention import (
    Archived,
    Decision,
    MonthRow,
    NegativeFact,
    overdue_episodes,
)
from creditmend.domain.rules.policies import FactKind


class SqlRetentionRepository:
    """The `RetentionRepository` port."""

    def __init__(self, unit_of_work: UnitOfWork) -> None:
        self.unit_of_work = unit_of_work

    def negative_facts(self, as_of: date) -> list[tuple[int, NegativeFact]]:
        """(person, fact) for every negative fact known on `as_of`: overdue episodes derived from
        the furnished months, public records (a revoked listing is no negative information) and
        blacklist entries."""
        with self.unit_of_work.reading() as conn:
            return negative_facts(conn, as_of, None)

    def save_decisions(
        self, decisions: Sequence[tuple[int, NegativeFact, Decision]], as_of: date, at: datetime
    ) -> int:
        """Add this run's decisions to the archive (a rerun for the same day replaces that day's);
        returns how many facts this run hides that the latest earlier run showed."""
        newly_hidden = 0
        decisions_table = t.retention_decisions
        with self.unit_of_work.transaction() as conn:
            conn.execute(decisions_table.delete().where(decisions_table.c.decided_on == as_of))
            last = conn.execute(select(func.max(decisions_table.c.decided_at))).scalar_one()
            before = (
                {
                    row.fact_key: row.shown
                    for row in conn.execute(
                        select(decisions_table.c.fact_key, decisions_table.c.shown).where(
                            decisions_table.c.decided_at == last
                        )
                    )
                }
                if last is not None
                else {}
            )
            rows = [
                {
                    "fact_key": d.fact_key,
                    "person_id": person,
                    "kind": str(fact.kind),
                    "shown": d.shown,
                    "hidden_from": d.hidden_from,
                    "visible_until": d.visible_until,
                    "reason": d.reason,
                    "decided_on": as_of,
                    "decided_at": at,
                }
                for person, fact, d in decisions
            ]
            if rows:
                conn.execute(insert(t.retention_decisions), rows)
            newly_hidden = sum(
                1 for r in rows if not r["shown"] and before.get(r["fact_key"], True)
            )
            audit(
                conn,
                at,
                "operator",
                "retention",
                detail={
                    "as_of": as_of.isoformat(),
                    "facts": len(rows),
                    "newly_hidden": newly_hidden,
                },
            )
        return newly_hidden

    def archive(self, as_of: date, at: datetime) -> tuple[date | None, list[Archived]]:
        decisions = t.retention_decisions
        with self.unit_of_work.transaction() as conn:
            day = conn.execute(
                select(func.max(decisions.c.decided_on)).where(decisions.c.decided_on <= as_of)
            ).scalar_one_or_none()
            rows = (
                conn.execute(
                    select(decisions)
                    .where(decisions.c.decided_on == day, decisions.c.shown.is_(False))
                    .order_by(decisions.c.person_id, decisions.c.fact_key)
                ).all()
                if day is not None
                else []
            )
            audit(
                conn,
                at,
                "operator",
                "archive_view",
                detail={"as_of": as_of.isoformat(), "run": None if day is None else str(day)},
            )
        return day, [
            Archived(r.fact_key, r.person_id, r.kind, r.hidden_from, r.reason, r.decided_on)
            for r in rows
        ]


def negative_facts(
    conn: Connection, as_of: date, persons: Sequence[int] | None
) -> list[tuple[int, NegativeFact]]:
    accounts = select(t.accounts.c.id, t.accounts.c.person_id)
    if persons is not None:
        accounts = accounts.where(t.accounts.c.person_id.in_(persons))
    owners = dict(conn.execute(accounts).all())
    # Records an objection deleted are no negative information any more.
    deleted = objection_facts(conn, persons, as_of)[2].values()
    gone_accounts = {pk for d in deleted for pk in d.accounts}
    gone_months = {key for d in deleted for key in d.months}
    gone_refs = {ref for d in deleted for ref in d.refs}
    facts: list[tuple[int, NegativeFact]] = []
    for account, rows in month_rows(conn, persons, as_of).items():
        if account in gone_accounts:
            continue
        kept = [row for row in rows if (account, row.period) not in gone_months]
        facts += [(owners[account], fact) for fact in overdue_episodes(kept, f"account:{account}")]
    records = record_negative_facts(conn, as_of, persons)
    return facts + [(person, fact) for person, fact in records if fact.key not in gone_refs]


def record_negative_facts(
    conn: Connection, as_of: date, persons: Sequence[int] | None
) -> list[tuple[int, NegativeFact]]:
    """Court records (a revoked listing is no negative information) and blacklist entries."""
    facts: list[tuple[int, NegativeFact]] = []
    public = select(t.public_records).where(
        t.public_records.c.filed_on <= as_of, t.public_records.c.status != "revoked"
    )
    blacklist = select(t.blacklist_entries).where(t.blacklist_entries.c.listed_on <= as_of)
    if persons is not None:
        public = public.where(t.public_records.c.person_id.in_(persons))
        blacklist = blacklist.where(t.blacklist_entries.c.person_id.in_(persons))
    for row in conn.execute(public):
        amount = None if row.amount_fen is None else from_fen(row.amount_fen)
        facts.append(
            (
                row.person_id,
                NegativeFact(
                    FactKind.PUBLIC_RECORD,
                    f"public_record:{row.id}",
                    row.filed_on,
                    row.ended_on,
                    amount,
                ),
            )
        )
    for row in conn.execute(blacklist):
        facts.append(
            (
                row.person_id,
                NegativeFact(
                    FactKind.BLACKLIST,
                    f"blacklist:{row.id}",
                    row.listed_on,
                    None,
                    expires_on=row.expires_on,
                ),
            )
        )
    return facts


def month_rows(
    conn: Connection, persons: Sequence[int] | None, as_of: date
) -> dict[int, list[MonthRow]]:
    """Every furnished month up to `as_of` of the persons' accounts (None: everyone's)."""
    m = t.account_months.c
    # Only what `month_row` reads: a retention run reads every month of the store.
    query = (
        select(
            m.account_pk,
            m.period,
            m.days_past_due,
            m.past_due_fen,
            m.status,
            m.last_payment_on,
            m.closed_on,
        )
        .where(m.period <= as_of)
        .order_by(m.account_pk, m.period)
    )
    if persons is not None:
        theirs = select(t.accounts.c.id).where(t.accounts.c.person_id.in_(persons))
        query = query.where(m.account_pk.in_(theirs))
    months: dict[int, list[MonthRow]] = {}
    amounts: dict[int, Decimal] = {}  # each distinct past-due amount converted once
    history: list[MonthRow] = []
    last = None
    for pk, period, days, past_due, status, last_payment, closed in conn.execute(query):
        if pk != last:
            history = months[pk] = []
            last = pk
        amount = amounts.get(past_due)
        if amount is None:
            amount = amounts[past_due] = from_fen(past_due)
        history.append(MonthRow(period, days, amount, status, last_payment, closed))
    return months


def month_row(row: Any) -> MonthRow:
    """What overdue episodes need from one stored month."""
    return MonthRow(
        row.period,
        row.days_past_due,
        from_fen(row.past_due_fen),
        row.status,
        row.last_payment_on,
        row.closed_on,
    )
