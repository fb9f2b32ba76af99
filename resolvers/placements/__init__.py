"""Named targets (计划落到每个发展对象): a branch's places placed on named development targets,
and the names backing its forecast (docs/named-targets.md)."""
