"""Which delivery settings are secrets, and where they are kept: the keyring or the workspace.

Secrets are the credentials of outside services (the SMTP password, provider tokens,
webhook secrets, credential-looking HTTP headers) and the workspace's own tracking key.
They are named by their dotted path in the settings' JSON (`smtp.password`,
`webhook.headers.Authorization`). A credential goes into the operating system's keyring
(through the `keyring` library) when a usable one is there, under the service
`waymark/<workspace identity>` and the path as user name; otherwise it stays in the
workspace, and whoever saved it is told. The tracking key always stays in the workspace:
the socket process and a copy of the workspace on another machine need it to check the
links already sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import keyring
import keyring.core
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

log = logging.getLogger("waymark.delivery")

FIXED_SECRETS = ("smtp.password", "sms.twilio.auth_token", "sms.json_http.token",
                 "push.json_http.token", "webhook.secret", "tracking.secret")
HEADER_HOLDERS = ("sms.json_http.headers", "push.json_http.headers", "webhook.headers")
WORKSPACE_ONLY = frozenset({"tracking.secret"})
_CREDENTIAL_WORDS = ("auth", "token", "key", "secret", "signature", "password", "cookie")
MASK = "••••"


class Place:
    KEYRING = "keyring"
    WORKSPACE = "workspace"


def is_credential_header(name: str) -> bool:
    """Header values that carry credentials (Authorization, X-Api-Key...) are secrets."""
    lowered = name.lower()
    return any(word in lowered for word in _CREDENTIAL_WORDS)


def is_secret_path(path: str) -> bool:
    holder, _, name = path.rpartition(".")
    return path in FIXED_SECRETS or (holder in HEADER_HOLDERS and is_credential_header(name))


def secret_paths(data: dict[str, Any]) -> list[str]:
    """Every secret path these settings have a place for (set or not)."""
    paths = list(FIXED_SECRETS)
    for holder in HEADER_HOLDERS:
        headers = get_path(data, holder) or {}
        paths += [f"{holder}.{name}" for name in headers if is_credential_header(name)]
    return paths


def secrets_in(data: dict[str, Any]) -> dict[str, str]:
    """The secrets that have a value, by path."""
    found = {path: get_path(data, path) for path in secret_paths(data)}
    return {path: value for path, value in found.items() if value}


def get_path(data: dict[str, Any], path: str) -> Any:
    """The value at a dotted path of JSON-like data, None where there is none."""
    node: Any = data
    for part in _parts(path):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set a value at a dotted path, making the mappings on the way."""
    *parents, last = _parts(path)
    node = data
    for part in parents:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[last] = value


def _parts(path: str) -> list[str]:
    # Header names may not hold dots, so the part after a header holder is one name.
    for holder in HEADER_HOLDERS:
        if path.startswith(holder + "."):
            return [*holder.split("."), path[len(holder) + 1:]]
    return path.split(".")


def without_secrets(data: dict[str, Any]) -> dict[str, Any]:
    """A copy to show or export: credentials blank, the tracking key left out."""
    copy = _deep_copy(data)
    for path in secret_paths(copy):
        if path in WORKSPACE_ONLY:
            holder, _, name = path.rpartition(".")
            (get_path(copy, holder) or {}).pop(name, None)
        elif get_path(copy, path) is not None:
            set_path(copy, path, "")
    return copy


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _deep_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_deep_copy(item) for item in value]
    return value


# --- the keyring ---------------------------------------------------------------------


def system_keyring() -> KeyringBackend | None:
    """The operating system's keyring, or None when there is no usable one.

    Usable: one keyring calls recommended (priority 1 or more: macOS Keychain, Windows
    Credential Locker, Secret Service, KWallet), or any backend the user named in
    PYTHON_KEYRING_BACKEND or keyring's configuration file — never the fail or null
    backends, and not keyrings.alt's plain-text file picked only because nothing better
    was found.
    """
    try:
        named = keyring.core.load_env() or keyring.core.load_config()
        backend = named or keyring.get_keyring()
        if isinstance(backend, fail.Keyring | null.Keyring):
            return None
        return backend if named is not None or _recommended(backend) else None
    except (RuntimeError, ImportError, keyring.errors.KeyringError) as error:
        log.warning("no usable keyring: %s", error)
        return None


def _recommended(backend: KeyringBackend) -> bool:
    if isinstance(backend, chainer.ChainerBackend):
        return any(keyring.core.recommended(b) for b in backend.backends)
    return keyring.core.recommended(backend)


def keyring_name(backend: KeyringBackend | None) -> str:
    return "none" if backend is None else f"{type(backend).__module__}.{type(backend).__name__}"


class KeyringUnavailable(RuntimeError):
    """The keyring refused to store or read a secret (locked, no daemon)."""


@dataclass
class SecretKeeper:
    """A workspace's secrets in a keyring: service `waymark/<workspace id>`, user = path."""

    backend: KeyringBackend | None
    workspace_id: str

    @classmethod
    def for_workspace(cls, workspace_id: str) -> SecretKeeper:
        return cls(system_keyring(), workspace_id)

    @property
    def service(self) -> str:
        return f"waymark/{self.workspace_id}"

    @property
    def usable(self) -> bool:
        return self.backend is not None

    def get(self, path: str) -> str | None:
        if self.backend is None:
            return None
        try:
            return self.backend.get_password(self.service, path)
        except keyring.errors.KeyringError as error:
            raise KeyringUnavailable(f"the keyring could not read {path}: {error}") from error

    def put(self, path: str, value: str) -> None:
        if self.backend is None:
            raise KeyringUnavailable("there is no usable keyring")
        try:
            self.backend.set_password(self.service, path, value)
        except keyring.errors.KeyringError as error:
            raise KeyringUnavailable(f"the keyring could not store {path}: {error}") from error

    def delete(self, path: str) -> None:
        if self.backend is None:
            return
        try:
            self.backend.delete_password(self.service, path)
        except keyring.errors.PasswordDeleteError:
            pass  # not there: nothing to delete
        except keyring.errors.KeyringError as error:
            log.warning("the keyring could not delete %s: %s", path, error)
