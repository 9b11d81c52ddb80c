"""Notification's pure pieces: Standard Webhooks signatures, the retry schedule, the SSRF
classification, dedup keys, subscription matching, secret encryption and the messages."""

from __future__ import annotations

import ipaddress
import random
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet, InvalidToken
from standardwebhooks import Webhook

from cognive_notification.crypto import SecretBox
from cognive_notification.domain import signing
from cognive_notification.domain.dedup import dedup_key
from cognive_notification.domain.matching import SubscriptionView, matches
from cognive_notification.domain.retry import next_attempt_at
from cognive_notification.domain.ssrf import (
    UrlRefused,
    allowed,
    check_url,
    parse_allow_list,
    refusal,
)
from cognive_notification.messages import render, usd

pytestmark = pytest.mark.unit


def test_signature_matches_the_spec_vector() -> None:
    # The Standard Webhooks specification's example.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    msg_id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    body = b'{"test": 2432232314}'
    assert signing.sign(secret, msg_id, 1614265330, body) == (
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_headers_verify_with_the_reference_library_even_during_rotation() -> None:
    old, new = signing.new_secret(), signing.new_secret()
    body = b'{"id":"x"}'
    now = int(datetime.now(UTC).timestamp())
    headers = signing.headers([new, old], "msg_1", now, body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        Webhook(secret).verify(body, headers)


def test_retry_schedule_with_jitter_and_give_up() -> None:
    rng = random.Random(7)
    first = datetime(2026, 1, 1, tzinfo=UTC)
    now = first
    waits = []
    for attempt in range(1, 7):
        at = next_attempt_at(attempt, first, now, rng=rng)
        assert at is not None
        waits.append((at - now).total_seconds())
        now = at
    for wait, base in zip(waits, [5, 300, 1_800, 7_200, 18_000, 36_000], strict=True):
        assert base * 0.8 <= wait <= base * 1.2
    assert next_attempt_at(9, first, first + timedelta(days=2, hours=20), rng=rng) is None


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.0.1", "private"),
        ("fd12::1", "private"),
        ("169.254.10.1", "link-local"),
        ("fe80::1", "link-local"),
        ("169.254.169.254", "cloud metadata endpoint"),
        ("fd00:ec2::254", "cloud metadata endpoint"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("::ffff:127.0.0.1", "embedded IPv4: loopback"),
        ("::ffff:10.0.0.1", "embedded IPv4: private"),
        ("64:ff9b::a00:1", "embedded IPv4: private"),
        ("2002:a00:1::", "embedded IPv4: private"),
        ("93.184.216.34", None),
        ("2606:4700::1111", None),
    ],
)
def test_ssrf_classification(address: str, reason: str | None) -> None:
    assert refusal(ipaddress.ip_address(address)) == reason


def test_allow_list_and_urls() -> None:
    allow = parse_allow_list(["127.0.0.1/32"])
    assert allowed(ipaddress.ip_address("127.0.0.1"), allow) is None
    assert allowed(ipaddress.ip_address("127.0.0.2"), allow) == "loopback"
    assert check_url("https://hooks.example.com/x") == ("hooks.example.com", 443, "https")
    for url in ("file:///etc/passwd", "gopher://x", "http://u:p@h/", "http:///x"):
        with pytest.raises(UrlRefused):
            check_url(url)


def test_dedup_keys() -> None:
    data = {"policy_id": "p", "period_start": "2026-11-01T00:00:00Z", "threshold_percent": 80}
    a = dedup_key("budget.threshold.crossed.v1", data, "id-1")
    assert a == dedup_key("budget.threshold.crossed.v1", dict(data), "id-2")
    assert a != dedup_key("budget.threshold.crossed.v1", {**data, "threshold_percent": 90}, "x")
    assert dedup_key("other.v1", {}, "id-1") == "event:id-1"


def test_subscription_matching() -> None:
    sub = SubscriptionView("s", "c", "cx", ("budget.exceeded.v1",), (), ("bot-1",))
    assert matches(sub, "budget.exceeded.v1", {"team_id": "cx", "agent_id": "bot-1"})
    assert not matches(sub, "budget.exceeded.v1", {"team_id": "cx", "agent_id": "bot-2"})
    assert not matches(sub, "budget.exceeded.v1", {"team_id": "search", "agent_id": "bot-1"})
    assert not matches(sub, "budget.threshold.crossed.v1", {"team_id": "cx"})
    org = SubscriptionView("s", "c", "cx", ("budget.exceeded.v1",), (), ())
    assert matches(org, "budget.exceeded.v1", {"team_id": None})


def test_secret_box_rotation() -> None:
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    old = SecretBox([old_key])
    token = old.encrypt("whsec_abc")
    rotated_box = SecretBox([new_key, old_key])
    assert rotated_box.decrypt(token) == "whsec_abc"
    rotated = rotated_box.rotate(token)
    assert SecretBox([new_key]).decrypt(rotated) == "whsec_abc"
    with pytest.raises(InvalidToken):
        SecretBox([new_key]).decrypt(token)
    assert "whsec_abc" not in token


def test_messages_format_money_exactly() -> None:
    assert usd(45_000_000) == "$45.00"
    assert usd(1_234_567_890) == "$1,234.57"
    message = render(
        "budget.exceeded.v1",
        {"policy_id": "p", "policy_name": "<b>x</b>", "spent_micros": 5, "limit_micros": 4},
        "https://console",
    )
    assert message.subject.startswith("[Cognive] Budget '<b>x</b>' exceeded")
    assert "&lt;b&gt;x&lt;/b&gt;" in message.html and "<b>x</b>" in message.text
