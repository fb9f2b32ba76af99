"""Operations of the recruits domain, one module per topic: ``records`` (create a recruit),
``recording`` (record a step) and ``common`` (the checks both share; ``records`` re-exports
both), ``derived`` (what the steps imply, written), ``details`` (change what a record says
about the person beyond its identity), ``corrections``, ``transfers``, ``imports``, ``filings``
(high-level talents), ``roster`` (who may introduce), ``procedure`` and ``procedure_admin``
(the rule table and calendar in force), ``region`` (the commission's region), ``reads``. Each
checks the caller, applies the rules, writes and audits, in the request's transaction; none
commits. ``pii_rotation`` is the exception: no request's operation but the owner's batch job
re-encrypting the stored PII, a batch per transaction."""
