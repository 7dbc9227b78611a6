"""A keyring that takes its time, as a system's can: Secret Service starting over D-Bus,
or a locked keyring whose unlock prompt waits for a person. It stands in for the
operating system's keyring (which cannot ask for a password here); name it as a user
names a backend: PYTHON_KEYRING_BACKEND=tests.engine.keyring_support.WaitingKeyring.

Every call (making it, reading, storing, deleting) says it is waiting, then waits for
`gate` and `delay` seconds more. Its entries are kept in the class: keyring makes a new
instance each time it is named.
"""

from __future__ import annotations

import threading
import time

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

BACKEND = "tests.engine.keyring_support.WaitingKeyring"


class WaitingKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]
    # Only when named: keyring's own search (`init_backend`) makes an instance of every
    # viable backend it has seen imported, and one made there waited at a gate a test
    # left held (30 s of a later test's time).
    viable = False
    kept: dict[tuple[str, str], str] = {}
    gate = threading.Event()
    waiting = threading.Event()  # a call is waiting (or has waited) at the gate
    delay = 0.0

    @classmethod
    def reset(cls, delay: float = 0.0) -> None:
        """Empty, open, answering after `delay` seconds."""
        cls.kept.clear()
        cls.waiting.clear()
        cls.delay = delay
        cls.gate.set()

    @classmethod
    def hold(cls) -> None:
        """Every call from now on waits until `gate` is set (its entries stay)."""
        cls.waiting.clear()
        cls.gate.clear()

    def __init__(self) -> None:
        super().__init__()
        self._wait()

    def _wait(self) -> None:
        type(self).waiting.set()
        type(self).gate.wait(30)
        time.sleep(type(self).delay)

    def get_password(self, service: str, username: str) -> str | None:
        self._wait()
        return self.kept.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._wait()
        self.kept[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._wait()
        if self.kept.pop((service, username), None) is None:
            raise PasswordDeleteError(username)
