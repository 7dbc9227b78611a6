"""What the link's parts for views (the outbox, the activity feed) share: the session the
link has now, and work run on the link's request workers that answers on the GUI thread."""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from .link import EngineLink, _Session


class LinkPart(QObject):
    def __init__(self, link: EngineLink) -> None:
        super().__init__(link)
        self.link = link

    @property
    def session(self) -> _Session | None:
        """The engine the link runs or watches now, as the GUI thread knows it."""
        return self.link._view

    def nudge(self) -> None:
        """Poll soon: what a view asked for should not wait for the next round."""
        session = self.session
        if session is not None and session.poller is not None:
            session.poller.nudge()

    def off_gui(self, work: Callable[[], Any], done: Callable[[Any], None],
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
