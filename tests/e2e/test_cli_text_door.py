"""Text from outside, end to end on both stores: refused at the door, escaped on the way out.

Issue 14, defects 2, 6 and 7: an escape sequence in a furnisher's name, a blacklist reason, a
consent reference or an account number was stored and printed raw; a lone surrogate was a
`UnicodeEncodeError` traceback; a NUL was a `DataError` traceback on PostgreSQL and stored raw
on SQLite. Every case must now end the same way on both databases: exit status 2, one line
naming the field, and the store exactly as it was.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from in_process import cli  # the e2e folder is on the path (pytest's prepend mode)
from sqlalchemy import create_engine, select, update
from test_cli_bureau import RECORD, RIC

from creditmend.adapters.db import tables as t
from creditmend.adapters.vault import new_key

AS_OF = "2025-06-15"
CMF = RECORD  # a good CMF v1 record
BLACKLIST: dict[str, Any] = {
    "source": "consortium",
    "category": "fraud",
    "id_type": "cn_ric",
    "id_number": RIC,
    "name": "张三",
    "listed_on": "2025-01-01",
    "reason": "forged documents",
}
COURT: dict[str, Any] = {
    "kind": "enforced_debtor",
    "id_type": "cn_ric",
    "id_number": RIC,
    "name": "张三",
    "court": "北京市朝阳区人民法院",
    "case_number": "(2024)京0105执1234号",
    "filed_on": "2024-03-01",
    "status": "active",
    "source": "court.gov.cn",
}
INQUIRY: dict[str, Any] = {
    "id_type": "cn_ric",
    "id_number": RIC,
    "name": "张三",
    "furnisher_id": "LENDER1",
    "inquired_on": "2025-04-01",
    "purpose": "loan_approval",
    "consent_ref": "C-1",
}
LONE = "\ud800x"  # what JSON's "\ud800x" decodes to: not text at all


@pytest.fixture
def env(db_url: str) -> dict[str, str]:
    """A bureau on either store with one lender and one furnished month."""
    values = {"CREDITMEND_DB": db_url, "CREDITMEND_KEY": new_key()}
    good = Path("good.jsonl")
    good.write_text(json.dumps(CMF, ensure_ascii=False) + "\n", "utf-8")
    for step in (
        ("furnisher", "add", "LENDER1", "--name", "Lender One", "--kind", "non_bank"),
        ("ingest", str(good), "--as-of", AS_OF),
    ):
        done = cli(*step, env=values)
        assert done.returncode == 0, done.stderr
    return values


def _snapshot(db_url: str) -> dict[str, list[str]]:
    """Every row of every table (the ingestion log included): the store, to compare."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return {
                table.name: sorted(repr(row) for row in conn.execute(select(table)))
                for table in t.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def _file(name: str, records: list[dict[str, Any]]) -> str:
    """A JSON Lines file written as a lender would (JSON escapes for what is not printable),
    so that a lone surrogate is the six characters `\\ud800` in the file."""
    Path(name).write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return name


def _refused(env: dict[str, str], args: tuple[str, ...], says: str, audited: bool = False) -> None:
    """The command ends with exit 2 and one line naming the field; the store is unchanged
    (but for the audit of a refused look, when `audited`, which holds no raw control)."""
    before = _snapshot(env["CREDITMEND_DB"])
    done = cli(*args, env=env)
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ") and says in lines[0], lines[0]
    assert "\x1b" not in done.stderr and "\x00" not in done.stderr
    after = _snapshot(env["CREDITMEND_DB"])
    if audited:
        events, earlier = after.pop("audit_events"), before.pop("audit_events")
        assert len(events) == len(earlier) + 1  # the refused look, audited (defect 11)
        assert not {"\x00", "\x1b", "\n"} & set("".join(events))
    assert after == before


def test_a_furnisher_name_that_would_retitle_and_clear_the_screen(env: dict[str, str]) -> None:
    pwned = "\x1b]0;pwned\x07\x1b[2J"
    args = ("furnisher", "add", "LENDER2", "--name", pwned, "--kind", "non_bank")
    _refused(env, args, "name: holds a control character U+001B")
    listed = _file("furnishers.jsonl", [{"furnisher_id": "L3", "name": pwned, "kind": "bank"}])
    _refused(env, ("furnisher", "import", listed), "line 1: name: holds a control character")


