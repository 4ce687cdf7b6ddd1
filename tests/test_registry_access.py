"""The registry never shows a caller anything from a document they may not read: not a card,
not a field value, not a passage, not a link, not a review match (issue 8, item 8).

Real pipeline: text plans of two departments at every access level are ingested (real
parser, real Chroma + BM25 index, real store on disk), the registry is built, and every
surface is read as staff of department A, B and C, an admin and an anonymous caller.
"""

from __future__ import annotations

import json

import pytest

from control_tower.domain import Principal, Role
from tests.registry_access_fixtures import (
    DEPT_A,
    DEPT_B,
    DEPT_C,
    SECRETS_OF_B_HIDDEN,
    ingest_world,
    plan,
)

STAFF_A = Principal(username="a_staff", department=DEPT_A, roles={Role.staff})
STAFF_B = Principal(username="b_staff", department=DEPT_B, roles={Role.staff})
STAFF_C = Principal(username="c_staff", department=DEPT_C, roles={Role.staff})
ADMIN = Principal(username="root", department=None, roles={Role.admin})
ANON = Principal.anonymous()


@pytest.fixture(scope="module")
def world(tmp_path_factory, models_dir):
    from control_tower.registry.build import build_registry
    from control_tower.settings import Settings
    from control_tower.store import open_store

    root = tmp_path_factory.mktemp("registry_access")
    settings = Settings(_env_file=None, data_dir=root / "data", models_dir=models_dir)
    settings.data_dir.mkdir(parents=True)
    ingest_world(settings, root / "docs")
    store = open_store(settings)
    report = build_registry(settings, store, use_llm=False)
    assert report.cards >= 4, report
    return settings, store


def _names(store, who) -> set[str]:
    from control_tower.registry.service import list_cards

    return {c.name for c in list_cards(store, who)}


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)


def _card_by_name(store, fragment: str):
    from control_tower.registry.repo import RegistryRepo

    return next(c for c in RegistryRepo(store).cards() if fragment in c.name)


def test_each_caller_sees_exactly_the_cards_of_documents_they_may_read(world):
    _, store = world
    everything = _names(store, ADMIN)
    dept_b = next(n for n in everything if "qzsecretdept" in n)
    restricted = next(n for n in everything if "qzsecretrestricted" in n)
    public = next(n for n in everything if "교차로" in n)
    care = next(n for n in everything if "돌봄" in n)
    assert _names(store, ANON) == {public}
    assert _names(store, STAFF_A) == {public, care}
    assert _names(store, STAFF_B) == {public, care, dept_b}
    assert _names(store, STAFF_C) == {public, care, restricted}


def test_no_secret_of_a_hidden_document_in_any_card_json_of_department_a(world):
    from control_tower.registry.service import list_cards
    from control_tower.registry.views import card_json, location_path

    _, store = world
    dumped = _dump([card_json(c, location_path, detail=True) for c in list_cards(store, STAFF_A)])
    for secret in SECRETS_OF_B_HIDDEN:
        assert secret not in dumped


def test_a_field_whose_only_source_is_unreadable_is_hidden_from_that_caller(world):
    from control_tower.registry.service import get_card

    _, store = world
    card_id = _card_by_name(store, "돌봄").id
    full = get_card(store, ADMIN, card_id)
    budgets = sorted(v.value for v in full.fields["budget_eok"])
    assert budgets == [4.8, 5.33]  # both documents' values, side by side
    seen_by_a = get_card(store, STAFF_A, card_id)
    assert [v.value for v in seen_by_a.fields["budget_eok"]] == [4.8]
    assert "qzsecretrevision" not in _dump(seen_by_a.model_dump())
    assert len(seen_by_a.sources()) == 1 and len(full.sources()) == 2


