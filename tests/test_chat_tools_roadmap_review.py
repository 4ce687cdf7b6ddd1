"""The chat's roadmap_section and review_proposal tools on the real demo registry, and a whole
turn over the graph (deterministic path): values computed from the roadmap structure, every
citation readable by the caller, and no leaks.

The world is a private copy of the session's demo data dir (the drafts written here must not
reach other tests) with one extra document, restricted to ``ai_lead``, whose project becomes
an initiative only in ``ai_lead``'s draft: the leak test's subject. Two drafts, no LLM:
``narrow`` by an AI-division planner of 교통정책과 (what 교통정책과's head may read; one of
its initiatives moved to 중기 with the structure editor), then ``wide`` by ``ai_lead`` (the
newest, over documents 교통정책과 may not read).
"""

from __future__ import annotations

import asyncio
import json
import shutil

import pytest

from control_tower.domain import Principal, Role
from tests.registry_demo_fixtures import demo_settings

TRAFFIC = "교통정책과"
PLANNER = Principal(username="traffic_planner", department=TRAFFIC, roles={Role.ai_division})
SECRET_KEY = "proposal-library-ai-books"  # a demo proposal, ingested as a restricted document
MOVED = "AI 스마트 신호제어 시스템 도입"  # a 교통정책과 initiative moved to 중기 in ``narrow``
YEARS = (2026, 2030)


def _proposal_file(key: str, out) -> tuple[str, object]:  # noqa: ANN001
    from control_tower.demo.proposals import load_proposals, write_proposals

    paths = write_proposals(out)
    for (department, doc), path in zip(load_proposals(), paths, strict=True):
        if doc.key == key:
            return department, path
    raise KeyError(key)


@pytest.fixture(scope="module")
def world(demo_registry, tmp_path_factory):
    from control_tower.chat.service import ChatService
    from control_tower.registry.build import build_registry
    from control_tower.retrieval import Retriever
    from control_tower.roadmap.service import draft_roadmap, edit_structure
    from control_tower.roadmap.types import Guidance
    from control_tower.store import open_store
    from ingest.pipeline import ingest_paths

    base, _ = demo_registry
    root = tmp_path_factory.mktemp("chat_roadmap_review")
    data = root / "data"
    shutil.copytree(base.data_dir, data, ignore=shutil.ignore_patterns("*.lock"))
    settings = demo_settings(data, base.models_dir).model_copy(update={"chat_use_llm": False})
    store = open_store(settings)
    retriever = Retriever(settings)
    world = {"settings": settings, "store": store, "retriever": retriever}
    # before any draft: the tool says there is none
    world["before"] = call(world, store.get_user("traffic_head"), "roadmap_section", query="로드맵")
    department, path = _proposal_file(SECRET_KEY, root / "proposals")
    report = ingest_paths(
        [str(path)], settings, department=department, access="restricted", allowed_users=["ai_lead"]
    )
    secret = report.files[0].doc_id
    assert secret and report.counts["indexed"] == 1
    build_registry(settings, store, use_llm=False)
    guidance = Guidance(from_year=YEARS[0], to_year=YEARS[1], ceiling_eok=60, staff_count=1500)
    narrow = draft_roadmap(settings, store, PLANNER, guidance, use_llm=False)
    moved = next(i for i in narrow.structure.initiatives if i.title == MOVED)
    narrow = edit_structure(
        store, PLANNER, narrow.draft_id, {"initiative": moved.id, "phase": "중기"}
    )
    wide = draft_roadmap(settings, store, store.get_user("ai_lead"), guidance, use_llm=False)
    chat = ChatService(settings, store, retriever)
    return world | {"secret": secret, "narrow": narrow, "wide": wide, "chat": chat}


def call(world, principal, tool: str, **args):  # noqa: ANN001, ANN201
    from control_tower.chat.tools import tool_by_name
    from control_tower.chat.tools.base import ToolContext

    ctx = ToolContext(
        settings=world["settings"],
        store=world["store"],
        retriever=world["retriever"],
        principal=principal,
    )
    return tool_by_name(tool).call(ctx, args)


def user(world, name: str) -> Principal:  # noqa: ANN001
    return world["store"].get_user(name)


def readable(world, principal, doc_id: str) -> bool:  # noqa: ANN001
    from control_tower.chat.graph.evidence import may_read_cited

    return may_read_cited(world["store"], principal, doc_id)


def check_shape(result) -> None:  # noqa: ANN001
    for ev in result.evidence:
        assert ev.doc_id and ev.text, ev
        assert "/" in ev.path and not ev.path.startswith("/"), ev.path
        assert "demo_corpus" not in ev.path and "uploads" not in ev.path, ev.path
    for fact in result.facts:
        assert fact.sentence.endswith(".") and fact.evidence, fact
        assert all(0 <= i < len(result.evidence) for i in fact.evidence), fact


