"""The bureau's HTTP API (FastAPI on uvicorn): `app.create_app` is the factory.

Extension points for new endpoints (docs/api.md, "Adding an endpoint"): a router module in
`v1/` listed in `v1.ROUTERS`; `security.require_scope(...)` giving the `Caller`;
`limits.rate_limit`, `limits.content_type(...)`, `limits.body_limit(n)`; `problems.ApiProblemError`
for every refusal.
"""
