"""`GET /healthz`: the process answers. `GET /readyz`: the store answers and its schema is at
the newest migration (503 otherwise), for a load balancer to send traffic only when ready."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel

from creditmend.interfaces.api.problems import ApiProblemError, Problem
from creditmend.interfaces.api.security import service_of

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok", "ready"]


@router.get("/healthz", summary="The process is up", response_model=Health)
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    summary="The store is reachable and its schema current",
    response_model=Health,
    responses={503: {"model": Problem, "description": "Not ready: `detail` says why"}},
)
def readyz(request: Request) -> Health:
    reason = service_of(request).readiness()
    if reason is not None:
        raise ApiProblemError(503, reason, kind="not-ready", headers={"Retry-After": "5"})
    return Health(status="ready")
