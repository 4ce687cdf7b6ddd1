"""A small registry world for access tests: plans of two departments at every access level,
ingested through the real pipeline (real parser, real index) and built into cards.

Department A = 교통정책과 (the caller in the leak tests), B = 복지정책과, C = 기획예산과.
Secret markers are written into the names and field values of B's hidden projects.
"""

from __future__ import annotations

from pathlib import Path

from control_tower.domain import AccessLevel

DEPT_A, DEPT_B, DEPT_C = "교통정책과", "복지정책과", "기획예산과"


def plan(name: str, dept: str, budget: str, goal: str, period: str = "2026. 3. ~ 2027. 12.") -> str:
    return (
        f"{name} 추진계획\n\n"
        "□ 사업개요\n"
        f"○ 사업명: {name}\n"
        f"○ 사업기간: {period}\n"
        f"○ 사업비: {budget}\n"
        f"○ 담당부서: {dept} 기획팀\n\n"
        "□ 추진목적\n"
        f"○ {goal}\n"
    )


# key -> (department, access, allowed departments, text)
DOCS = {
    "a_public": (
        DEPT_A,
        AccessLevel.public,
        [],
        plan(
            "AI 교차로 교통량 분석 플랫폼 구축",
            DEPT_A,
            "총 20억원 (국비 10억, 시비 10억)",
            "교차로 CCTV 영상으로 교통량을 분석하고 통합 데이터 플랫폼에 적재한다.",
        ),
    ),
    "b_internal": (
        DEPT_B,
        AccessLevel.internal,
        [],
        plan(
            "어르신 AI 돌봄 안부 서비스 구축",
            DEPT_B,
            "총 4억 8천만 원 (도비 1억 4천4백만 원, 시비 3억 3천6백만 원)",
            "홀로 사는 어르신에게 AI 스피커로 안부를 확인한다.",
        ),
    ),
    "b_department": (
        DEPT_B,
        AccessLevel.department,
        [],
        plan(
            "qzsecretdept 위기가구 예측 AI 모델 구축",
            DEPT_B,
            "총 7억원 (국비 3억, 시비 4억)",
            "qzsecretgoal 단전·단수 데이터로 위기가구를 예측한다.",
        ),
    ),
    "b_restricted": (
        DEPT_B,
        AccessLevel.restricted,
        [DEPT_C],
        plan(
            "qzsecretrestricted 복지급여 부정수급 탐지 AI 구축",
            DEPT_B,
            "총 9억원 (국비 4억, 시비 5억)",
            "qzsecretrestrictedgoal 급여 지급 데이터에서 부정수급을 탐지한다.",
        ),
    ),
    # the internal card's budget stated again, differently, in a department-only document:
    # A's staff must see the card but not this value
    "b_budget_dept": (
        DEPT_B,
        AccessLevel.department,
        [],
        plan(
            "어르신 AI 돌봄 안부 서비스 구축",
            DEPT_B,
            "총 5억 3천3백만 원 (도비 2억, 시비 3억 3천3백만 원)",
            "qzsecretrevision 예산 증액 검토안",
        ),
    ),
}
SECRETS_OF_B_HIDDEN = ["qzsecretdept", "qzsecretgoal", "qzsecretrestricted", "qzsecretrevision"]


def write_docs(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for key, (_d, _a, _ad, text) in DOCS.items():
        path = folder / f"{key}.txt"
        path.write_text(text, encoding="utf-8")
        out[key] = path
    return out


def ingest_world(settings, folder: Path) -> None:  # noqa: ANN001
    from control_tower.accounts.departments import ensure_department
    from control_tower.store import open_store
    from ingest.pipeline import ingest_paths

    store = open_store(settings)
    for dept in (DEPT_A, DEPT_B, DEPT_C):
        ensure_department(store, dept)
    paths = write_docs(folder)
    for key, (dept, access, allowed, _text) in DOCS.items():
        report = ingest_paths(
            [str(paths[key])],
            settings,
            department=dept,
            access=access,
            allowed_departments=allowed,
            store=store,
        )
        assert report.counts.get("indexed") == 1, report
