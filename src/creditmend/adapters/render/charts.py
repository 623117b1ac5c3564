"""The advisor's charts: Vega-Lite specifications built with Altair, drawn to SVG offline.

Each chart reads the plan's JSON document (the `--format json` output), never the domain's
objects, so a chart shows exactly the numbers the JSON and the terminal show. Drawing goes
through vl-convert (a bundled Vega engine): no browser, no network. The SVG is placed inline in
the HTML, which WeasyPrint prints, so the PDF carries the same charts.

Amounts arrive as decimal strings; they become floats here, at the edge, for plotting only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

import altair as alt
import vl_convert

from creditmend.adapters.i18n import speaker
from creditmend.domain.i18n import ENGLISH, N_

Say = Callable[[str], str]
# The words the charts show as data (legends), marked for the catalogues.
LEGEND_WORDS = (
    N_("optimal"),
    N_("minimum"),
    N_("avalanche"),
    N_("snowball"),
    N_("interest"),
    N_("penalty"),
    N_("fees"),
    N_("expires"),
    N_("uncured"),
    N_("the plan"),
    N_("one account kept active"),
)

STRATEGY_ORDER = ["optimal", "minimum", "avalanche", "snowball"]
COLOURS = ["#1f6f43", "#9a9a9a", "#b35c00", "#3f63a8"]
FONT = "Helvetica Neue, Arial, Noto Sans CJK SC, WenQuanYi Zen Hei, sans-serif"
WIDTH = 560


def _svg(chart: alt.TopLevelMixin) -> str:
    spec = chart.configure(font=FONT).configure_view(stroke=None).to_dict()
    svg: str = vl_convert.vegalite_to_svg(spec)
    return svg


def _amount(text: str | None) -> float:
    return float(Decimal(text)) if text else 0.0


def _strategies(document: Mapping[str, Any]) -> Iterable[tuple[str, Mapping[str, Any]]]:
    strategies = document.get("strategies", {})
    return ((name, strategies[name]) for name in STRATEGY_ORDER if name in strategies)


def debt_rows(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What is owed at each month's end under each strategy (every loan's payoff), up to two
    months after the last month any strategy still owes: beyond it the lines lie on zero."""
    rows = []
    for name, strategy in _strategies(document):
        loans = strategy.get("loans", [])
        if not loans:
            continue
        for index, month in enumerate(loans[0]["months"]):
            owed = sum((Decimal(loan["months"][index]["payoff"]) for loan in loans), Decimal(0))
            rows.append({"strategy": name, "month": month["month"], "owed": float(owed)})
    months = sorted({row["month"] for row in rows})
    owing = [row["month"] for row in rows if row["owed"] > 0]
    if not owing:
        return rows
    keep = set(months[: months.index(max(owing)) + 3])
    return [row for row in rows if row["month"] in keep]


def _said(rows: list[dict[str, Any]], key: str, say: Say) -> list[dict[str, Any]]:
    """The rows with their `key` (a legend's words) in the chart's language."""
    return [{**row, key: say(row[key])} for row in rows]


def debt_over_time(document: Mapping[str, Any], _: Say = str) -> str | None:
    rows = _said(debt_rows(document), "strategy", _)
    if not rows:
        return None
    chart = (
        alt.Chart(alt.Data(values=rows), width=WIDTH, height=240, title=_("Total debt by month"))
        .mark_line(point=alt.OverlayMarkDef(size=18), strokeWidth=2)
        .encode(
            x=alt.X("month:O", title=None, axis=alt.Axis(labelAngle=-60, labelOverlap=True)),
            y=alt.Y(
                "owed:Q",
                title=_("owed (%(currency)s)") % {"currency": document.get("currency", "")},
                axis=alt.Axis(format=",.0f"),
            ),
            color=alt.Color(
                "strategy:N",
                scale=alt.Scale(domain=[_(name) for name in STRATEGY_ORDER], range=COLOURS),
                legend=alt.Legend(orient="top", title=None),
            ),
        )
    )
    return _svg(chart)


