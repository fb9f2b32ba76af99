"""Who is calling: a user with role bindings, each a role at a unit reaching that unit's subtree."""

from __future__ import annotations

from dataclasses import dataclass, field

from .permissions import Permission


def is_within(path: str, ancestor: str) -> bool:
    """True when ``path`` is ``ancestor`` or lies in its subtree (ltree ``<@`` semantics)."""
    return path == ancestor or path.startswith(ancestor + ".")


@dataclass(frozen=True, slots=True)
class Binding:
    id: int
    role: str
    rank: int
    permissions: frozenset[str]
    unit_id: int
    unit_path: str
    unit_kind: str
    unit_name: str
    school_id: int | None


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: int
    username: str
    display_name: str
    home_unit_id: int
    bindings: tuple[Binding, ...] = ()
    client_id: str | None = None
    # The scope row-level security reads: every path the user holds any role at.
    scope_paths: tuple[str, ...] = field(default=())

    def bindings_with(self, permission: Permission) -> list[Binding]:
        return [b for b in self.bindings if permission in b.permissions]

    def paths_with(self, permission: Permission) -> list[str]:
        """Roots of the subtrees where ``permission`` holds (a list filter's scope)."""
        return [b.unit_path for b in self.bindings_with(permission)]

    def can(self, permission: Permission, at_path: str) -> bool:
        return any(is_within(at_path, p) for p in self.paths_with(permission))

    def reaches(self, path: str) -> bool:
        """Whether the object at ``path`` is inside the caller's scope at all (else NOT_FOUND)."""
        return any(is_within(path, p) for p in self.scope_paths)

    def reaches_along(self, path: str) -> list[str]:
        """The caller's scope roots on the line of ``path``: inside it or above it. Data held at
        a commission or a school (a period, a dispatch round) is seen down its tree, so a unit
        below reaches it; an empty list means NOT_FOUND."""
        return [p for p in self.scope_paths if is_within(path, p) or is_within(p, path)]

    def best_binding(self, permission: Permission, at_path: str) -> Binding | None:
        """The highest-ranked binding granting ``permission`` at ``at_path``."""
        candidates = [b for b in self.bindings_with(permission) if is_within(at_path, b.unit_path)]
        return max(candidates, key=lambda b: b.rank, default=None)

    @property
    def permissions_everywhere(self) -> frozenset[str]:
        return frozenset().union(*(b.permissions for b in self.bindings))
