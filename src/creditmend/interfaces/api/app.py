"""The app factory: `create_app(service, settings)` builds the FastAPI application on the
services `bootstrap.build_service` makes; `app_from_env()` builds both from the environment, for
`uvicorn --factory` (each worker process calls it).

Layers of a request, outside in: `RequestContext` (request id, headers, log line, last-resort
500), `BodyLimit` (413), FastAPI's routing and exception handlers (problems), the route's
dependencies (`require_scope`, `rate_limit`, `content_type`), the endpoint, the services.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from anyio import to_thread
from fastapi import FastAPI

from creditmend import bootstrap
from creditmend.interfaces.api import health, token
from creditmend.interfaces.api.limits import TokenBuckets
from creditmend.interfaces.api.middleware import BodyLimit, RequestContext
from creditmend.interfaces.api.problems import (
    PROBLEM_RESPONSES,
    install_problem_handlers,
    problem_openapi,
)
from creditmend.interfaces.api.settings import ApiSettings
from creditmend.interfaces.api.v1 import ROUTERS
from creditmend.interfaces.portal.app import close_portal, mount_portal

DB_ENV = "CREDITMEND_DB"

DESCRIPTION = """The creditmend bureau's API for lenders and the bureau's desk.

Get a token with `POST /v1/token` (client credentials), then send it as
`Authorization: Bearer ...`. Every error is an RFC 9457 problem (`application/problem+json`).
See docs/api.md.
"""


def create_app(service: bootstrap.Service, settings: ApiSettings | None = None) -> FastAPI:
    settings = settings or ApiSettings()
    threads = settings.threads

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # the pool synchronous endpoints and the store's calls run on (`ApiSettings.threads`)
        to_thread.current_default_thread_limiter().total_tokens = threads
        try:
            yield
        finally:
            close_portal(_app)  # the portal's plan and PDF workers (portal/jobs.py)

    app = FastAPI(
        lifespan=lifespan,
        title="creditmend bureau API",
        version="1",
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        responses=PROBLEM_RESPONSES,
    )
    app.state.service = service
    app.state.settings = settings
    app.state.rate_limits = TokenBuckets(settings.rate)
    install_problem_handlers(app)
    app.include_router(health.router)
    app.include_router(token.router)
    for router in ROUTERS:
        app.include_router(router)
    mount_portal(app)  # the web portal's pages (docs/portal.md), outside the OpenAPI document
    # Added last = outermost: RequestContext sees every answer, BodyLimit's 413 included.
    app.add_middleware(BodyLimit, default=settings.body_limit)
    app.add_middleware(RequestContext)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problem_openapi(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def app_from_env() -> FastAPI:
    """The app on the store CREDITMEND_DB names, with the settings of the environment
    (`creditmend serve` sets CREDITMEND_DB from `--db` before starting the workers)."""
    settings = ApiSettings.from_env()
    service = bootstrap.build_service(os.environ.get(DB_ENV) or None, token_ttl=settings.token_ttl)
    return create_app(service, settings)
