"""Operations of the plans domain, one module per topic. Each checks the caller, applies the
rules, writes the ledger and its derived balances, and audits — in the request's transaction."""
