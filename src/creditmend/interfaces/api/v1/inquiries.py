"""`POST /v1/inquiries` and `GET /v1/inquiries` (scope `inquire`): a lender asks for a report
with the subject's consent, and lists the inquiries it made.

The look is `creditmend inquire`'s: the same service call (`InquiryService.inquire`), logged the
same way (the inquiry record the subject sees in their report, the audit event, a refused look
audited too), answered with the same JSON form (`report_json`, the schema
`report_v1.schema.json`). The API adds what a lender's system must send and the command line
does not ask for: the consent's term (checked on the business date of the look) and the client
asking (kept with the inquiry, named in the audit with the request id, counted by the quota).
"""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib import resources
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, JsonValue, RootModel

from creditmend import bootstrap
from creditmend.domain.clients import INQUIRE, Caller
from creditmend.domain.creditfile.furnishing import IdType
from creditmend.domain.creditfile.inquiry import (
    SELF,
    DailyQuota,
    InquiryEntry,
    InquiryRequest,
    QuotaExceededError,
    is_consent_refusal,
)
from creditmend.domain.problems import ProblemsError
from creditmend.domain.report.json_form import report_json
from creditmend.interfaces.api.limits import content_type, rate_limit
from creditmend.interfaces.api.problems import (
    SECURED_RESPONSES,
    ApiProblemError,
    Problem,
    request_id_of,
)
from creditmend.interfaces.api.security import require_scope, service_of
from creditmend.interfaces.api.settings import ApiSettings

router = APIRouter(prefix="/v1", tags=["inquiries"], responses=SECURED_RESPONSES)
inquirer = require_scope(INQUIRE)  # one dependency, so that FastAPI checks it once a request
TEXT_MAX = 128  # an identity number, a purpose code, a consent reference: short texts
# What a lender may ask for: the profile's purposes but the subject's own look. Documented in
# the schema; the service checks them (an unknown one is 422 naming `purpose`).
LENDER_PURPOSES = [p for p in bootstrap.rules().inquiry_purposes if p != SELF]


def one_of(values: list[str]) -> dict[str, JsonValue]:
    """A string's allowed values, for the schema (the service checks them)."""
    allowed: list[JsonValue] = [*values]
    return {"enum": allowed}


# ---------------------------------------------------------------- bodies
class ConsentBody(BaseModel):
    """The subject's written consent (Order 631 Art. 18): its reference and its term."""

    model_config = ConfigDict(extra="forbid")
    reference: str = Field(min_length=1, max_length=TEXT_MAX, description="The consent's id")
    signed_on: date = Field(description="The day the subject signed; not in the future")
    expires_on: date = Field(description="The last day it is in force; on or after signed_on")


class InquiryBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id_type: str = Field(
        max_length=16,
        description="cn_ric | passport | us_ssn",
        json_schema_extra=one_of([kind.value for kind in IdType]),
    )
    id_number: str = Field(
        min_length=1, max_length=TEXT_MAX, description="The subject's identity number"
    )
    purpose: str = Field(
        max_length=32,
        description="Why the lender asks: hard or soft as the jurisdiction's profile says",
        json_schema_extra=one_of(LENDER_PURPOSES),
    )
    consent: ConsentBody | None = Field(
        default=None, description="Required: without a consent in force the look is refused (403)"
    )
    as_of: date | None = Field(
        default=None, description="The report's day; default the business date; not in the future"
    )


@cache
def report_schema() -> dict[str, Any]:
    """The published report schema (`report_v1.schema.json`) with its `$defs` put in place, so
    that it can stand in the OpenAPI document's components (whose `#/` is the document's)."""
    text = resources.files("creditmend.schemas").joinpath("report_v1.schema.json").read_text()
    schema = json.loads(text)
    definitions = schema.pop("$defs", {})

    def inline(node: Any, seen: tuple[str, ...] = ()) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                name = ref.removeprefix("#/$defs/")
                if name in seen:  # pragma: no cover - the published schema is not recursive
                    raise ValueError(f"report schema: {name} refers to itself")
                rest = {k: inline(v, seen) for k, v in node.items() if k != "$ref"}
                return {**inline(definitions[name], (*seen, name)), **rest}
            return {k: inline(v, seen) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(item, seen) for item in node]
        return node

    schema.pop("$schema", None)
    schema.pop("$id", None)
    result: dict[str, Any] = inline(schema)
    return result


def _report_schema_extra(schema: dict[str, Any]) -> None:
    schema.clear()
    schema.update(report_schema())


class ReportDocument(RootModel[dict[str, Any]]):
    """The online-loan report, as `creditmend inquire --json` prints it (report/v1)."""

    model_config = ConfigDict(json_schema_extra=_report_schema_extra)


class InquiryView(BaseModel):
    report_id: str = Field(description="The report this inquiry was answered with")
    id_type: str
    subject: str = Field(description="The subject's identity number, masked")
    purpose: str
    hard: bool = Field(description="Counted in the subject's multi-head indicators")
    consent_reference: str | None
    consent_signed_on: date | None
    consent_expires_on: date | None
    as_of: date
    at: datetime = Field(description="When it was asked (UTC)")
    client_id: str | None = Field(description="The API client that asked (null: not by API)")


class InquiryList(BaseModel):
    inquiries: list[InquiryView]
    next_before: int | None = Field(
        description="Pass as `before` for the next (older) page; null at the end"
    )


# ---------------------------------------------------------------- the quota
def day_start(day: date) -> datetime:
    """The first instant of a business date, in the profile's time zone."""
    return datetime.combine(day, time.min, ZoneInfo(bootstrap.rules().time_zone.value))


