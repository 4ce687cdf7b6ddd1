"""Gap analysis: catalogue entries that fit a department and that it does not already do.

An entry fits when the department's documents use its keywords (Kiwi nouns) in a domain the
department works in; it is *covered*, not a gap, when one of the department's own cards
already applies the same technique to most of the same keywords (or carries the same name).
Data availability and platform providers are computed here too, because both the scores and
the proposal's 필요 데이터 read them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from control_tower.ideation.corpus import Corpus, DocLine
from control_tower.ideation.terms import keyword_terms, matches_keyword, noun_terms_batch, squash
from control_tower.ideation.types import DataNeed, DepartmentProfile, UseCase
from control_tower.linker.components import load_lexicon
from control_tower.registry.project_names import name_similarity
from control_tower.registry.types import ProjectCard

MIN_FIT, COVER_SHARE = 0.55, 0.5
# keyword evidence (see keyword_weight) an entry needs: in one of the department's main
# domains (affinity at least CORE_AFFINITY), and outside them
CORE_AFFINITY, CORE_EVIDENCE, OFF_DOMAIN_EVIDENCE, FULL_EVIDENCE = 0.5, 1.2, 2.0, 2.5
# technique class → technology terms (registry lexicon) and words that show it in a text
TECHNIQUE_WORDS: dict[str, tuple[str, ...]] = {
    "컴퓨터비전": ("영상분석", "컴퓨터비전", "객체인식", "CCTV", "드론", "영상 분석", "영상인식"),
    "생성형 AI": ("생성형 AI", "LLM", "RAG", "초거대", "생성형", "초안"),
    "자연어처리": ("자연어처리", "음성인식", "챗봇", "텍스트 분석", "민원 분석"),
    "예측·분석": ("예측모델", "머신러닝", "빅데이터", "예측", "디지털트윈", "분석 모델"),
    "최적화": ("최적화", "신호제어", "감응", "배차", "경로", "배치"),
    "에이전트": ("에이전트", "RPA", "자동 처리", "업무 자동화"),
}
GENERIC_DATA = frozenset(
    "데이터 자료 정보 이력 현황 통계 기록 목록 내역 대장 결과 수집 체계".split()
)


@dataclass
class Gap:
    use_case: UseCase
    fit: float
    hits: dict[str, list[DocLine]]  # keyword → the department's lines that use it
    evidence: float = 0.0  # sum of the matched keywords' weights
    data: list[DataNeed] = field(default_factory=list)
    platforms: dict[str, list[str]] = field(default_factory=dict)  # platform → provider cards
    docs: set[str] = field(default_factory=set)  # every document a number or reason used


def _card_terms(cards: list[ProjectCard]) -> list[frozenset[str]]:
    return [frozenset(t) for t in noun_terms_batch([c.text() for c in cards])]


def techniques_of(card: ProjectCard) -> set[str]:
    text = squash(" ".join([card.text(), *map(str, card.value("technologies", []) or [])]))
    return {t for t, words in TECHNIQUE_WORDS.items() if any(squash(w) in text for w in words)}


def covered_by(uc: UseCase, cards: list[ProjectCard], terms: list[frozenset[str]]) -> str | None:
    """The department's card that already does this use case, if any."""
    for card, ct in zip(cards, terms, strict=True):
        if name_similarity(uc.title, card.name) >= 0.8:
            return card.id
        sq = squash(card.text())
        share = sum(matches_keyword(k, ct, sq) for k in uc.keywords) / len(uc.keywords)
        if share >= COVER_SHARE and uc.technique in techniques_of(card):
            return card.id
    return None


def _need_terms(name: str) -> frozenset[str]:
    return frozenset(t for t in keyword_terms(name) if t not in GENERIC_DATA) or keyword_terms(name)


def _holds(need: frozenset[str], terms: frozenset[str]) -> bool:
    k = len(need & terms)
    return k >= 1 and k >= 0.5 * len(need)


