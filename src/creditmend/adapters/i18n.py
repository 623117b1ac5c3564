"""Gettext catalogues through Babel, and numbers, amounts and dates the way each locale writes
them (CLDR data): one module for the portal, the CLI and the renderings of reports, plans and
letters.

The catalogues are `creditmend/locale/<lang>/LC_MESSAGES/messages.po`, the text translators
edit; they are compiled in memory when first used (Babel's own reader and MO writer), so a
fresh clone needs no build step and a compiled file can never lag behind its source.

Documents (reports, plans) write English amounts as "12,345.60 CNY" and English dates as ISO
days, as bank statements written for readers of many countries do; Chinese ones write
"¥12,345.60" and "2026年12月7日", as Chinese lenders' statements do.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import Translations

import creditmend
from creditmend.domain.i18n import CHINESE, LOCALES
from creditmend.domain.money import Money

Day = date  # the name `date` is a method of `Speaker`
LOCALE_DIR = Path(creditmend.__file__).parent / "locale"
NONE = "—"


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=len(LOCALES))
def translations(lang: str) -> Translations:
    with catalogue_path(lang).open("rb") as source:
        catalog = read_po(source, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


class Speaker:
    """One language: its gettext and its formats."""

    def __init__(self, lang: str, zone: str = "Asia/Shanghai") -> None:
        self.lang = lang
        self.zone = ZoneInfo(zone)  # the profile's: times are shown as the bureau's day sees them
        self.locale = Locale.parse(lang)
        self.chinese = lang == CHINESE
        self._translations = translations(lang)

    @property
    def html_lang(self) -> str:
        """The HTML `lang` attribute: BCP 47, "zh-CN" or "en"."""
        return self.lang.replace("_", "-")

    @property
    def gettext(self) -> Callable[[str], str]:
        return self._translations.gettext

    @property
    def translations(self) -> Translations:
        return self._translations

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._translations.ngettext(singular, plural, n)

    def date(self, day: date) -> str:
        return format_date(day, format="long", locale=self.locale)

    def datetime(self, at: datetime) -> str:
        return format_datetime(at, format="medium", tzinfo=self.zone, locale=self.locale)

    def money(self, amount: Decimal, currency: str = "CNY") -> str:
        return format_currency(amount, currency, locale=self.locale)

    def number(self, value: int | Decimal) -> str:
        return format_decimal(value, locale=self.locale)

    # The documents' formats (reports, plans): see the module's docstring.

    def day(self, value: Day | None, none: str = NONE) -> str:
        if value is None:
            return none
        if self.chinese:
            return format_date(value, format="long", locale=self.locale)
        return value.isoformat()

    def month(self, value: Day) -> str:
        """A calendar month: "2024-03", "2024年3月"."""
        return format_date(value, "y年M月" if self.chinese else "yyyy-MM", locale=self.locale)

    def amount(self, value: Money | Decimal | None, currency: str = "CNY") -> str:
        """An amount with its currency, or "—"."""
        if value is None:
            return NONE
        number, code = (
            (value.amount, value.currency) if isinstance(value, Money) else (value, currency)
        )
        pattern = None if self.chinese else "#,##0.00 ¤¤"
        return format_currency(number, code, format=pattern, locale=self.locale)

    def figure(self, value: Money | Decimal | None) -> str:
        """An amount without its currency (a table's column names it): "12,345.60"."""
        if value is None:
            return NONE
        number = value.amount if isinstance(value, Money) else value
        return format_decimal(number, "#,##0.00", locale=self.locale)

    def percent(self, value: Decimal | None) -> str:
        """A ratio as a percentage: 0.8333 -> "83.33 %" (English), "83.33%" (Chinese)."""
        if value is None:
            return NONE
        pattern = "#,##0.00%" if self.chinese else "#,##0.00 %"
        return format_percent(value, pattern, locale=self.locale)


@lru_cache(maxsize=len(LOCALES))
def speaker(lang: str) -> Speaker:
    return Speaker(lang)
