"""The outbox's part of the engine link: its rows while a view follows them, a message's
payload, and opening or clicking a message through the engine's socket.

Everything that touches the store or the network runs on the link's request workers and
answers on the GUI thread as a signal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal

from .link_part import LinkPart
from .outbox_feed import message_payload
from .tracking_requests import TrackResult, click_url, get_without_following, open_url

if TYPE_CHECKING:
    from .link import EngineLink


class OutboxLink(LinkPart):
    arrived = Signal(object)  # OutboxBatch, while the outbox is followed
    message_loaded = Signal(int, object)  # ledger id, its payload (None: none composed)
    tracked = Signal(object)  # TrackResult: the socket's answer to Mark opened / Click

    def __init__(self, link: EngineLink) -> None:
        super().__init__(link)
        self.followed = False

    def follow(self, on: bool) -> None:
        """Send the outbox's rows (its newest page first, then what is new or changed)
        while `on`: a view follows it only while it is shown."""
        self.followed = on
        if self.session is not None:
            self.session.probe.follow_outbox(on)
            self.nudge()

    def load_message(self, ledger_id: int) -> None:
        """Read a message's payload off the GUI thread; `message_loaded` answers."""
        session = self.session
        if session is None:
            self.message_loaded.emit(ledger_id, None)
            return

        def read() -> dict | None:
            with session.workspace.db.connect() as conn:
                return message_payload(conn, ledger_id)

        self.off_gui(read, lambda payload: self.message_loaded.emit(ledger_id, payload),
                      lambda _error: self.message_loaded.emit(ledger_id, None))

    def track(self, ledger_id: int, token: str, link: int | None = None) -> None:
        """Open the message (`link` None) or click its link number `link` (from 0)
        through the engine's socket, as the recipient's mail program would."""
        url = self.link.base_url
        action = "opened" if link is None else f"clicked link {link + 1}"
        if url is None:
            self.tracked.emit(TrackResult(ledger_id, action, None, "no engine is running"))
            return
        target = open_url(url, token) if link is None else click_url(url, token, link)
        self.off_gui(lambda: TrackResult(ledger_id, action, *get_without_following(target)),
                      self.tracked.emit,
                      lambda error: self.tracked.emit(TrackResult(ledger_id, action, None,
                                                                  str(error))))
