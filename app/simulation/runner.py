"""Running `waymark simulate` in a separate process, so the studio stays responsive: the
command's progress lines move a bar, Cancel kills it, and its summary and kept workspace
are what the results are read from.

A run owns a throw-away folder (the bundle, the audience spec, the kept simulation
workspace); it goes when the run is cancelled, fails, or its results are left. The live
workspace is never written: the command reads the bundle exported into that folder (and,
for workspace contacts, the workspace file, read-only).

A studio that ends without leaving its results (killed, crashed, the machine's power
gone) cannot remove its folder: a kept simulation of 100,000 people is about 500 MB, and
such folders were found piling up in the temporary folder. So the studio holds a lock
file in each of its folders (`QLockFile`: the process's id, name, host and boot, gone
stale when that process is), and each studio that starts removes the folders whose lock
no running studio holds (`sweep_left_behind`).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QProcess, Signal

from app.simulation.row_notes import grouped
from engine.simulation.outcome import OutcomeError, SimulationOutcome

KEPT = "simulation"  # the folder inside the run's folder that --keep fills
WORKSPACE_FILE = "simulation.waymark"  # what the simulator names its workspace


@dataclass(frozen=True)
class Progress:
    steps: int
    at: str  # simulated time reached, ISO
    done: float  # share of the simulated period
    run: str | None = None  # comparing: "a" (the first of the two runs) or "b"
    work: float | None = None  # the command's estimate of the share of the work done
    stage: str | None = None  # "audience" (being made), "finishing" (steps all taken)

    @property
    def share(self) -> float:
        """Of this run: the work done as estimated, or the simulated period behind it."""
        return self.done if self.work is None else self.work

    @property
    def overall(self) -> float:
        """How far the whole command got: comparing, the two runs are each half of it."""
        if self.run is None:
            return self.share
        return (self.share + (self.run == "b")) / 2


@dataclass(frozen=True)
class Finished:
    workspace_file: Path  # the kept simulation workspace, to read the outcome from
    summary: dict  # `--summary --json`'s "summary" ({} when comparing)
    notes: list[str]  # what the command said on stderr besides progress
    compare: dict | None = None  # with --compare: `--json`'s "compare" (A's is shown)
    end: datetime | None = None  # the simulated period's end (a replay's: past its last)

    @property
    def other_file(self) -> Path:
        """Comparing: B's kept workspace, beside A's (`--keep DIR`: DIR/a and DIR/b)."""
        return self.workspace_file.parent.parent / "b" / WORKSPACE_FILE


FOLDER_PREFIX = "waymark-studio-sim-"
LOCK_FILE = "studio.lock"  # in a run's folder while a running studio has it
UNLOCKED_GRACE_S = 3600  # a folder without a lock: just made, or left by an older Waymark


def new_run_folder() -> tuple[Path, QLockFile]:
    """A new throw-away folder and the lock that says this studio has it: keep the lock
    (it is released when the folder is removed, or when this process ends)."""
    folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
    lock = QLockFile(str(folder / LOCK_FILE))
    lock.setStaleLockTime(0)  # held for as long as the results are shown: never by age
    lock.tryLock(0)  # a new folder: nobody else holds it
    return folder, lock


def sweep_left_behind(temp: Path | None = None) -> list[Path]:
    """Remove the run folders in `temp` (the temporary folder) that no running studio
    holds: their lock's process has ended (or the machine restarted since), or a folder
    without a lock an hour old (from before the lock, or one whose making stopped before
    it was written). Another studio's folders are left alone. Returns those removed."""
    removed = []
    for folder in Path(temp or tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*"):
        try:
            if not folder.is_dir() or folder.is_symlink():
                continue
            lock = QLockFile(str(folder / LOCK_FILE))
            lock.setStaleLockTime(0)
            # a lock file that names no process (empty, unreadable: its studio stopped as
            # it wrote it) is never stale to Qt; it is taken as no lock
            holder = lock.getLockInfo()[0] if (folder / LOCK_FILE).exists() else 0
            if holder:
                if not lock.tryLock(0):
                    continue  # a running studio's
            elif time.time() - folder.stat().st_mtime < UNLOCKED_GRACE_S:
                continue  # perhaps being made this moment
        except OSError:
            continue  # another user's, or gone meanwhile
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def parse_progress(line: str) -> Progress | None:
    """A `--progress` line, or None for anything else (a note, an error, a line that is
    not one: not an object, shares that are not numbers); shares are kept within 0-1."""
    if not line.startswith('{"progress"'):
        return None
    try:
        data = json.loads(line)["progress"]
        if not isinstance(data, dict):
            return None
        run = data.get("run")
        if "stage" in data:
            return Progress(0, "", 0.0, run, stage=str(data["stage"]))
        work = data.get("work")
        return Progress(int(data["steps"]), str(data["at"]), _share(data["done"]), run,
                        None if work is None else _share(work))
    except (ValueError, KeyError, TypeError, OverflowError):
        return None


def _share(value: object) -> float:
    share = float(value)  # ValueError, TypeError: not a number
    if share != share:
        raise ValueError("not a number")
    return min(max(share, 0.0), 1.0)


class SimulationRun(QObject):
    """One `waymark simulate` process. `start(arguments)` with the bundle and audience
    arguments (the run adds --summary --json --keep --no-outbox --progress)."""

    progressed = Signal(object)  # Progress
    finished = Signal(object)  # Finished
    failed = Signal(str, str)  # why, in the command's words; the rest it said, or ""
    cancelled = Signal()

    def __init__(self, parent: QObject | None = None, *, replay: Path | None = None) -> None:
        super().__init__(parent)
        self.folder, self._lock = new_run_folder()
        self.replay = replay  # its refused rows, one line each, are grouped by reason
        self.process = QProcess(self)
        self.process.setProgram(sys.executable)
        self.process.readyReadStandardError.connect(self._read_stderr)
        self.process.finished.connect(self._process_finished)
        self.process.errorOccurred.connect(self._process_error)
        self._partial = b""
        self._said: list[str] = []  # stderr lines that are not progress
        self._cancelling = False

    @property
    def running(self) -> bool:
        return self.process.state() != QProcess.ProcessState.NotRunning

    def command(self, arguments: list[str]) -> list[str]:
        # no outbox: the studio reads no message file (20,000 people wrote 24,000, 99 MB,
        # and closing the window waited 1.7 s for their removal)
        return ["-m", "engine", "simulate", *arguments, "--summary", "--json",
                "--keep", str(self.folder / KEPT), "--no-outbox", "--progress"]

    def start(self, arguments: list[str]) -> None:
        self.process.setArguments(self.command(arguments))
        self.process.start()

    def cancel(self) -> None:
        """Kill the process and remove the folder; `cancelled` once it is gone."""
        if self.running:
            self._cancelling = True
            self.process.kill()
            self.process.waitForFinished(3000)
        self.discard()

    def discard(self) -> None:
        """Remove the throw-away folder (results left, window closed)."""
        self._lock.unlock()  # then the folder: one without a lock is left an hour
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- the process ------------------------------------------------------------------

    def _read_stderr(self) -> None:
        data = self._partial + bytes(self.process.readAllStandardError().data())
        *lines, self._partial = data.split(b"\n")
        latest = None
        for raw in lines:
            line = raw.decode("utf-8", "replace").rstrip("\r")
            progress = parse_progress(line)
            if progress is not None:
                latest = progress
            elif line.strip():
                self._said.append(line)
        if latest is not None:
            self.progressed.emit(latest)

    def _process_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        self._read_stderr()
        if self._partial.strip():
            self._said.append(self._partial.decode("utf-8", "replace"))
        if self._cancelling:
            self.cancelled.emit()
        elif status != QProcess.ExitStatus.NormalExit or code != 0:
            self._fail(*failure(self._notes(), code))
        else:
            self._finish()

    def _finish(self) -> None:
        out = bytes(self.process.readAllStandardOutput().data()).decode("utf-8", "replace")
        try:
            result = json.loads(out)
            compared = result.get("compare")
            summary = {} if compared is not None else result["summary"]
            end = (result.get("period") or {}).get("end")
            end = datetime.fromisoformat(end) if end else None
        except (ValueError, KeyError, TypeError, AttributeError):
            self._fail(f"the simulation's summary could not be read: {out[:200]!r}")
            return
        kept = self.folder / KEPT / ("a" if compared is not None else "")  # --keep DIR/a
        notes = [line.removeprefix("note: ") for line in self._notes()]  # the dock says so
        self.finished.emit(Finished(kept / WORKSPACE_FILE, summary, notes, compared, end))

    def _notes(self) -> list[str]:
        return grouped(self._said, str(self.replay)) if self.replay else self._said

    def _fail(self, why: str, details: str = "") -> None:
        self.discard()
        self.failed.emit(why, details)

    def _process_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._fail(f"the simulation could not start: {self.process.errorString()}")


SHOWN_LINES = 3  # of what else a failed command said, in the message; all in its details


def failure(said: list[str], code: int) -> tuple[str, str]:
    """A failed command's stderr as a message: its errors (their "error: " is the
    dialog's title, "The simulation failed"), the first few other lines (a replay's
    refused rows, FILE:ROW: column X: why), and, when there were more, all of them as the
    message's details."""
    errors = [line.removeprefix("error: ") for line in said if line.startswith("error: ")]
    others = [line for line in said if not line.startswith("error: ")]
    if not errors:
        errors, others = others[-1:], others[:-1]
    why = "\n".join(errors) or f"the simulation stopped (exit code {code})"
    if not others:
        return why, ""
    shown = "\n".join(others[:SHOWN_LINES])
    more = len(others) - SHOWN_LINES
    tail = f"\n… and {more} more lines (Show Details)" if more > 0 else ""
    return f"{why}\n\n{shown}{tail}", "\n".join(others) if more > 0 else ""


class OutcomeReader(QObject):
    """Reads a finished simulation off the GUI thread (for 20,000 people the reading took
    2.5 s here): `read` brings the outcome back, or `failed` why it could not be read."""

    read = Signal(object)  # SimulationOutcome
    failed = Signal(str)

    def start(self, workspace_file: Path, journey_id: str, end: datetime | None) -> None:
        threading.Thread(target=self._read, args=(workspace_file, journey_id, end),
                         name="simulation-outcome", daemon=True).start()

    def _read(self, workspace_file: Path, journey_id: str, end: datetime | None) -> None:
        try:
            outcome = SimulationOutcome.read(workspace_file, journey_id, end)
            outcome.tile_stats()  # warms the workspace's pages for the canvas
            outcome.summary()  # made once and kept by the outcome: the panel's figures
            outcome.people()  # and its people table
        except OutcomeError as error:
            self.failed.emit(str(error))
            return
        self.read.emit(outcome)
