"""`EngineLink`: the only way the studio's views reach a running engine.

The link runs the workspace's engine itself (`EmbeddedEngine`) or, when another process
holds the workspace, watches that one (`ObservedEngine`); views see the same signals
either way. Starting, stopping and firing happen on worker threads; what the engine did
arrives from the poll thread (`Poller` + `StoreProbe`) as a few queued signals per poll.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from engine.cli.fire_cmd import post_event
from engine.ingestion.address import DEFAULT_PORT
from engine.store.lock import engine_holder_at
from engine.workspace import Workspace

from .activity_link import ActivityLink
from .cluster import ClusterView, sockets_to_try
from .journey_watch import JourneyChanges, PeopleQuery, RunningTest
from .outbox_link import OutboxLink
from .poller import Poller
from .probe import EngineFigures, Probe, StoreChanges, StoreProbe
from .sides import EmbeddedEngine, PortInUseError, Side, observe_holder, run_or_observe
from .status import ContactSave, EngineMode, EngineStatus, FireResult, RecordChange
from .test_key import StudioKey

log = logging.getLogger("waymark.studio.link")
FIRE_TIMEOUT = 10.0


@dataclass
class _Session:
    """One engine the link runs or watches, with its own connection to the workspace."""

    workspace: Workspace
    side: Side
    probe: Probe
    poller: Poller | None = None
    told: tuple = ()  # the views' wishes as last told to its probe


class _Relay(QObject):
    """Runs callables posted from any thread on the GUI thread, in order."""

    posted = Signal(object)

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.posted.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def _run(self, fn: Callable[[], None]) -> None:
        fn()


LOOK_AGAIN_MS = 2000


class EngineLink(QObject):
    status_changed = Signal(object)  # EngineStatus
    figures_changed = Signal(object)  # EngineFigures
    tile_counts_changed = Signal(str, object)  # journey id, {version: VersionStats}
    tests_changed = Signal(tuple)  # (RunningTest, ...): the journeys being tested
    people_changed = Signal(object, list)  # PeopleQuery, [PersonAtTile] (watch_people)
    trail_changed = Signal(str, object)  # contact id, PersonTrail (follow_person)
    activity_arrived = Signal(list)  # [ActivityItem], oldest first
    port_in_use = Signal(int, int)  # the port asked for, a free one to offer instead
    start_failed = Signal(str)  # why the engine could not start (port aside)
    engine_lost = Signal(str, bool)  # why; True: it was the studio's own engine
    engine_back = Signal()  # an engine is observed again after the observed one went
    fired = Signal(object)  # FireResult
    cluster_changed = Signal(object)  # ClusterView of a cluster observed, or None

    def __init__(self, parent: QObject | None = None,
                 probe_factory: Callable[[Any], Probe] = StoreProbe) -> None:
        super().__init__(parent)
        self.probe_factory = probe_factory
        self.key = StudioKey()
        self.port = DEFAULT_PORT
        self.figures = EngineFigures()
        self.cluster: ClusterView | None = None  # the cluster observed, as last read
        self.tests: tuple[RunningTest, ...] = ()  # the journeys being tested, as last read
        self._status = EngineStatus()
        self._location: str | None = None
        self._journey_id: str | None = None
        self._version: int | None = None  # whose counts: None for every published one
        self._people: PeopleQuery | None = None
        self._person: str | None = None
        self._session: _Session | None = None  # only ever touched on the worker thread
        self._view: _Session | None = None  # the GUI thread's copy of it
        self._relay = _Relay(self)
        self._tasks = ThreadPoolExecutor(1, "waymark-studio-engine")
        self._requests = ThreadPoolExecutor(2, "waymark-studio-fire")
        self._closed = False
        # After an observed engine went: a look every LOOK_AGAIN_MS for one that came
        # (`waymark serve` started again), observed at once, whatever a dialog waits for.
        self._looking_at: str | None = None
        self._look_pending = False
        self._looks = 0  # which look a session may come from (see `_stop_looking`)
        self._looking = QTimer(self, interval=LOOK_AGAIN_MS)
        self._looking.timeout.connect(self._look_for_engine)
        self.outbox = OutboxLink(self)  # the Outbox dock's part of the link
        self.activity = ActivityLink(self)  # the Activity dock's

    # --- what views read -------------------------------------------------------------

    @property
    def status(self) -> EngineStatus:
        return self._status

    @property
    def base_url(self) -> str | None:
        return self._status.url if self._status.can_fire else None

    @property
    def location(self) -> str | None:
        return self._location

    @property
    def engine(self) -> Side | None:
        """The engine this link runs or watches now (for diagnostics and tests)."""
        return self._view.side if self._view is not None else None

    def watch_journey(self, journey_id: str | None, version: int | None = None) -> None:
        """Send tile counts of this journey (None: of none) from now on: of one version,
        or of every published one."""
        self._journey_id, self._version = journey_id, version
        if self._view is not None:
            self._view.probe.watch(journey_id, version)

    def watch_people(self, query: PeopleQuery | None) -> None:
        """Send this list of people (`people_changed`) whenever it can have changed."""
        self._people = query
        if self._view is not None:
            self._view.probe.watch_people(query)

    def follow_person(self, contact_id: str | None) -> None:
        """Send this person's path (`trail_changed`) whenever it changes."""
        self._person = contact_id
        if self._view is not None:
            self._view.probe.follow(contact_id)

    def wake(self) -> None:
        """Something was just written that the engine should act on now (a page saved a
        contact: business events wait); another process's engine sees it within 2 s."""
        if self._view is not None:
            _wake(self._view)

    def ask(self, work: Callable[[Workspace], Any],
            done: Callable[[Any, BaseException | None], None], wake: bool = False) -> None:
        """Run `work(workspace)` on a worker thread, never the GUI thread, with the
        engine's workspace (or, with no engine, the workspace opened for it); `done(result,
        error)` hears how it went on the GUI thread. `wake`: `work` wrote something the
        engine should act on now (the studio's own engine; another one sees it within
        its two-second heartbeat)."""
        session, location = self._view, self._location
        if self._closed or location is None:
            done(None, RuntimeError("no workspace is open"))
            return

        def run() -> Any:
            if session is None:
                with Workspace.open(location, create=False) as workspace:
                    return work(workspace)
            result = work(session.workspace)
            if wake:
                _wake(session)
            return result

        future = self._requests.submit(run)
        future.add_done_callback(lambda f: self._post(functools.partial(
            _answer, done, f)))

    # --- starting and stopping ---------------------------------------------------------

    def open(self, location: str | None, port: int | None = None, start: bool = True
             ) -> None:
        """Run (or watch) this workspace's engine; the previous one stops first. Without
        `start` the engine stays stopped until `start()`."""
        self._location = location
        self.port = port or self.port
        self._stop_looking()
        if location is not None and start:
            self.start()
        elif self._status.mode != EngineMode.STOPPED:
            self.stop()
        else:
            self.status_changed.emit(self._status)  # another workspace: may start now

    def start(self, port: int | None = None) -> None:
        self._stop_looking()
        if self._closed or self._location is None:
            return
        self.port = port or self.port
        self._view = None  # what the old session still says is old news
        self._set_status(EngineStatus(EngineMode.STARTING, note=f"port {self.port}"))
        self._submit(self._end_session)
        self._submit(functools.partial(self._begin_session, self._location, self.port))

    def stop(self) -> None:
        self._stop_looking()
        if self._closed:
            return
        self._view = None
        self._set_status(EngineStatus(EngineMode.STOPPING, url=self._status.url))
        self._submit(self._end_session,
                     lambda _none: self._set_status(EngineStatus(note="stopped")))

    def close(self, timeout: float = 2.0) -> bool:
        """Stop what this link started and let its threads go (waits up to `timeout`);
        True when everything stopped in time."""
        if self._closed:
            return True
        self._closed = True
        self._stop_looking()
        ending = self._tasks.submit(self._end_session)
        done, _ = wait_for([ending], timeout)
        self._tasks.shutdown(wait=False, cancel_futures=True)
        self._requests.shutdown(wait=False, cancel_futures=True)
        self._view = None
        return bool(done)

    # --- firing ------------------------------------------------------------------------

    def fire(self, trigger: str, body: dict[str, Any]) -> None:
        """POST one event to the engine's socket, off the GUI thread; `fired` answers."""
        session, url = self._view, self.base_url
        if session is None or url is None or self._closed:
            self.fired.emit(FireResult(trigger, body, None, "no engine is running"))
            return

        def send() -> FireResult:
            key = self.key.get(session.workspace.db)
            for base in sockets_to_try(session.side.cluster, url):  # a cluster: any engine
                status, answer = post_event(f"{base}/v1/triggers/{trigger}", key, body,
                                            FIRE_TIMEOUT)
                if not isinstance(answer, ConnectionRefusedError):
                    break
            return FireResult(trigger, body, status, answer)

        future = self._requests.submit(send)
        future.add_done_callback(lambda f: self._post(functools.partial(
            self._fire_done, trigger, body, f)))

    def change_record(self, trigger: str, change: RecordChange | ContactSave) -> None:
        """Change a business record, or save a contact (`ContactSave`), through the
        engine's socket, as an integration would, off the GUI thread; `fired` answers (its
        body is `change.body`).

        A new record is made first, with its person, when the trigger fires on updates:
        the change is then an update, and fires it. For a trigger on records made, the
        record is made with every column; for either, it is changed when it exists and
        made when it does not. A contact is PUT whole."""
        session, url = self._view, self.base_url
        if session is None or url is None or self._closed:
            self.fired.emit(FireResult(trigger, change.body, None, "no engine is running"))
            return

        def send() -> FireResult:
            key = self.key.get(session.workspace.db)
            for base in sockets_to_try(session.side.cluster, url):  # a cluster: any engine
                status, answer = _send_change(base, key, change)
                if not isinstance(answer, ConnectionRefusedError):
                    break
            return FireResult(trigger, change.body, status, answer)

        future = self._requests.submit(send)
        future.add_done_callback(lambda f: self._post(functools.partial(
            self._fire_done, trigger, change.body, f)))

    def _fire_done(self, trigger: str, body: dict[str, Any], future: Future) -> None:
        error = future.exception()
        if error is not None:
            self.fired.emit(FireResult(trigger, body, None, str(error)))
        else:
            self.fired.emit(future.result())

    # --- on the worker thread ------------------------------------------------------------

    def _begin_session(self, location: str, port: int, look: int | None = None
                       ) -> _Session | None:
        """Run or observe the workspace's engine. For a `look` (`_look_for_engine`):
        observe the engine another process runs, or make no session (None) when none
        does or the person has started, stopped or opened something since."""
        if look is not None and look != self._looks:
            return None
        workspace = Workspace.open(location, create=False)
        try:
            side = run_or_observe(workspace, port, self._nudge) if look is None else \
                observe_holder(workspace)
        except BaseException:
            workspace.close()
            raise
        if side is None:
            workspace.close()
            return None
        session = _Session(workspace, side, self.probe_factory(workspace.db))
        self._tell_wishes(session)
        session.poller = Poller(session.probe, self._delivered,
                                functools.partial(self._check, session),
                                functools.partial(self._faulted, session))
        self._session = session
        # The window adopts the session before its first poll's news arrives (both come
        # through the relay, in order): news that came first was dropped, and what is
        # sent only when it changes (counts, a person's path) then never came.
        self._post(functools.partial(self._started, session, back=look is not None))
        session.poller.start()
        return session

    def _end_session(self) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        session.poller.stop()
        try:
            session.side.stop()
            self.key.revoke(session.workspace.db)
        finally:
            session.workspace.close()

    def _nudge(self) -> None:
        session = self._session
        if session is not None and session.poller is not None:
            session.poller.nudge()

    def _check(self, session: _Session) -> str | None:
        fault = session.side.fault()
        if fault is None:
            self._post(functools.partial(self._refresh, session))
        return fault

    def _delivered(self, changes: StoreChanges) -> None:
        self._post(functools.partial(self._deliver, changes))

    def _faulted(self, session: _Session, why: str) -> None:
        self._post(functools.partial(self._lost, session, why))

    # --- back on the GUI thread ------------------------------------------------------

    def _post(self, fn: Callable[[], None]) -> None:
        with contextlib.suppress(RuntimeError):  # the link is gone: nobody to tell
            self._relay.posted.emit(fn)

    def _submit(self, task: Callable[[], Any], done: Callable[[Any], None] | None = None
                ) -> None:
        future = self._tasks.submit(task)
        future.add_done_callback(lambda f: self._post(functools.partial(
            self._task_done, f, done)))

    def _task_done(self, future: Future, done: Callable[[Any], None] | None) -> None:
        error = future.exception()
        if error is None:
            if done is not None:
                done(future.result())
            return
        if isinstance(error, PortInUseError):
            self._set_status(EngineStatus(note=str(error)))
            self.port_in_use.emit(error.port, error.free)
            return
        log.error("the engine could not start or stop: %s", error, exc_info=error)
        self._set_status(EngineStatus(note=f"could not start: {error}"))
        self.start_failed.emit(str(error))

    def _wishes(self) -> tuple:
        return (self._journey_id, self._version, self._people, self._person,
                self.outbox.followed, self.activity.filter, self.activity.generation)

    def _tell_wishes(self, session: _Session) -> None:
        """What the views ask to see, told to a session's probe (once: telling a feed
        again starts it over, and a view would get its rows twice)."""
        wishes = self._wishes()
        if wishes == session.told:
            return
        session.told = wishes
        journey_id, version, people, person, outbox, activity, generation = wishes
        session.probe.watch(journey_id, version)
        session.probe.watch_people(people)
        session.probe.follow(person)
        session.probe.follow_outbox(outbox)
        session.probe.follow_activity(activity, generation)

    def _started(self, session: _Session, back: bool = False) -> None:
        self._view = session
        # Again, on the GUI thread, if a wish changed: a view that asked while the session
        # was being made found none to tell, and the worker may have read its wish before
        # it changed (the Outbox shown as the engine started then stayed empty).
        self._tell_wishes(session)
        self._refresh(session)
        if back:
            # In the same step as the status that shows it: said later (when the task's
            # done callback came through the relay), the status bar kept the word on the
            # engine that went while the button already named the new one.
            self.engine_back.emit()

    def _refresh(self, session: _Session) -> None:
        if session is not self._view or self._closed:
            return
        self._set_status(session.side.status())
        if session.side.cluster != self.cluster:
            self.cluster = session.side.cluster
            self.cluster_changed.emit(self.cluster)

    def _deliver(self, changes: StoreChanges) -> None:
        if self._view is None or self._closed:
            return
        if changes.figures is not None:
            self.figures = changes.figures
            self.figures_changed.emit(changes.figures)
        if changes.tile_counts is not None and changes.journey_id == self._journey_id:
            self.tile_counts_changed.emit(changes.journey_id, changes.tile_counts)
        if changes.activity:
            self.activity_arrived.emit(changes.activity)
        if changes.outbox:
            self.outbox.arrived.emit(changes.outbox)
        if changes.feed:
            self.activity.deliver(changes.feed)
        if changes.journey is not None:
            self._deliver_journey(changes.journey)

    def _deliver_journey(self, changes: JourneyChanges) -> None:
        if changes.tests is not None:
            self.tests = changes.tests
            self.tests_changed.emit(changes.tests)
        if changes.people is not None and changes.people[0] == self._people:
            self.people_changed.emit(*changes.people)
        if changes.trail is not None and changes.trail[0] == self._person:
            self.trail_changed.emit(*changes.trail)

    def _lost(self, session: _Session, why: str) -> None:
        if session is not self._view or self._closed:
            return
        own = isinstance(session.side, EmbeddedEngine)
        self._view = None
        self._submit(self._end_session)
        # The studio's own engine stopping is unexpected; another process's engine may
        # well have been stopped on purpose there (Ctrl+C on `waymark serve`).
        note = f"engine stopped unexpectedly: {why}" if own else why
        self._set_status(EngineStatus(note=note, unexpected=own))
        if not own:
            self._keep_looking(self._location)
        self.engine_lost.emit(why, own)

    def _look_for_engine(self) -> None:
        """While stopped after an observed engine went: is there an engine again?"""
        location = self._looking_at
        if (location is None or location != self._location or self._closed
                or self._status.mode != EngineMode.STOPPED):
            self._stop_looking()
            return
        if self._look_pending:
            return  # the last look is still on its way (a server slow to answer)
        self._look_pending = True
        future = self._requests.submit(engine_holder_at, location)
        future.add_done_callback(lambda f: self._post(functools.partial(
            self._looked, location, f)))

    def _looked(self, location: str, future: Future) -> None:
        self._look_pending = False
        holder = None if future.exception() is not None else future.result()
        if holder is not None and location == self._looking_at \
                and self._status.mode == EngineMode.STOPPED:
            self._stop_looking()
            # Observed, never run here: gone again meanwhile, it is looked for again.
            self._submit(functools.partial(self._begin_session, location, self.port,
                                           look=self._looks),
                         lambda session: self._found(location, session))

    def _found(self, location: str, session: _Session | None) -> None:
        if session is None:
            self._keep_looking(location)

    def _keep_looking(self, location: str | None) -> None:
        """Look for an engine every LOOK_AGAIN_MS while stopped on this workspace."""
        if (location is not None and location == self._location
                and self._status.mode == EngineMode.STOPPED):
            self._looking_at = location
            self._looking.start()

    def _stop_looking(self) -> None:
        """Also when the person starts, stops or opens another workspace: a look on its
        way then makes no session (`_looks`)."""
        self._looking_at = None
        self._looking.stop()
        self._looks += 1

    def _set_status(self, status: EngineStatus) -> None:
        if status != self._status:
            self._status = status
            self.status_changed.emit(status)



