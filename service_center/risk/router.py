"""Risk self-assessment API and the printable report page."""

from datetime import date
from pathlib import Path

import yaml
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from service_center.auth import Capability, require_capability
from service_center.court.profile import lookup
from service_center.db import get_session
from service_center.risk import service
from service_center.risk.engine import RULES_PATH, RuleError, load_rules, parse_rules
from service_center.risk.models import RiskAssessment
from service_center.risk.parse import options, parse_answer
from service_center.risk.schemas import AssessmentIn, ParseIn

router = APIRouter(tags=["risk"])
templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))  # autoescape is on for .html


def _get(session: Session, assessment_id: str) -> RiskAssessment:
    row = session.get(RiskAssessment, assessment_id) if service.ID_PATTERN.match(assessment_id) else None
    if row is None:
        raise HTTPException(status_code=404, detail="找不到这个报告编号")
    return row


@router.post("/api/risk/assessments", status_code=201, summary="提交诉讼风险自测，返回报告")
def create_assessment(body: AssessmentIn, session: Session = Depends(get_session)) -> dict:
    row = service.create(session, body.answers(), body.channel)
    return service.public_view(row)


@router.get("/api/risk/assessments/{assessment_id}", summary="按编号查看风险自测报告")
def get_assessment(assessment_id: str, session: Session = Depends(get_session)) -> dict:
    return service.public_view(_get(session, assessment_id))


@router.get("/risk/{assessment_id}", response_class=HTMLResponse, include_in_schema=False)
def report_page(assessment_id: str, request: Request, session: Session = Depends(get_session)) -> HTMLResponse:
    view = service.public_view(_get(session, assessment_id))
    return templates.TemplateResponse(request, "risk_report.html",
                                      {"r": view, "court_name": lookup("court.name")})


@router.post("/api/risk/parse", summary="理解一条口语回答（金额、时间、选项）")
def parse(body: ParseIn) -> dict:
    result = parse_answer(body.field, body.text, date.today())
    return {"field": body.field, "options": options(body.field), **result}


@router.get("/api/staff/risk/rules", summary="当前的风险规则（来自 rules.yml）")
def staff_rules(_staff: str = Depends(require_capability(Capability.guide))) -> dict:
    rules = load_rules()
    return {"version": rules.version, "small_claims_screen": rules.small_claims_screen, "rules": rules.rules}


@router.post("/api/staff/risk/reload", summary="修改 rules.yml 后重新加载")
def staff_reload(_staff: str = Depends(require_capability(Capability.guide))) -> dict:
    try:  # check the edited file first: a broken file must not replace the rules in use
        with open(RULES_PATH, encoding="utf-8") as handle:
            parse_rules(yaml.safe_load(handle))
    except (RuleError, OSError, ValueError, TypeError, AttributeError, yaml.YAMLError) as exc:
        raise HTTPException(status_code=400, detail=f"规则文件有误，仍使用原规则：{exc}") from exc
    load_rules.cache_clear()
    rules = load_rules()
    return {"reloaded": True, "count": len(rules.rules), "version": rules.version}
