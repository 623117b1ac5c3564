"""The portal's two languages: the shared catalogues and formats (`adapters/i18n.py`, reached
through bootstrap) and what only the portal needs, the choice of language for a request.

The language is the `cm_lang` cookie's (the switch on every page), else the best of
`Accept-Language`, else Chinese, the language of most of the bureau's borrowers.
"""

from __future__ import annotations

from creditmend.bootstrap import Speaker, catalogue_path, translations
from creditmend.domain.i18n import LOCALES, N_

__all__ = [
    "COOKIE",
    "DEFAULT",
    "LOCALES",
    "NAMES",
    "N_",
    "Speaker",
    "catalogue_path",
    "choose",
    "translations",
]

DEFAULT = "zh_CN"
COOKIE = "cm_lang"
NAMES = {"zh_CN": "中文", "en": "English"}


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
