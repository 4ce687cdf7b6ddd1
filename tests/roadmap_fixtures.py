"""A hand-made ``RoadmapStructure`` for tests of drafting, assembly and export.

It does not come from the structure builder on purpose: section drafting and the document are
tested against a known structure (2026–2030, six initiatives in four departments, one shared
data platform the analytics services depend on), so a builder change cannot hide a drafting
bug. Budget aggregates are summed from the initiatives here so the fixture is consistent.
"""

from __future__ import annotations

from collections import defaultdict

from control_tower.roadmap.types import (
    Budget,
    Goal,
    Governance,
    Guidance,
    Initiative,
    Kpi,
    Phase,
    Pillar,
    RegistryStats,
    Risk,
    RoadmapStructure,
    SourceLink,
    TrainingItem,
)

SOURCES = [
    SourceLink(
        card="c-data",
        doc_id="d1",
        title="도시 데이터 통합 플랫폼 구축 계획",
        path="스마트도시과/도시 데이터 통합 플랫폼 구축 계획",
        page=3,
        section="사업 개요",
    ),
    SourceLink(
        card="c-signal",
        doc_id="d2",
        title="AI 교통신호 최적화 추진계획",
        path="교통정책과/AI 교통신호 최적화 추진계획",
        page=2,
        section="추진 배경",
    ),
    SourceLink(
        card="c-bus",
        doc_id="d3",
        title="수요응답형 버스 운영 현황 보고",
        path="교통정책과/수요응답형 버스 운영 현황 보고",
        page=1,
    ),
    SourceLink(
        card="c-care",
        doc_id="d4",
        title="위기가구 발굴 고도화 계획",
        path="복지정책과/위기가구 발굴 고도화 계획",
        page=4,
        section="기대 효과",
    ),
    SourceLink(
        card="c-air",
        doc_id="d5",
        title="미세먼지 저감 종합대책",
        path="환경정책과/미세먼지 저감 종합대책",
        page=7,
    ),
    SourceLink(
        proposal="p-docs",
        doc_id="d6",
        title="행정업무 생성형 AI 활용 수요조사",
        path="스마트도시과/행정업무 생성형 AI 활용 수요조사",
        page=2,
    ),
]


def _kpi(name, base, base_year, target, target_year, initiative=None, source=None) -> Kpi:
    return Kpi(
        name=name,
        baseline=base,
        baseline_year=base_year,
        target=target,
        target_year=target_year,
        initiative=initiative,
        source=source,
    )


