"""Delivery channels: SMTP e-mail, WeCom/DingTalk/JSON webhooks and a file outbox."""

from notifier.channels.base import Channel, ChannelError
from notifier.channels.outbox import OutboxChannel
from notifier.channels.smtp import SmtpChannel, build_email
from notifier.channels.webhook import WebhookChannel

__all__ = ["Channel", "ChannelError", "OutboxChannel", "SmtpChannel", "WebhookChannel", "build_email"]
