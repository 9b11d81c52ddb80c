"""What `cognive-admin <service> dlq show` prints of a DLQ message's body."""

from __future__ import annotations

import base64

import pytest

from cognive_runtime.admin.operations import readable_body
from cognive_runtime.amqp.content_encoding import ZSTD, encode_body

pytestmark = pytest.mark.unit

EVENT = b'{"id":"e-1","data":{"model":"gpt-4o-mini"}}'


def test_plain_json_is_shown_as_json() -> None:
    assert readable_body(EVENT, None) == {"id": "e-1", "data": {"model": "gpt-4o-mini"}}


@pytest.mark.parametrize("named", [ZSTD, None])
def test_a_compressed_body_is_shown_decompressed(named: str | None) -> None:
    # Unnamed: what the broker dead-letters itself, or an older consumer parked.
    body = encode_body(EVENT, ZSTD)[0]
    assert readable_body(body, named) == {"id": "e-1", "data": {"model": "gpt-4o-mini"}}


def test_text_that_is_not_json_is_shown_as_text() -> None:
    assert readable_body(b"{this is not json", None) == "{this is not json"


def test_bytes_that_cannot_be_read_are_shown_in_base64() -> None:
    corrupt = encode_body(EVENT, ZSTD)[0][:-2]
    assert readable_body(corrupt, ZSTD) == {"base64": base64.b64encode(corrupt).decode()}