def _initiatives() -> list[Initiative]:
    s = SOURCES
    return [
        Initiative(
            id="I1",
            title="도시 데이터 통합 플랫폼 구축",
            kind="platform",
            departments=["스마트도시과", "교통정책과"],
            pillar="데이터 기반 행정",
            phase="단기",
            start_year=2026,
            end_year=2027,
            budget_by_year={2026: 12.0, 2027: 8.5},
            budget_basis="문서 기재",
            technologies=["데이터 플랫폼", "빅데이터"],
            summary="부서별로 흩어진 교통·복지·환경 데이터를 한곳에 모아 분석 기반을 만든다.",
            kpis=[_kpi("연계 데이터셋 수", "12종", 2025, "60종", 2027, "I1", s[0])],
            cards=["c-data", "c-hub"],
            sources=[s[0]],
        ),
        Initiative(
            id="I2",
            title="AI 교통신호 최적화",
            kind="card",
            departments=["교통정책과"],
            pillar="시민 체감 AI 서비스",
            phase="중기",
            start_year=2028,
            end_year=2029,
            depends_on=["I1"],
            budget_by_year={2028: 15.0, 2029: 10.0},
            budget_basis="문서 기재",
            technologies=["예측·분석", "컴퓨터비전"],
            summary="교차로 영상과 통행량을 분석하여 신호 주기를 자동으로 조정한다.",
            kpis=[_kpi("주요 교차로 평균 대기시간", "94초", 2025, "75초", 2029, "I2", s[1])],
            cards=["c-signal"],
            sources=[s[1]],
        ),
        Initiative(
            id="I3",
            title="수요응답형 버스 AI 배차",
            kind="card",
            departments=["교통정책과"],
            pillar="시민 체감 AI 서비스",
            phase="단기",
            start_year=2026,
            end_year=2027,
            fixed=True,
            budget_by_year={2026: 4.2, 2027: 3.8},
            budget_basis="문서 기재",
            technologies=["최적화"],
            summary="호출 수요에 맞춰 버스 배차와 경로를 정한다.",
            kpis=[_kpi("평균 호출 대기시간", "21분", 2025, "12분", 2027, "I3", s[2])],
            cards=["c-bus"],
            sources=[s[2]],
        ),
        Initiative(
            id="I4",
            title="위기가구 AI 조기 발굴",
            kind="card",
            departments=["복지정책과"],
            pillar="시민 체감 AI 서비스",
            phase="중기",
            start_year=2028,
            end_year=2029,
            depends_on=["I1"],
            budget_by_year={2028: 6.0, 2029: 5.5},
            budget_basis="문서 기재",
            technologies=["예측·분석"],
            summary="단전·단수·체납 정보를 결합하여 위기가구를 먼저 찾아 지원한다.",
            kpis=[_kpi("위기가구 발굴 건수", "1,250건", 2025, "2,000건", 2029, "I4", s[3])],
            cards=["c-care"],
            sources=[s[3]],
        ),
        Initiative(
            id="I5",
            title="미세먼지 배출원 AI 분석",
            kind="card",
            departments=["환경정책과"],
            pillar="데이터 기반 행정",
            phase="중기",
            start_year=2029,
            end_year=2030,
            depends_on=["I1"],
            budget_by_year={2029: 3.0, 2030: 4.5},
            budget_basis="유사사업 추정",
            technologies=["예측·분석"],
            summary="측정망 자료와 배출 시설 정보를 분석하여 배출원을 추정한다.",
            kpis=[_kpi("배출원 추정 정확도", "측정 계획 수립", 2026, "80%", 2030, "I5", s[4])],
            cards=["c-air"],
            sources=[s[4]],
        ),
        Initiative(
            id="I6",
            title="생성형 AI 행정문서 작성 지원",
            kind="proposal",
            departments=["스마트도시과", "복지정책과"],
            pillar="AI 행정 역량 강화",
            phase="장기",
            start_year=2030,
            end_year=2030,
            depends_on=["I1"],
            budget_by_year={2030: 7.5},
            budget_basis="카탈로그 추정",
            technologies=["생성형 AI"],
            summary="보고서 초안과 민원 답변 초안을 만들어 준다.",
            kpis=[_kpi("문서 작성 시간 단축률", "측정 계획 수립", 2026, "30%", 2030, "I6", s[5])],
            sources=[s[5]],
        ),
    ]


def _budget(initiatives: list[Initiative], ceiling: float) -> Budget:
    by_year: dict[int, float] = defaultdict(float)
    by_dep: dict[str, float] = defaultdict(float)
    by_year_dep: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for ini in initiatives:
        for year, eok in ini.budget_by_year.items():
            by_year[year] += eok
            by_dep[ini.departments[0]] += eok
            by_year_dep[year][ini.departments[0]] += eok
    return Budget(
        by_year={y: round(v, 2) for y, v in sorted(by_year.items())},
        by_department={d: round(v, 2) for d, v in by_dep.items()},
        by_initiative={i.id: i.budget_total for i in initiatives},
        by_year_department={y: dict(v) for y, v in sorted(by_year_dep.items())},
        total_eok=round(sum(by_year.values()), 2),
        ceiling_eok=ceiling,
        notes=["미세먼지 배출원 AI 분석 착수를 2029년으로 조정하여 연도별 한도를 지켰습니다."],
    )


