"""`/account/api-keys`: every signed-in user's own API keys, for programmatic access.

A new key is shown once, on the page that created it, and never again (only its SHA-256 is
kept). Revoking takes effect on the next request. Admins see and revoke everyone's keys on
`/admin/api-keys`; this page is the owner's view. Both steps are audited.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from control_tower import accounts
from control_tower.accounts.types import AccountError
from control_tower.domain import Principal
from serving import auth_flow
from serving.auth import page_principal
from serving.templating import render

router = APIRouter(include_in_schema=False)


def _page(request: Request, principal: Principal, *, new_key=None, error=None, notice=None):  # noqa: ANN001
    keys = accounts.list_api_keys(request.app.state.services.store, principal.username)
    ctx = {
        "keys": [k for k in keys if k.revoked_at is None],
        "revoked": [k for k in keys if k.revoked_at is not None],
        "new_key": new_key,
        "error": error,
        "notice": notice,
    }
    status = 400 if error else 200
    return render(request, "auth/api_keys.html", principal, ctx, status_code=status)


@router.get("/account/api-keys")
def api_keys_page(request: Request, principal: Principal = Depends(page_principal)) -> Response:
    return _page(request, principal)


@router.post("/account/api-keys")
def create_api_key(
    request: Request,
    name: str = Form("", max_length=200),
    principal: Principal = Depends(page_principal),
) -> Response:
    name = name.strip()
    if not name:
        return _page(request, principal, error="키 이름을 입력하세요 (예: 업무 자동화 스크립트).")
    try:
        issued = accounts.create_api_key(request.app.state.services.store, principal.username, name)
    except AccountError as e:
        return _page(request, principal, error=e.message_ko)
    auth_flow.audit(
        request, principal, "api_key_create", surface="web", target=issued.info.id, name=name
    )
    return _page(request, principal, new_key=issued)


@router.post("/account/api-keys/{key_id}/revoke")
def revoke_api_key(
    key_id: str, request: Request, principal: Principal = Depends(page_principal)
) -> Response:
    store = request.app.state.services.store
    try:  # only the caller's own key: someone else's id answers like an unknown one
        info = accounts.revoke_api_key(store, key_id[:64], username=principal.username)
    except AccountError as e:
        return _page(request, principal, error=e.message_ko)
    auth_flow.audit(request, principal, "api_key_revoke", surface="web", target=info.id)
    return _page(request, principal, notice=f"API 키 '{info.name}'을(를) 폐기했습니다.")
