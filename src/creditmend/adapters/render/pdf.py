"""The report as an A4 PDF: WeasyPrint printing the HTML rendering.

One layout for both: the HTML carries its print CSS (`@page` A4 with the report id in the header
and "Page n of m" in the footer, tables that wrap instead of scrolling, account cards kept on one
page). WeasyPrint finds fonts through fontconfig: Chinese platform names need a CJK font on the
machine (`make setup` installs one), named in the CSS font stack.

Nothing is fetched while rendering: the HTML is self-contained, and the fetcher allows `data:`
URIs only, so a report can never make the renderer reach the network or the file system.
"""

from __future__ import annotations

ALLOWED_PROTOCOLS = ("data",)


def render_pdf(html: str) -> bytes:
    """The PDF of a report's HTML rendering (from `render_html`)."""
    # Imported here: WeasyPrint loads Pango through cffi, which only the PDF needs.
    from weasyprint import HTML, URLFetcher  # type: ignore[import-untyped]  # noqa: PLC0415

    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=ALLOWED_PROTOCOLS))
    pdf = document.write_pdf()
    if not isinstance(pdf, bytes):  # pragma: no cover - write_pdf() without a target is bytes
        raise TypeError("WeasyPrint returned no PDF")
    return pdf
