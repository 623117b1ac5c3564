"""The report as one self-contained HTML file (Jinja2, `templates/report.html.j2`).

Self-contained: the CSS is inline and there is no external font, script or image, so the file
can be mailed, opened offline or printed as is (the PDF is this very HTML). The 60-month grid is
an HTML table coloured by status, one row per calendar year, with a legend of the codes. Every
value is autoescaped: platform names, reasons and statements come from furnishers and subjects.

This module arranges what the template shows (grid rows, formatted amounts, which records are
under objection); the template only lays it out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from creditmend.adapters.i18n import NONE, Speaker, speaker, translations
from creditmend.domain.calendar import add_months
from creditmend.domain.i18n import ENGLISH, LOCALES, told
from creditmend.domain.report.model import AccountLine, Report
from creditmend.domain.report.present import (
    DAY_KEYS,
    MONTH_KEYS,
    PUBLIC_RECORD_KINDS,
    SECTIONS,
    code_words,
)
from creditmend.domain.rules.profile import JurisdictionProfile

# CSS class of each grid code (the codes themselves are no valid class names).
CODE_CLASSES: Mapping[str, str] = {
    "N": "g-ok",
    "M": "g-late",
    **{str(bucket): f"g-o{bucket}" for bucket in range(1, 8)},
    "*": "g-nodue",
    "/": "g-unopened",
    "#": "g-unknown",
    "C": "g-settled",
    "G": "g-ended",
    "D": "g-guarantor",
    "Z": "g-assets",
    "B": "g-bad",
}

UNKNOWN_CODE_CLASS = "g-unknown"


def css_class(code: str) -> str:
    return CODE_CLASSES.get(code, UNKNOWN_CODE_CLASS)


@dataclass(frozen=True, slots=True)
class Cell:
    code: str
    css: str
    month: str  # YYYY-MM
    meaning: str


@dataclass(frozen=True, slots=True)
class GridRow:
    year: int
    cells: tuple[Cell | None, ...]  # January..December; None outside the 60 months


def grid_rows(
    starts: date, codes: Sequence[str], meanings: Mapping[str, str]
) -> tuple[GridRow, ...]:
    """The grid as calendar-year rows of 12 months, oldest year first."""
    months = {add_months(starts, index): code for index, code in enumerate(codes)}
    rows = []
    for year in sorted({month.year for month in months}):
        cells = []
        for number in range(1, 13):
            code = months.get(date(year, number, 1))
            cells.append(
                None
                if code is None
                else Cell(
                    code,
                    css_class(code),
                    f"{year}-{number:02d}",
                    meanings.get(code, code),
                )
            )
        rows.append(GridRow(year, tuple(cells)))
    return tuple(rows)


def status_columns(report: Report, codes: Sequence[str]) -> tuple[str, ...]:
    """The grid codes seen in the 60 months, in the legend's order (`/` never counts)."""
    seen = report.overdue.months_at_status.get("m60", {})
    return tuple(code for code in codes if seen.get(code, 0))


def _figure_of_text(say: Speaker, text: object) -> str:
    """A decimal string (the plan's JSON) with the locale's separators: "12345.6" -> "12,345.60"."""
    try:
        value = Decimal(str(text))
    except (InvalidOperation, ValueError):
        return NONE
    return say.figure(value) if value.is_finite() else NONE


@lru_cache(maxsize=len(LOCALES))
def templates(lang: str) -> Environment:
    """The documents' templates in one language: Jinja2's i18n extension with that language's
    catalogue, and filters that write amounts, dates and codes that language's way. One
    environment per language, so two pages in two languages can be rendered at once."""
    env = Environment(
        loader=PackageLoader("creditmend.adapters.render", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    say = speaker(lang)
    env.filters.update(
        money=say.amount,
        percent=say.percent,
        day=say.day,
        month=say.month,
        figure=say.figure,
        amount=lambda text: _figure_of_text(say, text),
        words=lambda code: say.gettext(code_words(str(code))),
        told=lambda text: told(text, say.gettext, lang),
    )
    env.globals.update(html_lang=say.html_lang)
    return env


def page_footer(gettext: Callable[[str], str]) -> Markup:
    """The PDF's "Page n of m" as a CSS `content` value: the catalogue's words around
    WeasyPrint's page counters (the words are ours, so they are safe in the style sheet)."""
    words = gettext("Page %(page)s of %(pages)s").replace('"', "")
    counters = {"page": '" counter(page) "', "pages": '" counter(pages) "'}
    return Markup(f'"{words % counters}"')


def render_html(
    report: Report,
    generated_at: datetime,
    *,
    profile: JurisdictionProfile,
    lang: str = ENGLISH,
) -> str:
    """The report as one self-contained HTML document (UTF-8 text), in `lang`."""
    gettext = speaker(lang).gettext
    meanings = {code: gettext(meaning) for code, meaning in profile.status_codes.items()}
    grids: dict[str, tuple[GridRow, ...]] = {}
    accounts: list[AccountLine] = list(report.overdue.accounts)
    for line in accounts:
        grids[f"{line.furnisher_id}:{line.account_id}"] = grid_rows(
            line.grid_starts, line.grid, meanings
        )
    context: dict[str, Any] = {
        "r": report,
        "h": report.header,
        "titles": {key: gettext(title) for key, title in SECTIONS},
        "numbers": {key: index for index, (key, _) in enumerate(SECTIONS, start=1)},
        "generated": generated_at.strftime("%Y-%m-%d %H:%M %Z").strip(),
        "legend": [(code, css_class(code), text) for code, text in meanings.items()],
        "code_class": css_class,
        "grids": grids,
        "status_columns": status_columns(report, list(meanings)),
        "day_windows": DAY_KEYS,
        "month_windows": MONTH_KEYS,
        "record_kinds": {kind: gettext(name) for kind, name in PUBLIC_RECORD_KINDS.items()},
        "page_footer": page_footer(gettext),
        "retention_years": profile.retention_years.value,
        "reply_days": profile.objection_reply_days.value,
    }
    return templates(lang).get_template("report.html.j2").render(context)
