"""The synthetic population is valid furnishing data: every file ingests with no reject.

A generated population must always import (issue 16: seed 11 at 10,000 persons wrote a blacklist
line repeating the one before it, and two self-inquiries of one person on one day): the exact
persons of that run, small runs with the same causes, and a property over small populations.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditmend.adapters.vault import new_key
from creditmend.bootstrap import Bureau, build_bureau
from creditmend.domain.calendar import WeekdayCalendar
from creditmend.domain.creditfile.furnisher import Furnisher, FurnisherKind
from creditmend.domain.rules import profile as profile_of
from creditmend.domain.synth import make_world, person_facts
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


RECORD_KINDS = ("public_records", "blacklist", "inquiries")


def _import_everything(bureau: Bureau, out: Path) -> dict[str, int]:
    """Every file of a population through the services the CLI uses (`furnisher import`,
    `ingest`, `records import`), as of the window's last day; the lines applied, by kind.
    A kind with no lines is written as an empty file, which the import refuses as such (a
    file with no records is taken for a broken export): it is checked empty, not imported."""
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    as_of = date.fromisoformat(manifest["parameters"]["end"])
    bureau.furnish.import_furnishers(out / "furnishers.jsonl", AT)
    applied = {"cmf_records": 0}
    for path in sorted(out.glob("cmf/*/*.jsonl"), key=lambda p: (p.stem, p.parent.name)):
        report = bureau.furnish.ingest(path, "jsonl", as_of, AT)
        assert report.rejected == 0, (path, report.rejects_file)
        applied["cmf_records"] += report.applied
    for kind in RECORD_KINDS:
        if not manifest["counts"][kind]:
            assert (out / f"{kind}.jsonl").read_bytes() == b""
            applied[kind] = 0
            continue
        report = bureau.records.import_file(kind, out / f"{kind}.jsonl", "jsonl", as_of, AT)
        assert (report.committed, report.rejected) == (True, 0), (kind, report.rejects_file)
        applied[kind] = report.applied
    return applied


@pytest.mark.parametrize(
    ("platforms", "months", "seed", "cause"),
    [
        # a defaulter with two loans at one platform, both charged off on one day: the same
        # blacklist entry twice (person 40)
        (3, 12, 27, "blacklist"),
        # a slipping borrower's two self-inquiries drawn on one day (person 4)
        (3, 36, 52, "inquiries"),
    ],
)
def test_a_population_with_a_known_repeat_now_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, platforms: int, months: int, seed: int,
    cause: str,
) -> None:  # fmt: skip
    monkeypatch.setenv("CREDITMEND_KEY", new_key())
    out = tmp_path / "population"
    params = SynthParams(50, platforms, months, seed, date(2023, 1, 1), "cn")
    manifest = write_population(params, out).manifest
    applied = _import_everything(build_bureau(f"sqlite:///{tmp_path / 'b.db'}", create=True), out)
    assert applied == {k: manifest["counts"][k] for k in applied}
    assert manifest["counts"][cause] > 0  # the kind that repeated a line is not empty now


def test_the_persons_of_the_issue_16_run_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`synth --persons 10000 --platforms 24 --months 36 --start 2023-07 --seed 11`: person 9870
    (blacklist lines 1416 and 1417 were the same) and persons 2256 and 3093 (a self-inquiry twice
    on one day). A person's facts do not depend on the others, so these three are generated
    alone and their lines imported as the whole file's would be."""
    monkeypatch.setenv("CREDITMEND_KEY", new_key())
    world = make_world(24, 36, 11, date(2023, 7, 1), profile_of("cn"), WeekdayCalendar())
    facts = [person_facts(world, index) for index in (9870, 2256, 3093)]
    bureau = build_bureau(f"sqlite:///{tmp_path / 'b.db'}", create=True)
    for platform in world.platforms:
        data = platform.as_record()
        kind = FurnisherKind(data["kind"])
        bureau.furnish.add_furnisher(
            Furnisher(data["furnisher_id"], data["name"], kind, data.get("subtype")), AT
        )
    assert len(facts[0].blacklist) >= 2  # listed by two platforms, as before the fix
    for kind in RECORD_KINDS:
        rows: list[dict[str, Any]] = [r for f in facts for r in getattr(f, kind)]
        path = tmp_path / f"{kind}.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
        report = bureau.records.import_file(kind, path, "jsonl", world.last_day, AT)
        assert (report.rejected, report.applied) == (0, len(rows)), (kind, report.rejects_file)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    persons=st.integers(1, 60),
    platforms=st.integers(1, 6),
    months=st.integers(1, 15),
    seed=st.integers(0, 2**32),
    start=st.dates(date(2015, 1, 1), date(2024, 6, 1)),
)
@pytest.mark.slow
def test_every_file_of_a_small_population_imports(
    monkeypatch: pytest.MonkeyPatch, persons: int, platforms: int, months: int, seed: int,
    start: date,
) -> None:  # fmt: skip
    monkeypatch.setenv("CREDITMEND_KEY", new_key())
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "population"
        params = SynthParams(persons, platforms, months, seed=seed, start=start, jurisdiction="cn")
        manifest = write_population(params, out).manifest
        bureau = build_bureau(f"sqlite:///{Path(folder) / 'b.db'}", create=True)
        applied = _import_everything(bureau, out)
        assert applied == {k: manifest["counts"][k] for k in applied}
