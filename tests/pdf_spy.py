"""A spy on WeasyPrint's URL fetcher, for the tests that render PDFs (reports, plans, letters).

`render_pdf` makes its own fetcher that allows `data:` URIs only. The spy takes the place of
WeasyPrint's `URLFetcher` class, so the fetcher `render_pdf` makes is the spy, configured as
`render_pdf` configures it: every URL WeasyPrint asks for is recorded with whether that
configuration would have fetched it, and everything but `data:` is refused (a test itself never
reaches the file system or the network). `made` counts the fetchers made, so a renderer that
stopped passing its own fetcher (and fell back to WeasyPrint's default) is caught.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest


@dataclass
class Fetches:
    made: int = 0
    asked: list[tuple[str, bool]] = field(default_factory=list)  # (url, would be fetched)

    def beyond_the_page(self) -> list[str]:
        """The URLs asked for that are not `data:` (inline in the page itself)."""
        return [url for url, _ in self.asked if not url.startswith("data:")]


def spy_on_fetches(monkeypatch: pytest.MonkeyPatch) -> Fetches:
    import weasyprint  # type: ignore[import-untyped]  # noqa: PLC0415  (only PDF tests need it)

    fetches = Fetches()

    class Spy(weasyprint.URLFetcher):  # type: ignore[misc]
        def __init__(self, *args: Any, allowed_protocols: Any = None, **kwargs: Any) -> None:
            super().__init__(*args, allowed_protocols=allowed_protocols, **kwargs)
            self.allowed = allowed_protocols
            fetches.made += 1

        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            fetches.asked.append((url, self.allowed is None or scheme in self.allowed))
            if scheme != "data":
                raise ValueError(f"the test's fetcher refuses {url}")
            return super().fetch(url, headers)

    monkeypatch.setattr(weasyprint, "URLFetcher", Spy)
    return fetches
