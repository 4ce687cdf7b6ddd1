"""Who may read what. The single place the access rules live.

Retrievers turn ``ReadScope`` into backend filters (so forbidden chunks are never even
scored), and everything that leaves the server is re-checked with ``can_read``.
"""

from __future__ import annotations

from pydantic import BaseModel

from control_tower.domain import AccessLevel, DocumentMeta, Principal


class ReadScope(BaseModel):
    """What a principal may read, in a form every index backend can translate into a filter.

    A chunk is readable when ANY of these holds:
    - ``everything`` (admins);
    - its access level is in ``levels``;
    - its level is ``department`` and its department is ``department``;
    - its level is ``restricted`` and ``username`` is in its allowed users, or ``department``
      is in its allowed departments.
    """

    everything: bool = False
    levels: list[AccessLevel]
    username: str | None = None
    department: str | None = None


def read_scope(principal: Principal) -> ReadScope:
    if principal.is_admin:
        return ReadScope(everything=True, levels=list(AccessLevel))
    if not principal.authenticated:
        return ReadScope(levels=[AccessLevel.public])
    return ReadScope(
        levels=[AccessLevel.public, AccessLevel.internal],
        username=principal.username,
        department=principal.department,
    )


def can_read(principal: Principal, meta: DocumentMeta) -> bool:
    return scope_allows(read_scope(principal), meta)


def scope_allows(scope: ReadScope, meta: DocumentMeta) -> bool:
    if scope.everything or meta.access_level in scope.levels:
        return True
    if meta.access_level is AccessLevel.department:
        return scope.department is not None and meta.department == scope.department
    if meta.access_level is AccessLevel.restricted:
        if scope.username is not None and scope.username in meta.allowed_users:
            return True
        return scope.department is not None and scope.department in meta.allowed_departments
    return False


def can_write_department(principal: Principal, department: str) -> bool:
    """Who may add documents owned by ``department``: admins anywhere, the AI division
    (which runs city-wide ingestion) anywhere, every other signed-in user only their own."""
    from control_tower.domain import Role

    if not principal.authenticated:
        return False
    if principal.is_admin or Role.ai_division in principal.roles:
        return True
    return principal.department is not None and principal.department == department
