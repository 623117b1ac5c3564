"""`POST /v1/furnishings` and `GET /v1/furnishings/{job_id}`: a lender sends a CMF v1 file; the
server keeps it as a job and answers 202 at once; its worker (a thread of this process, started
with the app) applies the file with the pipeline of `creditmend ingest`, every record checked to
be the sender's (services/furnish_jobs.py); the lender reads the outcome by the job's id.

The body streams in (`@body_limit`: 413 as soon as it passes the limit), its SHA-256 taken as it
comes: an `Idempotency-Key` used again with the same bytes answers the first job, with other
bytes 409. Keys are the client's own.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from creditmend.bootstrap import Service
from creditmend.domain.clients import FURNISH, Caller
from creditmend.domain.furnish_jobs import MAX_REJECTS, FurnishingJob
from creditmend.interfaces.api.limits import body_limit, content_type, rate_limit
from creditmend.interfaces.api.problems import SECURED_RESPONSES, ApiProblemError, request_id_of
from creditmend.interfaces.api.problems import Problem as ProblemBody
from creditmend.interfaces.api.security import require_scope, service_of
from creditmend.interfaces.api.settings import ApiSettings
from creditmend.services.furnish_jobs import JobWorker, KeyReused

log = logging.getLogger("creditmend.api")
NDJSON = "application/x-ndjson"
CSV = "text/csv"
FORMAT_OF = {NDJSON: "jsonl", CSV: "csv"}
KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"  # printable ASCII, no space (as Stripe's, IETF draft)


def _furnish_limit() -> int:
    """The furnishing body's limit (CREDITMEND_API_FURNISH_LIMIT); a wrong value is said by
    `creditmend serve` before it starts (`ApiSettings.from_env`), so the default here."""
    try:
        return ApiSettings.from_env().furnish_body_limit
    except ValueError:
        return ApiSettings().furnish_body_limit


@asynccontextmanager
async def _job_worker(app: FastAPI) -> AsyncIterator[None]:
    """The app's lifespan: the worker runs while the server serves, and takes at once the jobs
    a stopped server left (once their lease has lapsed)."""
    settings: ApiSettings = app.state.settings
    service: Service = app.state.service
    worker = JobWorker(service.furnish_jobs, settings.job_lease)
    app.state.furnish_worker = worker
    worker.start()
    try:
        yield
    finally:
        await run_in_threadpool(worker.stop)


router = APIRouter(
    prefix="/v1", tags=["furnishings"], responses=SECURED_RESPONSES, lifespan=_job_worker
)
furnisher = require_scope(FURNISH)  # one callable: FastAPI runs it once per request


class JobAccepted(BaseModel):
    job_id: str
    status: Literal["queued", "running", "done", "refused", "failed"]


class Reject(BaseModel):
    line: int | None = Field(description="The file's line (1: the first; a CSV's header is 1)")
    field: str
    reason: str


class Job(BaseModel):
    job_id: str
    status: Literal["queued", "running", "done", "refused", "failed"] = Field(
        description="queued, running; done (applied), refused (rejects and not partial: "
        "nothing applied), failed (could not be applied: see reason)"
    )
    records: int = Field(description="Records read (0 until the job has run)")
    applied: int = Field(description="Records new to the bureau")
    unchanged: int = Field(description="Records the bureau had already, as they are")
    corrected: int = Field(description="Records that corrected what the bureau had")
    rejected: int = Field(description="Lines with at least one reject")
    rejects: list[Reject] = Field(description=f"The first {MAX_REJECTS} rejects, in line order")
    reason: str | None = Field(None, description="Why the job failed or was refused")


def _job(job: FurnishingJob) -> Job:
    counts = job.counts
    return Job(
        job_id=job.job_id,
        status=job.status,  # type: ignore[arg-type]
        records=counts.records,
        applied=counts.applied,
        unchanged=counts.unchanged,
        corrected=counts.corrected,
        rejected=counts.rejected,
        rejects=[Reject(line=p.line, field=p.field, reason=p.message) for p in job.rejects],
        reason=job.reason,
    )


LOCATION = {
    "Location": {
        "description": "The job: /v1/furnishings/{job_id}",
        "schema": {"type": "string"},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this answers again an earlier request of the same key",
        "schema": {"type": "string"},
    },
}
FILE_BODY = {
    "requestBody": {
        "required": True,
        "description": "A CMF v1 furnishing file: JSON Lines, or CSV with a header line",
        "content": {NDJSON: {"schema": {"type": "string"}}, CSV: {"schema": {"type": "string"}}},
    }
}


@router.post(
    "/furnishings",
    status_code=202,
    summary="Send a furnishing file (applied by a job)",
    dependencies=[
        Depends(furnisher),
        Depends(rate_limit),
        Depends(content_type(NDJSON, CSV)),
    ],
    responses={
        202: {"description": "Received: the job that applies it", "headers": LOCATION},
        409: {"description": "The Idempotency-Key was used for another file", "model": ProblemBody},
    },
    openapi_extra=FILE_BODY,
)
@body_limit(_furnish_limit())
async def furnish(
    request: Request,
    response: Response,
    caller: Annotated[Caller, Depends(furnisher)],
    partial: Annotated[
        bool, Query(description="Apply the valid records and reject the rest (else all or none)")
    ] = False,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            pattern=KEY_PATTERN,
            description="Sent again with the same file, the first answer; with another, 409",
        ),
    ] = None,
) -> JobAccepted:
    if caller.furnisher_code is None:  # a desk client given `furnish` furnishes for no one
        raise ApiProblemError(403, "this client furnishes for no lender", kind="insufficient-scope")
    digest = hashlib.sha256()
    body = bytearray()
    async for chunk in request.stream():  # BodyLimit refuses (413) past the limit
        digest.update(chunk)
        body += chunk
    if not body or body.isspace():  # (strip() would copy up to 64 MiB)
        raise ApiProblemError(
            422, "the file is empty", kind="invalid-input", errors=[("body", "is empty")]
        )
    given = (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    service = service_of(request)
    outcome = await run_in_threadpool(
        service.furnish_jobs.submit,
        caller.client_id,
        caller.furnisher_code,
        FORMAT_OF[given],
        partial,
        bytes(body),
        digest.hexdigest(),
        idempotency_key,
        request_id_of(request),
        FURNISH,
        service.clock.now(),
    )
    if isinstance(outcome, KeyReused):
        raise ApiProblemError(
            409,
            "this Idempotency-Key was used for another file (or with another partial or "
            "Content-Type): use a new key for a new file",
            kind="idempotency-key-reused",
            errors=[("Idempotency-Key", f"already names job {outcome.job.job_id}")],
        )
    job = outcome.job
    response.headers["Location"] = f"/v1/furnishings/{job.job_id}"
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    else:
        worker: JobWorker | None = getattr(request.app.state, "furnish_worker", None)
        if worker is not None:
            worker.wake()
    # The first answer, replayed as it was: the job as received.
    return JobAccepted(job_id=job.job_id, status="queued")


@router.get(
    "/furnishings/{job_id}",
    summary="A furnishing job's outcome",
    dependencies=[Depends(furnisher), Depends(rate_limit)],
    responses={404: {"description": "No job of this lender has this id", "model": ProblemBody}},
)
def furnishing(job_id: str, request: Request, caller: Annotated[Caller, Depends(furnisher)]) -> Job:
    # Filtered by the caller's lender: another lender's job is missing, as an unknown id is.
    found = (
        None
        if caller.furnisher_code is None
        else service_of(request).furnish_jobs.job(job_id, caller.furnisher_code)
    )
    if found is None:
        raise ApiProblemError(404, "no such furnishing job", kind="not-found")
    return _job(found)
