"""Inquiries: consented third-party looks and self-inquiries, each logged before it is answered."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from creditmend.domain.creditfile.furnisher import mask_id
from creditmend.domain.creditfile.inquiry import InquiryRequest, is_hard, validate_inquiry
from creditmend.domain.creditfile.retention import (
    NegativeFact,
    apply_retention,
    retention_rules,
)
from creditmend.domain.creditfile.summary import (
    AccountFacts,
    CreditFileSummary,
    InquiryFacts,
    LookFacts,
    summarize,
)
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.rules.profile import JurisdictionProfile
from creditmend.services.retain import POLICIES


class InquiryStore(Protocol):
    def furnisher_codes(self) -> frozenset[str]: ...

    def who_looked(self, id_type: str, id_number: str, at: datetime) -> list[LookFacts]: ...

    def record_inquiry(
        self, request: InquiryRequest, hard: bool, at: datetime
    ) -> tuple[list[AccountFacts], list[InquiryFacts], list[NegativeFact]]: ...


@dataclass(frozen=True, slots=True)
class InquiryService:
    store: InquiryStore
    profile: JurisdictionProfile
    id_is_valid: Callable[[str, str], bool]

    def who_looked(self, id_type: str, id_number: str, at: datetime) -> list[LookFacts]:
        if not self.id_is_valid(id_type, id_number):
            raise ProblemsError((Problem("ID_NUMBER", f"is not a valid {id_type} number"),))
        return self.store.who_looked(id_type, id_number, at)

    def inquire(self, request: InquiryRequest, at: datetime) -> CreditFileSummary:
        problems = validate_inquiry(request, self.profile, self.store.furnisher_codes())
        if not self.id_is_valid(request.id_type, request.id_number):
            problems += (Problem("ID_NUMBER", f"is not a valid {request.id_type} number"),)
        if problems:
            raise ProblemsError(problems)
        hard = is_hard(request.purpose, self.profile)
        accounts, inquiries, facts = self.store.record_inquiry(request, hard, at)
        decisions = apply_retention(
            facts, request.on, POLICIES.get(self.profile.code, ()), retention_rules(self.profile)
        )
        return summarize(
            mask_id(request.id_number),
            accounts,
            inquiries,
            request.on,
            self.profile,
            list(zip(facts, decisions, strict=True)),
        )