def sample_roadmap_structure() -> RoadmapStructure:
    """A fresh, internally consistent structure (a new object on every call)."""
    inits = _initiatives()
    guidance = Guidance(
        from_year=2026,
        to_year=2030,
        vision="데이터와 AI로 시민의 일상을 바꾸는 스마트 행정",
        pillars=["데이터 기반 행정", "시민 체감 AI 서비스", "AI 행정 역량 강화"],
        ceiling_eok=30.0,
        staff_count=1200,
    )
    pillars = [
        Pillar(name="데이터 기반 행정", goal="부서 간 데이터 공동 활용", initiatives=["I1", "I5"]),
        Pillar(
            name="시민 체감 AI 서비스",
            goal="교통·복지 서비스의 AI 전환",
            initiatives=["I2", "I3", "I4"],
        ),
        Pillar(name="AI 행정 역량 강화", goal="전 직원 AI 활용 일상화", initiatives=["I6"]),
    ]
    goals = [
        Goal(
            title="시민 체감 AI 서비스 확산",
            kpis=[_kpi("AI 적용 시민 서비스 수", "2개", 2025, "8개", 2030)],
        ),
        Goal(
            title="전 직원 AI 역량 강화",
            kpis=[_kpi("AI 교육 이수 직원 비율", "15%", 2025, "90%", 2030)],
        ),
    ]
    training = [
        TrainingItem(
            department="전 부서",
            skills=["생성형 AI 활용"],
            course="생성형 AI 업무 활용 기본",
            audience="전 직원",
            headcount=1200,
            year=2026,
            timing="2026년 상반기",
        ),
        TrainingItem(
            department="스마트도시과",
            skills=["데이터 플랫폼", "빅데이터"],
            course="데이터 플랫폼 운영 실무",
            audience="플랫폼 담당자",
            headcount=8,
            year=2026,
            timing="2026년 하반기",
            initiatives=["I1"],
        ),
        TrainingItem(
            department="교통정책과",
            skills=["예측·분석", "최적화"],
            course="교통 데이터 분석과 AI 모델 이해",
            audience="교통 분야 실무자",
            headcount=15,
            year=2027,
            timing="2027년 상반기",
            initiatives=["I2", "I3"],
        ),
        TrainingItem(
            department="복지정책과",
            skills=["예측·분석"],
            course="복지 데이터 분석 기초",
            audience="사례관리 담당자",
            headcount=20,
            year=2028,
            timing="2028년 상반기",
            initiatives=["I4"],
        ),
        TrainingItem(
            department="환경정책과",
            skills=["예측·분석"],
            course="환경 측정자료 분석 실습",
            audience="대기 분야 담당자",
            headcount=6,
            year=2029,
            timing="2029년 상반기",
            initiatives=["I5"],
        ),
    ]
    governance = Governance(
        committee="AI 추진위원회",
        lead_unit="스마트도시과 AI전략팀",
        members=["부시장(위원장)", "기획조정실장", "관련 부서장", "외부 전문가"],
        department_leads={
            "교통정책과": "교통 AI 과제 담당",
            "복지정책과": "복지 AI 과제 담당",
            "환경정책과": "환경 AI 과제 담당",
            "스마트도시과": "플랫폼·총괄",
        },
        cadence=["분기별 추진위원회 개최", "반기별 성과 점검", "연 1회 로드맵 보완"],
    )
    risks = [
        Risk(
            risk="개인정보가 포함된 복지 데이터 결합",
            mitigation="가명처리와 결합 전문기관 활용",
            initiatives=["I4"],
        ),
        Risk(
            risk="플랫폼 구축 지연 시 후속 과제 연쇄 지연",
            mitigation="단계별 데이터 개방으로 선행 분리",
            initiatives=["I1", "I2", "I4", "I5"],
        ),
    ]
    stats = RegistryStats(
        cards=14,
        departments=4,
        by_status={"추진 중": 5, "계획": 7, "완료": 2},
        by_department={"교통정책과": 5, "복지정책과": 3, "환경정책과": 2, "스마트도시과": 4},
        by_technology={"예측·분석": 6, "컴퓨터비전": 3, "생성형 AI": 2, "최적화": 3},
        budget_total_eok=96.4,
        links={"중복": 1, "연계": 6, "선후": 4},
        clusters=2,
    )
    phases = [
        Phase(name="단기", start_year=2026, end_year=2027, initiatives=["I1", "I3"]),
        Phase(name="중기", start_year=2028, end_year=2029, initiatives=["I2", "I4", "I5"]),
        Phase(name="장기", start_year=2030, end_year=2030, initiatives=["I6"]),
    ]
    return RoadmapStructure(
        guidance=guidance,
        title="포항시 중장기 AI 추진 로드맵(2026~2030)",
        vision=guidance.vision,
        goals=goals,
        pillars=pillars,
        initiatives=inits,
        phases=phases,
        budget=_budget(inits, 30.0),
        training=training,
        governance=governance,
        risks=risks,
        stats=stats,
        order=["I1", "I3", "I2", "I4", "I5", "I6"],
        sources=list(SOURCES),
    )
