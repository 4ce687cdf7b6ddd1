"""LLM link rationales, written lazily when someone opens a link, and cached.

Computing thousands of sentences at build time would take hours on 2 cores and most are
never read. The key covers everything the sentence is written from (the two card names,
the type, the shared components, both evidence texts), so a caller whose view of a link
differs (recomputed on the documents they may read) never gets a sentence written from
someone else's evidence, and a sentence is rewritten only when its inputs change.
"""

from __future__ import annotations

import hashlib
import json

from control_tower.linker.rationale import write_rationale
from control_tower.linker.types import Link
from control_tower.registry.repo import RegistryRepo
from control_tower.registry.types import ProjectCard
from control_tower.settings import Settings


def rationale_key(link: Link, a: ProjectCard, b: ProjectCard) -> str:
    payload = {
        "a": [a.id, a.name],
        "b": [b.id, b.name],
        "type": link.type,
        "shared": link.shared,
        "evidence": [[e.card, e.text] for e in link.evidence],
    }
    raw = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()


def rationale_for(
    settings: Settings, store, link: Link, a: ProjectCard, b: ProjectCard, *, use_llm: bool = True
) -> Link:  # noqa: ANN001
    """The link with its cached LLM sentence, writing one if the LLM is reachable; the
    deterministic sentence stays when it is not."""
    repo = RegistryRepo(store)
    key = rationale_key(link, a, b)
    cached = repo.rationale(key)
    if cached:
        return link.model_copy(update={"rationale": cached, "rationale_method": "llm"})
    if not use_llm:
        return link
    from control_tower.llm.endpoint import check_endpoint

    status = check_endpoint(settings, timeout_s=2.0)
    if not status.ok:
        return link
    written = write_rationale(settings, link, a, b)
    if written.rationale_method == "llm":
        repo.save_rationale(key, written.rationale, status.model)
    return written
