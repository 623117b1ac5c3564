"""Row-level security on PostgreSQL, the second line of a lender's isolation (docs/api.md,
"Isolation in the database"): the catalogue says every table holding a lender's rows has a
forced policy and the service role cannot bypass it; connected as that role for one lender, the
other lender's rows are not there and cannot be written, whatever the application asks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.testclient import TestClient
from psycopg.errors import InsufficientPrivilege
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import ProgrammingError

from creditmend import bootstrap
from creditmend.adapters.db.base import make_engine
from creditmend.adapters.db.tenancy import (
    BUREAU,
    FURNISHER_COLUMNS,
    SERVICE_ROLE,
    TENANT_POLICIES,
    acting_for,
    follow_tenant,
)
from creditmend.adapters.vault import new_key
from creditmend.domain.clients import DESK, FURNISH, Caller
from creditmend.domain.creditfile.furnisher import Furnisher, FurnisherKind
from creditmend.domain.creditfile.inquiry import InquiryRequest
from creditmend.domain.problems import ProblemsError
from creditmend.interfaces.api.app import create_app
from creditmend.interfaces.api.security import require_scope
from creditmend.settings import service_url

pytestmark = pytest.mark.parametrize("module_db_url", ["postgresql"], indirect=True)

RIC = "11010519491231002X"
AT = datetime(2025, 6, 15, 9, 0, tzinfo=UTC)
ON = date(2025, 6, 15)


def _month(lender: str, account: str) -> dict[str, Any]:
    return {
        "furnisher_id": lender,
        "account_id": account,
        "period": "2025-05",
        "id_type": "cn_ric",
        "id_number": RIC,
        "name": "张三",
        "account_type": "online_consumer_loan",
        "opened_on": "2025-01-10",
        "principal": "12000.00",
        "term_months": 12,
        "scheduled_amount": "1066.19",
        "paid_amount": "1066.19",
        "balance": "9000.00",
        "past_due_amount": "0.00",
        "days_past_due": 0,
        "status": "open",
    }


def _file(folder: Path, name: str, *records: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


@pytest.fixture(scope="module")
def store(
    module_db_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """One person with an account at each of two lenders, an inquiry and a client of each,
    made by the bureau (the owner's connection)."""
    folder = tmp_path_factory.mktemp("rls")
    patch = pytest.MonkeyPatch()
    patch.setenv("CREDITMEND_KEY", new_key())
    bureau = bootstrap.build_bureau(module_db_url, create=True)
    for code in ("LEND1", "LEND2"):
        bureau.furnish.add_furnisher(Furnisher(code, code, FurnisherKind.NON_BANK), AT)
        made = bureau.furnish.ingest(
            _file(folder, f"{code}.jsonl", _month(code, "A-1")), "jsonl", ON, AT
        )
        assert made.applied == 1, made.rejects_file
        ask = InquiryRequest("cn_ric", RIC, code, "loan_approval", f"C-{code}", ON)
        bureau.inquire.inquire(ask, AT)
        clients = bootstrap.build_client_service(module_db_url)
        added = clients.add_lender(code, ["furnish", "inquire"], AT)
        clients.issue_token(added.client_id, added.client_secret, AT, "setup")
    yield module_db_url, folder
    patch.undo()


@pytest.fixture
def served(store: tuple[str, Path]) -> Iterator[Engine]:
    """An engine connected as the service role, following the tenant like the API's."""
    engine = make_engine(service_url(store[0]) or "")
    assert engine.url.username == SERVICE_ROLE
    yield engine
    engine.dispose()


def _refused() -> pytest.RaisesExc[Exception]:
    """PostgreSQL's refusal of a row outside the tenant (42501), through SQLAlchemy or from
    the driver (the furnishing load writes on the driver's connection)."""
    return pytest.raises((ProgrammingError, InsufficientPrivilege), match="row-level security")


def _rows(engine: Engine, sql: str) -> list[tuple[Any, ...]]:
    with engine.begin() as conn:
        return [tuple(row) for row in conn.execute(text(sql))]


def test_every_table_holding_a_lenders_rows_has_a_forced_policy(store: tuple[str, Path]) -> None:
    engine = create_engine(store[0])
    with engine.connect() as conn:
        tables = {
            row.relname: (row.relrowsecurity, row.relforcerowsecurity)
            for row in conn.execute(
                text(
                    "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'public' AND c.relkind = 'r'"
                )
            )
        }
        with_lender = {
            row.table_name
            for row in conn.execute(
                text(
                    "SELECT table_name FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND column_name = ANY(:names)"
                ),
                {"names": sorted(FURNISHER_COLUMNS)},
            )
        }
        policies = {
            row.tablename: (row.cmd, row.qual, row.with_check)
            for row in conn.execute(text("SELECT * FROM pg_policies WHERE schemaname = 'public'"))
        }
        role = conn.execute(
            text("SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = :r"),
            {"r": SERVICE_ROLE},
        ).one()
        owned = conn.execute(
            text("SELECT tablename FROM pg_tables WHERE tableowner = :r"), {"r": SERVICE_ROLE}
        ).all()
    engine.dispose()
    listed = {policy.table for policy in TENANT_POLICIES}
    assert {"accounts", "inquiries", "objections", "api_clients", "api_tokens"} <= listed
    assert with_lender <= listed, f"tables naming a lender without a policy: {with_lender - listed}"
    for table in listed:
        assert tables[table] == (True, True), f"{table}: row-level security not enabled and forced"
        command, using, check = policies[table]
        assert command == "ALL", table
        assert "creditmend.tenant" in using and "creditmend.tenant" in check, table
    assert (role.rolsuper, role.rolbypassrls, role.rolcanlogin) == (False, False, True)
    assert owned == []


def test_the_service_role_sees_and_writes_only_its_tenants_rows(served: Engine) -> None:
    with acting_for("LEND1"):
        assert _rows(served, "SELECT furnisher_code FROM accounts") == [("LEND1",)]
        assert (
            _rows(served, "SELECT furnisher_code FROM accounts WHERE furnisher_code = 'LEND2'")
            == []
        )
        assert len(_rows(served, "SELECT id FROM account_months")) == 1
        assert _rows(served, "SELECT furnisher_code FROM inquiries") == [("LEND1",)]
        assert _rows(served, "SELECT furnisher_code FROM api_clients") == [("LEND1",)]
        assert len(_rows(served, "SELECT digest FROM api_tokens")) == 1
        with served.begin() as conn:
            changed = conn.execute(
                text("UPDATE accounts SET term_months = 1 WHERE furnisher_code = 'LEND2'")
            )
            assert changed.rowcount == 0
            gone = conn.execute(text("DELETE FROM api_tokens"))
            assert gone.rowcount == 1  # its own token only
            conn.rollback()
        with _refused(), served.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO inquiries (person_id, furnisher_code, purpose, hard, "
                    "inquired_on, at) SELECT person_id, 'LEND2', 'loan_approval', true, "
                    "'2025-06-15', now() FROM inquiries"
                )
            )
        with _refused(), served.begin() as conn:
            conn.execute(text("UPDATE accounts SET furnisher_code = 'LEND2'"))
    with acting_for(""):  # a transaction for no lender sees no lender's rows
        assert _rows(served, "SELECT id FROM accounts") == []
    with acting_for(None):  # the bureau's own processes see every row
        assert len(_rows(served, "SELECT id FROM accounts")) == 2
        assert _rows(served, "SELECT current_setting('creditmend.tenant')") == [(BUREAU,)]


