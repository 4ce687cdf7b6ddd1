"""The linker on cards built from the demo content: the ground truth's key links come out."""

from __future__ import annotations

import pytest

from control_tower.linker.pipeline import link_map
from evals.linker_eval import evaluate
from evals.linker_fixture import demo_cards


@pytest.fixture(scope="module")
def demo():
    cards = demo_cards()
    links, clusters = link_map(cards)
    return cards, links, clusters


def _link(links, x, y):
    ids = {f"card-{x}", f"card-{y}"}
    return next((lk for lk in links if {lk.a, lk.b} == ids), None)


def test_city_data_platforms_are_duplicates(demo):
    _, links, _ = demo
    dup = _link(links, "ai-city-data-hub", "ict-data-platform")
    assert dup is not None and dup.type == "중복"
    assert {e.doc_id for e in dup.evidence} == {"ai-city-data-hub", "ict-data-platform"}


@pytest.mark.parametrize(
    ("provider", "dependent"),
    [
        ("ict-data-platform", "traffic-ai-cctv"),
        ("ict-data-platform", "water-urban-flood"),
        ("ict-gpu-cloud", "ai-civil-chatbot"),
        ("ict-gpu-cloud", "tourism-chatbot"),
        ("ict-smart-city-center", "disaster-ai-cctv"),
        ("ict-gpu-cloud", "ict-smart-city-center"),
    ],
)
def test_prerequisites_point_the_right_way(demo, provider, dependent):
    _, links, _ = demo
    link = _link(links, provider, dependent)
    assert link is not None and link.type == "선후"
    assert (link.a, link.b) == (f"card-{provider}", f"card-{dependent}")


def test_beats_baseline_and_skips_hard_negatives(demo):
    cards, links, clusters = demo
    as_json = [
        {
            "id": c.id,
            "name": c.name,
            "sources": [{"path": s.path} for s in c.sources()],
            "passages": [p.text for p in c.passages],
        }
        for c in cards
    ]
    result = evaluate(as_json, {"links": [lk.model_dump() for lk in links]})
    k = f"precision@{result['linker']['labeled_positives']}"
    assert result["linker"][k] > result["baseline"][k]
    assert result["linker"]["type_accuracy"] >= 0.9
    assert result["linker"]["direction_accuracy"] == 1.0
    assert result["linker"]["hard_negatives_returned"] == 0
    assert any(c.component == "통합 데이터 플랫폼" for c in clusters)
