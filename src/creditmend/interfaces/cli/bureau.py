"""Bureau operations: `keygen`, `furnisher add`, `ingest`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from creditmend import bootstrap
from creditmend.domain.calendar import parse_date
from creditmend.domain.creditfile.furnisher import Furnisher, FurnisherKind
from creditmend.domain.i18n import N_, Said, said_of
from creditmend.domain.problems import Problem
from creditmend.domain.text import escaped
from creditmend.interfaces.cli import clock
from creditmend.interfaces.cli.errors import INPUT_ERROR, fail, input_errors
from creditmend.interfaces.cli.terminal import json_text, plain
from creditmend.services.furnish import format_of
from creditmend.services.pipeline import TAKEN_IN_ON, IngestReport

furnisher_app = typer.Typer(no_args_is_help=True, help="Register the lenders that furnish data.")
records_app = typer.Typer(no_args_is_help=True, help="Public records and blacklist entries.")
_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: CREDITMEND_DB or embedded SQLite)"),
]
FormatOption = Annotated[
    str | None, typer.Option("--format", help="jsonl | csv (default: from the extension)")
]
PartialOption = Annotated[
    bool, typer.Option(help="Apply the valid records even if some are rejected")
]
AsOfOption = Annotated[str | None, typer.Option(help="Business date (default: today)")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the summary as JSON")]


def as_of_date(text: str | None) -> date:
    if text is None:
        return clock.today()
    try:
        return parse_date(text)
    except ValueError as error:
        raise fail([Problem("--as-of", said_of(error))]) from None


def past_day(as_of: str | None, what: str = N_("an inquiry happens now or was made")) -> date:
    """The business date, refused in the future: a record of what happened cannot be dated
    after today (a later date would, say, lapse every open objection for good)."""
    day = as_of_date(as_of)
    if day > clock.today():
        # `what` is a catalogued phrase (`N_`): said in the chosen language too
        message = Said(
            N_("%(day)s is in the future; %(what)s on a past day"), day=day, what=Said(what)
        )
        raise fail([Problem("--as-of", message)])
    return day


def keygen() -> None:
    """Print a new key for CREDITMEND_KEY (keep it secret; without it the ids cannot be read)."""
    print(bootstrap.new_key())


@furnisher_app.command("add")
def furnisher_add(
    code: Annotated[str, typer.Argument(help="The furnisher's registered code")],
    name: Annotated[str, typer.Option(help="Display name")],
    kind: Annotated[str, typer.Option(help="bank | non_bank")],
    subtype: Annotated[str | None, typer.Option(help="e.g. online_microloan")] = None,
    db: DbOption = None,
) -> None:
    """Register a furnisher; its files are refused until it is registered."""
    with input_errors():
        try:
            furnisher_kind = FurnisherKind(kind)
        except ValueError:
            unknown = Said(N_("unknown value %(value)s; bank or non_bank"), value=repr(kind))
            raise fail([Problem("--kind", unknown)]) from None
        bureau = bootstrap.build_bureau(db, create=True)
        bureau.furnish.add_furnisher(Furnisher(code, name, furnisher_kind, subtype), clock.now())
    _out.print(f"furnisher {code} registered")


def ingest(
    file: Annotated[
        Path, typer.Argument(help="CMF v1 file (JSON Lines or CSV), or a folder of them")
    ],
    fmt: FormatOption = None,
    partial: PartialOption = False,
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Take furnishing files into the bureau: each file all of it, or (with rejects) none of it.

    A folder is taken file by file in period order (files are named by period, as
    `creditmend synth` writes them), each in its own transaction."""
    if fmt is not None and fmt not in ("jsonl", "csv"):  # before any file is read or skipped
        unknown = Said(N_("unknown format %(value)s; jsonl or csv"), value=repr(fmt))
        raise fail([Problem("--format", unknown)])
    day = past_day(as_of, TAKEN_IN_ON)  # before a store is made
    with input_errors():
        bureau = bootstrap.build_bureau(db, create=True)
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=_err,
            transient=True,
            disable=as_json or not _err.is_terminal,  # a pipe gets no spinner (nor its blank line)
        ) as progress:
            task = progress.add_task("reading", total=None)

            def advance(name: str, count: int | None) -> None:
                said = f"reading {name}" if count is None else f"reading {name}: {count:,} records"
                progress.update(task, description=said)

            reports = bureau.furnish.ingest_all(file, fmt, day, clock.now(), partial, advance)
    if not file.is_dir():
        _finish(reports[0], file, as_json)
        return
    _print_folder(file, reports, as_json)


