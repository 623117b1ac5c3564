"""Where the store lives and which key protects it: options, then environment, then defaults."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from platformdirs import user_data_path
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from creditmend.adapters.vault import VaultKeyError, new_key
from creditmend.domain.problems import Problem, ProblemsError

DB_ENV = "CREDITMEND_DB"
KEY_ENV = "CREDITMEND_KEY"


def db_url(option: str | None) -> str:
    """`--db`, else CREDITMEND_DB, else an SQLite file in the user's data directory."""
    if option:
        return option
    if os.environ.get(DB_ENV):
        return os.environ[DB_ENV]
    folder = user_data_path("creditmend", appauthor=False)
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'creditmend.db'}"


def key_text(url: str) -> str:
    """CREDITMEND_KEY, else (embedded SQLite only) a key file beside the database, made once."""
    if os.environ.get(KEY_ENV):
        return os.environ[KEY_ENV]
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ProblemsError(
            (Problem("db", f"{url!r} is not a database URL (e.g. sqlite:///bureau.db)"),)
        ) from None
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        raise VaultKeyError(
            f"{KEY_ENV} is not set; a server database needs it (run `creditmend keygen`)"
        )
    key_file = Path(parsed.database).with_suffix(".key")
    try:
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as out:
                out.write(new_key() + "\n")
    except OSError as error:
        raise VaultKeyError(f"cannot make the key file {key_file}: {error.strerror}") from None
    if key_file.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise VaultKeyError(f"{key_file} must be readable by its owner only (chmod 600)")
    return key_file.read_text().strip()
