"""Links and platform clusters as one caller may see them.

The stored links were computed over whole cards. A link is shown as stored only when the
caller may read every document it drew on (``Link.docs``); when the caller sees both cards
but not all of their sources, the pair is scored again on the two visible views, so neither
the score nor the evidence nor the rationale carries anything from an unreadable document.
Clusters are then found over the visible links only.
"""

from __future__ import annotations

from dataclasses import dataclass

from control_tower.domain import Principal, name_key
from control_tower.linker.pipeline import find_clusters, score_pair
from control_tower.linker.types import Cluster, Link
from control_tower.registry.repo import RegistryRepo
from control_tower.registry.types import ProjectCard
from control_tower.registry.visibility import Reader, card_view, fully_visible


@dataclass
class LinkMap:
    cards: dict[str, ProjectCard]  # visible views, by id
    links: list[Link]
    clusters: list[Cluster]


def _readable(link: Link, reader: Reader) -> bool:
    docs = set(link.docs) | {e.doc_id for e in link.evidence}
    return all(reader.can(d) for d in docs)


def link_map(store, principal: Principal) -> LinkMap:  # noqa: ANN001
    repo = RegistryRepo(store)
    reader = Reader(store, principal)
    full = {c.id: c for c in repo.cards()}
    views = {cid: v for cid, c in full.items() if (v := card_view(c, reader)) is not None}
    links: list[Link] = []
    for link in repo.links():
        va, vb = views.get(link.a), views.get(link.b)
        if va is None or vb is None:
            continue
        whole = fully_visible(full[link.a], reader) and fully_visible(full[link.b], reader)
        if whole and _readable(link, reader):
            links.append(link)
            continue
        again = score_pair(va, vb)
        if again is not None and _readable(again, reader):
            links.append(again)
    links.sort(key=lambda lk: (-lk.score, lk.a, lk.b))
    return LinkMap(views, links, find_clusters(list(views.values()), links))


def filter_links(
    lm: LinkMap,
    *,
    department: str | None = None,
    link_type: str | None = None,
    top: int | None = None,
) -> tuple[list[Link], list[Cluster]]:
    links = lm.links
    clusters = lm.clusters
    if department:
        want = name_key(department)

        def touches(card_id: str) -> bool:
            card = lm.cards.get(card_id)
            return card is not None and want in (name_key(d) for d in card.departments)

        links = [lk for lk in links if touches(lk.a) or touches(lk.b)]
        clusters = [c for c in clusters if any(touches(x) for x in c.cards)]
    if link_type:
        links = [lk for lk in links if lk.type == link_type]
    if top is not None:
        links = links[:top]
    return links, clusters


def find_link(lm: LinkMap, a: str, b: str, link_type: str | None = None) -> Link | None:
    for lk in lm.links:
        if {lk.a, lk.b} == {a, b} and (link_type is None or lk.type == link_type):
            return lk
    return None
