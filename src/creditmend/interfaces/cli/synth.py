"""`creditmend synth`: write a deterministic synthetic population (demo data, benchmark load).

Registered by the app as a plain command; it needs no adapter (the domain generator and a
stdlib file writer do all the work): it asks `bootstrap` only which profile is in force.
"""

from __future__ import annotations

import json
import os
import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from creditmend import bootstrap
from creditmend.domain.calendar import parse_date
from creditmend.domain.problems import Problem
from creditmend.interfaces.cli.errors import fail, input_errors
from creditmend.services.output_files import make_folder, write_file
from creditmend.services.synth import SynthParams, pick_showcase, workers_for, write_population

DEFAULT_START = "2023-01-01"  # a fixed default: the same command always writes the same files
PROGRESS_FROM = 1_000  # persons; smaller runs finish before a bar would be worth drawing
# Bounds checked before anything is written: 100,000 persons take about ten minutes, so a
# million is a long benchmark; platform codes have four digits (BK0001..NB9999).
MAX_PERSONS = 1_000_000
MAX_PLATFORMS = 9_999
MAX_MONTHS = 600
MAX_WORKERS = 64
_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)


def _start(text: str | None) -> date:
    value = text or DEFAULT_START
    try:
        return parse_date(f"{value}-01" if len(value) == 7 else value)
    except ValueError as error:
        raise fail([Problem("--start", str(error))]) from None


def _refuse_file(folder: Path, option: str) -> None:
    """A folder option that names an existing file is refused before any work."""
    if folder.exists() and not folder.is_dir():
        raise fail([Problem(option, f"{folder} is a file, not a folder")])


def _make_folder(folder: Path, option: str) -> None:
    """Create `folder` (and its parents) or end with one line naming `option`."""
    _refuse_file(folder, option)
    with input_errors():
        make_folder(folder, option)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise fail([Problem(option, f"cannot write in {folder}: permission denied")])


def synth(
    out: Annotated[Path, typer.Option(help="Output directory (created if missing)")],
    persons: Annotated[
        int,
        typer.Option(min=1, max=MAX_PERSONS, help=f"Number of persons, 1..{MAX_PERSONS:,}"),
    ] = 1_000,
    platforms: Annotated[
        int,
        typer.Option(
            min=1, max=MAX_PLATFORMS, help=f"Number of lending platforms, 1..{MAX_PLATFORMS}"
        ),
    ] = 20,
    months: Annotated[
        int, typer.Option(min=1, max=MAX_MONTHS, help=f"Months to simulate, 1..{MAX_MONTHS}")
    ] = 36,
    seed: Annotated[int, typer.Option(min=0, help="Random seed: same seed, same files")] = 1,
    start: Annotated[
        str | None, typer.Option(help=f"First month, YYYY-MM or YYYY-MM-DD [{DEFAULT_START}]")
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=0, max=MAX_WORKERS, help=f"Processes, 0..{MAX_WORKERS}; 0: up to 2 for large runs"
        ),
    ] = 0,
) -> None:
    """Write a synthetic population: CMF v1 files per furnisher and month, inquiries, public
    records and blacklist entries, every loan simulated by the ledger engine."""
    first = _start(start)
    _make_folder(out, "--out")
    workers = workers_for(persons, workers)
    params = SynthParams(persons, platforms, months, seed, first, bootstrap.JURISDICTION)
    began = time.perf_counter()
    with input_errors():  # the disk filled, or a file in `out` is in the way
        if persons >= PROGRESS_FROM:
            columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn())
            with Progress(*columns, TimeRemainingColumn(), console=_out, transient=True) as bar:
                task = bar.add_task("persons", total=persons)
                summary = write_population(
                    params, out, workers, lambda done: bar.update(task, completed=done)
                )
        else:
            summary = write_population(params, out, workers)
    seconds = time.perf_counter() - began
    manifest = summary.manifest
    table = Table(title=f"Synthetic population in {out}", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    window = manifest["parameters"]
    table.add_row("window", f"{window['start']} .. {window['end']}")
    for name, count in manifest["counts"].items():
        table.add_row(name.replace("_", " "), f"{count:,}")
    behaviours = ", ".join(f"{k} {v:,}" for k, v in manifest["behaviours"].items())
    table.add_row("persons with", behaviours)
    _out.print(table)
    _out.print(
        f"{persons:,} persons in {seconds:.1f} s ({persons / seconds:,.0f}/s, "
        f"{workers} process{'es' if workers > 1 else ''}); seed {seed}"
    )


def synth_pick(
    population: Annotated[Path, typer.Argument(help="A folder written by `creditmend synth`")],
    objection: Annotated[
        Path | None,
        typer.Option(
            "--objection",
            help="Write the borrower's grounds for an objection here: record.txt, evidence.json",
        ),
    ] = None,
) -> None:
    """Print `ID_TYPE ID_NUMBER` of the borrower a demo should show: several platforms, an
    overdue, and an auto-debit that failed although the bank balance was sufficient."""
    if not (population / "deduction_failures.jsonl").is_file():
        raise fail([Problem("POPULATION", f"{population} holds no synthetic population")])
    if objection is not None:
        _refuse_file(objection, "--objection")
    with input_errors():
        found = pick_showcase(population)
    if found is None:
        raise fail([Problem("POPULATION", "no borrower with a platform-side deduction failure")])
    if objection is not None:
        if found.objection_record is None or found.evidence is None:
            print(f"{found.id_type} {found.id_number}")
            raise fail([Problem("--objection", "the borrower's failed debits left no overdue")])
        _make_folder(objection, "--objection")
        evidence = json.dumps(found.evidence, indent=2) + "\n"
        with input_errors():  # e.g. a folder named record.txt is in the way
            write_file(objection / "record.txt", found.objection_record + "\n", "--objection")
            write_file(objection / "evidence.json", evidence, "--objection")
    print(f"{found.id_type} {found.id_number}")
    _err.print(
        f"{found.platforms} platforms, {found.overdue_accounts} account(s) overdue at the end, "
        f"{found.platform_fault_failures} auto-debit(s) failed with enough money in the bank"
    )
