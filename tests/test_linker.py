"""Linker unit tests on small hand-made cards: types, direction, evidence, determinism, clusters."""

from __future__ import annotations

from control_tower.linker.pipeline import find_clusters, link_cards, score_pair
from control_tower.linker.rationale import rationale_prompt_inputs
from control_tower.prompts import load_prompt
from control_tower.registry.types import FieldValue, Passage, ProjectCard, SourceRef


def card(key: str, name: str, dept: str, lines: list[str]) -> ProjectCard:
    src = SourceRef(doc_id=key, path=f"{dept}/{key}.hwpx", section="사업개요")
    return ProjectCard(
        id=f"card-{key}",
        fields={
            "name": [FieldValue(value=name, method="rule", source=src)],
            "departments": [FieldValue(value=[dept], method="rule", source=src)],
        },
        passages=[
            Passage(text=t, source=src.model_copy(update={"section": f"{i + 1}. 내용"}))
            for i, t in enumerate(lines)
        ],
    )


PLATFORM = card(
    "platform",
    "통합 데이터 플랫폼 구축",
    "정보통신과",
    [
        "○ 시 보유 데이터의 수집·저장·가공·개방을 하나의 플랫폼에서 처리하는 데이터 단일 창구 구현",
        "○ 교통·환경·복지 데이터를 실시간 연계하고 데이터 레이크에 표준화하여 저장",
        "○ 부서 분석가용 분석 환경과 시각화 대시보드 제공, 공공데이터 개방",
    ],
)
HUB = card(
    "hub",
    "도시데이터 허브 구축",
    "디지털융합산업과",
    [
        "○ 도시 데이터를 한곳에 모아 수집·저장·가공·개방하는 허브 구축",
        "○ 교통·환경·에너지 데이터를 실시간 연계하여 표준화하여 저장",
        "○ 기업 대상 데이터 개방과 분석 환경, 시각화 대시보드 제공",
    ],
)
TRAFFIC = card(
    "traffic",
    "교통사고 위험 예측 서비스 구축",
    "교통정책과",
    [
        "○ 교차로 사고 이력과 교통량으로 사고 위험 구간을 예측",
        "○ 예측 결과와 통계는 통합 데이터 플랫폼에 적재하여 교통정책 수립에 활용",
    ],
)
CCTV_T = card(
    "cctv-traffic",
    "교통 CCTV 영상분석 시스템 구축",
    "교통정책과",
    [
        "○ 교차로 CCTV 영상을 AI로 분석하여 역주행과 무단횡단을 감지",
        "○ 재난안전과 재난 CCTV 영상분석 사업과 영상 분석 엔진을 공동 활용하도록 협의",
    ],
)
CCTV_D = card(
    "cctv-disaster",
    "재난 CCTV 영상분석 시스템 구축",
    "재난안전과",
    [
        "○ 하천·산불 CCTV 영상을 AI로 분석하여 침수와 화재 연기를 감지",
        "○ 교통정책과 교통 CCTV 영상분석 사업과 영상 분석 엔진을 공유",
    ],
)
YOUTH = card(
    "youth",
    "청년 창업 공간 조성",
    "일자리경제과",
    [
        "○ 원도심 빈 점포를 리모델링하여 청년 창업 공간 20실 제공",
        "○ 창업 교육과 멘토링, 임대료 지원",
    ],
)
CARDS = [PLATFORM, HUB, TRAFFIC, CCTV_T, CCTV_D, YOUTH]


def _find(links, x, y):
    return next((lk for lk in links if {lk.a, lk.b} == {x.id, y.id}), None)


