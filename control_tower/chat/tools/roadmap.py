"""roadmap_section: explain or quote the roadmap — a department's or a phase's initiatives as
computed facts, and the best-matching section quoted — as the caller may see it.

Access, as everywhere: ``roadmap.service`` decides whether the caller may view a draft at all
(부서장·AI 전담부서·관리자, and only a draft whose every cited document they may read); on top
of that every initiative is re-checked source by source with the registry's ``Reader`` — one
whose documents the caller may read none of is left out entirely (title, budget and all), and
only readable sources become evidence. The section itself is cited as ``roadmap:{draft_id}``.
"""

from __future__ import annotations

import re
import unicodedata

from pydantic import BaseModel, Field

from control_tower.chat.graph.evidence import ROADMAP_PREFIX
from control_tower.chat.tools.base import Tool, ToolContext, ToolError
from control_tower.chat.tools.cards import (
    EvidenceList,
    doc_departments,
    evidence_of,
    norm,
    visible,
)
from control_tower.chat.types import Evidence, Fact, ToolResult
from control_tower.domain import name_key
from control_tower.names import display_location
from control_tower.roadmap.textfmt import fmt_eok, span
from control_tower.roadmap.types import (
    SECTION_KEYS,
    SECTION_TITLES,
    Initiative,
    RoadmapVersion,
    SourceLink,
)

FORBIDDEN = "로드맵은 부서장·AI 전담부서·관리자만 볼 수 있습니다."
NO_ROADMAP = (
    "아직 작성된 로드맵이 없습니다(또는 볼 수 있는 로드맵 초안이 없습니다). "
    "AI 전담부서가 로드맵 초안을 만든 뒤 다시 물어봐 주세요."
)
PHASES = ("단기", "중기", "장기")
_ORDINAL = {"1": 0, "2": 1, "3": 2, "一": 0, "二": 1, "三": 2, "첫": 0, "두": 1, "세": 2}
_PHASE_RE = re.compile(r"([1-3一二三])\s*단계|(첫|두|세)\s*번째\s*단계|(단기|중기|장기)")
# words that name a section (matched space-insensitively); the longest match decides
SECTION_WORDS: dict[str, tuple[str, ...]] = {
    "background": ("추진배경", "배경", "필요성"),
    "status": ("현황", "여건"),
    "vision": ("비전", "목표", "추진전략", "전략"),
    "initiatives": ("추진과제", "과제"),
    "phases": ("단계별", "단계", "일정"),
    "budget": ("소요예산", "예산", "사업비", "재원"),
    "governance": ("추진체계", "성과관리", "거버넌스", "위원회", "교육", "역량강화"),
    "appendix": ("출처문서", "출처", "붙임"),
}
_MARKERS = re.compile(r"\s*\[\d{1,3}\]")  # the roadmap's own [n] (its appendix), not the chat's


def phase_of(text: str) -> str | None:
    """ "2단계" / "두 번째 단계" / "중기" in ``text`` → the phase as written there: "2단계" or a
    phase name (resolved against the draft's phases by ``resolve_phase``)."""
    m = _PHASE_RE.search(unicodedata.normalize("NFC", text or ""))
    if not m:
        return None
    if m.group(3):
        return m.group(3)
    return f"{_ORDINAL[m.group(1) or m.group(2)] + 1}단계"


def resolve_phase(v: RoadmapVersion, phase: str) -> str:
    """A phase name of this draft for "단기"/"2단계"/"2"; ToolError when it has none such."""
    wanted = phase.strip()
    if wanted in PHASES:
        return wanted
    parsed = phase_of(wanted) or (f"{wanted}단계" if wanted in ("1", "2", "3") else None)
    if parsed in PHASES:
        return parsed
    if parsed:
        n = int(parsed[0]) - 1
        ordered = sorted(v.structure.phases, key=lambda p: (p.start_year, PHASES.index(p.name)))
        if n < len(ordered):
            return ordered[n].name
    raise ToolError("unknown_phase", f"이 로드맵에는 '{phase}' 단계가 없습니다(단기·중기·장기).")


