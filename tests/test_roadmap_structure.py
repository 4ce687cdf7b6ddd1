"""The roadmap structure, computed from hand-made cards and links (no store, no LLM):
merging, platforms, dependency order, cycles, scheduling, the ceiling, sums, phases, KPIs,
training and the checks — including checks that must fail on a broken structure."""

from __future__ import annotations

from datetime import date

import pytest

from control_tower.ideation.types import Proposal
from control_tower.linker.types import Cluster, Link
from control_tower.registry.types import FieldValue, ProjectCard, SourceRef
from control_tower.roadmap.checks import run_checks
from control_tower.roadmap.ordering import RoadmapError, split_phases, topological_order
from control_tower.roadmap.structure import build_structure, recompute
from control_tower.roadmap.structure_edits import apply_changes
from control_tower.roadmap.types import Guidance, Initiative


def card(cid, name, dept, *, start=None, end=None, budget=None, tech=(), kpis=(), status=None):  # noqa: ANN001, ANN201
    src = SourceRef(doc_id=f"doc-{cid}", path=f"/srv/data/{dept}/{cid}.hwpx", title=name,
                    department=dept, doc_date=date(2025, 3, 1))  # fmt: skip
    fields = {"name": [FieldValue(value=name, method="table", source=src)],
              "departments": [FieldValue(value=[dept], method="table", source=src)]}  # fmt: skip
    for key, value in (("start_year", start), ("end_year", end), ("budget_eok", budget),
                       ("status", status)):  # fmt: skip
        if value is not None:
            fields[key] = [FieldValue(value=value, method="table", source=src)]
    if tech:
        fields["technologies"] = [FieldValue(value=list(tech), method="rule", source=src)]
    if kpis:
        fields["kpis"] = [FieldValue(value=list(kpis), method="rule", source=src)]
    return ProjectCard(id=cid, fields=fields)


def needs(prerequisite: str, dependent: str) -> Link:
    return Link(a=prerequisite, b=dependent, type="선후", score=0.7, shared=["통합 데이터 플랫폼"])


CARDS = [
    card("platform", "통합 데이터 플랫폼 구축", "정보통신과", start=2026, end=2027, budget=40,
         tech=["데이터 플랫폼"]),
    card("hub", "도시데이터 허브 구축", "디지털융합산업과", start=2026, end=2027, budget=30,
         tech=["데이터 플랫폼"]),
    card("cctv", "AI 영상분석 교통안전", "교통정책과", budget=20, tech=["영상분석", "CCTV"],
         kpis=["보행자 교통사고 30% 감소", "평균 통행속도 18km/h → 25km/h"]),
    card("flood", "도시침수 AI 예측", "상하수도과", start=2027, end=2028, budget=12,
         tech=["예측모델"]),
    card("pension", "기초연금 지급", "복지정책과", start=2026, end=2030, budget=900),
    card("done", "AI 챗봇 1단계", "민원과", start=2022, end=2023, budget=3, tech=["챗봇"]),
]  # fmt: skip
LINKS = [
    Link(a="hub", b="platform", type="중복", score=0.8, shared=["통합 데이터 플랫폼"]),
    needs("platform", "cctv"),
    needs("platform", "flood"),
]
G = Guidance(from_year=2026, to_year=2030)


def test_ai_cards_become_initiatives_and_duplicates_merge():
    s = build_structure(G, CARDS, LINKS, [])
    titles = {i.title for i in s.initiatives}
    assert "기초연금 지급" not in titles  # not an AI/data project: statistics only
    assert "AI 챗봇 1단계" not in titles  # ended before the horizon
    merged = next(i for i in s.initiatives if set(i.cards) == {"platform", "hub"})
    assert merged.kind == "platform" and "중복 사업 통합" in merged.title
    assert merged.departments == ["정보통신과", "디지털융합산업과"]
    assert merged.budget_total == 40.0  # a duplicate pair counts once: the larger budget
    assert s.stats.cards == len(CARDS)


def test_prerequisites_come_first_and_movable_work_is_scheduled_after_them():
    s = build_structure(G, CARDS, LINKS, [])
    by_card = {c: i for i in s.initiatives for c in i.cards}
    platform, cctv, flood = by_card["platform"], by_card["cctv"], by_card["flood"]
    assert platform.id in cctv.depends_on and platform.id in flood.depends_on
    assert s.order.index(platform.id) < s.order.index(cctv.id)
    assert cctv.start_year == platform.start_year + 1 and not cctv.fixed  # no documented years
    assert flood.start_year == 2027 and flood.fixed  # documented years are kept
    assert all(c.ok for c in run_checks(s, lambda d: True)), run_checks(s, lambda d: True)