def cost_by_strategy(document: Mapping[str, Any], _: Say = str) -> str | None:
    """Interest, penalty interest and fees each strategy pays: where the money goes."""
    rows = [
        {
            "strategy": _(name),
            "part": _(part),
            "amount": _amount(strategy.get(f"{part}_paid")),
        }
        for name, strategy in _strategies(document)
        for part in ("interest", "penalty", "fees")
    ]
    if not rows:
        return None
    chart = (
        alt.Chart(
            alt.Data(values=rows), width=WIDTH, height=150, title=_("What each strategy costs")
        )
        .mark_bar()
        .encode(
            y=alt.Y("strategy:N", sort=[_(name) for name in STRATEGY_ORDER], title=None),
            x=alt.X(
                "amount:Q",
                stack="zero",
                title=str(document.get("currency", "")),
                axis=alt.Axis(format=",.0f"),
            ),
            color=alt.Color(
                "part:N",
                scale=alt.Scale(
                    domain=[_("interest"), _("penalty"), _("fees")],
                    range=["#7aa6d6", "#c0392b", "#e0b04a"],
                ),
                legend=alt.Legend(orient="top", title=None),
            ),
            order=alt.Order("part:N"),
        )
    )
    return _svg(chart)


def expiry_gantt(
    document: Mapping[str, Any], horizon_end: str | None = None, _: Say = str
) -> str | None:
    """Each negative record from the overdue's start to the day it stops being shown; a record
    not yet cured runs to the horizon's end, drawn in red (it never expires while uncured)."""
    rows = []
    for row in document.get("expiry_timeline", []):
        end = row.get("expires_on") or horizon_end
        if end is None:
            continue
        rows.append(
            {
                "record": row["record"],
                "from": row["overdue_from"],
                "until": end,
                "state": _("expires") if row.get("expires_on") else _("uncured"),
            }
        )
    if not rows:
        return None
    chart = (
        alt.Chart(
            alt.Data(values=rows),
            width=WIDTH,
            height=max(60, 22 * len(rows)),
            title=_("When each negative record stops being shown"),
        )
        .mark_bar(cornerRadius=3, height=14)
        .encode(
            y=alt.Y("record:N", title=None, sort=None),
            x=alt.X("from:T", title=None),
            x2="until:T",
            color=alt.Color(
                "state:N",
                scale=alt.Scale(domain=[_("expires"), _("uncured")], range=["#d9a400", "#c0392b"]),
                legend=alt.Legend(orient="top", title=None),
            ),
        )
    )
    return _svg(chart)


def score_path(document: Mapping[str, Any], _: Say = str) -> str | None:
    """The score month by month under the plan, and with one account kept active when the
    forecast shows that path (`score_forecast.active_path`)."""
    forecast = document.get("score_forecast") or {}
    active = forecast.get("active_path") or {}
    paths = (
        (_("the plan"), forecast.get("months", [])),
        (_("one account kept active"), active.get("months", [])),
    )
    rows = [
        {"month": m["month"], "score": m["score"], "band": m["band"], "path": name}
        for name, months in paths
        for m in months
        if m.get("score") is not None
    ]
    if not rows:
        return None
    colour = alt.Color(
        "path:N",
        scale=alt.Scale(domain=[name for name, _months in paths], range=["#1f6f43", "#b5651d"]),
        legend=alt.Legend(orient="top", title=None) if active else None,
    )
    line = (
        alt.Chart(alt.Data(values=rows), width=WIDTH, height=200, title=_("Score under the plan"))
        .mark_line(point=True)
        .encode(
            x=alt.X("month:O", title=None, axis=alt.Axis(labelAngle=-60, labelOverlap=True)),
            y=alt.Y("score:Q", title=_("score"), scale=alt.Scale(zero=False)),
            color=colour,
            tooltip=["month:O", "score:Q", "band:N", "path:N"],
        )
    )
    return _svg(line)


def plan_charts(
    document: Mapping[str, Any], horizon_end: str | None = None, *, lang: str = ENGLISH
) -> dict[str, str]:
    """Every chart the document has data for, by name, its words in `lang`."""
    _ = speaker(lang).gettext
    drawn = {
        "debt": debt_over_time(document, _),
        "cost": cost_by_strategy(document, _),
        "expiry": expiry_gantt(document, horizon_end, _),
        "score": score_path(document, _),
    }
    return {name: svg for name, svg in drawn.items() if svg is not None}
