"""Who is calling. Minimal for now: a trusted header set by the city's SSO reverse proxy
(or by the demo UI's user picker). The web-app issue replaces this with real sessions.

- no ``X-CT-User`` header  → the anonymous principal (public documents only)
- a known user             → that user's department and roles from the store
- an unknown user          → 401 with a Korean message
"""

from __future__ import annotations

from urllib.parse import unquote

from fastapi import HTTPException, Request

from control_tower.domain import Principal

USER_HEADER = "X-CT-User"


def current_principal(request: Request) -> Principal:
    raw = request.headers.get(USER_HEADER)
    if not raw:
        return Principal.anonymous()
    username = unquote(raw).strip()
    user = request.app.state.services.store.get_user(username)
    if user is None:
        raise HTTPException(
            status_code=401,
            detail=f"알 수 없는 사용자입니다: '{username}'. 관리자에게 계정 등록을 요청하세요.",
        )
    return user
