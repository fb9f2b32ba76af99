"""The sync API for jobs (the 12371 exchange): idempotent batches of recruit records upserted
into a school, by 12371 identifier or by the ID number's keyed hash, through the recruits
domain's own operations. ``service/batch.py`` says how a request is ordered and why.
"""
