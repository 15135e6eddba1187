"""Fee engine and API. Every expected value is worked out by hand from the brackets of 诉讼费用交纳办法:

第十三条（一） property cases, cumulative: ≤1万 50元; 1–10万 2.5%; 10–20万 2%; 20–50万 1.5%; 50–100万 1%;
100–200万 0.9%; 200–500万 0.8%; 500–1000万 0.7%; 1000–2000万 0.6%; >2000万 0.5%.
Fee at each bracket top: 1万 50; 10万 50+90000×2.5%=2300; 20万 2300+2000=4300; 50万 4300+4500=8800;
100万 8800+5000=13800; 200万 13800+9000=22800; 500万 22800+24000=46800; 1000万 46800+35000=81800;
2000万 81800+60000=141800.
"""

from decimal import Decimal

import pytest

from service_center.fees.engine import FeeInputError, estimate, property_fee

PROPERTY = [
    (0, "50"), (8000, "50"), (10000, "50"),
    (10001, "50.025"),                      # 50 + 1 × 2.5%
    (50000, "1050"),                        # 50 + 40000 × 2.5%
    (100000, "2300"), (150000, "3300"),     # 2300 + 50000 × 2%
    (200000, "4300"), (350000, "6550"),     # 4300 + 150000 × 1.5%
    (500000, "8800"), (750000, "11300"),    # 8800 + 250000 × 1%
    (1000000, "13800"), (1500000, "18300"),  # 13800 + 500000 × 0.9%
    (2000000, "22800"), (3000000, "30800"),  # 22800 + 1000000 × 0.8%
    (5000000, "46800"), (7000000, "60800"),  # 46800 + 2000000 × 0.7%
    (10000000, "81800"), (15000000, "111800"),  # 81800 + 5000000 × 0.6%
    (20000000, "141800"), (30000000, "191800"),  # 141800 + 10000000 × 0.5%
]


@pytest.mark.parametrize(("amount", "expected"), PROPERTY)
def test_property_brackets(amount, expected):
    assert property_fee(Decimal(amount)) == Decimal(expected)


def test_acceptance_fee_rounds_to_fen_and_cites_article():
    result = estimate(amount=10001).as_dict()
    assert result["payable"]["amount"] == 50.03
    assert result["payable"]["article"] == "第十三条第（一）项"
    assert result["payable"]["law"] == "诉讼费用交纳办法"


@pytest.mark.parametrize(("procedure", "settled", "expected", "article"), [
    ("simple", False, 1150, "第十六条"),
    ("small_claims", False, 1150, "第十六条"),
    ("ordinary", True, 1150, "第十五条"),
    ("simple", True, 1150, "第十六条、第十五条"),   # halved once, never quartered
    ("ordinary", False, 2300, "第十三条第（一）项"),
])
def test_halving(procedure, settled, expected, article):
    payable = estimate(amount=100000, procedure=procedure, settled=settled).as_dict()["payable"]
    assert payable["amount"] == expected
    assert payable["article"] == article


@pytest.mark.parametrize(("amount", "expected"), [
    (8000, 50), (10000, 50),
    (100000, 1400),      # 50 + 90000 × 1.5%
    (500000, 7400),      # 50 + 490000 × 1.5%
    (1000000, 12400),    # 7400 + 500000 × 1%
    (5000000, 52400),    # 7400 + 4500000 × 1%
    (10000000, 77400),   # 52400 + 5000000 × 0.5%
    (20000000, 87400),   # 77400 + 10000000 × 0.1%
])
def test_enforcement_brackets(amount, expected):
    payable = estimate(kind="enforcement", amount=amount).as_dict()["payable"]
    assert payable["amount"] == expected
    assert payable["article"] == "第十四条第（一）项第2目"


def test_enforcement_without_amount_is_a_range():
    payable = estimate(kind="enforcement").as_dict()["payable"]
    assert (payable["low"], payable["high"]) == (50, 500)


@pytest.mark.parametrize(("amount", "expected"), [
    (0, 30), (500, 30), (1000, 30),
    (50000, 520),        # 30 + 49000 × 1%
    (100000, 1020),      # 30 + 99000 × 1%
    (200000, 1520),      # 1020 + 100000 × 0.5%
    (800000, 4520),      # 1020 + 700000 × 0.5%
    (896000, 5000),      # 1020 + 796000 × 0.5% = 5000 exactly
    (1000000, 5000),     # would be 5520: capped
    (50000000, 5000),
])
def test_preservation_brackets_and_cap(amount, expected):
    payable = estimate(kind="preservation", amount=amount).as_dict()["payable"]
    assert payable["amount"] == expected
    assert payable["article"] == "第十四条第（二）项"


