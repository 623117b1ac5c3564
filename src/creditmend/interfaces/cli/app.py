"""The `creditmend` command: one Typer app with a sub-app per noun."""

from __future__ import annotations

import typer

from creditmend.interfaces.cli import loan

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="creditmend: an open credit bureau and a borrower's recovery advisor.",
)
app.add_typer(loan.app, name="loan")


def main() -> None:
    app()
