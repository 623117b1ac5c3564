"""A store that cannot be written (read-only, full) refuses a write with one `StoreError` naming
the database and the reason, rolled back: never an `OperationalError` traceback (SQLite and
PostgreSQL). The full disk itself is reproduced end to end (tests/e2e/test_cli_output_files.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from creditmend.adapters.db.base import StoreError, UnitOfWork, make_engine
from creditmend.adapters.db.store import Store, open_store
from creditmend.adapters.vault import IdentityVault, new_key
from creditmend.domain.creditfile.furnisher import Furnisher, FurnisherKind

AT = datetime(2025, 6, 15, 9, 0, tzinfo=UTC)


def _read_only(url: str, vault: IdentityVault) -> Store:
    """The same store opened so that every write is refused by the database itself."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        engine = make_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    else:
        name = url.rsplit("/", 1)[1]
        admin = make_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
        admin.dispose()
        engine = make_engine(url)
    return Store.on(UnitOfWork(engine, vault))


def test_a_write_the_store_refuses_is_one_store_error(db_url: str) -> None:
    vault = IdentityVault(new_key())
    store = open_store(db_url, lambda: vault, create=True)
    store.furnisher_registry.add_furnisher(Furnisher("LENDER1", "One", FurnisherKind.BANK), AT)
    store.unit_of_work.engine.dispose()
    refusing = _read_only(db_url, vault)
    with pytest.raises(StoreError) as refused:
        refusing.furnisher_registry.add_furnisher(
            Furnisher("LENDER2", "Two", FurnisherKind.BANK), AT
        )
    (problem,) = refused.value.problems
    assert problem.field == "db"
    assert problem.message.startswith("cannot write ")
    assert "read" in problem.message and "only" in problem.message, problem.message
    assert problem.message.endswith("; nothing was changed")
    assert refusing.furnisher_registry.furnisher_codes() == {"LENDER1"}
    refusing.unit_of_work.engine.dispose()
