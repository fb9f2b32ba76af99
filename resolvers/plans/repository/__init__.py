"""All SQL of the plans domain, split by topic."""
