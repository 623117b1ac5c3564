"""A file streams through the pipeline into one transaction, batch by batch, screened either in
this process or, for a large JSON Lines file, shard by shard in worker processes. Both ways
must give the same outcome: the same counts, rejects (line, field, reason, in line order),
stored months with their versions and provenance, history and audit events; all or nothing
unless partial; a store's refusal (a mix-up) reported as before.

Batches and shards are made tiny here so that a few records span many of them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from creditmend.adapters.db import tables as t
from creditmend.adapters.furnishing_files import RowStream
from creditmend.adapters.vault import new_key
from creditmend.bootstrap import Bureau, build_bureau
from creditmend.domain.creditfile.furnisher import Furnisher, FurnisherKind
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.services import furnish
from creditmend.services.pipeline import IngestReport

X, Y, Z, W = "11010519491231002X", "110105199001010010", "110105198001010016", "110105197001010011"
AS_OF = date(2025, 6, 15)
AT = datetime(2025, 6, 15, 9, 0, tzinfo=UTC)


def _record(account: str, period: str, id_number: str = X, **changes: Any) -> dict[str, Any]:
    return {
        "furnisher_id": "L1",
        "account_id": account,
        "period": period,
        "id_type": "cn_ric",
        "id_number": id_number,
        "name": "张三",
        "account_type": "online_consumer_loan",
        "opened_on": "2025-01-10",
        "principal": "12000.00",
        "term_months": 12,
        "scheduled_amount": "1066.19",
        "paid_amount": "1066.19",
        "balance": "7900.00",
        "past_due_amount": "0.00",
        "days_past_due": 0,
        "status": "open",
        **changes,
    }


def _file(folder: Path, name: str, *lines: dict[str, Any] | str) -> Path:
    path = folder / name
    text = "".join(
        (line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n"
        for line in lines
    )
    path.write_text(text, "utf-8")
    return path


@pytest.fixture(params=["in_this_process", "in_workers"])
def bureau(request: pytest.FixtureRequest, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Bureau:
    monkeypatch.setenv("CREDITMEND_KEY", new_key())
    monkeypatch.setattr(furnish, "BATCH", 2)
    if request.param == "in_workers":
        monkeypatch.setattr(furnish, "SHARD_BYTES", 700)  # about two records a shard
        monkeypatch.setattr(furnish, "_workers", lambda: 2)
    else:
        monkeypatch.setattr(furnish, "_workers", lambda: 0)
    built = build_bureau(db_url, create=True)
    for code in ("L1", "L2"):
        built.furnish.add_furnisher(Furnisher(code, code, FurnisherKind.NON_BANK), AT)
    return built


def _ingest(bureau: Bureau, path: Path, partial: bool = False) -> IngestReport:
    return bureau.furnish.ingest(path, "jsonl", AS_OF, AT, partial=partial)


def _rejects(report: IngestReport) -> list[tuple[int, str]]:
    assert report.rejects_file is not None
    lines = Path(report.rejects_file).read_text("utf-8").splitlines()
    return [(r["line"], r["field"]) for r in map(json.loads, lines)]


def _state(db_url: str) -> dict[str, Any]:
    engine = create_engine(db_url)
    m, a = t.account_months, t.accounts
    with engine.connect() as conn:
        months = conn.execute(
            select(
                a.c.account_id,
                m.c.period,
                m.c.version,
                m.c.balance_fen,
                m.c.line,
                m.c.ingestion_id,
                m.c.received_at,
            )
            .join(a, a.c.id == m.c.account_pk)
            .order_by(a.c.account_id, m.c.period)
        ).all()
        history = conn.execute(
            select(a.c.account_id, t.account_month_history.c.version)
            .join(a, a.c.id == t.account_month_history.c.account_pk)
            .order_by(a.c.account_id)
        ).all()
        persons = conn.execute(select(t.persons.c.id)).all()
        owners = conn.execute(select(a.c.account_id, a.c.person_id).order_by(a.c.account_id))
        ingestions = conn.execute(
            select(
                t.ingestions.c.applied,
                t.ingestions.c.unchanged,
                t.ingestions.c.corrected,
                t.ingestions.c.rejected,
            ).order_by(t.ingestions.c.id)
        ).all()
        audits = conn.execute(
            select(t.audit_events.c.actor, t.audit_events.c.detail)
            .where(t.audit_events.c.action == "correction")
            .order_by(t.audit_events.c.id)
        ).all()
        owner_of = dict(owners.all())
    engine.dispose()
    return {
        "months": [
            (
                acc,
                f"{period:%Y-%m}",
                version,
                balance,
                line,
                ingestion,
                received.replace(tzinfo=UTC),
            )
            for acc, period, version, balance, line, ingestion, received in months
        ],
        "history": [tuple(row) for row in history],
        "persons": len(persons),
        "same_owner": owner_of.get("A1") == owner_of.get("A4"),
        "ingestions": [tuple(row) for row in ingestions],
        "audits": [(actor, json.loads(detail)) for actor, detail in audits],
    }


def test_a_file_over_many_batches_then_corrections_rejects_and_partial(
    bureau: Bureau, db_url: str, tmp_path: Path
) -> None:
    first = _file(
        tmp_path,
        "first.jsonl",
        _record("A1", "2025-03"),
        _record("A1", "2025-04"),
        _record("A2", "2025-04", "536-22-1234", id_type="us_ssn", name="Ann"),
        "",
        _record("A3", "2025-04", Z),
        _record("A2", "2025-05", "536221234", id_type="us_ssn", name="Ann"),  # the same person
        _record("A4", "2025-05"),
    )
    report = _ingest(bureau, first)
    assert (report.records, report.applied, report.unchanged, report.corrected) == (6, 6, 0, 0)
    assert report.committed and report.rejects_file is None
    state = _state(db_url)
    assert state["persons"] == 3 and state["same_owner"]
    assert [(m[0], m[1], m[2], m[4]) for m in state["months"]] == [
        ("A1", "2025-03", 1, 1),
        ("A1", "2025-04", 1, 2),
        ("A2", "2025-04", 1, 3),
        ("A2", "2025-05", 1, 6),
        ("A3", "2025-04", 1, 5),
        ("A4", "2025-05", 1, 7),
    ]
    assert {(m[5], m[6]) for m in state["months"]} == {(1, AT)}  # provenance

    second = _file(
        tmp_path,
        "second.jsonl",
        _record("A1", "2025-04"),  # unchanged
        _record("A1", "2025-05", balance="6900.00"),  # a new month of a known account
        _record("A2", "2025-04", "536221234", id_type="us_ssn", name="Ann", balance="7800.00"),
        _record("A5", "2025-05", W),  # a new account
        "{not json",
        _record("A1", "2025-05"),  # the same key again
        _record("A3", "2025-04", Z, past_due_amount="9000.00", days_past_due=3),
    )
    refused = _ingest(bureau, second)
    assert not refused.committed
    assert (refused.records, refused.applied, refused.rejected) == (7, 0, 3)
    assert _rejects(refused)[:2] == [(5, "line"), (6, "account_id")]
    assert {line for line, _ in _rejects(refused)} == {5, 6, 7}
    assert _state(db_url) == state  # nothing applied

    partial = _ingest(bureau, second, partial=True)
    assert partial.committed
    assert (partial.applied, partial.unchanged, partial.corrected, partial.rejected) == (2, 1, 1, 3)
    after = _state(db_url)
    assert after["history"] == [("A2", 1)]
    latest = max(m[5] for m in after["months"])  # the partial file's ingestion
    assert ("A2", "2025-04", 2, 780000, 3, latest, AT) in after["months"]
    assert ("A1", "2025-05", 1, 690000, 2, latest, AT) in after["months"]
    assert ("A5", "2025-05", 1, 790000, 4, latest, AT) in after["months"]
    assert after["ingestions"] == [(6, 0, 0, 0), (2, 1, 1, 3)]
    assert after["audits"] == [
        ("L1", {"account_id": "A2", "period": "2025-04", "version": 2, "line": 3})
    ]
    assert after["persons"] == 4
    again = _ingest(bureau, second, partial=True)  # the same content: not applied again
    assert (again.applied, again.unchanged, again.corrected) == (0, 4, 0)


def test_a_mixup_is_reported_as_before_whatever_the_batches(
    bureau: Bureau, db_url: str, tmp_path: Path
) -> None:
    _ingest(bureau, _file(tmp_path, "a.jsonl", _record("A1", "2025-04")))
    before = _state(db_url)
    lines = [
        _record("A1", "2025-05", Y),  # A1 is X's account
        _record("A2", "2025-05"),
        _record("A3", "2025-05"),
        _record("A4", "2025-05", status="lost"),
    ]
    mixed = _file(tmp_path, "b.jsonl", *lines)
    report = _ingest(bureau, mixed)  # a file with rejects: its rejects are the answer
    assert not report.committed
    assert _rejects(report) == [(4, "status")]
    with pytest.raises(ProblemsError, match="account A1 belongs to another person"):
        _ingest(bureau, mixed, partial=True)
    assert _rejects(report) == [(4, "status")]
    assert _state(db_url) == before
    within = _file(
        tmp_path, "c.jsonl", *lines[1:3], _record("A9", "2025-04"), _record("A9", "2025-05", Z)
    )
    with pytest.raises(ProblemsError, match="account A9 is furnished for another person"):
        _ingest(bureau, within)
    assert _state(db_url) == before


def test_a_failing_worker_fails_the_file(
    bureau: Bureau, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _file(tmp_path, "f.jsonl", *(_record(f"A{i}", "2025-05") for i in range(8)))
    before = _state(db_url)

    def broken(record: Any) -> tuple[Any, ...]:
        if record.account_id == "A6":
            raise RuntimeError("broken rule")
        return ()

    monkeypatch.setattr(furnish, "check_record", lambda record, context: broken(record))
    with pytest.raises(RuntimeError, match="broken rule"):
        _ingest(bureau, path)
    assert _state(db_url) == before


def test_a_file_that_cannot_be_read_midway_is_one_problem(
    bureau: Bureau, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _file(tmp_path, "f.jsonl", *(_record(f"A{i}", "2025-05") for i in range(8)))
    before = _state(db_url)
    rows_of = RowStream.rows_of

    def failing(stream: RowStream, shard: Any) -> Any:
        if shard[2] > 4:  # a shard after the first lines
            raise ProblemsError((Problem("file", "cannot read f.jsonl: gone"),))
        return rows_of(stream, shard)

    original = RowStream.__next__
    seen = [0]

    def failing_next(stream: RowStream) -> Any:
        seen[0] += 1
        if seen[0] > 5:
            raise ProblemsError((Problem("file", "cannot read f.jsonl: gone"),))
        return original(stream)

    monkeypatch.setattr(RowStream, "rows_of", failing)
    monkeypatch.setattr(RowStream, "__next__", failing_next)
    with pytest.raises(ProblemsError) as raised:
        _ingest(bureau, path)
    assert [(p.field, p.message) for p in raised.value.problems] == [
        ("file", "cannot read f.jsonl: gone")
    ]
    assert _state(db_url) == before
