"""`creditmend synth` and `synth-pick` refuse bad input with one line and exit status 2: an
output path that cannot be a folder, sizes beyond their bounds (checked before anything is
written), and population files that are not UTF-8, not JSON or lack a key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from in_process import Done, cli  # the e2e folder is on the path (pytest's prepend mode)

SMALL = ("--persons", "5", "--months", "3")


def _one_error(done: Done, option: str) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ") and option in lines[0], lines[0]
    assert "Traceback" not in lines[0]
    return lines[0]


def test_out_that_is_a_file_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "store.db"
    store.write_bytes(b"not a folder")
    line = _one_error(cli("synth", *SMALL, "--out", str(store)), "--out")
    assert "is a file" in line
    assert store.read_bytes() == b"not a folder"


def test_out_under_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    _one_error(cli("synth", *SMALL, "--out", str(tmp_path / "file" / "pop")), "--out")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc")
def test_out_that_cannot_be_created_is_refused() -> None:
    line = _one_error(cli("synth", *SMALL, "--out", "/proc/nope"), "--out")
    assert "cannot create /proc/nope" in line


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--persons", "99999999999999"),
        ("--persons", "1000001"),
        ("--persons", "0"),
        ("--platforms", "10000"),
        ("--months", "601"),
        ("--workers", "100000"),
    ],
)
def test_sizes_beyond_their_bounds_are_refused_before_writing(
    tmp_path: Path, option: str, value: str
) -> None:
    out = tmp_path / "pop"
    args = dict(zip(SMALL[::2], SMALL[1::2], strict=True)) | {option: value}
    flat = [part for pair in args.items() for part in pair]
    _one_error(cli("synth", *flat, "--out", str(out)), option)
    assert not out.exists()


def test_help_says_the_bounds() -> None:
    done = cli("synth", "--help")
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    assert "1..1,000,000" in text
    assert "1..9999" in text


def _population(root: Path, failures: bytes | None = None) -> Path:
    """A hand-made population: one auto-debit that failed with enough money in the bank and
    left its month overdue."""
    failure = {
        "id_type": "resident_id",
        "id_number": "110101199001011234",
        "furnisher_id": "NB0001",
        "account_id": "A1",
        "attempted_on": "2024-03-05",
        "balance_was_sufficient": True,
        "reason": "platform_error",
        "bank_balance": "900.00",
    }
    record = {
        "id_type": "resident_id",
        "id_number": "110101199001011234",
        "furnisher_id": "NB0001",
        "account_id": "A1",
        "period": "2024-03",
        "days_past_due": 10,
    }
    root.mkdir()
    (root / "cmf" / "NB0001").mkdir(parents=True)
    (root / "cmf" / "NB0001" / "2024-03.jsonl").write_text(json.dumps(record) + "\n", "utf-8")
    text = failures if failures is not None else (json.dumps(failure) + "\n").encode()
    (root / "deduction_failures.jsonl").write_bytes(text)
    return root


def test_the_hand_made_population_is_picked(tmp_path: Path) -> None:
    population = _population(tmp_path / "pop")
    done = cli("synth-pick", str(population), "--objection", str(tmp_path / "objection"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["resident_id", "110101199001011234"]
    assert (tmp_path / "objection" / "record.txt").read_text("utf-8") == (
        "account:NB0001:A1:2024-03\n"
    )


def test_objection_that_is_a_file_is_refused(tmp_path: Path) -> None:
    population = _population(tmp_path / "pop")
    (tmp_path / "taken").write_text("mine")
    done = cli("synth-pick", str(population), "--objection", str(tmp_path / "taken"))
    assert "is a file" in _one_error(done, "--objection")
    assert (tmp_path / "taken").read_text() == "mine"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc")
def test_objection_that_cannot_be_created_is_refused(tmp_path: Path) -> None:
    population = _population(tmp_path / "pop")
    done = cli("synth-pick", str(population), "--objection", "/proc/x")
    assert "cannot create /proc/x" in _one_error(done, "--objection")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"balance_was_sufficient": false}\n\xff\xfe\n', "not UTF-8 text"),
        (b'{"balance_was_sufficient": false}\n{not json\n', "not valid JSON"),
        (b'{"balance_was_sufficient": false}\n[1, 2]\n', "not a JSON object"),
        (
            b'{"balance_was_sufficient": false}\n{"x": 1}\n',
            "lacks the key 'balance_was_sufficient'",
        ),
        (
            b'{"balance_was_sufficient": true, "id_type": "a", "id_number": "1",'
            b' "furnisher_id": "F", "account_id": "A", "attempted_on": 5}\n',
            "wrong type",
        ),
    ],
)
def test_bad_deduction_failures_name_the_file_and_line(
    tmp_path: Path, content: bytes, message: str
) -> None:
    population = _population(tmp_path / "pop", content)
    line = _one_error(cli("synth-pick", str(population)), "deduction_failures.jsonl")
    assert message in line
    expected = "line 1:" if message == "wrong type" else "line 2:"
    assert expected in line


def test_bad_cmf_line_names_the_file_and_line(tmp_path: Path) -> None:
    population = _population(tmp_path / "pop")
    cmf = population / "cmf" / "NB0001" / "2024-03.jsonl"
    cmf.write_text(cmf.read_text("utf-8") + '{"id_type": "resident_id"}\n', "utf-8")
    line = _one_error(cli("synth-pick", str(population)), "2024-03.jsonl")
    assert "line 2:" in line and "lacks the key 'id_number'" in line
