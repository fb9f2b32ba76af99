"""Warnings (预警): rules over the plan's figures and the recruits, run by the scan; read and
acknowledged through the API.

Importing the domain registers the warnings' copied path with the unit tree, so a unit moved
within its school carries its warnings along (and with them their visibility).
"""

from partyplan.models import warnings
from partyplan.resolvers.units import repository as _units

if (warnings, "unit_path") not in _units.PATH_COPIES:
    _units.PATH_COPIES.append((warnings, "unit_path"))
