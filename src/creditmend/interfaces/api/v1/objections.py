"""`/v1/objections`: a lender answers the objections about its own records (scope `respond`);
the bureau's desk (scope `desk`) sees every objection with the bureau's evidence check, answers
the ones routed to the bureau, reads the reply letters (drafts too) and approves them or sends
them back, or revises the bureau's own paragraph: only an approved letter is sent to the
subject.

Every move is `creditmend object`'s, through the same service (`ObjectionService`): the list is
`object list`, one objection `object show`, a response `object answer` (by the caller's
furnisher code, or `bureau` for the desk), the letter `object letter --draft`, its review
`object approve` / `object send-back`, its revision `object revise` (by `api:CLIENT_ID`).
Deadlines are counted on the business date. An objection routed to another lender answers
404, as one that does not exist (the lookup itself is filtered: `ObjectionService.routed_to`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from creditmend.domain.clients import DESK, RESPOND, Caller
from creditmend.domain.creditfile.furnisher import BUREAU
from creditmend.domain.creditfile.objection import Objection
from creditmend.domain.problems import ProblemsError
from creditmend.interfaces.api.limits import content_type, rate_limit
from creditmend.interfaces.api.problems import (
    SECURED_RESPONSES,
    ApiProblemError,
    Problem,
    request_id_of,
)
from creditmend.interfaces.api.security import require_scope, service_of
from creditmend.services.object import ObjectionService

router = APIRouter(prefix="/v1", tags=["objections"], responses=SECURED_RESPONSES)
verifier = require_scope(RESPOND, DESK)
desk_only = require_scope(DESK)
ObjectionId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The objection's number")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "No such objection, or one about another lender's"}
}
# What only the desk sees in the history: the bureau's own check, its letters and their review.
DESK_EVENTS = frozenset({"checked", "proposed", "letter", "approved", "sent_back", "revised"})


# ---------------------------------------------------------------- views
class EventView(BaseModel):
    on: date
    actor: str
    action: str
    note: str


class ProposalView(BaseModel):
    """The bureau's evidence check: what it proposes and why."""

    outcome: str
    corrections: dict[str, Any]
    summary: list[str]


class ObjectionView(BaseModel):
    id: int
    status: str = Field(description="open | lapsed | confirmed | corrected | deleted | repeated")
    record: str = Field(description="account:F:ID[:YYYY-MM] | inquiry:N | public_record:N | ...")
    reason: str
    routed_to: str = Field(description="The verifier: a furnisher code, or bureau")
    filed_on: date
    due_on: date = Field(description="The legal reply deadline (cn: 20 days, Order 631 Art. 25)")
    age_days: int
    overdue: bool = Field(description="Past due_on without an answer")
    outcome: str | None
    answered_by: str | None
    answered_on: date | None
    lapsed_on: date | None
    evidence: dict[str, Any] = Field(description="What the subject sent")
    statement: str | None
    events: list[EventView]
    proposal: ProposalView | None = Field(
        default=None, description="The bureau's evidence check (the desk only)"
    )
    letter_status: str | None = Field(
        default=None,
        description="The reply letter: draft | sent_back | approved (only then sent); null while "
        "open (the desk only)",
    )


class ObjectionList(BaseModel):
    objections: list[ObjectionView]


class Decision(StrEnum):
    VERIFIED = "verified"
    MODIFIED = "modified"
    DELETED = "deleted"


OUTCOME_OF = {
    Decision.VERIFIED: "confirmed",
    Decision.MODIFIED: "corrected",
    Decision.DELETED: "deleted",
}


class Correction(BaseModel):
    """One corrected value; `period` names the month of a whole account's record (for a
    one-month record it may be left out)."""

    model_config = ConfigDict(extra="forbid")
    period: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")
    field: str = Field(max_length=64, description="A furnished month's field, e.g. past_due_amount")
    value: str | int | None = Field(description="Decimal amounts as strings; dates ISO 8601")


class ResponseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Decision = Field(
        description="verified (the record stands), modified (corrected values), deleted"
    )
    corrections: list[Correction] | None = Field(
        default=None,
        max_length=500,
        description="For modified; left out: the bureau's proposal, when there is one",
    )
    note: str | None = Field(default=None, max_length=2000, description="Kept in the history")


class LetterView(BaseModel):
    objection_id: int
    letter: str = Field(description="The bureau's written reply to the subject")
    status: str = Field(
        description="draft | sent_back | approved: only an approved letter is sent to the subject"
    )
    reviewed_by: str | None = Field(description="Who approved it, or sent it back last")
    reviewed_on: date | None = Field(description="The business day of that review")
    note: str | None = Field(description="Why it was sent back")


class ReviewDecision(StrEnum):
    APPROVE = "approve"
    SEND_BACK = "send_back"


class ReviewBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: ReviewDecision = Field(
        description="approve (the letter is sent to the subject) or send_back (with a note)"
    )
    note: str | None = Field(
        default=None, max_length=2000, description="Why it goes back (required for send_back)"
    )


class RevisionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    explanation: str = Field(
        max_length=4000,
        description="The bureau's own paragraph in the letter (lines kept; empty removes it); "
        "the outcome, record, dates and the law's lines stay as written",
    )


def view(objection: Objection, as_of: date, *, desk: bool) -> ObjectionView:
    proposal = objection.proposal
    return ObjectionView(
        id=objection.id,
        status=objection.status,
        record=str(objection.record),
        reason=objection.reason.value,
        routed_to=objection.routed_to,
        filed_on=objection.filed_on,
        due_on=objection.due_on,
        age_days=objection.age(as_of),
        overdue=objection.overdue(as_of),
        outcome=None if objection.outcome is None else objection.outcome.value,
        answered_by=objection.answered_by,
        answered_on=objection.answered_on,
        lapsed_on=objection.lapsed_on,
        evidence=objection.evidence.to_json(),
        statement=objection.statement,
        events=[
            EventView(on=e.on, actor=e.actor, action=e.action, note=e.note)
            for e in objection.events
            if desk or e.action not in DESK_EVENTS
        ],
        proposal=None
        if proposal is None or not desk
        else ProposalView(
            outcome=proposal.outcome.value,
            corrections=dict(proposal.corrections),
            summary=list(proposal.summary),
        ),
        letter_status=_letter_status(objection, as_of) if desk else None,
    )


def _letter_status(objection: Objection, as_of: date) -> str | None:
    if objection.outcome is None or objection.answered_on is None or objection.answered_on > as_of:
        return None
    if objection.replied(as_of):
        return "approved"
    return "draft" if objection.review is None else objection.review.status.value


def _corrections(objection: Objection, given: list[Correction] | None) -> Any:
    """The list as the service reads corrections (`object answer --corrections`'s file): a
    one-month record's fields, or `{"months": {"YYYY-MM": {...}}}` for a whole account."""
    if given is None:
        return None
    period = objection.record.period
    if period is not None:
        wrong = [c for c in given if c.period not in (None, f"{period:%Y-%m}")]
        if wrong:
            raise ApiProblemError(
                422,
                f"this objection is about {period:%Y-%m} only",
                kind="invalid-input",
                errors=[("corrections.period", f"must be {period:%Y-%m} or left out")],
            )
        return {c.field: c.value for c in given}
    if any(c.period is None for c in given) and objection.record.account is not None:
        raise ApiProblemError(
            422,
            "a whole account's correction names the month of each value",
            kind="invalid-input",
            errors=[("corrections.period", "required for a whole account's record")],
        )
    if objection.record.account is None:
        return {c.field: c.value for c in given}
    months: dict[str, dict[str, Any]] = {}
    for c in given:
        months.setdefault(str(c.period), {})[c.field] = c.value
    return {"months": months}


def _not_found(objection_id: int) -> ApiProblemError:
    return ApiProblemError(404, f"no objection {objection_id}", kind="not-found")


