"""The `/v1` resources. Each is a module here with an `APIRouter` named `router`, listed in
`ROUTERS`, which `create_app` includes (see docs/api.md, "Adding an endpoint")."""

from __future__ import annotations

from fastapi import APIRouter

ROUTERS: list[APIRouter] = []
