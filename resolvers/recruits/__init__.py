"""Recruits: people moving through the 25-step procedure, the rules that govern the steps,
PII protection, and the counting of admissions against plans."""
