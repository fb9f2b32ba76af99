"""Roll-ups: a unit's execution figures for a period (quota, admissions and their structure,
the pipeline, findings), by month and year over year, read from tallies the database keeps.

Importing the domain registers the tallies' copied path with the unit tree, so a unit moved
within its school carries its rows along.
"""

from partyplan.models import unit_month_tallies, unit_tallies
from partyplan.resolvers.units import repository as _units

for _copy in ((unit_tallies, "unit_path"), (unit_month_tallies, "unit_path")):
    if _copy not in _units.PATH_COPIES:
        _units.PATH_COPIES.append(_copy)
