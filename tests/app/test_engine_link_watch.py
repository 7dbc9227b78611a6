"""What the engine link watches for the canvas: one version's counts, sent again only when
they changed; the followed person's path; the journeys being tested; work asked of the
workspace off the GUI thread.

Real parts: a workspace file with the abandoned-cart sample live, the studio's engine
threads and socket on a free port, events fired through it.
"""

from __future__ import annotations

import threading

from app.engine_link import EngineMode
from engine.runtime.version import TestOptions
from tests.app.test_engine_link import CART, link, shop, wait_for_mode  # noqa: F401
from tests.engine.delivery_support import free_port

JOURNEY = "abandoned-cart"


def running(qtbot, link, shop) -> None:  # noqa: F811
    link.open(str(shop), free_port())
    wait_for_mode(qtbot, link, EngineMode.RUNNING)


def test_a_versions_counts_are_sent_again_only_when_they_change(qtbot, link, shop):  # noqa: F811
    sent: list[dict] = []
    link.tile_counts_changed.connect(lambda _journey, counts: sent.append(counts))
    link.watch_journey(JOURNEY, 1)
    running(qtbot, link, shop)
    qtbot.waitUntil(lambda: len(sent) == 1, timeout=5000)
    assert list(sent[0]) == [1]  # the version asked for, and only it
    qtbot.wait(1200)  # several polls: nothing moved, nothing is sent
    assert len(sent) == 1
    link.fire("abandoned_cart", CART)
    qtbot.waitUntil(lambda: sent[-1][1].tile("start").inflow == 1, timeout=10000)
    assert sent[-1][1].tile("opened-email").processing == 1


def test_the_followed_persons_path_comes_when_it_changes(qtbot, link, shop):  # noqa: F811
    trails = []
    link.trail_changed.connect(lambda person, trail: trails.append((person, trail)))
    link.follow_person("ann")
    running(qtbot, link, shop)
    qtbot.waitUntil(lambda: bool(trails), timeout=5000)
    assert trails[0][0] == "ann" and trails[0][1].runs == []  # not in any journey yet
    link.fire("abandoned_cart", CART)
    # at the wait-for, and the email delivered (a step of its own, which may come later)
    qtbot.waitUntil(lambda: bool(trails[-1][1].runs)
                    and trails[-1][1].runs[0].tile_id == "opened-email"
                    and any(step.what == "delivered" for step in trails[-1][1].runs[0].steps),
                    timeout=10000)
    count = len(trails)
    qtbot.wait(1000)
    assert len(trails) == count  # the same path is not sent again
    link.follow_person(None)


def test_work_asked_of_the_workspace_runs_off_the_gui_thread(qtbot, link, shop):  # noqa: F811
    tests = []
    link.tests_changed.connect(tests.append)
    running(qtbot, link, shop)
    answers = []
    link.ask(lambda workspace: (threading.current_thread().name,
                                workspace.start_test(JOURNEY, wait_seconds=5)),
             lambda result, error: answers.append((result, error)), wake=True)
    qtbot.waitUntil(lambda: bool(answers), timeout=10000)
    (thread, started), error = answers[0]
    assert error is None and started.started and thread != threading.main_thread().name
    qtbot.waitUntil(lambda: bool(tests) and [t.journey_id for t in tests[-1]] == [JOURNEY],
                    timeout=5000)
    assert tests[-1][0].options == TestOptions(5, False)
    link.ask(lambda workspace: workspace.stop_test("no-such-journey"),
             lambda result, error: answers.append((result, error)))
    qtbot.waitUntil(lambda: len(answers) == 2, timeout=10000)
    assert "no test running" in str(answers[1][1])  # the refusal comes back as data
