"""The registry built from the real demo corpus: one card per project with its sources,
meeting notes and budget sheets attached, incremental rebuilds, edits that survive them,
and the build completing on rules alone when no LLM answers (issue 8, items 1–3 and 5)."""

from __future__ import annotations

import socket

import pytest

from control_tower.domain import Principal, Role

ADMIN = Principal(username="admin", roles={Role.admin})


def _cards(settings):
    from control_tower.registry.repo import RegistryRepo
    from control_tower.store import open_store

    return RegistryRepo(open_store(settings)).cards()


def _card(settings, name_part: str):
    matches = [c for c in _cards(settings) if name_part in c.name]
    assert len(matches) == 1, [c.name for c in matches]
    return matches[0]


def _files(card) -> set[str]:
    return {s.path.rsplit("/", 1)[-1] for s in card.sources()}


def test_demo_build_makes_cards_and_links_on_rules_alone(demo_registry):
    settings, report = demo_registry
    assert report.cards >= 35 and report.created == report.cards
    assert report.llm == "off" and report.llm_fields == 0
    assert report.links > 20 and report.problems == []


def test_a_plan_becomes_a_card_with_its_overview_values_and_citations(demo_registry):
    from control_tower.store import open_store

    settings, _ = demo_registry
    card = _card(settings, "포항시 통합 데이터 플랫폼")
    assert card.lead_department == "정보통신과"
    assert (card.value("start_year"), card.value("end_year")) == (2025, 2027)
    assert card.value("budget_eok") == pytest.approx(48.0)
    assert card.value("funding") == {"국비": 20.0, "도비": 6.0, "시비": 22.0}
    budget = card.first("budget_eok")
    assert budget.method in ("table", "rule") and budget.source.char_start is not None
    from control_tower.store.parsed import parsed_copies
    from ingest.chunking import full_text

    rec = open_store(settings).get_document(budget.source.doc_id)
    text = full_text(parsed_copies(settings.data_dir).load(rec.doc_id, rec.version))
    cited = text[budget.source.char_start : budget.source.char_end]
    assert "4,800" in cited


def test_meeting_notes_and_budget_sheets_attach_to_the_cards_they_name(demo_registry):
    settings, _ = demo_registry
    platform = _card(settings, "포항시 통합 데이터 플랫폼")
    files = _files(platform)
    assert any("정보화사업_예산_요구" in f for f in files), files  # the IT budget sheet
    assert any("조정회의_회의록" in f for f in files), files  # the coordination meeting
    names = [c.name for c in _cards(settings)]
    assert not any("회의록" in n or "조정회의" in n for n in names), names


def test_similar_work_of_two_departments_is_two_cards_joined_by_a_duplicate_link(demo_registry):
    from control_tower.registry.link_views import link_map
    from control_tower.store import open_store

    settings, _ = demo_registry
    hub, platform = _card(settings, "도시데이터 허브"), _card(settings, "포항시 통합 데이터 플랫폼")
    assert hub.id != platform.id and hub.lead_department != platform.lead_department
    lm = link_map(open_store(settings), ADMIN)
    pair = [lk for lk in lm.links if {lk.a, lk.b} == {hub.id, platform.id}]
    assert [lk.type for lk in pair] == ["중복"]
    assert {e.card for e in pair[0].evidence} == {hub.id, platform.id}
    flood = _card(settings, "도시침수")
    needs = [lk for lk in lm.links if lk.type == "선후" and lk.b == flood.id]
    assert platform.id in {lk.a for lk in needs}  # the platform is the prerequisite


def test_a_rebuild_without_changes_reads_nothing_and_changes_nothing(demo_copy):
    from control_tower.registry.build import build_registry
    from control_tower.store import open_store

    report = build_registry(demo_copy, open_store(demo_copy), use_llm=False, link=False)
    assert report.extracted == 0
    assert (report.created, report.updated, report.removed) == (0, 0, 0)
    assert report.unchanged == report.cards


