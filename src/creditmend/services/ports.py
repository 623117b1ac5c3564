"""Ports the services need from the outside world; adapters implement them structurally.

Each store port is named by what it holds and lists only what the services call on it: a service
receives the ports it uses and nothing else (`bootstrap.build_bureau` composes them). The SQL
repositories in `adapters/db/` implement them on one engine and one unit of work; what must be
one transaction (a furnishing file applied whole, a repeat objection with its reply letter, an
outcome with its corrections, a run's retention decisions) is one call on one port.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from creditmend.domain.calendar import BusinessCalendar
from creditmend.domain.creditfile.corrections import Closing
from creditmend.domain.creditfile.furnisher import Furnisher
from creditmend.domain.creditfile.furnishing import FurnishedRecord
from creditmend.domain.creditfile.inquiry import DailyQuota, InquiryEntry, InquiryRequest
from creditmend.domain.creditfile.objection import Disputed, Event, Objection, RecordRef
from creditmend.domain.creditfile.records import BlacklistEntry, InquiryRecord, PublicRecord
from creditmend.domain.creditfile.retention import Archived, Decision, NegativeFact
from creditmend.domain.loan.cost import RootFinder
from creditmend.domain.report.file import CreditFileFacts, LookFacts
from creditmend.services.pipeline import ApplyResult


class DocumentReader(Protocol):
    def __call__(self, path: Path) -> tuple[Any, dict[str, int]]:
        """A file's plain content and the line of each dotted field path."""


# ---------------------------------------------------------------- the bureau's store


class FurnisherRegistry(Protocol):
    """Who may furnish data and inquire."""

    def add_furnisher(self, furnisher: Furnisher, at: datetime) -> None: ...

    def furnisher_codes(self) -> frozenset[str]: ...


class IngestionLog(Protocol):
    """The provenance of every file taken in."""

    def applied_before(self, sha256: str) -> int | None:
        """How many records a file with this content brought when it was applied, or None."""
        ...

    def applied_before_all(self, sha256s: Sequence[str]) -> dict[str, int]:
        """`applied_before` of many contents at once: those applied before, and their records."""
        ...


class FurnishingRepository(Protocol):
    """Furnished months, taken in a file at a time."""

    def furnished_rows(self, records: Sequence[FurnishedRecord]) -> list[tuple[Any, ...]]:
        """The records as `apply_furnishing` takes them: plain data, made in any process."""
        ...

    def apply_furnishing(
        self,
        file_name: str,
        sha256: str,
        as_of: date,
        batches: Iterable[Sequence[tuple[Any, ...]]],
        rejected: Callable[[], int],
        at: datetime,
    ) -> ApplyResult:
        """Apply every batch of furnished rows in one transaction (an exception from
        `batches` rolls it back); `rejected()` is the number of rejected lines once the last
        batch is taken."""
        ...


class RecordsRepository(Protocol):
    """Public records, blacklist entries and inquiry logs taken in from files."""

    def apply_records(
        self,
        kind: str,
        file_name: str,
        sha256: str,
        as_of: date,
        records: Sequence[PublicRecord | BlacklistEntry | InquiryRecord],
        rejected: int,
        at: datetime,
    ) -> ApplyResult:
        """One file's records of one kind, in one transaction."""
        ...


class PersonDirectory(Protocol):
    """The persons the bureau knows, found by their identity."""

    def person_of(self, id_type: str, id_number: str) -> int | None: ...

    def masked_subject(self, person: int) -> str:
        """The subject as a letter addresses them: masked, like a report's header."""
        ...


class CreditFileReader(Protocol):
    """Everyone's credit files, read for the batch; and how far back the store's data goes."""

    def data_starts(self) -> date | None:
        """The earliest day the store knows anything about (None: the store is empty)."""
        ...

    def iter_files(self, as_of: date) -> Iterator[tuple[int, CreditFileFacts]]: ...