def pick_section(query: str, *, phase: bool, department: bool) -> str:
    """The section key the query names (the longest naming word wins); a phase question
    without one → 단계별 추진 로드맵, a department's → 추진과제, else 비전·목표."""
    q = norm(query)
    best, length = "", 0
    for key in SECTION_KEYS:
        words = (*SECTION_WORDS.get(key, ()), norm(SECTION_TITLES[key].split(". ", 1)[-1]))
        for w in words:
            if w and w in q and len(w) > length:
                best, length = key, len(w)
    if phase and best in ("", "initiatives", "phases"):
        return "phases"
    if best:
        return best
    return "initiatives" if department else "vision"


class RoadmapInput(BaseModel):
    query: str = Field(default="", max_length=200)
    department: str | None = Field(default=None, max_length=100)
    phase: str | None = Field(default=None, max_length=20)  # 단기/중기/장기, "2단계", "2"
    draft_id: str | None = Field(default=None, max_length=40)
    top: int = Field(default=12, ge=1, le=50)  # initiatives stated as facts (all are counted)


class InitiativeOut(BaseModel):
    id: str
    title: str
    kind: str
    departments: list[str]
    phase: str
    start_year: int
    end_year: int
    budget_total_eok: float | None  # None when a source of it is not readable by the caller
    budget_ko: str | None


class RoadmapOutput(BaseModel):
    draft_id: str
    version: int
    title: str
    section_key: str
    section_title: str
    department: str | None = None
    phase: str | None = None
    initiatives: list[InitiativeOut] = Field(default_factory=list)


def latest_draft(ctx: ToolContext) -> str:
    from control_tower.roadmap.service import list_drafts

    drafts = list_drafts(ctx.store, ctx.principal)  # newest first, only those viewable
    if not drafts:
        raise ToolError("no_roadmap", NO_ROADMAP)
    return drafts[0]["draft_id"]


def _source_evidence(ctx: ToolContext, src: SourceLink, cards: dict) -> Evidence:
    """A readable source as a citable passage: the card's kept passage of that document when
    there is one (its span lets the chat link the chunk), else the source's place itself."""
    card = cards.get(src.card) if src.card else None
    if card is not None:
        ref = next((s for s in card.sources() if s.doc_id == src.doc_id), None)
        ev = evidence_of(card, ref, card.name)
        if ev is not None:
            return ev
    dept = doc_departments(ctx).get(src.doc_id or "", "")
    where = " · ".join(x for x in (src.page and f"{src.page}쪽", src.section) if x)
    title = src.title or src.path
    return Evidence(
        doc_id=src.doc_id or "",
        title=title,
        department=dept,
        path=display_location(dept, src.path or title, title),
        page=src.page,
        section=src.section,
        text=(f"「{title}」" + (f" {where}" if where else ""))[:4000],
    )


def section_evidence(v: RoadmapVersion, key: str, owner: str | None) -> Evidence | None:
    """The section as a passage (``owner``: the department that drafted the roadmap)."""
    section = v.sections.get(key)
    if section is None or not section.text.strip():
        return None
    text = _MARKERS.sub("", section.text).strip()
    return Evidence(
        doc_id=f"{ROADMAP_PREFIX}{v.draft_id}",
        version=v.version,
        title=v.structure.title,
        department=owner or "",
        path=f"로드맵/{v.structure.title}",
        doc_type="roadmap",
        section=section.title,
        text=text[:4000],
    )


def _sentence(ini: Initiative, budget: str | None) -> str:
    who = ", ".join(ini.departments[:3])
    money = f"이며 예산은 총 {budget}입니다" if budget else "입니다"
    return (
        f"로드맵 추진과제 '{ini.title}'({who})은(는) {ini.phase} 단계"
        f"({span(ini.start_year, ini.end_year)}) 과제{money}."
    )


