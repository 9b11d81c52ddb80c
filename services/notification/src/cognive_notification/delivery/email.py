"""E-mail through the configured SMTP server (aiosmtplib): STARTTLS or implicit TLS and
authentication as set; text and HTML alternatives."""

from __future__ import annotations

import time
from collections.abc import Sequence
from email.message import EmailMessage

import aiosmtplib

from cognive_notification.delivery.network import HttpResult
from cognive_notification.messages import Message
from cognive_notification.settings import NotificationSettings


async def send_email(
    settings: NotificationSettings, recipients: Sequence[str], message: Message, msg_id: str
) -> HttpResult:
    email = EmailMessage()
    email["From"] = settings.smtp_from
    email["To"] = ", ".join(recipients)
    email["Subject"] = message.subject
    email["X-Cognive-Delivery-Id"] = msg_id
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    started = time.perf_counter()
    try:
        await aiosmtplib.send(
            email,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            use_tls=settings.smtp_security == "tls",
            start_tls=settings.smtp_security == "starttls",
            timeout=settings.smtp_timeout_s,
        )
    except (aiosmtplib.SMTPException, OSError) as exc:
        return HttpResult(None, int((time.perf_counter() - started) * 1000), str(exc)[:500])
    return HttpResult(250, int((time.perf_counter() - started) * 1000), None)
