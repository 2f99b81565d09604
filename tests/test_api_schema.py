"""The JSON API against its own OpenAPI schema: schemathesis generates requests for every
operation and checks each answer (status codes, content types, response schemas, no server
errors) on the app running on loopback."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.support.sites import ServedApp

pytestmark = pytest.mark.slow   # crawls loopback sites (make test-fast leaves it out)


@pytest.fixture
def running_api(web):
    import httpx2

    client, token, _ = web
    served = ServedApp(client.app).__enter__()
    base = f"{served.base}/api/v1"
    headers = {"Authorization": f"Bearer {token}"}
    document = httpx2.get(base + "/openapi.json", headers=headers).json()
    document["servers"] = [{"url": base}]
    yield document, base, headers
    served.__exit__()


def test_every_api_operation_answers_as_its_schema_says(running_api):
    document, base, headers = running_api
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def answers_as_documented(case):
            case.call_and_validate(base_url=base, headers=headers)

        answers_as_documented()