class InquiryLog(Protocol):
    """Looks at one person's file: logged, then answered."""

    def record_inquiry(
        self,
        request: InquiryRequest,
        hard: bool,
        at: datetime,
        *,
        gives_report: bool,
        quota: DailyQuota | None = None,
    ) -> tuple[str, CreditFileFacts]:
        """Log the inquiry and read the file in one transaction: (report id, the file).
        `gives_report` is False when the file is read for a plan or a what-if. With `quota`
        (an API client's, `request.client_id`), the client's inquiries since `quota.since`
        are counted in the same transaction, serialised per client, and one past
        `quota.limit` raises `QuotaExceededError` with nothing logged."""
        ...

    def inquiries_by(
        self, furnisher: str, *, limit: int, before: int | None = None
    ) -> list[InquiryEntry]:
        """The furnisher's inquiries, newest first, at most `limit`, older than `before`."""
        ...


class AuditLog(Protocol):
    """The audit trail: read back by the subject, written by the batch's run."""

    def who_looked(
        self, id_type: str, id_number: str, at: datetime, by: str = "subject"
    ) -> list[LookFacts]:
        """Every logged look at a person's file, refused ones too; reading it is logged too
        (as `by`'s)."""
        ...

    def log_refusal(self, request: InquiryRequest, refused: str, at: datetime) -> None:
        """A refused look (why in `refused`), kept although the caller is refused."""
        ...

    def log_batch(self, as_of: date, at: datetime, detail: dict[str, object]) -> None: ...


class ObjectionRepository(Protocol):
    """Objections with their events and statements, and the changes their outcomes make."""

    def objections(
        self, *, ids: Sequence[int] | None = None, persons: Sequence[int] | None = None
    ) -> list[Objection]: ...

    def file_objection(
        self,
        objection: Objection,
        at: datetime,
        then: Callable[[int], Sequence[Event]] | None = None,
    ) -> int:
        """Store a new objection; `then(id)` gives events that need its id (a reply letter),
        stored in the same transaction."""
        ...

    def record_lapses(self, lapsed: Sequence[Objection], at: datetime) -> None: ...

    def log_views(
        self, seen: Sequence[Objection], actor: str, detail: dict[str, Any], at: datetime
    ) -> None:
        """One audit event per objection read by `actor` (an API caller), about its subject."""
        ...

    def close(self, closing: Closing, at: datetime) -> None:
        """The outcome, its events and the corrections it makes, in one transaction."""
        ...

    def add_statement(self, objection: Objection, text: str, on: date, at: datetime) -> None: ...

    def review_letter(
        self,
        objection: Objection,
        event: Event,
        audit: dict[str, Any],
        at: datetime,
        actor: str | None = None,
    ) -> None:
        """The desk's review (or revision) of the reply letter (`objection.review`), its event
        and its audit (by `actor`, else the reviewer), in one transaction; refused if the
        letter was approved meanwhile."""
        ...


class DisputedRecords(Protocol):
    """The records an objection disputes, as stored."""

    def target(self, person: int, ref: RecordRef, as_of: date) -> Disputed | None:
        """The record if it is this person's and known on `as_of` (None otherwise)."""
        ...

    def stored_months(
        self, person: int, ref: RecordRef, periods: Sequence[date]
    ) -> dict[date, FurnishedRecord]: ...

    def stored_record(
        self, person: int, ref: RecordRef
    ) -> PublicRecord | BlacklistEntry | None: ...


class RetentionRepository(Protocol):
    """The negative facts, the decisions of each retention run, and the archive they hid."""

    def negative_facts(self, as_of: date) -> list[tuple[int, NegativeFact]]: ...

    def save_decisions(
        self, decisions: Sequence[tuple[int, NegativeFact, Decision]], as_of: date, at: datetime
    ) -> int:
        """Store a run's decisions; how many facts it newly hides."""
        ...

    def archive(self, as_of: date, at: datetime) -> tuple[date | None, list[Archived]]: ...


__all__ = [
    "AuditLog",
    "BusinessCalendar",
    "CreditFileReader",
    "DisputedRecords",
    "DocumentReader",
    "FurnisherRegistry",
    "FurnishingRepository",
    "IngestionLog",
    "InquiryLog",
    "ObjectionRepository",
    "PersonDirectory",
    "RecordsRepository",
    "RetentionRepository",
    "RootFinder",
]
