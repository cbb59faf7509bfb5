"""What every channel offers: ``send(notice, recipients)``, raising ChannelError when it did not deliver."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from config.errors import ChannelError

if TYPE_CHECKING:
    from notifier.notices import RenderedNotice

__all__ = ["Channel", "ChannelError"]


class Channel(Protocol):
    """A way to deliver a rendered notice."""

    name: str

    def recipients(self, notice: RenderedNotice) -> list[str]:
        """Who receives the notice on this channel (recorded with the send)."""
        ...

    def send(self, notice: RenderedNotice, recipients: list[str]) -> None:
        """Deliver once; raise ChannelError when it was not delivered."""
        ...
