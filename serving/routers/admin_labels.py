"""Korean names of audit events, outcomes and roles for the admin pages (the code is shown
next to the name, so an event of a later feature without a label still reads)."""

from __future__ import annotations

from control_tower.domain import Role

ROLE_LABELS: dict[str, str] = {
    Role.staff.value: "직원",
    Role.dept_head.value: "부서장",
    Role.ai_division.value: "AI 담당 부서",
    Role.admin.value: "관리자",
}

OUTCOME_LABELS: dict[str, str] = {"ok": "성공", "denied": "거부", "failed": "실패"}

EVENT_LABELS: dict[str, str] = {
    "search": "검색",
    "login": "로그인",
    "login_failed": "로그인 실패",
    "account_locked": "계정 잠김",
    "logout": "로그아웃",
    "logout_all": "모든 기기 로그아웃",
    "password_change": "비밀번호 변경",
    "api_key_create": "API 키 발급",
    "api_key_revoke": "API 키 폐기 (본인)",
    "upload": "문서 올리기",
    "reingest": "문서 다시 색인",
    "delete": "문서 삭제",
    "registry_edit": "사업 카드 수정",
    "registry_build": "레지스트리 다시 만들기",
    "review": "사업 중복 검토",
    "ideas": "신규 AI 사업 제안 조회",
    "idea_decision": "신규 AI 사업 제안 채택·보류",
    "roadmap_draft": "로드맵 초안 작성",
    "roadmap_edit": "로드맵 초안 수정",
    "roadmap_export": "로드맵 내보내기",
    "admin.setup": "첫 관리자 등록",
    "admin.user_create": "사용자 추가",
    "admin.user_update": "사용자 정보 변경",
    "admin.role_change": "역할 변경",
    "admin.user_disable": "사용 중지",
    "admin.user_enable": "다시 사용",
    "admin.password_reset": "비밀번호 재설정",
    "admin.user_unlock": "잠금 해제",
    "admin.department_add": "부서 추가",
    "admin.department_rename": "부서 이름 변경",
    "admin.department_activate": "부서 사용",
    "admin.department_deactivate": "부서 사용 중지",
    "admin.api_key_revoke": "API 키 폐기 (관리자)",
    "admin.audit_export": "감사 로그 내보내기",
}


def event_label(event: str) -> str:
    return EVENT_LABELS.get(event, event)
