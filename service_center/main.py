"""The service center: one FastAPI app; each domain brings its own router."""

import logging

from fastapi import FastAPI

from service_center import __version__
from service_center.booking import router as booking
from service_center.errors import install_error_handlers
from service_center.fees.router import router as fees_router
from service_center.health.router import router as health_router
from service_center.hotline.router import router as hotline_router
from service_center.kb.router import router as kb_router
from service_center.notifications import router as notifications
from service_center.privacy import install_log_masking
from service_center.risk.router import router as risk_router
from service_center.web.router import router as web_router


def create_app() -> FastAPI:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_masking()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # /health polls would flood the log
    app = FastAPI(
        title="诉讼服务中心 API",
        version=__version__,
        description="法院诉讼服务智能助手的服务中心：程序指南检索、风险自测与诉讼费计算、预约、工作人员接口。",
    )
    install_error_handlers(app)
    app.include_router(health_router)
    app.include_router(kb_router)
    app.include_router(fees_router)
    app.include_router(risk_router)
    app.include_router(web_router)
    app.include_router(booking.router)
    app.include_router(booking.staff_router)
    app.include_router(notifications.router)
    app.include_router(notifications.staff_router)
    app.include_router(hotline_router)
    return app


app = create_app()
