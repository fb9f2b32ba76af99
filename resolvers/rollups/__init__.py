"""Roll-ups: a unit's execution figures for a period (quota, admissions and their structure,
the pipeline, findings), by month and year over year, read from tallies the database keeps.

The tallies' copied path is declared in :mod:`partyplan.resolvers.units.ties`, so a unit moved
within its school carries its rows along.
"""