def test_a_revised_plan_updates_its_card_only(demo_copy, tmp_path):
    from control_tower.domain import AccessLevel
    from control_tower.registry.build import build_registry
    from control_tower.store import open_store
    from ingest.pipeline import ingest_paths

    before = {c.id: c for c in _cards(demo_copy)}
    revised = tmp_path / "revised" / "통합_데이터_플랫폼_변경계획.txt"
    revised.parent.mkdir()
    revised.write_text(
        "포항시 통합 데이터 플랫폼 구축 변경계획\n\n□ 사업개요\n"
        "○ 사업명: 포항시 통합 데이터 플랫폼 구축\n○ 사업기간: 2025. 3. ~ 2028. 6.\n"
        "○ 사업비: 총 5,200백만원 (국비 2,200 / 도비 600 / 시비 2,400)\n"
        "○ 담당부서: 정보통신과 데이터정책팀\n",
        encoding="utf-8",
    )
    store = open_store(demo_copy)
    ingest_paths(
        [str(revised)], demo_copy, department="정보통신과", access=AccessLevel.internal, store=store
    )
    report = build_registry(demo_copy, store, use_llm=False, link=False)
    assert report.extracted == 1 and report.created == 0
    assert 1 <= report.updated <= 3, report
    card = _card(demo_copy, "포항시 통합 데이터 플랫폼")
    assert card.id in before
    values = [v.value for v in card.fields["budget_eok"]]
    assert values[:2] == [52.0, 48.0]  # the newest plan first, the first plan beside it
    assert card.value("end_year") == 2028


def test_an_edit_survives_rebuilds_and_can_be_reverted(demo_copy):
    from control_tower.registry.build import build_registry
    from control_tower.registry.edits import history
    from control_tower.registry.service import RegistryError, edit_card, get_card
    from control_tower.store import open_store

    store = open_store(demo_copy)
    card = _card(demo_copy, "포항형 도시데이터 허브")
    editor = Principal(username="ai_lead", department="디지털융합산업과", roles={Role.ai_division})
    edited = edit_card(store, editor, card.id, set_values={"budget_eok": "33.5", "status": "보류"})
    assert edited.value("budget_eok") == 33.5 and edited.first("budget_eok").by == "ai_lead"
    with pytest.raises(RegistryError) as bad:
        edit_card(store, editor, card.id, set_values={"budget_eok": "많음"})
    assert bad.value.status == 422
    staff = Principal(username="x", department="교통정책과", roles={Role.staff})
    with pytest.raises(RegistryError) as denied:
        edit_card(store, staff, card.id, set_values={"status": "완료"})
    assert denied.value.status == 403

    from control_tower.registry.repo import RegistryRepo

    RegistryRepo(store).drop_doc_states([s.doc_id for s in card.sources()])  # re-extract
    build_registry(demo_copy, store, use_llm=False, link=False)
    again = get_card(store, ADMIN, card.id)
    assert again.value("budget_eok") == 33.5 and again.value("status") == "보류"
    edit_card(store, editor, card.id, revert=["budget_eok"])
    assert get_card(store, ADMIN, card.id).value("budget_eok") == pytest.approx(35.0)
    events = history(store, card.id)
    assert [e["field"] for e in events].count("budget_eok") == 1
    assert any(e["reverted_by"] == "ai_lead" for e in events)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_with_no_llm_reachable_the_build_completes_on_rules_and_says_so_once(demo_copy):
    from control_tower.registry.build import build_registry
    from control_tower.registry.repo import RegistryRepo
    from control_tower.store import open_store

    settings = demo_copy.model_copy(update={"llm_url": f"http://127.0.0.1:{_closed_port()}/v1"})
    store = open_store(settings)
    repo = RegistryRepo(store)
    before = len(repo.cards())
    repo.drop_doc_states(list(repo.doc_states()))  # every document is extracted again
    report = build_registry(settings, store, use_llm=True, link=False)
    assert report.llm == "unavailable" and report.llm_fields == 0
    assert report.extracted == report.documents
    llm_notes = [n for n in report.notes if "LLM" in n]
    assert len(llm_notes) == 1 and "규칙" in llm_notes[0]
    assert report.cards == before
