"""The API's fixtures (defined in api_support.py): `api`, `make_api`, `api_server`."""

from __future__ import annotations

from api_support import api, api_server, make_api

__all__ = ["api", "api_server", "make_api"]
