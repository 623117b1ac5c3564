"""`creditmend batch`: every person's indicators as of a day, into Parquet."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from creditmend import bootstrap
from creditmend.domain.i18n import N_
from creditmend.domain.problems import Problem
from creditmend.interfaces.cli import clock
from creditmend.interfaces.cli.bureau import AsOfOption, DbOption, JsonOption, past_day
from creditmend.interfaces.cli.errors import fail, input_errors
from creditmend.interfaces.cli.terminal import json_text

_out = Console(highlight=False, soft_wrap=True)


def _out_problem(folder: Path) -> Problem | None:
    """`--out` checked before anything is read: a folder that is there, or that can be made in
    its nearest existing parent. Nothing is made here: a batch refused by a later check (an
    unknown engine, a day before the data) must leave no empty folder behind; the batch makes
    it when it writes."""
    if folder.exists() and not folder.is_dir():
        return Problem("--out", f"{folder} is a file, not a folder")
    if folder.is_dir():
        return None if os.access(folder, os.W_OK) else Problem("--out", f"cannot write in {folder}")
    parent = next(p for p in folder.absolute().parents if p.exists())
    if not parent.is_dir():
        return Problem("--out", f"cannot make the folder {folder}: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        return Problem("--out", f"cannot make the folder {folder}: cannot write in {parent}")
    return None


def batch(
    as_of: AsOfOption = None,
    engine: Annotated[str, typer.Option(help="duckdb (embedded) | spark")] = "duckdb",
    out: Annotated[Path | None, typer.Option(help="Output folder (default: batch-AS_OF)")] = None,
    spark_master: Annotated[
        str | None, typer.Option(help="Spark master URL (default: local[2])")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Compute every indicator for every person as of a day (indicators.parquet, one row per
    person, and platforms.parquet, one row per person and platform)."""
    day = past_day(as_of, N_("a batch is computed as of today or"))
    folder = out or Path(f"batch-{day}")
    problems = []
    if spark_master is not None and engine != "spark":
        problems.append(Problem("--spark-master", "goes with --engine spark"))
    where = _out_problem(folder)
    if where is not None:
        problems.append(where)
    if problems:
        raise fail(problems)
    with input_errors():
        chosen = bootstrap.batch_engine(engine, spark_master)
        try:
            report = bootstrap.build_bureau(db).batch.run(day, engine, chosen, folder, clock.now())
        finally:
            stop = getattr(chosen, "stop", None)  # Spark's session ends with the command
            if stop is not None:
                stop()
    if as_json:
        print(
            json_text(
                {
                    "as_of": report.as_of.isoformat(),
                    "engine": report.engine,
                    "inputs": report.inputs,
                    "outputs": report.outputs,
                    "out": str(report.out),
                    "prepare_seconds": round(report.prepare_seconds, 3),
                    "engine_seconds": round(report.engine_seconds, 3),
                }
            )
        )
        return
    table = Table(title=f"Indicator batch as of {report.as_of} ({report.engine})")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in report.inputs.items():
        table.add_row(f"in: {name}", f"{rows:,}")
    for name, rows in report.outputs.items():
        table.add_row(f"out: {name}", f"{rows:,}")
    _out.print(table)
    _out.print(
        f"read and decided in {report.prepare_seconds:.1f} s, "
        f"computed in {report.engine_seconds:.1f} s; written to {report.out}/"
    )
