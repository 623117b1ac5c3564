"""`creditmend object ...`: the objection desk for subjects, furnishers and the operator."""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from creditmend import bootstrap
from creditmend.domain.creditfile.letter import EXPLANATION_MAX_CHARS
from creditmend.domain.creditfile.objection import LetterStatus, Objection
from creditmend.domain.i18n import N_
from creditmend.domain.json_keys import DuplicateKeyError, unique_keys
from creditmend.domain.problems import Problem
from creditmend.interfaces.cli import clock
from creditmend.interfaces.cli.bureau import AsOfOption, DbOption, JsonOption, past_day
from creditmend.interfaces.cli.errors import fail, input_errors
from creditmend.interfaces.cli.inquiry import IdNumberArgument, IdTypeArgument
from creditmend.interfaces.cli.terminal import json_text, plain, plain_lines
from creditmend.services.object import ObjectionService
from creditmend.services.output_files import link_refused, write_file

app = typer.Typer(
    no_args_is_help=True,
    help="Objections: dispute a record, answer it, reply in writing, add a statement.",
)
_out = Console(highlight=False, soft_wrap=True)
DESK_DAY = N_("the desk works now or replays what it did")
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
        "letter": _letter_json(objection, as_of),
        "events": [
            {"on": e.on.isoformat(), "actor": e.actor, "action": e.action, "note": e.note}
            for e in objection.events
        ],
    }


def _letter_json(objection: Objection, as_of: date) -> dict[str, Any] | None:
    """The reply letter's approval: None while the objection is open."""
    review = objection.review
    if objection.outcome is None or review is None:
        return None
    return {
        "status": review.status.value,
        "replied": objection.replied(as_of),
        "reviewed_by": review.by,
        "reviewed_on": None if review.on is None else review.on.isoformat(),
        "reviewed_at": None if review.at is None else review.at.isoformat(),
        "note": review.note,
    }


def _letter_line(objection: Objection, as_of: date) -> Text | None:
    review = objection.review
    if objection.outcome is None or review is None:
        return None
    if objection.replied(as_of):
        by = f" by {review.by}" if review.by else ""
        on = f" on {review.on}" if review.on else ""
        return Text(f"reply letter: approved{by}{on}")
    style = "red" if objection.reply_pressing(as_of) else ""
    line = Text(f"reply letter: {review.status.value}, waiting for the desk's approval", style)
    if review.status is LetterStatus.DRAFT and review.by:  # a draft with a name was revised
        line.append(" (revised by ").append_text(plain(review.by)).append(f" on {review.on})")
    if review.note:
        line.append(" (").append_text(plain(review.note)).append(")")
    return line


def _print_one(objection: Objection, as_of: date) -> None:
    late = (as_of - objection.due_on).days
    clock = (
        Text(f"{late} day(s) past the deadline", "red")
        if objection.overdue(as_of)
        else Text(f"due {objection.due_on}")
    )
    _out.print(
        Text.assemble(
            (f"Objection {objection.id}", "bold"),
            f"  {objection.status}  (",
            clock,
            ")\nrecord ",
            plain(objection.record),
            f"   reason {objection.reason.value}\nfiled {objection.filed_on}   routed to ",
            plain(objection.routed_to),
            f"   age {objection.age(as_of)} day(s)",
        )
    )
    if objection.proposal is not None:
        _out.print(f"bureau proposes: {objection.proposal.outcome.value}", markup=False)
    if objection.statement:
        _out.print(Text("statement: ").append_text(plain(objection.statement)))
    if (letter_line := _letter_line(objection, as_of)) is not None:
        _out.print(letter_line)
    table = Table("on", "who", "what", "note", title="History", title_justify="left")
    for event in objection.events:
        if event.action != "letter":
            table.add_row(event.on.isoformat(), plain(event.actor), event.action, plain(event.note))
    _out.print(table)


