"""Operations of the warnings domain: ``manage`` (the API: list, acknowledge, the commission's
rule parameters), ``scan`` (raise, update and resolve warnings), and the detectors it runs over
the plan's figures (``plan_checks``) and over the recruits (``recruit_checks``)."""