def test_the_tenant_ends_with_its_transaction(store: tuple[str, Path]) -> None:
    """Set with set_config(..., true), never a plain SET: the pooled connection's next user
    does not inherit it."""
    engine = create_engine(service_url(store[0]) or "", pool_size=1, max_overflow=0)
    follow_tenant(engine)
    with acting_for("LEND1"):
        assert _rows(engine, "SELECT current_setting('creditmend.tenant')") == [("LEND1",)]
    raw = engine.raw_connection()  # the same (only) pooled connection, outside any hook
    try:
        cursor = raw.cursor()
        cursor.execute("SELECT current_setting('creditmend.tenant', true)")
        assert cursor.fetchall() in ([(None,)], [("",)])
        cursor.execute("SELECT count(*) FROM accounts")
        assert cursor.fetchall() == [(0,)]
    finally:
        raw.close()
    engine.dispose()


def test_a_lenders_services_under_its_tenant(store: tuple[str, Path]) -> None:
    """The API's services as one lender: its own furnishing goes in (by INSERT: COPY is refused
    under row-level security), a report still shows every lender's accounts (read as the bureau
    for the consented inquiry), and writing in another lender's name is refused by the database
    even where the application would let it through."""
    url, folder = store
    service = bootstrap.build_service(url)
    bureau = service.bureau
    with acting_for("LEND1"):
        own = _file(folder, "own.jsonl", _month("LEND1", "A-2"))
        assert bureau.furnish.ingest(own, "jsonl", ON, AT).applied == 1
        ask = InquiryRequest("cn_ric", RIC, "LEND1", "loan_approval", "C-9", ON)
        report = bureau.inquire.inquire(ask, AT)
        assert report.loan_history.platforms_ever == 2, report.loan_history
        theirs = _file(folder, "theirs.jsonl", _month("LEND2", "B-1"))
        with _refused():
            bureau.furnish.ingest(theirs, "jsonl", ON, AT)
        posing = InquiryRequest("cn_ric", RIC, "LEND2", "loan_approval", "C-10", ON)
        with _refused():
            bureau.inquire.inquire(posing, AT)
    engine = make_engine(service_url(url) or "")
    with acting_for("LEND2"):  # LEND1's new account is not LEND2's to see
        assert _rows(engine, "SELECT account_id FROM accounts") == [("A-1",)]
    engine.dispose()


