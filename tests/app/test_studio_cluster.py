"""The studio on a workspace a cluster serves: it observes the cluster (the status bar
names it with its engines, partitions and events/s, a popup lists the engines as
`waymark cluster status` does), follows an engine stopping, fires test triggers through
one engine's socket (another's once that one goes), and runs no engine of its own.

Real parts: the tests' private PostgreSQL server, two `waymark serve --cluster`
processes, the studio window offscreen.
"""

from __future__ import annotations

import re
import time

from PySide6.QtCore import Qt

from app.engine_link import EngineMode
from engine.cluster.partitions import LEASE_SECONDS
from engine.model import read_bundle
from engine.resources import resource
from engine.workspace import Workspace
from tests.app.docks_support import shoot_widget
from tests.app.studio_engine_support import wait_for_mode
from tests.app.test_activity_dock import cart, kinds_of, show_activity
from tests.app.test_outbox_dock import show_outbox
from tests.app.test_studio_engine import studio  # noqa: F401 (fixture)
from tests.engine import test_postgres
from tests.engine.serve_support import wait_until
from tests.engine.test_cluster_serve import engine, rows, shared_by

server_url, database = test_postgres.server_url, test_postgres.database  # the private server
FOLLOWS_WITHIN = 5000  # ms: the studio reads the cluster every 2 s


def publish_cart_sample(url: str) -> None:
    with Workspace.open(url) as workspace:
        workspace.import_bundle(read_bundle(resource("samples", "abandoned_cart.json")))
        assert workspace.publish("abandoned-cart").published


def observing_a_cluster(qtbot, studio, url: str, engines: int):  # noqa: F811
    """A studio window on the workspace, its status bar naming the cluster."""
    window = studio()
    assert window.session.open_workspace(url)
    wait_for_mode(qtbot, window, EngineMode.OBSERVING)
    wanted = f"Cluster · {engines} engine{'' if engines == 1 else 's'}"
    qtbot.waitUntil(lambda: window.engine_status.button.text() == wanted,
                    timeout=FOLLOWS_WITHIN)
    return window


def fire_and_see_the_run(qtbot, window, person: str) -> str:
    """Fire a cart from the studio; the socket's answer, once the person's run is stored
    and their entry shows in the Activity dock."""
    with qtbot.waitSignal(window.engine.fired, timeout=15000) as fired:
        window.engine.fire("abandoned_cart", cart(person))
    assert fired.args[0].status == 202, fired.args[0].message
    qtbot.waitUntil(lambda: "entered" in kinds_of(window.activity, person), timeout=20000)
    assert rows(window.session.store.location,
                f"SELECT count(*) FROM runs WHERE contact_id = '{person}'")[0][0] == 1
    return fired.args[0].message