def test_a_cycle_is_an_error_that_names_it():
    loop = [*LINKS, needs("cctv", "platform")]
    with pytest.raises(RoadmapError) as err:
        build_structure(G, CARDS, loop, [])
    assert err.value.code == "dependency_cycle"
    assert "AI 영상분석 교통안전" in err.value.message_ko and "→" in err.value.message_ko


def test_budget_sums_and_spread_over_the_horizon():
    s = build_structure(G, CARDS, LINKS, [])
    b = s.budget
    assert round(sum(b.by_year.values()), 2) == b.total_eok
    assert round(sum(b.by_department.values()), 2) == b.total_eok
    for year, row in b.by_year_department.items():
        assert round(sum(row.values()), 2) == b.by_year[year]
    flood = next(i for i in s.initiatives if i.cards == ["flood"])
    assert flood.budget_by_year == {2027: 6.0, 2028: 6.0}
    merged = next(i for i in s.initiatives if "platform" in i.cards)
    assert merged.departments[0] in b.by_department


def test_ceiling_defers_movable_work_and_is_checked():
    # Fixed spending: the platform 20/year in 2026–27, flood 6/year in 2027–28 → 26 in 2027.
    # The movable CCTV service (10/year after the platform starts) no longer fits in 2027.
    tight = Guidance(from_year=2026, to_year=2030, ceiling_eok=26)
    s = build_structure(tight, CARDS, LINKS, [])
    cctv = next(i for i in s.initiatives if i.cards == ["cctv"])
    assert cctv.start_year == 2028 and cctv.budget_by_year == {2028: 10.0, 2029: 10.0}
    assert any("AI 영상분석 교통안전" in n and "2028년" in n for n in s.budget.notes)
    assert max(s.budget.by_year.values()) <= 26
    checks = {c.name: c for c in run_checks(s, lambda d: True)}
    assert checks["선후관계 순서"].ok
    assert checks["연간 예산 한도"].ok, checks["연간 예산 한도"].items


def test_fixed_spending_over_the_ceiling_fails_the_check_with_the_year():
    big = [*CARDS, card("center", "AI 컴퓨팅센터", "디지털융합산업과", start=2026, end=2026,
                        budget=500, tech=["GPU"])]  # fmt: skip
    s = build_structure(Guidance(from_year=2026, to_year=2030, ceiling_eok=100), big, LINKS, [])
    check = next(c for c in run_checks(s, lambda d: True) if c.name == "연간 예산 한도")
    assert not check.ok and any("2026년" in item for item in check.items)


def test_phases_split_the_horizon_and_every_initiative_is_placed_once():
    assert [(p.name, p.start_year, p.end_year) for p in split_phases(2026, 2030)] == [
        ("단기", 2026, 2027), ("중기", 2028, 2029), ("장기", 2030, 2030)]  # fmt: skip
    assert [p.name for p in split_phases(2026, 2026)] == ["단기"]
    s = build_structure(G, CARDS, LINKS, [])
    placed = [x for p in s.phases for x in p.initiatives]
    assert sorted(placed) == sorted(i.id for i in s.initiatives)


def test_kpis_keep_their_baseline_and_target_year():
    s = build_structure(G, CARDS, LINKS, [])
    cctv = next(i for i in s.initiatives if i.cards == ["cctv"])
    speed = next(k for k in cctv.kpis if "통행속도" in k.name)
    assert (speed.baseline, speed.target, speed.target_year) == ("18km/h", "25km/h", cctv.end_year)
    crash = next(k for k in cctv.kpis if "교통사고" in k.name)
    assert crash.target == "30% 감소" and "실적" in crash.baseline
    assert crash.source is not None and crash.source.doc_id == "doc-cctv"
    assert crash.source.path == "교통정책과/cctv.hwpx"  # a location, never the server path


def test_training_covers_every_department_before_its_work_starts():
    s = build_structure(G, CARDS, LINKS, [])
    cctv = next(i for i in s.initiatives if i.cards == ["cctv"])
    item = next(t for t in s.training if t.department == "교통정책과")
    assert item.course == "AI 영상분석 시스템 운영 실무" and item.year == cctv.start_year - 1
    assert item.headcount >= 3
    assert {t.year for t in s.training if t.department == "전 부서"} == set(G.years)


