"""Usage extraction from the providers' real response types, built locally (no network)."""

from __future__ import annotations

import anthropic.types as anth
import pytest
from google.genai import types as gem
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from openai.types.completion_usage import (
    CompletionTokensDetails,
    CompletionUsage,
    PromptTokensDetails,
)
from openai.types.responses import Response, ResponseUsage
from openai.types.responses.response_usage import InputTokensDetails, OutputTokensDetails

from cognive.usage import StreamUsage, Usage, call_info

pytestmark = pytest.mark.unit


def test_openai_chat_completion() -> None:
    response = ChatCompletion(
        id="chatcmpl-1",
        created=0,
        model="gpt-4o-2024-08-06",
        object="chat.completion",
        choices=[],
        usage=CompletionUsage(
            prompt_tokens=1200,
            completion_tokens=300,
            total_tokens=1500,
            prompt_tokens_details=PromptTokensDetails(cached_tokens=1024),
            completion_tokens_details=CompletionTokensDetails(reasoning_tokens=100),
        ),
    )
    info = call_info(response)
    assert info is not None
    assert info.usage == Usage(1200, 300, 1024, 0, 100)
    assert (info.model, info.provider, info.request_id) == (
        "gpt-4o-2024-08-06",
        "openai",
        "chatcmpl-1",
    )


def test_openai_responses_api() -> None:
    response = Response.model_construct(
        id="resp_1",
        model="o3-mini",
        object="response",
        usage=ResponseUsage(
            input_tokens=900,
            output_tokens=500,
            total_tokens=1400,
            input_tokens_details=InputTokensDetails(cached_tokens=256, cache_write_tokens=64),
            output_tokens_details=OutputTokensDetails(reasoning_tokens=320),
        ),
    )
    info = call_info(response)
    assert info is not None
    assert info.usage == Usage(900, 500, 256, 64, 320)
    assert info.provider == "openai"


def test_anthropic_message_counts_cache_tokens_into_input() -> None:
    message = anth.Message(
        id="msg_1",
        content=[],
        model="claude-sonnet-4-5",
        role="assistant",
        stop_reason="end_turn",
        type="message",
        usage=anth.Usage(
            input_tokens=50,
            output_tokens=200,
            cache_read_input_tokens=1000,
            cache_creation_input_tokens=300,
        ),
    )
    info = call_info(message)
    assert info is not None
    # Anthropic's input_tokens excludes the cached prompt; the contract's includes it.
    assert info.usage == Usage(1350, 200, 1000, 300, 0)
    assert info.provider == "anthropic"


def test_gemini_counts_thoughts_as_output() -> None:
    response = gem.GenerateContentResponse(
        model_version="gemini-2.5-pro",
        response_id="g-1",
        usage_metadata=gem.GenerateContentResponseUsageMetadata(
            prompt_token_count=800,
            candidates_token_count=150,
            cached_content_token_count=400,
            thoughts_token_count=250,
        ),
    )
    info = call_info(response)
    assert info is not None
    assert info.usage == Usage(800, 400, 400, 0, 250)
    assert (info.model, info.provider) == ("gemini-2.5-pro", "google")


def test_litellm_shaped_dict_response() -> None:
    info = call_info(
        {"id": "x", "model": "gpt-4o", "usage": {"prompt_tokens": 10, "completion_tokens": 5}}
    )
    assert info is not None
    assert info.usage == Usage(10, 5)


def test_no_usage_is_none() -> None:
    assert call_info("plain text") is None
    assert call_info({"model": "x"}) is None


def test_openai_stream_usage_on_last_chunk() -> None:
    chunks = [
        ChatCompletionChunk(
            id="c", created=0, model="gpt-4o", object="chat.completion.chunk", choices=[]
        ),
        ChatCompletionChunk(
            id="c",
            created=0,
            model="gpt-4o",
            object="chat.completion.chunk",
            choices=[],
            usage=CompletionUsage(prompt_tokens=40, completion_tokens=12, total_tokens=52),
        ),
    ]
    stream = StreamUsage()
    for chunk in chunks:
        stream.add(chunk)
    assert stream.info is not None
    assert stream.info.usage == Usage(40, 12)
    assert stream.info.model == "gpt-4o"


def test_anthropic_stream_start_and_delta() -> None:
    start = anth.RawMessageStartEvent(
        type="message_start",
        message=anth.Message(
            id="m",
            content=[],
            model="claude-haiku-4-5",
            role="assistant",
            stop_reason=None,
            type="message",
            usage=anth.Usage(input_tokens=30, output_tokens=1, cache_read_input_tokens=70),
        ),
    )
    delta = anth.RawMessageDeltaEvent(
        type="message_delta",
        delta={"stop_reason": "end_turn"},  # type: ignore[arg-type]
        usage=anth.MessageDeltaUsage(output_tokens=88),
    )
    stream = StreamUsage()
    stream.add(start)
    stream.add(delta)
    assert stream.info is not None
    assert stream.info.usage == Usage(100, 88, 70, 0, 0)
    assert stream.info.model == "claude-haiku-4-5"
