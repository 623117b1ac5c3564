"""A key given twice in a JSON or CSV input is refused, never resolved by keeping one value."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import typer
from in_process import cli  # the e2e folder is on the path (pytest's prepend mode)
from test_cli_bureau import RECORD, env  # noqa: F401 - env is a fixture

from creditmend.interfaces.cli.objection import _read_json


def _compact(record: dict[str, object]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def test_a_record_with_a_key_twice_is_a_reject(env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    line = _compact(RECORD)[:-1] + ',"principal":"1.00"}'  # as a machine would write it
    path = tmp_path / "may.jsonl"
    path.write_text(_compact({**RECORD, "account_id": "A-2"}) + "\n" + line + "\n", "utf-8")
    done = cli("ingest", str(path), "--as-of", "2025-06-15", env=env)
    assert done.returncode == 2, done.stdout
    assert "1 rejected line(s), nothing applied" in done.stderr
    rejects = [
        json.loads(x) for x in (tmp_path / "may.jsonl.rejects.jsonl").read_text().splitlines()
    ]
    assert rejects == [{"line": 2, "field": "principal", "reason": "appears twice"}]


def test_a_value_holding_quote_colon_is_still_read(env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "may.jsonl"
    path.write_text(_compact({**RECORD, "name": 'A "B": C'}) + "\n", "utf-8")
    done = cli("ingest", str(path), "--as-of", "2025-06-15", "--json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["applied"] == 1


def test_a_csv_column_twice_is_refused(env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "may.csv"
    fields = [*RECORD, "status"]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(fields)
        writer.writerow([*RECORD.values(), "closed"])
    done = cli("ingest", str(path), "--as-of", "2025-06-15", env=env)
    assert done.returncode == 2
    assert "line 1: status: appears twice in the header" in done.stderr


def test_a_furnisher_with_a_key_twice_is_refused(env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "furnishers.jsonl"
    path.write_text('{"furnisher_id":"F9","name":"x","kind":"bank","kind":"non_bank"}\n', "utf-8")
    done = cli("furnisher", "import", str(path), env=env)
    assert done.returncode == 2
    assert done.stderr.strip() == "error: line 1: kind: appears twice"


@pytest.mark.parametrize(
    "text", ['{"days_past_due": 0, "days_past_due": 45}', '{"a": {"b": 1, "b": 2}}']
)
def test_corrections_and_evidence_with_a_key_twice_are_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "c.json"
    path.write_text(text, "utf-8")
    with pytest.raises(typer.Exit) as refused:
        _read_json(path, "--corrections")
    assert refused.value.exit_code == 2


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('{"furnisher_id":"F9","name":"x","kind":"zzz"}\n', "line 1: kind: unknown 'zzz'; one of"),
        ("[1, 2]\n", "line 1: line: is not a JSON object"),
        ('{"furnisher_id":"F9","kind":"bank"}\n', "line 1: name: is required, as text"),
        ("\n", "file: "),
        (
            '{"furnisher_id":"F9","name":"x","kind":"bank"}\n'
            '{"furnisher_id":"F9","name":"y","kind":"bank"}\n',
            "line 2: furnisher_id: listed on line 1 already",
        ),
    ],
)
def test_a_bad_furnisher_list_names_the_field(
    env: dict[str, str],  # noqa: F811
    tmp_path: Path,
    text: str,
    said: str,
) -> None:
    path = tmp_path / "furnishers.jsonl"
    path.write_text(text, "utf-8")
    done = cli("furnisher", "import", str(path), env=env)
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {said}"), done.stderr
    assert len(done.stderr.splitlines()) == 1
