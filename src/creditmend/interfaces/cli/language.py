"""The CLI's language: `--lang`, else the locale variables (LC_ALL, LC_MESSAGES, LANG), and the
catalogues' words in it.

One command, one language: the root callback chooses it once per run and every renderer reads
it here (`_` for a message, `say()` for the formats); the HTML and PDF renderings are handed it
through bootstrap. English unless Chinese is asked for, so scripts and CI read what they read.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from creditmend import bootstrap
from creditmend.domain.i18n import ENGLISH, LOCALES, language_from_environment, language_of

_CHOSEN: ContextVar[str] = ContextVar("creditmend_cli_language", default=ENGLISH)


def chosen(option: str | None) -> str:
    """`--lang`'s language, or the environment's; a `--lang` that names neither language is a
    `ValueError` (the caller reports it as a usage error)."""
    if option is None:
        return language_from_environment(os.environ)
    found = language_of(option)
    if found is None:
        raise ValueError(f"{option!r} is not one of {', '.join(LOCALES)}")
    return found


def use(lang: str) -> None:
    _CHOSEN.set(lang)


def current() -> str:
    return _CHOSEN.get()


@contextmanager
def speaking(lang: str | None) -> Iterator[None]:
    """`lang` for the length of the block (a renderer called with its own language)."""
    if lang is None:
        yield
        return
    token = _CHOSEN.set(lang)
    try:
        yield
    finally:
        _CHOSEN.reset(token)


def say() -> bootstrap.Speaker:
    return bootstrap.speaker(current())


def _(message: str) -> str:
    """The message in the chosen language."""
    return say().gettext(message)
