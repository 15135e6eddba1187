"""One JSON error shape for every API failure: {"error": {"code", "message", "details"}}."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

# Starlette's own English details, for routes that do not exist or methods not allowed.
_DEFAULT_MESSAGES = {404: "找不到请求的地址", 405: "不支持该请求方法"}
_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
          405: "method_not_allowed", 409: "conflict", 422: "invalid_request", 429: "too_many_requests"}


def error_body(status: int, message: str, details=None) -> dict:
    return {"error": {"code": _CODES.get(status, "error"), "message": message, "details": details}}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "请求无法处理"
        if message in ("Not Found", "Method Not Allowed"):
            message = _DEFAULT_MESSAGES[exc.status_code]
        details = None if isinstance(exc.detail, str) else exc.detail
        return JSONResponse(error_body(exc.status_code, message, details), exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [{"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]} for e in exc.errors()]
        return JSONResponse(error_body(422, "请求参数不正确", details), 422)

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error: %s", type(exc).__name__)
        return JSONResponse(error_body(500, "服务暂时出现问题，请稍后再试"), 500)
