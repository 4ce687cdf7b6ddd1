"""One error shape for every API response that is not a success.

Every error body is ``{"detail": {"code": "...", "message": "<Korean>"}}`` (plus ``errors`` for
validation failures), whether it comes from a router, the auth layer, a validation failure or
an unexpected exception. The OpenAPI document publishes the same shape (``ErrorResponse``), so
clients and the schemathesis run can rely on it.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class ErrorDetail(BaseModel):
    code: str  # machine-readable, stable: "login_required", "forbidden", "not_found", …
    message: str  # Korean, for people


class ErrorResponse(BaseModel):
    detail: ErrorDetail
    errors: list[dict[str, Any]] | None = None  # field-level details of a validation failure


def api_error(status: int, code: str, message_ko: str, *, headers: dict | None = None):
    """Raise this from routers and dependencies: ``raise api_error(404, "not_found", "…")``."""
    return HTTPException(
        status_code=status, detail={"code": code, "message": message_ko}, headers=headers
    )


# Declared on routers (``responses=ERROR_RESPONSES``) so the published schema lists them.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "잘못된 요청"},
    401: {"model": ErrorResponse, "description": "로그인 필요"},
    403: {"model": ErrorResponse, "description": "권한 없음"},
    404: {"model": ErrorResponse, "description": "찾을 수 없음"},
    422: {"model": ErrorResponse, "description": "요청 형식 오류"},
}

_DEFAULT_MESSAGES = {
    400: ("bad_request", "요청이 올바르지 않습니다."),
    401: ("login_required", "로그인이 필요합니다."),
    403: ("forbidden", "권한이 없습니다."),
    404: ("not_found", "찾을 수 없습니다."),
    405: ("method_not_allowed", "허용되지 않는 요청 방식입니다."),
    413: ("too_large", "요청이 너무 큽니다."),
    429: ("too_many_requests", "요청이 너무 많습니다. 잠시 후 다시 시도하세요."),
}


def _body(status: int, detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict) and "code" in detail and "message" in detail:
        return {"detail": {"code": str(detail["code"]), "message": str(detail["message"])}}
    code, message = _DEFAULT_MESSAGES.get(status, ("error", "요청을 처리하지 못했습니다."))
    if isinstance(detail, str) and detail and not detail.isascii():
        message = detail  # a Korean message from older code paths
    return {"detail": {"code": code, "message": message}}


def _json_safe_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validation errors may carry bytes or exceptions in ``input``/``ctx``: make them JSON."""
    out = []
    for e in errors:
        loc = [str(p) for p in e.get("loc", ())]
        out.append({"loc": loc, "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))})
    return out


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            status_code=exc.status_code,
            content=_body(exc.status_code, exc.detail),
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _json_safe_errors(list(exc.errors()))
        # Users see Korean; developers still get the field-level details.
        fields = ", ".join(".".join(e["loc"][1:]) or "요청" for e in errors) or "요청"
        return JSONResponse(
            status_code=422,
            content={
                "detail": {
                    "code": "validation_error",
                    "message": f"요청 형식이 올바르지 않습니다: {fields}",
                },
                "errors": errors,
            },
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(
            status_code=500,
            content={
                "detail": {
                    "code": "internal_error",
                    "message": "서버 내부 오류가 발생했습니다. 잠시 후 다시 시도하거나 "
                    "관리자에게 문의하세요.",
                }
            },
        )


__all__ = ["ERROR_RESPONSES", "ErrorDetail", "ErrorResponse", "api_error", "install_error_handlers"]
