"""The public data sets beside the repository (`../shared/data`, CREDITMEND_DATA_DIR set by the
Makefile): a test that needs one skips, with the reason, where the folder is absent, and fails
under CI (CI=true), where a skip would hide a broken set-up."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def data_file(name: str) -> Path:
    folder = os.environ.get("CREDITMEND_DATA_DIR", "")
    path = Path(folder) / name
    if not folder or not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{name} is required under CI; CREDITMEND_DATA_DIR={folder!r}")
        pytest.skip(f"{name} not found (CREDITMEND_DATA_DIR={folder!r})")
    return path
