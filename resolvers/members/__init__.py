"""The school's roster of Party members: kept by the organization department or the 12371
sync; read when a step names introducers or contact persons.

Importing the domain registers the roster's copied path with the unit tree, so a branch moved
within its school carries its members along (and with them their visibility).
"""

from partyplan.models import members
from partyplan.resolvers.units import repository as _units

if (members, "unit_path") not in _units.PATH_COPIES:
    _units.PATH_COPIES.append((members, "unit_path"))
