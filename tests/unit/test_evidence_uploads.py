"""Uploaded evidence: the type from the content's first bytes, the limits, the kept name; and
the evidence folder (content by digest, owner-only, nothing left by a refused filing)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from creditmend.adapters.evidence_files import EvidenceDirectory
from creditmend.domain.creditfile.uploads import (
    JPEG,
    MAX_FILE_BYTES,
    PDF,
    PNG,
    Refusal,
    Upload,
    media_type,
    refusals,
    shown_name,
)


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"%PDF-1.7\n...", PDF),
        (b"\x89PNG\r\n\x1a\n\x00\x00", PNG),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", JPEG),
        (b"<html><body>%PDF-</body></html>", None),  # the signature must open the file
        (b"GIF89a", None),
        (b"\x89PNG", None),  # a truncated signature
        (b"", None),
    ],
)
def test_the_type_comes_from_the_first_bytes(content: bytes, kind: str | None) -> None:
    assert media_type(content) == kind


def test_the_limits() -> None:
    pdf = b"%PDF-1.4 x"
    assert refusals([Upload("a.pdf", pdf)] * 5) == []
    assert refusals([Upload("a.pdf", pdf)] * 6) == [(None, Refusal.TOO_MANY)]
    assert refusals([Upload("a.pdf", pdf + b"0" * (MAX_FILE_BYTES - len(pdf)))]) == []
    big = pdf + b"0" * (MAX_FILE_BYTES - len(pdf) + 1)
    assert refusals([Upload("ok.pdf", pdf), Upload("big.pdf", big)]) == [(1, Refusal.TOO_BIG)]
    assert refusals([Upload("e.pdf", b"")]) == [(0, Refusal.EMPTY)]
    assert refusals([Upload("x.pdf", b"MZ\x90\x00")]) == [(0, Refusal.WRONG_TYPE)]


@pytest.mark.parametrize(
    ("sent", "kind", "kept"),
    [
        ("C:\\Users\\me\\银行流水.pdf", PDF, "银行流水.pdf"),
        ("../../etc/passwd", PDF, "passwd.pdf"),
        ("photo.jpeg", JPEG, "photo.jpeg"),
        ("photo.png", JPEG, "photo.png.jpg"),  # named for what it is
        ("a\u202egnp.exe", PNG, "agnp.exe.png"),  # no invisible direction mark
        ("", PDF, "evidence.pdf"),
    ],
)
def test_the_kept_name(sent: str, kind: str, kept: str) -> None:
    assert shown_name(sent, kind) == kept


def test_the_folder_keeps_content_by_digest_for_the_owner_only(tmp_path: Path) -> None:
    folder = EvidenceDirectory(tmp_path / "evidence")
    digest = "ab" + "0" * 62
    assert folder.keep(digest, b"%PDF-1") is True
    assert folder.keep(digest, b"%PDF-1") is False  # already kept
    path = tmp_path / "evidence" / "ab" / digest
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert folder.read(digest) == b"%PDF-1"
    assert folder.read("../../etc/passwd") is None  # never a path the caller chose
    folder.forget(digest)
    assert folder.read(digest) is None
