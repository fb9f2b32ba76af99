"""Spot-check fixtures."""

from __future__ import annotations

from support_spotchecks import targets

__all__ = ["targets"]
