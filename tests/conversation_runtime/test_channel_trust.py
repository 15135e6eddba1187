"""issue 12, rows 1 and 12: which metadata is an identity, per channel (court_common/trust.py)."""

import asyncio
from types import SimpleNamespace

import pytest

from connectors.rest import RestInput
from connectors.wechat import TokenIssuer, WeChatInput
from court_common.trust import sign_identity, strip_identity, verified_identity

SECRET = "test-internal-secret-0123456789abcdef"


@pytest.fixture(autouse=True)
def internal_secret(monkeypatch):
    monkeypatch.setenv("INTERNAL_SECRET", SECRET)
    monkeypatch.delenv("COURT_ENV", raising=False)


def test_only_signed_identities_count():
    signed = sign_identity({"channel": "hotline_12368", "caller_phone": "+8613812345678", "user_key": "tel-1"})
    assert verified_identity(signed)["caller_phone"] == "+8613812345678"
    assert verified_identity({**signed, "caller_phone": "+8613900000000"}) == {}  # tampered
    assert verified_identity({**signed, "user_key": "tel-2"}) == {}
    assert verified_identity({"caller_phone": "+8613812345678", "user_key": "tel-1"}) == {}  # unsigned
    assert verified_identity(sign_identity({"user_key": "x"}, "another-secret-0123456789abcdefgh")) == {}
    assert strip_identity({**signed, "call_sid": "CA1", "page": "/"}) == {"page": "/"}


def test_the_rest_channel_vouches_for_nobody():
    request = SimpleNamespace(json={"sender": "s1", "message": "查一下我的预约", "input_channel": "hotline_12368",
                                    "metadata": {"caller_phone": "+8613812345678", "user_key": "tel-1",
                                                 "identity_sig": "0" * 64, "page": "/guide"}})
    channel = RestInput()
    assert channel.get_metadata(request) == {"page": "/guide"}
    assert channel._extract_input_channel(request) == "rest"
    assert asyncio.run(channel._extract_sender(SimpleNamespace(json={"message": "你好"}))) is None
    assert asyncio.run(channel._extract_sender(SimpleNamespace(json=["not", "an", "object"]))) is None


def test_wechat_needs_its_session_secret_outside_development(monkeypatch):
    with pytest.raises(ValueError, match="WECHAT_SESSION_SECRET"):
        WeChatInput(app_id="wx1", app_secret="s", session_secret=None)
    monkeypatch.setenv("COURT_ENV", "development")
    assert WeChatInput(app_id="wx1", app_secret="s", session_secret=None).tokens


def test_a_wechat_verified_phone_travels_in_the_token():
    issuer = TokenIssuer("s" * 32)
    claims = issuer.verify_claims(issuer.issue("wx_abc", verified_phone="13812345678"))
    assert claims["sub"] == "wx_abc" and claims["verified_phone"] == "13812345678"
    assert "verified_phone" not in issuer.verify_claims(issuer.issue("wx_abc"))
