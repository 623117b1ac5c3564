"""`creditmend report`, `inquire` and `batch` end to end, on a small synthetic bureau."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path

import jsonschema
import pyarrow.parquet as pq
import pytest
from in_process import cli  # the e2e folder is on the path (pytest's prepend mode)
from pypdf import PdfReader

AS_OF = "2025-02-28"
SECTIONS = [
    "header",
    "summary",
    "loan_history",
    "overdue",
    "liabilities",
    "multi_head",
    "untrustworthy",
    "blacklist",
    "objections",
    "expiry_timeline",
    "inquiries",
]


@pytest.fixture(scope="module")
def bureau(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path, list[str]]:
    """A bureau of 60 synthetic persons; the environment, its folder and the showcase id."""
    folder = tmp_path_factory.mktemp("bureau")
    env = {**os.environ, "CREDITMEND_DB": f"sqlite:///{folder / 'bureau.db'}"}
    env.pop("CREDITMEND_KEY", None)
    population = folder / "population"
    steps = [
        ("synth", "--persons", "60", "--platforms", "6", "--months", "14", "--start", "2024-01",
         "--seed", "3", "--out", str(population)),
        ("furnisher", "import", str(population / "furnishers.jsonl")),
        ("ingest", str(population / "cmf"), "--as-of", AS_OF),
        *(
            ("records", "import", str(population / f"{kind}.jsonl"), "--kind", kind,
             "--as-of", AS_OF)
            for kind in ("public_records", "blacklist", "inquiries")
        ),
    ]  # fmt: skip
    for step in steps:
        done = cli(*step, env=env)
        assert done.returncode == 0, (step, done.stderr)
    picked = cli("synth-pick", str(population), env=env)
    assert picked.returncode == 0, picked.stderr
    return env, folder, picked.stdout.split()


def _schema() -> dict[str, object]:
    text = resources.files("creditmend.schemas").joinpath("report_v1.schema.json").read_text()
    loaded: dict[str, object] = json.loads(text)
    return loaded


def test_the_report_in_every_format(
    bureau: tuple[dict[str, str], Path, list[str]], tmp_path: Path
) -> None:
    env, _, person = bureau
    as_json = cli("report", *person, "--as-of", AS_OF, "--format", "json", env=env)
    assert as_json.returncode == 0, as_json.stderr
    document = json.loads(as_json.stdout)
    jsonschema.validate(document, _schema())
    assert list(document) == SECTIONS
    assert person[1] not in as_json.stdout  # the id is masked
    assert document["header"]["purpose"] == "self_inquiry"
    assert all(len(a["grid"]) == 60 for a in document["overdue"]["accounts"])
    assert document["loan_history"]["platforms_ever"] >= 2
    terminal = cli("report", *person, "--as-of", AS_OF, env=env)
    assert terminal.returncode == 0, terminal.stderr
    assert document["header"]["subject"]["id"] in terminal.stdout
    html, pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    for fmt, out in (("html", html), ("pdf", pdf)):
        done = cli("report", *person, "--as-of", AS_OF, "--format", fmt, "--out", str(out), env=env)
        assert done.returncode == 0, done.stderr
    assert html.read_text("utf-8").lstrip().lower().startswith("<!doctype html")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_a_lender_inquiry_answers_with_the_report(
    bureau: tuple[dict[str, str], Path, list[str]],
) -> None:
    env, folder, person = bureau
    furnisher = json.loads((folder / "population" / "furnishers.jsonl").read_text().split("\n")[0])
    asked = cli(
        "inquire", *person, "--purpose", "loan_approval", "--by", furnisher["furnisher_id"],
        "--consent", "C-1", "--as-of", AS_OF, "--json", env=env,
    )  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    document = json.loads(asked.stdout)
    assert document["header"]["inquirer"] == furnisher["furnisher_id"]
    newest = document["inquiries"][0]
    assert newest == {
        "on": AS_OF,
        "furnisher_id": furnisher["furnisher_id"],
        "furnisher_name": furnisher["name"],
        "purpose": "loan_approval",
        "hard": True,
        "record": newest["record"],
        "under_objection": False,
        "statement": None,
    }
    assert newest["record"].startswith("inquiry:")
    assert document["multi_head"]["hard_inquiries"]["d7"] >= 1


def test_the_batch_writes_one_row_per_person(
    bureau: tuple[dict[str, str], Path, list[str]], tmp_path: Path
) -> None:
    env, _, _ = bureau
    done = cli("batch", "--as-of", AS_OF, "--out", str(tmp_path / "b"), "--json", env=env)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    table = pq.read_table(tmp_path / "b" / "indicators.parquet")
    assert table.num_rows == summary["outputs"]["indicators"] == summary["inputs"]["persons"]
    assert table.num_rows >= 60
    assert "hard_inquiries_365d" in table.column_names


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("report", "cn_ric", "11010519491231002X"), "error: ID_NUMBER: unknown person"),
        (("report", "cn_ric", "110105194912310021"), "error: ID_NUMBER: is not a valid"),
        (("report", "CN_RIC", "11010519491231002X"), "error: ID_TYPE: unknown 'CN_RIC'; one of"),
        (("report", "cn_ric", "11010519491231002X", "--as-of", "2001-01-01"), "error: --as-of:"),
        (("report", "cn_ric", "11010519491231002X", "--format", "pdf"), "error: --out:"),
        (("report", "cn_ric", "11010519491231002X", "--format", "xml"), "error: --format:"),
        (("report", "cn_ric", "11010519491231002X", "--monthly-income", "1.234"), "error: --mon"),
        (("batch", "--as-of", AS_OF, "--engine", "hadoop"), "error: --engine: unknown 'hadoop'"),
        (("batch", "--as-of", "2001-01-01"), "error: --as-of: 2001-01-01 is before"),
    ],
)
def test_bad_requests_are_one_line_errors(
    bureau: tuple[dict[str, str], Path, list[str]], args: tuple[str, ...], message: str
) -> None:
    env, _, _ = bureau
    done = cli(*args, env=env)
    assert done.returncode == 2, done.stdout
    assert done.stderr.startswith(message), done.stderr
    assert "Traceback" not in done.stderr
    assert list(Path.cwd().iterdir()) == []  # a refused batch makes no batch-AS_OF/ folder


def test_a_batch_whose_scorecard_cannot_be_read_writes_nothing(
    bureau: tuple[dict[str, str], Path, list[str]], tmp_path: Path
) -> None:
    env, _, _ = bureau
    missing = tmp_path / "missing.json"
    done = cli("batch", "--as-of", AS_OF, env={**env, "CREDITMEND_SCORECARD": str(missing)})
    assert done.returncode == 2, done.stdout
    assert done.stderr.startswith(f"error: CREDITMEND_SCORECARD: cannot read {missing}")
    assert list(tmp_path.iterdir()) == []  # the working directory: no batch-AS_OF/ folder


def test_an_empty_store_is_said_to_be_empty(tmp_path: Path) -> None:
    store = tmp_path / "empty.db"
    env = {**os.environ, "CREDITMEND_DB": f"sqlite:///{store}"}
    reading = (
        ("report", "cn_ric", "11010519491231002X"),
        ("batch", "--out", str(tmp_path)),
        ("object", "list"),
        ("retain",),
    )
    advice = "ingest furnishing files first, or check the path"
    for args in reading:  # no store there yet: said so, and none is made (a mistyped --db)
        done = cli(*args, env=env)
        assert done.returncode == 2
        assert done.stderr == f"error: --db: no store at {store}: {advice}\n"
        assert not store.exists() and not store.with_suffix(".key").exists()
    other = tmp_path / "other.db"  # somebody else's database is not taken over
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE mine (x)")
    done = cli("report", "cn_ric", "11010519491231002X", "--db", f"sqlite:///{other}", env=env)
    assert done.stderr == f"error: --db: no creditmend store at {other}: {advice}\n"
    with sqlite3.connect(other) as conn:
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    assert tables == [("mine",)] and not other.with_suffix(".key").exists()
    added = cli("furnisher", "add", "F1", "--name", "Lender", "--kind", "bank", env=env)
    assert added.returncode == 0, added.stderr
    for args in reading[:2]:
        done = cli(*args, env=env)
        assert done.returncode == 2
        assert done.stderr.startswith("error: --db: the store is empty"), done.stderr


def test_the_report_is_scored_and_what_if_answers(
    bureau: tuple[dict[str, str], Path, list[str]],
) -> None:
    env, _, person = bureau
    document = json.loads(
        cli("report", *person, "--as-of", AS_OF, "--format", "json", env=env).stdout
    )
    summary = document["summary"]
    assert isinstance(summary["score"], int) and 300 <= summary["score"] <= 900
    assert summary["band"] != "unscored" and len(summary["reasons"]) <= 4
    done = cli("score", "what-if", *person, "--months-on-time", "6", "--as-of", AS_OF,
               "--json", env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert set(answer) == {"before", "after", "change", "reasons_before", "reasons_after"}
    assert set(answer["before"]) == set(answer["after"]) == {"score", "band"}
    assert answer["before"]["score"] == summary["score"]
    assert answer["change"] == answer["after"]["score"] - answer["before"]["score"]
    asked = cli("score", "what-if", *person, "--inquiries", "6", "--as-of", AS_OF, "--json",
                env=env)  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["before"] == answer["before"]
    kind = cli("score", "what-if", *person, "--inquiries", "2", "--inquiry-kind", "shop",
               "--as-of", AS_OF, env=env)  # fmt: skip
    assert kind.returncode == 2
    assert kind.stderr == "error: --inquiry-kind: 'shop' is not bank or non_bank\n"
    both = cli("score", "what-if", *person, "--months-on-time", "6", "--new-loan", "100", env=env)
    assert both.returncode == 2
    assert both.stderr.startswith("error: --pay-off: give exactly one of")


def test_a_tampered_scorecard_is_refused(
    bureau: tuple[dict[str, str], Path, list[str]], tmp_path: Path
) -> None:
    env, _, person = bureau
    shipped = resources.files("creditmend.models").joinpath("default_scorecard.json").read_text()
    model = json.loads(shipped)
    model["features"][0]["bins"][0]["points"] = "999"
    (tmp_path / "model.json").write_text(json.dumps(model), "utf-8")
    done = cli("report", *person, "--as-of", AS_OF,
               env={**env, "CREDITMEND_SCORECARD": str(tmp_path / "model.json")})  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.startswith("error: CREDITMEND_SCORECARD: checksum: the file was changed")


def _flat(text: str) -> str:
    """The words of a terminal rendering, panel borders left out."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def _first_furnisher(folder: Path) -> dict[str, str]:
    first = (folder / "population" / "furnishers.jsonl").read_text("utf-8").split("\n")[0]
    furnisher: dict[str, str] = json.loads(first)
    return furnisher


