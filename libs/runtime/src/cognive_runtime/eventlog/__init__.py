"""The append-only event log of one service schema (ARCHITECTURE §2)."""

from cognive_runtime.eventlog.checkpoints import load_checkpoint, store_checkpoint
from cognive_runtime.eventlog.model import (
    ANY_VERSION,
    NO_STREAM,
    NewEvent,
    Position,
    RecordedEvent,
    StreamAppend,
)
from cognive_runtime.eventlog.reader import head_position, read_all, read_stream, read_window
from cognive_runtime.eventlog.writer import (
    ConcurrencyError,
    append,
    append_to_stream,
    lock_streams,
)

__all__ = [
    "ANY_VERSION",
    "NO_STREAM",
    "ConcurrencyError",
    "NewEvent",
    "Position",
    "RecordedEvent",
    "StreamAppend",
    "append",
    "append_to_stream",
    "head_position",
    "load_checkpoint",
    "lock_streams",
    "read_all",
    "read_stream",
    "read_window",
    "store_checkpoint",
]
