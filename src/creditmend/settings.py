"""Where the store lives and which key protects it: options, then environment, then defaults."""

from __future__ import annotations

import os

from platformdirs import user_data_path
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from creditmend.adapters.db.sqlite_file import sqlite_file
from creditmend.adapters.key_file import read_key_file
from creditmend.adapters.vault import VaultKeyError, new_key
from creditmend.domain.problems import Problem, ProblemsError

DB_ENV = "CREDITMEND_DB"
KEY_ENV = "CREDITMEND_KEY"
ROLE_ENV = "CREDITMEND_DB_ROLE"
ROLE_PASSWORD_ENV = "CREDITMEND_DB_ROLE_PASSWORD"
SERVICE_ROLE = "creditmend_service"


def db_url(option: str | None) -> str:
    """`--db`, else CREDITMEND_DB, else an SQLite file in the user's data directory."""
    if option:
        return option
    if os.environ.get(DB_ENV):
        return os.environ[DB_ENV]
    folder = user_data_path("creditmend", appauthor=False)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # its key file's folder: see key_text
    return f"sqlite:///{folder / 'creditmend.db'}"


def service_url(url: str) -> str | None:
    """The URL the API's requests use on a PostgreSQL store: the store's, as the service role
    (CREDITMEND_DB_ROLE, default creditmend_service; its password CREDITMEND_DB_ROLE_PASSWORD,
    or none: trust, a client certificate or ~/.pgpass). None for SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return None
    served = parsed.set(
        username=os.environ.get(ROLE_ENV) or SERVICE_ROLE,
        password=os.environ.get(ROLE_PASSWORD_ENV) or None,
    )
    return served.render_as_string(hide_password=False)


def key_text(url: str, *, make: bool) -> str:
    """CREDITMEND_KEY, else (embedded SQLite only) the key file beside the database.

    The key file is `NAME.key` beside the file SQLite opens (`bureau.db`: `bureau.key`, also for
    `sqlite:///file:bureau.db?mode=ro&uri=true`); `adapters/key_file.py` says which files are
    used. It is made only with `make`, for a store that holds no key yet: a store made with a
    key whose file is gone says so instead of getting a new key that cannot read it."""
    if os.environ.get(KEY_ENV):
        return os.environ[KEY_ENV]
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ProblemsError(
            (Problem("db", f"{url!r} is not a database URL (e.g. sqlite:///bureau.db)"),)
        ) from None
    database = sqlite_file(parsed) if parsed.get_backend_name() == "sqlite" else None
    if database is None or database.path is None:
        raise VaultKeyError(
            f"{KEY_ENV} is not set; a server database needs it (run `creditmend keygen`)"
        )
    key_file = database.path.with_suffix(".key")
    if make and database.read_only:
        raise VaultKeyError(
            f"the store is opened read-only (mode=ro), so it cannot make its key file {key_file}"
        )
    missing = (
        f"the key file {key_file} is missing (the store was made with it; restore it from "
        f"your backup or set {KEY_ENV})"
    )
    return read_key_file(key_file, make=new_key() if make else None, missing=missing)
