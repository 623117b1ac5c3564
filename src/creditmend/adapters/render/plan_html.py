"""The recovery plan as one self-contained HTML file (`templates/plan.html.j2`), with charts.

The page is built from the plan's JSON document (what `creditmend plan --format json` prints),
so the HTML, its PDF and the JSON can never disagree. This module arranges what the template
shows (the strategies in a fixed order, the chosen plan's months until the last payment, the
charts); the template lays it out. Every value is autoescaped; the charts are SVG drawn from
the same document.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from creditmend.adapters.i18n import speaker
from creditmend.adapters.render.charts import STRATEGY_ORDER, plan_charts
from creditmend.adapters.render.html import page_footer, templates
from creditmend.domain.i18n import ENGLISH, N_
from creditmend.domain.recovery.file_candidates import EVIDENCE_FILE, WHY_WORDS

# The rows of "What a new loan would do", marked for the catalogues (shown as their words).
NEW_LOAN_WORDS = (
    N_("hard inquiries 90d"),
    N_("institutions 90d"),
    N_("platforms open"),
    N_("monthly obligations"),
    N_("debt to income"),
    N_("score"),
    N_("band"),
    N_("reaches target"),
)


def _plan_rows(strategy: Mapping[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """The chosen plan's payments per month and loan, up to the month of the last payment."""
    months = strategy.get("monthly", [])
    loans = sorted({loan for month in months for loan in month["payments"]})
    rows = []
    for month in months:
        payments = [Decimal(month["payments"].get(loan, "0")) for loan in loans]
        rows.append({"month": month["month"], "payments": payments, "total": sum(payments)})
    while rows and rows[-1]["total"] == 0:
        rows.pop()
    return loans, rows


def render_plan_html(
    document: Mapping[str, Any], generated_at: datetime, *, lang: str = ENGLISH
) -> str:
    """The plan's page in `lang`."""
    strategies = document.get("strategies", {})
    ordered = [(name, strategies[name]) for name in STRATEGY_ORDER if name in strategies]
    chosen = strategies.get("optimal") or (ordered[0][1] if ordered else {})
    loans, rows = _plan_rows(chosen)
    horizon_end = None
    if chosen.get("monthly"):
        horizon_end = f"{chosen['monthly'][-1]['month']}-28"
    context = {
        "d": document,
        "strategies": ordered,
        "winner": document.get("winner"),
        "shortfall": document.get("shortfall") or [],
        "plan_loans": loans,
        "plan_rows": rows,
        "charts": plan_charts(document, horizon_end, lang=lang),
        "page_footer": page_footer(speaker(lang).gettext),
        "generated": generated_at.strftime("%Y-%m-%d %H:%M %Z").strip(),
        "why_words": WHY_WORDS,
        "evidence_file": EVIDENCE_FILE,
    }
    env = templates(lang)
    return env.get_template("plan.html.j2").render(context)
