"""A reply letter's PDF, typeset off the request (WeasyPrint: seconds) by the portal's workers
(`jobs.py`), as the report's PDF is (`report_pdf.py`), for the borrower (the approved letter)
and the desk (the draft it is about to approve).

Why jobs rather than a PDF cached once the letter is approved: the desk reads drafts too, and a
draft changes with each revision of the desk's paragraph, so a cache of approved letters would
still leave the desk's downloads in the request; and a cache would need a store of its own
(the typesetting is not in the database) or be lost with the process, as a job is. The job's
key is the letter's text itself (its digest): the same text is never typeset twice while the
job is kept, a revised draft is a new key, and the approved letter, which never changes, is
typeset once. A job is its user's own: anyone else's asking finds nothing (404).

The pages that call this check first that the objection is the caller's to read (the
borrower's own, any for the desk) and pass the letter's text as the service gives it to them.
"""

from __future__ import annotations

import hashlib

from fastapi import Request
from fastapi.responses import Response

from creditmend import bootstrap
from creditmend.domain.creditfile.objection import Objection
from creditmend.domain.portal import Session
from creditmend.interfaces.portal.files import download
from creditmend.interfaces.portal.jobs import BusyError, Job, State
from creditmend.interfaces.portal.plan import TYPESETTING, busy, gone, job_context, portal_jobs
from creditmend.interfaces.portal.web import redirect, render

KIND = "letter.pdf"


def typeset(text: str, name: str) -> tuple[str, bytes]:
    """The letter's PDF and its file name (run in a worker process)."""
    with TYPESETTING:
        pdf = bootstrap.letter_pdf(text)
    return name, pdf


def _file(job: Job) -> Response:
    name, pdf = job.result
    return download(pdf, "application/pdf", name)


def start(
    request: Request, session: Session, objection: Objection, text: str, base: str
) -> Response:
    """The PDF when it is typeset already, else its job's page (`BASE/letter/pdf/JOB`)."""
    jobs = portal_jobs(request)
    name = f"objection-{objection.id}-reply.pdf"
    key = (objection.id, hashlib.sha256(text.encode("utf-8")).hexdigest())
    try:
        job = jobs.submit(
            session.user.user_id,
            KIND,
            key,
            lambda: jobs.processes.run(typeset, text, name),
            inputs={"objection": str(objection.id)},
        )
    except BusyError:
        return busy(request, session)
    if job.state is State.DONE:
        return _file(job)
    return redirect(f"{base}/letter/pdf/{job.id}")


def _found(request: Request, session: Session, objection: Objection, job_id: str) -> Job | None:
    job = portal_jobs(request).find(session.user.user_id, KIND, job_id)
    if job is None or job.inputs.get("objection") != str(objection.id):  # another's letter
        return None
    return job


def page(
    request: Request, session: Session, objection: Objection, job_id: str, base: str
) -> Response:
    """Being typeset (the page refreshes itself), ready (the link to save it) or failed."""
    job = _found(request, session, objection, job_id)
    if job is None:
        return gone(request, session)
    context = {**job_context(job), "base": base}
    return render(request, "letter_pdf.html", context, session=session)


def file(request: Request, session: Session, objection: Objection, job_id: str) -> Response:
    job = _found(request, session, objection, job_id)
    if job is None or job.state is not State.DONE:
        return gone(request, session)
    return _file(job)
