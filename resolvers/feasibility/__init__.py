"""Feasible admissions: how many admissions the rules still allow before a period ends, per unit
subtree (docs/feasible-admissions.md). Reads only; each recruit's half is derived when its steps
change (``recruits/rules/earliest.py``)."""
