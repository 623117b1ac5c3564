"""Renderings of the online-loan big-data report as documents.

- `render_html(report, generated_at)`: one self-contained HTML file (Jinja2, autoescaped; inline
  CSS, no external font, script or image), readable on a phone and printable.
- `render_pdf(html)`: the same HTML as an A4 PDF (WeasyPrint), page numbers in the footer.

The JSON form is the domain's (`creditmend.domain.report.json_form`, schema in
`creditmend/schemas/report_v1.schema.json`); the terminal one is the CLI's
(`creditmend.interfaces.cli.report_view`). All four read only the report model.
"""

from __future__ import annotations

from creditmend.adapters.render.html import render_html
from creditmend.adapters.render.pdf import render_pdf

__all__ = ["render_html", "render_pdf"]