def test_direct_id_of_a_hidden_card_answers_like_an_unknown_id(world):
    from control_tower.registry.service import RegistryError, get_card

    _, store = world
    hidden = _card_by_name(store, "qzsecretdept").id
    with pytest.raises(RegistryError) as hidden_err:
        get_card(store, STAFF_A, hidden)
    with pytest.raises(RegistryError) as unknown_err:
        get_card(store, STAFF_A, "p-000000000000")
    assert (hidden_err.value.status, hidden_err.value.message_ko) == (
        unknown_err.value.status,
        unknown_err.value.message_ko,
    )
    assert get_card(store, STAFF_B, hidden).name.startswith("qzsecretdept")


def test_links_and_clusters_only_over_what_the_caller_sees(world):
    from control_tower.registry.link_json import cluster_json, link_json
    from control_tower.registry.link_views import link_map

    _, store = world
    hidden = {_card_by_name(store, "qzsecret").id, _card_by_name(store, "qzsecretrestricted").id}
    lm = link_map(store, STAFF_A)
    assert not hidden & set(lm.cards)
    for lk in lm.links:
        assert lk.a in lm.cards and lk.b in lm.cards
    dumped = _dump(
        {
            "links": [link_json(lk, lm.cards) for lk in lm.links],
            "clusters": [cluster_json(c, lm.cards) for c in lm.clusters],
        }
    )
    for secret in SECRETS_OF_B_HIDDEN:
        assert secret not in dumped


def test_review_matches_only_cards_the_caller_may_see(world, tmp_path):
    from control_tower.registry.review import review_file

    settings, store = world
    proposal = tmp_path / "proposal.txt"
    proposal.write_text(
        plan(
            "위기가구 예측 AI 모델 구축",
            DEPT_A,
            "총 7억원 (국비 3억, 시비 4억)",
            "단전·단수 데이터로 위기가구를 예측한다.",
        ),
        encoding="utf-8",
    )
    as_b = review_file(settings, store, STAFF_B, proposal)
    assert as_b.verdict == "재검토"
    assert "qzsecretdept" in as_b.matches[0].name
    as_a = review_file(settings, store, STAFF_A, proposal)
    dumped = _dump(as_a.model_dump())
    for secret in SECRETS_OF_B_HIDDEN:
        assert secret not in dumped
    assert as_a.verdict != "재검토"


def test_an_imported_list_is_readable_under_its_own_access_level(world, tmp_path):
    from control_tower.domain import AccessLevel
    from control_tower.registry.build import build_registry
    from control_tower.registry.imports import import_project_list
    from control_tower.registry.mappings import ColumnMapping

    settings, store = world
    listing = tmp_path / "list.csv"
    listing.write_text(
        "부서,사업명,예산\n복지정책과,qzsecretimport 취약계층 AI 상담 시범,300000000\n",
        encoding="utf-8",
    )
    mapping = ColumnMapping.model_validate(
        {"fields": {"name": "사업명"}, "department": "부서", "budget": "예산", "budget_unit": "원"}
    )
    report = import_project_list(
        store, listing, mapping, department=DEPT_B, access=AccessLevel.department
    )
    assert report.imported == 1
    build_registry(settings, store, use_llm=False, link=False)
    assert any("qzsecretimport" in n for n in _names(store, STAFF_B))
    assert not any("qzsecretimport" in n for n in _names(store, STAFF_A))
    assert not any("qzsecretimport" in n for n in _names(store, ANON))
    # a stored chat answer citing the list is shown again under the list's level, not hidden
    # for everyone (an import has no document row) nor shown to everyone
    from control_tower.chat.recheck import HIDDEN, recheck_turn
    from control_tower.chat.types import ChatAnswer, ChatCitation, Turn

    cite = ChatCitation(n=1, doc_id=f"import:{report.import_id}", title="list.csv", text="…")
    answer = ChatAnswer(
        conversation_id="c1", answer="qzsecretimport 사업입니다 [1].", citations=[cite]
    )
    turn = Turn(question="사업은?", answer=answer)
    assert recheck_turn(store, STAFF_B, turn).answer.answer == answer.answer
    for outsider in (STAFF_A, ANON):
        assert recheck_turn(store, outsider, turn).answer.answer == HIDDEN