class RoadmapSection(Tool):
    name = "roadmap_section"
    description = (
        "중장기 AI 로드맵의 절(비전·추진과제·단계별 로드맵·예산·추진체계 등)을 인용해 설명하고, "
        "부서나 단계(단기·중기·장기, 1~3단계)의 추진과제를 기간·예산과 함께 알려 줍니다."
    )
    Input = RoadmapInput
    Output = RoadmapOutput

    def run(self, ctx: ToolContext, args: RoadmapInput) -> ToolResult:
        from control_tower.registry.visibility import Reader
        from control_tower.roadmap.ordering import RoadmapError
        from control_tower.roadmap.service import get_version, may_view

        if not may_view(ctx.principal):
            raise ToolError("forbidden", FORBIDDEN)
        draft_id = args.draft_id or latest_draft(ctx)
        try:
            v = get_version(ctx.store, ctx.principal, draft_id)
        except RoadmapError as exc:
            raise ToolError(exc.code, exc.message_ko) from exc
        phase_text = args.phase or phase_of(args.query)
        phase = resolve_phase(v, phase_text) if phase_text else None
        dept = args.department
        key = pick_section(args.query, phase=phase is not None, department=dept is not None)
        # a question about the vision or the governance is not a list of every initiative
        listed = phase is not None or dept is not None or key in ("initiatives", "phases", "budget")

        reader = Reader(ctx.store, ctx.principal)
        cards = {c.id: c for c in visible(ctx)}
        ev = EvidenceList()
        from control_tower.roadmap.repo import RoadmapRepo

        owner = getattr(RoadmapRepo(ctx.store).draft(v.draft_id), "department", None)
        sec = section_evidence(v, key, owner)
        sec_idx = ev.add(sec)
        facts: list[Fact] = []
        out: list[InitiativeOut] = []
        rank = {iid: n for n, iid in enumerate(v.structure.order)}
        chosen = (
            sorted(
                (
                    i
                    for i in v.structure.initiatives
                    if (phase is None or i.phase == phase)
                    and (dept is None or name_key(dept) in map(name_key, i.departments))
                ),
                key=lambda i: (PHASES.index(i.phase), rank.get(i.id, len(rank)), i.title),
            )
            if listed
            else []
        )
        for ini in chosen:
            docs = [s for s in ini.sources if s.doc_id]
            readable = [s for s in docs if reader.can(s.doc_id)]
            if not readable:
                continue  # nothing of it may be read: it does not exist for this caller
            # the budget is stated only when every document the initiative rests on is readable
            total = ini.budget_total if len(readable) == len(docs) and ini.budget_by_year else None
            budget = fmt_eok(total) if total is not None else None
            out.append(
                InitiativeOut(
                    id=ini.id,
                    title=ini.title,
                    kind=ini.kind,
                    departments=ini.departments,
                    phase=ini.phase,
                    start_year=ini.start_year,
                    end_year=ini.end_year,
                    budget_total_eok=total,
                    budget_ko=budget,
                )
            )
            value = f"{ini.phase} {span(ini.start_year, ini.end_year)}" + (
                f", {budget}" if budget else ""
            )
            if len(out) > args.top:
                continue  # counted, not stated (nor cited)
            idx: list[int] = []
            for src in readable:
                idx += ev.add(_source_evidence(ctx, src, cards))
            facts.append(
                Fact(
                    label=f"로드맵 추진과제: {ini.title}",
                    value=value,
                    evidence=sorted(set(idx)) + [i for i in sec_idx if i not in idx],
                    sentence=_sentence(ini, budget),
                )
            )
        if key == "vision" and v.structure.vision and sec_idx:
            facts.append(
                Fact(
                    label="로드맵 비전",
                    value=v.structure.vision,
                    evidence=sec_idx,
                    sentence=f"로드맵 '{v.structure.title}'의 비전은 "
                    f"「{v.structure.vision}」입니다.",
                )
            )
        scope = " ".join(x for x in (phase and f"{phase} 단계", dept) if x)
        if scope and sec_idx:
            count = (
                f"로드맵 '{v.structure.title}'의 {scope} 추진과제는 {len(out)}개입니다."
                if out
                else f"로드맵 '{v.structure.title}'에는 {scope} 추진과제가 없습니다."
            )
            facts.insert(
                0,
                Fact(
                    label=f"{scope} 추진과제 수",
                    value=f"{len(out)}개",
                    evidence=sec_idx
                    + sorted({i for f in facts for i in f.evidence} - set(sec_idx)),
                    sentence=count,
                ),
            )
        section = v.sections.get(key)
        data = RoadmapOutput(
            draft_id=v.draft_id,
            version=v.version,
            title=v.structure.title,
            section_key=key,
            section_title=section.title if section else SECTION_TITLES.get(key, key),
            department=dept,
            phase=phase,
            initiatives=out,
        )
        summary = f"로드맵 {data.section_title}" + (
            f", {scope + ' ' if scope else ''}추진과제 {len(out)}개" if listed else ""
        )
        return ToolResult(
            tool=self.name,
            summary=summary,
            evidence=ev.items,
            facts=facts,
            data=data.model_dump(),
        )
