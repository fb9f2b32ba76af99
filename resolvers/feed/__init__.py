"""The change feed: what changed (recruits, steps, members, filings) since a cursor, read from
the outbox the database writes in each changing transaction (migration 0013)."""