def daily_quota(request: Request) -> DailyQuota:
    """The caller's quota of today: `CREDITMEND_API_INQUIRY_QUOTA` inquiries from midnight in
    the profile's time zone. The store checks it where it logs the inquiry (one transaction,
    serialised per client: every worker sees the same count, and two requests at once cannot
    both take the last place)."""
    settings: ApiSettings = request.app.state.settings
    today = service_of(request).clock.today()
    return DailyQuota(
        settings.inquiry_quota, day_start(today), day_start(today + timedelta(days=1))
    )


def _over_quota(request: Request, error: QuotaExceededError) -> ApiProblemError:
    """429 with `Retry-After`: the seconds until the next business day."""
    quota = error.quota
    wait = max(1, math.ceil((quota.until - service_of(request).clock.now()).total_seconds()))
    return ApiProblemError(
        429,
        f"this client has made its {quota.limit} inquiries of {quota.since.date()}; "
        f"retry in {wait} s",
        kind="quota-exceeded",
        headers={"Retry-After": str(wait)},
    )


# ---------------------------------------------------------------- endpoints
# The service's names of the fields, as the body names them.
BODY_FIELDS = {
    "ID_TYPE": "id_type",
    "ID_NUMBER": "id_number",
    "inquiry.purpose": "purpose",
    "inquiry.by": "purpose",  # a self-inquiry is the subject's, not a lender's
    "inquiry.consent_ref": "consent.reference",
    "business_date": "as_of",
}


def _refused(error: ProblemsError) -> ApiProblemError:
    """A look refused for want of consent is forbidden (403); other refusals are bad input
    (422), each naming the body's field."""
    forbidden = bool(error.problems) and all(is_consent_refusal(p) for p in error.problems)
    fields = [(BODY_FIELDS.get(p.field, p.field), p.message) for p in error.problems]
    detail = "; ".join(f"{field}: {reason}" for field, reason in fields[:3])
    if forbidden:
        fields = [("consent", reason) for _, reason in fields]
        return ApiProblemError(403, detail, kind="consent-required", errors=fields)
    return ApiProblemError(422, detail, kind="invalid-input", errors=fields)


@router.post(
    "/inquiries",
    status_code=201,
    summary="Ask for a subject's report, with their consent",
    response_class=JSONResponse,
    responses={
        201: {"model": ReportDocument, "description": "The report (logged as an inquiry)"},
        403: {
            "model": Problem,
            "description": "No consent, or one no longer in force (audited); or the scope",
        },
        429: {
            "model": Problem,
            "description": "The rate limit or the client's daily inquiry quota: `Retry-After`",
        },
    },
    dependencies=[
        Depends(rate_limit),
        Depends(content_type("application/json")),
    ],
)
def inquire(
    request: Request,
    body: InquiryBody,
    caller: Annotated[Caller, Depends(inquirer)],
) -> Response:
    service = service_of(request)
    today, at = service.clock.today(), service.clock.now()
    if body.as_of is not None and body.as_of > today:
        raise ApiProblemError(
            422,
            f"as_of: {body.as_of} is in the future; a report is as of a past day or today",
            kind="validation",
            errors=[("as_of", f"{body.as_of} is after the business date {today}")],
        )
    consent = body.consent
    ask = InquiryRequest(
        id_type=body.id_type,
        id_number=body.id_number,
        by=caller.furnisher_code,
        purpose=body.purpose,
        consent_ref=None if consent is None else consent.reference,
        on=body.as_of or today,
        consent_signed_on=None if consent is None else consent.signed_on,
        consent_expires_on=None if consent is None else consent.expires_on,
        client_id=caller.client_id,
        request_id=request_id_of(request),
    )
    try:
        report = service.bureau.inquire.inquire(ask, at, today=today, quota=daily_quota(request))
    except QuotaExceededError as error:
        raise _over_quota(request, error) from None
    except ProblemsError as error:
        if any(problem.field in {"db", "store"} for problem in error.problems):
            raise  # the store's refusal: the app's handler makes it a 503
        raise _refused(error) from None
    return Response(orjson.dumps(report_json(report)), 201, media_type="application/json")


def _view(entry: InquiryEntry) -> InquiryView:
    return InquiryView(
        report_id=entry.report_id,
        id_type=entry.id_type,
        subject=entry.subject,
        purpose=entry.purpose,
        hard=entry.hard,
        consent_reference=entry.consent_ref,
        consent_signed_on=entry.consent_signed_on,
        consent_expires_on=entry.consent_expires_on,
        as_of=entry.as_of,
        at=entry.at.astimezone(UTC),
        client_id=entry.client_id,
    )


@router.get(
    "/inquiries",
    summary="The inquiries this lender made, newest first",
    dependencies=[Depends(rate_limit)],
)
def inquiries(
    request: Request,
    caller: Annotated[Caller, Depends(inquirer)],
    limit: Annotated[int, Query(ge=1, le=500, description="At most this many")] = 100,
    before: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="The `next_before` of the last page")
    ] = None,
) -> InquiryList:
    assert caller.furnisher_code is not None  # `inquire` is a lender's scope
    found = service_of(request).bureau.inquire.inquiries_by(
        caller.furnisher_code, limit=limit + 1, before=before
    )
    page = found[:limit]
    more = len(found) > limit
    return InquiryList(
        inquiries=[_view(entry) for entry in page],
        next_before=page[-1].number if more and page else None,
    )
