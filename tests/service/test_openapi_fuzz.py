"""issue 12: a bounded schemathesis run over the service center's OpenAPI, as an outsider and as staff (with the
internal secret too): no request may cause a server error (5xx) or an answer that breaks the published schema.

The budget is fixed (FUZZ_EXAMPLES examples per operation, default 15: about a minute on two cores) so that it runs
in `make test`; set FUZZ_EXAMPLES higher for a deeper run. The app, its database (SQLite, migrated) and the guide
index are real; only Rasa and the action server are absent (so /health answers 503, which is its documented answer).
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.service.conftest import INTERNAL_SECRET, make_staff, migrate

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
CHECKS = [not_a_server_error, response_schema_conformance]
STAFF = {"X-Internal-Token": INTERNAL_SECRET}  # + a 管理员's personal token, made with the database below


def _app():
    from service_center.main import create_app

    return create_app()


APP = _app()  # settings are read per request, so the database below is the one every request uses
# Left out: rebuilding the guide index (minutes of work, and it would rewrite this checkout's index).
schema = schemathesis.openapi.from_asgi("/openapi.json", APP).exclude(path="/api/staff/kb/reload")


@pytest.fixture(scope="module", autouse=True)
def real_database(tmp_path_factory):
    from fastapi.testclient import TestClient

    from service_center.config import get_settings
    from service_center.db import get_engine, get_sessionmaker

    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'service.db'}"
    migrate(url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        patch.setenv("INTERNAL_SECRET", INTERNAL_SECRET)
        patch.setenv("BOOKING_NOW", "2026-12-01T09:00:00")
        patch.setenv("RASA_URL", "http://127.0.0.1:9")  # nobody listens: /health is 503, fast
        patch.setenv("ACTIONS_URL", "http://127.0.0.1:9")
        patch.setenv("WECHAT_API_BASE", "http://127.0.0.1:9")  # WeChat unreachable at once, not after a DNS wait
        for cached in (get_settings, get_engine, get_sessionmaker):
            cached.cache_clear()
        STAFF["Authorization"] = f"Bearer {make_staff('fuzz-admin', 'admin')}"
        with TestClient(APP):  # runs the lifespan: the guide index loads once for the whole run
            yield
        for cached in (get_settings, get_engine, get_sessionmaker):
            cached.cache_clear()


FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


# Answer 503 by design here: /health while Rasa is absent, and the WeChat exchanges while WeChat is unreachable
# (no network in tests); only their schema counts.
UPSTREAM_DOWN = ("/health", "/api/wechat/accounts/{user_key}/phone")


def checks_for(case) -> list:
    return [response_schema_conformance] if case.operation.path in UPSTREAM_DOWN else CHECKS


@schema.parametrize()
@FUZZ
def test_as_an_outsider(case):
    case.call_and_validate(checks=checks_for(case))


@schema.parametrize()
@FUZZ
def test_as_staff(case):
    case.call_and_validate(headers=STAFF, checks=checks_for(case))
