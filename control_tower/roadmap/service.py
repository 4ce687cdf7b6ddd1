"""What the CLI, the API, the job and the pages do with roadmaps, for one caller.

Access, once for every surface:
- drafting, editing, regenerating and restoring need the AI division or an admin (the local
  CLI without ``--user`` drafts as the anonymous reader: public documents only);
- a draft is seen only by a caller who may read **every** document any of its versions
  cites — the prose is written from those documents, so a partial view could still leak
  them; another caller gets 404, as for a draft that does not exist;
- an export re-checks access on the assembled document at the time of export.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from control_tower.domain import Principal, Role, now
from control_tower.roadmap.checks import run_checks
from control_tower.roadmap.ordering import RoadmapError
from control_tower.roadmap.repo import RoadmapRepo
from control_tower.roadmap.types import Guidance, RoadmapStructure, RoadmapVersion, Section

NOT_FOUND = "로드맵 초안을 찾을 수 없거나 볼 권한이 없습니다."
NO_DRAFT = "로드맵 초안은 AI 전담부서와 관리자만 만들거나 고칠 수 있습니다."
Progress = Callable[[int, int, str], None]


def _reader(store, principal: Principal):  # noqa: ANN001, ANN202
    from control_tower.registry.visibility import Reader

    return Reader(store, principal)


def may_draft(principal: Principal, *, local: bool = False) -> bool:
    if local and not principal.authenticated:
        return True
    return principal.is_admin or Role.ai_division in principal.roles


def may_view(principal: Principal, *, local: bool = False) -> bool:
    if local and not principal.authenticated:
        return True
    return may_draft(principal) or Role.dept_head in principal.roles


def _require_draft(principal: Principal, local: bool) -> None:
    if not may_draft(principal, local=local):
        raise RoadmapError("forbidden", NO_DRAFT, status=403)


def inputs(store, principal: Principal):  # noqa: ANN001, ANN201
    """Cards, links and clusters the caller may see, the accepted proposals they may read in
    full, and every document id all of that was computed from."""
    from control_tower.ideation.repo import IdeaRepo
    from control_tower.registry.link_views import link_map

    lm = link_map(store, principal)
    reader = _reader(store, principal)
    proposals, docs = [], set()
    for proposal, used in IdeaRepo(store).find(status="채택"):
        if all(reader.can(d) for d in used):
            proposals.append(proposal)
            docs |= set(used)
    for card in lm.cards.values():
        docs |= {s.doc_id for s in card.sources()}
    for link in lm.links:
        docs |= set(link.docs) | {e.doc_id for e in link.evidence}
    return list(lm.cards.values()), lm.links, lm.clusters, proposals, docs


def compute_structure(store, principal: Principal, guidance: Guidance) -> RoadmapStructure:  # noqa: ANN001
    from control_tower.roadmap.structure import build_structure

    cards, links, clusters, proposals, docs = inputs(store, principal)
    structure = build_structure(
        guidance, cards, links, clusters, proposals, lead_unit=principal.department
    )
    structure.input_docs = sorted(docs)
    return structure


def draft_roadmap(
    settings: Any,
    store,  # noqa: ANN001
    principal: Principal,
    guidance: Guidance,
    *,
    use_llm: bool = True,
    writer=None,  # noqa: ANN001 - a SectionWriter (tests); default: the configured LLM
    progress: Progress | None = None,
    local: bool = False,
) -> RoadmapVersion:
    """Compute the structure, draft every section, check, and store version 1."""
    _require_draft(principal, local)
    step = _stepper(progress, 3 + 8)
    step("구조 계산: 사업 카드·연계·제안 읽는 중")
    structure = compute_structure(store, principal, guidance)
    step(f"구조 완료: 추진과제 {len(structure.initiatives)}개")
    sections = _sections(settings, structure, None, use_llm, writer, step)
    version = _new_version(store, principal, structure, sections, note="생성")
    version = RoadmapRepo(store).create(version, principal.department)
    step(f"저장 완료: 초안 {version.draft_id}")
    return version


def _stepper(progress: Progress | None, total: int) -> Callable[[str], None]:
    done = [0]

    def step(message: str) -> None:
        done[0] += 1
        if progress is not None:
            progress(min(done[0], total), total, message)

    return step


def _sections(settings, structure, keys, use_llm, writer, step) -> dict[str, Section]:  # noqa: ANN001
    from control_tower.roadmap.drafting import draft_sections, template_section
    from control_tower.roadmap.types import SECTION_KEYS

    wanted = list(keys or SECTION_KEYS)
    if not use_llm:
        note = "LLM 없이 만들기를 선택해 기본 문안을 사용했습니다."
        out = {k: template_section(structure, k, note) for k in wanted}
        for k in wanted:
            step(f"{out[k].title}: 기본 문안")
        return out

    def progress(done: int, total: int, section: Section) -> None:
        how = "LLM 문안" if section.method == "llm" else "기본 문안"
        step(f"{section.title}: {how} ({done}/{total})")

    return draft_sections(settings, structure, wanted, writer=writer, progress=progress)


def _new_version(store, principal, structure, sections, *, note, draft_id="") -> RoadmapVersion:  # noqa: ANN001
    checks = run_checks(structure, _reader(store, principal).can)
    return RoadmapVersion(
        draft_id=draft_id,
        version=0,
        created_at=now(),
        created_by=principal.username,
        note=note,
        structure=structure,
        sections=sections,
        checks=checks,
    )


def get_version(
    store,
    principal: Principal,
    draft_id: str,
    version: int | None = None,
    *,
    local: bool = False,  # noqa: ANN001
) -> RoadmapVersion:
    repo = RoadmapRepo(store)
    if not may_view(principal, local=local) or repo.draft(draft_id) is None:
        raise RoadmapError("draft_not_found", NOT_FOUND, status=404)
    reader = _reader(store, principal)
    if not all(reader.can(d) for d in repo.docs_of(draft_id)):
        raise RoadmapError("draft_not_found", NOT_FOUND, status=404)
    found = repo.version(draft_id, version)
    if found is None:
        raise RoadmapError("version_not_found", f"{version}판을 찾을 수 없습니다.", status=404)
    return found


def list_drafts(store, principal: Principal, *, local: bool = False) -> list[dict]:  # noqa: ANN001
    if not may_view(principal, local=local):
        return []
    repo, reader = RoadmapRepo(store), _reader(store, principal)
    return [
        {"draft_id": d.id, "title": d.title, "version": d.current_version,
         "created_by": d.created_by, "updated_at": d.updated_at.isoformat()}
        for d in repo.drafts()
        if all(reader.can(x) for x in repo.docs_of(d.id))
    ]  # fmt: skip


def versions(store, principal: Principal, draft_id: str, *, local: bool = False) -> list[dict]:  # noqa: ANN001
    get_version(store, principal, draft_id, local=local)
    return [
        {"version": v, "created_at": at.isoformat(), "created_by": by, "note": note}
        for v, at, by, note, _ in RoadmapRepo(store).versions(draft_id)
    ]


def _append(store, principal, base: RoadmapVersion, structure, sections, note) -> RoadmapVersion:  # noqa: ANN001
    version = _new_version(store, principal, structure, sections, note=note, draft_id=base.draft_id)
    return RoadmapRepo(store).append(version)


def regenerate_section(
    settings: Any,
    store,
    principal: Principal,
    draft_id: str,
    key: str,  # noqa: ANN001
    *,
    writer=None,
    use_llm: bool = True,
    local: bool = False,  # noqa: ANN001
) -> RoadmapVersion:
    _require_draft(principal, local)
    base = get_version(store, principal, draft_id, local=local)
    _known_section(key)
    fresh = _sections(settings, base.structure, [key], use_llm, writer, lambda _m: None)
    sections = {**base.sections, **fresh}
    return _append(
        store, principal, base, base.structure, sections, f"절 재생성: {fresh[key].title}"
    )


def edit_section(
    store,
    principal: Principal,
    draft_id: str,
    key: str,
    text: str,
    *,
    local: bool = False,  # noqa: ANN001
) -> RoadmapVersion:
    _require_draft(principal, local)
    base = get_version(store, principal, draft_id, local=local)
    _known_section(key)
    text = text.strip()
    if not text or len(text) > 20_000:
        raise RoadmapError("bad_text", "절 내용은 비어 있을 수 없고 20,000자 이하여야 합니다.")
    from control_tower.roadmap.types import SECTION_TITLES

    section = Section(key=key, title=SECTION_TITLES[key], text=text, method="edit",
                      by=principal.username, at=now())  # fmt: skip
    sections = {**base.sections, key: section}
    return _append(store, principal, base, base.structure, sections, f"절 수정: {section.title}")


def _known_section(key: str) -> None:
    from control_tower.roadmap.types import SECTION_KEYS

    if key not in SECTION_KEYS:
        raise RoadmapError(
            "unknown_section", f"알 수 없는 절입니다: {key} (가능: {', '.join(SECTION_KEYS)})"
        )


def edit_structure(
    store,
    principal: Principal,
    draft_id: str,
    changes: dict,
    *,
    local: bool = False,  # noqa: ANN001
) -> RoadmapVersion:
    """Apply ``changes`` (``structure_edits.apply``), re-derive totals, re-run the checks."""
    from control_tower.roadmap.structure_edits import apply_changes

    _require_draft(principal, local)
    base = get_version(store, principal, draft_id, local=local)
    structure, note = apply_changes(base.structure, changes)
    return _append(store, principal, base, structure, base.sections, note)


def restore(
    store, principal: Principal, draft_id: str, version: int, *, local: bool = False
) -> RoadmapVersion:  # noqa: ANN001
    _require_draft(principal, local)
    old = get_version(store, principal, draft_id, version, local=local)
    return _append(store, principal, old, old.structure, old.sections, f"{version}판 복원")


def export_draft(
    store,
    principal: Principal,
    draft_id: str,
    out: Path,
    *,
    version: int | None = None,  # noqa: ANN001
    local: bool = False,
) -> Path:
    """Write the draft (current or given version) to ``out`` in the format its suffix names,
    after re-checking that the caller may read every document the export cites."""
    from control_tower.roadmap.assemble import assemble
    from control_tower.roadmap.checks import check_access
    from control_tower.roadmap.export import exporter_for

    v = get_version(store, principal, draft_id, version, local=local)
    exporter = exporter_for(out)
    if not check_access(v.structure, _reader(store, principal).can).ok:
        raise RoadmapError("forbidden", NOT_FOUND, status=404)
    return exporter.write(assemble(v.structure, v.sections), Path(out))


def compare_versions(
    store,
    principal: Principal,
    draft_id: str,
    a: int,
    b: int,
    *,
    local: bool = False,  # noqa: ANN001
) -> dict:
    from control_tower.roadmap.diff import compare

    return compare(
        get_version(store, principal, draft_id, a, local=local),
        get_version(store, principal, draft_id, b, local=local),
    )