def _wake(session: _Session) -> None:
    """The studio's own engine acts on what was just written, and the poll follows."""
    if isinstance(session.side, EmbeddedEngine):
        session.side.host.wake()
    if session.poller is not None:
        session.poller.nudge()


def _answer(done: Callable[[Any, BaseException | None], None], future: Future) -> None:
    error = future.exception()
    done(None if error else future.result(), error)


def _send_change(base: str, key: str, change: RecordChange | ContactSave
                 ) -> tuple[int | None, Any]:
    """The requests of one record change: (status, answer) of the last, or of the first
    refused. A record made by someone else meanwhile (409) is changed all the same."""
    if isinstance(change, ContactSave):
        return post_event(f"{base}/v1/contacts/{quote(change.contact_id, safe='')}", key,
                          change.values, FIRE_TIMEOUT, method="PUT")
    made = f"{base}/v1/records/{quote(change.table, safe='')}"
    changed = f"{made}/{quote(change.record_id, safe='')}"
    if change.make_only:
        return post_event(made, key, change.body, FIRE_TIMEOUT)
    status, answer = post_event(changed, key, change.values, FIRE_TIMEOUT, method="PATCH")
    error = answer.get("error") if isinstance(answer, dict) else None
    if status != 404 or not isinstance(error, dict) or error.get("code") != "missing":
        return status, answer  # changed, refused, or nobody (or not Waymark) answered
    if change.make_first is None:  # either: made with every column, which fires it
        return post_event(made, key, change.body, FIRE_TIMEOUT)
    status, answer = post_event(made, key, {"id": change.record_id, **change.make_first},
                                FIRE_TIMEOUT)
    if status not in (201, 409):
        return status, answer
    return post_event(changed, key, change.values, FIRE_TIMEOUT, method="PATCH")
