"""`mount_portal(app)`: the portal's routes on the API's app (kept out of its OpenAPI
document: the portal is pages, not an API), its rate limits and its refusal pages."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from creditmend.interfaces.portal import (
    auth,
    desk,
    objections,
    pages,
    plan,
    report_pdf,
    score,
)
from creditmend.interfaces.portal.i18n import N_
from creditmend.interfaces.portal.jobs import Jobs
from creditmend.interfaces.portal.web import PortalRefusalError, new_buckets, redirect, render

REFUSALS = {
    "csrf": N_("This form has expired. Go back, reload the page and send it again."),
    "role": N_("This page is not for your account."),
    "rate": N_("Too many tries from here. Wait a minute and try again."),
}


def mount_portal(app: FastAPI) -> None:
    app.state.portal_rate_limits = new_buckets()
    app.state.portal_jobs = Jobs()  # plans and PDFs made off the request path (jobs.py)
    app.include_router(auth.router, include_in_schema=False)
    app.include_router(pages.router, include_in_schema=False)
    app.include_router(score.router, include_in_schema=False)
    app.include_router(plan.router, include_in_schema=False)
    app.include_router(report_pdf.router, include_in_schema=False)
    app.include_router(objections.router, include_in_schema=False)
    app.include_router(desk.router, include_in_schema=False)
    app.add_exception_handler(PortalRefusalError, _refused)  # type: ignore[arg-type]


def close_portal(app: FastAPI) -> None:
    """At the app's shutdown: the portal's workers take no more jobs and drop those waiting."""
    jobs: Jobs = app.state.portal_jobs
    jobs.close()


def _refused(request: Request, refusal: PortalRefusalError) -> Response:
    if refusal.status == 401:
        return redirect("/login")
    message = REFUSALS.get(refusal.message, REFUSALS["role"])
    response = render(request, "refused.html", {"message": message}, status=refusal.status)
    if refusal.retry_after is not None:
        response.headers["Retry-After"] = str(refusal.retry_after)
    return response
