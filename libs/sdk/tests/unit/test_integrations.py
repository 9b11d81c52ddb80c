"""The framework integrations with the real LangChain and OpenAI Agents packages, sending
to a real HTTP receiver on loopback (no model is called: LangChain's fake chat model and the
Agents SDK's own span API produce the callbacks)."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableLambda
from langchain_core.tools import tool

import cognive
from cognive.client import Agent

from ..receiver import Receiver

pytestmark = pytest.mark.unit


def client_for(receiver: Receiver) -> cognive.Client:
    return cognive.Client(api_key="k", ingest_url=receiver.url, flush_interval_s=0.05)


def test_langchain_chain_llm_and_tool_become_one_run() -> None:
    from cognive.integrations.langchain import CogniveCallbackHandler

    reply = AIMessage(
        content="refund approved",
        usage_metadata={
            "input_tokens": 1200,
            "output_tokens": 80,
            "total_tokens": 1280,
            "input_token_details": {"cache_read": 1024},
            "output_token_details": {"reasoning": 30},
        },
        response_metadata={"model_name": "gpt-4o-mini"},
    )
    model = GenericFakeChatModel(messages=iter([reply]))

    @tool
    def lookup(order: str) -> str:
        """Look an order up."""
        return f"order {order}: shipped"

    def agent_step(question: str, config: Any) -> str:
        found = lookup.invoke("42", config=config)
        return str(model.invoke(f"{question} {found}", config=config).content)

    with Receiver() as receiver:
        client = client_for(receiver)
        handler = CogniveCallbackHandler(Agent(client, "agent-lc", "lc-bot"), provider="openai")
        answer = RunnableLambda(agent_step).invoke("refund?", config={"callbacks": [handler]})
        assert answer == "refund approved"
        assert client.flush(10)
        client.close()
    events = receiver.events
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "run_started"
    assert kinds[-1] == "run_ended"
    assert {e["run_id"] for e in events} == {events[0]["run_id"]}, "one run for the chain"
    call = next(e for e in events if e["kind"] == "llm_call")
    assert call["model"] == "gpt-4o-mini"
    assert call["usage"] == {
        "input_tokens": 1200,
        "output_tokens": 80,
        "cached_input_tokens": 1024,
        "cache_write_tokens": 0,
        "reasoning_tokens": 30,
    }
    tool_call = next(e for e in events if e["kind"] == "tool_call")
    assert (tool_call["name"], tool_call["status"]) == ("lookup", "ok")


def test_openai_agents_trace_becomes_a_run() -> None:
    from agents.tracing import function_span, generation_span, set_trace_processors, trace

    from cognive.integrations.openai_agents import CogniveTracingProcessor

    with Receiver() as receiver:
        client = client_for(receiver)
        processor = CogniveTracingProcessor(Agent(client, "agent-oa", "oa-bot"))
        # Replace the default processors: nothing may be exported anywhere but loopback.
        set_trace_processors([processor])
        try:
            with trace("support workflow"):
                with generation_span(
                    model="gpt-4o", usage={"input_tokens": 500, "output_tokens": 40}
                ):
                    pass
                with function_span(name="search", input="q"):
                    pass
        finally:
            set_trace_processors([])
        assert client.flush(10)
        client.close()
    events = receiver.events
    assert [e["kind"] for e in events] == ["run_started", "llm_call", "tool_call", "run_ended"]
    assert events[1]["model"] == "gpt-4o"
    assert events[1]["usage"]["input_tokens"] == 500
    assert events[2]["name"] == "search"
