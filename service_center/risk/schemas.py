"""Request bodies of the risk API. Answers are the normalized values returned by POST /api/risk/parse."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

DisputeType = Literal["loan", "sale", "labour", "divorce", "traffic", "property_service", "lease",
                      "personal_injury", "other"]
# Finite and bounded (1e30 made the fee arithmetic fail with a 500): ten trillion yuan is beyond any claim.
Amount = Annotated[float, Field(ge=0, le=1e13, allow_inf_nan=False)]
DateAnswer = str | dict[str, str | None] | None


class AssessmentIn(BaseModel):
    dispute_type: DisputeType
    amount: Amount | Literal["skip"] | None = Field(None, description="诉讼请求金额（元）；离婚为财产总额")
    arose: DateAnswer | Literal["skip", "unknown"] = Field(
        None, description="纠纷发生时间：'2023-05-01'、'2023-05'、'2023' 或 {earliest, latest}")
    last_demand: DateAnswer | Literal["never", "skip", "unknown"] = Field(None, description="最后一次主张权利的时间")
    evidence: list[Literal["contract", "transfer", "chat", "witness", "none"]] | Literal["skip"] | None = None
    defendant: Literal["full", "no_address", "name_only", "unknown", "skip"] | None = None
    enforceable_property: Literal["yes", "no", "unknown", "skip"] | None = None
    prior: Literal["none", "negotiated", "mediated", "sued", "arbitration_pending", "arbitrated", "skip"] | None = None
    divorce_refused_recently: bool | Literal["skip"] | None = None
    domestic_violence: bool | Literal["skip"] | None = None
    channel: str | None = Field(None, max_length=32)

    def answers(self) -> dict[str, Any]:
        data = self.model_dump(exclude={"channel"})
        # "skip" means the person chose not to answer: treat as unknown
        return {key: (None if value == "skip" else value) for key, value in data.items()}


class ParseIn(BaseModel):
    field: Literal["dispute_type", "amount", "arose", "last_demand", "evidence", "defendant",
                   "enforceable_property", "prior", "prior_labour", "divorce_refused_recently", "domestic_violence"]
    text: str = Field(..., max_length=500)
