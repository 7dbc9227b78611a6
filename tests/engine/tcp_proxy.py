"""A TCP proxy on 127.0.0.1 that a test can cut (a network partition between one
engine and PostgreSQL) and heal. No tests here."""

from __future__ import annotations

import contextlib
import socket
import threading


class TcpProxy:
    """Forwards connections on `port` to 127.0.0.1:`target`. `cut` closes every
    connection through it and refuses new ones (nothing listens on `port`); `heal`
    listens on the same port again."""

    def __init__(self, target: int) -> None:
        self.target = target
        self._open: list[socket.socket] = []
        self._guard = threading.Lock()
        self._listener = self._listen(0)
        self.port = self._listener.getsockname()[1]

    def _listen(self, port: int) -> socket.socket:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(64)
        threading.Thread(target=self._accepting, args=(listener,), daemon=True,
                         name="tcp-proxy").start()
        return listener

    def _accepting(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # cut: the listener was closed
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                client.close()
                continue
            with self._guard:
                self._open += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()

    def cut(self) -> None:
        # close() alone leaves a listener blocked in accept() taking connections until it
        # returns; shutdown() wakes it, so nothing gets through from here on
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._guard:
            doomed, self._open = self._open, []
        for sock in doomed:
            _close(sock)

    def heal(self) -> None:
        if self._listener.fileno() == -1:  # cut
            self._listener = self._listen(self.port)

    def close(self) -> None:
        self.cut()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    _close(source)
    _close(sink)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
