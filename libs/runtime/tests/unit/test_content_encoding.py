"""Message bodies on the wire: zstd or identity, and what a consumer refuses to inflate."""

from __future__ import annotations

import struct
from collections.abc import Callable

import pytest
import zstandard

from cognive_runtime.amqp.content_encoding import (
    IDENTITY,
    ZSTD,
    ZSTD_MAGIC,
    ContentEncodingError,
    decode_body,
    encode_body,
    is_zstd,
)

pytestmark = pytest.mark.unit

BODY = (
    b"[" + b",".join(b'{"id":"%d","data":{"model":"gpt-4o-mini"}}' % i for i in range(100)) + b"]"
)


def test_zstd_round_trip_is_smaller_and_named() -> None:
    body, encoding = encode_body(BODY, ZSTD)
    assert encoding == "zstd"
    assert len(body) * 5 < len(BODY)
    assert decode_body(body, encoding) == BODY


@pytest.mark.parametrize("encoding", [None, "", IDENTITY])
def test_identity_is_the_body_itself(encoding: str | None) -> None:
    assert encode_body(BODY, IDENTITY) == (BODY, None)
    assert decode_body(BODY, encoding) is BODY


def test_an_unknown_encoding_is_refused() -> None:
    with pytest.raises(ContentEncodingError, match="'gzip'"):
        decode_body(BODY, "gzip")


def test_an_unnamed_zstd_frame_is_still_read() -> None:
    """What a consumer of a release before ADR 0018 parked in its DLQ: the compressed body
    without the property. Redriven, it is read all the same (JSON never starts so)."""
    body = encode_body(BODY, ZSTD)[0]
    assert body.startswith(ZSTD_MAGIC)
    assert is_zstd(body, None)
    assert not is_zstd(BODY, None)
    assert decode_body(body, None) == BODY


def test_a_body_named_zstd_without_the_magic_number_is_refused() -> None:
    with pytest.raises(ContentEncodingError, match="magic"):
        decode_body(BODY, ZSTD)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda z: z[:-4],  # cut short
        lambda z: z + b"trailing",  # bytes after the frame
        lambda z: b"not a frame at all",
        lambda z: b"",
    ],
)
def test_a_corrupt_frame_is_refused(mangle: Callable[[bytes], bytes]) -> None:
    body = encode_body(BODY, ZSTD)[0]
    with pytest.raises(ContentEncodingError):
        decode_body(mangle(body), ZSTD)


def test_a_frame_declaring_more_than_the_limit_is_refused_before_inflating() -> None:
    # Magic number, then a header descriptor for an 8-byte content size in a single
    # segment, then the size: a bomb's header, with no blocks behind it.
    header = struct.pack("<IB", 0xFD2FB528, 0xE0) + struct.pack("<Q", 1 << 40)
    with pytest.raises(ContentEncodingError, match="declares 1099511627776 bytes"):
        decode_body(header, ZSTD)


def test_a_frame_without_a_declared_size_is_refused() -> None:
    # The decoder would allocate the whole limit up front for it, and accept bytes after it.
    body = zstandard.ZstdCompressor(write_content_size=False).compress(BODY)
    with pytest.raises(ContentEncodingError, match="does not declare"):
        decode_body(body, ZSTD)


def test_a_skippable_frame_is_refused() -> None:
    # Its header reads as a 4 GiB content size to the decoder, and as 0 to the size probe.
    with pytest.raises(ContentEncodingError):
        decode_body(b"\x50\x2a\x4d\x18\xff\xff\xff\xff", ZSTD)


def test_the_limit_is_the_declared_size_s_bound() -> None:
    body = encode_body(BODY, ZSTD)[0]
    assert decode_body(body, ZSTD, limit=len(BODY)) == BODY
    with pytest.raises(ContentEncodingError, match="over the limit"):
        decode_body(body, ZSTD, limit=len(BODY) - 1)
