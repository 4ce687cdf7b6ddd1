"""registry_aggregate beyond one department's total, on the real demo registry: the funding
split (국비…), two departments compared, the difference between two named projects, and the
router and entity rules that send such questions there. Expected values are recomputed here
from ``list_cards`` as the caller sees them, never copied from the tool."""

from __future__ import annotations

import pytest

from control_tower.domain import Principal, Role
from tests.registry_demo_fixtures import demo_registry  # noqa: F401 - pytest fixture

ICT, WATER = "정보통신과", "상하수도과"
AI_LEAD = Principal(username="ai_lead", department="디지털융합산업과", roles={Role.ai_division})


@pytest.fixture(scope="module")
def world(demo_registry):  # noqa: F811
    from control_tower.registry.service import list_cards
    from control_tower.retrieval import Retriever
    from control_tower.store import open_store

    settings, _ = demo_registry
    store = open_store(settings)
    return settings, store, Retriever(settings), list_cards(store, AI_LEAD)


def call(world, **args):  # noqa: ANN001, ANN201
    from control_tower.chat.tools import tool_by_name
    from control_tower.chat.tools.base import ToolContext

    settings, store, retriever, _ = world
    ctx = ToolContext(settings=settings, store=store, retriever=retriever, principal=AI_LEAD)
    return tool_by_name("registry_aggregate").call(ctx, args)


def led(world, dept: str) -> list:  # noqa: ANN001
    return [c for c in world[3] if c.lead_department == dept]


def test_national_funding_sum_is_the_cards_split(world):
    from control_tower.roadmap.textfmt import fmt_eok

    parts = [(c.value("funding") or {}).get("국비") for c in led(world, ICT)]
    expected = round(sum(p for p in parts if p), 2)
    assert expected > 0  # the demo's ICT plans name their 국비
    r = call(world, op="sum", field="national_eok", department=ICT)
    assert r.ok, r
    assert r.data["result"] == expected
    assert r.facts[0].value == fmt_eok(expected) and "국비 합계" in r.facts[0].sentence


def test_two_departments_are_compared_by_their_totals(world):
    totals = {
        d: round(sum(float(c.value("budget_eok") or 0) for c in led(world, d)), 2)
        for d in (ICT, WATER)
    }
    r = call(world, op="max", departments=[WATER, ICT])
    assert r.ok, r
    by = {row["department"]: row["result"] for row in r.data["by_department"]}
    assert by == totals
    lead, other = sorted(totals, key=lambda d: -totals[d])
    verdict = r.facts[-1]
    assert verdict.value == lead
    assert verdict.sentence.index(lead) < verdict.sentence.index(other)
    assert all(0 <= i < len(r.evidence) for f in r.facts for i in f.evidence)


def test_two_named_projects_get_their_difference(world):
    from control_tower.roadmap.textfmt import fmt_eok

    pair = [c for c in led(world, WATER) if c.value("budget_eok")][:2]
    assert len(pair) == 2
    r = call(world, op="max", card_ids=[c.id for c in pair])
    big, small = sorted(pair, key=lambda c: -float(c.value("budget_eok")))
    gap = round(float(big.value("budget_eok")) - float(small.value("budget_eok")), 2)
    diff = r.facts[-1]
    assert diff.value == fmt_eok(gap)
    assert diff.sentence.startswith(big.name) and small.name in diff.sentence
    assert not r.facts[0].sentence.startswith("전체")  # "선택한 사업 중 …"


def test_router_sends_a_two_department_comparison_to_one_call():
    from control_tower.chat.graph.entities import Entities
    from control_tower.chat.graph.router import plan

    ent = Entities(departments=[ICT, WATER])
    calls, ambiguous = plan(f"{ICT}와 {WATER} 중 사업 예산 합계가 더 큰 부서는?", ent)
    assert not ambiguous and calls[0].tool == "registry_aggregate"
    assert calls[0].args["departments"] == [ICT, WATER] and "department" not in calls[0].args
    calls, _ = plan(f"{ICT} 사업들의 국비를 합하면?", Entities(departments=[ICT]))
    assert calls[0].args["field"] == "national_eok" and calls[0].args["op"] == "sum"


def test_a_project_named_in_full_hides_its_namesakes(world):
    """A name said in full is not also a partial mention of another card sharing its words
    (the demo has such pairs, e.g. two 배터리 projects)."""
    from control_tower.chat.graph.entities import _card_score, find_entities, squash

    cards = world[3]
    pairs = [
        (a, c)
        for a in cards
        for c in cards
        if a.id != c.id and 0.5 <= _card_score(squash(a.name), [], c) < 1.0
    ]
    assert pairs, "the demo should have projects whose names share words"
    a, namesake = pairs[0]
    other = next(c for c in cards if c.id not in (a.id, namesake.id) and len(c.name) > 8)
    ent = find_entities(f"{a.name}와 {other.name}의 예산 합계는?", AI_LEAD, cards, [])
    ids = {c.id for c in ent.cards}
    assert {a.id, other.id} <= ids and namesake.id not in ids
