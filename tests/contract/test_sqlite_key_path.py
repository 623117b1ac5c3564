"""Which file an SQLite URL opens, and so where its key lives (defect 10 of issue 14)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from creditmend.adapters.db.sqlite_file import SqliteFile, sqlite_file
from creditmend.bootstrap import build_bureau
from creditmend.domain.problems import ProblemsError


@pytest.mark.parametrize(
    ("url", "opened"),
    [
        ("sqlite:///bureau.db", SqliteFile(Path("bureau.db"), read_only=False)),
        ("sqlite:////srv/b/bureau.db", SqliteFile(Path("/srv/b/bureau.db"), read_only=False)),
        ("sqlite:///file:x.db?mode=ro&uri=true", SqliteFile(Path("x.db"), read_only=True)),
        ("sqlite:///file:/srv/x.db?uri=true", SqliteFile(Path("/srv/x.db"), read_only=False)),
        ("sqlite:///file:///srv/x.db?uri=true", SqliteFile(Path("/srv/x.db"), read_only=False)),
        ("sqlite:///file://localhost/srv/x.db?uri=true", SqliteFile(Path("/srv/x.db"), False)),
        ("sqlite:///file:a%20b.db?uri=true&immutable=1", SqliteFile(Path("a b.db"), True)),
        ("sqlite:///file::memory:?uri=true", SqliteFile(None, read_only=False)),
        ("sqlite:///file:x?mode=memory&uri=true", SqliteFile(None, read_only=False)),
        ("sqlite://", SqliteFile(None, read_only=False)),
        ("sqlite:///file:x.db", SqliteFile(Path("file:x.db"), read_only=False)),  # no uri=true
    ],
)
def test_the_file_sqlite_opens(url: str, opened: SqliteFile) -> None:
    assert sqlite_file(make_url(url)) == opened


def test_a_uri_and_its_plain_path_open_the_same_file(tmp_path: Path) -> None:
    database = tmp_path / "x.db"
    uri = f"sqlite:///file:{database}?mode=ro&uri=true"
    sqlite3.connect(database).execute("create table t (a)").connection.close()
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        assert conn.execute("select name from sqlite_master").fetchall() == [("t",)]
    assert sqlite_file(make_url(uri)).path == database


def test_a_read_only_store_cannot_make_its_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CREDITMEND_KEY", raising=False)
    database = tmp_path / "bureau.db"
    build_bureau(f"sqlite:///{database}", create=True)
    with sqlite3.connect(database) as conn:  # a store that holds no key yet
        conn.execute("delete from meta where key = 'key_check'")
    (tmp_path / "bureau.key").unlink()
    read_only = f"sqlite:///file:{database}?mode=ro&uri=true"
    with pytest.raises(ProblemsError, match=r"opened read-only \(mode=ro\), so it cannot make"):
        build_bureau(read_only)
    assert not (tmp_path / "bureau.key").exists()
