"""Scenario items that pause, resume or stop the journey or publish another version of it.

They run the lifecycle functions `waymark journeys pause|resume|stop|publish` run
(`engine.runtime.lifecycle`, through the workspace), on the simulation's workspace and at
its simulated time: the runtime then holds, releases and ends people by its own rules.
Every publish bundle is read and checked before the simulation starts, so a bad one is
refused before anything runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.catalog_rules import bundle_problems
from engine.model import Bundle, BundleError, DocumentError, read_bundle
from engine.runtime import lifecycle
from engine.runtime.records import StepRecord
from engine.runtime.runtime import Runtime
from engine.store.database import writing
from engine.store.times import iso_z
from engine.validation import has_errors, validate_bundle
from engine.workspace import Workspace

from .scenario import JourneyItem, Scenario


class SimulationError(ValueError):
    """A bundle or scenario the simulation cannot run, naming the place."""


@dataclass(frozen=True)
class Moment:
    """A lifecycle change the simulation went through: one line of the journey's timeline."""

    at: datetime
    journey: str
    version: int
    what: str  # paused | resumed | stopped | published | published, unchanged
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {"time": iso_z(self.at), "journey": self.journey, "version": self.version,
                "lifecycle": self.what, "reason": self.reason}
        return {k: v for k, v in data.items() if v is not None}

    def text(self) -> str:
        """`version 2 published`, `version 1 stopped: journey paused for more than 21 days`"""
        return f"version {self.version} {self.what}" + (f": {self.reason}" if self.reason
                                                         else "")


def publish_bundles(scenario: Scenario, base: Path | None, journey_id: str
                    ) -> dict[int, Bundle]:
    """Each publish item's bundle by the item's index, read from beside the scenario."""
    publishes = sorted((item.time(scenario.start), index, item)  # the first in time first
                       for index, item in enumerate(scenario.events)
                       if isinstance(item, JourneyItem) and item.action == "publish")
    return {index: _checked_bundle(f"events[{index}].bundle", item.bundle, base, journey_id)
            for _, index, item in publishes}


def _checked_bundle(place: str, name: str, base: Path | None, journey_id: str) -> Bundle:
    if base is None:
        raise SimulationError(f"{place}: {name!r} is a path relative to the scenario file, "
                              "and this scenario was given without one")
    try:
        bundle = read_bundle(base / name)
    except DocumentError as error:
        raise SimulationError(f"{place}: {error}") from None
    if bundle.journey.id != journey_id:
        raise SimulationError(f"{place}: {name!r} is a version of journey "
                              f"{bundle.journey.id!r}, not of {journey_id!r}")
    problems = validate_bundle(bundle)
    catalog = [p.line() for p in bundle_problems(bundle)]
    if catalog or has_errors(problems):
        lines = "\n".join([*catalog, *(p.line() for p in problems if p.severity == "error")])
        raise SimulationError(f"{place}: {name!r} cannot be published:\n{lines}")
    return bundle


class JourneyActions:
    """Applies a scenario's journey items; says what changed as `Moment`s."""

    def __init__(self, workspace: Workspace, runtime: Runtime, journey_id: str,
                 bundles: dict[int, Bundle], seed: int,
                 emit: Callable[[list[StepRecord]], None]) -> None:
        self.workspace, self.runtime, self.journey_id = workspace, runtime, journey_id
        self.bundles, self.seed, self.emit = bundles, seed, emit

    def apply(self, index: int, item: JourneyItem) -> list[Moment]:
        try:
            changed = self._act(index, item)
        except lifecycle.LifecycleError as error:
            raise SimulationError(f"events[{index}].action: {error}") from None
        self.runtime.reload_versions()  # held, released and new versions count at once
        now = self.workspace.now()
        return [Moment(now, self.journey_id, version, what) for version, what in changed]

    def _act(self, index: int, item: JourneyItem) -> list[tuple[int, str]]:
        if item.action == "pause":
            return [(self.workspace.pause(self.journey_id), "paused")]
        if item.action == "resume":
            return [(self.workspace.resume(self.journey_id), "resumed")]
        if item.action == "stop":
            return [(version, "stopped") for version in self._stop()]
        return [self._publish(index)]

    def _stop(self) -> list[int]:
        """`Workspace.stop`'s call, also handing the people it ends to the timeline."""
        with writing(self.workspace.db) as conn:
            return lifecycle.stop(conn, self.journey_id, self.workspace.now(),
                                  send_policy=self.runtime.send_policy, emit=self.emit)

    def _publish(self, index: int) -> tuple[int, str]:
        try:  # what the workspace holds by then can refuse it: an attribute live people read
            self.workspace.import_bundle(self.bundles[index], replace=True)
        except BundleError as error:
            raise SimulationError(f"events[{index}].bundle: cannot be imported: "
                                  f"{error.path.removeprefix('$.')}: {error.detail}") from None
        result = self.workspace.publish(self.journey_id, seed=self.seed)
        if not result.published:
            lines = "\n".join(p.line() for p in result.problems if p.severity == "error")
            raise SimulationError(f"events[{index}].bundle: cannot be published:\n{lines}")
        return result.version, "published, unchanged" if result.unchanged else "published"


def stopped_while_paused(before: list[tuple[str, int]], runtime: Runtime
                         ) -> list[tuple[str, int]]:
    """Of the versions paused before a moment, those the runtime stopped in it (a pause
    over 21 days): only housekeeping takes a paused version out of the running ones."""
    return [key for key in before if key not in runtime.versions]


def paused_versions(runtime: Runtime) -> list[tuple[str, int]]:
    return [key for key, version in runtime.versions.items() if version.state == "paused"]
