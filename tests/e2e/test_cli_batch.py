"""`creditmend batch` refuses what it cannot do before reading anything: one line, exit 2."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from in_process import cli  # the e2e folder is on the path (pytest's prepend mode)
from test_cli_bureau import cli as installed_cli

from creditmend import bootstrap
from creditmend.adapters.batch.spark_engine import MasterUnreachableError, check_master_reachable
from creditmend.domain.problems import ProblemsError

AS_OF = "2026-06-30"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--as-of", "2099-01-01"), "error: --as-of: 2099-01-01 is in the future"),
        (("--spark-master", "local[1]"), "error: --spark-master: goes with --engine spark"),
        (("--out", "{file}"), "error: --out: {file} is a file, not a folder"),
        (("--out", "{file}/below"), "error: --out: cannot make the folder {file}/below"),
    ],
)
def test_bad_options_are_refused_before_the_store_is_read(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    store = tmp_path / "bureau.db"
    env = {**os.environ, "CREDITMEND_DB": f"sqlite:///{store}"}
    given = [arg.replace("{file}", str(a_file)) for arg in args]
    done = (
        cli("batch", "--as-of", AS_OF, *given, env=env)
        if args[0] != "--as-of"
        else (cli("batch", *given, env=env))
    )
    assert done.returncode == 2
    assert done.stderr.startswith(message.replace("{file}", str(a_file))), done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert not store.exists()  # nothing was opened, let alone made


@pytest.mark.parametrize("out", [(), ("--out", "made/below")])
def test_a_refused_engine_leaves_no_folder_behind(tmp_path: Path, out: tuple[str, ...]) -> None:
    """Every check runs before anything is written: the output folder (by default
    `batch-AS_OF/` in the working directory, here the test's own) is made by the batch itself."""
    env = {**os.environ, "CREDITMEND_DB": f"sqlite:///{tmp_path / 'store' / 'bureau.db'}"}
    done = cli("batch", "--as-of", AS_OF, "--engine", "hadoop", *out, env=env)
    assert done.returncode == 2
    assert done.stderr.startswith("error: --engine: unknown 'hadoop'"), done.stderr
    assert Path.cwd() == tmp_path
    assert list(tmp_path.iterdir()) == []


def test_spark_without_java_is_said_before_anything_runs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no java on it
    with pytest.raises(ProblemsError, match=r"batch\.engine: Spark needs Java 17 or later"):
        bootstrap.batch_engine("spark")  # a domain field; the command line says its option
    done = cli("batch", "--as-of", AS_OF, "--engine", "spark", "--out", str(tmp_path / "out"))
    assert (done.returncode, done.stderr) == (
        2,
        "error: --engine: Spark needs Java 17 or later: none found (JAVA_HOME, PATH)\n",
    )


def test_a_spark_master_that_does_not_start_is_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "CREDITMEND_DB": f"sqlite:///{tmp_path / 'bureau.db'}"}
    done = installed_cli(
        "batch", "--as-of", AS_OF, "--engine", "spark", "--spark-master", "nonsense", env=env
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.startswith("error: --spark-master: Spark did not start at nonsense")
    assert len(done.stderr.splitlines()) == 1, done.stderr[-2000:]


def _closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_standalone_master_nobody_listens_at_is_told_before_spark_starts(
    tmp_path: Path,
) -> None:
    """A `spark://` master whose address takes no connection is refused by the command's own
    check, naming the address (no JVM is started: Spark's retries would last a minute and more)."""
    master = f"spark://127.0.0.1:{_closed_port()}"
    env = {"CREDITMEND_DB": f"sqlite:///{tmp_path / 'bureau.db'}"}
    done = cli("batch", "--as-of", AS_OF, "--engine", "spark", "--spark-master", master, env=env)
    assert (done.returncode, done.stderr) == (
        2,
        f"error: --spark-master: Spark did not start at {master}: no master answers "
        f"({master.removeprefix('spark://')}: Connection refused)\n",
    )


def test_the_master_check_passes_where_something_listens_and_names_a_bad_address() -> None:
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(1)
        port = listening.getsockname()[1]
        check_master_reachable(f"spark://127.0.0.1:{_closed_port()},127.0.0.1:{port}")
    check_master_reachable("local[2]")  # not a standalone master: left to Spark
    with pytest.raises(MasterUnreachableError, match=r"'127\.0\.0\.1' is not host:port"):
        check_master_reachable("spark://127.0.0.1")
