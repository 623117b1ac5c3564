"""The hostile-input suite: one hostile value in one field of an otherwise valid file, through
every reader of the command line (see docs/bureau.md, "Hostile input").

It drives the CLI in process as the end-to-end tests do (`tests/e2e/in_process.py`, put on the
path here), each test in its own temporary folder: commands write outputs beside their inputs
or in the working directory, never in the repository.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "e2e"))


@pytest.fixture(autouse=True)
def _in_a_temporary_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
