"""Decorators that record calls into the current run (`with agent.run(): ...`).

`@track_llm` reads the usage from the return value (OpenAI chat and responses, Anthropic,
Gemini, LiteLLM, by duck typing); a streaming return value is wrapped and its usage is
recorded when the stream finishes. `@track_tool` records a tool call's status and latency.
Outside a run they do nothing. Recording never raises into agent code."""

from __future__ import annotations

import functools
import inspect
import logging
import time
from typing import Any, Callable, Iterator, Optional, TypeVar

from cognive.run import Run, current_run
from cognive.usage import CallInfo, StreamUsage, call_info

log = logging.getLogger("cognive")
F = TypeVar("F", bound=Callable[..., Any])


def _record(
    run: Run,
    info: Optional[CallInfo],
    started: float,
    error: Optional[BaseException],
    model_hint: Optional[str],
    provider_hint: Optional[str],
) -> None:
    try:
        usage = info.usage if info else None
        run.log_llm_call(
            model=(info.model if info and info.model else None) or model_hint or "unknown",
            provider=(info.provider if info and info.provider else None)
            or provider_hint
            or "unknown",
            input_tokens=usage.input_tokens if usage else 0,
            output_tokens=usage.output_tokens if usage else 0,
            cached_input_tokens=usage.cached_input_tokens if usage else 0,
            cache_write_tokens=usage.cache_write_tokens if usage else 0,
            reasoning_tokens=usage.reasoning_tokens if usage else 0,
            latency_ms=int((time.monotonic() - started) * 1000),
            status="error" if error else "ok",
            error=repr(error)[:1000] if error else None,
            provider_request_id=info.request_id if info else None,
        )
    except Exception:
        log.debug("cognive: could not record an LLM call", exc_info=True)


class _RecordedStream:
    """Passes a stream through untouched and records the call when it is exhausted."""

    def __init__(
        self, inner: Any, run: Run, started: float, model: Optional[str], provider: Optional[str]
    ) -> None:
        self._inner = inner
        self._run = run
        self._started = started
        self._model = model
        self._provider = provider
        self._usage = StreamUsage()
        self._done = False

    def __iter__(self) -> Iterator[Any]:
        try:
            for chunk in self._inner:
                self._usage.add(chunk)
                yield chunk
        except BaseException as exc:
            self._finish(exc)
            raise
        self._finish(None)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def _finish(self, error: Optional[BaseException]) -> None:
        if not self._done:
            self._done = True
            _record(self._run, self._usage.info, self._started, error, self._model, self._provider)


def _is_stream(value: Any) -> bool:
    return (
        hasattr(value, "__iter__")
        and not isinstance(value, (str, bytes, dict, list, tuple))
        and (hasattr(value, "__next__") or type(value).__name__.endswith("Stream"))
    )


def track_llm(
    fn: Optional[F] = None,
    *,
    model: Optional[str] = None,
    provider: Optional[str] = None,
    check_budget: bool = False,
    estimated_tokens: Optional[int] = None,
) -> Any:
    """`@track_llm` or `@track_llm(model="gpt-4o", check_budget=True, estimated_tokens=2000)`."""

    def decorate(func: F) -> F:
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                run = current_run.get()
                if run is None:
                    return await func(*args, **kwargs)
                if check_budget:
                    run.check_budget(
                        kwargs.get("model") or model or "unknown", estimated_tokens=estimated_tokens
                    )
                started = time.monotonic()
                try:
                    result = await func(*args, **kwargs)
                except BaseException as exc:
                    _record(run, None, started, exc, kwargs.get("model") or model, provider)
                    raise
                _record(
                    run, call_info(result), started, None, kwargs.get("model") or model, provider
                )
                return result

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            run = current_run.get()
            if run is None:
                return func(*args, **kwargs)
            hint = kwargs.get("model") or model
            if check_budget:
                run.check_budget(hint or "unknown", estimated_tokens=estimated_tokens)
            started = time.monotonic()
            try:
                result = func(*args, **kwargs)
            except BaseException as exc:
                _record(run, None, started, exc, hint, provider)
                raise
            if _is_stream(result) and call_info(result) is None:
                return _RecordedStream(result, run, started, hint, provider)
            _record(run, call_info(result), started, None, hint, provider)
            return result

        return wrapper  # type: ignore[return-value]

    return decorate(fn) if fn is not None else decorate


def track_tool(fn: Optional[F] = None, *, name: Optional[str] = None) -> Any:
    """`@track_tool` records the call's status and latency under the function's name."""

    def decorate(func: F) -> F:
        tool = name or func.__name__

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            run = current_run.get()
            started = time.monotonic()
            try:
                result = func(*args, **kwargs)
            except Exception as exc:
                if run is not None:
                    run.log_tool_call(
                        tool, status="error", latency_ms=_ms(started), error=repr(exc)[:1000]
                    )
                raise
            if run is not None:
                run.log_tool_call(tool, status="ok", latency_ms=_ms(started))
            return result

        return wrapper  # type: ignore[return-value]

    return decorate(fn) if fn is not None else decorate


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