def test_types_direction_and_evidence():
    links = link_cards(CARDS)
    dup = _find(links, PLATFORM, HUB)
    assert dup is not None and dup.type == "중복"
    assert "통합 데이터 플랫폼" in dup.shared
    dep = _find(links, PLATFORM, TRAFFIC)
    assert dep is not None and dep.type == "선후"
    assert (dep.a, dep.b) == (PLATFORM.id, TRAFFIC.id)  # the platform is the prerequisite
    by_card = {e.card: e for e in dep.evidence}
    assert set(by_card) == {PLATFORM.id, TRAFFIC.id}
    assert "통합 데이터 플랫폼에 적재" in by_card[TRAFFIC.id].text
    assert by_card[TRAFFIC.id].doc_id == "traffic" and by_card[PLATFORM.id].doc_id == "platform"
    assert dep.docs == ["platform", "traffic"]
    peer = _find(links, CCTV_T, CCTV_D)
    assert peer is not None and peer.type == "연계"  # same engine, different domains
    assert "CCTV 영상분석 엔진" in peer.shared
    assert all(YOUTH.id not in (lk.a, lk.b) for lk in links)
    assert [lk.score for lk in links] == sorted((lk.score for lk in links), reverse=True)
    assert all(0.0 <= lk.score <= 1.0 and lk.rationale for lk in links)


def test_deterministic_and_order_independent():
    first = [lk.model_dump() for lk in link_cards(CARDS)]
    again = [lk.model_dump() for lk in link_cards(CARDS)]
    reversed_ = [lk.model_dump() for lk in link_cards(list(reversed(CARDS)))]
    assert first == again
    assert [(d["a"], d["b"], d["type"]) for d in first] == [
        (d["a"], d["b"], d["type"]) for d in reversed_
    ]


def test_score_pair_matches_direction_either_order():
    for x, y in ((TRAFFIC, PLATFORM), (PLATFORM, TRAFFIC)):
        link = score_pair(x, y)
        assert link is not None and link.type == "선후"
        assert link.a == PLATFORM.id and link.b == TRAFFIC.id
    assert score_pair(YOUTH, CCTV_D) is None


def test_clusters_are_named_and_stable():
    links = link_cards(CARDS)
    clusters = find_clusters(CARDS, links)
    assert clusters == find_clusters(CARDS, links)
    platform = next(c for c in clusters if PLATFORM.id in c.cards)
    assert platform.component == "통합 데이터 플랫폼"
    assert {HUB.id, TRAFFIC.id} <= set(platform.cards)
    assert platform.id.startswith("cluster-") and "통합 플랫폼 후보" in platform.rationale
    assert all(YOUTH.id not in c.cards for c in clusters)


def test_rationale_prompt_renders():
    link = _find(link_cards(CARDS), PLATFORM, TRAFFIC)
    inputs = rationale_prompt_inputs(link, PLATFORM, TRAFFIC)
    text = load_prompt("link_rationale").render(**inputs)
    assert "선후" in text and PLATFORM.name in text and "적재" in text
    assert load_prompt("link_rationale").schema_["properties"]["rationale"]["maxLength"] == 200


def test_llm_rationale_is_used_when_valid_and_the_rule_sentence_otherwise(monkeypatch, tmp_path):
    """Orchestration of the lazy rationale with a fake model (the real one: integration)."""
    import control_tower.llm.structured as structured
    from control_tower.linker.rationale import write_rationale
    from control_tower.llm.errors import LLMUnavailableError
    from control_tower.settings import Settings

    settings = Settings(_env_file=None, data_dir=tmp_path)
    link = _find(link_cards(CARDS), PLATFORM, TRAFFIC)
    seen = []

    def fake_ok(settings_, schema, messages, **kw):
        seen.append(messages[0][1])
        return {"rationale": "  교통 분석 결과를 플랫폼에 적재하므로 플랫폼이 먼저입니다.  "}

    monkeypatch.setattr(structured, "structured_output", fake_ok)
    written = write_rationale(settings, link, PLATFORM, TRAFFIC)
    assert written.rationale_method == "llm"
    assert written.rationale == "교통 분석 결과를 플랫폼에 적재하므로 플랫폼이 먼저입니다."
    assert PLATFORM.name in seen[0] and TRAFFIC.name in seen[0]  # computed inputs, not raw docs

    def fake_down(*a, **kw):
        raise LLMUnavailableError("LLM 서버에 연결할 수 없습니다", code="llm_unavailable")

    monkeypatch.setattr(structured, "structured_output", fake_down)
    fallback = write_rationale(settings, link, PLATFORM, TRAFFIC)
    assert fallback.rationale_method == "rule" and fallback.rationale == link.rationale

    monkeypatch.setattr(structured, "structured_output", lambda *a, **kw: {"rationale": "   "})
    assert write_rationale(settings, link, PLATFORM, TRAFFIC).rationale_method == "rule"
