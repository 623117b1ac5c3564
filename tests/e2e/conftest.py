"""Every end-to-end test runs in its own temporary folder: the commands write their default
outputs (`batch-AS_OF/`, a SQLite store, letters) in the working directory, and a test must never
leave them in the repository. Paths to the repository's files are absolute in the tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _in_a_temporary_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
