"""Runs: what an agent did, from start to end, as events sent to ingest."""

from __future__ import annotations

import contextvars
import time
import traceback
from types import TracebackType
from typing import TYPE_CHECKING, Any, Optional, Sequence

from cognive import otel
from cognive.ids import time_ordered_id

if TYPE_CHECKING:
    from cognive.client import Agent, Client

current_run: contextvars.ContextVar[Optional[Run]] = contextvars.ContextVar(
    "cognive_current_run", default=None
)


class Run:
    """A context manager (sync or async): entering sends `run_started`, leaving sends
    `run_ended` with success, or failure and the exception's text."""

    def __init__(
        self,
        client: Client,
        agent: Agent,
        *,
        name: Optional[str] = None,
        metadata: Optional[dict[str, Any]] = None,
        tags: Sequence[str] = (),
        run_id: Optional[str] = None,
        parent_run_id: Optional[str] = None,
    ) -> None:
        self.client = client
        self.agent = agent
        self.run_id = run_id or time_ordered_id()
        self.name = name
        self.metadata = dict(metadata or {})
        self.tags = list(tags)
        self.parent_run_id = parent_run_id
        self._started = 0.0
        self._ended = False
        self._token: Optional[contextvars.Token[Optional[Run]]] = None
        # An allowed budget check's reservation, spent by the next LLM call (ARCHITECTURE §7).
        self.pending_reservation: Optional[str] = None
        self._spans: Optional[otel.RunSpans] = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> Run:
        self._started = time.monotonic()
        if otel.enabled():
            self._spans = otel.RunSpans(self.agent.name, self.run_id)
        self._emit(
            "run_started",
            name=self.name,
            parent_run_id=self.parent_run_id,
            metadata=self.metadata,
            tags=self.tags,
        )
        return self

    def end(self, status: str = "success", error: Optional[str] = None) -> None:
        if self._ended:
            return
        self._ended = True
        if self._spans is not None:
            self._spans.end(error)
        self._emit(
            "run_ended",
            status=status,
            error=error,
            duration_ms=int((time.monotonic() - self._started) * 1000) if self._started else None,
        )

    def __enter__(self) -> Run:
        self.start()
        self._token = current_run.set(self)
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        if self._token is not None:
            current_run.reset(self._token)
            self._token = None
        if exc is None:
            self.end("success")
        else:
            text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            self.end("failure", text[:2000])

    async def __aenter__(self) -> Run:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.__exit__(exc_type, exc, tb)

    # ------------------------------------------------------------------ what happened
    def log_step(self, name: str, payload: Optional[dict[str, Any]] = None) -> None:
        self._emit("step", name=name, payload=payload or {})

    def log_llm_call(
        self,
        *,
        model: str,
        provider: str = "unknown",
        input_tokens: int = 0,
        output_tokens: int = 0,
        cached_input_tokens: int = 0,
        cache_write_tokens: int = 0,
        reasoning_tokens: int = 0,
        latency_ms: int = 0,
        status: str = "ok",
        error: Optional[str] = None,
        provider_request_id: Optional[str] = None,
        reservation_id: Optional[str] = None,
        call_id: Optional[str] = None,
    ) -> None:
        if reservation_id is None and self.pending_reservation is not None:
            reservation_id, self.pending_reservation = self.pending_reservation, None
        usage = {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "cached_input_tokens": cached_input_tokens,
            "cache_write_tokens": cache_write_tokens,
            "reasoning_tokens": reasoning_tokens,
        }
        traceparent = (
            self._spans.llm(model, provider, usage, int(latency_ms), error) if self._spans else None
        )
        self._emit(
            "llm_call",
            call_id=call_id,
            provider=provider,
            model=model,
            usage=usage,
            traceparent=traceparent,
            latency_ms=max(0, int(latency_ms)),
            status=status,
            error=error,
            provider_request_id=provider_request_id,
            reservation_id=reservation_id,
        )

    def log_tool_call(
        self,
        name: str,
        *,
        status: str = "ok",
        latency_ms: int = 0,
        error: Optional[str] = None,
        call_id: Optional[str] = None,
    ) -> None:
        traceparent = self._spans.tool(name, int(latency_ms), error) if self._spans else None
        self._emit(
            "tool_call",
            call_id=call_id,
            name=name,
            status=status,
            latency_ms=max(0, int(latency_ms)),
            error=error,
            traceparent=traceparent,
        )

    def check_budget(
        self,
        model: str,
        *,
        estimated_tokens: Optional[int] = None,
        estimated_cost_micros: Optional[int] = None,
    ) -> Optional[str]:
        """Ask budget before an LLM call. Raises BudgetExceeded (429) or ModelNotAllowed
        (403); returns the reservation id the next `log_llm_call` of this run spends."""
        reservation = self.client.check_budget(
            agent_id=self.agent.agent_id,
            run_id=self.run_id,
            model=model,
            estimated_tokens=estimated_tokens,
            estimated_cost_micros=estimated_cost_micros,
        )
        self.pending_reservation = reservation
        return reservation

    def _emit(self, kind: str, **fields: Any) -> None:
        # The caller pays for a dict and a timestamp; the event id and the ISO time are
        # made by the transport's worker (once per event, so retries keep the same id).
        fields["kind"] = kind
        fields["run_id"] = self.run_id
        fields["agent_id"] = self.agent.agent_id
        fields["_t"] = time.time()
        if self._spans is not None and "traceparent" not in fields:
            fields["traceparent"] = self._spans.traceparent
        self.client._submit(fields)
