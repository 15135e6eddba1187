"""Litigation-risk engine: facts in, report out. Pure: the rules are data (rules.yml), no I/O here except
loading that file. Conditions are a tiny declarative language (no eval), so staff can edit rules safely."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from service_center.fees.engine import DISPUTE_TO_CASE_TYPE, UNPRICED_DISPUTES, FeeInputError, estimate

RULES_PATH = Path(__file__).with_name("rules.yml")
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}
SEVERITY_NAMES = {"high": "高", "medium": "中", "low": "低", "info": "提示"}
DISPUTE_TYPES = {
    "loan": "民间借贷", "sale": "买卖合同", "labour": "劳动争议", "divorce": "离婚及婚姻家庭",
    "traffic": "交通事故", "property_service": "物业服务", "lease": "房屋租赁", "personal_injury": "人身损害",
    "other": "其他",
}
BOOLEAN_FACTS = {"money_claim", "divorce_refused_recently", "domestic_violence"}
MONEY_CLAIMS = {"loan", "sale", "property_service", "lease"}
PATHS = {
    "arbitration_first": "先申请劳动仲裁",
    "protection_order": "申请人身安全保护令",
    "mediation": "诉前调解",
    "small_claims": "小额诉讼",
    "payment_order": "支付令",
    "simple_procedure": "起诉（简单案件可适用简易程序）",
}
DISCLAIMER = "仅供参考，不构成法律意见。"
OPERATORS = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "in": lambda a, b: a in b,
    "not_in": lambda a, b: a not in b,
    "lt": lambda a, b: a is not None and a < b,
    "lte": lambda a, b: a is not None and a <= b,
    "gt": lambda a, b: a is not None and a > b,
    "gte": lambda a, b: a is not None and a >= b,
    "is_null": lambda a, b: (a is None) == bool(b),
}


class RuleError(ValueError):
    """rules.yml is malformed; the message names the rule."""


@dataclass(frozen=True)
class RuleSet:
    version: int
    rules: list[dict[str, Any]]
    small_claims_screen: float


def check_condition(cond: Any, where: str) -> None:
    if not isinstance(cond, dict) or not cond:
        raise RuleError(f"{where}: condition must be a mapping")
    if "all" in cond or "any" in cond:
        key = "all" if "all" in cond else "any"
        if not isinstance(cond[key], list) or not cond[key]:
            raise RuleError(f"{where}: {key} needs a non-empty list")
        for sub in cond[key]:
            check_condition(sub, where)
        return
    if "not" in cond:
        check_condition(cond["not"], where)
        return
    ops = [key for key in cond if key != "fact"]
    if "fact" not in cond or len(ops) != 1 or ops[0] not in OPERATORS:
        raise RuleError(f"{where}: leaf needs fact and exactly one of {sorted(OPERATORS)}")


def _reject_yaml_booleans(cond: Any, where: str) -> None:
    """YAML reads unquoted yes/no as booleans; only facts that really are booleans may compare with them."""
    if isinstance(cond, dict):
        for key, value in cond.items():
            if key in ("all", "any"):
                for sub in value:
                    _reject_yaml_booleans(sub, where)
            elif key == "not":
                _reject_yaml_booleans(value, where)
            elif key != "fact" and cond.get("fact") not in BOOLEAN_FACTS:
                values = value if isinstance(value, list) else [value]
                if any(isinstance(v, bool) for v in values):
                    raise RuleError(f"{where}: quote \"yes\"/\"no\" for {cond.get('fact')}")


def parse_rules(data: dict[str, Any]) -> RuleSet:
    rules = data.get("rules") or []
    seen = set()
    for rule in rules:
        rid = rule.get("id")
        if not rid or rid in seen:
            raise RuleError(f"rule id missing or repeated: {rid}")
        seen.add(rid)
        for key in ("title", "finding", "recommendation", "severity", "basis", "when"):
            if not rule.get(key):
                raise RuleError(f"{rid}: {key} is required")
        if rule["severity"] not in SEVERITY_ORDER:
            raise RuleError(f"{rid}: severity must be one of {list(SEVERITY_ORDER)}")
        if rule.get("path") and rule["path"] not in PATHS:
            raise RuleError(f"{rid}: unknown path {rule['path']}")
        for basis in rule["basis"]:
            if not basis.get("law") or not basis.get("article"):
                raise RuleError(f"{rid}: every basis needs law and article")
        check_condition(rule["when"], rid)
        _reject_yaml_booleans(rule["when"], rid)
    screen = float((data.get("small_claims") or {}).get("screen_without_ceiling") or 0)
    return RuleSet(int(data.get("version", 1)), rules, screen)


@lru_cache
def load_rules(path: Path = RULES_PATH) -> RuleSet:
    with open(path, encoding="utf-8") as handle:
        return parse_rules(yaml.safe_load(handle))


def evaluate(cond: dict[str, Any], facts: dict[str, Any]) -> bool:
    if "all" in cond:
        return all(evaluate(sub, facts) for sub in cond["all"])
    if "any" in cond:
        return any(evaluate(sub, facts) for sub in cond["any"])
    if "not" in cond:
        return not evaluate(cond["not"], facts)
    (op, expected), = ((k, v) for k, v in cond.items() if k != "fact")
    try:
        return OPERATORS[op](facts.get(cond["fact"]), expected)
    except TypeError:
        return False


# ---------- deriving facts ----------

def _as_date(value: Any) -> date | None:
    if value in (None, "", "-inf", "inf"):
        return None
    if isinstance(value, date):
        return value
    text = str(value)[:10]
    parts = text.split("-")
    try:
        if len(parts) == 3:
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
        if len(parts) == 2:
            return date(int(parts[0]), int(parts[1]), 1)
        return date(int(parts[0]), 1, 1)
    except ValueError:
        return None


def date_span(value: Any) -> tuple[date | None, date | None] | None:
    """A date answer as (earliest, latest); None when not given. 'YYYY' and 'YYYY-MM' widen to the span."""
    if value in (None, "skip", "unknown"):
        return None
    if isinstance(value, dict):
        return _as_date(value.get("earliest")), _as_date(value.get("latest"))
    text = str(value)
    start = _as_date(text)
    if start is None:
        return None
    if len(text) == 4:
        return start, date(start.year, 12, 31)
    if len(text) == 7:
        nxt = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        return start, nxt - timedelta(days=1)
    return start, start


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def limitation_status(arose: Any, last_demand: Any, today: date, years: int) -> str:
    """expired | uncertain | near | ok | unknown: counted from the later of the dispute and the last demand."""
    spans = [s for s in (date_span(arose), date_span(last_demand) if last_demand != "never" else None) if s]
    if not spans:
        return "unknown"
    latest = max((s[1] for s in spans if s[1]), default=None)
    earliest_known = [s[0] for s in spans if s[0]]
    earliest = max(earliest_known) if earliest_known else None
    if latest is None:
        return "unknown"
    if today > add_years(latest, years):
        return "expired"
    if earliest is None or today > add_years(earliest, years):
        return "uncertain"
    if (add_years(earliest, years) - today).days < 180:
        return "near"
    return "ok"


def evidence_strength(items: Any) -> str:
    if items in (None, "skip", "unknown"):
        return "unknown"
    items = set(items if isinstance(items, list | tuple | set) else [items])
    if not items or items <= {"none"}:
        return "none"
    if {"contract", "transfer"} <= items:
        return "strong"
    if items & {"contract", "transfer"}:
        return "medium"
    return "weak"


def small_claims_status(amount: float | None, ceiling: dict[str, Any] | None, screen: float) -> tuple[str, str]:
    """(yes | maybe | no, explanation of the ceiling used)."""
    if amount is None or amount <= 0:
        return "no", ""
    if ceiling and ceiling.get("confirmed") and ceiling.get("value"):
        value = float(ceiling["value"])
        year = ceiling.get("year") or ""
        note = f"本省小额诉讼标的额上限为{value:g}元（{year}年度，{ceiling.get('source', '')}）"
        return ("yes" if amount <= value else "no"), note
    note = "小额诉讼的上限是本省上年度就业人员年平均工资的百分之五十，具体数额未经法院确认，请以法院公告为准"
    return ("maybe" if amount <= screen else "no"), note


def derive(answers: dict[str, Any], today: date, local_amounts: dict[str, Any] | None, screen: float) -> dict:
    facts = dict(answers)
    dispute = answers.get("dispute_type") or "other"
    facts["dispute_type"] = dispute
    amount = answers.get("amount")
    amount = None if amount in (None, "skip") else float(amount)
    facts["amount"] = amount
    facts["limitation"] = ("not_applicable" if dispute == "divorce"
                           else limitation_status(answers.get("arose"), answers.get("last_demand"), today, 3))
    facts["labour_limitation"] = (limitation_status(answers.get("arose"), answers.get("last_demand"), today, 1)
                                  if dispute == "labour" else "not_applicable")
    facts["evidence_strength"] = evidence_strength(answers.get("evidence"))
    facts["defendant"] = answers.get("defendant") or "unknown_answer"
    facts["enforceable_property"] = answers.get("enforceable_property") or "unknown"
    facts["prior"] = answers.get("prior") or "none"
    facts["money_claim"] = dispute in MONEY_CLAIMS
    ceiling = (local_amounts or {}).get("small_claims_ceiling")
    facts["small_claims"], facts["small_claims_note"] = small_claims_status(amount, ceiling, screen)
    return facts


# ---------- the report ----------

def fee_section(facts: dict[str, Any], paths: list[str], local_amounts: dict[str, Any] | None) -> dict[str, Any]:
    dispute, amount = facts["dispute_type"], facts["amount"]
    if dispute in UNPRICED_DISPUTES:
        return {"available": False, "summary": UNPRICED_DISPUTES[dispute] + "，以法院核定为准。", "items": []}
    case_type = DISPUTE_TO_CASE_TYPE[dispute]
    try:
        full = estimate(case_type=case_type, amount=amount, local_amounts=local_amounts)
    except FeeInputError:
        return {"available": False, "summary": "没有说金额，暂时无法估算诉讼费。", "items": []}
    half = estimate(case_type=case_type, amount=amount, procedure="simple", local_amounts=local_amounts)
    items = [{"name": "案件受理费（普通程序）", **full.payable.as_dict()},
             {"name": "适用简易程序或调解结案、撤诉时减半", **half.payable.as_dict()}]
    summary = f"案件受理费约{full.payable.as_dict()['text']}，简易程序或调解结案减半约{half.payable.as_dict()['text']}"
    if "payment_order" in paths and amount:
        order = estimate(kind="payment_order", amount=amount).payable.as_dict()
        items.append({"name": "申请支付令", **order})
        summary += f"；申请支付令约{order['text']}"
    if dispute == "labour":
        summary = "劳动争议案件受理费每件10元（须先经仲裁）"
    return {"available": True, "summary": summary + "。", "items": items,
            "law": "诉讼费用交纳办法", "note": "估算仅供参考，以法院核定为准。"}


def assess(answers: dict[str, Any], today: date, local_amounts: dict[str, Any] | None = None,
           ruleset: RuleSet | None = None) -> dict[str, Any]:
    ruleset = ruleset or load_rules()
    facts = derive(answers, today, local_amounts, ruleset.small_claims_screen)
    matched = [rule for rule in ruleset.rules if evaluate(rule["when"], facts)]
    ranked = sorted(enumerate(matched), key=lambda pair: (SEVERITY_ORDER[pair[1]["severity"]], pair[0]))
    findings = []
    for _index, rule in ranked:
        finding = {"id": rule["id"], "title": rule["title"], "severity": rule["severity"],
                   "severity_name": SEVERITY_NAMES[rule["severity"]], "finding": rule["finding"],
                   "recommendation": rule["recommendation"], "basis": rule["basis"]}
        if rule["id"] == "small_claims" and facts["small_claims_note"]:
            finding["finding"] += f"（{facts['small_claims_note']}）"
        findings.append(finding)
    severities = {f["severity"] for f in findings}
    level = "高" if "high" in severities else "中" if "medium" in severities else "低"
    paths: list[str] = []
    for _index, rule in ranked:
        if rule.get("path") and rule["path"] not in paths:
            paths.append(rule["path"])
    if not paths:
        paths.append("simple_procedure")
    primary = paths[0]
    others = "、".join(PATHS[p] for p in paths[1:])
    recommendation = {
        "path": primary, "path_name": PATHS[primary],
        "alternatives": [{"path": p, "path_name": PATHS[p]} for p in paths[1:]],
        "offer_mediation_booking": "mediation" in paths,
        "text": "建议" + PATHS[primary] + (f"；也可以考虑{others}" if others else ""),
    }
    fees = fee_section(facts, paths, local_amounts)
    top = next((f for f in findings if f["severity"] in ("high", "medium")), None)
    top_text = top["title"] if top else "没有发现明显风险"
    summary = f"风险等级{level}。{top_text}。{fees['summary']}{recommendation['text']}。"
    return {
        "level": level,
        "dispute_type": facts["dispute_type"],
        "dispute_name": DISPUTE_TYPES.get(facts["dispute_type"], "其他"),
        "findings": findings,
        "fees": fees,
        "recommendation": recommendation,
        "summary": summary,
        "facts": {k: facts[k] for k in ("limitation", "labour_limitation", "evidence_strength", "small_claims")},
        "rules_version": ruleset.version,
        "disclaimer": DISCLAIMER,
    }