def test_both_tools_are_registered():
    from control_tower.chat.tools import all_tools

    names = [t.name for t in all_tools()]
    assert {"roadmap_section", "review_proposal"} <= set(names)
    for tool in all_tools():
        assert tool.description and tool.Input.model_json_schema()


def test_no_roadmap_yet_and_staff_are_refused_in_korean(world):
    before = world["before"]
    assert not before.ok and "아직 작성된 로드맵이 없습니다" in before.error
    staff = call(world, user(world, "traffic_staff"), "roadmap_section", query="로드맵 비전")
    assert not staff.ok and "부서장" in staff.error and not staff.evidence and not staff.facts


def test_a_department_head_gets_their_departments_initiatives_cited(world):
    from control_tower.domain import name_key

    head = user(world, "traffic_head")
    r = call(
        world, head, "roadmap_section", query="로드맵에서 우리 과 추진과제", department=TRAFFIC
    )
    assert r.ok, r.error
    check_shape(r)
    narrow = world["narrow"]
    assert r.data["draft_id"] == narrow.draft_id  # the newest draft this head may view
    want = {i.title for i in narrow.structure.initiatives if TRAFFIC in i.departments}
    got = {i["title"] for i in r.data["initiatives"]}
    assert want and got == want
    for ini in r.data["initiatives"]:
        assert any(name_key(TRAFFIC) == name_key(d) for d in ini["departments"])
        source = next(i for i in narrow.structure.initiatives if i.id == ini["id"])
        assert ini["budget_total_eok"] == source.budget_total  # computed from the structure
    assert r.facts[0].sentence.endswith(f"{TRAFFIC} 추진과제는 {len(want)}개입니다.")
    for title in want:
        assert any(title in f.sentence for f in r.facts), title
    assert all(readable(world, head, e.doc_id) for e in r.evidence)
    section = r.evidence[0]
    assert section.doc_id == f"roadmap:{narrow.draft_id}" and section.section == "Ⅳ. 추진과제"
    assert section.text and "[1]" not in section.text  # the roadmap's own markers stripped
    # the phase as a word, as a number and parsed from the query
    mid = call(world, head, "roadmap_section", query="로드맵 2단계 과제", department=TRAFFIC)
    assert mid.ok and mid.data["phase"] == "중기"
    assert [i["title"] for i in mid.data["initiatives"]] == [MOVED]
    assert mid.evidence[0].section == "Ⅴ. 단계별 추진 로드맵"
    same = call(world, head, "roadmap_section", query="과제", department=TRAFFIC, phase="중기")
    assert same.data["initiatives"] == mid.data["initiatives"]
    governance = call(world, head, "roadmap_section", query="로드맵의 추진 체계와 교육 계획은?")
    assert governance.ok and governance.data["section_key"] == "governance"
    assert not governance.data["initiatives"] and governance.evidence[0].text
    vision = call(world, head, "roadmap_section", query="로드맵 비전이 뭐야?")
    assert vision.ok and vision.data["section_key"] == "vision"
    assert [f.value for f in vision.facts] == [narrow.structure.vision]


def test_an_initiative_only_a_restricted_document_backs_never_reaches_others(world):
    from control_tower.chat.graph.evidence import passage_url

    secret, wide, narrow = world["secret"], world["wide"], world["narrow"]
    backed = [i for i in wide.structure.initiatives if {s.doc_id for s in i.sources} == {secret}]
    assert backed, "the restricted document's project is an initiative of ai_lead's draft"
    title = backed[0].title
    question = {"query": "로드맵 추진과제 전체 목록"}
    # positive control: its reader gets it, cited by the restricted document
    lead = call(world, user(world, "ai_lead"), "roadmap_section", **question)
    assert lead.ok and lead.data["draft_id"] == wide.draft_id
    assert title in {i["title"] for i in lead.data["initiatives"]}
    assert secret in {e.doc_id for e in lead.evidence}
    assert any(title in f.sentence for f in lead.facts)
    # a department head who may not read it: another draft, nothing of it anywhere
    for name in ("traffic_head", "welfare_head"):
        principal = user(world, name)
        r = call(world, principal, "roadmap_section", **question)
        dumped = json.dumps(r.model_dump(mode="json"), ensure_ascii=False)
        assert secret not in dumped and title not in dumped, name
        assert wide.draft_id not in dumped, name
        if r.ok:
            assert r.data["draft_id"] == narrow.draft_id
            assert all(readable(world, principal, e.doc_id) for e in r.evidence)
        # naming the draft does not help: it is "not found", as for a draft that does not exist
        named = call(world, principal, "roadmap_section", draft_id=wide.draft_id, **question)
        assert not named.ok and not named.evidence and "찾을 수 없거나" in named.error
        assert title not in json.dumps(named.model_dump(mode="json"), ensure_ascii=False)
    # its citation opens the workspace at the section (the element id the template gives it)
    sec = lead.evidence[0]
    assert passage_url(sec) == f"/roadmap/{wide.draft_id}#section-initiatives"


