"""One search as one audited event: what every surface (API, web page, CLI) runs.

Why one function: the audit row is what the AI-adoption dashboard counts (searches, and the
ones that found nothing), so every surface must time and record a search the same way.
Query errors propagate unchanged; each surface turns them into its own Korean answer.
"""

from __future__ import annotations

import time

from control_tower.audit import AuditLog
from control_tower.domain import Principal, SearchFilters, SearchHit


def audited_search(
    retriever,  # noqa: ANN001 - control_tower.retrieval.Retriever
    store,  # noqa: ANN001 - control_tower.store.Store
    principal: Principal,
    query: str,
    *,
    surface: str,
    k: int,
    filters: SearchFilters,
    mode: str = "hybrid",
    client: str | None = None,
) -> tuple[list[SearchHit], float]:
    """The hits and the search's wall time in milliseconds; the search is in the audit log."""
    started = time.perf_counter()
    hits = retriever.search(query, principal, k=k, filters=filters, mode=mode)
    took_ms = (time.perf_counter() - started) * 1000
    details = dict(
        k=k,
        mode=mode,
        filters=filters.model_dump(mode="json", exclude_defaults=True),
        results=[h.chunk_id for h in hits],
        latency_ms=round(took_ms, 1),
    )
    if client is not None:
        details["client"] = client
    AuditLog(store).search(principal, surface, query, **details)
    return hits, took_ms
