"""Ids the SDK makes for events and calls: UUID version 7 (RFC 9562), which sort by time.

Ingest keeps every event under its id, and cost and budget key a call's records by its
call id, in unique indexes: ids that arrive in time order are added at the indexes' right
edge rather than on a random page, which is cheaper for the server at thousands of events
a second. They are still random enough to be unique without coordination (74 random
bits per millisecond). Python 3.14 has `uuid.uuid7`."""

import os
import time
import uuid


def time_ordered_id() -> str:
    millis = (time.time_ns() // 1_000_000).to_bytes(6, "big")
    bits = int.from_bytes(millis + os.urandom(10), "big")
    bits = (bits & ~(0xF << 76)) | (0x7 << 76)  # version 7
    bits = (bits & ~(0x3 << 62)) | (0x2 << 62)  # RFC 9562 variant
    return str(uuid.UUID(int=bits))
