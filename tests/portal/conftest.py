"""The portal's fixtures (defined in portal_support.py)."""

from __future__ import annotations

from portal_support import portal

__all__ = ["portal"]
