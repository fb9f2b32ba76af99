"""Execution reports (执行情况报告): snapshots of the roll-up, their lifecycle and workbooks.

Importing the domain registers the reports' copied path with the unit tree (a school is never
moved, but the registry keeps every copy in one place).
"""

from partyplan.models import execution_reports
from partyplan.resolvers.units import repository as _units

if (execution_reports, "unit_path") not in _units.PATH_COPIES:
    _units.PATH_COPIES.append((execution_reports, "unit_path"))
