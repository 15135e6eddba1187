"""GET /staff: the staff console (login, dashboard, desks, unanswered questions, accounts) and its static files.

The page holds no data and no secret: it logs in with POST /api/staff/session (HttpOnly cookie) and keeps the CSRF
token in memory only. The bundle is built by `make web` (npm ci + esbuild into static/dist/)."""

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

from service_center.web.router import serve_static

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
STATIC_BASE = "/static/console"
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
    return serve_static(STATIC_DIR, path)
