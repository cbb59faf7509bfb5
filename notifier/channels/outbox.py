"""The file outbox: one directory entry per notice (HTML, text, markdown and a ready-to-send .eml)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from notifier.channels.base import ChannelError
from notifier.channels.smtp import build_email

if TYPE_CHECKING:
    from notifier.notices import RenderedNotice

__all__ = ["OutboxChannel"]


class OutboxChannel:
    """Writes each notice into ``directory/<kind>/`` for sites with neither e-mail nor a robot."""

    name = "outbox"

    def __init__(self, directory: Path, sender: str = "govwatch@localhost") -> None:
        self.directory = Path(directory)
        self.sender = sender

    def recipients(self, notice: RenderedNotice) -> list[str]:
        """The directory the notice is written to, and the people it is meant for."""
        return [str(self.directory / notice.kind), *notice.recipients]

    def send(self, notice: RenderedNotice, recipients: list[str]) -> None:
        """Write the files; a full disk or a missing permission is a ChannelError."""
        target = self.directory / notice.kind
        try:
            notice.write(target)
            mail = build_email(notice, self.sender, list(notice.recipients) or ["undisclosed-recipients@localhost"])
            tmp = target / f"{notice.stem}.eml.tmp"
            tmp.write_bytes(bytes(mail))
            tmp.replace(target / f"{notice.stem}.eml")
        except OSError as exc:
            raise ChannelError(f"outbox {target}: {exc}") from exc
