"""Court fees by 诉讼费用交纳办法 (国务院令第481号): a pure engine, no I/O.

Every figure carries the article it rests on. Money is Decimal throughout. The 办法 itself says nothing
about rounding, so amounts are kept exact to the fen (0.01 元, half up); courts may round further when
they issue the payment notice, which is why every answer ends with 以法院核定为准.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

LAW = "诉讼费用交纳办法"
FEN = Decimal("0.01")
WAN = Decimal(10000)

# (upper bound of the bracket or None for the top, rate); the first bracket is a flat amount.
# 第十三条第（一）项: property cases, cumulative by bracket.
PROPERTY_FLAT = (WAN, Decimal(50))
PROPERTY_BRACKETS: list[tuple[Decimal | None, Decimal]] = [
    (10 * WAN, Decimal("0.025")),
    (20 * WAN, Decimal("0.02")),
    (50 * WAN, Decimal("0.015")),
    (100 * WAN, Decimal("0.01")),
    (200 * WAN, Decimal("0.009")),
    (500 * WAN, Decimal("0.008")),
    (1000 * WAN, Decimal("0.007")),
    (2000 * WAN, Decimal("0.006")),
    (None, Decimal("0.005")),
]
# 第十四条第（一）项第2目: enforcement with an amount.
ENFORCEMENT_FLAT = (WAN, Decimal(50))
ENFORCEMENT_BRACKETS: list[tuple[Decimal | None, Decimal]] = [
    (50 * WAN, Decimal("0.015")),
    (500 * WAN, Decimal("0.01")),
    (1000 * WAN, Decimal("0.005")),
    (None, Decimal("0.001")),
]
# 第十四条第（二）项: preservation, capped at 5,000 元.
PRESERVATION_FLAT = (Decimal(1000), Decimal(30))
PRESERVATION_BRACKETS: list[tuple[Decimal | None, Decimal]] = [
    (10 * WAN, Decimal("0.01")),
    (None, Decimal("0.005")),
]
PRESERVATION_CAP = Decimal(5000)
ENFORCEMENT_NO_AMOUNT = (Decimal(50), Decimal(500))
# 第十三条第（二）项: surcharges on top of the per-case fee for divorce and personality-rights cases.
DIVORCE_PROPERTY_FREE = 20 * WAN
DIVORCE_PROPERTY_RATE = Decimal("0.005")
PERSONALITY_BRACKETS: list[tuple[Decimal | None, Decimal]] = [(10 * WAN, Decimal("0.01")), (None, Decimal("0.005"))]
PERSONALITY_FREE = 5 * WAN

# Per-case fee categories (case_type) and the national ranges of 第十三条; local figures come from the court profile.
CASE_TYPES = {
    "property": "财产案件",
    "divorce": "离婚案件",
    "personality_rights": "人格权案件",
    "other_non_property": "其他非财产案件",
    "ip_no_amount": "知识产权民事案件（无争议金额）",
    "labour": "劳动争议案件",
    "administrative": "行政案件",
    "administrative_special": "商标、专利、海事行政案件",
}
NATIONAL = {
    "divorce": ((Decimal(50), Decimal(300)), "第十三条第（二）项第1目", "divorce_fee_range"),
    "personality_rights": ((Decimal(100), Decimal(500)), "第十三条第（二）项第2目", "personality_rights_fee_range"),
    "other_non_property": ((Decimal(50), Decimal(100)), "第十三条第（二）项第3目", "other_non_property_fee_range"),
    "ip_no_amount": ((Decimal(500), Decimal(1000)), "第十三条第（三）项", "ip_fee_range"),
    "labour": ((Decimal(10), Decimal(10)), "第十三条第（四）项", None),
    "administrative": ((Decimal(50), Decimal(50)), "第十三条第（五）项第2目", None),
    "administrative_special": ((Decimal(100), Decimal(100)), "第十三条第（五）项第1目", None),
}
# The dispute kinds of the risk self-assessment, mapped onto fee categories.
DISPUTE_TO_CASE_TYPE = {
    "loan": "property", "sale": "property", "traffic": "property", "property_service": "property",
    "lease": "property", "personal_injury": "property",
    "labour": "labour", "divorce": "divorce",
}
# "other" disputes of the self-assessment may be property or non-property cases: never priced as either.
UNPRICED_DISPUTES = {"other": "其他纠纷的诉讼费要看案件类型：涉及金额的财产案件按金额分段计算，不涉及金额的按件交纳"}
PROCEDURES = {"ordinary": "普通程序", "simple": "简易程序", "small_claims": "小额诉讼程序"}
KINDS = {"acceptance": "案件受理费", "appeal": "第二审案件受理费", "enforcement": "执行申请费",
         "preservation": "财产保全申请费", "payment_order": "支付令申请费"}
ROUNDING_NOTE = "按分计算（四舍五入到0.01元）；实际收费以法院核定为准。"


class FeeInputError(ValueError):
    """A request the engine cannot answer; the message is Chinese and safe to show."""


@dataclass
class Figure:
    label: str
    amount: Decimal | None = None          # exact figure, when there is one
    low: Decimal | None = None             # or a range
    high: Decimal | None = None
    article: str = ""
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        def num(value: Decimal | None) -> float | None:
            return None if value is None else float(value)
        return {"label": self.label, "amount": num(self.amount), "low": num(self.low), "high": num(self.high),
                "text": money_text(self), "law": LAW, "article": self.article, "note": self.note}


@dataclass
class Estimate:
    kind: str
    case_type: str
    amount: Decimal | None
    procedure: str
    figures: list[Figure] = field(default_factory=list)
    payable: Figure | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "kind_name": KINDS[self.kind], "case_type": self.case_type,
            "case_type_name": CASE_TYPES.get(self.case_type, self.case_type),
            "amount": None if self.amount is None else float(self.amount),
            "procedure": self.procedure, "procedure_name": PROCEDURES.get(self.procedure, self.procedure),
            "figures": [f.as_dict() for f in self.figures],
            "payable": self.payable.as_dict() if self.payable else None,
            "summary": self.summary(),
            "notes": self.notes,
            "disclaimer": "以上为依照《诉讼费用交纳办法》的估算，仅供参考，以法院核定为准。",
        }

    def summary(self) -> str:
        final = self.payable
        if final is None:
            return ""
        return f"{final.label}约{money_text(final)}（{LAW}{final.article}）"


def q(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def yuan(value: Decimal) -> str:
    value = q(value)
    text = f"{value:.2f}".rstrip("0").rstrip(".")  # no thousands comma: it is also spoken
    return f"{text}元"


def money_text(fig: Figure) -> str:
    if fig.amount is not None:
        return yuan(fig.amount)
    if fig.low is not None and fig.high is not None:
        return yuan(fig.low) if fig.low == fig.high else f"{yuan(fig.low)}至{yuan(fig.high)}"
    return "以法院核定为准"


def bracketed(amount: Decimal, flat: tuple[Decimal, Decimal], brackets) -> Decimal:
    """Cumulative brackets: a flat fee up to flat[0], then each rate on the part inside its bracket."""
    limit, fee = flat
    total = fee
    lower = limit
    for upper, rate in brackets:
        if amount <= lower:
            break
        top = amount if upper is None else min(amount, upper)
        total += (top - lower) * rate
        if upper is None:
            break
        lower = upper
    return total


def property_fee(amount: Decimal) -> Decimal:
    """第十三条第（一）项, exact (not rounded)."""
    return bracketed(amount, PROPERTY_FLAT, PROPERTY_BRACKETS)


def enforcement_fee(amount: Decimal) -> Decimal:
    return bracketed(amount, ENFORCEMENT_FLAT, ENFORCEMENT_BRACKETS)


def preservation_fee(amount: Decimal) -> Decimal:
    return min(bracketed(amount, PRESERVATION_FLAT, PRESERVATION_BRACKETS), PRESERVATION_CAP)


def _local_range(case_type: str, local_amounts: dict[str, Any] | None) -> tuple[Decimal, Decimal, bool, str]:
    """The per-case fee: the court's confirmed figure if the profile has one, else the national range."""
    (low, high), _article, key = NATIONAL[case_type]
    node = (local_amounts or {}).get(key) if key else None
    if node and node.get("confirmed") and node.get("value") is not None:
        value = node["value"]
        if isinstance(value, (list, tuple)):
            local_low, local_high = Decimal(str(value[0])), Decimal(str(value[1]))
        else:
            local_low = local_high = Decimal(str(value))
        if low <= local_low <= local_high <= high:
            return local_low, local_high, True, node.get("source", "")
    return low, high, low == high, ""


