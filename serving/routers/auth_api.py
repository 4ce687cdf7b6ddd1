"""JSON API of accounts: ``/api/v1/auth/login|logout|logout-all``, ``/api/v1/me`` (who am I,
with the CSRF token scripts and the UI send back), the own password and API keys."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from control_tower import accounts
from control_tower.accounts.types import AccountError, ApiKeyInfo
from control_tower.domain import Principal, Role
from serving import auth_flow
from serving.auth import auth_context, current_principal
from serving.errors import ERROR_RESPONSES, ErrorResponse, api_error

router = APIRouter(prefix="/api/v1", tags=["auth"], responses=ERROR_RESPONSES)

_STATUS = {
    "invalid_credentials": 401,
    "disabled": 403,
    "locked": 429,
    "rate_limited": 429,
    "wrong_password": 400,
}


def _http(e: AccountError):
    headers = {"Retry-After": str(e.retry_after_s)} if e.retry_after_s else None
    return api_error(_STATUS.get(e.code, 400), e.code, e.message_ko, headers=headers)


class LoginRequest(BaseModel):
    username: str = Field(..., max_length=200)
    password: str = Field(..., max_length=1024)


class Me(BaseModel):
    username: str
    display_name: str | None
    department: str | None
    roles: list[Role]
    authenticated: bool
    auth_method: str | None  # session | api_key | trusted_header
    csrf_token: str | None  # send as X-CSRF-Token on POST/PUT/PATCH/DELETE with the cookie


def _me(request: Request, user=None) -> Me:  # noqa: ANN001
    ctx = auth_context(request)
    user = user or ctx.user
    return Me(
        username=user.username,
        display_name=user.display_name,
        department=user.department,
        roles=user.roles,
        authenticated=True,
        auth_method=ctx.method,
        csrf_token=None if ctx.method == "api_key" else getattr(request.state, "csrf_token", None),
    )


@router.post(
    "/auth/login",
    response_model=Me,
    responses={  # published so clients (and the schemathesis run) know them
        415: {"model": ErrorResponse, "description": "JSON이 아님"},
        429: {"model": ErrorResponse, "description": "로그인 실패가 너무 많음 (잠김)"},
    },
)
def login(body: LoginRequest, request: Request, response: Response) -> Me:
    """Password login: sets the ``ct_session`` cookie; the answer carries the CSRF token."""
    ctype = request.headers.get("content-type", "")
    if not ctype.startswith("application/json"):  # no cross-site simple-request login CSRF
        raise api_error(415, "unsupported_media_type", "JSON(application/json)으로 보내세요.")
    try:
        user, issued = auth_flow.log_in(
            request, response, body.username, body.password, surface="api"
        )
    except AccountError as e:
        raise _http(e) from None
    me = _me(request, user)
    return me.model_copy(update={"auth_method": "session", "csrf_token": issued.session.csrf_token})


@router.post("/auth/logout", status_code=204)
def logout(request: Request, _: Principal = Depends(current_principal)) -> Response:
    response = Response(status_code=204)
    auth_flow.log_out(request, response, everywhere=False, surface="api")
    return response


@router.post("/auth/logout-all", status_code=204)
def logout_all(request: Request, _: Principal = Depends(current_principal)) -> Response:
    """End every session of the caller (all browsers, all devices)."""
    response = Response(status_code=204)
    auth_flow.log_out(request, response, everywhere=True, surface="api")
    return response


@router.get("/me", response_model=Me)
def me(request: Request, _: Principal = Depends(current_principal)) -> Me:
    return _me(request)


class PasswordChange(BaseModel):
    current_password: str = Field(..., max_length=1024)
    new_password: str = Field(..., max_length=1024)


@router.post("/me/password", status_code=204)
def change_password(
    body: PasswordChange, request: Request, _: Principal = Depends(current_principal)
) -> Response:
    """Change the own password; every other session of the user ends."""
    try:
        auth_flow.change_password(
            request, body.current_password, body.new_password, None, surface="api"
        )
    except AccountError as e:
        raise _http(e) from None
    return Response(status_code=204)


class ApiKeyList(BaseModel):
    keys: list[ApiKeyInfo]


class NewApiKey(BaseModel):
    name: str = Field(..., min_length=1, max_length=100, description="용도 (예: 보고서 스크립트)")


class CreatedApiKey(BaseModel):
    key: str = Field(..., description="지금 한 번만 보여 줍니다. 안전한 곳에 보관하세요.")
    info: ApiKeyInfo


@router.get("/me/api-keys", response_model=ApiKeyList)
def list_keys(request: Request, principal: Principal = Depends(current_principal)) -> ApiKeyList:
    store = request.app.state.services.store
    return ApiKeyList(keys=accounts.list_api_keys(store, principal.username))


@router.post("/me/api-keys", response_model=CreatedApiKey, status_code=201)
def create_key(
    body: NewApiKey, request: Request, principal: Principal = Depends(current_principal)
) -> CreatedApiKey:
    if auth_context(request).method == "api_key":
        raise api_error(
            403, "forbidden", "API 키로는 새 API 키를 발급할 수 없습니다. 로그인하세요."
        )
    store = request.app.state.services.store
    try:
        issued = accounts.create_api_key(store, principal.username, body.name)
    except AccountError as e:
        raise _http(e) from None
    auth_flow.audit(
        request, principal, "api_key_create", surface="api", target=issued.info.id, name=body.name
    )
    return CreatedApiKey(key=issued.key, info=issued.info)


@router.delete("/me/api-keys/{key_id}", response_model=ApiKeyInfo)
def revoke_key(
    key_id: str, request: Request, principal: Principal = Depends(current_principal)
) -> ApiKeyInfo:
    store = request.app.state.services.store
    try:
        info = accounts.revoke_api_key(store, key_id, username=principal.username)
    except AccountError as e:
        raise api_error(404, e.code, e.message_ko) from None
    auth_flow.audit(request, principal, "api_key_revoke", surface="api", target=key_id)
    return info