def _found(
    objections: ObjectionService, objection_id: int, caller: Caller, as_of: date, request: Request
) -> Objection:
    service = service_of(request)
    who = None if caller.desk else caller.furnisher_code
    try:
        return objections.routed_to(objection_id, who, as_of, service.clock.now())
    except ProblemsError as error:
        if [p.field for p in error.problems] == ["ID"]:
            raise _not_found(objection_id) from None
        raise


def _audit(caller: Caller, request: Request, view: str) -> dict[str, Any]:
    return {
        "client": caller.client_id,
        "scope": DESK if caller.desk else RESPOND,
        "request_id": request_id_of(request),
        "view": view,
    }


def _actor(caller: Caller) -> str:
    return BUREAU if caller.desk else str(caller.furnisher_code)


# ---------------------------------------------------------------- endpoints
@router.get(
    "/objections",
    summary="Objections to answer: a lender's own; every one for the desk",
    dependencies=[Depends(rate_limit)],
)
def objections(
    request: Request,
    caller: Annotated[Caller, Depends(verifier)],
    status: Annotated[
        str, Query(pattern="^(open|closed|all)$", description="open (default) | closed | all")
    ] = "open",
    overdue: Annotated[bool, Query(description="Only those past their deadline")] = False,
) -> ObjectionList:
    service = service_of(request)
    as_of = service.clock.today()
    found = service.bureau.objections.list(
        as_of,
        service.clock.now(),
        open_only=status == "open",
        overdue_only=overdue,
        furnisher=None if caller.desk else caller.furnisher_code,
    )
    if status == "closed":
        found = [o for o in found if not o.is_open]
    at = service.clock.now()
    service.bureau.objections.viewed(found, _actor(caller), _audit(caller, request, "list"), at)
    return ObjectionList(objections=[view(o, as_of, desk=caller.desk) for o in found])


@router.get(
    "/objections/{objection_id}",
    summary="One objection with its history",
    responses=NOT_FOUND,
    dependencies=[Depends(rate_limit)],
)
def objection(
    request: Request, objection_id: ObjectionId, caller: Annotated[Caller, Depends(verifier)]
) -> ObjectionView:
    service = service_of(request)
    as_of = service.clock.today()
    found = _found(service.bureau.objections, objection_id, caller, as_of, request)
    audited = _audit(caller, request, "one")
    service.bureau.objections.viewed([found], _actor(caller), audited, service.clock.now())
    return view(found, as_of, desk=caller.desk)


@router.post(
    "/objections/{objection_id}/response",
    summary="Answer an objection (closes it; the subject gets the bureau's letter)",
    responses={
        **NOT_FOUND,
        409: {"model": Problem, "description": "The objection is already closed"},
    },
    dependencies=[Depends(rate_limit), Depends(content_type("application/json"))],
)
def respond(
    request: Request,
    objection_id: ObjectionId,
    body: ResponseBody,
    caller: Annotated[Caller, Depends(verifier)],
) -> ObjectionView:
    service = service_of(request)
    objections_ = service.bureau.objections
    as_of, at = service.clock.today(), service.clock.now()
    found = _found(objections_, objection_id, caller, as_of, request)
    if not found.is_open:
        raise ApiProblemError(
            409,
            f"objection {objection_id} is closed ({found.status}); it cannot be answered",
            kind="closed",
        )
    audited = _audit(caller, request, "response")
    del audited["view"]
    answered = objections_.answer(
        objection_id,
        _actor(caller),
        OUTCOME_OF[body.decision],
        _corrections(found, body.corrections),
        as_of,
        at,
        note=body.note,
        audit=audited,
    )
    return view(answered, as_of, desk=caller.desk)


