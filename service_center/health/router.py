"""GET /health: is every part the assistant needs answering, and which versions run."""

import asyncio
import platform
import time

import httpx
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.orm import Session

from service_center import __version__
from service_center.booking.holidays.service import coverage
from service_center.config import Settings, get_settings
from service_center.db import get_session
from service_center.health.processes import process_report
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


def _check_calendar() -> dict:
    """Years within the booking horizon without an official holiday arrangement still book (provisionally), so
    this warns staff without making the service "degraded"."""
    try:
        state = coverage()
    except Exception as exc:  # report, never raise: /health must answer
        return {"status": "down", "error": type(exc).__name__}
    return {"status": "provisional" if state["missing"] else "ok", "years_without_official": state["missing"],
            "warning": state["warning"]}


def _check_guide(settings: Settings) -> dict:
    """The procedure-guide index loads in the background at startup: until it is in, questions would wait."""
    state = holder_for(settings).status()
    if state["status"] == "ready":
        return {"status": "ok", "entries": state["manifest"]["entries"], "embedder": state["manifest"]["embedder"]}
    return {"status": "loading" if state["status"] == "loading" else "down", "error": state.get("error")}


@router.get("/health", summary="Each dependency's status, each supervised process's state and crashes, versions "
            "(503 when any dependency is not ok)",
            responses={503: {"description": "a dependency is down or still loading; same body"}})
async def health(session: Session = Depends(get_session), settings: Settings = Depends(get_settings)):
    async with httpx.AsyncClient(timeout=settings.health_timeout) as client:
        rasa, actions, fallback = await asyncio.gather(
            _check_http(client, f"{settings.rasa_url}/"), _check_http(client, f"{settings.actions_url}/health"),
            _check_http(client, f"{settings.hotline_fallback_url}/health"))
    checks = {"database": _check_database(session), "guide": _check_guide(settings), "rasa": rasa,
              "actions": actions, "hotline_fallback": fallback, "calendar": _check_calendar()}
    # A provisional holiday calendar is a warning for staff, not a failure: booking still works.
    overall = "ok" if all(c["status"] in ("ok", "provisional") for c in checks.values()) else "degraded"
    body = {
        "status": overall,
        "checks": checks,
        "warnings": [checks["calendar"]["warning"]] if checks["calendar"].get("warning") else [],
        "supervision": process_report(settings.supervision_dir),
        "versions": {"service_center": __version__, "python": platform.python_version()},
    }
    # Monitoring and load balancers read the status code: degraded must not look healthy.
    return JSONResponse(body, status_code=200 if overall == "ok" else 503)


@router.get("/health/processes", summary="Each supervised process's state, pid and crash count (make run)")
def processes(settings: Settings = Depends(get_settings)) -> dict:
    return process_report(settings.supervision_dir)
