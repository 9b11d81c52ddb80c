"""A LangChain callback handler: a top-level chain (or a lone LLM call) becomes a Cognive
run; LLM calls inside it become `llm_call` events with usage, tools become `tool_call`s.

    handler = CogniveCallbackHandler(agent)
    chain.invoke(inputs, config={"callbacks": [handler]})
"""

from __future__ import annotations

import threading
import time
from typing import Any, Optional
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import LLMResult

from cognive.client import Agent
from cognive.run import Run


def _usage_from(result: LLMResult) -> tuple[dict[str, int], Optional[str]]:
    """LangChain's `usage_metadata` on chat messages (input includes cache reads, output
    includes reasoning: Cognive's convention), else the provider's `token_usage`."""
    model: Optional[str] = None
    llm_output = result.llm_output or {}
    model = llm_output.get("model_name") or llm_output.get("model")
    for generations in result.generations:
        for generation in generations:
            message = getattr(generation, "message", None)
            meta = getattr(message, "usage_metadata", None)
            response_meta = getattr(message, "response_metadata", None) or {}
            model = model or response_meta.get("model_name") or response_meta.get("model")
            if meta:
                inputs = meta.get("input_token_details") or {}
                outputs = meta.get("output_token_details") or {}
                return (
                    {
                        "input_tokens": int(meta.get("input_tokens", 0)),
                        "output_tokens": int(meta.get("output_tokens", 0)),
                        "cached_input_tokens": int(inputs.get("cache_read", 0) or 0),
                        "cache_write_tokens": int(inputs.get("cache_creation", 0) or 0),
                        "reasoning_tokens": int(outputs.get("reasoning", 0) or 0),
                    },
                    model,
                )
    usage = llm_output.get("token_usage") or {}
    return (
        {
            "input_tokens": int(usage.get("prompt_tokens", 0) or 0),
            "output_tokens": int(usage.get("completion_tokens", 0) or 0),
            "cached_input_tokens": 0,
            "cache_write_tokens": 0,
            "reasoning_tokens": 0,
        },
        model,
    )


class CogniveCallbackHandler(BaseCallbackHandler):
    raise_error = False  # recording must never break the chain

    def __init__(self, agent: Agent, provider: str = "unknown") -> None:
        self.agent = agent
        self.provider = provider
        self._lock = threading.Lock()
        self._runs: dict[UUID, Run] = {}  # LangChain run id → the Cognive run it belongs to
        self._own: set[UUID] = set()  # LangChain run ids that started a Cognive run
        self._started: dict[UUID, tuple[float, Optional[str], str]] = {}

    # ------------------------------------------------------------------ runs
    def _attach(self, run_id: UUID, parent_run_id: Optional[UUID], name: Optional[str]) -> Run:
        with self._lock:
            if parent_run_id is not None and parent_run_id in self._runs:
                run = self._runs[parent_run_id]
            else:
                run = self.agent.run(name=name, run_id=str(run_id)).start()
                self._own.add(run_id)
            self._runs[run_id] = run
            return run

    def _detach(self, run_id: UUID, error: Optional[BaseException] = None) -> None:
        with self._lock:
            run = self._runs.pop(run_id, None)
            own = run_id in self._own
            self._own.discard(run_id)
        if run is not None and own:
            run.end("failure" if error else "success", repr(error)[:2000] if error else None)

    def on_chain_start(
        self,
        serialized: Any,
        inputs: Any,
        *,
        run_id: UUID,
        parent_run_id: Optional[UUID] = None,
        **kwargs: Any,
    ) -> None:
        self._attach(run_id, parent_run_id, kwargs.get("name") or (serialized or {}).get("name"))

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._detach(run_id)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._detach(run_id, error)

    # ------------------------------------------------------------------ LLM calls
    def _llm_start(
        self, serialized: Any, run_id: UUID, parent_run_id: Optional[UUID], kwargs: Any
    ) -> None:
        self._attach(run_id, parent_run_id, "llm")
        params = kwargs.get("invocation_params") or {}
        model = params.get("model_name") or params.get("model")
        provider = (kwargs.get("metadata") or {}).get("ls_provider") or self.provider
        self._started[run_id] = (time.monotonic(), model, provider)

    def on_llm_start(
        self,
        serialized: Any,
        prompts: Any,
        *,
        run_id: UUID,
        parent_run_id: Optional[UUID] = None,
        **kwargs: Any,
    ) -> None:
        self._llm_start(serialized, run_id, parent_run_id, kwargs)

    def on_chat_model_start(
        self,
        serialized: Any,
        messages: Any,
        *,
        run_id: UUID,
        parent_run_id: Optional[UUID] = None,
        **kwargs: Any,
    ) -> None:
        self._llm_start(serialized, run_id, parent_run_id, kwargs)

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        started, model, provider = self._started.pop(
            run_id, (time.monotonic(), None, self.provider)
        )
        usage, reported = _usage_from(response)
        run = self._runs.get(run_id)
        if run is not None:
            run.log_llm_call(
                model=reported or model or "unknown",
                provider=provider,
                latency_ms=int((time.monotonic() - started) * 1000),
                input_tokens=usage["input_tokens"],
                output_tokens=usage["output_tokens"],
                cached_input_tokens=usage["cached_input_tokens"],
                cache_write_tokens=usage["cache_write_tokens"],
                reasoning_tokens=usage["reasoning_tokens"],
            )
        self._detach(run_id)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        started, model, provider = self._started.pop(
            run_id, (time.monotonic(), None, self.provider)
        )
        run = self._runs.get(run_id)
        if run is not None:
            run.log_llm_call(
                model=model or "unknown",
                provider=provider,
                status="error",
                error=repr(error)[:1000],
                latency_ms=int((time.monotonic() - started) * 1000),
            )
        self._detach(run_id, error)

    # ------------------------------------------------------------------ tools
    def on_tool_start(
        self,
        serialized: Any,
        input_str: str,
        *,
        run_id: UUID,
        parent_run_id: Optional[UUID] = None,
        **kwargs: Any,
    ) -> None:
        self._attach(run_id, parent_run_id, "tool")
        name = kwargs.get("name") or (serialized or {}).get("name") or "tool"
        self._started[run_id] = (time.monotonic(), name, "")

    def _tool_done(self, run_id: UUID, error: Optional[BaseException]) -> None:
        started, name, _ = self._started.pop(run_id, (time.monotonic(), "tool", ""))
        run = self._runs.get(run_id)
        if run is not None:
            run.log_tool_call(
                name or "tool",
                status="error" if error else "ok",
                latency_ms=int((time.monotonic() - started) * 1000),
                error=repr(error)[:1000] if error else None,
            )
        self._detach(run_id, error)

    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._tool_done(run_id, None)

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._tool_done(run_id, error)
