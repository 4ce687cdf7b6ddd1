"""The build's link stage: card vectors (cached) → the deterministic linker → links.

Without prepared embedding weights the linker still runs on terms and shared entities; the
build says so instead of failing."""

from __future__ import annotations

from collections.abc import Sequence

from control_tower.linker.pipeline import link_cards
from control_tower.linker.types import Link
from control_tower.registry.types import ProjectCard
from control_tower.registry.vectors import VectorCache
from control_tower.settings import Settings

NO_VECTORS = "임베딩 모델을 불러올 수 없어 용어·공유 요소만으로 연계를 분석했습니다: {detail}"


def card_vectors(settings: Settings, cards: Sequence[ProjectCard], *, embedder=None):  # noqa: ANN001, ANN201
    """(vectors or None, note or None). ``embedder``: an already loaded one for small batches
    (the web app's), instead of loading the model again."""
    from control_tower.models.errors import ModelError
    from control_tower.registry.batch_embed import ALL_CORES_MIN, embed_passages

    if not cards:
        return None, None
    try:
        cache = VectorCache(settings.data_dir / "registry")

        def embed(texts: list[str]):  # noqa: ANN202
            if embedder is not None and len(texts) < ALL_CORES_MIN:
                return embedder.embed_documents(texts)
            return embed_passages(settings, texts)

        return cache.vectors(cards, embed), None
    except (ModelError, OSError, RuntimeError, ValueError) as exc:
        return None, NO_VECTORS.format(detail=str(exc)[:200])


def compute_links(
    settings: Settings, cards: Sequence[ProjectCard]
) -> tuple[list[Link], str | None]:
    vectors, note = card_vectors(settings, cards)
    return link_cards(cards, vectors=vectors), note
