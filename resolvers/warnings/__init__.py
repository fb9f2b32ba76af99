"""Warnings (预警): rules over the plan's figures and the recruits, run by the scan; read and
acknowledged through the API.

The warnings' copied path is declared in :mod:`partyplan.resolvers.units.ties`, so a unit moved
within its school carries its warnings along (and with them their visibility).
"""
