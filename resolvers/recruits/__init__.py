"""Recruits: people moving through the 25-step procedure, the rules that govern the steps,
PII protection, and the counting of admissions against plans.

The paths copied onto its rows, and the open recruits that keep a unit from being deactivated,
are declared with the unit tree's other ties in :mod:`partyplan.resolvers.units.ties`.
"""