@dataclass(frozen=True, slots=True)
class Desk:
    """What every desk command is given: the business day (refused in the future), the store
    and the output form; `--as-of`, `--db` and `--json` are added to each command by `_desk`."""

    day: date
    db: str | None
    as_json: bool = False

    @contextmanager
    def objections(self) -> Iterator[ObjectionService]:
        """The desk's service; bad input in it ends as one line per problem."""
        with input_errors():
            yield bootstrap.build_bureau(self.db).objections

    @staticmethod
    def now() -> datetime:
        return clock.now()

    def show(self, objection: Objection, *lines: str) -> None:
        """The objection as JSON, or shown with its history and then `lines`."""
        if self.as_json:
            print(json_text(objection_json(objection, self.day)))
            return
        _print_one(objection, self.day)
        for line in lines:
            _out.print(line)


KEYWORD = inspect.Parameter.KEYWORD_ONLY


def _desk(name: str, *, as_json: bool = True) -> Callable[[Callable[..., None]], None]:
    """Register `handler(desk, ...)` as `object NAME`, its own options followed by the desk's."""

    def register(handler: Callable[..., None]) -> None:
        own = list(inspect.signature(handler, eval_str=True).parameters.values())[1:]
        shared = [
            inspect.Parameter("as_of", KEYWORD, default=None, annotation=AsOfOption),
            inspect.Parameter("db", KEYWORD, default=None, annotation=DbOption),
        ]
        if as_json:
            shared.append(
                inspect.Parameter("as_json", KEYWORD, default=False, annotation=JsonOption)
            )

        @functools.wraps(handler)
        def command(
            *args: Any, as_of: str | None = None, db: str | None = None, **options: Any
        ) -> None:
            as_json = options.pop("as_json", False)
            handler(Desk(past_day(as_of, DESK_DAY), db, as_json), *args, **options)

        command.__signature__ = inspect.Signature([*own, *shared])  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in (*own, *shared)}
        app.command(name)(command)

    return register


@_desk("file")
def file_objection(
    desk: Desk,
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
) -> None:
    """File an objection: the record is marked at once and routed for verification."""
    data = None if evidence is None else _read_json(evidence, "--evidence")
    with desk.objections() as objections:
        objection = objections.file(id_type, id_number, record, reason, data, desk.day, desk.now())
    if desk.as_json:
        summary = {"id": objection.id, "status": objection.status}
        print(json_text({**summary, "due_on": objection.due_on.isoformat()}))
        return
    lines = []
    if objection.repeat_of is not None:
        lines.append(
            f"This repeats objection {objection.repeat_of} without new evidence; it was answered "
            f"as such (creditmend object letter {objection.id})."
        )
    desk.show(objection, *lines)


@_desk("list")
def list_objections(
    desk: Desk,
    open_only: Annotated[bool, typer.Option("--open", help="Only objections not answered")] = False,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only objections past their deadline unanswered")
    ] = False,
    furnisher: Annotated[
        str | None, typer.Option("--furnisher", help="Only those routed to this code (or bureau)")
    ] = None,
    unapproved: Annotated[
        bool, typer.Option("--unapproved", help="Only answered ones whose letter awaits approval")
    ] = False,
) -> None:
    """The desk's list, oldest first, with each objection's age and deadline."""
    day = desk.day
    with desk.objections() as objections:
        found = objections.list(
            day,
            desk.now(),
            open_only=open_only,
            overdue_only=overdue,
            furnisher=furnisher,
            unapproved_only=unapproved,
        )
    if desk.as_json:
        print(json_text([objection_json(o, day) for o in found]))
        return
    table = Table("id", "filed", "due", "age", "status", "to")
    table.add_column("record", overflow="fold")
    table.add_column("reason", overflow="fold")
    for column in table.columns[:6]:
        column.no_wrap = True
    for o in found:
        due = o.due_on.isoformat()
        if o.overdue(day):
            due = f"[red]{o.due_on} late[/red]"
        elif o.reply_pressing(day):
            due = f"[red]{o.due_on} reply unapproved[/red]"
        elif o.awaiting_approval(day):
            due = f"{o.due_on} reply unapproved"
        table.add_row(
            str(o.id),
            o.filed_on.isoformat(),
            due,
            f"{o.age(day)} d",
            o.status,
            plain(o.routed_to),
            plain(o.record),
            o.reason.value,
        )
    _out.print(table if found else "No objections.")


