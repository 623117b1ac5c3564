"""Retention: which negative records stop being shown, and when each one will.

Order 631 Art. 16 keeps negative information 5 years from the day the bad behaviour ends; dated
policies (the PBOC credit repair of 2025-12-22) are rule records applied beside it. Nothing is
deleted: hidden facts stay in the store (the operator's archive) with the decision that hid them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from creditmend.domain.creditfile.retention import (
    Archived,
    apply_retention,
    retention_rules,
)
from creditmend.domain.rules.profile import JurisdictionProfile
from creditmend.services.ports import RetentionRepository


@dataclass(frozen=True, slots=True)
class RetentionReport:
    as_of: date
    facts: int
    shown: int
    hidden: int
    newly_hidden: int
    hidden_by: dict[str, int]  # reason -> count
    next_expiry: date | None  # the next day something stops being shown


@dataclass(frozen=True, slots=True)
class RetentionService:
    retention_repository: RetentionRepository
    profile: JurisdictionProfile

    def archive(self, as_of: date, at: datetime) -> tuple[date | None, list[Archived]]:
        """What the latest run on or before `as_of` hid (and that run's day); reading the
        archive is itself audited."""
        return self.retention_repository.archive(as_of, at)

    def retain(self, as_of: date, at: datetime) -> RetentionReport:
        known = self.retention_repository.negative_facts(as_of)
        decisions = apply_retention(
            [fact for _, fact in known],
            as_of,
            self.profile.dated_policies,
            retention_rules(self.profile),
        )
        rows = [
            (person, fact, decision)
            for (person, fact), decision in zip(known, decisions, strict=True)
        ]
        newly_hidden = self.retention_repository.save_decisions(rows, as_of, at)
        hidden = [d for d in decisions if not d.shown]
        upcoming = [d.visible_until for d in decisions if d.shown and d.visible_until]
        return RetentionReport(
            as_of=as_of,
            facts=len(decisions),
            shown=len(decisions) - len(hidden),
            hidden=len(hidden),
            newly_hidden=newly_hidden,
            hidden_by=dict(Counter(str(d.rule) for d in hidden)),
            next_expiry=min(upcoming, default=None),
        )
