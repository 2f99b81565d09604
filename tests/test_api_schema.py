"""The JSON API against its own OpenAPI schema: schemathesis generates requests for every
operation and checks each answer (status codes, content types, response schemas, no server
errors) on the app running on loopback."""
import threading
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.support.sites import free_port


@pytest.fixture
def running_api(web):
    import httpx2
    import uvicorn

    client, token, _ = web
    port = free_port()  # a server that needs its port before it starts
    server = uvicorn.Server(uvicorn.Config(client.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}/api/v1"
    headers = {"Authorization": f"Bearer {token}"}
    document = httpx2.get(base + "/openapi.json", headers=headers).json()
    document["servers"] = [{"url": base}]
    yield document, base, headers
    server.should_exit = True
    thread.join(5)


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
