"""The browser tests' fixtures (defined in browser_support.py): `browser`, `served`."""

from __future__ import annotations

from browser_support import browser, served

__all__ = ["browser", "served"]
