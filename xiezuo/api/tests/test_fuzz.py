"""schemathesis against the generated OpenAPI schema, with a demo token: no server error, and every
response (status, content type, body, headers) as the schema documents it.

Bounded: a few examples per operation (XIEZUO_FUZZ_EXAMPLES, default 25), every operation once per
run, one demo database for the whole run; the fuzzer's writes go through the same actions as any
other client's.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("XIEZUO_FUZZ_EXAMPLES", "25"))


@pytest.fixture
def same_connection() -> Iterator[None]:
    """Requests through the WSGI app share the test's transaction (as Django's test client arranges)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.slow
def test_schemathesis_finds_no_server_error_and_no_undocumented_response(
        tokens: dict[str, str], same_connection: None, settings: Any) -> None:
    import schemathesis
    from django.core.wsgi import get_wsgi_application
    from schemathesis import checks as st_checks

    settings.XIEZUO_API_RATE_PER_MINUTE = 100_000
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    headers = {"Authorization": f"Bearer {tokens['huining-clerk']}"}
    checks = [st_checks.not_a_server_error, st_checks.status_code_conformance, st_checks.content_type_conformance,
              st_checks.response_schema_conformance, st_checks.response_headers_conformance]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    statuses: dict[str, set[int]] = {}

    failures: list[str] = []
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        try:
            _fuzz(operation, label, headers, checks, statuses)
        except Exception as exc:  # every operation is fuzzed; all failures are reported together
            failures.append(f"{label}: {str(exc)[:1500]}")
    assert failures == []
    print({k: sorted(v) for k, v in statuses.items()})
    # The fuzzer reached real answers, not only refusals.
    assert any(200 in s for s in statuses.values()) and len(statuses) == len(operations)


def _real_parameters() -> st.SearchStrategy[dict[str, object]]:
    """Path parameters that name things that exist (the demo's units, template rows, ledgers)."""
    from xiezuo.catalogue.registry import get_catalogue
    from xiezuo.ledgers.schema import LEDGERS

    return st.fixed_dictionaries({
        "code": st.sampled_from(["620422", "620421", "620400", "620000", "120101"]),
        "year": st.sampled_from([2023, 2022]),
        "row_code": st.sampled_from([r.code for r in get_catalogue(2023).value_rows]),
        "kind": st.sampled_from([lg.kind for lg in LEDGERS]),
    })


def _with_real(case: Any, real: dict[str, object], keep: bool) -> Any:
    if not keep and case.path_parameters:
        for name in case.path_parameters:
            if name in real:
                case.path_parameters[name] = real[name]
    return case


def _fuzz(operation: Any, label: str, headers: dict[str, str], checks: list[Any],
          statuses: dict[str, set[int]]) -> None:
    # Half the cases keep the fuzzer's own path parameters; the others reach real units and rows.
    cases = st.builds(_with_real, operation.as_strategy(), _real_parameters(), st.booleans())

    @given(case=cases)
    @hypothesis_settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                         phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        response = case.call_and_validate(headers=headers, checks=checks)
        statuses.setdefault(label, set()).add(response.status_code)

    run()
