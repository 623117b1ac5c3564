"""`creditmend object ...`: the objection desk for subjects, furnishers and the operator."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from creditmend import bootstrap
from creditmend.domain.creditfile.objection import Objection
from creditmend.domain.json_keys import DuplicateKeyError, unique_keys
from creditmend.domain.problems import Problem
from creditmend.interfaces.cli import clock
from creditmend.interfaces.cli.bureau import AsOfOption, DbOption, JsonOption, past_day
from creditmend.interfaces.cli.errors import fail, input_errors
from creditmend.interfaces.cli.inquiry import IdNumberArgument, IdTypeArgument

app = typer.Typer(
    no_args_is_help=True,
    help="Objections: dispute a record, answer it, reply in writing, add a statement.",
)
_out = Console(highlight=False, soft_wrap=True)
DESK_DAY = "the desk works now or replays what it did"
IdArgument = Annotated[int, typer.Argument(help="The objection's number", min=1, max=2**31 - 1)]


def _read_json(path: Path, option: str) -> Any:
    """A JSON object from a file; anything else is the option's one-line problem."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=unique_keys)
    except DuplicateKeyError as error:
        raise fail([Problem(f"{option}: {error.key}", "appears twice")]) from None
    except OSError as error:
        raise fail([Problem(option, f"cannot read {path}: {error.strerror}")]) from None
    except UnicodeDecodeError:
        raise fail([Problem(option, f"{path} is not UTF-8 text")]) from None
    except json.JSONDecodeError as error:
        raise fail([Problem(option, f"{path} is not JSON ({error.msg})", error.lineno)]) from None
    except (ValueError, RecursionError):  # a 5,000-digit number, 5,000 nested lists
        raise fail([Problem(option, f"{path} is not JSON this desk reads")]) from None
    if not isinstance(data, dict):
        raise fail([Problem(option, f"{path} must hold a JSON object")])
    return data


def objection_json(objection: Objection, as_of: date) -> dict[str, Any]:
    proposal = objection.proposal
    return {
        "id": objection.id,
        "status": objection.status,
        "due_on": objection.due_on.isoformat(),
        "record": str(objection.record),
        "reason": objection.reason.value,
        "routed_to": objection.routed_to,
        "filed_on": objection.filed_on.isoformat(),
        "age_days": objection.age(as_of),
        "overdue": objection.overdue(as_of),
        "outcome": None if objection.outcome is None else objection.outcome.value,
        "answered_by": objection.answered_by,
        "answered_on": None if objection.answered_on is None else objection.answered_on.isoformat(),
        "repeat_of": objection.repeat_of,
        "lapsed_on": None if objection.lapsed_on is None else objection.lapsed_on.isoformat(),
        "evidence": objection.evidence.to_json(),
        "proposal": None
        if proposal is None
        else {
            "outcome": proposal.outcome.value,
            "corrections": proposal.corrections,
            "summary": list(proposal.summary),
        },
        "statement": objection.statement,
        "events": [
            {"on": e.on.isoformat(), "actor": e.actor, "action": e.action, "note": e.note}
            for e in objection.events
        ],
    }


def _print_one(objection: Objection, as_of: date) -> None:
    late = (as_of - objection.due_on).days
    clock = (
        f"[red]{late} day(s) past the deadline[/red]"
        if objection.overdue(as_of)
        else f"due {objection.due_on}"
    )
    _out.print(
        f"[bold]Objection {objection.id}[/bold]  {objection.status}  ({clock})\n"
        f"record {objection.record}   reason {objection.reason.value}\n"
        f"filed {objection.filed_on}   routed to {objection.routed_to}   "
        f"age {objection.age(as_of)} day(s)"
    )
    if objection.proposal is not None:
        _out.print(f"bureau proposes: {objection.proposal.outcome.value}", markup=False)
    if objection.statement:
        _out.print(f"statement: {objection.statement}", markup=False)
    table = Table("on", "who", "what", "note", title="History", title_justify="left")
    for event in objection.events:
        if event.action != "letter":
            table.add_row(event.on.isoformat(), event.actor, event.action, event.note)
    _out.print(table)


def _now() -> datetime:
    return clock.now()


