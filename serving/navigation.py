"""The web UI's navigation: ONE list of pages with who may see each.

Why one list: the layout (``base.html``) renders whatever this module returns, so a later
issue adds a page by adding one ``NavItem`` here plus its route and template — no template
edits. ``roles=None`` means every signed-in user. Hiding an entry is not access control: every
page's route checks the role again.

Entries whose route is not registered in the running app are left out (the registry,
roadmap and chat pages of later issues can be listed before they exist without a link
that 404s).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pydantic import BaseModel

from control_tower.domain import Principal, Role


class NavItem(BaseModel):
    label: str  # Korean, as shown
    url: str  # a path of this app, e.g. "/search"
    roles: frozenset[Role] | None = None  # who sees it (None: every signed-in user)
    group: str = "main"  # "main" (left) or "admin" (after a separator)
    testid: str  # stable hook for browser tests: data-testid="nav-<testid>"

    def visible_to(self, principal: Principal) -> bool:
        if not principal.authenticated:
            return False
        return self.roles is None or bool(self.roles & principal.roles) or principal.is_admin


_HEADS = frozenset({Role.dept_head, Role.ai_division})
_AI = frozenset({Role.ai_division})
_ADMIN = frozenset({Role.admin})

NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(label="검색", url="/search", testid="search"),
    NavItem(label="문서", url="/documents", testid="documents"),
    NavItem(label="AI 비서", url="/chat", testid="chat"),  # every role: answers are scoped
    NavItem(label="AI 활용 현황", url="/usage", roles=_AI, testid="usage"),
    NavItem(label="사업 등록부", url="/registry", roles=_HEADS, testid="registry"),
    NavItem(label="연계 지도", url="/links", roles=_HEADS, testid="links"),
    NavItem(label="사전 검토", url="/review", testid="review"),
    NavItem(label="AI 사업 발굴", url="/ideas", roles=_HEADS, testid="ideas"),
    NavItem(label="AI 로드맵", url="/roadmap", roles=_HEADS, testid="roadmap"),
    NavItem(label="관리", url="/admin", roles=_ADMIN, group="admin", testid="admin"),
    NavItem(label="감사 로그", url="/admin/audit", roles=_ADMIN, group="admin", testid="audit"),
)


def nav_for(
    principal: Principal,
    exists: Callable[[str], bool] | None = None,
    items: Iterable[NavItem] = NAV_ITEMS,
) -> list[NavItem]:
    """The entries ``principal`` sees, in order; with ``exists`` (is there a GET page at this
    path?), only pages that exist."""
    return [
        item
        for item in items
        if item.visible_to(principal) and (exists is None or exists(item.url))
    ]


def current_url(items: Iterable[NavItem], path: str) -> str | None:
    """The entry ``path`` belongs to: the longest entry URL that is ``path`` or a parent of it
    (``/admin/audit/…`` → 감사 로그, ``/admin/users`` → 관리)."""
    best: str | None = None
    for item in items:
        base = item.url.rstrip("/")
        if (path == item.url or path.startswith(base + "/")) and len(item.url) > len(best or ""):
            best = item.url
    return best


__all__ = ["NAV_ITEMS", "NavItem", "current_url", "nav_for"]
