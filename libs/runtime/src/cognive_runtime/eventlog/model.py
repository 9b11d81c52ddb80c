"""Values that go in and come out of the event log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import orjson
from pydantic import BaseModel

from cognive_runtime.eventlog.ids import new_event_id

# expected_version sentinels: append to whatever the stream holds / the stream must be new.
ANY_VERSION: int = -1
NO_STREAM: int = 0


class Position(NamedTuple):
    """A reader's place in commit order: (transaction id, global position)."""

    tx_id: int
    global_position: int

    @classmethod
    def start(cls) -> Position:
        return cls(0, 0)


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to append. `data` is a payload model (serialized by pydantic in one pass,
    the bytes of its JSON-mode dump) or a JSON object already built."""

    type: str
    data: dict[str, Any] | BaseModel
    event_id: uuid.UUID = field(default_factory=new_event_id)
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StreamAppend:
    stream_id: str
    events: list[NewEvent]
    expected_version: int = ANY_VERSION


class RecordedEvent:
    """A row of the log. `data_json` is kept as the stored text: the relay forwards it without
    a decode/encode round trip; `data` decodes it on first use."""

    __slots__ = (
        "_data",
        "_metadata",
        "data_json",
        "event_id",
        "global_position",
        "metadata_json",
        "recorded_at",
        "stream_id",
        "stream_version",
        "tx_id",
        "type",
    )

    def __init__(
        self,
        *,
        global_position: int,
        tx_id: int,
        stream_id: str,
        stream_version: int,
        event_id: uuid.UUID,
        type: str,
        data_json: str,
        metadata_json: str,
        recorded_at: datetime,
    ) -> None:
        self.global_position = global_position
        self.tx_id = tx_id
        self.stream_id = stream_id
        self.stream_version = stream_version
        self.event_id = event_id
        self.type = type
        self.data_json = data_json
        self.metadata_json = metadata_json
        self.recorded_at = recorded_at
        self._data: dict[str, Any] | None = None
        self._metadata: dict[str, Any] | None = None

    @property
    def position(self) -> Position:
        return Position(self.tx_id, self.global_position)

    @property
    def data(self) -> dict[str, Any]:
        if self._data is None:
            # orjson: followers decode every event they read; it is 3-4x the stdlib here.
            self._data = orjson.loads(self.data_json)
        return self._data

    @property
    def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            self._metadata = orjson.loads(self.metadata_json)
        return self._metadata

    def __repr__(self) -> str:
        return (
            f"RecordedEvent({self.type} {self.stream_id}@{self.stream_version}"
            f" pos={self.global_position} tx={self.tx_id})"
        )