@app.command("file")
def file_objection(
    id_type: IdTypeArgument,
    id_number: IdNumberArgument,
    record: Annotated[
        str,
        typer.Option(
            "--record",
            help="account:FURNISHER:ACCOUNT_ID[:YYYY-MM] | inquiry:ID | public_record:ID | "
            "blacklist:ID",
        ),
    ],
    reason: Annotated[
        str,
        typer.Option(
            "--reason",
            help="not_mine | paid_on_time | deduction_failed_not_my_fault | wrong_amount | "
            "already_settled | inquiry_without_consent | other",
        ),
    ],
    evidence: Annotated[
        Path | None, typer.Option("--evidence", help="Evidence JSON file (see docs/objections.md)")
    ] = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """File an objection: the record is marked at once and routed for verification."""
    day = past_day(as_of, DESK_DAY)
    data = None if evidence is None else _read_json(evidence, "--evidence")
    with input_errors():
        objection = bootstrap.build_bureau(db).objections.file(
            id_type, id_number, record, reason, data, day, _now()
        )
    if as_json:
        print(
            json.dumps(
                {
                    "id": objection.id,
                    "status": objection.status,
                    "due_on": objection.due_on.isoformat(),
                }
            )
        )
        return
    _print_one(objection, day)
    if objection.repeat_of is not None:
        _out.print(
            f"This repeats objection {objection.repeat_of} without new evidence; it was answered "
            f"as such (creditmend object letter {objection.id})."
        )


@app.command("list")
def list_objections(
    open_only: Annotated[bool, typer.Option("--open", help="Only objections not answered")] = False,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only objections past their deadline unanswered")
    ] = False,
    furnisher: Annotated[
        str | None, typer.Option("--furnisher", help="Only those routed to this code (or bureau)")
    ] = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The desk's list, oldest first, with each objection's age and deadline."""
    day = past_day(as_of, DESK_DAY)
    with input_errors():
        found = bootstrap.build_bureau(db).objections.list(
            day, _now(), open_only=open_only, overdue_only=overdue, furnisher=furnisher
        )
    if as_json:
        print(json.dumps([objection_json(o, day) for o in found], ensure_ascii=False))
        return
    table = Table("id", "filed", "due", "age", "status", "to")
    table.add_column("record", overflow="fold")
    table.add_column("reason", overflow="fold")
    for column in table.columns[:6]:
        column.no_wrap = True
    for o in found:
        due = f"[red]{o.due_on} late[/red]" if o.overdue(day) else o.due_on.isoformat()
        table.add_row(
            str(o.id),
            o.filed_on.isoformat(),
            due,
            f"{o.age(day)} d",
            o.status,
            o.routed_to,
            str(o.record),
            o.reason.value,
        )
    _out.print(table if found else "No objections.")


@app.command("show")
def show(
    objection_id: IdArgument,
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One objection with its whole history."""
    day = past_day(as_of, DESK_DAY)
    with input_errors():
        objection = bootstrap.build_bureau(db).objections.show(objection_id, day, _now())
    if as_json:
        print(json.dumps(objection_json(objection, day), ensure_ascii=False))
    else:
        _print_one(objection, day)


@app.command("answer")
def answer(
    objection_id: IdArgument,
    by: Annotated[str, typer.Option("--by", help="The furnisher code answering (or bureau)")],
    outcome: Annotated[str, typer.Option("--outcome", help="confirmed | corrected | deleted")],
    corrections: Annotated[
        Path | None,
        typer.Option(
            "--corrections",
            help="Corrected values (JSON); default for corrected: the bureau's proposal",
        ),
    ] = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The verifier's answer: closes the objection and writes the reply letter."""
    day = past_day(as_of, DESK_DAY)
    data = None if corrections is None else _read_json(corrections, "--corrections")
    with input_errors():
        objection = bootstrap.build_bureau(db).objections.answer(
            objection_id, by, outcome, data, day, _now()
        )
    if as_json:
        print(json.dumps(objection_json(objection, day), ensure_ascii=False))
        return
    _print_one(objection, day)
    _out.print(f"Reply letter: creditmend object letter {objection.id} [--out FILE.pdf]")


@app.command("statement")
def statement(
    objection_id: IdArgument,
    text: Annotated[str, typer.Option("--text", help="The subject's statement")],
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """After a confirmed outcome, the subject's statement shown next to the record."""
    day = past_day(as_of, DESK_DAY)
    with input_errors():
        objection = bootstrap.build_bureau(db).objections.statement(objection_id, text, day, _now())
    if as_json:
        print(json.dumps(objection_json(objection, day), ensure_ascii=False))
    else:
        _out.print(f"Statement added to {objection.record}.")


@app.command("letter")
def letter(
    objection_id: IdArgument,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write a PDF (.pdf) or text file instead")
    ] = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
) -> None:
    """The bureau's written reply to a closed objection (text, or PDF with --out FILE.pdf)."""
    day = past_day(as_of, DESK_DAY)
    with input_errors():
        text = bootstrap.build_bureau(db).objections.letter(objection_id, day, _now())
    if out is None:
        print(text, end="")
        return
    try:
        if out.suffix.lower() == ".pdf":
            out.write_bytes(bootstrap.letter_pdf(text))
        else:
            out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise fail([Problem("--out", f"cannot write {out}: {error.strerror}")]) from None
    _out.print(f"Wrote {out}")
