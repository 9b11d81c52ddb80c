"""The SDK's event, call, step and run ids are UUID version 7 and follow the clock."""

from __future__ import annotations

import time
import uuid

import pytest

from cognive.ids import time_ordered_id

pytestmark = pytest.mark.unit


def test_ids_are_uuid7_in_time_order() -> None:
    first = uuid.UUID(time_ordered_id())
    time.sleep(0.002)
    second = uuid.UUID(time_ordered_id())
    assert (first.version, second.version) == (7, 7)
    assert first.variant == uuid.RFC_4122
    assert first < second
    assert len({time_ordered_id() for _ in range(5_000)}) == 5_000


def test_ids_are_canonical_text_carrying_the_milliseconds() -> None:
    before = time.time_ns() // 1_000_000
    made = [time_ordered_id() for _ in range(1_000)]
    after = time.time_ns() // 1_000_000
    for text in made:
        parsed = uuid.UUID(text)
        assert str(parsed) == text  # lower-case hex, dashes in place: what uuid.UUID prints
        assert before <= parsed.int >> 80 <= after
        assert (parsed.version, parsed.variant) == (7, uuid.RFC_4122)
