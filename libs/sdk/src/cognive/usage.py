"""Token usage from real provider responses, by duck typing (no provider package needed).

Counts follow the OpenTelemetry GenAI / genai-prices convention that Cognive's contracts
use: `input_tokens` is the whole prompt *including* cache reads and writes, `output_tokens`
*includes* reasoning tokens. Providers that report them apart (Anthropic's cache tokens,
Gemini's thoughts) are normalised here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional


@dataclass
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cached_input_tokens": self.cached_input_tokens,
            "cache_write_tokens": self.cache_write_tokens,
            "reasoning_tokens": self.reasoning_tokens,
        }


@dataclass
class CallInfo:
    usage: Usage
    model: Optional[str] = None
    provider: Optional[str] = None
    request_id: Optional[str] = None


def _get(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def _int(value: Any) -> int:
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0


def provider_of(response: Any) -> Optional[str]:
    module = type(response).__module__ or ""
    for prefix, name in (
        ("openai", "openai"),
        ("anthropic", "anthropic"),
        ("google", "google"),
        ("litellm", "litellm"),
    ):
        if module.startswith(prefix):
            return name
    return None


def usage_of(response: Any) -> Optional[Usage]:
    """The usage a response reports, or None when it reports none."""
    gemini = _get(response, "usage_metadata")
    if gemini is not None:
        return _gemini(gemini)
    usage = _get(response, "usage")
    if usage is None:
        message = _get(response, "message")  # Anthropic stream's message_start event
        usage = _get(message, "usage")
    if usage is None:
        return None
    if _get(usage, "prompt_tokens") is not None:
        return _openai_chat(usage)
    if (
        _get(usage, "cache_read_input_tokens") is not None
        or _get(usage, "cache_creation_input_tokens") is not None
    ):
        return _anthropic(usage)
    if (
        _get(usage, "input_tokens_details") is not None
        or _get(usage, "output_tokens_details") is not None
    ):
        return _openai_responses(usage)
    if _get(usage, "input_tokens") is not None or _get(usage, "output_tokens") is not None:
        return _anthropic(usage)
    return None


def _openai_chat(usage: Any) -> Usage:
    prompt = _get(usage, "prompt_tokens_details")
    completion = _get(usage, "completion_tokens_details")
    return Usage(
        input_tokens=_int(_get(usage, "prompt_tokens")),
        output_tokens=_int(_get(usage, "completion_tokens")),
        cached_input_tokens=_int(_get(prompt, "cached_tokens")),
        cache_write_tokens=_int(_get(prompt, "cache_write_tokens")),
        reasoning_tokens=_int(_get(completion, "reasoning_tokens")),
    )


def _openai_responses(usage: Any) -> Usage:
    return Usage(
        input_tokens=_int(_get(usage, "input_tokens")),
        output_tokens=_int(_get(usage, "output_tokens")),
        cached_input_tokens=_int(_get(_get(usage, "input_tokens_details"), "cached_tokens")),
        cache_write_tokens=_int(_get(_get(usage, "input_tokens_details"), "cache_write_tokens")),
        reasoning_tokens=_int(_get(_get(usage, "output_tokens_details"), "reasoning_tokens")),
    )


def _anthropic(usage: Any) -> Usage:
    # Anthropic's input_tokens excludes the cached and cache-written parts of the prompt.
    read = _int(_get(usage, "cache_read_input_tokens"))
    written = _int(_get(usage, "cache_creation_input_tokens"))
    return Usage(
        input_tokens=_int(_get(usage, "input_tokens")) + read + written,
        output_tokens=_int(_get(usage, "output_tokens")),
        cached_input_tokens=read,
        cache_write_tokens=written,
    )


def _gemini(meta: Any) -> Usage:
    # Gemini counts thoughts apart from the candidates; both are billed as output.
    thoughts = _int(_get(meta, "thoughts_token_count"))
    return Usage(
        input_tokens=_int(_get(meta, "prompt_token_count")),
        output_tokens=_int(_get(meta, "candidates_token_count")) + thoughts,
        cached_input_tokens=_int(_get(meta, "cached_content_token_count")),
        reasoning_tokens=thoughts,
    )


def call_info(response: Any) -> Optional[CallInfo]:
    usage = usage_of(response)
    if usage is None:
        return None
    model = _get(response, "model") or _get(response, "model_version")
    request_id = _get(response, "id") or _get(response, "response_id")
    return CallInfo(usage=usage, model=model, provider=provider_of(response), request_id=request_id)


class StreamUsage:
    """Accumulates usage over a stream's chunks: OpenAI sends it on the last chunk (with
    `stream_options={"include_usage": True}`), Anthropic splits it over message_start and
    message_delta, Gemini repeats running totals."""

    def __init__(self) -> None:
        self.info: Optional[CallInfo] = None

    def add(self, chunk: Any) -> None:
        kind = _get(chunk, "type")
        if kind == "message_delta":  # Anthropic: the output count so far
            if self.info is not None:
                self.info.usage.output_tokens = _int(_get(_get(chunk, "usage"), "output_tokens"))
            return
        if kind == "message_start":
            message = _get(chunk, "message")
            info = call_info(message)
            if info is not None:
                self.info = info
            return
        info = call_info(chunk)
        if info is not None:
            if self.info is not None and info.model is None:
                info.model = self.info.model
            self.info = info
        elif self.info is None:
            model = _get(chunk, "model")
            if model:
                self.info = CallInfo(usage=Usage(), model=model, provider=provider_of(chunk))