@router.get(
    "/objections/{objection_id}/letter",
    summary="The bureau's written reply to a closed objection (the desk)",
    responses={
        **NOT_FOUND,
        409: {"model": Problem, "description": "The objection is open: no reply yet"},
    },
    dependencies=[Depends(rate_limit)],
)
def letter(
    request: Request, objection_id: ObjectionId, caller: Annotated[Caller, Depends(desk_only)]
) -> LetterView:
    service = service_of(request)
    as_of = service.clock.today()
    objections_ = service.bureau.objections
    found = _found(objections_, objection_id, caller, as_of, request)
    try:
        text = objections_.letter(objection_id, as_of, service.clock.now(), draft=True)
    except ProblemsError as error:
        if [p.field for p in error.problems] == ["ID"]:  # open: no letter yet
            raise ApiProblemError(409, error.problems[0].message, kind="no-letter-yet") from None
        raise
    objections_.viewed([found], BUREAU, _audit(caller, request, "letter"), service.clock.now())
    return _letter_view(found, text, as_of)


def _letter_view(objection: Objection, text: str, as_of: date) -> LetterView:
    review = objection.review
    return LetterView(
        objection_id=objection.id,
        letter=text,
        status=_letter_status(objection, as_of) or "draft",
        reviewed_by=None if review is None else review.by,
        reviewed_on=None if review is None else review.on,
        note=None if review is None else review.note,
    )


@router.post(
    "/objections/{objection_id}/letter/review",
    summary="Approve the drafted reply letter (it is sent to the subject), or send it back",
    responses={
        **NOT_FOUND,
        409: {"model": Problem, "description": "No letter yet, or the letter is already approved"},
    },
    dependencies=[Depends(rate_limit), Depends(content_type("application/json"))],
)
def review(
    request: Request,
    objection_id: ObjectionId,
    body: ReviewBody,
    caller: Annotated[Caller, Depends(desk_only)],
) -> LetterView:
    objections_ = service_of(request).bureau.objections

    def change(by: str, as_of: date, at: datetime, audited: dict[str, Any]) -> Objection:
        if body.decision is ReviewDecision.APPROVE:
            return objections_.approve(objection_id, by, as_of, at, audit=audited)
        note = body.note or ""
        return objections_.send_back(objection_id, by, note, as_of, at, audit=audited)

    return _change_letter(request, objection_id, caller, "review", "not-reviewable", change)


@router.post(
    "/objections/{objection_id}/letter/revision",
    summary="Revise the bureau's own paragraph of a reply letter not yet approved",
    responses={
        **NOT_FOUND,
        409: {"model": Problem, "description": "No letter yet, or the letter is already approved"},
    },
    dependencies=[Depends(rate_limit), Depends(content_type("application/json"))],
)
def revise(
    request: Request,
    objection_id: ObjectionId,
    body: RevisionBody,
    caller: Annotated[Caller, Depends(desk_only)],
) -> LetterView:
    objections_ = service_of(request).bureau.objections

    def change(by: str, as_of: date, at: datetime, audited: dict[str, Any]) -> Objection:
        return objections_.revise(objection_id, by, body.explanation, as_of, at, audit=audited)

    return _change_letter(request, objection_id, caller, "revision", "not-revisable", change)


def _change_letter(
    request: Request,
    objection_id: int,
    caller: Caller,
    what: str,
    refused_kind: str,
    change: Callable[[str, date, datetime, dict[str, Any]], Objection],
) -> LetterView:
    """The desk's change to a reply letter (a review or a revision), audited as `what`: an
    objection the desk cannot see is 404; no letter yet, or one approved already, is 409."""
    service = service_of(request)
    objections_ = service.bureau.objections
    as_of, at = service.clock.today(), service.clock.now()
    _found(objections_, objection_id, caller, as_of, request)
    audited = _audit(caller, request, what)
    del audited["view"]
    try:
        changed = change(f"api:{caller.client_id}", as_of, at, audited)
    except ProblemsError as error:
        if [p.field for p in error.problems] == ["ID"]:  # no letter, or approved already
            raise ApiProblemError(409, error.problems[0].message, kind=refused_kind) from None
        raise
    text = objections_.letter(objection_id, as_of, at, draft=True)
    return _letter_view(changed, text, as_of)
