"""The report's PDF, prepared then downloaded: `/me/report.pdf` (the report's PDF as `creditmend
report --format pdf` writes it, WeasyPrint printing the report's HTML: seconds).

The link reads the report at once (the subject's own look, a self-inquiry, as `/me/report`) and
hands its printing to the portal's workers (`jobs.py`), keyed by the user and what the report
holds (its number, the subject's own looks and the notice counting them aside: a report read
again on an unchanged file prints the same). A PDF already printed downloads at once;
otherwise the browser goes to the job's page, `/me/report/pdf/{job}`, which refreshes itself
until the PDF is ready and then offers it (`/me/report/pdf/{job}/file`, an attachment). The
PDF is the report of the look that asked for it: its number, and the looks listed, are that
look's.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from creditmend import bootstrap
from creditmend.domain.creditfile.inquiry import SELF
from creditmend.domain.portal import Role, Session
from creditmend.domain.report.model import Report
from creditmend.interfaces.portal.files import download
from creditmend.interfaces.portal.jobs import BusyError, Job, State
from creditmend.interfaces.portal.plan import TYPESETTING, busy, gone, job_context, portal_jobs
from creditmend.interfaces.portal.score import NO_FILE, own_report
from creditmend.interfaces.portal.web import redirect, render, service, signed_in, speaker

router = APIRouter(include_in_schema=False)
Borrower = Annotated[Session, Depends(signed_in(Role.BORROWER))]
PDF = "report.pdf"
# How `creditfile.inquiry.self_report_notice` begins: the count of this year's self-reports.
SELF_REPORT_NOTICE = "self-report "


def report_key(report: Report) -> str:
    """What the printed report depends on: the report less its number and the subject's own
    looks (each reading of the report adds one, and a notice counting them)."""
    others = tuple(line for line in report.inquiries if line.purpose != SELF)
    notices = tuple(n for n in report.header.notices if not n.startswith(SELF_REPORT_NOTICE))
    header = replace(report.header, report_id="", notices=notices)
    same = replace(report, header=header, inquiries=others)
    return hashlib.sha256(repr(same).encode("utf-8")).hexdigest()


def printed(report: Report, at: datetime, lang: str) -> tuple[str, bytes]:
    """The PDF and its file name (run in a worker process), in the reader's language `lang`
    (part of the job's key)."""
    with TYPESETTING:
        pdf = bootstrap.render_pdf(report, at, lang=lang)
    return f"creditmend-report-{report.header.as_of.isoformat()}.pdf", pdf


def _file(job: Job) -> Response:
    name, pdf = job.result
    return download(pdf, "application/pdf", name)


@router.get("/me/report.pdf")
def my_report_pdf(request: Request, session: Borrower) -> Response:
    """The PDF when it is printed already, else its job's page."""
    report = own_report(request, session)
    if report is None:
        return render(request, "report.html", {"missing": NO_FILE}, status=404, session=session)
    at = service(request).clock.now()
    jobs = portal_jobs(request)
    try:
        job = jobs.submit(
            session.user.user_id,
            PDF,
            (speaker(request).lang, report_key(report)),
            lambda: jobs.processes.run(printed, report, at, speaker(request).lang),
        )
    except BusyError:
        return busy(request, session)
    if job.state is State.DONE:
        return _file(job)
    return redirect(f"/me/report/pdf/{job.id}")


@router.get("/me/report/pdf/{job_id}")
def my_report_pdf_job(request: Request, session: Borrower, job_id: str) -> Response:
    """Being printed (the page refreshes itself), printed (the link to save it) or failed."""
    job = portal_jobs(request).find(session.user.user_id, PDF, job_id)
    if job is None:
        return gone(request, session)
    return render(request, "report_pdf.html", job_context(job), session=session)


@router.get("/me/report/pdf/{job_id}/file")
def my_report_pdf_file(request: Request, session: Borrower, job_id: str) -> Response:
    job = portal_jobs(request).find(session.user.user_id, PDF, job_id)
    if job is None or job.state is not State.DONE:
        return gone(request, session)
    return _file(job)