def test_a_furnished_account_number_with_a_c1_control(env: dict[str, str]) -> None:
    path = _file("c1.jsonl", [{**CMF, "account_id": "A\u009b1"}])
    _refused(env, ("ingest", path, "--as-of", AS_OF), "line 1: account_id: holds a control")
    partial = cli("ingest", path, "--as-of", AS_OF, "--partial", "--json", env=env)
    assert partial.returncode == 0, partial.stderr
    assert json.loads(partial.stdout)["rejected"] == 1
    rejects = Path("c1.jsonl.rejects.jsonl").read_text("utf-8").splitlines()
    assert [json.loads(r)["field"] for r in rejects] == ["account_id"]


def test_a_right_to_left_override_in_a_name_in_csv(env: dict[str, str]) -> None:
    path = Path("rlo.csv")
    header = ",".join(CMF)
    row = ",".join(str(v) for v in {**CMF, "account_id": "A-2", "name": "张\u202e三"}.values())
    path.write_text(f"{header}\n{row}\n", "utf-8")
    _refused(env, ("ingest", str(path), "--as-of", AS_OF), "line 2: name: holds a bidirectional")


@pytest.mark.parametrize("field", ["account_id", "name", "furnisher_id"])
def test_a_lone_surrogate_in_a_furnished_record(env: dict[str, str], field: str) -> None:
    record = {**CMF, "account_id": "A-9", "id_number": "11010519800101001X"}
    path = _file("lone.jsonl", [{**record, field: LONE}])
    _refused(env, ("ingest", path, "--as-of", AS_OF), f"line 1: {field}: holds a lone surrogate")


def test_a_lone_surrogate_in_a_records_import(env: dict[str, str]) -> None:
    path = _file("lone.jsonl", [{**BLACKLIST, "source": LONE}])
    args = ("records", "import", path, "--kind", "blacklist", "--as-of", AS_OF)
    _refused(env, args, "line 1: source: holds a lone surrogate")


def test_a_lone_surrogate_in_objection_evidence(env: dict[str, str]) -> None:
    evidence = Path("evidence.json")
    evidence.write_text(json.dumps({"files": [{"name": LONE, "sha256": "a" * 64}]}), "utf-8")
    args = (
        "object", "file", "cn_ric", RIC, "--record", "account:LENDER1:A-1:2025-05",
        "--reason", "paid_on_time", "--evidence", str(evidence), "--as-of", AS_OF,
    )  # fmt: skip
    _refused(env, args, "evidence.files[0].name: holds a lone surrogate")
    evidence.write_text(json.dumps({"\u001b[2Jfiles": []}), "utf-8")
    _refused(env, args, "evidence: a key holds a control character U+001B")


@pytest.mark.parametrize(
    ("kind", "record", "field"),
    [
        ("public_records", {**COURT, "court": "court\x00"}, "court"),
        ("blacklist", {**BLACKLIST, "reason": "bad\x00"}, "reason"),
        ("blacklist", {**BLACKLIST, "reason": "bad\x1b[2J"}, "reason"),
        ("inquiries", {**INQUIRY, "consent_ref": "C-1\x00"}, "consent_ref"),
    ],
)
def test_nul_and_escapes_in_records_are_refused_the_same_on_both_stores(
    env: dict[str, str], kind: str, record: dict[str, Any], field: str
) -> None:
    path = _file("records.jsonl", [record])
    args = ("records", "import", path, "--kind", kind, "--as-of", AS_OF)
    _refused(env, args, f"line 1: {field}: holds a control character")


@pytest.mark.parametrize("consent", ["C-17\x1b[2J\nforged", "C-17\x00"])
def test_a_consent_reference_with_escapes_nul_or_a_line_break(
    env: dict[str, str], consent: str
) -> None:
    args = (
        "inquire", "cn_ric", RIC, "--purpose", "loan_approval", "--by", "LENDER1",
        "--consent", consent, "--as-of", AS_OF,
    )  # fmt: skip
    _refused(env, args, "--consent: holds a control character", audited=True)


def test_a_very_long_value_is_refused_naming_its_limit(env: dict[str, str]) -> None:
    args = ("furnisher", "add", "LENDER2", "--name", "x" * 201, "--kind", "non_bank")
    _refused(env, args, "name: has 201 characters; at most 200")
    args = (
        "inquire", "cn_ric", RIC, "--purpose", "loan_approval", "--by", "LENDER1",
        "--consent", "C" * 201, "--as-of", AS_OF,
    )  # fmt: skip
    _refused(env, args, "--consent: has 201 characters; at most 200", audited=True)


