"""The file an SQLite URL really opens, as SQLite reads it, for the store's key and its checks.

`sqlite:///bureau.db` opens `bureau.db`; with `uri=true` the driver hands SQLite a URI
(`sqlite:///file:bureau.db?mode=ro&uri=true` opens `bureau.db`, read-only), and the path
SQLAlchemy shows (`file:bureau.db`) is not a file at all. Taking that path as it is put the key
at `./file:bureau.key` and looked for the store in a file that is not there; every question
about the file (is the store there, where is its key) asks this module instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote

from sqlalchemy.engine import URL


@dataclass(frozen=True, slots=True)
class SqliteFile:
    """Where an SQLite store lives: its file (None in memory) and whether it opens read-only."""

    path: Path | None
    read_only: bool


def sqlite_file(url: URL) -> SqliteFile:
    """The file SQLite opens for `url` (an SQLite URL), following SQLite's URI rules.

    With `uri=true` a database name that begins with `file:` is a URI: its path ends at `?` or
    `#` and is percent-decoded; `file:///abs`, `file://localhost/abs` and `file:/abs` are
    absolute, `file:rel` is relative to the working folder; `mode=memory` and `file::memory:`
    are in memory, `mode=ro` is read-only. Without `uri=true` the name is the file's path."""
    database = url.database or ""
    if str(url.query.get("uri", "")).lower() not in ("true", "1") or not database.startswith(
        "file:"
    ):
        in_memory = database in ("", ":memory:")
        return SqliteFile(None if in_memory else Path(database), read_only=False)
    rest = database.removeprefix("file:")
    path, _, query = rest.partition("?")
    path = path.partition("#")[0]
    options = {key: values[-1] for key, values in parse_qs(query).items()}
    for key, value in url.query.items():  # the URL's own query joins the URI's (SQLAlchemy's way)
        options[key] = value if isinstance(value, str) else value[-1]
    if path.startswith("//"):  # an authority: empty or localhost, then the absolute path
        path = "/" + path[2:].partition("/")[2]
    path = unquote(path)
    read_only = options.get("mode") == "ro" or options.get("immutable") == "1"
    if options.get("mode") == "memory" or path in ("", ":memory:"):
        return SqliteFile(None, read_only)
    return SqliteFile(Path(path), read_only)
