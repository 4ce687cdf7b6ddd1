"""Features of one candidate pair → a link type, a direction and a score (no LLM).

The types follow the 정보화사업 사전협의 questions:
- 중복: both names are about the same function (a shared core component) for the same domain
  (or the same name), and the texts agree; or the names are nearly the same.
- 선후: one card provides shared infrastructure (its own name IS the platform, cloud or centre)
  and the other uses it ("…에 적재", "…를 이용", "공통 엔진 사용"), or one card names the other
  as something it applies/uses and the two are not peers. ``a`` is the provider.
- 연계: distinct projects that share a component, data or a target, or name each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from control_tower.linker.components import Lexicon
from control_tower.linker.features import Profile, budget_ratio, mentions, name_similarity

_KIND_WEIGHT = {"infra": 0.5, "service": 0.4, "data": 0.35, "tech": 0.2, "target": 0.1}
# e5-style cosines of Korean administrative texts sit in ~0.75–0.95; this maps them to 0–1.
_COS_FLOOR, _COS_SPAN = 0.80, 0.13
_LEX_SPAN = 0.45
DUP_SIM = 0.30
MIN_SCORE = 0.30


@dataclass(slots=True)
class Decision:
    type: str
    first: int  # 0: a is the pair's first profile; 1: the second (the provider for 선후)
    score: float
    shared: list[str]
    features: dict[str, float]
    hint: dict[int, int] = field(default_factory=dict)  # side → snippet index to cite


def _provides(
    p: Profile, q: Profile, infra: set[str], providers: dict[str, int] | None
) -> tuple[str, int] | None:
    """Does q use shared infrastructure that p's own name is? → (component, q's snippet)."""
    for comp in sorted(p.core & infra):
        if comp in q.core or comp not in q.body:
            continue
        for j in q.body[comp]:
            sn = q.snippets[j]
            if not sn.usage:
                continue
            named = sn.comps[comp] in p.name_sq
            if named or (providers or {}).get(comp, 1) == 1:
                return comp, j
    return None


def _similarity(cos: float | None, lex: float) -> tuple[float, float]:
    lexs = min(1.0, lex / _LEX_SPAN)
    if cos is None:
        return lexs, lexs
    emb = min(1.0, max(0.0, (cos - _COS_FLOOR) / _COS_SPAN))
    return 0.5 * emb + 0.5 * lexs, emb


def decide(
    a: Profile,
    b: Profile,
    *,
    cos: float | None,
    lex: float,
    lexicon: Lexicon,
    providers: dict[str, int] | None = None,
    common_names: frozenset[str] = frozenset(),
) -> Decision | None:
    """The link between two profiles, or None when the evidence is too weak.

    A card with no citable text besides its name (budget lines such as 기본경비 that every
    department has) is never linked: a shared name alone is not a shared project, and a link
    must cite a passage on each side. ``common_names``: names many cards carry (budget
    categories, not projects); such cards are not linked either.
    """
    if a.name_sq in common_names or b.name_sq in common_names:
        return None
    if not any(len(sn.text) >= 8 for sn in a.snippets) or not any(
        len(sn.text) >= 8 for sn in b.snippets
    ):
        return None
    infra = {c for c in lexicon.by_name if lexicon.kind(c) == "infra"}
    sim, emb = _similarity(cos, lex)
    names = name_similarity(a, b)
    core_shared = {c for c in a.core & b.core if lexicon.kind(c) != "target"}
    shared = sorted((a.body.keys() | a.core) & (b.body.keys() | b.core))
    shared_w = min(1.0, sum(_KIND_WEIGHT.get(lexicon.kind(c), 0.1) for c in shared))
    m_ab, m_ba = mentions(a, b), mentions(b, a)  # m_ab: a names b
    dom_ok = bool(a.domains & b.domains) or not (a.domains or b.domains)
    hint: dict[int, int] = {}

    # Direction evidence: strength 2 = the dependent says it uses the provider,
    # 1 = the provider lists the dependent among its users.
    direction: list[tuple[int, int, str]] = []  # (strength, provider side, component)
    for side, (p, q, m_qp, m_pq) in enumerate(((a, b, m_ba, m_ab), (b, a, m_ab, m_ba))):
        use = _provides(p, q, infra, providers)
        if use:
            direction.append((2, side, use[0]))
            hint[1 - side] = use[1]
        elif p.core & infra and not (q.core & p.core & infra) and (m_qp or m_pq):
            if m_qp:
                hint[1 - side] = m_qp[0]
            else:
                hint[side] = m_pq[0]
            direction.append((2 if m_qp and m_qp[1] else 1, side, sorted(p.core & infra)[0]))
        elif m_qp and m_qp[1] and not q.snippets[m_qp[0]].peer and not m_pq and not core_shared:
            direction.append((1, side, ""))
            hint[1 - side] = m_qp[0]
    direction.sort(reverse=True)

    mention = 1.0 if (m_ab and m_ab[1]) or (m_ba and m_ba[1]) else 0.6 if (m_ab or m_ba) else 0.0
    dep = 1.0 if direction else 0.0
    score = (
        0.35 * sim
        + 0.25 * max(mention, dep)
        + 0.25 * shared_w
        + 0.15 * max(1.0 if core_shared else 0.0, names)
    )
    feats = {
        "cos": round(cos, 4) if cos is not None else -1.0,
        "emb": round(emb, 4),
        "lex": round(lex, 4),
        "sim": round(sim, 4),
        "name_sim": round(names, 4),
        "shared_weight": round(shared_w, 4),
        "core_shared": float(len(core_shared)),
        "mention": mention,
        "dependency": dep,
        "domain_match": 1.0 if dom_ok else 0.0,
        "budget_ratio": round(budget_ratio(a.card, b.card), 4),
        "same_department": 1.0 if a.card.lead_department == b.card.lead_department else 0.0,
    }
    if (core_shared and dom_ok and sim >= DUP_SIM) or (names >= 0.8 and sim >= 0.5):
        score = 0.5 + 0.5 * max(score, sim)
        shared_names = sorted(core_shared) or shared
        return Decision("중복", 0, round(min(1.0, score), 4), shared_names, feats, hint)
    if direction and not (
        len(direction) > 1
        and direction[0][0] == direction[1][0]
        and direction[0][1] != direction[1][1]
    ):
        _, side, comp = direction[0]
        shared_names = [comp] + [c for c in shared if c != comp] if comp else shared
        return Decision("선후", side, round(min(1.0, score), 4), shared_names, feats, hint)
    if score < MIN_SCORE or not (shared or m_ab or m_ba or sim >= 0.75):
        return None
    return Decision("연계", 0, round(min(1.0, score), 4), shared, feats, hint)
