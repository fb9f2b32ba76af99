"""Plans: periods, issuance, subdivision, reserve, forecasts, adjustments, next-year linkage.

Its ties to the unit tree are declared in :mod:`partyplan.resolvers.units.ties`: the paths
copied onto its rows (a move rewrites them, closed periods included), and the quota held in a
period still open that keeps a unit from being deactivated or moved (it came down the old
branch of the tree).
"""
