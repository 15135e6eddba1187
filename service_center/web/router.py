"""GET / (the chat page) and GET /static/web/... (its CSS and the bundle `make web` builds)."""

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

from service_center.config import Settings, get_settings

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
STATIC_BASE = "/static/web"
TITLE = "前郭县人民法院诉讼服务智能助手"
_STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".map": "application/json"}

router = APIRouter(tags=["web"])
templates = Jinja2Templates(directory=str(HERE / "templates"))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def page_config(settings: Settings) -> dict:
    """What the page needs to know; all of it is public."""
    rasa = (settings.rasa_public_url or settings.rasa_url).rstrip("/")
    hosts = {urlsplit(settings.public_base_url).netloc}
    hosts.update(h.strip() for h in settings.web_link_hosts.split(",") if h.strip())
    return {
        "title": TITLE,
        "rasaUrl": rasa,
        "socketPath": settings.rasa_socketio_path,
        "feedbackUrl": "/api/kb/feedback",
        "linkHosts": sorted(hosts),
    }


def _security_headers(settings: Settings) -> dict:
    rasa = _origin(settings.rasa_public_url or settings.rasa_url)
    websocket = rasa.replace("https://", "wss://").replace("http://", "ws://")
    policy = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              f"connect-src 'self' {rasa} {websocket}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
    return {"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin", "Cache-Control": "no-cache"}


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def chat_page(request: Request, settings: Settings = Depends(get_settings)) -> HTMLResponse:
    response = templates.TemplateResponse(
        request, "chat.html", {"title": TITLE, "config": page_config(settings), "static_base": STATIC_BASE})
    response.headers.update(_security_headers(settings))
    return response


@router.get(STATIC_BASE + "/{path:path}", include_in_schema=False)
def static_file(path: str) -> FileResponse:
    return serve_static(STATIC_DIR, path)


def serve_static(static_dir: Path, path: str) -> FileResponse:
    """A file under static_dir (never outside it), with its type; a Chinese 404 naming `make web` for bundles."""
    target = (static_dir / path).resolve()
    if not target.is_relative_to(static_dir) or not target.is_file():
        detail = "页面文件不存在" if "dist/" not in path else "页面脚本尚未构建，请运行 make web"
        raise HTTPException(404, detail)
    media_type = _STATIC_TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0]
    return FileResponse(target, media_type=media_type, headers={"X-Content-Type-Options": "nosniff"})
