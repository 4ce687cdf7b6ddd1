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


def card_vectors(settings: Settings, cards: Sequence[ProjectCard]):  # noqa: ANN201
    """(vectors or None, note or None)."""
    from control_tower.models.errors import ModelError
    from control_tower.registry.embed_pool import embed_passages

    if not cards:
        return None, None
    try:
        cache = VectorCache(settings.data_dir / "registry")
        return cache.vectors(cards, lambda texts: embed_passages(settings, texts)), None
    except (ModelError, OSError, RuntimeError, ValueError) as exc:
        return None, NO_VECTORS.format(detail=str(exc)[:200])


def compute_links(
    settings: Settings, cards: Sequence[ProjectCard]
) -> tuple[list[Link], str | None]:
    vectors, note = card_vectors(settings, cards)
    return link_cards(cards, vectors=vectors), note
