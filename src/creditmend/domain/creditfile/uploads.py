"""Evidence a subject uploads with an objection (the portal): which files are taken, pure.

A file is taken by what its first bytes say it is, never by its name or the browser's
Content-Type, both of which the sender chooses: a PDF, a PNG or a JPEG. The limits keep one
objection's files small enough to read by a person at the desk and to keep in the store.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from creditmend.domain.text import NAME_MAX_CHARS

MAX_FILE_BYTES = 3 * 1024 * 1024
MAX_FILES = 5
PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
# The signatures: ISO 32000 (`%PDF-`), the PNG specification's 8 bytes, JPEG's SOI marker
# followed by the start of the next marker.
MAGIC = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
EXTENSION = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg"}


class Refusal(StrEnum):
    TOO_MANY = "too_many"
    TOO_BIG = "too_big"
    EMPTY = "empty"
    WRONG_TYPE = "wrong_type"


@dataclass(frozen=True, slots=True)
class Upload:
    name: str  # as the browser sent it: shown, never used as a path
    content: bytes


def media_type(content: bytes) -> str | None:
    """The type the content's first bytes say, or None when it is none of the three."""
    for magic, kind in MAGIC:
        if content.startswith(magic):
            return kind
    return None


def refusals(uploads: list[Upload]) -> list[tuple[int | None, Refusal]]:
    """What is wrong with these files: (the file's index, why), or (None, why) for the lot."""
    found: list[tuple[int | None, Refusal]] = []
    if len(uploads) > MAX_FILES:
        found.append((None, Refusal.TOO_MANY))
    for index, upload in enumerate(uploads):
        if not upload.content:
            found.append((index, Refusal.EMPTY))
        elif len(upload.content) > MAX_FILE_BYTES:
            found.append((index, Refusal.TOO_BIG))
        elif media_type(upload.content) is None:
            found.append((index, Refusal.WRONG_TYPE))
    return found


def shown_name(name: str, kind: str) -> str:
    """The name kept with the evidence (shown to the furnisher and in the letter): the last
    part of the sent path, without control or invisible characters, at most the evidence's
    name length, with the checked type's extension when it had another."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] not in "CZ" or c == " ").strip()
    extension = EXTENSION[kind]
    if not base.lower().endswith(extension) and not (
        kind == JPEG and base.lower().endswith(".jpeg")
    ):
        base = f"{base or 'evidence'}{extension}"
    return base[-NAME_MAX_CHARS:]
