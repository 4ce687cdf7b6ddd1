"""From cards, links, clusters and accepted proposals to initiatives with dependencies.

- A card is an initiative when it is an AI/data project (it names a technology or an AI word,
  ``defaults.json`` "scope") still running in the horizon (not 완료/보류, not ended before).
  Other cards count in the statistics only: this is the AI roadmap, not the city budget.
- Cards joined by a strong ``중복`` link become **one** initiative (the control tower merges
  them), and the merged budget counts the larger of the two, not both.
- A card others need (the prerequisite side of a ``선후`` link) is a **platform** initiative.
- Each platform cluster (linker ``Cluster``) gets **one platform initiative**: its main
  provider when it has one, else a new "공동 활용 기반" initiative built from its cards; the
  members whose links share the cluster's component depend on it.
- ``선후`` links become dependencies; an accepted proposal depends on the initiatives that
  provide the platforms its prerequisites name.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence

from control_tower.ideation.types import Proposal
from control_tower.linker.types import Cluster, Link
from control_tower.registry.types import ProjectCard
from control_tower.registry.views import location_path
from control_tower.roadmap.defaults import load_defaults
from control_tower.roadmap.groups import Groups
from control_tower.roadmap.types import Initiative, SourceLink

DUPLICATE_SCORE = 0.6  # the review's 재검토 threshold: the same project twice
DEFAULT_YEARS = 2
CLOSED = {"완료", "보류"}
PLATFORM_WORDS = {
    "통합 데이터 플랫폼": ["데이터 플랫폼", "데이터 허브", "데이터플랫폼"],
    "AI GPU 클라우드": ["GPU", "클라우드", "LLM"],
    "통합 영상 플랫폼": ["영상 플랫폼", "통합운영센터", "CCTV 통합", "영상분석 엔진", "영상 연계"],
    "IoT 센서망": ["IoT", "센서망", "게이트웨이"],
    "공용 챗봇 플랫폼": ["챗봇"],
    "디지털 트윈": ["디지털 트윈", "디지털트윈"],
}


def _id(prefix: str, members: Sequence[str]) -> str:
    return f"{prefix}-" + hashlib.sha1("|".join(sorted(members)).encode()).hexdigest()[:10]


def card_source(card: ProjectCard) -> SourceLink:
    """The card's primary citation: its name's source (its own plan), else its newest."""
    fv = card.first("name")
    src = fv.source if fv and fv.source else (card.sources() or [None])[0]
    if src is None:
        return SourceLink(card=card.id, title=card.name)
    return SourceLink(
        card=card.id,
        doc_id=src.doc_id,
        title=src.title or card.name,
        path=location_path(src),  # 부서/파일명, never the server's path
        page=src.page,
        section=src.section,
    )


def in_scope(card: ProjectCard, first: int) -> bool:
    if card.value("status") in CLOSED:
        return False
    end = card.value("end_year")
    if end is not None and int(end) < first:
        return False
    if card.value("technologies"):
        return True
    text = " ".join(str(card.value(k) or "") for k in ("name", "summary", "goal"))
    return any(w in text for w in load_defaults()["scope"]["words"])


def build_initiatives(
    cards: Sequence[ProjectCard],
    links: Sequence[Link],
    clusters: Sequence[Cluster],
    proposals: Sequence[Proposal],
    first: int,
) -> tuple[list[Initiative], dict[str, float]]:
    """The initiatives (sorted by id) and each one's total budget in 억원 (spread later)."""
    live = {c.id: c for c in cards if in_scope(c, first)}
    inside = [lk for lk in links if lk.a in live and lk.b in live]
    duplicates = [lk for lk in inside if lk.type == "중복" and lk.score >= DUPLICATE_SCORE]
    needs = [lk for lk in inside if lk.type == "선후"]
    groups = Groups(list(live))
    for lk in duplicates:
        groups.union(lk.a, lk.b)
    providers = {groups.find(lk.a) for lk in needs}
    dup_pairs = {frozenset((lk.a, lk.b)) for lk in duplicates}
    by_card: dict[str, Initiative] = {}
    totals: dict[str, float] = {}
    for root, members in groups.groups().items():
        ini, total = _initiative([live[m] for m in members], root in providers, dup_pairs)
        totals[ini.id] = total
        for m in members:
            by_card[m] = ini
    for lk in needs:
        _depend(by_card[lk.b], by_card[lk.a])
    extra = [_cluster_platform(c, live, inside, by_card, needs) for c in clusters]
    unique = list({i.id: i for i in by_card.values()}.values())
    for ini in (x for x in extra if x is not None):
        totals.setdefault(ini.id, 0.0)
        if ini.id not in {u.id for u in unique}:
            unique.append(ini)
    for p in proposals:
        ini = _from_proposal(p, unique, first)
        totals[ini.id] = round(p.cost_eok, 2)
        unique.append(ini)
    for ini in unique:
        ini.depends_on = sorted(set(ini.depends_on) - {ini.id})
    return sorted(unique, key=lambda i: i.id), totals


def _depend(dependent: Initiative, prerequisite: Initiative) -> None:
    if dependent.id != prerequisite.id and prerequisite.id not in dependent.depends_on:
        dependent.depends_on.append(prerequisite.id)


