"""Notifier: Jinja2-rendered digests and notices, and their delivery."""

from notifier.digest import SEVERITY_LABELS, STATUS_LABELS, build_digest, describe_evidence, write_digest
from notifier.render import environment, render

__all__ = ["SEVERITY_LABELS", "STATUS_LABELS", "build_digest", "describe_evidence", "environment", "render", "write_digest"]
