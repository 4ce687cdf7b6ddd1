"""A department's profile: what it does, its data, technologies, projects, domain affinity and
distinctive words — read from the cards and documents the caller may see, each item cited.

Computed, not generated: duties are the lines of its documents under 추진배경/현황/추진방향/
주요 추진과제 headings; data and technologies are the cards' ``data``/``technologies`` values
(cited at their field sources) plus the lexicon's data and technology words found in its
documents; domain affinity is how many of a domain's catalogue keywords its documents and
cards use (Kiwi nouns), relative to its best domain.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from control_tower.ideation.corpus import Corpus, DocLine
from control_tower.ideation.terms import matches_keyword
from control_tower.ideation.types import CardSummary, Citation, DepartmentProfile, UseCase
from control_tower.registry.lexicon import find_terms
from control_tower.registry.types import ProjectCard

DUTY_HEADING = re.compile(r"배경|현황|필요성|추진방향|주요\s*업무|추진\s*과제|주요\s*사업|목적")
MAX_DUTIES, MAX_TERMS, MAX_CITES = 8, 15, 3
_GENERIC = frozenset(
    "사업 추진 구축 운영 계획 관리 지원 시스템 서비스 데이터 분석 활용 기반 도입 개선 확대 "
    "예산 백만원 억원 억 원 개소 총 국비 도비 시비 검토 협의 필요 연도 추진계획 담당 팀장 "
    "주무관 부서 과 시 포항 포항시 내용 대상 기간 사업비 현황 일정 결과 효과 목표".split()
)


def summarize(card: ProjectCard) -> CardSummary:
    return CardSummary(
        id=card.id,
        name=card.name,
        departments=card.departments,
        status=card.value("status"),
        technologies=list(card.value("technologies", []) or []),
        data=list(card.value("data", []) or []),
        budget_eok=card.value("budget_eok"),
        start_year=card.value("start_year"),
        end_year=card.value("end_year"),
    )


def _add(cites: dict[str, list[Citation]], key: str, cit: Citation | None) -> None:
    if cit is None:
        return
    have = cites.setdefault(key, [])
    if len(have) < MAX_CITES and all((c.doc_id, c.text) != (cit.doc_id, cit.text) for c in have):
        have.append(cit)


def _card_values(corpus: Corpus, cards: list[ProjectCard], field: str, cites, prefix: str):  # noqa: ANN001, ANN202
    found: list[str] = []
    for card in cards:
        for fv in card.fields.get(field, []):
            for item in fv.value or []:
                cit = corpus.cite(fv.source, card=card.id)
                if cit is None:
                    continue
                if item not in found:
                    found.append(item)
                _add(cites, f"{prefix}:{item}", cit)
    return found


def _doc_values(lines: list[DocLine], kind: str, found: list[str], cites, prefix: str) -> None:  # noqa: ANN001
    for ln in lines:
        for term, _s, _e in find_terms(ln.text, kind):
            if term not in found:
                found.append(term)
            _add(cites, f"{prefix}:{term}", ln.citation)


def domain_affinity(
    lines: list[DocLine], catalogue: list[UseCase], cites: dict[str, list[Citation]]
) -> dict[str, float]:
    """domain → 0..1: matched distinct keywords of the domain (log of their line counts),
    over the square root of the domain's keyword count, relative to the best domain."""
    keywords: dict[str, set[str]] = {}
    for uc in catalogue:
        keywords.setdefault(uc.domain, set()).update(uc.keywords)
    raw: dict[str, float] = {}
    for domain, words in keywords.items():
        total = 0.0
        for kw in sorted(words):
            hits = [ln for ln in lines if matches_keyword(kw, ln.terms, ln.squashed)]
            if hits:
                total += math.log1p(len(hits))
                for ln in hits[:1]:
                    _add(cites, f"분야:{domain}", ln.citation)
        raw[domain] = total / math.sqrt(len(words))
    best = max(raw.values(), default=0.0)
    if best <= 0:
        return {}
    return {d: round(v / best, 3) for d, v in sorted(raw.items(), key=lambda x: -x[1]) if v > 0}


def distinctive_terms(corpus: Corpus, department: str) -> list[str]:
    """Nouns frequent in this department's documents and rare in the other departments'."""
    df: Counter = Counter()
    for lines in corpus.lines.values():
        df.update({t for ln in lines for t in ln.terms})
    tf = Counter(t for ln in corpus.lines.get(department, []) for t in ln.terms)
    n = max(1, len(corpus.lines))
    scored = {
        t: c * math.log((n + 1) / df[t])
        for t, c in tf.items()
        if t not in _GENERIC and not t.isdigit() and len(t) >= 2
    }
    return [t for t, _ in sorted(scored.items(), key=lambda x: (-x[1], x[0]))[:MAX_TERMS]]


def build_profile(corpus: Corpus, department: str, catalogue: list[UseCase]) -> DepartmentProfile:
    lines = corpus.lines.get(department, [])
    cards = corpus.cards_of(department)
    cites: dict[str, list[Citation]] = {}
    duties: list[str] = []
    for ln in lines:
        if len(duties) >= MAX_DUTIES:
            break
        if DUTY_HEADING.search(ln.heading) and 10 <= len(ln.body) <= 160 and ln.body not in duties:
            duties.append(ln.body)
            _add(cites, f"업무:{ln.body}", ln.citation)
    data = _card_values(corpus, cards, "data", cites, "데이터")
    _doc_values(lines, "data", data, cites, "데이터")
    tech = _card_values(corpus, cards, "technologies", cites, "기술")
    _doc_values(lines, "technologies", tech, cites, "기술")
    for card in cards:
        fv = card.first("name")
        _add(cites, f"사업:{card.id}", corpus.cite(fv.source if fv else None, card=card.id))
    terms = distinctive_terms(corpus, department)
    for t in terms:
        hit = next((ln for ln in lines if t in ln.terms), None)
        _add(cites, f"용어:{t}", hit.citation if hit else None)
    return DepartmentProfile(
        department=department,
        duties=duties,
        data=[d for d in data if cites.get(f"데이터:{d}")],
        technologies=[t for t in tech if cites.get(f"기술:{t}")],
        projects=[summarize(c) for c in cards],
        domains=domain_affinity(lines, catalogue, cites),
        terms=terms,
        citations=cites,
    )