def test_text_stored_before_the_door_is_printed_escaped(env: dict[str, str]) -> None:
    """Written straight into the store (as data from before this change would be): the report
    and the audit show every control and direction mark as a visible escape, and nothing as
    Rich markup."""
    engine = create_engine(env["CREDITMEND_DB"])
    with engine.begin() as conn:
        conn.execute(update(t.furnishers).values(name="\x1b]0;pwned\x07\x1b[2J[bold red]<i>Lender"))
        conn.execute(update(t.accounts).values(account_id="A\u009b1\u202e"))
    engine.dispose()
    asked = cli(
        "inquire", "cn_ric", RIC, "--purpose", "loan_approval", "--by", "LENDER1",
        "--consent", "C-17", "--as-of", AS_OF, env=env,
    )  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    with engine.begin() as conn:
        conn.execute(update(t.inquiries).values(consent_ref="C-17\x1b[2J\u202e"))
        conn.execute(update(t.audit_events).values(consent_ref="C-17\x1b[2J\u202e"))
    engine.dispose()
    shown = cli("report", "cn_ric", RIC, "--as-of", AS_OF, env={**env, "COLUMNS": "200"})
    assert shown.returncode == 0, shown.stderr
    assert "\\x1b]0;pwned\\x07\\x1b[2J[bold red]<i>Lender" in shown.stdout
    assert "A\\x9b1\\u202e" in shown.stdout
    audit = cli("audit", "cn_ric", RIC, env={**env, "COLUMNS": "200"})
    assert audit.returncode == 0, audit.stderr
    assert "C-17\\x1b[2J\\u202e" in audit.stdout
    as_json = cli("report", "cn_ric", RIC, "--as-of", AS_OF, "--format", "json", env=env)
    audit_json = cli("audit", "cn_ric", RIC, "--json", env=env)
    assert as_json.returncode == 0 and audit_json.returncode == 0, as_json.stderr
    assert "A\\u009b1\\u202e" in as_json.stdout  # JSON escapes: the same text when read
    assert any(row.get("consent") == "C-17\x1b[2J\u202e" for row in json.loads(audit_json.stdout))
    for output in (shown.stdout, audit.stdout, as_json.stdout, audit_json.stdout):
        assert not {"\x1b", "\x07", "\u009b", "\u202e"} & set(output)
    html = cli("report", "cn_ric", RIC, "--as-of", AS_OF, "--format", "html", env=env)
    assert html.returncode == 0, html.stderr
    assert "[bold red]&lt;i&gt;Lender" in html.stdout and "<i>Lender" not in html.stdout


EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.mark.parametrize(
    ("written", "says"),
    [
        (r'"Jie\e]0;pwned\abei"', "line 6: contract.platform: holds a control character U+001B"),
        (r'"Jie\u202Ebei"', "line 6: contract.platform: holds a bidirectional control U+202E"),
        (r'"Jie\x00bei"', "line 6: contract.platform: holds a control character U+0000"),
        ('"' + "J" * 201 + '"', "line 6: contract.platform: has 201 characters; at most 200"),
    ],
)
def test_a_loan_file_platform_name_passes_the_door(written: str, says: str) -> None:
    text = (EXAMPLES / "jiebei-overdue.yaml").read_text("utf-8")
    loan = Path("loan.yaml")
    loan.write_text(text.replace("platform: Jiebei ", f"platform: {written} ", 1), "utf-8")
    done = cli("loan", "simulate", str(loan), "--as-of", "2026-06-30")
    assert done.returncode == 2, done.stdout
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"error: {says}"), line


def test_a_plan_file_platform_name_passes_the_door() -> None:
    text = (EXAMPLES / "plan.yaml").read_text("utf-8")
    plan = Path("plan.yaml")
    plan.write_text(text.replace("platform: Jiebei", r'platform: "Jie\ud800bei"', 1), "utf-8")
    done = cli("plan", str(plan), "--as-of", "2026-07-01")
    assert done.returncode == 2, done.stdout
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: line 12: loans[0].contract.platform: holds a lone surrogate")
