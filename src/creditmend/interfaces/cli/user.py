"""`creditmend user invite | add-desk`: the portal's users (docs/portal.md). The desk invites a
borrower after checking who they are; the one-time enrolment code is printed once and kept
only as a digest."""

from __future__ import annotations

from typing import Annotated

import typer

from creditmend import bootstrap
from creditmend.domain.i18n import N_
from creditmend.domain.portal import Invitation
from creditmend.interfaces.cli import clock
from creditmend.interfaces.cli.bureau import AsOfOption, DbOption, past_day
from creditmend.interfaces.cli.errors import input_errors
from creditmend.interfaces.cli.terminal import json_text

app = typer.Typer(no_args_is_help=True, help="Portal users: borrowers and the desk.")
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON")]


def _print(made: Invitation, as_json: bool) -> None:
    if as_json:
        print(json_text({"code": made.code, "expires_on": made.expires_on.isoformat()}))
        return
    print(f"code:       {made.code}")
    print(f"expires_on: {made.expires_on.isoformat()}")
    print("the code is shown this once: give it to the person, who enrols at /enrol")


@app.command("invite")
def invite(
    id_type: Annotated[str, typer.Argument(help="cn_ric | passport | us_ssn")],
    id_number: Annotated[str, typer.Argument(help="The borrower's identity number")],
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """A one-time enrolment code for a borrower whose identity the desk has checked (7 days)."""
    day = past_day(as_of, N_("an invitation is given now or was given"))
    with input_errors():
        made = bootstrap.build_portal_users(db).invite(id_type, id_number, day, clock.now())
    _print(made, as_json)


@app.command("add-desk")
def add_desk(
    name: Annotated[str, typer.Argument(help="The desk user's name (their sign-in name)")],
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """A desk user and their one-time enrolment code (7 days)."""
    day = past_day(as_of, N_("a desk user is added now or was added"))
    with input_errors():
        made = bootstrap.build_portal_users(db).add_desk(name, day, clock.now())
    _print(made, as_json)
