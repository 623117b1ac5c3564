"""The product's two languages, as far as the domain needs them: which there are, how a
language is named on a command line or in the environment, and `N_`, which marks a message for
the catalogues without translating it.

The domain stays free of Babel: it returns message ids (English), marked with `N_` so Babel's
extractor finds them; each renderer translates them where they are shown
(`adapters/i18n.py`, the catalogues in `creditmend/locale`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

LOCALES = ("zh_CN", "en")
ENGLISH = "en"
CHINESE = "zh_CN"
ENVIRONMENT_ORDER = ("LC_ALL", "LC_MESSAGES", "LANG")  # POSIX: the first one set wins


def N_(message: str) -> str:  # noqa: N802 (the gettext convention)
    """Marks a message for extraction; it is translated where it is shown."""
    return message


class Said(str):
    """A sentence the domain composes, as English text (what the JSON documents carry) that
    still knows its message id and values, so a renderer can say it in its own language
    (`Said.told(gettext)`). Its values are the program's (counts, a profile's source), never
    stored text: it is shown as the program's own words."""

    message: str
    values: dict[str, object]

    def __new__(cls, message: str, **values: object) -> Said:
        said = super().__new__(cls, message % values if values else message)
        said.message, said.values = message, values
        return said

    def told(self, gettext: Callable[[str], str], lang: str | None = None) -> str:
        """In gettext's language; a value the domain said too (a phrase inside a sentence) or
        gave in both languages (`Worded`) is said in it as well."""
        translated = gettext(self.message)
        if not self.values:
            return translated
        said = {
            name: value.told(gettext, lang) if isinstance(value, Said | Worded | Joined) else value
            for name, value in self.values.items()
        }
        return translated % said


class Worded(str):
    """Words a data file gives in both languages (a scorecard's reasons, which a model file
    carries as `reason` and `reason_zh`): the English text, which the JSON documents carry,
    and the Chinese a Chinese rendering shows (the English when the file has none)."""

    chinese: str

    def __new__(cls, english: str, chinese: str = "") -> Worded:
        worded = super().__new__(cls, english)
        worded.chinese = chinese or english
        return worded

    def told(self, gettext: Callable[[str], str], lang: str | None = None) -> str:
        return self.chinese if lang == CHINESE else str(self)


class Joined(str):
    """Clauses joined into one sentence ("a; b"): each said in the reader's language, joined
    the language's way (a Chinese semicolon in Chinese)."""

    parts: tuple[str, ...]

    def __new__(cls, parts: tuple[str, ...] | list[str]) -> Joined:
        joined = super().__new__(cls, "; ".join(parts))
        joined.parts = tuple(parts)
        return joined

    def told(self, gettext: Callable[[str], str], lang: str | None = None) -> str:
        return ("；" if lang == CHINESE else "; ").join(told(p, gettext, lang) for p in self.parts)


def told(text: str, gettext: Callable[[str], str], lang: str | None = None) -> str:
    """`text` in gettext's language (`lang` names it, for the words a data file gives in both)
    if the domain said it (`Said`, `Worded`), else as it is."""
    return text.told(gettext, lang) if isinstance(text, Said | Worded | Joined) else text


def said_of(error: BaseException) -> str:
    """An error's message, as the domain said it (`Said`, when it was raised with one), so an
    interface can say it in its language; `str(error)` is the same English text."""
    said = error.args[0] if len(error.args) == 1 else None
    return said if isinstance(said, Said) else str(error)


def month_named(day: date) -> Said:
    """A month as a sentence names it: "December 2026" (the C locale's month name), in Chinese
    "2026年12月" (the Chinese entry uses `year` and `number`, and leaves `month_name` out)."""
    return Said(
        N_("%(month_name)s %(year)s"), month_name=f"{day:%B}", year=day.year, number=day.month
    )


def language_of(tag: str) -> str | None:
    """One of `LOCALES` for a tag written the usual ways ("zh_CN", "zh-cn", "en_GB.UTF-8"),
    else None."""
    base = tag.strip().split(".")[0].split("@")[0].replace("-", "_").lower()
    if base == "zh" or base.startswith("zh_"):
        return CHINESE
    if base == "en" or base.startswith("en_"):
        return ENGLISH
    return None


def language_from_environment(environ: Mapping[str, str]) -> str:
    """The language the locale variables ask for: Chinese for any `zh*`, English for anything
    else, C, POSIX and nothing at all included, so scripts and CI read English unless asked."""
    for name in ENVIRONMENT_ORDER:
        value = environ.get(name, "")
        if value:
            return CHINESE if language_of(value) == CHINESE else ENGLISH
    return ENGLISH
