"""What a question names: departments, projects, years — looked up, not guessed.

The router needs entities before it can pick tools, and on a 0.5B model it cannot ask the LLM
for them. Departments come from the caller's visible cards and the managed department list
("우리 과" is the caller's own); projects are matched by name against the caller's visible cards
only, so a project the caller may not read can never be named back to them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from control_tower.domain import Principal
from control_tower.registry.types import ProjectCard

OWN_DEPARTMENT = re.compile(r"(우리|저희|내|제)\s*(과|부서|팀|국|실)")
YEAR = re.compile(r"(20\d\d)\s*년?")
_SPACE = re.compile(r"[\s·ㆍ\-_()'\"‘’“”]+")
# words that name a kind of thing rather than one project: never a match on their own
_GENERIC = {
    "사업",
    "구축",
    "시스템",
    "계획",
    "추진",
    "운영",
    "도입",
    "기반",
    "서비스",
    "플랫폼",
    "ai",
}


def squash(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFC", text)).lower()


@dataclass
class Entities:
    departments: list[str] = field(default_factory=list)
    own_department: bool = False
    cards: list[ProjectCard] = field(default_factory=list)  # best match first
    years: list[int] = field(default_factory=list)


def _department_matches(question: str, departments: list[str]) -> list[str]:
    q = squash(question)
    found = []
    for dept in sorted(departments, key=len, reverse=True):
        d = squash(dept)
        short = d[:-1] if len(d) > 3 and d[-1] in "과소실팀국" else d  # "교통정책과" ~ "교통정책"
        if (d in q or short in q) and dept not in found:
            found.append(dept)
    return found


def _card_score(question_sq: str, words: list[str], card: ProjectCard) -> float:
    names = [card.name, *(card.value("aliases", []) or [])]
    best = 0.0
    for name in names:
        n = squash(name or "")
        if len(n) >= 4 and n in question_sq:
            best = max(best, 1.0 + len(n) / 100)  # the whole name is in the question
            continue
        tokens = [t for t in re.split(r"\s+", name or "") if len(t) >= 2]
        tokens = [t for t in tokens if squash(t) not in _GENERIC]
        if not tokens:
            continue
        hit = sum(1 for t in tokens if squash(t) in question_sq)
        if hit >= 2 or (hit == 1 and len(tokens) == 1):
            best = max(best, hit / len(tokens))
    return best


def find_entities(
    question: str, principal: Principal, cards: list[ProjectCard], departments: list[str]
) -> Entities:
    """Entities of ``question``; ``cards`` must already be the caller's visible cards."""
    ent = Entities()
    ent.own_department = bool(OWN_DEPARTMENT.search(question))
    known = sorted({*departments, *(d for c in cards for d in c.departments)})
    ent.departments = _department_matches(question, known)
    if ent.own_department and principal.department and principal.department not in ent.departments:
        ent.departments.insert(0, principal.department)
    ent.years = [int(y) for y in YEAR.findall(question)]
    q = squash(question)
    words = question.split()
    scored = [(s, c) for c in cards if (s := _card_score(q, words, c)) >= 0.5]
    scored.sort(key=lambda sc: -sc[0])
    full = [squash(c.name or "") for s, c in scored if s >= 1.0]
    ent.cards = [c for s, c in scored if s >= 1.0 or not _inside(q, c, full)][:5]
    return ent


def _inside(question_sq: str, card: ProjectCard, full_names: list[str]) -> bool:
    """Whether every word of ``card``'s name that the question has lies inside a project the
    question names in full: "사용후 배터리 인라인 자동평가센터" is not also a mention of
    another "사용후 배터리 …" project."""
    words = [squash(t) for t in re.split(r"\s+", card.name or "") if len(t) >= 2]
    hits = [w for w in words if w not in _GENERIC and w in question_sq]
    return bool(hits) and all(any(w in name for name in full_names) for w in hits)