def _proposal_text(world, key: str) -> str:  # noqa: ANN001
    from ingest.chunking import full_text
    from ingest.parsers import parse_file

    _, path = _proposal_file(key, world["settings"].data_dir.parent / f"p-{key}")
    return full_text(parse_file(path))


@pytest.mark.parametrize(
    "key", ["proposal-senior-ai-speaker", "proposal-road-pothole-ai", "proposal-sports-center"]
)
def test_review_proposal_text_gets_the_ground_truth_verdict(world, key):
    from pathlib import Path

    labels = json.loads(
        (Path(__file__).resolve().parents[1] / "evals/data/review_labels.json").read_text("utf-8")
    )
    label = next(p for p in labels["proposals"] if p["key"] == key)
    admin = user(world, "admin")
    r = call(world, admin, "review_proposal", text=_proposal_text(world, key))
    assert r.ok, r.error
    check_shape(r)
    assert r.data["verdict"] == label["verdict"]
    assert r.facts[0].value == label["verdict"] and f"'{label['verdict']}'" in r.facts[0].sentence
    assert r.evidence[0].doc_id.startswith("review:")  # the pasted text itself
    assert len(r.facts) == 1 + len(r.data["matches"])
    if label["verdict"] != "추진":
        assert r.data["matches"] and len(r.evidence) > 1
    assert all(readable(world, admin, e.doc_id) for e in r.evidence)
    assert not list((world["settings"].data_dir / "tmp").glob("chat-review-*"))  # deleted


def test_review_proposal_refuses_bad_input(world):
    from control_tower.registry.review import NO_PROJECT

    head = user(world, "traffic_head")
    chat = "오늘 회의에서는 점심 메뉴와 주차 문제, 다음 달 체육대회 일정을 이야기했습니다. " * 2
    r = call(world, head, "review_proposal", text=chat)
    assert not r.ok and r.error == NO_PROJECT
    short = call(world, head, "review_proposal", text="너무 짧은 글")
    assert not short.ok and "인자" in short.error
    assert not call(world, head, "review_proposal").ok


def test_review_of_a_stored_document_only_for_its_readers(world):
    secret = world["secret"]
    lead = call(world, user(world, "ai_lead"), "review_proposal", doc_id=secret)
    assert lead.ok, lead.error
    assert lead.evidence[0].doc_id == secret
    assert lead.data["verdict"] == "추진"  # its own card is not a duplicate of itself
    head = call(world, user(world, "traffic_head"), "review_proposal", doc_id=secret)
    assert not head.ok and "볼 권한이 없습니다" in head.error and not head.evidence


def test_a_phase_question_over_the_graph_answers_with_cited_initiatives(world):
    from control_tower.chat.recheck import HIDDEN, recheck_turn
    from control_tower.chat.types import Turn
    from serving.routers.ui_chat_render import answer_html

    head = user(world, "traffic_head")
    question = "로드맵 2단계에 우리 과 과제가 뭐가 있지?"
    answer = asyncio.run(world["chat"].aask(head, question, surface="test"))
    assert [s.tool for s in answer.steps] == ["roadmap_section"], answer.steps
    assert answer.steps[0].args.get("phase") == "2단계" and answer.steps[0].ok
    assert MOVED in answer.answer and "중기" in answer.answer and not answer.not_found
    assert "[1]" in answer.answer and answer.citations and not answer.flagged
    narrow = world["narrow"]
    cited = {c.doc_id for c in answer.citations}
    assert f"roadmap:{narrow.draft_id}" in cited
    moved = next(i for i in narrow.structure.initiatives if i.title == MOVED)
    assert {s.doc_id for s in moved.sources} <= cited
    assert all(readable(world, head, d) for d in cited)
    roadmap = next(c for c in answer.citations if c.doc_id.startswith("roadmap:"))
    assert roadmap.url == f"/roadmap/{narrow.draft_id}#section-phases"
    assert f'href="/roadmap/{narrow.draft_id}#section-phases"' in str(answer_html(answer))
    # a stored answer citing the roadmap is shown again only to who may still view it
    turn = Turn(question=question, answer=answer)
    assert recheck_turn(world["store"], head, turn).answer.answer == answer.answer
    demoted = Principal(username="traffic_head", department=TRAFFIC, roles={Role.staff})
    assert recheck_turn(world["store"], demoted, turn).answer.answer == HIDDEN
