"""`creditmend client add | list | revoke`: the API's clients (docs/api.md)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from creditmend import bootstrap
from creditmend.domain.problems import Problem
from creditmend.interfaces.cli import clock
from creditmend.interfaces.cli.errors import fail, input_errors
from creditmend.interfaces.cli.terminal import json_text, plain

app = typer.Typer(no_args_is_help=True, help="API clients: lenders' systems and the desk.")
_out = Console(highlight=False, soft_wrap=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: CREDITMEND_DB or embedded SQLite)"),
]


@app.command("add")
def add(
    furnisher: Annotated[
        str | None, typer.Argument(help="The lender's furnisher code (not with --desk)")
    ] = None,
    scopes: Annotated[
        str | None, typer.Option(help="Comma-separated: furnish, inquire, respond")
    ] = None,
    desk: Annotated[
        str | None, typer.Option(help="A desk client (scope desk) with this name")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    db: DbOption = None,
) -> None:
    """Register a client; its secret is printed once and kept only as a hash."""
    if (furnisher is None) == (desk is None):
        raise fail([Problem("FURNISHER_CODE", "give a furnisher code or --desk NAME, not both")])
    if furnisher is not None and not scopes:
        message = "a lender's client needs --scopes (furnish,inquire,respond)"
        raise fail([Problem("--scopes", message)])
    if desk is not None and scopes:
        raise fail([Problem("--scopes", "a desk client has the scope desk only")])
    with input_errors():
        service = bootstrap.build_client_service(db)
        if desk is not None:
            made = service.add_desk(desk, clock.now())
        else:
            assert furnisher is not None and scopes is not None
            made = service.add_lender(furnisher, scopes.split(","), clock.now())
    if as_json:
        print(
            json_text(
                {
                    "client_id": made.client_id,
                    "client_secret": made.client_secret,
                    "scopes": list(made.scopes),
                }
            )
        )
        return
    print(f"client_id:     {made.client_id}")
    print(f"client_secret: {made.client_secret}")
    print(f"scopes:        {','.join(made.scopes)}")
    print("the secret is shown this once: keep it in the client's secret store")


@app.command("list")
def list_clients(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    db: DbOption = None,
) -> None:
    """List the clients (never their secrets)."""
    with input_errors():
        clients = bootstrap.build_client_service(db).clients()
    rows = [
        {
            "client_id": client.client_id,
            "for": client.furnisher_code or f"desk: {client.desk_name}",
            "scopes": ",".join(sorted(client.scopes)),
            "created_at": client.created_at.isoformat(),
            "revoked_at": client.revoked_at.isoformat() if client.revoked_at else None,
        }
        for client in clients
    ]
    if as_json:
        print(json_text(rows))
        return
    table = Table(title="API clients")
    columns = ("client_id", "for", "scopes", "created_at", "revoked_at")
    for name in columns:
        table.add_column(name)
    for row in rows:
        table.add_row(*(plain(row[key] or "") for key in columns))
    _out.print(table)


@app.command("revoke")
def revoke(
    client_id: Annotated[str, typer.Argument(help="The client to revoke")],
    db: DbOption = None,
) -> None:
    """Revoke a client: its tokens stop working at once, it gets no new ones."""
    with input_errors():
        bootstrap.build_client_service(db).revoke(client_id, clock.now())
    _out.print(plain(f"client {client_id} revoked"))
