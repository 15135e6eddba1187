"""GET /api/fees/estimate: court fees with the article each figure rests on."""

from typing import Literal

from fastapi import APIRouter, HTTPException, Query

from service_center.court.profile import lookup
from service_center.fees.engine import FeeInputError, estimate

router = APIRouter(tags=["fees"])
MAX_AMOUNT = 1e13  # yuan: ten trillion, beyond any claim


def local_amounts() -> dict:
    try:
        return lookup("local_amounts") or {}
    except KeyError:
        return {}


@router.get("/api/fees/estimate", summary="诉讼费用估算（诉讼费用交纳办法）")
def fee_estimate(
    case_type: str = Query("property", description="property | divorce | personality_rights | other_non_property | "
                           "ip_no_amount | labour | administrative | administrative_special，或纠纷类型 loan、sale 等"),
    # bounded and finite: 1e30 or inf made the fee arithmetic (Decimal) fail with a 500
    amount: float | None = Query(None, ge=0, le=MAX_AMOUNT, allow_inf_nan=False,
                                 description="诉讼请求金额（元）；离婚案件为财产总额，人格权案件为赔偿金额"),
    procedure: Literal["ordinary", "simple", "small_claims"] = "ordinary",
    kind: Literal["acceptance", "appeal", "enforcement", "preservation", "payment_order"] = "acceptance",
    settled: bool = Query(False, description="以调解方式结案或撤诉（第十五条减半）"),
) -> dict:
    try:
        return estimate(kind=kind, case_type=case_type, amount=amount, procedure=procedure, settled=settled,
                        local_amounts=local_amounts()).as_dict()
    except FeeInputError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