def _proposal(**kw) -> Proposal:
    base = dict(id="교통정책과-traffic-signal", title="AI 신호 최적화 확대",
                departments=["교통정책과"], use_case="traffic-signal", problem="정체",
                approach="강화학습 신호", technique="최적화",
                phase="중기", cost_eok=8.0, duration_years=2,
                prerequisites=["통합 데이터 플랫폼에 교통 데이터 적재"])  # fmt: skip
    return Proposal(**{**base, **kw})


def test_accepted_proposals_follow_their_phase_and_platform():
    s = build_structure(G, CARDS, LINKS, [], [_proposal()])
    ini = next(i for i in s.initiatives if i.kind == "proposal")
    platform = next(i for i in s.initiatives if "platform" in i.cards)
    assert platform.id in ini.depends_on
    assert ini.phase == "중기" and ini.start_year == 2028
    assert ini.budget_total == 8.0 and any(src.proposal for src in ini.sources)


def test_checks_fail_on_a_broken_structure_and_name_the_item():
    s = build_structure(G, CARDS, LINKS, [])
    broken = s.model_copy(deep=True)
    cctv = next(i for i in broken.initiatives if i.cards == ["cctv"])
    cctv.budget_by_year[2030] = 99.0  # a budget line that the totals do not include
    cctv.start_year = 2020  # before its platform
    cctv.kpis[0].baseline = ""
    cctv.cards, cctv.sources = [], []
    checks = {c.name: c for c in run_checks(broken, lambda d: d != "doc-flood")}
    for name in (
        "선후관계 순서",
        "예산 합계",
        "출처 추적",
        "성과지표 기준값·목표연도",
        "열람 권한",
    ):
        assert not checks[name].ok, name
    assert any(cctv.title in item for item in checks["선후관계 순서"].items)


def test_structure_edit_moves_an_initiative_and_the_checks_see_it():
    s = build_structure(G, CARDS, LINKS, [])
    platform = next(i for i in s.initiatives if "platform" in i.cards)
    moved, note = apply_changes(s, {"initiative": platform.id, "phase": "장기"})
    p2 = moved.initiative(platform.id)
    assert p2.phase == "장기" and p2.start_year == 2030 and "기간" in note
    assert p2.budget_total == pytest.approx(20.0)  # the part inside the horizon: one year of two
    order = next(c for c in run_checks(moved, lambda d: True) if c.name == "선후관계 순서")
    assert not order.ok  # its services now start before it
    edited, _ = apply_changes(moved, {"initiative": platform.id, "budget_by_year": {2030: 55}})
    assert edited.budget.by_year[2030] >= 55 and edited.budget.total_eok == round(
        sum(edited.budget.by_year.values()), 2)  # fmt: skip
    with pytest.raises(RoadmapError):
        apply_changes(s, {"initiative": "nope", "phase": "중기"})
    with pytest.raises(RoadmapError):
        apply_changes(s, {"initiative": platform.id, "budget_by_year": {1999: 5}})


def test_recompute_is_stable_and_topological_order_is_deterministic():
    s = build_structure(G, CARDS, LINKS, [])
    assert recompute(s).model_dump() == recompute(recompute(s)).model_dump()
    pairs = (("b", ["a"]), ("a", []), ("c", []))
    inis = [Initiative(id=x, title=x, kind="card", departments=["a"], start_year=2026,
                       end_year=2026, depends_on=d) for x, d in pairs]  # fmt: skip
    assert topological_order(inis) == ["a", "b", "c"]


def test_clusters_without_a_provider_get_one_new_platform():
    cards = [
        card("care1", "AI 안부확인 스피커", "복지정책과", budget=3, tech=["AI 스피커"]),
        card("care2", "AI 스피커 건강돌봄", "보건소", budget=2, tech=["AI 스피커"]),
    ]
    links = [Link(a="care1", b="care2", type="연계", score=0.5, shared=["AI 돌봄 스피커"])]
    cluster = Cluster(
        id="c1", cards=["care1", "care2"], component="AI 돌봄 스피커", rationale="공동"
    )
    s = build_structure(G, cards, links, [cluster])
    platform = next(i for i in s.initiatives if i.kind == "platform")
    assert platform.title == "AI 돌봄 스피커 공동 활용 기반 구축"
    assert set(platform.cards) == {"care1", "care2"}
    services = [i for i in s.initiatives if i.kind == "card"]
    assert all(platform.id in i.depends_on for i in services) and len(services) == 2
    assert all(c.ok for c in run_checks(s, lambda d: True))
