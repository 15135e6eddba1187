"""The 12368 line's fallback as its own tiny process (Twilio's "primary handler fails" URL).

Twilio calls this URL when the Rasa server does not answer the voice webhook. It must not live in a process that
can fail with Rasa or with the service center: this app has no database, no guide index and no Rasa, only the
signed apology + transfer TwiML of service_center/hotline/fallback.py (the same function the service center's own
`POST /api/hotline/fallback` serves, so both answer alike). Run it with
`uvicorn service_center.hotline.fallback_app:app --port $HOTLINE_FALLBACK_PORT` (supervisord does, see
supervision/supervisord.conf); in production the proxy sends `/api/hotline/fallback` here.
"""

import logging

from fastapi import FastAPI

from service_center import __version__
from service_center.errors import install_error_handlers
from service_center.hotline.fallback import router as fallback_router
from service_center.privacy import install_log_masking


def create_app() -> FastAPI:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_masking()
    app = FastAPI(title="12368 热线备用应答", version=__version__,
                  description="Rasa 无法应答 12368 来电时，Twilio 调用此地址：致歉并转人工（TwiML）。")
    install_error_handlers(app)

    app.include_router(fallback_router)

    @app.get("/health", summary="This process answers")
    async def health() -> dict:
        return {"status": "ok", "version": __version__}

    return app


app = create_app()
