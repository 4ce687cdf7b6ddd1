"""The national 공공 AI 사업 selection criteria, computed from evidence: 적합성, 실현가능성,
확산가능성, each 1.0–5.0 with the Korean reasons that produced it.

- 적합성: the department's affinity to the entry's domain and how many of the entry's problem
  keywords its documents use;
- 실현가능성: the data it needs is held (by which cards / documents), the platforms it runs on
  exist as cards, the technique's maturity, and its typical cost against the department's
  own project budgets;
- 확산가능성: how many other departments' documents share its keywords or run on the same
  platform, and maturity (a proven technique transfers).
"""

from __future__ import annotations

import statistics

from control_tower.ideation.corpus import Corpus
from control_tower.ideation.gaps import FULL_EVIDENCE, Gap
from control_tower.ideation.terms import matches_keyword
from control_tower.ideation.types import DepartmentProfile
from control_tower.linker.components import load_lexicon

MATURITY = {"연구·실증": 0.25, "시범 도입": 0.5, "확산": 0.8, "성숙": 1.0}
MIN_SHARED_KEYWORDS = 2


def _scale(x: float) -> float:
    return round(1.0 + 4.0 * max(0.0, min(1.0, x)), 2)


def _names(items: list[str], n: int = 3) -> str:
    shown = ", ".join(items[:n])
    return shown + (f" 외 {len(items) - n}" if len(items) > n else "")


def fit_score(gap: Gap, profile: DepartmentProfile) -> tuple[float, list[str]]:
    uc = gap.use_case
    aff = profile.domains.get(uc.domain, 0.0)
    docs = sorted({ln.citation.title for lines in gap.hits.values() for ln in lines})
    x = 0.5 * aff + 0.5 * min(1.0, gap.evidence / FULL_EVIDENCE)
    return _scale(x), [
        f"'{uc.domain}' 분야 적합도 {aff:.2f} (부서 문서에서 분야 키워드가 가장 많이 쓰인 "
        "분야를 1로 본 값)",
        f"문제 키워드 {len(gap.hits)}/{len(uc.keywords)}개({_names(list(gap.hits), 4)})가 "
        f"부서 문서 {len(docs)}건에 나옵니다 (예: 「{docs[0]}」; 다른 부서가 덜 쓰는 키워드일수록 "
        f"가중: 근거 점수 {gap.evidence:.2f}/{FULL_EVIDENCE})."
        if docs
        else "부서 문서에서 문제 키워드를 찾지 못했습니다.",
    ]


def feasibility_score(gap: Gap, profile: DepartmentProfile) -> tuple[float, list[str]]:
    uc = gap.use_case
    have = [d for d in gap.data if d.available]
    data_x = len(have) / len(gap.data) if gap.data else 0.5
    missing_pf = [p for p, cards in gap.platforms.items() if not cards]
    pf_x = 1.0 - len(missing_pf) / len(gap.platforms) if gap.platforms else 1.0
    mat = MATURITY[uc.maturity]
    mid = (uc.cost.min_eok + uc.cost.max_eok) / 2
    budgets = [p.budget_eok for p in profile.projects if p.budget_eok]
    reasons = [
        f"필요 데이터 {len(have)}/{len(gap.data)}종 보유"
        + (f" ({_names([d.name for d in have])})" if have else "")
        + (
            f", 미보유: {_names([d.name for d in gap.data if not d.available])}"
            if len(have) < len(gap.data)
            else ""
        ),
        (
            f"기반 플랫폼 미구축: {_names(missing_pf)}"
            if missing_pf
            else (
                f"기반 플랫폼이 기존 사업으로 있습니다 ({_names(list(gap.platforms))})"
                if gap.platforms
                else "별도 기반 플랫폼이 필요하지 않습니다"
            )
        ),
        f"기술 성숙도: {uc.maturity}",
    ]
    if budgets:
        median = statistics.median(budgets)
        cost_x = min(1.0, 1.5 * median / mid) if mid else 1.0
        reasons.append(
            f"예상 사업비 {mid:.1f}억 원 (부서 사업 {len(budgets)}건의 사업비 중앙값 "
            f"{median:.1f}억 원)"
        )
    else:
        cost_x = 0.5
        reasons.append(f"예상 사업비 {mid:.1f}억 원 (비교할 부서 사업비가 없습니다)")
    x = 0.35 * data_x + 0.25 * pf_x + 0.25 * mat + 0.15 * cost_x
    return _scale(x), reasons


def spread_score(gap: Gap, corpus: Corpus, department: str) -> tuple[float, list[str]]:
    uc = gap.use_case
    sharing = []
    for dept, lines in sorted(corpus.lines.items()):
        if dept == department:
            continue
        used = [
            next((ln for ln in lines if matches_keyword(k, ln.terms, ln.squashed)), None)
            for k in uc.keywords
        ]
        used = [ln for ln in used if ln is not None]
        if len(used) >= MIN_SHARED_KEYWORDS:
            sharing.append(dept)
            gap.docs.update(ln.doc_id for ln in used)
    lexicon = load_lexicon()
    comps: set[str] = set().union(*(lexicon.match(p) for p in uc.prerequisites.platform))
    same_pf = sorted(
        {
            c.lead_department
            for c in corpus.cards
            if c.lead_department
            and c.lead_department != department
            and comps & lexicon.match(c.text())
        }
    )
    gap.docs.update(
        s.doc_id
        for c in corpus.cards
        if c.lead_department in same_pf and comps & lexicon.match(c.text())
        for s in c.sources()
    )
    mat = MATURITY[uc.maturity]
    x = 0.5 * min(1.0, len(sharing) / 4) + 0.25 * min(1.0, len(same_pf) / 3) + 0.25 * mat
    return _scale(x), [
        f"같은 키워드를 쓰는 다른 부서 {len(sharing)}곳"
        + (f" ({_names(sharing)})" if sharing else ""),
        f"같은 기반 플랫폼을 쓰는 다른 부서 {len(same_pf)}곳"
        + (f" ({_names(same_pf)})" if same_pf else ""),
        f"기술 성숙도: {uc.maturity}",
    ]


def score(gap: Gap, profile: DepartmentProfile, corpus: Corpus):  # noqa: ANN201
    """(scores, reasons) keyed by criterion."""
    parts = {
        "적합성": fit_score(gap, profile),
        "실현가능성": feasibility_score(gap, profile),
        "확산가능성": spread_score(gap, corpus, profile.department),
    }
    return {k: v[0] for k, v in parts.items()}, {k: v[1] for k, v in parts.items()}