def _surcharge(case_type: str, amount: Decimal | None) -> Figure | None:
    if amount is None or amount <= 0:
        return None
    if case_type == "divorce":
        extra = max(amount - DIVORCE_PROPERTY_FREE, Decimal(0)) * DIVORCE_PROPERTY_RATE
        return Figure("财产分割部分", amount=q(extra), article="第十三条第（二）项第1目",
                      note="财产总额不超过20万元的不另交；超过20万元的部分按0.5%交纳。")
    if case_type == "personality_rights":
        extra = bracketed(amount, (PERSONALITY_FREE, Decimal(0)), PERSONALITY_BRACKETS)
        return Figure("损害赔偿部分", amount=q(extra), article="第十三条第（二）项第2目",
                      note="赔偿金额不超过5万元的不另交；5万元至10万元的部分按1%，超过10万元的部分按0.5%。")
    return None


def _first_instance(case_type: str, amount: Decimal | None, local_amounts) -> tuple[list[Figure], Figure]:
    """The undiscounted acceptance fee: the figures and their total."""
    if case_type == "property":
        if amount is None:
            raise FeeInputError("财产案件需要提供诉讼请求的金额")
        fee = property_fee(amount)
        fig = Figure("案件受理费（财产案件）", amount=q(fee), article="第十三条第（一）项",
                     note="不超过1万元的每件50元，超过部分按2.5%、2%、1.5%、1%、0.9%、0.8%、0.7%、0.6%、0.5%分段累计。")
        return [fig], fig
    if case_type not in NATIONAL:
        raise FeeInputError("不认识的案件类型")
    low, high, confirmed, source = _local_range(case_type, local_amounts)
    (nat_low, nat_high), article, _key = NATIONAL[case_type]
    base = Figure(f"案件受理费（{CASE_TYPES[case_type]}，每件）", article=article)
    if low == high:
        base.amount = low
    else:
        base.low, base.high = low, high
    if not confirmed:
        base.note = f"全国幅度{yuan(nat_low)}至{yuan(nat_high)}，本省具体标准未确认，以法院核定为准。"
    elif source:
        base.note = f"依据：{source}"
    figures = [base]
    extra = _surcharge(case_type, amount)
    if extra is not None:
        figures.append(extra)
        total = Figure("合计", article=article)
        if base.amount is not None:
            total.amount = base.amount + extra.amount
        else:
            total.low, total.high = base.low + extra.amount, base.high + extra.amount
        figures.append(total)
        return figures, total
    return figures, base


