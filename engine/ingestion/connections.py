"""Connections to the socket: counted, given deadlines, and answered without echoing them.

What aiohttp (3.9 to 3.14) offers: `keepalive_timeout` closes a connection that waits for
its next request head after an answer (3.14 also from the connection's start, earlier
versions not). It has no deadline for a body and no limit on connections, and its 400 for
a malformed request quotes the offending line (an Authorization header, key included) in
the body and in an ERROR log with a traceback. So the listening socket's protocol factory
is `ConnectionGuard`: a `GuardedRequestHandler` (aiohttp's, with a deadline for the first
head and `handle_error` answering parse errors in fixed words) for each connection up to
the limit, a `Refusal` (503, Retry-After) beyond it; `deadlines` is the middleware that
ends the head's deadline and starts the body's.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from collections import Counter
from typing import Any

from aiohttp import http_exceptions, web

from .http import ApiError
from .limits import ConnectionBudget, SocketLimits
from .logs import Tally

REFUSAL_LINGER = 1.0  # seconds a refused client has to read its 503 before it is closed
LINGERING_TIME = 2.0  # seconds aiohttp reads what is left of a body after an early answer
_PARSE_ERRORS = (  # the first that matches; never the parser's message, which quotes
    (http_exceptions.LineTooLong, "a request line or header is too long"),
    (http_exceptions.BadStatusLine, "the request line is not HTTP/1.x"),
    (http_exceptions.InvalidURLError, "the request's URL is malformed"),
    (http_exceptions.PayloadEncodingError, "the body's length or encoding is malformed"),
)
_MALFORMED = ("the request is not well-formed HTTP/1.1: a header line that does not end "
              "with CR LF, a control character, or a malformed chunk")


class BodyTimeout(TimeoutError):
    """The body did not arrive in time. A TimeoutError, so aiohttp's lingering read after
    the 408 stops quietly and closes the connection."""


class ConnectionGuard:
    """The protocol factory of the listening socket (`loop.create_server(guard, ...)`)."""

    def __init__(self, server: web.Server, limits: SocketLimits,
                 budget: ConnectionBudget) -> None:
        self.server, self.limits, self.budget = server, limits, budget
        # Weak: a connection asyncio failed to set up after calling us is forgotten too.
        self.open: weakref.WeakSet[GuardedRequestHandler] = weakref.WeakSet()
        self.refusing: weakref.WeakSet[Refusal] = weakref.WeakSet()
        self.tally = Tally(self._describe)
        self._refusal = _refusal_answer(limits.retry_after, budget.max_connections)

    def __call__(self) -> asyncio.Protocol:
        if len(self.open) < self.budget.max_connections:
            handler = GuardedRequestHandler(
                self.server, self, loop=asyncio.get_running_loop(), access_log=None,
                keepalive_timeout=self.limits.idle_timeout, lingering_time=LINGERING_TIME)
            self.open.add(handler)
            return handler
        self.tally.add("refused")
        # Past `refusing` 503s in flight, a reset is all a connection costs.
        answer = self._refusal if len(self.refusing) < self.budget.refusing else None
        refusal = Refusal(answer, self.refusing)
        self.refusing.add(refusal)
        return refusal

    def exception_handler(self, previous: Any) -> Any:
        """For the loop: asyncio logs each EMFILE of `accept()` with a traceback, up to a
        backlog's worth per pass of the loop; count those instead."""
        def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
            if context.get("message") == "socket.accept() out of system resource":
                self.tally.add("accept_failed")
            elif previous is not None:
                previous(loop, context)
            else:
                loop.default_exception_handler(context)
        return handle

    def close(self) -> None:
        for refusal in list(self.refusing):
            refusal.close()
        self.tally.close()

    def _describe(self, counts: Counter[str]) -> str:
        said = []
        if counts["refused"]:
            said.append(f"{counts['refused']} connection(s) refused with 503: "
                        f"{self.budget.max_connections} were open, the most this process "
                        f"takes with its limit of {self.budget.open_files} open files "
                        "(`ulimit -n`)")
        if counts["accept_failed"]:
            said.append(f"{counts['accept_failed']} connection(s) not accepted: out of "
                        "file descriptors")
        if counts["malformed"]:
            said.append(f"{counts['malformed']} malformed request(s) answered 400")
        return ("ingestion socket: " + "; ".join(said)
                + " (since the last such line; at most one a minute)")


