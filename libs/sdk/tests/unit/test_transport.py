"""The transport against a real HTTP receiver on loopback: batching, gzip, retries,
Retry-After, the drop policy, flush and close, disabled mode, fork safety, exit flush."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import cognive
from cognive.client import Agent
from cognive_contracts.http.ingest import EventBatchIn

from ..receiver import Receiver

pytestmark = pytest.mark.unit


def client_for(receiver: Receiver, **options: object) -> cognive.Client:
    return cognive.Client(
        api_key="ck_dev_test",
        ingest_url=receiver.url,
        flush_interval_s=0.05,
        max_backoff_s=0.2,
        **options,  # type: ignore[arg-type]
    )


def agent_of(client: cognive.Client) -> Agent:
    return Agent(client, "agent-1", "bot")


def test_events_arrive_batched_gzipped_in_order_and_match_the_contract() -> None:
    with Receiver() as receiver:
        client = client_for(receiver, batch_size=50)
        with agent_of(client).run(name="r", metadata={"ticket": 1}) as run:
            run.log_step("plan", {"n": 1})
            for i in range(120):
                run.log_llm_call(model="gpt-4o", provider="openai", input_tokens=i, output_tokens=1)
            run.log_tool_call("search", latency_ms=12)
        assert client.flush(10)
        client.close()
    events = receiver.events
    assert len(events) == 124
    assert [e["kind"] for e in events[:2]] == ["run_started", "step"]
    assert events[-1]["kind"] == "run_ended"
    assert events[-1]["status"] == "success"
    assert [e["usage"]["input_tokens"] for e in events if e["kind"] == "llm_call"] == list(
        range(120)
    )
    assert max(len(b) for b in receiver.batches) <= 50
    assert all(h.get("Content-Encoding") == "gzip" for h in receiver.headers_seen)
    assert all(h.get("Authorization") == "Bearer ck_dev_test" for h in receiver.headers_seen)
    for batch in receiver.batches:
        EventBatchIn.model_validate({"events": batch})  # the SDK speaks ingest's contract


def test_failed_runs_end_with_failure_and_the_error() -> None:
    with Receiver() as receiver:
        client = client_for(receiver)
        with pytest.raises(ValueError, match="boom"), agent_of(client).run():
            raise ValueError("boom")
        client.close(10)
    ended = receiver.events[-1]
    assert ended["status"] == "failure"
    assert "boom" in ended["error"]


def test_retries_on_503_and_honours_retry_after_on_429() -> None:
    with Receiver() as receiver:
        receiver.failures.extend([503, 503, 429])
        receiver.retry_after = "0.3"
        client = client_for(receiver)
        run = agent_of(client).run().start()
        run.log_step("a")
        started = time.monotonic()
        assert client.flush(10)
        assert time.monotonic() - started >= 0.3, "Retry-After was honoured"
        client.close()
    assert receiver.requests == 4
    assert len(receiver.events) == 2, "delivered once, after the retries"


def test_refused_batches_are_dropped_not_retried_forever() -> None:
    with Receiver() as receiver:
        receiver.failures.append(401)
        client = client_for(receiver)
        agent_of(client).run().start()
        assert client.flush(5)
        agent_of(client).run().start()
        assert client.flush(5)
        client.close()
    assert receiver.requests == 2
    assert len(receiver.events) == 1


def test_full_buffer_drops_newest_and_never_blocks() -> None:
    with Receiver() as receiver:
        receiver.failures.extend([503] * 1000)  # ingest "down": nothing leaves the buffer
        client = client_for(receiver, max_queue=100, batch_size=10)
        run = agent_of(client).run()
        started = time.perf_counter()
        for _ in range(1000):
            run.log_step("x")
        elapsed = time.perf_counter() - started
        assert client.dropped_events >= 1000 - 100 - 10
        assert elapsed < 5  # a sanity bound only; speed is measured in bench/sdk.py
        client.close(0.5)


def test_disabled_client_has_no_thread_and_sends_nothing() -> None:
    before = {t.name for t in threading.enumerate()}
    client = cognive.Client(enabled=False)
    agent = client.register_agent("bot")
    with agent.run() as run:
        run.log_llm_call(model="m", input_tokens=1)
    assert client.flush(1)
    assert not client.enabled
    assert "cognive-transport" not in {t.name for t in threading.enumerate()} - before


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")
def test_child_after_fork_sends_its_own_events_with_its_own_worker() -> None:
    with Receiver() as receiver:
        client = client_for(receiver)
        run = agent_of(client).run(run_id="parent").start()
        assert client.flush(5)
        pid = os.fork()
        if pid == 0:  # the child
            try:
                child = agent_of(client).run(run_id="child").start()
                child.log_step("in-child")
                ok = client.flush(5)
                os._exit(0 if ok else 1)
            except BaseException:
                os._exit(2)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        run.log_step("in-parent")
        assert client.flush(5)
        client.close()
    runs = [e["run_id"] for e in receiver.events]
    assert runs.count("child") == 2
    assert runs.count("parent") == 2


def test_events_logged_right_before_exit_are_flushed() -> None:
    script = textwrap.dedent(
        """
        import sys, cognive
        from cognive.client import Agent
        client = cognive.Client(api_key="k", ingest_url=sys.argv[1], flush_interval_s=5)
        run = Agent(client, "a", "bot").run().start()
        for i in range(25):
            run.log_step(f"s{i}")
        """
    )
    with Receiver() as receiver:
        subprocess.run([sys.executable, "-c", script, receiver.url], check=True, timeout=30)
    assert len(receiver.events) == 26