def _halve(fig: Figure) -> Figure:
    half = Figure(fig.label, article=fig.article)
    if fig.amount is not None:
        half.amount = q(fig.amount / 2)
    else:
        half.low, half.high = q(fig.low / 2), q(fig.high / 2)
    return half


def estimate(kind: str = "acceptance", case_type: str = "property", amount: Decimal | float | int | str | None = None,
             procedure: str = "ordinary", settled: bool = False,
             local_amounts: dict[str, Any] | None = None) -> Estimate:
    """One fee estimate. kind: acceptance | appeal | enforcement | preservation | payment_order."""
    if kind not in KINDS:
        raise FeeInputError("费用种类只能是：受理费、上诉费、执行申请费、保全申请费、支付令申请费")
    if case_type in UNPRICED_DISPUTES:
        raise FeeInputError(UNPRICED_DISPUTES[case_type] + "，请说明是财产案件还是非财产案件")
    case_type = DISPUTE_TO_CASE_TYPE.get(case_type, case_type)
    if case_type not in CASE_TYPES:
        raise FeeInputError("不认识的案件类型")
    if procedure not in PROCEDURES:
        raise FeeInputError("审理程序只能是普通程序、简易程序或小额诉讼程序")
    if amount is not None:
        try:
            amount = Decimal(str(amount))
        except ArithmeticError as exc:
            raise FeeInputError("金额格式不对") from exc
        if not amount.is_finite() or amount < 0:
            raise FeeInputError("金额不能为负数")
    result = Estimate(kind, case_type, amount, procedure)

    if kind == "enforcement":
        if amount is None or amount == 0:
            low, high = ENFORCEMENT_NO_AMOUNT
            fig = Figure("执行申请费（没有执行金额）", low=low, high=high, article="第十四条第（一）项第1目")
        else:
            fig = Figure("执行申请费", amount=q(enforcement_fee(amount)), article="第十四条第（一）项第2目",
                         note="不超过1万元的每件50元；超过部分按1.5%、1%、0.5%、0.1%分段累计。")
        result.figures, result.payable = [fig], fig
        result.notes.append("执行申请费不由申请人预交，执行后交纳，由被执行人负担（第二十条、第三十八条）。")
        return result
    if kind == "preservation":
        raw = preservation_fee(amount or Decimal(0))
        fig = Figure("财产保全申请费", amount=q(raw), article="第十四条第（二）项",
                     note="不超过1000元或不涉及财产数额的每件30元；1000元至10万元的部分按1%，超过10万元的部分按0.5%；最多不超过5000元。")
        if raw == PRESERVATION_CAP and bracketed(amount or Decimal(0), PRESERVATION_FLAT, PRESERVATION_BRACKETS) > raw:
            fig.note += "本案已按5000元封顶计算。"
        result.figures, result.payable = [fig], fig
        result.notes.append("保全申请费由申请人负担，起诉时可以列入诉讼请求（第三十八条）。")
        return result
    if kind == "payment_order":
        if amount is None or amount == 0:
            raise FeeInputError("申请支付令需要提供请求给付的金额")
        base = property_fee(amount)
        fig = Figure("支付令申请费", amount=q(base / 3), article="第十四条第（三）项",
                     note=f"比照财产案件受理费（{yuan(base)}）的1/3交纳。")
        result.figures, result.payable = [fig], fig
        result.notes.append("债务人未提出异议的，申请费由债务人负担；提出异议致督促程序终结的，由申请人负担（第三十六条）。")
        return result

    figures, total = _first_instance(case_type, amount, local_amounts)
    result.figures = figures
    if kind == "appeal":
        result.figures[0].label = result.figures[0].label.replace("案件受理费", "第二审案件受理费")
        result.notes.append("财产案件按不服一审判决部分的上诉请求数额计算（第十七条）。")
        result.payable = total
        if case_type == "property":
            total.article = "第十七条、第十三条第（一）项"
        if settled:  # 第十五条 applies in the second instance too: a mediated appeal or a withdrawn one
            half = _halve(total)
            half.label, half.article = "减半后应交", "第十五条"
            half.note = "二审以调解方式结案或者撤回上诉的，减半交纳。"
            result.figures.append(half)
            result.payable = half
        else:
            result.notes.append("二审以调解方式结案或者撤回上诉的，减半交纳（第十五条）。")
        return result
    halving = []
    if procedure in ("simple", "small_claims"):
        halving.append(("适用简易程序减半", "第十六条"))
    if settled:
        halving.append(("调解结案或撤诉减半", "第十五条"))
    if halving:
        half = _halve(total)
        half.label = "减半后应交"
        half.article = "、".join(article for _, article in halving)
        half.note = "；".join(reason for reason, _ in halving)
        half.note += "（同时符合多项时按只减半一次估算，是否另有减免以法院核定为准）。"
        if procedure == "small_claims":
            half.note += "小额诉讼属于简易程序（民诉法解释第二百八十一条）。"
        result.figures.append(half)
        result.payable = half
    else:
        result.payable = total
        if case_type == "property" or total.amount is not None or total.low is not None:
            result.notes.append("适用简易程序的减半交纳（第十六条）；以调解方式结案或者撤诉的减半交纳（第十五条）。")
    if case_type == "labour":
        result.notes.append("劳动争议须先经劳动仲裁，对裁决不服才能起诉。")
    return result
