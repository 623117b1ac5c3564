"""The portal's fixtures (defined in portal_support.py)."""

from __future__ import annotations

from portal_support import portal, portal_any

__all__ = ["portal", "portal_any"]