def _print_folder(folder: Path, reports: list[IngestReport], as_json: bool) -> None:
    keys = ("records", "applied", "unchanged", "corrected", "rejected")
    totals = {key: sum(getattr(report, key) for report in reports) for key in keys}
    failed = [report for report in reports if not report.committed]
    if as_json:
        print(
            json_text(
                {"files": len(reports), **totals, "not_applied": [report.file for report in failed]}
            )
        )
    else:
        table = Table(title=f"Ingestion of {folder} ({len(reports)} files)", show_header=False)
        table.add_column("item")
        table.add_column("value", justify="right")
        for key, value in totals.items():
            table.add_row(key, f"{value:,}")
        _out.print(table)
    for report in failed:
        _err.print(
            f"error: {report.file}: {_first(report)}{report.rejected} rejected line(s), "
            f"nothing applied (see {report.rejects_file})",
            markup=False,
        )
    if failed:
        raise typer.Exit(INPUT_ERROR)


@furnisher_app.command("import")
def furnisher_import(
    file: Annotated[Path, typer.Argument(help="JSON Lines: furnisher_id, name, kind, subtype")],
    db: DbOption = None,
) -> None:
    """Register furnishers in bulk (as `creditmend synth` lists them); known ones are skipped."""
    with input_errors():
        bureau = bootstrap.build_bureau(db, create=True)
        added = bureau.furnish.import_furnishers(file, clock.now())
    _out.print(f"{added} furnisher(s) registered")


@records_app.command("import")
def records_import(
    file: Annotated[Path, typer.Argument(help="Records file (JSON Lines or CSV)")],
    kind: Annotated[str, typer.Option(help="public_records | blacklist")],
    fmt: FormatOption = None,
    partial: PartialOption = False,
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import public records or blacklist entries: all of the file, or (with rejects) none."""
    day = past_day(as_of, TAKEN_IN_ON)  # before a store is made
    with input_errors():
        bureau = bootstrap.build_bureau(db, create=True)
        report = bureau.records.import_file(
            kind, file, format_of(file, fmt), day, clock.now(), partial
        )
    _finish(report, file, as_json)


def retain(
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Apply retention (5 years after the bad behaviour ends) and dated policies as of a day."""
    day = past_day(as_of, N_("retention is applied as of today or"))
    with input_errors():
        report = bootstrap.build_bureau(db).retention.retain(day, clock.now())
    data = {
        "as_of": report.as_of.isoformat(),
        "facts": report.facts,
        "shown": report.shown,
        "hidden": report.hidden,
        "newly_hidden": report.newly_hidden,
        "hidden_by": report.hidden_by,
        "next_expiry": None if report.next_expiry is None else report.next_expiry.isoformat(),
    }
    if as_json:
        print(json_text(data))
        return
    table = Table(title=f"Retention as of {report.as_of}", show_header=False)
    table.add_column("item")
    table.add_column("value", justify="right")
    for key, value in data.items():
        table.add_row(key.replace("_", " "), str(value))
    _out.print(table)


def archive(
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The operator's retention archive: what the latest retention run on or before the day hid
    (reports no longer show it; the store keeps it). Reading it is audited."""
    day = past_day(as_of, N_("the archive is read as of today or"))
    with input_errors():
        run, hidden = bootstrap.build_bureau(db).retention.archive(day, clock.now())
    rows = [
        {
            "record": item.fact_key,
            "person": item.person,
            "kind": item.kind,
            "hidden_from": item.hidden_from.isoformat(),
            "reason": item.reason,
        }
        for item in hidden
    ]
    if as_json:
        print(json_text({"run": None if run is None else run.isoformat(), "hidden": rows}))
        return
    if run is None:
        _out.print(f"no retention run on or before {day}: nothing is archived")
        return
    table = Table(title=f"Hidden by the retention run of {run} ({len(rows)})")
    for name in ("record", "person", "kind", "hidden from", "reason"):
        table.add_column(name)
    for row in rows:
        table.add_row(*(plain(value) for value in row.values()))
    _out.print(table)


def _finish(report: IngestReport, file: Path, as_json: bool) -> None:
    _print_report(report, as_json)
    if not report.committed:
        _err.print(
            f"error: {file}: {_first(report)}{report.rejected} rejected line(s), nothing applied "
            f"(see {report.rejects_file}; --partial applies the valid records)",
            markup=False,
        )
        raise typer.Exit(INPUT_ERROR)


def _first(report: IngestReport) -> str:
    """The first reject (`line 3: account_id: ...; `), escaped: it may quote what was read."""
    first = report.first_reject
    return "" if first is None else f"{escaped(str(first))}; "


def _print_report(report: IngestReport, as_json: bool) -> None:
    data = {
        "file": report.file,
        "records": report.records,
        "applied": report.applied,
        "unchanged": report.unchanged,
        "corrected": report.corrected,
        "rejected": report.rejected,
        "rejects_file": report.rejects_file,
        "committed": report.committed,
    }
    if as_json:
        print(json_text(data))
        return
    table = Table(title=f"Ingestion of {Path(report.file).name}", show_header=False)
    table.add_column("item")
    table.add_column("value", justify="right")
    for key, value in data.items():
        if key != "file":
            table.add_row(key.replace("_", " "), str(value))
    _out.print(table)
