"""All SQL of the warnings domain, split by topic: ``stored`` (the warnings, the rules' settings
and the open counts read from the tallies), ``tallies`` (checking and rebuilding those tallies),
``figures`` (the plan's figures the plan rules judge), ``records`` (the recruits' records the
recruit rules judge)."""