def data_needs(uc: UseCase, corpus: Corpus, lines: list[DocLine], department: str):  # noqa: ANN201
    """Each of the entry's data sets: which visible cards hold it (their ``data`` values),
    else which of the department's document lines mention it."""
    if "data_values" not in corpus.cache:
        values = [
            (card, fv, item)
            for card in corpus.cards
            for fv in card.fields.get("data", [])
            for item in fv.value or []
        ]
        vterms = noun_terms_batch([str(item) for _, _, item in values]) if values else []
        corpus.cache["data_values"] = (values, vterms)
    values, vterms = corpus.cache["data_values"]
    out: list[DataNeed] = []
    for name in uc.data:
        need = _need_terms(name)
        holders = [
            (card, fv)
            for (card, fv, _), ts in zip(values, vterms, strict=True)
            if _holds(need, frozenset(ts))
        ]
        own = [h for h in holders if department in h[0].departments] or holders
        cards = list(dict.fromkeys(c.id for c, _ in own))[:4]
        cit = next((c for c in (corpus.cite(fv.source, card.id) for card, fv in own) if c), None)
        if cit is None:
            line = next((ln for ln in lines if _holds(need, ln.terms)), None)
            cit = line.citation if line else None
        out.append(DataNeed(name=name, available=cit is not None, cards=cards, citation=cit))
    return out


def platform_providers(uc: UseCase, cards: list[ProjectCard]) -> dict[str, list[str]]:
    lexicon = load_lexicon()
    out: dict[str, list[str]] = {}
    for platform in uc.prerequisites.platform:
        comps = lexicon.match(platform)
        out[platform] = [c.id for c in cards if comps & lexicon.match(c.name)]
    return out


def keyword_weight(corpus: Corpus, keyword: str) -> float:
    """0..1: how specific a keyword is to few departments. A word every department's documents
    use (신청, 안내, 검토) says nothing about fit; one only this department uses says a lot —
    log((D + 1) / df) / log(D + 1) over the departments whose documents have the keyword."""
    vocab = corpus.cache.get("vocab")
    if vocab is None:
        vocab = {
            d: (
                frozenset().union(*(ln.terms for ln in lines)),
                "\n".join(ln.squashed for ln in lines),
            )
            for d, lines in corpus.lines.items()
        }
        corpus.cache["vocab"] = vocab
    weights = corpus.cache.setdefault("weights", {})
    if keyword not in weights:
        n = len(vocab)
        df = sum(matches_keyword(keyword, terms, sq) for terms, sq in vocab.values())
        weights[keyword] = math.log((n + 1) / max(1, df)) / math.log(n + 1) if n else 1.0
    return weights[keyword]


def find_gaps(corpus: Corpus, profile: DepartmentProfile, catalogue: list[UseCase]) -> list[Gap]:
    lines = corpus.lines.get(profile.department, [])
    own = corpus.cards_of(profile.department)
    own_terms = _card_terms(own) if own else []
    gaps: list[Gap] = []
    for uc in catalogue:
        hits = {
            k: [ln for ln in lines if matches_keyword(k, ln.terms, ln.squashed)]
            for k in uc.keywords
        }
        hits = {k: v for k, v in hits.items() if v}
        affinity = profile.domains.get(uc.domain, 0.0)
        evidence = round(sum(keyword_weight(corpus, k) for k in hits), 3)
        fit = 0.5 * affinity + 0.5 * min(1.0, evidence / FULL_EVIDENCE)
        need = CORE_EVIDENCE if affinity >= CORE_AFFINITY else OFF_DOMAIN_EVIDENCE
        if fit < MIN_FIT or evidence < need or covered_by(uc, own, own_terms):
            continue
        gap = Gap(uc, round(fit, 4), hits, evidence)
        gap.data = data_needs(uc, corpus, lines, profile.department)
        gap.platforms = platform_providers(uc, corpus.cards)
        gaps.append(gap)
    gaps.sort(key=lambda g: (-g.fit, g.use_case.id))
    return gaps
