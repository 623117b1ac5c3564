"""The CLI run in process (Typer's runner): the same parsing, exit codes and output streams as
the installed command, without starting an interpreter per call (about 1 s of CPU each here).
tests/e2e/test_cli_bureau.py is the file that starts the installed command itself."""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import typer.main
import typer.testing
from typer.testing import CliRunner

from creditmend.interfaces.cli.app import app

# Typer's runner turns the app into its Click command at every call: about 150 ms of reading
# every command's signature and type hints, most of an in-process run's time for a small
# command (the suite runs thousands). The command is made once per process instead, as the
# installed command makes it once per run; every runner of the suite goes through it.
typer.testing._get_command = functools.cache(typer.main.get_command)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Done:
    returncode: int
    stdout: str
    stderr: str


def invoke(args: Sequence[str], env: Mapping[str, str | None] | None = None) -> Done:
    """Run `creditmend ARGS` with `env` over the process's environment (None unsets a
    variable); an exception other than the command's exit is raised as is."""
    # In a copy of the context, as a process of its own would be: what a run chooses for itself
    # (its language, in a context variable) does not outlive it.
    run = CliRunner().invoke
    result = contextvars.copy_context().run(run, app, list(args), env=env, prog_name="creditmend")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Done(result.exit_code, result.stdout, result.stderr)
