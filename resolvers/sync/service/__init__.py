"""Operations of the sync API: ``batch`` (a job's request: school, key, lock, modes), ``records``
(one record's upsert through the recruits domain's operations), ``prune`` (old keys). None
commits: the request's context (or the CLI's transaction) owns the transaction."""

from .batch import NO_CLIENT, sync_recruits
from .prune import MIN_RETENTION_DAYS, prune

__all__ = ["MIN_RETENTION_DAYS", "NO_CLIENT", "prune", "sync_recruits"]
