"""The school's roster of Party members: kept by the organization department or the 12371
sync; read when a step names introducers or contact persons.

The roster's copied path is declared in :mod:`partyplan.resolvers.units.ties`, so a branch
moved within its school carries its members along (and with them their visibility).
"""
