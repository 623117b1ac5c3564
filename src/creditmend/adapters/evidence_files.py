"""Uploaded evidence on disk, by SHA-256, in a folder nothing serves.

The folder is CREDITMEND_EVIDENCE_DIR, else beside an SQLite store (`bureau.db`:
`bureau.evidence/`), else `evidence/` in the user's data directory. Files are written to a
temporary name and renamed (a reader never sees half a file), readable by the owner only;
the name is the digest, never anything the sender chose.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from platformdirs import user_data_path
from sqlalchemy.engine import make_url

from creditmend.adapters.db.sqlite_file import sqlite_file

EVIDENCE_ENV = "CREDITMEND_EVIDENCE_DIR"
_SHA256 = re.compile(r"[0-9a-f]{64}")


def evidence_dir(url: str) -> Path:
    if os.environ.get(EVIDENCE_ENV):
        return Path(os.environ[EVIDENCE_ENV])
    parsed = make_url(url)
    database = sqlite_file(parsed) if parsed.get_backend_name() == "sqlite" else None
    if database is not None and database.path is not None:
        return database.path.with_suffix(".evidence")
    return user_data_path("creditmend", appauthor=False) / "evidence"


class EvidenceDirectory:
    """The `EvidenceFiles` port."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        if not _SHA256.fullmatch(sha256):
            raise ValueError("not a SHA-256 digest")
        return self.root / sha256[:2] / sha256

    def keep(self, sha256: str, content: bytes) -> bool:
        path = self._path(sha256)
        if path.exists():
            return False
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return True

    def read(self, sha256: str) -> bytes | None:
        try:
            return self._path(sha256).read_bytes()
        except (OSError, ValueError):
            return None

    def forget(self, sha256: str) -> None:
        self._path(sha256).unlink(missing_ok=True)
