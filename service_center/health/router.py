"""GET /health: is every part the assistant needs answering, and which versions run."""

import platform
import time

import httpx
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.orm import Session

from service_center import __version__
from service_center.config import Settings, get_settings
from service_center.db import get_session
from service_center.kb.service import holder_for

router = APIRouter(tags=["health"])


def _check_database(session: Session) -> dict:
    started = time.perf_counter()
    try:
        session.execute(text("SELECT 1"))
        return {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 1),
                "dialect": session.get_bind().dialect.name}
    except Exception as exc:  # report, never raise: /health must answer
        return {"status": "down", "error": type(exc).__name__}


async def _check_http(client: httpx.AsyncClient, url: str) -> dict:
    started = time.perf_counter()
    try:
        response = await client.get(url)
        result = {"status": "ok" if response.status_code == 200 else "down",
                  "ms": round((time.perf_counter() - started) * 1000, 1)}
        if response.headers.get("content-type", "").startswith("application/json"):
            body = response.json()
            if isinstance(body, dict) and "version" in body:
                result["version"] = body["version"]
        elif response.text.startswith("Hello from Rasa: "):  # Rasa's root route names its version
            result["version"] = response.text.removeprefix("Hello from Rasa: ").strip()
        return result
    except httpx.HTTPError as exc:
        return {"status": "down", "error": type(exc).__name__}


def _check_guide(settings: Settings) -> dict:
    """The procedure-guide index loads in the background at startup: until it is in, questions would wait."""
    state = holder_for(settings).status()
    if state["status"] == "ready":
        return {"status": "ok", "entries": state["manifest"]["entries"], "embedder": state["manifest"]["embedder"]}
    return {"status": "loading" if state["status"] == "loading" else "down", "error": state.get("error")}


@router.get("/health", summary="Each dependency's status and the versions (503 when any is not ok)",
            responses={503: {"description": "a dependency is down or still loading; same body"}})
async def health(session: Session = Depends(get_session), settings: Settings = Depends(get_settings)):
    async with httpx.AsyncClient(timeout=settings.health_timeout) as client:
        rasa = await _check_http(client, f"{settings.rasa_url}/")
        actions = await _check_http(client, f"{settings.actions_url}/health")
    checks = {"database": _check_database(session), "guide": _check_guide(settings), "rasa": rasa,
              "actions": actions}
    overall = "ok" if all(c["status"] == "ok" for c in checks.values()) else "degraded"
    body = {
        "status": overall,
        "checks": checks,
        "versions": {"service_center": __version__, "python": platform.python_version()},
    }
    # Monitoring and load balancers read the status code: degraded must not look healthy.
    return JSONResponse(body, status_code=200 if overall == "ok" else 503)
