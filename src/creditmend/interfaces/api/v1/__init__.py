"""The `/v1` resources. Each is a module here with an `APIRouter` named `router` (prefix `/v1`,
`responses=SECURED_RESPONSES`), listed in `ROUTERS`, which `create_app` includes in this order
(see docs/api.md, "Adding an endpoint")."""

from __future__ import annotations

from fastapi import APIRouter

from creditmend.interfaces.api.v1 import furnishings, inquiries, me, objections

ROUTERS: list[APIRouter] = [me.router, furnishings.router, inquiries.router, objections.router]
