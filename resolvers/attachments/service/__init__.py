"""Operations on attachments, one module per topic: ``uploads`` (attach, supersede),
``reads`` (lists, a step's documents, a download checked against its SHA-256), ``quotas``
(the commission's per-school limits) and ``archive`` (a new member's archive). Each checks the
caller, applies the rules, writes and audits in the request's transaction; none commits."""