def _looks(env: dict[str, str], id_type: str, id_number: str) -> int:
    """How many looks at the file are logged (`audit` logs its own view, not counted here)."""
    done = cli("audit", id_type, id_number, "--json", env=env)
    assert done.returncode == 0, done.stderr
    return sum(1 for row in json.loads(done.stdout) if row["action"] == "inquiry")


def test_the_terminal_summary_shows_the_risk_flags(
    bureau: tuple[dict[str, str], Path, list[str]],
) -> None:
    env, folder, _ = bureau
    listed = [
        json.loads(line)
        for line in (folder / "population" / "blacklist.jsonl").read_text("utf-8").splitlines()
    ]
    entry = next(e for e in listed if e["listed_on"] <= AS_OF)  # a person with risk flags
    person = [entry["id_type"], entry["id_number"]]
    document = json.loads(
        cli("report", *person, "--as-of", AS_OF, "--format", "json", env=env).stdout
    )
    summary = document["summary"]
    assert summary["score"] is not None and "blacklist" in summary["flags"]
    assert not {reason["code"] for reason in summary["reasons"]} & set(summary["flags"])
    terminal = cli("report", *person, "--as-of", AS_OF, env=env)
    assert terminal.returncode == 0, terminal.stderr
    text = _flat(terminal.stdout)
    shown = text[text.index("2 Summary") : text.index("3 Loan history")]
    for flag in summary["flags"]:
        assert flag.replace("_", " ") in shown, flag


