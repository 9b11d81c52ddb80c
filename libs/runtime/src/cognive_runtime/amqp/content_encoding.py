"""Message bodies on the wire: CloudEvents JSON, optionally zstd-compressed, named by the
AMQP `content-encoding` property (as HTTP's Content-Encoding names a compressed body).

A relay-packed batch is a hundred events of one type with the same keys: zstd shrinks it
15-20 times for under half a microsecond an event. RabbitMQ writes every quorum-queue
message to its Raft WAL and, when the WAL rolls over, again into segment files, all of it
at once; uncompressed, that burst stalled the whole 2-core machine for a second every
couple of minutes at 3,000 events/s (ADR 0018). Pure: no I/O."""

from __future__ import annotations

from typing import Final, Literal

import zstandard

from cognive_contracts.envelope import CONTENT_ENCODING_ZSTD

ContentEncoding = Literal["zstd", "identity"]
ZSTD: Final[Literal["zstd"]] = CONTENT_ENCODING_ZSTD
IDENTITY: Final[Literal["identity"]] = "identity"
ENCODINGS: Final = (ZSTD, IDENTITY)

# Every zstd frame a relay writes starts with it. A JSON text never does (it is "(\xb5/\xfd"),
# so a body that carries it without the property, as a consumer of a release before
# ADR 0018 parks it in its DLQ, is still recognised when it is redriven.
ZSTD_MAGIC: Final = b"\x28\xb5\x2f\xfd"
# A relay batch is about 100 KB decoded: 64 MiB is generous for any honest body, and no
# body is inflated past it, whatever its header claims.
MAX_DECODED_BYTES: Final = 64 * 1024 * 1024
# Level 1 uses a window of 512 KiB at most; a frame asking for more is not ours.
_MAX_WINDOW_BYTES: Final = 8 * 1024 * 1024

# Level 1: at the size of a packed batch, level 3 compresses no better and costs a third
# more (measured on relay batches of the end-to-end benchmark). Both objects are used from
# the event loop's thread only: zstandard's contexts are not thread-safe.
_compressor = zstandard.ZstdCompressor(level=1)
_decompressor = zstandard.ZstdDecompressor(max_window_size=_MAX_WINDOW_BYTES)


class ContentEncodingError(ValueError):
    """The body cannot be decoded: an unknown encoding, a corrupt frame or one too large."""


def encode_body(body: bytes, encoding: ContentEncoding) -> tuple[bytes, str | None]:
    """The body to publish and its `content-encoding` property (None for identity)."""
    if encoding == ZSTD:
        return _compressor.compress(body), ZSTD
    return body, None


def is_zstd(body: bytes, encoding: str | None) -> bool:
    """Whether `body` is to be read as zstd: named so, or an unnamed zstd frame."""
    return encoding == ZSTD or (not encoding and body.startswith(ZSTD_MAGIC))


def decode_body(body: bytes, encoding: str | None, *, limit: int = MAX_DECODED_BYTES) -> bytes:
    """The plain body of a message whose `content-encoding` property is `encoding`, at
    most `limit` bytes of it."""
    if encoding not in (None, "", ZSTD, IDENTITY):
        raise ContentEncodingError(
            f"unsupported content-encoding {encoding!r} (supported: {', '.join(ENCODINGS)})"
        )
    if not is_zstd(body, encoding):
        return body
    if not body.startswith(ZSTD_MAGIC):
        raise ContentEncodingError("not a zstd frame (no zstd magic number)")
    try:
        declared = zstandard.frame_content_size(body)
    except zstandard.ZstdError as exc:
        raise ContentEncodingError(f"corrupt zstd frame header: {exc}") from exc
    # A relay always writes the size: a frame without one (-1) would make the decoder
    # allocate the whole limit up front and accept bytes after the frame.
    if declared < 0:
        raise ContentEncodingError("zstd frame does not declare its content size")
    if declared > limit:
        raise ContentEncodingError(
            f"zstd frame declares {declared} bytes, over the limit of {limit}"
        )
    try:
        # Bytes after the frame are corruption, not a second body.
        return _decompressor.decompress(body, max_output_size=limit, allow_extra_data=False)
    except (zstandard.ZstdError, MemoryError) as exc:
        raise ContentEncodingError(f"corrupt zstd frame: {exc}") from exc
