"""Objections filed with uploaded files (the portal): the files checked, kept, then attached.

The objection itself is `ObjectionService.file`'s: the files only become its evidence's
`files` (name and SHA-256, as an evidence file names them), so the desk's rules (repeats, the
evidence check, the letter) are the same for every channel. The content is kept by its
SHA-256 outside anything the web server serves (`adapters/evidence_files.py`), and read back
only for someone the objection belongs to (its subject, the desk).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from creditmend.domain.creditfile.objection import Objection
from creditmend.domain.creditfile.uploads import Upload, media_type, refusals, shown_name
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.services.object import ObjectionService


class EvidenceFiles(Protocol):
    """Uploaded files by their SHA-256 (adapters/evidence_files.py)."""

    def keep(self, sha256: str, content: bytes) -> bool:
        """Keep the content; True when it was not kept before."""
        ...

    def read(self, sha256: str) -> bytes | None: ...

    def forget(self, sha256: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Attached:
    name: str
    media_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class EvidenceUploads:
    files: EvidenceFiles
    objections: ObjectionService

    def file(
        self,
        id_type: str,
        id_number: str,
        record: str,
        reason: str,
        uploads: list[Upload],
        as_of: date,
        at: datetime,
    ) -> Objection:
        """Check the files, keep them, file the objection with them as its evidence; a refused
        objection leaves none of its new files behind."""
        wrong = refusals(uploads)
        if wrong:
            raise ProblemsError(
                tuple(
                    Problem("evidence.files" if i is None else f"evidence.files[{i}]", why.value)
                    for i, why in wrong
                )
            )
        attachments: list[dict[str, str]] = []
        new: list[str] = []
        for upload in uploads:
            kind = media_type(upload.content)
            assert kind is not None  # refusals() checked it
            sha = hashlib.sha256(upload.content).hexdigest()
            if sha not in {a["sha256"] for a in attachments}:
                attachments.append({"name": shown_name(upload.name, kind), "sha256": sha})
                if self.files.keep(sha, upload.content):
                    new.append(sha)
        evidence = {"files": attachments} if attachments else None
        try:
            return self.objections.file(id_type, id_number, record, reason, evidence, as_of, at)
        except BaseException:
            for sha in new:
                self.files.forget(sha)
            raise

    def attachment(self, objection: Objection, sha256: str) -> Attached | None:
        """One of the objection's files, with the type its content says; None for a digest the
        objection does not name (or a file no longer kept)."""
        named = next((f for f in objection.evidence.files if f.sha256 == sha256), None)
        if named is None:
            return None
        content = self.files.read(sha256)
        kind = None if content is None else media_type(content)
        if content is None or kind is None:
            return None
        return Attached(named.name, kind, content)
