"""The chat tools on the real demo registry: real values, bad arguments, and no leaks.

Every tool runs as a principal; whatever it returns (evidence, facts, data) must come only
from documents that principal may read, and computed values must equal what the registry
shows that principal (sums recomputed here independently from ``list_cards``).
"""

from __future__ import annotations

import json

import pytest

from control_tower.domain import Principal, Role
from tests.registry_demo_fixtures import demo_registry  # noqa: F401 - pytest fixture

TRAFFIC = "교통정책과"
TRAFFIC_STAFF = Principal(username="traffic_staff", department=TRAFFIC, roles={Role.staff})
ADMIN = Principal(username="root", department=None, roles={Role.admin})


@pytest.fixture(scope="module")
def world(demo_registry):  # noqa: F811
    from control_tower.retrieval import Retriever
    from control_tower.store import open_store

    settings, _ = demo_registry
    return settings, open_store(settings), Retriever(settings)


def ctx_for(world, principal):  # noqa: ANN001, ANN201
    from control_tower.chat.tools.base import ToolContext

    settings, store, retriever = world
    return ToolContext(settings=settings, store=store, retriever=retriever, principal=principal)


def call(world, principal, tool: str, **args):  # noqa: ANN001, ANN201
    from control_tower.chat.tools import tool_by_name

    return tool_by_name(tool).call(ctx_for(world, principal), args)


def check_shape(result) -> None:  # noqa: ANN001
    """Evidence is citable (display path, text) and every fact points at existing evidence."""
    for ev in result.evidence:
        assert ev.doc_id and ev.text, ev
        assert "/" in ev.path and not ev.path.startswith("/"), ev.path
        assert "demo_corpus" not in ev.path and "uploads" not in ev.path, ev.path
    for fact in result.facts:
        assert fact.sentence.endswith("."), fact
        assert all(0 <= i < len(result.evidence) for i in fact.evidence), fact


def test_catalog_names_and_schemas():
    from control_tower.chat.tools import all_tools, tool_by_name

    names = [t.name for t in all_tools()]
    assert names[:5] == [
        "search_documents",
        "find_projects",
        "get_project",
        "registry_aggregate",
        "related_projects",
    ]
    for tool in all_tools():
        assert tool.description and tool.Input.model_json_schema()
    from control_tower.chat.tools.base import ToolError

    with pytest.raises(ToolError):
        tool_by_name("nope")


def test_search_documents_returns_citable_hits(world):
    r = call(world, ADMIN, "search_documents", query="AI 영상분석 교통안전 CCTV", k=5)
    assert r.ok and r.evidence, r
    check_shape(r)
    assert all(e.chunk_id for e in r.evidence)
    assert any("교통" in e.title for e in r.evidence)
    assert len(r.data["hits"]) == len(r.evidence)
    only = call(world, ADMIN, "search_documents", query="AI 사업", department=TRAFFIC, k=3)
    assert only.ok and all(e.department == TRAFFIC for e in only.evidence)


def test_get_project_budget_fact_is_22_eok(world):
    r = call(world, TRAFFIC_STAFF, "get_project", name="AI 영상분석 기반 교통안전 시스템 구축")
    assert r.ok, r
    check_shape(r)
    card = r.data["cards"][0]
    assert "교통안전" in card["name"] and card["budget_eok"] == 22
    budget = next(f for f in r.facts if f.label.endswith("사업비"))
    assert budget.value == "22억원"
    assert budget.sentence == f"{card['name']} 사업의 사업비는 22억원입니다."
    assert budget.evidence, "the budget fact must cite its source passage"
    by_id = call(world, TRAFFIC_STAFF, "get_project", card_id=card["card_id"])
    assert by_id.data["cards"][0]["card_id"] == card["card_id"]


def test_find_projects_by_department(world):
    from control_tower.registry.service import list_cards

    _, store, _ = world
    r = call(world, TRAFFIC_STAFF, "find_projects", department=TRAFFIC)
    want = [c.id for c in list_cards(store, TRAFFIC_STAFF, department=TRAFFIC)][:10]
    assert r.ok and want and [c["card_id"] for c in r.data["cards"]] == want
    check_shape(r)
    assert any(f.label.endswith("사업비") for f in r.facts)
    fuzzy = call(world, TRAFFIC_STAFF, "get_project", name="AI 영상분석 교통안전 사업 예산은?")
    assert fuzzy.ok and "교통안전" in fuzzy.data["cards"][0]["name"]


