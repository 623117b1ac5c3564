"""Reports and the batch on a real store (SQLite and PostgreSQL): the on-demand report and the
batch row of the same person agree; the answers for nobody, nothing and too early are clear."""

from __future__ import annotations

import importlib.util
import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import create_engine, select

from creditmend.adapters.db import tables as t
from creditmend.adapters.vault import IdentityVault, new_key
from creditmend.bootstrap import Bureau, batch_engine, build_bureau
from creditmend.domain.creditfile.furnisher import Furnisher, FurnisherKind
from creditmend.domain.creditfile.inquiry import InquiryRequest
from creditmend.domain.problems import ProblemsError
from creditmend.services.synth import SynthParams, write_population

AT = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
AS_OF = date(2025, 2, 28)
STRANGER = "11010519491231002X"


@pytest.fixture
def bureau(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Bureau:
    monkeypatch.setenv("CREDITMEND_KEY", new_key())
    return build_bureau(db_url, create=True)


def _load(bureau: Bureau, folder: Path) -> list[tuple[str, str]]:
    """A small synthetic population, furnished and imported; its persons' ids."""
    write_population(SynthParams(40, 6, 14, 11, date(2024, 1, 1), "cn"), folder)
    bureau.furnish.import_furnishers(folder / "furnishers.jsonl", AT)
    ids = set()
    for path in sorted((folder / "cmf").glob("*/*.jsonl"), key=lambda p: (p.stem, str(p))):
        assert bureau.furnish.ingest(path, "jsonl", AS_OF, AT).rejected == 0
        for line in path.read_text("utf-8").splitlines():
            record = json.loads(line)
            ids.add((record["id_type"], record["id_number"]))
    for kind in ("public_records", "blacklist", "inquiries"):
        imported = bureau.records.import_file(kind, folder / f"{kind}.jsonl", "jsonl", AS_OF, AT)
        assert imported.rejected == 0
    return sorted(ids)


def test_the_on_demand_report_and_the_batch_row_agree(
    bureau: Bureau, db_url: str, tmp_path: Path
) -> None:
    people = _load(bureau, tmp_path / "population")
    result = bureau.batch.run(AS_OF, "duckdb", batch_engine("duckdb"), tmp_path / "batch", AT)
    rows = {
        row["person"]: row for row in pq.read_table(result.out / "indicators.parquet").to_pylist()
    }
    scores = {
        row["person"]: row for row in pq.read_table(result.out / "scores.parquet").to_pylist()
    }
    assert result.outputs["indicators"] == len(rows) >= len(people)
    vault = IdentityVault(os.environ["CREDITMEND_KEY"])
    engine = create_engine(db_url)
    with engine.connect() as conn:
        person_of = {row.id_hash: row.id for row in conn.execute(select(t.persons))}
    engine.dispose()
    overdue = 0
    for id_type, number in people:
        report = bureau.inquire.self_report(id_type, number, AS_OF, AT)
        batch_row = rows[person_of[vault.id_hash(id_type, number)]]
        assert {k: batch_row[k] for k in report.indicators} == dict(report.indicators), number
        scored = scores[batch_row["person"]]
        assert (scored["score"], scored["band"]) == (report.summary.score, report.summary.band)
        assert scored["reasons"] == "; ".join(r.text for r in report.summary.reasons)
        overdue += report.overdue.current_overdue_accounts > 0
    assert overdue > 0  # the population has overdue borrowers: the comparison is not vacuous


def test_the_batch_scores_each_person_once(bureau: Bureau, tmp_path: Path) -> None:
    """`scores.parquet` keeps one row per person of `indicators.parquet`, with `score` and
    `band` (issue 16: the features change, the file a lender reads does not)."""
    _load(bureau, tmp_path / "population")
    result = bureau.batch.run(AS_OF, "duckdb", batch_engine("duckdb"), tmp_path / "batch", AT)
    scores = pq.read_table(result.out / "scores.parquet")
    persons = pq.read_table(result.out / "indicators.parquet", columns=["person"])
    assert {"person", "score", "band"} <= set(scores.column_names)
    people = scores.column("person").to_pylist()
    assert len(people) == len(set(people)) == result.outputs["scores"]
    assert sorted(people) == sorted(persons.column("person").to_pylist())
    for row in scores.to_pylist():
        assert (row["score"] is None) == (row["band"] == "unscored"), row
        assert row["band"]


def test_nobody_nothing_and_too_early_are_clear_answers(bureau: Bureau, tmp_path: Path) -> None:
    with pytest.raises(ProblemsError, match="store: the store is empty"):
        bureau.inquire.self_report("cn_ric", STRANGER, AS_OF, AT)
    _load(bureau, tmp_path / "population")
    with pytest.raises(ProblemsError, match="ID_NUMBER: unknown person"):
        bureau.inquire.self_report("cn_ric", STRANGER, AS_OF, AT)
    with pytest.raises(
        ProblemsError, match=r"business_date: 2020-01-01 is before the bureau's data"
    ):
        bureau.inquire.self_report("cn_ric", STRANGER, date(2020, 1, 1), AT)
    # A self-inquiry through `inquire` is checked as `report` checks it: no look is logged and
    # no person made (the refusal is audited by the identity's keyed hash only).
    own = InquiryRequest("cn_ric", STRANGER, None, "self_inquiry", None, AS_OF)
    with pytest.raises(ProblemsError, match="ID_NUMBER: unknown person"):
        bureau.inquire.inquire(own, AT)
    with pytest.raises(ProblemsError, match="ID_NUMBER: unknown person"):
        bureau.inquire.self_report("cn_ric", STRANGER, AS_OF, AT)
    # A lender's inquiry about someone new is logged; the answer is "no credit file".
    bureau.furnish.add_furnisher(Furnisher("ASKER", "Asker", FurnisherKind.BANK), AT)
    ask = InquiryRequest("cn_ric", STRANGER, "ASKER", "loan_approval", "C-1", AS_OF)
    report = bureau.inquire.inquire(ask, AT)
    assert not report.header.has_file
    assert report.header.missing[0] == "no loan or card account has been furnished"
    mine = bureau.inquire.self_report("cn_ric", STRANGER, AS_OF, AT)
    assert [(i.furnisher_id, i.hard) for i in mine.inquiries] == [
        (None, False),
        ("ASKER", True),
    ]
    assert mine.multi_head.hard_inquiries["d7"] == 1


def test_a_missing_spark_names_the_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def without_spark(name: str, package: str | None = None) -> object:
        return None if name == "pyspark" else real(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", without_spark)
    with pytest.raises(ProblemsError, match=r"pip install 'creditmend\[spark\]'"):
        batch_engine("spark")
