"""The whole API fuzzed from its OpenAPI document (schemathesis): no input gives a server error.

Every operation gets a few generated requests (valid and invalid: huge numbers, odd strings,
missing fields) with an administrator's token and with a viewer's token, against the demo data
set built once for the module. The only check is "not a server error": 4xx answers are the API
doing its job. Bounded (`EXAMPLES` per operation and token) so it runs in `make test` within about
a minute on two cores; raise it locally to search harder (RENKEI_FUZZ_EXAMPLES=50).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, assume, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig

from renkei.accounts.services import api_token_create
from renkei.api import api
from renkei.core.permissions import Role
from tests import factories as f
from tests.idor import SharedData, shared_data

EXAMPLES = int(os.environ.get("RENKEI_FUZZ_EXAMPLES", "3"))
# Requests sent, by status class; printed at the end of the module with RENKEI_FUZZ_REPORT=1 (and -s).
SENT: Counter[str] = Counter()


def _load_schema() -> Any:
    document = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"), default=str))
    config = SchemathesisConfig.from_dict(
        {
            # Generated requests only: the coverage phase enumerates every boundary of every field
            # and takes minutes; stateful links need a live server.
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
            "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True, "no-shrink": True},
        }
    )
    loaded = schemathesis.openapi.from_dict(document, config=config)
    loaded.app = get_wsgi_application()
    return loaded


schema = _load_schema()


def _build() -> dict[str, Any]:
    from renkei.demo.loader import load_demo_data

    load_demo_data()
    tokens = {}
    for role in (Role.ADMIN, Role.VIEWER):
        _token, raw = api_token_create(user=f.UserFactory(role=role), name="fuzz", days=1)
        tokens[role] = raw
    return {"tokens": tokens}


@pytest.fixture(scope="module")
def _fuzz_data(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[SharedData]:
    yield from shared_data(_build, django_db_blocker, tmp_path_factory.mktemp("media"))
    if os.environ.get("RENKEI_FUZZ_REPORT"):
        print(f"\nschemathesis: {len(list(schema.get_all_operations()))} operations, {dict(SENT)} requests")


@pytest.fixture
def tokens(_fuzz_data: SharedData, db: Any, settings: Any, _test_settings: None) -> Iterator[dict[str, str]]:
    settings.ALLOWED_HOSTS = ["*"]
    # The WSGI handler closes the database connection after each request, which would end the
    # test's transaction (PostgreSQL); Django's test client keeps it open the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield _fuzz_data.use(Path(settings.MEDIA_ROOT))["tokens"]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same requests on every run: a failure in CI is reproducible
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case: Any, tokens: dict[str, str]) -> None:
    # A multipart body that is not a set of fields (a bare number: negative mode) cannot be encoded
    # by the test client at all, so it never reaches the server.
    assume(not (str(case.media_type).startswith("multipart/") and not isinstance(case.body, dict)))
    for raw in tokens.values():
        response = case.call_and_validate(headers={"Authorization": f"Bearer {raw}"}, checks=[not_a_server_error])
        SENT[f"{response.status_code // 100}xx"] += 1
