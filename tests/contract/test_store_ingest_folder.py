"""A folder of furnishing files (`ingest_all`): each file is screened either in this process as
it is applied, or ahead in worker processes while the files before it are applied. Both ways
must give the same reports, rejects files and store: new months, corrections with their history
and audit events, a file with rejects refused whole (or applied in part), a file applied before
left alone, a furnisher registered between two runs known to the second."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from creditmend.adapters.db import tables as t
from creditmend.adapters.vault import new_key
from creditmend.bootstrap import Bureau, build_bureau
from creditmend.domain.creditfile.furnisher import Furnisher, FurnisherKind
from creditmend.services import furnish
from creditmend.services.pipeline import IngestReport

X, Y = "11010519491231002X", "110105199001010010"
AS_OF = date(2025, 6, 15)
AT = datetime(2025, 6, 15, 9, 0, tzinfo=UTC)


def _record(account: str, period: str, **changes: Any) -> dict[str, Any]:
    return {
        "furnisher_id": "L1",
        "account_id": account,
        "period": period,
        "id_type": "cn_ric",
        "id_number": X,
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


def _folder(root: Path) -> Path:
    """Files named by period (the order `ingest_all` takes them in), in two furnishers' folders."""
    files: dict[str, list[dict[str, Any]]] = {
        "L1/2025-01.jsonl": [_record(f"A{n}", "2025-01") for n in range(6)],
        "L1/2025-02.jsonl": [
            *(_record(f"A{n}", "2025-02", balance="7000.00") for n in range(6)),
            _record("B1", "2025-02", id_number=Y, name="李四"),
        ],
        # a correction of two months of January and a new month
        "L1/2025-03.jsonl": [
            _record("A0", "2025-01", balance="7800.00"),
            _record("A1", "2025-01", balance="7700.00"),
            _record("A0", "2025-03", balance="6000.00"),
        ],
        # rejects: refused whole unless partial
        "L1/2025-04.jsonl": [
            _record("A2", "2025-04"),
            _record("A3", "2025-04", id_number="110105199001010011"),
            _record("A4", "2025-04", status="bogus"),
        ],
        # the same content as January's file under another name: applied before
        "L1/2025-05.jsonl": [_record(f"A{n}", "2025-01") for n in range(6)],
        # a furnisher registered only for the second run
        "L3/2025-05.jsonl": [_record("C1", "2025-05", furnisher_id="L3")],
    }
    for name, records in files.items():
        path = root / "cmf" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        path.write_text(text, "utf-8")
    return root / "cmf"


def _bureau(url: str) -> Bureau:
    built = build_bureau(url, create=True)
    for code in ("L1", "L2"):
        built.furnish.add_furnisher(Furnisher(code, code, FurnisherKind.NON_BANK), AT)
    return built


def _report(report: IngestReport) -> tuple[Any, ...]:
    rejects = None
    if report.rejects_file is not None:
        rejects = Path(report.rejects_file).read_text("utf-8")
    return (
        Path(report.file).name,
        report.records,
        report.applied,
        report.unchanged,
        report.corrected,
        report.rejected,
        rejects,
        report.committed,
        report.first_reject,
    )


def _state(url: str) -> dict[str, Any]:
    engine = create_engine(url)
    m, a, h = t.account_months, t.accounts, t.account_month_history
    with engine.connect() as conn:
        state = {
            "months": conn.execute(
                select(
                    a.c.account_id,
                    m.c.period,
                    m.c.version,
                    m.c.balance_fen,
                    m.c.line,
                    m.c.ingestion_id,
                )
                .join(a, a.c.id == m.c.account_pk)
                .order_by(a.c.account_id, m.c.period)
            ).all(),
            "history": conn.execute(
                select(a.c.account_id, h.c.period, h.c.version, h.c.balance_fen)
                .join(a, a.c.id == h.c.account_pk)
                .order_by(a.c.account_id, h.c.period)
            ).all(),
            "owners": conn.execute(
                select(a.c.account_id, a.c.person_id).order_by(a.c.account_id)
            ).all(),
            "ingestions": conn.execute(
                select(
                    t.ingestions.c.file_name,
                    t.ingestions.c.applied,
                    t.ingestions.c.unchanged,
                    t.ingestions.c.corrected,
                    t.ingestions.c.rejected,
                ).order_by(t.ingestions.c.id)
            ).all(),
            "audit": conn.execute(
                select(t.audit_events.c.actor, t.audit_events.c.action, t.audit_events.c.detail)
                .where(t.audit_events.c.action.in_(("correction", "ingestion")))
                .order_by(t.audit_events.c.id)
            ).all(),
        }
    engine.dispose()
    return state


def _runs(
    url: str, folder: Path, workers: int, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[Any], dict[str, Any]]:
    """The folder taken in twice, the second time with `partial` and L3 registered: the
    reports of each run, and the store afterwards."""
    monkeypatch.setattr(furnish, "_workers", lambda: workers)
    bureau = _bureau(url)
    reports = [[_report(r) for r in bureau.furnish.ingest_all(folder, None, AS_OF, AT)]]
    bureau.furnish.add_furnisher(Furnisher("L3", "L3", FurnisherKind.NON_BANK), AT)
    again = bureau.furnish.ingest_all(folder, None, AS_OF, AT, partial=True)
    reports.append([_report(r) for r in again])
    return reports, _state(url)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_folder_screened_ahead_gives_what_one_file_after_another_gives(
    kind: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    new_database: Callable[[str, Path], AbstractContextManager[str]],
) -> None:
    monkeypatch.setenv("CREDITMEND_KEY", new_key())
    outcomes = []
    for workers in (0, 2):
        root = tmp_path / f"workers{workers}"
        root.mkdir()
        folder = _folder(root)
        with new_database(kind, root) as url:
            outcomes.append(_runs(url, folder, workers, monkeypatch))
    (reports, state), (ahead_reports, ahead_state) = outcomes
    assert ahead_reports == reports
    assert ahead_state == state
    # what the runs did: the rejects refused the April file, then `partial` applied its valid
    # month; the copy of January was applied before; L3's file only once L3 was registered
    first, second = reports
    assert [r[7] for r in first] == [True, True, True, False, True, False]
    assert first[2][4] == 2 and first[4][3] == 6  # January corrected twice; its copy unchanged
    assert [r[2] for r in second] == [0, 0, 0, 1, 0, 1]
    assert len(state["history"]) == 2
