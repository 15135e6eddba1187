"""GET /staff: the staff console (login, dashboard, desks, unanswered questions, accounts) and its static files.

The page holds no data and no secret: it logs in with POST /api/staff/session (HttpOnly cookie) and keeps the CSRF
token in memory only. The bundle is built by `make web` (npm ci + esbuild into static/dist/)."""

import mimetypes
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
STATIC_BASE = "/static/console"
_TYPES = {".js": "text/javascript", ".css": "text/css", ".map": "application/json"}
# ECharts positions its tooltip with inline styles; scripts stay same-origin only.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                               "form-action 'self'",
    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
}

router = APIRouter(tags=["staff"])
templates = Jinja2Templates(directory=str(HERE / "templates"))


@router.get("/staff", response_class=HTMLResponse, include_in_schema=False)
def console_page(request: Request) -> HTMLResponse:
    response = templates.TemplateResponse(request, "console.html", {"static_base": STATIC_BASE})
    response.headers.update(SECURITY_HEADERS)
    return response


@router.get(STATIC_BASE + "/{path:path}", include_in_schema=False)
def console_static(path: str) -> FileResponse:
    target = (STATIC_DIR / path).resolve()
    if not target.is_relative_to(STATIC_DIR) or not target.is_file():
        raise HTTPException(404, "页面脚本尚未构建，请运行 make web" if "dist/" in path else "页面文件不存在")
    media_type = _TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0]
    return FileResponse(target, media_type=media_type, headers={"X-Content-Type-Options": "nosniff"})