@pytest.mark.parametrize(("amount", "expected"), [
    (8000, 16.67),       # 50 / 3
    (30000, 183.33),     # (50 + 20000 × 2.5%) / 3 = 550 / 3
    (100000, 766.67),    # 2300 / 3
    (1000000, 4600),     # 13800 / 3
])
def test_payment_order_is_a_third(amount, expected):
    payable = estimate(kind="payment_order", amount=amount).as_dict()["payable"]
    assert payable["amount"] == expected
    assert payable["article"] == "第十四条第（三）项"


def test_divorce_range_and_property_surcharge():
    plain = estimate(case_type="divorce").as_dict()["payable"]
    assert (plain["low"], plain["high"]) == (50, 300)
    assert "以法院核定为准" in estimate(case_type="divorce").as_dict()["figures"][0]["note"]
    assert estimate(case_type="divorce", amount=200000).as_dict()["figures"][1]["amount"] == 0
    total = estimate(case_type="divorce", amount=300000).as_dict()["payable"]   # + 100000 × 0.5%
    assert (total["low"], total["high"]) == (550, 800)


def test_personality_rights_surcharge():
    assert estimate(case_type="personality_rights", amount=50000).as_dict()["figures"][1]["amount"] == 0
    assert estimate(case_type="personality_rights", amount=80000).as_dict()["figures"][1]["amount"] == 300
    # 50000 × 1% + 100000 × 0.5%
    total = estimate(case_type="personality_rights", amount=200000).as_dict()["payable"]
    assert (total["low"], total["high"]) == (1100, 1500)


def test_fixed_per_case_fees():
    assert estimate(case_type="labour").as_dict()["payable"]["amount"] == 10
    assert estimate(case_type="labour", procedure="simple").as_dict()["payable"]["amount"] == 5
    assert estimate(case_type="administrative").as_dict()["payable"]["amount"] == 50
    assert estimate(case_type="administrative_special").as_dict()["payable"]["amount"] == 100
    other = estimate(case_type="other_non_property").as_dict()["payable"]
    assert (other["low"], other["high"]) == (50, 100)


def test_confirmed_local_figure_replaces_national_range():
    local = {"divorce_fee_range": {"value": 200, "confirmed": True, "source": "某省标准"}}
    payable = estimate(case_type="divorce", local_amounts=local).as_dict()["payable"]
    assert payable["amount"] == 200
    # a "confirmed" figure outside the national range is not trusted
    bad = {"divorce_fee_range": {"value": 900, "confirmed": True}}
    payable = estimate(case_type="divorce", local_amounts=bad).as_dict()["payable"]
    assert (payable["low"], payable["high"]) == (50, 300)


def test_dispute_kinds_map_to_property_cases():
    assert estimate(case_type="loan", amount=100000).as_dict()["payable"]["amount"] == 2300


def test_appeal_uses_the_appealed_amount():
    payable = estimate(kind="appeal", amount=200000).as_dict()["payable"]
    assert payable["amount"] == 4300
    assert "第十七条" in payable["article"]


@pytest.mark.parametrize("kwargs", [{"amount": -1}, {"case_type": "nonsense", "amount": 1},
                                    {"kind": "payment_order"}, {"case_type": "property"}])
def test_bad_input(kwargs):
    with pytest.raises(FeeInputError):
        estimate(**kwargs)


def test_api_estimate(client):
    response = client.get("/api/fees/estimate", params={"case_type": "loan", "amount": 100000})
    assert response.status_code == 200
    body = response.json()
    assert body["payable"]["amount"] == 2300
    assert body["payable"]["text"] == "2300元"
    assert "第十三条" in body["summary"]
    assert "以法院核定为准" in body["disclaimer"]
    response = client.get("/api/fees/estimate", params={"kind": "preservation", "amount": 2000000})
    assert response.json()["payable"]["amount"] == 5000


def test_api_errors_are_chinese(client):
    response = client.get("/api/fees/estimate", params={"case_type": "property"})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "财产案件需要提供诉讼请求的金额"
    assert client.get("/api/fees/estimate", params={"kind": "x"}).status_code == 422