def test_the_studio_observes_a_cluster_and_follows_engines_joining_and_leaving(
        qtbot, studio, database, tmp_path, prompts):  # noqa: F811
    publish_cart_sample(database)
    engines = [engine(database, tmp_path, "e1")]
    try:
        window = observing_a_cluster(qtbot, studio, database, 1)
        area = window.engine_status
        assert area.cluster.rate.isVisible() and not area.accepted.isVisible()
        toggle = window.actions_["engine_toggle"]
        assert not toggle.isEnabled() and "waymark serve --cluster" in toggle.statusTip()
        assert toggle.text() == "Stop &engine (run by waymark serve --cluster, 1 engine)"
        assert "stop the cluster's engines to run one here" in toggle.statusTip()
        joined = time.monotonic()
        engines.append(engine(database, tmp_path, "e2"))
        qtbot.waitUntil(lambda: area.button.text() == "Cluster · 2 engines",
                        timeout=FOLLOWS_WITHIN)
        print(f"\nthe status bar said 2 engines {time.monotonic() - joined:.1f} s after the "
              "second one was started")
        wait_until(lambda: shared_by(database, engines), timeout=30)
        qtbot.waitUntil(lambda: area.cluster.partitions.text() == "64/64 partitions",
                        timeout=FOLLOWS_WITHIN)

        qtbot.mouseClick(area.cluster.partitions, Qt.MouseButton.LeftButton)
        popup = area.cluster.popup
        # each engine's row: pid, socket, 32 held and their ranges (which ones the second
        # engine took depends on who let go of which: "32-63", or "0-15, 48-63")
        def shared_in_popup() -> bool:
            text = popup.text.text()
            return popup.isVisible() and "64 of 64 partitions held." in text and all(
                re.search(rf"<td>{e.process.pid}</td><td>[^<]*</td><td>32</td><td>\d", text)
                for e in engines)
        qtbot.waitUntil(shared_in_popup, timeout=FOLLOWS_WITHIN)
        shoot_widget(window.statusBar(), "cluster_status_bar")
        shoot_widget(popup, "cluster_status_popup")
        popup.hide()

        through = window.engine.base_url
        assert through in {e.url for e in engines}
        show_activity(qtbot, window)
        assert "202" in fire_and_see_the_run(qtbot, window, "test-ann")
        # The Outbox shares the Activity's tab: brought forward, it reads what was sent
        # (behind the tab it follows nothing; View used to tick it there, and this test
        # relied on that).
        show_outbox(qtbot, window)
        qtbot.waitUntil(lambda: any(item.contact_id == "test-ann" for item in (
            window.outbox.model.item(r) for r in range(window.outbox.model.rowCount()))),
            timeout=10000)
        show_activity(qtbot, window)  # the entries of the next fires

        fired_at = next(e for e in engines if e.url == through)
        engines.remove(fired_at)
        fired_at.stop()  # leaves the cluster: its partitions go to the other engine
        stopped = time.monotonic()
        qtbot.waitUntil(lambda: area.button.text() == "Cluster · 1 engine",
                        timeout=FOLLOWS_WITHIN)
        print(f"the status bar said 1 engine {time.monotonic() - stopped:.1f} s after the "
              "other stopped")
        assert window.engine.base_url == engines[0].url  # the live engine's socket now
        assert "202" in fire_and_see_the_run(qtbot, window, "test-bo")

        prompts.confirm_answer = False  # not the studio's own engine: the cluster is gone
        engines.pop().stop()
        wait_for_mode(qtbot, window, EngineMode.STOPPED, timeout=FOLLOWS_WITHIN)
        title, text = prompts.asked[-1]
        assert title == "The engine you were watching stopped"
        assert "every engine of the cluster" in text
        assert not area.cluster.partitions.isVisible() and area.accepted.isVisible()
    finally:
        for serve in engines:
            serve.stop()


def test_a_test_trigger_goes_to_another_engine_when_the_studios_one_was_killed(
        qtbot, studio, database, tmp_path):  # noqa: F811
    publish_cart_sample(database)
    engines = [engine(database, tmp_path, "e1"), engine(database, tmp_path, "e2")]
    try:
        window = observing_a_cluster(qtbot, studio, database, 2)
        victim = next(e for e in engines if e.url == window.engine.base_url)
        engines.remove(victim)
        victim.kill()
        killed = time.monotonic()
        with qtbot.waitSignal(window.engine.fired, timeout=15000) as fired:
            window.engine.fire("abandoned_cart", cart("test-cy"))
        assert fired.args[0].status == 202, fired.args[0].message
        # stored once, by the engine still alive (its email's sent and delivered events
        # may be stored beside it by now: only the trigger's are counted)
        assert rows(database, "SELECT count(*) FROM events WHERE contact_id = 'test-cy' "
                    "AND trigger = 'abandoned_cart'")[0][0] == 1
        qtbot.waitUntil(lambda: window.engine_status.button.text() == "Cluster · 1 engine",
                        timeout=int((LEASE_SECONDS + 5) * 1000))
        print(f"\nthe status bar said 1 engine {time.monotonic() - killed:.1f} s after the "
              f"other was killed (its heartbeat counts until {LEASE_SECONDS:g} s)")
        assert window.engine.base_url == engines[0].url
    finally:
        for serve in engines:
            serve.stop()
