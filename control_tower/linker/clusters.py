"""통합 플랫폼 후보: groups of strongly linked cards, each named by its shared component.

Louvain communities (networkx, fixed seed → deterministic) over the strong links split a
hub-and-spoke map (one data platform used by ten services) into groups that share one thing;
the component most supported by the group's internal links names the group.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence

import networkx as nx

from control_tower.korean import josa
from control_tower.linker.components import load_lexicon
from control_tower.linker.types import Cluster, Link
from control_tower.registry.types import ProjectCard

STRONG = 0.40
_KIND_BONUS = {"infra": 1.5, "service": 1.2, "data": 1.0, "tech": 0.8, "target": 0.3}


def _component(links: list[Link]) -> str | None:
    lexicon = load_lexicon()
    support: dict[str, float] = defaultdict(float)
    for link in links:
        for rank, comp in enumerate(link.shared):
            weight = 1.0 if rank == 0 else 0.5
            support[comp] += link.score * weight * _KIND_BONUS.get(lexicon.kind(comp), 0.5)
    if not support:
        return None
    return max(sorted(support), key=lambda c: support[c])


def find_clusters(cards: Sequence[ProjectCard], links: Sequence[Link]) -> list[Cluster]:
    """Clusters of ≥ 2 cards joined by strong links that name a shared component."""
    names = {c.id: c.name for c in cards}
    graph = nx.Graph()
    strong = [lk for lk in links if lk.score >= STRONG and lk.a in names and lk.b in names]
    for lk in sorted(strong, key=lambda x: (x.a, x.b)):
        w = graph.get_edge_data(lk.a, lk.b, {}).get("weight", 0.0)
        graph.add_edge(lk.a, lk.b, weight=max(w, lk.score))
    if graph.number_of_edges() == 0:
        return []
    communities = nx.community.louvain_communities(graph, weight="weight", seed=0)
    clusters: list[Cluster] = []
    for members in communities:
        ids = sorted(members)
        if len(ids) < 2:
            continue
        inside = [lk for lk in strong if lk.a in members and lk.b in members]
        comp = _component(inside)
        if comp is None:
            continue
        digest = hashlib.sha1("|".join(ids).encode()).hexdigest()[:10]
        shown = ", ".join(f"「{names[i]}」" for i in ids[:4]) + (" 등" if len(ids) > 4 else "")
        clusters.append(
            Cluster(
                id=f"cluster-{digest}",
                cards=ids,
                component=comp,
                rationale=f"{len(ids)}개 사업({shown})이 {josa(comp, '을', '를')} 함께 쓰므로 "
                f"{comp} 중심의 통합 플랫폼 후보입니다.",
            )
        )
    clusters.sort(key=lambda c: (-len(c.cards), c.id))
    return clusters
