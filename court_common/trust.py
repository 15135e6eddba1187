"""Who trusts whom: the shared secret between our own processes, and identities only a channel can prove.

- INTERNAL_SECRET (≥ 32 characters) is known only to our three processes. Actions and connectors send it to the
  service center's internal endpoints in the `X-Internal-Token` header; Rasa sends it to the action server in the
  same header (endpoints.yml); the hotline and WeChat connectors sign the identity they vouch for with it.
- An identity (user_key, caller_phone, verified_phone) travels in a message's metadata only with a signature made
  here (`sign_identity`); actions read it only through `verified_identity`. The REST and socket.io channels never
  sign, so whatever a client puts in their metadata is never an identity.
- COURT_ENV=development allows fixed development secrets for local trials; in any other environment (the default)
  a missing secret closes what needs it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from collections.abc import Mapping

log = logging.getLogger(__name__)

INTERNAL_HEADER = "X-Internal-Token"
# Metadata key of the signature, and the metadata fields that make up an identity.
SIGNATURE_KEY = "identity_sig"
IDENTITY_FIELDS = ("channel", "user_key", "caller_phone", "verified_phone")
MIN_SECRET_CHARS = 32
# Used only when COURT_ENV=development and nothing is configured: never in production.
_DEVELOPMENT_SECRETS = {
    "INTERNAL_SECRET": "development-only-internal-secret-not-for-production",
    "HOTLINE_USER_KEY_SALT": "development-only-hotline-user-key-salt",
    "WECHAT_SESSION_SECRET": "development-only-wechat-session-secret-000000",
}


def is_development(env: Mapping[str, str] | None = None) -> bool:
    return (env if env is not None else os.environ).get("COURT_ENV", "production").strip().lower() == "development"


def configured_secret(name: str, env: Mapping[str, str] | None = None) -> str | None:
    """The secret from the environment; in development a fixed stand-in when unset; otherwise None (closed)."""
    env = env if env is not None else os.environ
    value = (env.get(name) or "").strip()
    if value:
        if len(value) < MIN_SECRET_CHARS and name != "HOTLINE_USER_KEY_SALT":
            log.warning("%s is shorter than %d characters: refused", name, MIN_SECRET_CHARS)
            return None
        return value
    if is_development(env) and name in _DEVELOPMENT_SECRETS:
        log.warning("%s is not set: using the development stand-in (COURT_ENV=development)", name)
        return _DEVELOPMENT_SECRETS[name]
    return None


def internal_secret(env: Mapping[str, str] | None = None) -> str | None:
    return configured_secret("INTERNAL_SECRET", env)


def internal_headers(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Headers an action or connector sends to the service center's internal endpoints."""
    secret = internal_secret(env)
    return {INTERNAL_HEADER: secret} if secret else {}


def token_matches(presented: str | None, secret: str | None) -> bool:
    """Constant-time comparison; any missing side is a refusal (bytes, so non-ASCII input cannot raise)."""
    if not presented or not secret:
        return False
    return hmac.compare_digest(presented.encode("utf-8", "surrogatepass"), secret.encode("utf-8"))


def _canonical(identity: Mapping[str, object]) -> bytes:
    fields = {key: identity.get(key) for key in IDENTITY_FIELDS if identity.get(key) is not None}
    return json.dumps(fields, sort_keys=True, ensure_ascii=False).encode("utf-8")


def sign_identity(identity: Mapping[str, object], secret: str | None = None) -> dict[str, object]:
    """Metadata for a UserMessage: the identity fields plus their signature (none without a secret)."""
    secret = secret or internal_secret()
    signed = {key: identity[key] for key in IDENTITY_FIELDS if identity.get(key) is not None}
    if secret:
        key = hashlib.sha256(b"identity:" + secret.encode()).digest()
        signed[SIGNATURE_KEY] = hmac.new(key, _canonical(signed), hashlib.sha256).hexdigest()
    return signed


def verified_identity(metadata: Mapping[str, object] | None, secret: str | None = None) -> dict[str, object]:
    """The identity fields of a message's metadata if a connector signed them; else an empty dict."""
    if not isinstance(metadata, Mapping):
        return {}
    signature = metadata.get(SIGNATURE_KEY)
    secret = secret or internal_secret()
    if not isinstance(signature, str) or not secret:
        return {}
    key = hashlib.sha256(b"identity:" + secret.encode()).digest()
    expected = hmac.new(key, _canonical(metadata), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        return {}
    return {key: metadata[key] for key in IDENTITY_FIELDS if metadata.get(key) is not None}


def strip_identity(metadata: Mapping[str, object] | None) -> dict[str, object]:
    """What an untrusted client may send: its metadata minus anything that looks like an identity."""
    if not isinstance(metadata, Mapping):
        return {}
    return {key: value for key, value in metadata.items()
            if key not in IDENTITY_FIELDS and key != SIGNATURE_KEY and key != "call_sid"}
