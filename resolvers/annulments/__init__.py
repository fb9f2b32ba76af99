"""Annulled admissions (一律不予承认): an admission found irregular stops counting, is shown on the
recruit and listed for the branch meeting; the annulment itself is final evidence."""