def _cluster_platform(cluster, live, links, by_card, needs) -> Initiative | None:  # noqa: ANN001
    """The cluster's one platform initiative, with the members that share its component
    depending on it; a new initiative when no member provides the platform."""
    members = [m for m in cluster.cards if m in live]
    if len(members) < 2:
        return None
    inside = set(members)
    sharing = {
        x
        for lk in links
        if lk.a in inside and lk.b in inside and cluster.component in lk.shared
        for x in (lk.a, lk.b)
    }
    provided = Counter(by_card[lk.a].id for lk in needs if lk.a in inside and lk.b in inside)
    if provided:
        main_id = max(sorted(provided), key=lambda k: provided[k])
        platform = next(i for i in (by_card[m] for m in members) if i.id == main_id)
    elif len({by_card[m].id for m in sharing}) == 1:
        return None  # the sharers are one merged initiative already: it is the platform
    else:
        platform = _new_platform(cluster, [live[m] for m in members])
    for m in sorted(sharing):
        member = by_card[m]
        if provided or not member.fixed:  # a project already under way is not made to wait
            _depend(member, platform)
    return platform


def _new_platform(cluster: Cluster, cards: Sequence[ProjectCard]) -> Initiative:
    titles = load_defaults()["platform_titles"]
    start, end, _ = _years(cards, 0)
    departments: list[str] = []
    for card in cards:
        departments += [d for d in card.departments if d not in departments]
    return Initiative(
        id=_id("platform", [cluster.id]),
        title=titles["new"].format(component=cluster.component),
        kind="platform",
        departments=departments,
        start_year=start,
        end_year=end,
        budget_basis=titles["basis_new"],
        technologies=[cluster.component],
        summary=cluster.rationale,
        cards=[c.id for c in cards],
        sources=[card_source(c) for c in cards],
    )


def _years(cards: Sequence[ProjectCard], first: int) -> tuple[int, int, bool]:
    starts = [int(c.value("start_year")) for c in cards if c.value("start_year")]
    ends = [int(c.value("end_year")) for c in cards if c.value("end_year")]
    if starts:
        start = min(starts)
        end = max(ends) if ends else start + DEFAULT_YEARS - 1
        return start, max(start, end), True
    return first, first + DEFAULT_YEARS - 1, False


def _budget(cards: Sequence[ProjectCard], dup_pairs: set[frozenset]) -> tuple[float, str]:
    """Sum of the members' budgets, a duplicate pair counted once (the larger)."""
    amounts = {c.id: float(c.value("budget_eok") or 0) for c in cards}
    counted = dict(amounts)
    for pair in dup_pairs:
        a, b = sorted(pair)
        if a in counted and b in counted:
            counted.pop(a if amounts[a] < amounts[b] else b)
    total = round(sum(counted.values()), 2)
    if len(cards) == 1:
        return total, "문서의 총사업비" if total else "사업비 미정(문서에 없음)"
    return total, "중복 사업 통합: 큰 쪽 사업비만 반영"


def _initiative(cards, provider: bool, dup_pairs) -> tuple[Initiative, float]:  # noqa: ANN001
    cards = sorted(cards, key=lambda c: (-(float(c.value("budget_eok") or 0)), c.id))
    start, end, fixed = _years(cards, 0)
    total, basis = _budget(cards, dup_pairs)
    departments: list[str] = []
    technologies: list[str] = []
    for card in cards:
        departments += [d for d in card.departments if d not in departments]
        technologies += [t for t in card.value("technologies", []) or [] if t not in technologies]
    lead = cards[0]
    ini = Initiative(
        id=_id("platform" if provider else "card", [c.id for c in cards]),
        title=lead.name + (" (중복 사업 통합)" if len(cards) > 1 else ""),
        kind="platform" if provider else "card",
        departments=departments,
        start_year=start,
        end_year=end,
        fixed=fixed,
        budget_basis=basis,
        technologies=technologies[:8],
        summary=str(lead.value("summary") or lead.value("goal") or ""),
        cards=[c.id for c in cards],
        sources=[card_source(c) for c in cards],
    )
    return ini, total


def provider_of(platform: str, initiatives: Sequence[Initiative]) -> Initiative | None:
    """The initiative that provides a catalogue platform: a platform initiative first."""
    words = PLATFORM_WORDS.get(platform, [platform])

    def names(i: Initiative) -> bool:
        return any(w in i.title or w in " ".join(i.technologies) for w in words)

    hits = [i for i in initiatives if i.kind != "proposal" and names(i)]
    hits.sort(key=lambda i: (i.kind != "platform", -len(i.cards), i.id))
    return hits[0] if hits else None


def _from_proposal(p: Proposal, existing: Sequence[Initiative], first: int) -> Initiative:
    card_inis = {
        c: i for i in existing for c in i.cards if i.kind != "platform" or len(i.cards) == 1
    }
    depends = [
        card_inis[r.id].id for r in p.related_cards if r.relation == "선후" and r.id in card_inis
    ]
    for text in p.prerequisites:
        for platform in PLATFORM_WORDS:
            if platform in text and (prov := provider_of(platform, existing)):
                depends.append(prov.id)
    cited = [
        SourceLink(
            card=c.card, doc_id=c.doc_id, title=c.title, path=c.path, page=c.page, section=c.section
        )
        for c in p.citations[:3]
    ]
    return Initiative(
        id=proposal_initiative_id(p.id),
        title=p.title,
        kind="proposal",
        departments=list(p.departments),
        start_year=first,
        end_year=first + max(1, p.duration_years) - 1,
        depends_on=depends,
        budget_basis="유사 사례 평균 사업비(활용 사례 목록 기준 추정)",
        technologies=[p.technique],
        summary=p.problem,
        sources=[SourceLink(proposal=p.id, title=p.title), *cited],
    )


def proposal_initiative_id(proposal_id: str) -> str:
    return f"proposal-{proposal_id}"[:60]
