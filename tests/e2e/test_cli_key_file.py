"""The embedded store's key file end to end: only a key of one's own, in a folder of one's own.

A key somebody else planted before the store was made would let them read every identity the
store encrypts with it, so a key file is refused unless it is a regular file (not a symbolic
link, not a folder) owned by the user running the command, readable by them only, in a folder
nobody else may write to. Each case runs as this user (in process) and, when the tests run as
root, again as an unprivileged user (uid 65534) in a child process, so the rules hold for both.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from in_process import Done, cli
from test_cli_bureau import RECORD, RIC  # the e2e folder is on the path (pytest's prepend mode)

NOBODY = 65534
AS_OF = "2025-06-15"
IS_ROOT = os.geteuid() == 0


def _run(
    *args: str, env: dict[str, str], uid: int | None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`creditmend ARGS` in a child process, as `uid` when given (root switches to it)."""
    switch = (
        [] if uid is None else ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
    )
    return subprocess.run(
        [*switch, sys.executable, "-m", "creditmend", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=cwd,
        timeout=120,  # a key read through a symlink to a FIFO would block here for ever
    )


class Runner:
    """A folder owned by the user a case runs as, and the CLI run as that user."""

    def __init__(self, folder: Path, uid: int | None) -> None:
        self.folder = folder
        self.uid = uid
        self.env = {**os.environ, "CREDITMEND_DB": f"sqlite:///{folder / 'bureau.db'}"}
        self.env.pop("CREDITMEND_KEY", None)
        self.key = folder / "bureau.key"

    @property
    def owner(self) -> int:
        return os.geteuid() if self.uid is None else self.uid

    def __call__(
        self, *args: str, db: str | None = None
    ) -> Done | subprocess.CompletedProcess[str]:
        env = self.env if db is None else {**self.env, "CREDITMEND_DB": db}
        if self.uid is None:
            # This user: in process, the same command without an interpreter's start (seconds).
            here = Path.cwd()
            os.chdir(self.folder)
            try:
                return cli(*args, env={**env, "CREDITMEND_KEY": None})  # type: ignore[dict-item]
            finally:
                os.chdir(here)
        return _run(*args, env=env, uid=self.uid, cwd=self.folder)

    def give(self, path: Path) -> Path:
        """Make `path` the runner's own (it is made by this process, maybe as root)."""
        if self.uid is not None:
            os.chown(path, self.uid, self.uid, follow_symlinks=False)
        return path

    def make_store(self) -> None:
        done = self("furnisher", "add", "LENDER1", "--name", "Lender One", "--kind", "non_bank")
        assert done.returncode == 0, done.stderr


@pytest.fixture(params=["me", "nobody"])
def runner(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runner]:
    if request.param == "me":
        folder = tmp_path / "store"
        folder.mkdir(mode=0o700)
        yield Runner(folder, None)
        return
    if not IS_ROOT:
        pytest.skip("running as another user needs root; the 'me' case is this non-root user")
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is needed to run the CLI as uid 65534")
    # Under /tmp, not tmp_path: pytest's folders are root's own (0700), closed to uid 65534.
    folder = Path(tempfile.mkdtemp(prefix="creditmend-key-"))
    try:
        os.chown(folder, NOBODY, NOBODY)
        yield Runner(folder, NOBODY)
    finally:
        shutil.rmtree(folder)


def _one_line_refusal(done: Done | subprocess.CompletedProcess[str], text: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith("error: key: "), done.stderr
    assert text in done.stderr, done.stderr


def test_a_key_file_owned_by_another_user_is_refused(runner: Runner) -> None:
    other = 0 if runner.uid is not None else NOBODY  # root is another user to uid 65534
    if runner.uid is None and not IS_ROOT:
        pytest.skip("only root can give a file to another user: a non-root run cannot plant one")
    runner.key.write_text("6gQbRBQvL1Pp2rWk0l9cX8yb0sFqz3gk3oM4VYk1Wm8=\n")
    runner.key.chmod(0o600)
    os.chown(runner.key, other, other)
    done = runner("furnisher", "add", "LENDER1", "--name", "Lender One", "--kind", "non_bank")
    _one_line_refusal(done, f"{runner.key} belongs to another user (uid {other})")


def test_a_symlink_at_the_key_path_is_refused_and_its_target_never_read(runner: Runner) -> None:
    target = runner.folder / "elsewhere"
    os.mkfifo(target, 0o600)  # reading it would block: a refusal must not even open it
    runner.give(target)
    runner.key.symlink_to(target)
    runner.give(runner.key)
    done = runner("furnisher", "add", "LENDER1", "--name", "Lender One", "--kind", "non_bank")
    _one_line_refusal(done, f"{runner.key} is a symbolic link, not a key file")


def test_a_key_path_that_is_a_folder_is_said_to_be_one(runner: Runner) -> None:
    runner.key.mkdir(mode=0o700)
    runner.give(runner.key)
    done = runner("furnisher", "add", "LENDER1", "--name", "Lender One", "--kind", "non_bank")
    _one_line_refusal(done, f"{runner.key} is a folder, not a key file")


def test_a_key_in_a_folder_others_may_write_is_refused(runner: Runner) -> None:
    runner.folder.chmod(0o777)
    done = runner("furnisher", "add", "LENDER1", "--name", "Lender One", "--kind", "non_bank")
    _one_line_refusal(done, f"the folder {runner.folder} of the key file is writable by others")
    assert not runner.key.exists()
    runner.folder.chmod(0o1777)  # sticky, as /tmp: others still plant files in it
    done = runner("furnisher", "add", "LENDER1", "--name", "Lender One", "--kind", "non_bank")
    _one_line_refusal(done, f"the folder {runner.folder} of the key file is writable by others")
    assert not runner.key.exists()


def test_a_key_in_a_folder_of_another_user_is_refused(runner: Runner) -> None:
    if runner.uid is not None:
        pytest.skip(
            "a non-root user can make a store in another user's folder only if it is group- or "
            "other-writable, which is refused as such (the test above)"
        )
    other = NOBODY  # root's own folders are allowed
    if not IS_ROOT:
        pytest.skip("only root can give a folder to another user")
    runner.folder.chmod(0o755)
    os.chown(runner.folder, other, other)
    done = runner("furnisher", "add", "LENDER1", "--name", "Lender One", "--kind", "non_bank")
    _one_line_refusal(done, f"the folder {runner.folder} of the key file belongs to another user")


def test_the_key_file_is_made_owner_only_and_used_again(runner: Runner) -> None:
    runner.make_store()
    info = runner.key.lstat()
    assert (info.st_uid, info.st_mode & 0o777) == (runner.owner, 0o600)
    key = runner.key.read_text()
    done = runner("furnisher", "add", "LENDER2", "--name", "Lender Two", "--kind", "non_bank")
    assert done.returncode == 0, done.stderr
    assert runner.key.read_text() == key


def test_a_deleted_key_file_of_a_store_is_said_to_be_missing(runner: Runner) -> None:
    runner.make_store()
    runner.key.unlink()
    for args in (
        ("furnisher", "add", "LENDER2", "--name", "Lender Two", "--kind", "non_bank"),
        ("report", "cn_ric", RIC),
    ):
        done = runner(*args)
        _one_line_refusal(
            done,
            f"the key file {runner.key} is missing (the store was made with it; restore it "
            "from your backup or set CREDITMEND_KEY)",
        )
        assert not runner.key.exists()  # no new key is made for an existing store


def _furnish(runner: Runner, db: str) -> None:
    cmf = runner.folder / "may.jsonl"
    cmf.write_text(json.dumps(RECORD, ensure_ascii=False) + "\n", "utf-8")
    runner.give(cmf)
    done = runner("ingest", str(cmf), "--as-of", AS_OF, db=db)
    assert done.returncode == 0, done.stderr


def test_an_sqlite_uri_keeps_its_key_beside_the_database_it_opens(runner: Runner) -> None:
    runner.make_store()  # sqlite:///FOLDER/bureau.db: the key is FOLDER/bureau.key
    key = runner.key.read_text()
    _furnish(runner, "sqlite:///file:bureau.db?uri=true")  # relative to the working folder
    assert sorted(p.name for p in runner.folder.iterdir() if p.suffix == ".key") == ["bureau.key"]
    assert runner.key.read_text() == key
    absolute = f"sqlite:///file:{runner.folder / 'bureau.db'}?mode=ro&uri=true"
    for db in (absolute, "sqlite:///file:bureau.db?mode=ro&uri=true", runner.env["CREDITMEND_DB"]):
        done = runner("object", "list", "--db", db)
        assert done.returncode == 0, (db, done.stderr)
    done = runner("report", "cn_ric", RIC, "--as-of", AS_OF, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["header"]


def test_a_new_store_through_an_sqlite_uri_makes_its_key_beside_it(runner: Runner) -> None:
    db = "sqlite:///file:fresh.db?uri=true"
    done = runner(
        "furnisher", "add", "LENDER1", "--name", "Lender One", "--kind", "non_bank", db=db
    )
    assert done.returncode == 0, done.stderr
    made = sorted(p.name for p in runner.folder.iterdir() if p.suffix in (".db", ".key"))
    assert made == ["fresh.db", "fresh.key"]  # (an open in-process store keeps its -wal, -shm)


def test_a_read_only_sqlite_uri_cannot_make_a_key(runner: Runner) -> None:
    runner.make_store()
    runner.key.unlink()
    db = f"sqlite:///file:{runner.folder / 'bureau.db'}?mode=ro&uri=true"
    done = runner("object", "list", "--db", db)
    _one_line_refusal(done, f"the key file {runner.key} is missing")
