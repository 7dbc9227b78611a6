"""The built-in outbox: every message becomes a file a newcomer can open.

Emails are written as real MIME messages (`.eml`, any mail program opens them); SMS,
push and webhook calls as `.json`. A file is named `<UTC time>_<Message-ID>.<ext>`, the
time being when the message was composed, so names sort by time and sending the same
message again rewrites its one file instead of adding a second.
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

from engine.model import Channel

from ..message import DeliveryChannel, OutgoingMessage
from ..mime import check_mime, mime_bytes
from ..results import DeliveryResult

_UNSAFE_IN_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
KEPT_IN_WORKSPACE = "kept in the workspace (no outbox folder)"
_NAME = re.compile(r"^(?P<stamp>\d{8}T\d{6}\.\d{6}Z)_(?P<key>.+)\.(?P<ext>eml|json)$")


def file_key(message_id: str) -> str:
    """The part of a file name that stands for a Message-ID."""
    return _UNSAFE_IN_NAMES.sub("_", message_id.strip().strip("<>"))


def file_stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")


class OutboxChannel(DeliveryChannel):
    name = "outbox"
    repeat_safe = True

    def __init__(self, folder: str | os.PathLike[str] | None):
        """Without a folder messages stay in the workspace's ledger only (a throw-away
        simulation has no one to open the files)."""
        self.folder = Path(folder) if folder is not None else None
        self._lock = threading.Lock()
        self._names: dict[str, str] | None = None  # file key -> file name, read once

    def send(self, message: OutgoingMessage) -> DeliveryResult:
        ext = "eml" if message.channel == Channel.EMAIL else "json"
        try:
            if self.folder is None:
                # JSON written from a payload read from JSON cannot fail; an email's MIME
                # can be refused, so that is checked although no file is written.
                if ext == "eml":
                    check_mime(message)
                return DeliveryResult.delivered(KEPT_IN_WORKSPACE)
            data = _file_bytes(message)
        except ValueError as error:
            return DeliveryResult.rejected(f"the message cannot be written: {error}")
        try:
            name = self._write(message, ext, data)
        except OSError as error:
            return DeliveryResult.retry(f"cannot write to the outbox {self.folder}: "
                                        f"{error.strerror or error}; will retry")
        return DeliveryResult.delivered(f"stored in the outbox as {name}")

    def _write(self, message: OutgoingMessage, ext: str, data: bytes) -> str:
        key = file_key(message.message_id)
        with self._lock:
            names = self._known_names()
            name = names.get(key) or f"{file_stamp(message.created_at)}_{key}.{ext}"
            try:
                _atomic_write(os.fspath(self.folder), name, data)
            except FileNotFoundError:  # someone emptied the outbox: make it again
                self.folder.mkdir(parents=True, exist_ok=True)
                _atomic_write(os.fspath(self.folder), name, data)
            names[key] = name
        return name

    def _known_names(self) -> dict[str, str]:
        if self._names is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._names = {}
            for entry in os.scandir(self.folder):
                match = _NAME.match(entry.name)
                if match:
                    self._names[match["key"]] = entry.name
        return self._names


def _file_bytes(message: OutgoingMessage) -> bytes:
    if message.channel == Channel.EMAIL:
        return mime_bytes(message)
    return json.dumps(message.to_payload(), indent=2, ensure_ascii=False).encode("utf-8")


def _atomic_write(folder: str, name: str, data: bytes) -> None:
    """Readers see the old file or the new one, never half of one.

    The temporary name is fixed per file and process (writes are serialised by the
    channel's lock): `tempfile.mkstemp` cost a third of each message's delivery, and
    `pathlib` another tenth, so plain strings here.
    """
    path = os.path.join(folder, name)
    temporary = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


# --- reading, for `waymark outbox` and the studio ----------------------------------

@dataclass(frozen=True)
class OutboxEntry:
    path: Path
    written_at: datetime
    message_id: str
    channel: str
    recipient: str
    summary: str  # the subject, or the first words of the text


def read_outbox(folder: str | os.PathLike[str]) -> list[OutboxEntry]:
    """The outbox's messages, oldest first; unreadable files are skipped."""
    root = Path(folder)
    if not root.is_dir():
        return []
    entries = []
    for path in sorted(root.iterdir()):
        match = _NAME.match(path.name)
        if match:
            entry = _read_entry(path, match)
            if entry is not None:
                entries.append(entry)
    return entries


def _read_entry(path: Path, match: re.Match[str]) -> OutboxEntry | None:
    written = datetime.strptime(match["stamp"], "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=UTC)
    try:
        if match["ext"] == "eml":
            mail = message_from_bytes(path.read_bytes(), policy=policy.default)
            return OutboxEntry(path, written, str(mail["Message-ID"]), "email",
                               str(mail["To"]), str(mail["Subject"] or ""))
        data = json.loads(path.read_text("utf-8"))
        parts = data.get("parts", {})
        summary = parts.get("title") or parts.get("text") or parts.get("body") or ""
        return OutboxEntry(path, written, data["message_id"], data["channel"],
                           data["recipient"], " ".join(summary.split())[:80])
    except (OSError, ValueError, KeyError, TypeError):
        return None