def test_each_request_acts_for_its_callers_lender(store: tuple[str, Path]) -> None:
    """In the API, the endpoint's transactions act for the lender of the token (the desk: for
    the bureau), also in a synchronous endpoint run in the thread pool; the token endpoint's
    look-up of a client acts for the bureau."""
    url = store[0]
    service = bootstrap.build_service(url)
    engine = service.clients.repository.unit_of_work.engine  # type: ignore[attr-defined]
    assert engine.url.username == SERVICE_ROLE  # what the API serves on
    router = APIRouter(prefix="/v1/probe")

    def visible() -> dict[str, Any]:
        rows = _rows(engine, "SELECT furnisher_code FROM api_clients ORDER BY client_id")
        return {"clients": sorted({str(code) for (code,) in rows})}

    @router.get("/sync")
    def in_thread(caller: Annotated[Caller, Depends(require_scope(FURNISH, DESK))]) -> Any:
        return visible()

    @router.get("/async")
    async def in_loop(caller: Annotated[Caller, Depends(require_scope(FURNISH, DESK))]) -> Any:
        return await run_in_threadpool(visible)

    app = create_app(service)
    app.include_router(router)
    now = datetime.now(UTC)
    lender = service.clients.add_lender("LEND2", ["furnish"], now)
    desk = service.clients.add_desk("desk", now)
    with TestClient(app) as client:
        tokens = {}
        for who, made in (("lender", lender), ("desk", desk)):
            answer = client.post(
                "/v1/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": made.client_id,
                    "client_secret": made.client_secret,
                },
            )
            assert answer.status_code == 200, answer.text
            tokens[who] = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        for path in ("/v1/probe/sync", "/v1/probe/async"):
            assert client.get(path, headers=tokens["lender"]).json() == {"clients": ["LEND2"]}
            everyone = client.get(path, headers=tokens["desk"]).json()["clients"]
            assert everyone == ["LEND1", "LEND2", "None"]


def test_serving_as_a_role_that_bypasses_the_policies_is_refused(
    store: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDITMEND_DB_ROLE", "postgres")
    with pytest.raises(ProblemsError, match="would bypass row-level security: postgres is a super"):
        bootstrap.build_service(store[0])
    monkeypatch.setenv("CREDITMEND_DB_ROLE", "no_such_role")
    with pytest.raises(ProblemsError, match="cannot connect as the service role"):
        bootstrap.build_service(store[0])
