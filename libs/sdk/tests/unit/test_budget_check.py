"""The pre-flight check's answers as the SDK maps them (ARCHITECTURE §7), against a local
HTTP stand-in for budget's `POST /v1/checks`: 200 → reservation sent with the next call,
429 → BudgetExceeded with the policy and Retry-After, 403 → ModelNotAllowed, unreachable →
fail-open or fail-closed as configured."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import cognive
from cognive.client import Agent

from ..receiver import Receiver

pytestmark = pytest.mark.unit


class BudgetStandIn:
    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
        self.requests: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                outer.requests.append(
                    json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                )
                raw = json.dumps(body).encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header(
                    "Content-Type",
                    "application/problem+json" if status >= 400 else "application/json",
                )
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_allowed_check_reservation_goes_with_the_next_llm_call() -> None:
    budget = BudgetStandIn(200, {"allowed": True, "reservation_id": "res-1"}, {})
    with Receiver() as receiver:
        client = cognive.Client(api_key="k", ingest_url=receiver.url, budget_url=budget.url)
        with Agent(client, "agent-b", "bot").run(run_id="run-b") as run:
            assert run.check_budget("gpt-4o", estimated_tokens=2000) == "res-1"
            run.log_llm_call(model="gpt-4o", input_tokens=10)
            run.log_llm_call(model="gpt-4o", input_tokens=10)
        client.close(10)
    budget.close()
    assert budget.requests == [
        {"agent_id": "agent-b", "model": "gpt-4o", "run_id": "run-b", "estimated_tokens": 2000}
    ]
    calls = [e for e in receiver.events if e["kind"] == "llm_call"]
    assert calls[0]["reservation_id"] == "res-1"
    assert "reservation_id" not in calls[1], "a reservation is spent once"


def test_over_budget_raises_with_policy_and_retry_after() -> None:
    problem = {
        "title": "Budget exceeded",
        "status": 429,
        "detail": "team cx monthly",
        "policy": {"policy_id": "p1", "name": "cx monthly"},
    }
    budget = BudgetStandIn(429, problem, {"Retry-After": "120"})
    client = cognive.Client(api_key="k", budget_url=budget.url, ingest_url=budget.url)
    with pytest.raises(cognive.BudgetExceeded) as caught:
        client.check_budget(agent_id="a", model="gpt-4o", estimated_cost_micros=100_000)
    budget.close()
    client.close(1)
    assert caught.value.retry_after == 120
    assert caught.value.policy == {"policy_id": "p1", "name": "cx monthly"}


def test_model_not_allowed_raises() -> None:
    budget = BudgetStandIn(403, {"title": "Forbidden", "detail": "o1 not allowed"}, {})
    client = cognive.Client(api_key="k", budget_url=budget.url, ingest_url=budget.url)
    with pytest.raises(cognive.ModelNotAllowed, match="o1 not allowed"):
        client.check_budget(agent_id="a", model="o1")
    budget.close()
    client.close(1)


def test_unreachable_budget_fails_open_or_closed_as_configured() -> None:
    nowhere = "http://127.0.0.1:9"  # discard port: nothing listens
    open_client = cognive.Client(api_key="k", budget_url=nowhere, ingest_url=nowhere)
    assert open_client.check_budget(agent_id="a", model="gpt-4o") is None
    closed = cognive.Client(
        api_key="k", budget_url=nowhere, ingest_url=nowhere, budget_fail_open=False
    )
    with pytest.raises(cognive.BudgetUnavailable):
        closed.check_budget(agent_id="a", model="gpt-4o")
    open_client.close(0.5)
    closed.close(0.5)
