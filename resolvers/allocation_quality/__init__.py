"""Allocation quality: equal splits and flat ratios when a unit subdivides its quota (docs/allocation-quality.md)."""
