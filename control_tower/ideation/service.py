"""What the CLI and the API do with proposals, for one caller: compute, decide, hand over.

Access lives here once. Who may ask for a department's proposals: the AI division and admins
for any department; department heads and staff for their own department only. (The anonymous
CLI caller reads public documents only, so its proposals rest on public documents alone.)
Who may accept or reject: the AI division, admins, and the department's own head. A stored
proposal is handed to a later reader (the roadmap) only when that reader may read every
document it was computed from.
"""

from __future__ import annotations

from control_tower.domain import Principal, Role, name_key
from control_tower.ideation.repo import IdeaRepo
from control_tower.ideation.types import DepartmentProfile, Proposal
from control_tower.registry.visibility import Reader
from control_tower.settings import Settings

STATUSES = ("제안", "채택", "보류")
NO_DEPARTMENT = "부서를 지정하세요 (--department 부서명)."
UNKNOWN_DEPARTMENT = (
    "알 수 없는 부서입니다: '{name}'. 등록된 부서 이름을 확인하세요 (`ct departments list`)."
)
OTHER_DEPARTMENT = (
    "다른 부서의 신규 사업 제안은 볼 수 없습니다. 소속 부서({own})의 제안만 볼 수 있으며, "
    "모든 부서의 제안은 AI 전담부서와 관리자만 볼 수 있습니다."
)
NOT_FOUND = "신규 사업 제안을 찾을 수 없거나 볼 권한이 없습니다."
NO_DECIDE = "제안을 채택·보류할 권한이 없습니다 (AI 전담부서, 관리자, 해당 부서장만 가능)."
BAD_STATUS = "상태는 제안, 채택, 보류 중 하나여야 합니다: '{status}'"


class IdeaError(Exception):
    def __init__(self, status: int, code: str, message_ko: str) -> None:
        super().__init__(message_ko)
        self.status, self.code, self.message_ko = status, code, message_ko


def _division(principal: Principal) -> bool:
    return principal.is_admin or Role.ai_division in principal.roles


def _own(principal: Principal, department: str) -> bool:
    return principal.department is not None and name_key(principal.department) == name_key(
        department
    )


def check_view(store, principal: Principal, department: str) -> str:  # noqa: ANN001
    """The department's stored name, or IdeaError (400 / 404 / 403)."""
    from control_tower.registry.build import managed_departments

    if not (department or "").strip():
        raise IdeaError(400, "no_department", NO_DEPARTMENT)
    known = {name_key(d): d for d in managed_departments(store)}
    known.update({name_key(r.department): r.department for r in store.list_documents()})
    name = known.get(name_key(department))
    if name is None:
        raise IdeaError(404, "unknown_department", UNKNOWN_DEPARTMENT.format(name=department))
    if principal.authenticated and not _division(principal) and not _own(principal, name):
        own = principal.department or "없음"
        raise IdeaError(403, "forbidden", OTHER_DEPARTMENT.format(own=own))
    return name


def ideas_for(
    settings: Settings, store, principal: Principal, department: str, top: int = 5, *,  # noqa: ANN001
    embedder=None,  # noqa: ANN001
) -> list[Proposal]:  # fmt: skip
    """The department's proposals (computed now, stored with their decisions kept)."""
    from control_tower.ideation.proposals import propose_with_docs

    name = check_view(store, principal, department)
    if not 1 <= top <= 20:
        raise IdeaError(422, "bad_top", "제안 수(top)는 1~20 사이여야 합니다.")
    items = propose_with_docs(settings, store, principal, name, top=top, embedder=embedder)
    return IdeaRepo(store).upsert((p, sorted(docs)) for p, docs in items)


def profile_for(
    settings: Settings,
    store,
    principal: Principal,
    department: str,  # noqa: ANN001
) -> DepartmentProfile:
    from control_tower.ideation.catalogue import load_catalogue
    from control_tower.ideation.corpus import build_corpus
    from control_tower.ideation.profiles import build_profile

    name = check_view(store, principal, department)
    return build_profile(build_corpus(settings, store, principal), name, load_catalogue().entries)


def _readable(store, principal: Principal, proposal_id: str) -> tuple[Proposal, list[str]]:  # noqa: ANN001
    found = IdeaRepo(store).get(proposal_id)
    reader = Reader(store, principal)
    if found is None or not all(reader.can(d) for d in found[1]):
        raise IdeaError(404, "proposal_not_found", NOT_FOUND)
    return found


def decide(store, principal: Principal, proposal_id: str, status: str) -> Proposal:  # noqa: ANN001
    """Accept (채택) or reject (보류) a proposal into the roadmap's input; 제안 resets it."""
    if status not in STATUSES:
        raise IdeaError(422, "bad_status", BAD_STATUS.format(status=status))
    if not principal.authenticated:
        raise IdeaError(403, "forbidden", NO_DECIDE)
    proposal, _ = _readable(store, principal, proposal_id)
    department = proposal.departments[0] if proposal.departments else ""
    head = Role.dept_head in principal.roles and _own(principal, department)
    if not (_division(principal) or head):
        raise IdeaError(403, "forbidden", NO_DECIDE)
    IdeaRepo(store).decide(proposal_id, status, principal.username)
    return _readable(store, principal, proposal_id)[0]


def accepted_proposals(store, principal: Principal) -> list[Proposal]:  # noqa: ANN001
    """Accepted proposals the caller may read in full: the roadmap's input."""
    reader = Reader(store, principal)
    return [
        p for p, docs in IdeaRepo(store).find(status="채택") if all(reader.can(d) for d in docs)
    ]
