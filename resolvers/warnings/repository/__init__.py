"""All SQL of the warnings domain, split by topic: ``stored`` (the warnings and the rules'
settings), ``figures`` (the plan's figures the plan rules judge), ``records`` (the recruits'
records the recruit rules judge)."""
