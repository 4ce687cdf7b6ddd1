"""Does the document store agree with both indexes? (crash tests, ``ct doctor``)

Consistent means: every ``indexed`` document has exactly the chunk ids
``{doc_id}:{version}:{0..chunk_count-1}`` in the dense AND the sparse index; every other
document has none; no index holds chunks of a document the store does not list as indexed.
"""

from __future__ import annotations

from typing import Any

from control_tower.store import INDEXED, Store


def consistency_problems(store: Store, index: Any) -> list[str]:
    problems: list[str] = []
    expected_all: set[str] = set()
    for doc in store.list_documents():
        per_backend = index.chunk_ids(doc.doc_id)
        if doc.status == INDEXED:
            expected = {f"{doc.doc_id}:{doc.version}:{i}" for i in range(doc.chunk_count)}
            expected_all |= expected
            for name, ids in per_backend.items():
                if ids != expected:
                    problems.append(
                        f"{doc.source_path}: {name} has {len(ids)} chunk ids, expected "
                        f"{len(expected)} (missing {len(expected - ids)}, "
                        f"extra {len(ids - expected)})"
                    )
        else:
            for name, ids in per_backend.items():
                if ids:
                    problems.append(
                        f"{doc.source_path} ({doc.status}): {name} still has {len(ids)}"
                    )
    for backend in index.backends:
        orphans = backend.all_chunk_ids() - expected_all
        if orphans:
            problems.append(f"{backend.name}: {len(orphans)} chunk ids of no indexed document")
    return problems
