"""The portal's two languages: gettext catalogues through Babel, Chinese (`zh_CN`) and English.

The catalogues are `creditmend/locale/<lang>/LC_MESSAGES/messages.po`, the text translators
edit; they are compiled in memory when first used (Babel's own reader and MO writer), so a
fresh clone needs no build step and a compiled file can never lag behind its source. The
language is the `cm_lang` cookie's (the switch on every page), else the best of
`Accept-Language`, else Chinese, the language of most of the bureau's borrowers. Dates and
numbers are written the locale's way by Babel (CLDR data).
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
from babel.numbers import format_currency, format_decimal
from babel.support import Translations

import creditmend

LOCALES = ("zh_CN", "en")
DEFAULT = "zh_CN"
COOKIE = "cm_lang"
LOCALE_DIR = Path(creditmend.__file__).parent / "locale"
NAMES = {"zh_CN": "中文", "en": "English"}


def N_(message: str) -> str:  # noqa: N802 (the gettext convention)
    """Marks a message for extraction; it is translated where it is shown."""
    return message


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


def choose(cookie: str | None, accept_language: str | None) -> str:
    """The cookie's language if it is one of ours, else Accept-Language's best, else Chinese."""
    if cookie in LOCALES:
        return str(cookie)
    offered: list[tuple[float, str]] = []
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag:
            offered.append((quality, tag.strip().replace("-", "_").lower()))
    for _, tag in sorted(offered, key=lambda pair: -pair[0]):
        if tag.startswith("zh"):
            return "zh_CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT


class Speaker:
    """One request's language: its gettext and its formats."""

    def __init__(self, lang: str, zone: str = "Asia/Shanghai") -> None:
        self.lang = lang
        self.zone = ZoneInfo(zone)  # the profile's: times are shown as the bureau's day sees them
        self.locale = Locale.parse(lang)
        self._translations = translations(lang)

    @property
    def gettext(self) -> Callable[[str], str]:
        return self._translations.gettext

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
