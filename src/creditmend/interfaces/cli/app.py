"""The `creditmend` command: one Typer app with a sub-app per noun."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer.core import TyperGroup

from creditmend.interfaces.cli import (
    batch,
    bureau,
    client,
    inquiry,
    language,
    loan,
    objection,
    plan,
    score,
    serve,
    synth,
    user,
    whatif,
)


class _OneLineUsageErrors(TyperGroup):
    """The root command, which reports Click's own usage errors (a missing argument, an unknown
    option, command or choice) as one line on stderr with exit status 2, as the commands report
    bad input, instead of Typer's boxed panel under the usage."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            result = super().main(
                args,
                prog_name,
                complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        except NoArgsIsHelpError as error:  # `creditmend` or `creditmend object` alone: the help
            if error.ctx is not None:
                sys.stdout.write(error.ctx.get_help())  # Typer prints it with Rich, returns ""
            sys.exit(error.exit_code)
        except UsageError as error:
            sys.stderr.write(usage_error_line(error, prog_name or "creditmend") + "\n")
            sys.exit(error.exit_code)
        except ClickException as error:
            sys.stderr.write(f"error: {' '.join(error.format_message().split())}\n")
            sys.exit(error.exit_code)
        except typer.Abort:
            sys.stderr.write("aborted\n")
            sys.exit(1)
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)


def usage_error_line(error: UsageError, program: str) -> str:
    """`error: COMMAND: MESSAGE (try 'COMMAND --help')`, on one line (the program alone when
    the parser fails before it knows the command)."""
    message = " ".join(error.format_message().split())
    path = error.ctx.command_path if error.ctx is not None else program
    return f"error: {path}: {message} (try '{path} --help')"


app = typer.Typer(
    cls=_OneLineUsageErrors,
    no_args_is_help=True,
    add_completion=False,
    help="creditmend: an open credit bureau and a borrower's recovery advisor.",
)


@app.callback()
def _language(
    lang: str | None = typer.Option(
        None,
        "--lang",
        metavar="zh_CN|en",
        help="The language of every page, table and message (default: LANG; else English).",
    ),
) -> None:
    """The run's language, chosen once for every renderer (`language.py`)."""
    try:
        language.use(language.chosen(lang))
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="'--lang'") from None


app.add_typer(loan.app, name="loan")
score.app.command("what-if")(whatif.what_if)
app.add_typer(score.app, name="score")
app.add_typer(bureau.furnisher_app, name="furnisher")
app.add_typer(bureau.records_app, name="records")
app.add_typer(objection.app, name="object")
app.add_typer(client.app, name="client")
app.add_typer(user.app, name="user")
app.command()(bureau.ingest)
app.command()(bureau.keygen)
app.command()(bureau.retain)
app.command()(bureau.archive)
app.command()(synth.synth)
app.command("synth-pick")(synth.synth_pick)
app.command()(inquiry.inquire)
app.command()(inquiry.report)
app.command()(batch.batch)
app.command()(inquiry.audit)
app.command()(plan.plan)
app.command()(serve.serve)


OWNER_ONLY_UMASK = 0o077


def main() -> None:
    """The installed command. The umask is set to 0o077 first: every file the bureau writes
    holds account-level financial data, and besides the files it writes owner-only on purpose
    (`services/output_files.py`, the SQLite store) the engines make their own (DuckDB's and
    Spark's Parquet, SQLite's journal, a folder made on the way): with this umask none of them
    is ever readable by another user, whatever the umask the command was started with."""
    os.umask(OWNER_ONLY_UMASK)
    app()
