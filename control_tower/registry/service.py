"""What the CLI and the API do with the registry, for one caller: list, show, edit, links.

Both surfaces are thin layers over these functions, so access control lives here once:
every card, field, passage and link is filtered through ``visibility.Reader``.
"""

from __future__ import annotations

from typing import Any

from control_tower.domain import Principal, Role, name_key
from control_tower.registry.edits import (
    EditError,
    active_edits,
    apply_edits,
    coerce,
    record_edit,
    revert_edit,
)
from control_tower.registry.repo import RegistryRepo
from control_tower.registry.types import CARD_FIELDS, ProjectCard
from control_tower.registry.visibility import Reader, card_view, visible_cards

NOT_FOUND = "사업 카드를 찾을 수 없거나 볼 권한이 없습니다."
NO_EDIT = "이 사업 카드를 고칠 권한이 없습니다 (AI 전담부서, 관리자, 주관 부서장만 가능)."


class RegistryError(Exception):
    def __init__(self, status: int, code: str, message_ko: str) -> None:
        super().__init__(message_ko)
        self.status, self.code, self.message_ko = status, code, message_ko


def list_cards(store, principal: Principal, *, department: str | None = None) -> list[ProjectCard]:  # noqa: ANN001
    cards = visible_cards(RegistryRepo(store).cards(), Reader(store, principal))
    if department:
        want = name_key(department)
        cards = [c for c in cards if want in (name_key(d) for d in c.departments)]
    return sorted(cards, key=lambda c: (c.lead_department or "", c.name))


def get_card(store, principal: Principal, card_id: str) -> ProjectCard:  # noqa: ANN001
    card = RegistryRepo(store).card(card_id)
    view = card_view(card, Reader(store, principal)) if card else None
    if view is None:
        raise RegistryError(404, "card_not_found", NOT_FOUND)
    return view


def may_edit(principal: Principal, card: ProjectCard) -> bool:
    if principal.is_admin or Role.ai_division in principal.roles:
        return True
    return (
        Role.dept_head in principal.roles
        and principal.department is not None
        and card.lead_department is not None
        and name_key(principal.department) == name_key(card.lead_department)
    )


def edit_card(
    store,  # noqa: ANN001
    principal: Principal,
    card_id: str,
    *,
    set_values: dict[str, Any] | None = None,
    revert: list[str] | None = None,
) -> ProjectCard:
    """Apply edits and reverts (validated first: nothing is written if one value is bad)."""
    card = get_card(store, principal, card_id)
    if not principal.authenticated or not may_edit(principal, card):
        raise RegistryError(403, "forbidden", NO_EDIT)
    set_values = set_values or {}
    try:
        for field, value in set_values.items():
            coerce(field, value)
        for field in revert or []:
            if field not in CARD_FIELDS:
                raise EditError("unknown_field", f"알 수 없는 항목입니다: {field}")
    except EditError as exc:
        raise RegistryError(422, exc.code, exc.message_ko) from None
    for field, value in set_values.items():
        record_edit(store, card_id, field, value, principal.username)
    for field in revert or []:
        revert_edit(store, card_id, field, principal.username)
    repo = RegistryRepo(store)
    stored = repo.card(card_id)
    if stored is not None:
        updated = apply_edits(stored, active_edits(store).get(card_id, {}))
        repo.save_cards([updated])
    return get_card(store, principal, card_id)