class GuardedRequestHandler(web.RequestHandler):
    """aiohttp's request handler, counted by the guard, with a deadline for the first
    request's head and parse errors answered without quoting the request."""

    def __init__(self, manager: web.Server, guard: ConnectionGuard, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        self.guard = guard
        self._head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._head_deadline = asyncio.get_running_loop().call_later(
            self.guard.limits.idle_timeout, self.force_close)

    def head_arrived(self) -> None:
        """Later heads are aiohttp's keep-alive timer's to time (it starts after each
        answer)."""
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def connection_lost(self, exc: BaseException | None) -> None:
        self.head_arrived()
        self.guard.open.discard(self)
        super().connection_lost(exc)

    def handle_error(self, request: Any, status: int = 500, exc: BaseException | None = None,
                     message: str | None = None) -> web.StreamResponse:
        self.head_arrived()
        if status != 400:  # a handler raised: aiohttp logs it (keys redacted, logs.py)
            return super().handle_error(request, status, exc, message)
        self.guard.tally.add("malformed")
        reason = next((why for kind, why in _PARSE_ERRORS if isinstance(exc, kind)),
                      _MALFORMED)
        response = ApiError(400, "malformed_request", reason).response()
        response.force_close()
        return response


class Refusal(asyncio.Protocol):
    """A connection over the limit: answered 503 at once, given a moment to read it (what
    it sends is dropped), then closed. With no answer to give, reset at once."""

    def __init__(self, answer: bytes | None, refusing: weakref.WeakSet[Refusal]) -> None:
        self.answer, self.refusing = answer, refusing
        self.transport: asyncio.Transport | None = None
        self._linger: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        if self.answer is None:
            transport.abort()  # type: ignore[attr-defined]
            return
        try:
            transport.write(self.answer)  # type: ignore[attr-defined]
            transport.write_eof()  # type: ignore[attr-defined]
        except OSError:  # the client is gone already (it waited in the kernel's queue)
            transport.abort()  # type: ignore[attr-defined]
            return
        self._linger = asyncio.get_running_loop().call_later(REFUSAL_LINGER, self.close)

    def data_received(self, data: bytes) -> None:
        pass

    def eof_received(self) -> bool:
        return False  # the client read its answer and closed: close too

    def connection_lost(self, exc: BaseException | None) -> None:
        if self._linger is not None:
            self._linger.cancel()
        self.refusing.discard(self)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


def _refusal_answer(retry_after: int, limit: int) -> bytes:
    body = json.dumps({"error": {
        "code": "too_many_connections",
        "message": f"the socket has {limit} connections open, its limit; retry in "
                   f"{retry_after} s"}}).encode()
    head = ("HTTP/1.1 503 Service Unavailable\r\n"
            "Content-Type: application/json; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\n"
            f"Retry-After: {retry_after}\r\n"
            "Access-Control-Allow-Origin: *\r\n"
            "Connection: close\r\n\r\n")
    return head.encode() + body


def deadlines(limits: SocketLimits) -> Any:
    """The middleware that ends a request's head deadline and gives its body one."""
    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        if isinstance(request.protocol, GuardedRequestHandler):
            request.protocol.head_arrived()
        body = request.content
        timer = None
        if not body.is_eof():
            timer = asyncio.get_running_loop().call_later(
                limits.body_timeout, lambda: body.is_eof() or body.set_exception(BodyTimeout()))
        try:
            return await handler(request)
        except BodyTimeout:
            raise ApiError(408, "body_timeout", "the body did not arrive within "
                           f"{limits.body_timeout:g} s of the request's headers") from None
        except (ConnectionResetError, web.RequestPayloadError):
            # The client left (or half-closed) before its body was complete: nobody will
            # read the answer, and nothing went wrong here worth a traceback in the log.
            raise ApiError(400, "incomplete_body", "the connection ended before the whole "
                           "body arrived") from None
        finally:
            if timer is not None:
                timer.cancel()
    return middleware
