"""`creditmend serve`: the bureau's HTTP API on uvicorn (docs/api.md)."""

from __future__ import annotations

import copy
import os
from typing import Annotated, Any

import typer

from creditmend import bootstrap
from creditmend.domain.i18n import N_, Said
from creditmend.domain.problems import Problem
from creditmend.interfaces.cli.errors import fail, input_errors

FACTORY = "creditmend.interfaces.api.app:app_from_env"


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with the API's own logger (one line per request, with its request
    id) on the same handler; uvicorn's access log is off, as that line replaces it."""
    from uvicorn.config import LOGGING_CONFIG  # noqa: PLC0415

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["creditmend"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free one)")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL (default: CREDITMEND_DB or embedded SQLite)"),
    ] = None,
) -> None:
    """Serve the bureau's HTTP API (OpenAPI at /openapi.json, docs at /docs)."""
    # Imported here, not with the command line: every other command starts without loading
    # the web stack (FastAPI and uvicorn add most of a second to each run).
    import uvicorn  # noqa: PLC0415

    from creditmend.interfaces.api.app import DB_ENV, create_app  # noqa: PLC0415
    from creditmend.interfaces.api.settings import ApiSettings  # noqa: PLC0415

    if workers < 1:
        said = Said(N_("%(value)s is not a number of workers >= 1"), value=workers)
        raise fail([Problem("--workers", said)])
    if not 0 <= port <= 65535:
        raise fail([Problem("--port", Said(N_("%(value)s is not a port"), value=port))])
    with input_errors():
        settings = ApiSettings.from_env()
        # Opened here once whatever the number of workers: a wrong --db or key is said now,
        # as one line, instead of in every worker.
        service = bootstrap.build_service(db, token_ttl=settings.token_ttl)
    common: dict[str, Any] = {
        "host": host,
        "port": port,
        "server_header": False,
        "date_header": True,
        "access_log": False,
        "log_config": log_config(),
        # No forwarded header is believed unless the deployment names its proxies (the token
        # endpoint's lockout counts failures per caller address; docs/api.md "Deployment").
        "proxy_headers": bool(settings.trusted_proxies),
    }
    if settings.trusted_proxies:
        common["forwarded_allow_ips"] = list(settings.trusted_proxies)
    if workers == 1:
        uvicorn.run(create_app(service, settings), **common)
        return
    if db:
        os.environ[DB_ENV] = db  # the workers' app_from_env reads it
    uvicorn.run(FACTORY, factory=True, workers=workers, **common)


__all__ = ["serve"]
