"""`GET /v1/me`: who the token stands for. A client checks its credentials with it; it is also
the smallest example of an endpoint (docs/api.md, "Adding an endpoint")."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from creditmend.domain.clients import SCOPES, Caller
from creditmend.interfaces.api.limits import rate_limit
from creditmend.interfaces.api.problems import SECURED_RESPONSES
from creditmend.interfaces.api.security import require_scope

router = APIRouter(prefix="/v1", tags=["clients"], responses=SECURED_RESPONSES)


class Me(BaseModel):
    client_id: str
    furnisher_code: str | None = Field(description="The lender the client acts for; null: desk")
    scopes: list[str]
    desk: bool


@router.get("/me", summary="The client the token stands for", dependencies=[Depends(rate_limit)])
def me(caller: Annotated[Caller, Depends(require_scope(*SCOPES))]) -> Me:
    return Me(
        client_id=caller.client_id,
        furnisher_code=caller.furnisher_code,
        scopes=sorted(caller.scopes),
        desk=caller.desk,
    )
