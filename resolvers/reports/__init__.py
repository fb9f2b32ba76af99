"""Execution reports (执行情况报告): snapshots of the roll-up, their lifecycle and workbooks.

The reports' copied path is declared in :mod:`partyplan.resolvers.units.ties`: a unit moved
within its school carries its reports along, frozen ones included (the path says where a
report is seen, not what it reports).
"""