@_desk("show")
def show(desk: Desk, objection_id: IdArgument) -> None:
    """One objection with its whole history."""
    with desk.objections() as objections:
        desk.show(objections.show(objection_id, desk.day, desk.now()))


@_desk("answer")
def answer(
    desk: Desk,
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
) -> None:
    """The verifier's answer: closes the objection and writes the reply letter."""
    data = None if corrections is None else _read_json(corrections, "--corrections")
    with desk.objections() as objections:
        objection = objections.answer(objection_id, by, outcome, data, desk.day, desk.now())
    desk.show(
        objection,
        f"Reply letter drafted: creditmend object letter {objection.id} --draft; "
        f"approve it: creditmend object approve {objection.id} --by NAME",
    )


@_desk("statement")
def statement(
    desk: Desk,
    objection_id: IdArgument,
    text: Annotated[str, typer.Option("--text", help="The subject's statement")],
) -> None:
    """After a confirmed outcome, the subject's statement shown next to the record."""
    with desk.objections() as objections:
        objection = objections.statement(objection_id, text, desk.day, desk.now())
    if desk.as_json:
        desk.show(objection)
    else:
        _out.print(f"Statement added to {objection.record}.")


ByOption = Annotated[
    str, typer.Option("--by", help="Who at the desk reviews the letter (kept with it, audited)")
]


@_desk("approve")
def approve(desk: Desk, objection_id: IdArgument, by: ByOption = "operator") -> None:
    """Approve the drafted reply letter: it is sent, the subject reads it, the objection is
    replied."""
    with desk.objections() as objections:
        objection = objections.approve(objection_id, by, desk.day, desk.now())
    desk.show(objection, f"Reply letter approved: creditmend object letter {objection.id}")


@_desk("send-back")
def send_back(
    desk: Desk,
    objection_id: IdArgument,
    note: Annotated[str, typer.Option("--note", help="Why the letter is not approved (one line)")],
    by: ByOption = "operator",
) -> None:
    """Send the drafted reply letter back with a note: it stays unsent until approved."""
    with desk.objections() as objections:
        objection = objections.send_back(objection_id, by, note, desk.day, desk.now())
    desk.show(objection)


@_desk("revise")
def revise(
    desk: Desk,
    objection_id: IdArgument,
    file: Annotated[
        Path,
        typer.Option(
            "--file",
            help="The desk's paragraph in the letter (UTF-8 text; an empty file removes it)",
        ),
    ],
    by: ByOption = "operator",
) -> None:
    """Rewrite the desk's own paragraph of a reply letter not yet approved (sent back, say);
    the outcome, record, dates and the law's lines stay as written. It is a draft again."""
    try:
        if file.stat().st_size > 16 * EXPLANATION_MAX_CHARS:  # far more than a paragraph
            raise fail([Problem("--file", f"{file} is longer than a paragraph")])
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise fail([Problem("--file", f"cannot read {file}: {error.strerror}")]) from None
    except UnicodeDecodeError:
        raise fail([Problem("--file", f"{file} is not UTF-8 text")]) from None
    with desk.objections() as objections:
        objection = objections.revise(objection_id, by, text, desk.day, desk.now())
    desk.show(
        objection,
        f"Reply letter revised: creditmend object letter {objection.id} --draft; "
        f"approve it: creditmend object approve {objection.id} --by NAME",
    )


@_desk("letter", as_json=False)
def letter(
    desk: Desk,
    objection_id: IdArgument,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write a PDF (.pdf) or text file instead")
    ] = None,
    draft: Annotated[
        bool, typer.Option("--draft", help="The desk's look at a letter not yet approved")
    ] = False,
) -> None:
    """The bureau's written reply to a closed objection, once approved (text, or PDF with
    --out FILE.pdf); --draft shows it before approval."""
    if out is not None and (refused := link_refused(out)) is not None:
        raise fail([Problem("--out", refused)])
    with desk.objections() as objections:
        text = objections.letter(objection_id, desk.day, desk.now(), draft=draft)
    if out is None:
        print(plain_lines(text), end="")
        return
    with input_errors():
        data = bootstrap.letter_pdf(text) if out.suffix.lower() == ".pdf" else text
        write_file(out, data, "--out")
    _out.print(f"Wrote {out}")
