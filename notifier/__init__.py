"""Notifier: Jinja2-rendered digests and notices, and their delivery."""

from notifier.digest import build_digest, describe_evidence, write_digest
from notifier.render import environment, render

__all__ = ["build_digest", "describe_evidence", "environment", "render", "write_digest"]
