"""What an alert says: e-mail subject and bodies (Jinja2 templates, HTML autoescaped) and
the Slack message. Money arrives as integer micro-USD and is shown with Decimal."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

_ENV = Environment(
    loader=PackageLoader("cognive_notification", "templates"),
    autoescape=select_autoescape(["html"]),
    keep_trailing_newline=True,
)


@dataclass(frozen=True, slots=True)
class Message:
    subject: str
    text: str
    html: str
    slack: dict[str, Any]


def usd(micros: int | None) -> str:
    if micros is None:
        return "?"
    amount = (Decimal(micros) / 1_000_000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"${amount:,}"


def headline(event_type: str, data: dict[str, Any]) -> str:
    name = data.get("policy_name") or data.get("policy_id")
    if event_type.startswith("budget.threshold.crossed"):
        return (
            f"Budget '{name}' reached {data.get('threshold_percent')}% "
            f"({usd(data.get('spent_micros'))} of {usd(data.get('limit_micros'))})"
        )
    if event_type.startswith("budget.exceeded"):
        return (
            f"Budget '{name}' exceeded: {usd(data.get('spent_micros'))} "
            f"of {usd(data.get('limit_micros'))}"
        )
    if event_type.startswith("budget.call.blocked"):
        return (
            f"A call of agent {data.get('agent_id')} was blocked by budget '{name}' "
            f"({usd(data.get('spent_micros'))} spent of {usd(data.get('limit_micros'))})"
        )
    if event_type.startswith("ingest.policy.violated"):
        what = data.get("model") or data.get("tool")
        return (
            f"Policy violation by agent {data.get('agent_id')}: "
            f"{str(data.get('kind', '')).replace('_', ' ')} ({what})"
        )
    if event_type.startswith("notification.channel.disabled"):
        return f"Notification channel {data.get('channel_id')} was disabled: {data.get('detail')}"
    return f"Cognive event {event_type}"


def render(event_type: str, data: dict[str, Any], console_url: str) -> Message:
    head = headline(event_type, data)
    link = (
        f"{console_url.rstrip('/')}/budgets/{data['policy_id']}"
        if data.get("policy_id")
        else console_url
    )
    context: dict[str, Any] = {"headline": head, "data": data, "link": link}
    template = "generic"
    if event_type.startswith(("budget.threshold", "budget.exceeded")):
        template = "budget_alert"
        spent, limit = data.get("spent_micros") or 0, data.get("limit_micros") or 1
        context |= {
            "spent": usd(spent),
            "limit": usd(limit),
            "percent": f"{Decimal(spent * 100) / Decimal(limit):.1f}%",
            "period": f"{data.get('period_start')} to {data.get('period_end') or 'end of run'}",
        }
    text = _ENV.get_template(f"{template}.txt").render(context)
    html = _ENV.get_template(f"{template}.html").render(context)
    slack = {
        "text": head,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{head}*"}},
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"<{link}|Open in Cognive>"}],
            },
        ],
    }
    return Message(subject=f"[Cognive] {head}", text=text, html=html, slack=slack)
