"""Body limits: gzip bombs, garbage, shapes."""

import gzip
import json

import pytest

from cognive_ingest.api.body import inflate, parse_events
from cognive_runtime.problems import ProblemError

pytestmark = pytest.mark.unit


def test_gzip_round_trip() -> None:
    raw = json.dumps({"events": [1]}).encode()
    assert inflate(gzip.compress(raw), "gzip", 1024) == raw
    assert inflate(raw, "", 1024) == raw


def test_gzip_bomb_is_refused_without_inflating_it() -> None:
    bomb = gzip.compress(b"0" * 50_000_000)
    assert len(bomb) < 100_000
    with pytest.raises(ProblemError) as caught:
        inflate(bomb, "gzip", 5 * 1024 * 1024)
    assert caught.value.status == 413


@pytest.mark.parametrize("body", [b"garbage", gzip.compress(b"{}")[:-5]])
def test_gzip_garbage_and_truncation_are_400(body: bytes) -> None:
    with pytest.raises(ProblemError) as caught:
        inflate(body, "gzip", 1024)
    assert caught.value.status == 400
    assert caught.value.errors[0].field == "body"


def test_unknown_encoding_is_415() -> None:
    with pytest.raises(ProblemError) as caught:
        inflate(b"x", "br", 1024)
    assert caught.value.status == 415


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (b"{not json", 400, "body"),
        (b"[1, 2]", 422, "body"),
        (b"{}", 422, "events"),
        (b'{"events": {}}', 422, "events"),
        (b'{"events": []}', 422, "events"),
        (json.dumps({"events": [{}] * 11}).encode(), 413, "events"),
    ],
)
def test_malformed_bodies(body: bytes, status: int, field: str) -> None:
    with pytest.raises(ProblemError) as caught:
        parse_events(body, max_events=10)
    assert caught.value.status == status
    assert caught.value.errors[0].field == field
