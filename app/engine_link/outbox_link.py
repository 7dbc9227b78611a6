"""The outbox's part of the engine link: its rows while a view follows them, a message's
payload, and opening or clicking a message through the engine's socket.

Everything that touches the store or the network runs on the link's request workers and
answers on the GUI thread as a signal.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from .outbox_feed import message_payload
from .tracking_requests import TrackResult, click_url, get_without_following, open_url

if TYPE_CHECKING:
    from .link import EngineLink


class OutboxLink(QObject):
    arrived = Signal(object)  # OutboxBatch, while the outbox is followed
    message_loaded = Signal(int, object)  # ledger id, its payload (None: none composed)
    tracked = Signal(object)  # TrackResult: the socket's answer to Mark opened / Click

    def __init__(self, link: EngineLink) -> None:
        super().__init__(link)
        self.link = link
        self.followed = False

    def follow(self, on: bool) -> None:
        """Send the outbox's rows (its newest page first, then what is new or changed)
        while `on`: a view follows it only while it is shown."""
        self.followed = on
        session = self.link._view
        if session is not None:
            session.probe.follow_outbox(on)
            if session.poller is not None:
                session.poller.nudge()

    def load_message(self, ledger_id: int) -> None:
        """Read a message's payload off the GUI thread; `message_loaded` answers."""
        session = self.link._view
        if session is None:
            self.message_loaded.emit(ledger_id, None)
            return

        def read() -> dict | None:
            with session.workspace.db.connect() as conn:
                return message_payload(conn, ledger_id)

        self._off_gui(read, lambda payload: self.message_loaded.emit(ledger_id, payload),
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
        self._off_gui(lambda: TrackResult(ledger_id, action, *get_without_following(target)),
                      self.tracked.emit,
                      lambda error: self.tracked.emit(TrackResult(ledger_id, action, None,
                                                                  str(error))))

    def _off_gui(self, work: Callable[[], Any], done: Callable[[Any], None],
                 failed: Callable[[BaseException], None]) -> None:
        """`work` on a request worker; its result to `done` (its error to `failed`) back
        on the GUI thread."""
        try:
            future = self.link._requests.submit(work)
        except RuntimeError as closed:  # the link is closing
            failed(closed)
            return

        def back(finished: Future) -> None:
            error = finished.exception()
            self.link._post(functools.partial(failed, error) if error is not None
                            else functools.partial(done, finished.result()))

        future.add_done_callback(back)
