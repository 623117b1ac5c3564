"""The `creditmend` command: one Typer app with a sub-app per noun."""

from __future__ import annotations

import typer

from creditmend.interfaces.cli import (
    batch,
    bureau,
    inquiry,
    loan,
    objection,
    plan,
    score,
    synth,
    whatif,
)

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="creditmend: an open credit bureau and a borrower's recovery advisor.",
)
app.add_typer(loan.app, name="loan")
score.app.command("what-if")(whatif.what_if)
app.add_typer(score.app, name="score")
app.add_typer(bureau.furnisher_app, name="furnisher")
app.add_typer(bureau.records_app, name="records")
app.add_typer(objection.app, name="object")
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


def main() -> None:
    app()
