"""Resolution of mentions into cards (pure logic, hand-made mentions): same project = the
documents name it, in the same lead department, with numbers that do not contradict."""

from __future__ import annotations

from datetime import date

from control_tower.registry.project_names import core_key, name_similarity, tokens
from control_tower.registry.resolve import carry_ids, resolve
from control_tower.registry.types import FieldValue, Mention, SourceRef


def mention(name, dept, doc, *, role="primary", budget=None, start=None, day=1, row=None):
    src = SourceRef(doc_id=doc, department=dept, doc_date=date(2025, 1, day), row=row)
    fields = {"name": FieldValue(value=name, method="rule", source=src)}
    if budget is not None:
        fields["budget_eok"] = FieldValue(value=budget, method="table", source=src)
    if start is not None:
        fields["start_year"] = FieldValue(value=start, method="rule", source=src)
    return Mention(name=name, role=role, lead_department=dept, fields=fields, source=src)


def test_core_keys_ignore_city_prefix_spacing_and_generic_endings():
    assert core_key("포항시 통합 데이터 플랫폼 구축") == core_key("통합데이터 플랫폼")
    assert core_key("AI 기반 병해충 예찰 서비스 도입") == core_key("AI 병해충 예찰")
    assert core_key("통합 데이터 플랫폼 구축(2차년도)") == core_key("통합 데이터 플랫폼")
    assert name_similarity("포항형 도시데이터 허브 구축", "포항시 통합 데이터 플랫폼 구축") < 0.5
    assert tokens("빅데이터 기반 위기가구 발굴") <= tokens(
        "빅데이터 기반 복지 사각지대 위기가구 발굴"
    )


def test_one_project_in_several_documents_is_one_card_with_every_source():
    cards, dropped = resolve(
        [
            mention("포항시 통합 데이터 플랫폼 구축", "정보통신과", "plan", budget=48.0, day=1),
            mention(
                "통합 데이터 플랫폼 구축",
                "정보통신과",
                "sheet",
                role="reference",
                budget=19.0,
                day=9,
            ),
            mention("포항시 통합 데이터 플랫폼 구축", "정보통신과", "revised", budget=52.0, day=20),
        ]
    )
    assert dropped == 0 and len(cards) == 1
    card = cards[0]
    assert {s.doc_id for s in card.sources()} == {"plan", "sheet", "revised"}
    # plans first (newest first), the budget sheet's annual amount after them
    assert [v.value for v in card.fields["budget_eok"]] == [52.0, 48.0, 19.0]


def test_similar_work_of_two_departments_stays_two_cards():
    cards, _ = resolve(
        [
            mention("AI 안부확인 돌봄 서비스", "복지정책과", "a"),
            mention("AI 안부확인 돌봄 서비스", "보건소", "b"),
        ]
    )
    assert len(cards) == 2 and {c.lead_department for c in cards} == {"복지정책과", "보건소"}


def test_contradicting_budgets_or_periods_are_different_projects():
    cards, _ = resolve(
        [
            mention("스마트 가로등 설치", "도로과", "a", budget=2.0, start=2021),
            mention("스마트 가로등 설치", "도로과", "b", budget=30.0, start=2025),
        ]
    )
    assert len(cards) == 2


def test_a_budget_row_with_a_short_name_attaches_to_its_departments_project():
    cards, _ = resolve(
        [
            mention("철강 뿌리기업 AI 비전 품질검사 보급", "철강산업과", "plan", budget=12.0),
            mention("AI 비전 품질검사 보급", "철강산업과", "sheet", role="reference", budget=12.0),
        ]
    )
    assert len(cards) == 1 and len(cards[0].sources()) == 2


def test_a_reference_naming_nothing_starts_a_card_only_with_a_budget_of_its_own():
    cards, dropped = resolve(
        [
            mention("경로당 냉난방비 지원", "복지정책과", "sheet", role="reference", budget=21.4),
            mention("읍면동 순회 상담", "복지정책과", "notes", role="reference"),
        ]
    )
    assert [c.name for c in cards] == ["경로당 냉난방비 지원"] and dropped == 1


def test_card_ids_are_stable_and_carried_over_when_the_seed_document_goes():
    ms = [
        mention("도시침수 AI 예측 시스템 구축", "상하수도과", "plan", day=3),
        mention(
            "도시침수 AI 예측 시스템", "상하수도과", "sheet", role="reference", budget=29.0, day=9
        ),
    ]
    first, _ = resolve(ms)
    again, _ = resolve(list(reversed(ms)))
    assert first[0].id == again[0].id
    previous = {first[0].id: {"plan", "sheet"}}
    without_plan, _ = resolve(ms[1:])
    assert without_plan[0].id != first[0].id
    assert carry_ids(without_plan, previous)[0].id == first[0].id


def test_documents_naming_a_card_attach_as_cited_mentions():
    from control_tower.domain import Block, ParsedDocument
    from control_tower.registry.attach import DocumentText, attach

    cards, _ = resolve(
        [
            mention("사용후 배터리 인라인 자동평가센터 구축", "배터리산업과", "plan"),
            mention("이차전지 공정 AI 품질예측 플랫폼 구축", "배터리산업과", "plan2"),
            mention("포항시 통합 데이터 플랫폼 구축", "정보통신과", "plan3"),
        ]
    )
    notes = ParsedDocument(
        parser="test",
        blocks=[
            Block(text="1. 협의 결과"),
            Block(text="배터리산업과: 자동평가센터 시비 부담분 35억원 반영"),
            Block(text="통합 데이터 플랫폼 2차년도 전액 반영"),
            Block(text="배터리산업과: 공정 개선 검토"),  # the department alone names nothing
        ],
    )
    base = SourceRef(doc_id="notes", title="협의 결과", department="기획예산과")
    attach(cards, [DocumentText(base, notes)])
    by_name = {c.name: c for c in cards}
    center = by_name["사용후 배터리 인라인 자동평가센터 구축"]
    assert [(p.kind, p.source.doc_id) for p in center.passages] == [("mention", "notes")]
    start = center.passages[0].source.char_start
    assert (
        notes.blocks[1].text
        == "\n\n".join(b.text for b in notes.blocks)[start:][: len(notes.blocks[1].text)]
    )
    assert [p.text for p in by_name["포항시 통합 데이터 플랫폼 구축"].passages] == [
        "통합 데이터 플랫폼 2차년도 전액 반영"
    ]
    assert by_name["이차전지 공정 AI 품질예측 플랫폼 구축"].passages == []