def test_a_person_without_a_file_sees_who_looked(
    bureau: tuple[dict[str, str], Path, list[str]], tmp_path: Path
) -> None:
    """Known only from a lender's inquiry: "No credit file", and the inquiry listed."""
    env, folder, _ = bureau
    lender = _first_furnisher(folder)["furnisher_id"]
    subject = ("cn_ric", "110105198001010016")
    asked = cli(
        "inquire", *subject, "--purpose", "loan_approval", "--by", lender, "--consent", "C-2",
        "--as-of", AS_OF, "--json", env=env,
    )  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    assert not json.loads(asked.stdout)["header"]["has_file"]
    terminal = cli("report", *subject, "--as-of", AS_OF, env={**env, "COLUMNS": "60"})
    assert terminal.returncode == 0, terminal.stderr
    assert max(len(line) for line in terminal.stdout.splitlines()) <= 60
    text = _flat(terminal.stdout)
    assert "No credit file" in text and "Having no file is not a negative record." in text
    assert "inquiry, court record" not in text  # no denial of the inquiries listed below
    assert "Loan history" not in text
    assert "Hard inquiries 1 1 1 1 1 1" in text[text.index("6 Multi-head borrowing") :]
    inquiries = text[text.index("11 Inquiries") :]
    assert lender in inquiries and "loan approval" in inquiries and "hard" in inquiries
    page = tmp_path / "nofile.html"
    done = cli("report", *subject, "--as-of", AS_OF, "--format", "html", "--out", str(page),
               env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    html = page.read_text("utf-8")
    assert "No credit file" in html and "inquiry, court record" not in html
    assert 'id="multi_head"' in html
    assert lender in html[html.index('id="inquiries"') :]


def test_a_bad_out_is_refused_before_anything_is_logged(
    bureau: tuple[dict[str, str], Path, list[str]], tmp_path: Path
) -> None:
    env, folder, person = bureau
    lender = _first_furnisher(folder)["furnisher_id"]
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("x", "utf-8")
    before = _looks(env, *person)
    asking = ("--purpose", "loan_approval", "--by", lender, "--consent", "C-3")
    cases = [
        (("report", "--format", "html"), tmp_path / "nodir" / "r.html", "no folder"),
        (("report", "--format", "pdf"), tmp_path, "is a folder"),
        (("report",), a_file / "r.txt", "is not a folder"),
        (("inquire", *asking, "--format", "json"), tmp_path / "nodir" / "r.json", "no folder"),
        (("inquire", *asking, "--format", "pdf"), tmp_path, "is a folder"),
    ]
    for (command, *options), out, message in cases:
        done = cli(command, *person, "--as-of", AS_OF, *options, "--out", str(out), env=env)
        assert done.returncode == 2, (command, options, done.stdout)
        assert done.stderr.startswith("error: --out: "), done.stderr
        assert message in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr
    assert _looks(env, *person) == before
    assert not (tmp_path / "nodir").exists()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full to fail a write")
def test_a_failed_write_is_a_one_line_error(
    bureau: tuple[dict[str, str], Path, list[str]],
) -> None:
    env, _, person = bureau
    done = cli("report", *person, "--as-of", AS_OF, "--format", "json", "--out", "/dev/full",
               env=env)  # fmt: skip
    assert done.returncode == 2, done.stdout
    assert done.stderr == "error: --out: cannot write /dev/full: No space left on device\n"


def test_a_refused_what_if_or_plan_logs_no_look(
    bureau: tuple[dict[str, str], Path, list[str]],
) -> None:
    env, _, person = bureau
    before = _looks(env, *person)
    refused = [
        ("score", "what-if", *person, "--as-of", AS_OF, "--new-loan", "-5"),
        ("score", "what-if", *person, "--as-of", AS_OF, "--months-on-time", "0"),
        ("plan", "--person", *person, "--as-of", AS_OF, "--monthly-income", "9000"),
    ]
    for args in refused:
        done = cli(*args, env=env)
        assert done.returncode == 2, (args, done.stdout)
        assert len(done.stderr.splitlines()) == 1, done.stderr
    assert _looks(env, *person) == before


def _revolving_holder(population: Path) -> tuple[list[str], Decimal, Decimal]:
    """A synthetic person with an open credit line whose statement of the as-of month is not
    empty: their id, and the balance and limit of all their open lines that month."""
    lines: dict[tuple[str, str], list[dict[str, object]]] = {}
    for path in sorted((population / "cmf").glob(f"*/{AS_OF[:7]}.jsonl")):
        for text in path.read_text("utf-8").splitlines():
            record = json.loads(text)
            if record["credit_limit"] is not None and record["status"] == "open":
                lines.setdefault((record["id_type"], record["id_number"]), []).append(record)
    held = [(k, v) for k, v in sorted(lines.items()) if any(r["balance"] != "0.00" for r in v)]
    assert held, "the population has a revolving account with a statement this month"
    (id_type, number), records = held[0]
    balance = sum((Decimal(str(r["balance"])) for r in records), Decimal(0))
    limit = sum((Decimal(str(r["credit_limit"])) for r in records), Decimal(0))
    return [id_type, number], balance, limit


def test_a_synthetic_credit_line_shows_its_utilisation_everywhere(
    bureau: tuple[dict[str, str], Path, list[str]], tmp_path: Path
) -> None:
    """The utilisation is the furnished statement balances over the limits, in every rendering."""
    env, folder, _ = bureau
    person, balance, limit = _revolving_holder(folder / "population")
    expected = (balance / limit).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    shown = f"{expected * 100:,.2f} %"
    as_json = cli("report", *person, "--as-of", AS_OF, "--format", "json", env=env)
    assert as_json.returncode == 0, as_json.stderr
    liabilities = json.loads(as_json.stdout)["liabilities"]
    assert Decimal(liabilities["revolving_balance"]) == balance
    assert Decimal(liabilities["revolving_limit"]) == limit
    assert Decimal(liabilities["revolving_utilisation"]) == expected
    terminal = cli("report", *person, "--as-of", AS_OF, env=env)
    assert terminal.returncode == 0, terminal.stderr
    assert "Revolving utilisation" in terminal.stdout and shown in terminal.stdout
    html, pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    for fmt, out in (("html", html), ("pdf", pdf)):
        done = cli("report", *person, "--as-of", AS_OF, "--format", fmt, "--out", str(out), env=env)
        assert done.returncode == 0, done.stderr
    page = html.read_text("utf-8")
    assert "Revolving utilisation" in page and shown in page
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "Revolving utilisation" in text and shown in text
