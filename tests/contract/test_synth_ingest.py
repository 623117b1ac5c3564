"""The synthetic population is valid furnishing data: every file ingests with no reject."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from creditmend.adapters.vault import new_key
from creditmend.bootstrap import build_bureau
from creditmend.domain.creditfile.furnisher import Furnisher, FurnisherKind
from creditmend.services.synth import SynthParams, write_population

AT = datetime(2024, 1, 15, tzinfo=UTC)


def test_a_synthetic_population_ingests_cleanly(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDITMEND_KEY", new_key())
    out = tmp_path / "population"
    write_population(SynthParams(60, 6, 9, seed=7, start=date(2023, 1, 1), jurisdiction="cn"), out)
    furnish = build_bureau(db_url, create=True).furnish
    for line in (out / "furnishers.jsonl").read_text("utf-8").splitlines():
        data = json.loads(line)
        furnish.add_furnisher(
            Furnisher(
                data["furnisher_id"], data["name"], FurnisherKind(data["kind"]), data.get("subtype")
            ),
            AT,
        )
    files = sorted(out.glob("cmf/*/*.jsonl"), key=lambda path: (path.stem, path.parent.name))
    applied = 0
    for path in files:
        report = furnish.ingest(path, "jsonl", date(2023, 10, 15), AT)
        assert report.rejected == 0, (path, report.rejects_file)
        applied += report.applied
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert applied == manifest["counts"]["cmf_records"]
    records = build_bureau(db_url, create=True).records
    for kind in ("public_records", "blacklist", "inquiries"):
        name = f"{kind}.jsonl"
        report = records.import_file(kind, out / name, "jsonl", date(2023, 10, 15), AT)
        assert report.rejected == 0, (kind, report.rejects_file)
        assert report.applied == manifest["counts"][kind]


def test_imported_inquiries_need_consent_unless_self(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDITMEND_KEY", new_key())
    bureau = build_bureau(db_url, create=True)
    bureau.furnish.add_furnisher(Furnisher("L1", "L1", FurnisherKind.BANK), AT)
    rows = [
        {
            "id_type": "cn_ric",
            "id_number": "11010519491231002X",
            "name": "张三",
            "furnisher_id": "L1",
            "inquired_on": "2023-05-01",
            "purpose": "loan_approval",
        },
        {
            "id_type": "cn_ric",
            "id_number": "11010519491231002X",
            "name": "张三",
            "inquired_on": "2023-05-02",
            "purpose": "self_inquiry",
        },
    ]
    path = tmp_path / "inquiries.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    report = bureau.records.import_file("inquiries", path, "jsonl", date(2023, 6, 1), AT)
    assert (report.committed, report.rejected) == (False, 1)
    assert report.rejects_file is not None
    (reject,) = [json.loads(x) for x in Path(report.rejects_file).read_text().splitlines()]
    assert (reject["line"], reject["field"]) == (1, "consent_ref")