def test_aggregate_sum_equals_independent_sum(world):
    from control_tower.registry.service import list_cards
    from control_tower.roadmap.textfmt import fmt_eok

    _, store, _ = world
    cards = [c for c in list_cards(store, TRAFFIC_STAFF) if c.lead_department == TRAFFIC]
    budgets = [c.value("budget_eok") for c in cards]
    expected = round(sum(float(b) for b in budgets if b is not None), 2)
    missing = sum(1 for b in budgets if b is None)
    r = call(
        world, TRAFFIC_STAFF, "registry_aggregate", op="sum", field="budget_eok", department=TRAFFIC
    )
    assert r.ok, r
    check_shape(r)
    assert r.data["result"] == expected and r.data["missing"] == missing
    assert r.data["cards"] == len(cards)
    fact = r.facts[0]
    assert fact.value == fmt_eok(expected) and fmt_eok(expected) in fact.sentence
    if missing:
        assert f"{missing}건 제외" in fact.sentence and f"{missing}건 제외" in r.summary
    count = call(world, TRAFFIC_STAFF, "registry_aggregate", op="count", department=TRAFFIC)
    assert count.facts[0].value == f"{len(cards)}건"
    top = call(world, TRAFFIC_STAFF, "registry_aggregate", op="max", department=TRAFFIC)
    best = max(
        (c for c in cards if c.value("budget_eok") is not None), key=lambda c: c.value("budget_eok")
    )
    assert best.name in top.facts[0].value and best.name in top.facts[0].sentence


def test_no_duplicate_falls_back_to_the_departments_other_links(world):
    """ "우리 과와 겹치는 사업?" for a department the linker gave no 중복: its other links, with the
    step saying so — not an empty answer."""
    typed = call(world, ADMIN, "related_projects", department="보건소", link_type="중복")
    every = call(world, ADMIN, "related_projects", department="보건소")
    assert typed.ok and every.ok
    if every.data["links"] and not any(lk["type"] == "중복" for lk in every.data["links"]):
        assert typed.summary.startswith("중복 관계 없음")
        assert typed.data["links"] == every.data["links"] and typed.facts
    else:
        assert all(lk["type"] == "중복" for lk in typed.data["links"])


def test_related_projects_finds_the_flood_duplicate(world):
    from control_tower.registry.service import list_cards

    _, store, _ = world
    flood = next(
        c
        for c in list_cards(store, ADMIN)
        if "하천 범람" in c.name or ("범람" in c.name and "재난" in (c.lead_department or ""))
    )
    r = call(world, ADMIN, "related_projects", card_id=flood.id)
    assert r.ok, r
    check_shape(r)
    others = {lk["other_card_name"]: lk for lk in r.data["links"]}
    assert any("침수" in n for n in others), others
    link = next(v for n, v in others.items() if "침수" in n)
    assert link["type"] == "중복" and link["other_department"] == "상하수도과"
    fact = next(f for f in r.facts if "침수" in f.sentence)
    assert "중복 가능성이 있습니다(유사도" in fact.sentence and fact.evidence
    dept = call(world, ADMIN, "related_projects", department="재난안전과")
    assert dept.ok and all(lk["other_department"] != "재난안전과" for lk in dept.data["links"])


def test_suggest_projects_for_own_department(world):
    r = call(world, TRAFFIC_STAFF, "suggest_projects", department=TRAFFIC, top=3)
    assert r.ok, r
    check_shape(r)
    assert r.data["department"] == TRAFFIC and len(r.facts) == len(r.data["ideas"]) <= 3


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("search_documents", {"query": ""}),
        ("search_documents", {"query": "x", "k": 50}),
        ("registry_aggregate", {"op": "median"}),
        ("registry_aggregate", {"field": "name"}),
        ("find_projects", {}),
        ("related_projects", {}),
        ("related_projects", {"card_id": "no-such-card"}),
    ],
)
def test_bad_arguments_are_korean_errors(world, name, args):
    r = call(world, TRAFFIC_STAFF, name, **args)
    assert not r.ok and r.error and any("가" <= ch <= "힣" for ch in r.error), r
    assert not r.evidence and not r.facts


def test_no_tool_leaks_an_unreadable_document(world):
    """A staff of 교통정책과 gets nothing from restricted or other departments' own documents."""
    from control_tower.access import can_read

    _, store, _ = world
    hidden = {
        d.doc_id: d.to_meta().title
        for d in store.list_documents()
        if not can_read(TRAFFIC_STAFF, d.to_meta())
    }
    assert len(hidden) >= 4  # restricted (budget, ict, general) and department-only docs
    calls = [
        ("search_documents", {"query": "2026년 본예산 부서별 협의 내부자료", "k": 10}),
        ("search_documents", {"query": "정보보안 점검 결과 취약점", "k": 10}),
        ("search_documents", {"query": "상수도 요금 현실화 방안", "k": 10}),
        ("search_documents", {"query": "철강 기업지원사업 집행 현황", "k": 10}),
        ("find_projects", {"name": "정보보안"}),
        ("registry_aggregate", {"op": "list", "top": 50}),
        ("registry_aggregate", {"op": "sum", "department": "기획예산과"}),
        ("registry_aggregate", {"op": "sum", "department": "정보통신과"}),
        ("related_projects", {"department": TRAFFIC}),
        ("related_projects", {"department": "정보통신과"}),
        ("suggest_projects", {"department": TRAFFIC}),
    ]
    for name, args in calls:
        r = call(world, TRAFFIC_STAFF, name, **args)
        assert r.ok, (name, r)
        leaked = {e.doc_id for e in r.evidence} & set(hidden)
        assert not leaked, (name, args, [hidden[d] for d in leaked])
        dumped = json.dumps(r.model_dump(), ensure_ascii=False)
        for title in hidden.values():
            assert title not in dumped, (name, args, title)
