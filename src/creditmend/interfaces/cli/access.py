"""`creditmend audit --api`: the API's access from the audit trail, for the bureau's operator:
clients added and revoked, tokens issued, requests refused (the token endpoint's with the
address they came from; a bearer token's; a scope's), each with its request id, which the
server's log line carries too. Never a secret or a token: the trail holds neither."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from creditmend import bootstrap
from creditmend.domain.problems import Problem
from creditmend.interfaces.cli import language
from creditmend.interfaces.cli.errors import fail, input_errors
from creditmend.interfaces.cli.terminal import json_text, plain


def print_access(
    db: str | None, client: str | None, *, refused_only: bool, limit: int, as_json: bool
) -> None:
    if limit < 1:
        raise fail([Problem("--limit", f"{limit} is not a number of events >= 1")])
    with input_errors():
        events = bootstrap.build_client_service(db).access_log(
            client, refused_only=refused_only, limit=limit
        )
    rows = [
        {
            "at": event.at.isoformat(),
            "client_id": event.client_id,
            "action": event.action,
            "refused": event.refused,
            "address": event.address,
            "request_id": event.request_id,
        }
        for event in events
    ]
    if as_json:
        print(json_text(rows))
        return
    table = Table(title=language._("The API's access: tokens issued and requests refused"))
    for name in rows[0] if rows else ("at", "client_id", "action", "refused"):
        table.add_column(name)
    for row in rows:
        # text, not markup, with controls escaped: a refused request's client id is anything
        table.add_row(*(plain(value or "") for value in row.values()))
    Console(highlight=False, soft_wrap=True).print(table)
