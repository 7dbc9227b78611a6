"""The studio with its engine under load: how soon a fired event shows in the window, and
how long the window's event loop ever waits while the engine takes 500 events a second.

Run on demand: `python3 -m pytest tests/perf/test_studio_engine_perf.py -s` (offscreen;
the real window, engine threads and socket; the load from a process of its own).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest
from PySide6.QtCore import QElapsedTimer, QSettings, Qt, QTimer

from app.engine_link import EngineMode
from app.studio import settle_heap_when_running
from tests.engine.delivery_support import free_port
from tests.engine.serve_support import post
from tests.perf.conftest import report
from tests.perf.open_loop import percentile
from tests.perf.test_ingestion_perf import HERE, PEOPLE, bench_workspace

pytestmark = pytest.mark.perf
RATE, LOAD_SECONDS = 500, float(os.environ.get("WAYMARK_PERF_SECONDS", "20"))


@pytest.fixture
def studio(qapp, qtbot, tmp_path):
    """The window on a workspace with the benchmark journey live, its engine running."""
    from app.main_window import MainWindow
    from app.theme import ThemeManager

    path = tmp_path / "bench.waymark"
    key = bench_workspace(path)
    ThemeManager(qapp, "light")
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue("engine/port", free_port())
    window = MainWindow(settings=settings)
    window.resize(1600, 1000)
    window.show()
    settle_heap_when_running(window)  # as `waymark` does
    window.session.open_workspace(path)
    qtbot.waitUntil(lambda: window.engine.status.mode == EngineMode.RUNNING, timeout=30000)
    window.session.open_journey("test-journey", check_saved=False)
    yield window, key
    window.editor.undo_stack.setClean()
    window.close()
    window.session.store.close()


class StallMeter:
    """A 5 ms timer on the GUI thread: how late each tick fires is how long the event
    loop was kept from running."""

    def __init__(self) -> None:
        self.lateness: list[float] = []
        self.clock = QElapsedTimer()
        self.timer = QTimer(interval=5)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.clock.start()
        self._last = 0
        self.timer.start()

    def _tick(self) -> None:
        now = self.clock.nsecsElapsed() / 1e6
        self.lateness.append(max(0.0, now - self._last - 5))
        if self.lateness[-1] > 30:
            print(f"stall {self.lateness[-1]:.0f} ms at {now / 1000:.2f} s", flush=True)
        self._last = now

    def stop(self) -> None:
        self.timer.stop()


def test_time_from_a_fired_event_to_the_window_showing_it(studio, qtbot) -> None:
    window, key = studio
    url = f"{window.engine.base_url}/v1/triggers/cart"
    seen: dict[str, list[tuple[float, int]]] = {"figures": [], "counts": [], "canvas": []}
    window.engine.figures_changed.connect(
        lambda f: seen["figures"].append((time.monotonic(), f.accepted_today)))
    window.engine.tile_counts_changed.connect(lambda _j, counts: seen["counts"].append(
        (time.monotonic(), sum(v.tile("start").inflow for v in counts.values()))))
    # connected after the canvas's own slot: the entry tile's badge already shows it
    window.engine.tile_counts_changed.connect(lambda _j, _c: seen["canvas"].append(
        (time.monotonic(), _badge_number(window, "start", "inflow"))))
    sent: list[float] = []
    events = 40

    def fire() -> None:
        for i in range(events):
            sent.append(time.monotonic())
            assert post(url, key, {"authId": f"p{i}", "attributes": {"cart_total": 1}})[0] \
                == 202
            time.sleep(0.3)

    client = threading.Thread(target=fire)
    client.start()
    qtbot.waitUntil(lambda: not client.is_alive(), timeout=60000)
    qtbot.waitUntil(lambda: window.engine.figures.accepted_today >= events, timeout=10000)
    qtbot.wait(1000)
    figures = _latencies(sent, seen["figures"])
    counts = _latencies(sent, seen["counts"])
    canvas = _latencies(sent, seen["canvas"])
    report("Studio: a fired event (202) until the window shows it", {
        "events": events,
        "status bar p50 ms": percentile(figures, 0.5),
        "status bar p95 ms": percentile(figures, 0.95),
        "status bar max ms": max(figures),
        "tile count p50 ms": percentile(counts, 0.5),
        "tile count p95 ms": percentile(counts, 0.95),
        "tile count max ms": max(counts),
        "canvas badge p50 ms": percentile(canvas, 0.5),
        "canvas badge p95 ms": percentile(canvas, 0.95),
        "canvas badge max ms": max(canvas),
    }, {"status bar p95 ms": "< 500", "tile count p95 ms": "< 500",
        "canvas badge p95 ms": "< 500"})


def _badge_number(window, tile_id: str, metric: str) -> int:
    """The number the canvas shows under a tile (0 while it shows none)."""
    badge = window.scene.overlay.badges.get(tile_id)
    return (badge.value(metric) or 0) if badge is not None else 0


def _latencies(sent: list[float], seen: list[tuple[float, int]]) -> list[float]:
    """For the n-th event: from its sending until the window first showed n or more."""
    result = []
    for n, at in enumerate(sent, start=1):
        shown = next((when for when, value in seen if value >= n), None)
        if shown is not None:
            result.append((shown - at) * 1000)
    return result


def test_longest_gui_stall_while_the_engine_takes_500_events_a_second(studio, qtbot,
                                                                     tmp_path) -> None:
    window, key = studio
    signals = {"figures": 0, "counts": 0}
    window.engine.figures_changed.connect(lambda _f: signals.__setitem__(
        "figures", signals["figures"] + 1))
    window.engine.tile_counts_changed.connect(lambda _j, _c: signals.__setitem__(
        "counts", signals["counts"] + 1))
    meter = StallMeter()
    load = subprocess.Popen([sys.executable, str(HERE / "open_loop.py"),
                             window.engine.base_url, key, "cart", str(RATE), str(LOAD_SECONDS),
                             str(PEOPLE), "studio"], stdout=(tmp_path / "load.json").open("w"))
    meter.start()
    qtbot.waitUntil(lambda: load.poll() is not None, timeout=int(LOAD_SECONDS * 4000 + 60000))
    meter.stop()
    result = json.loads((tmp_path / "load.json").read_text())
    late = meter.lateness
    report(f"Studio: GUI event loop while the engine takes {RATE} events/s for "
           f"{LOAD_SECONDS:g} s", {
               "events accepted": result["statuses"].get("202", 0),
               "socket ack p99 ms": result["p99_ms"],
               "timer ticks": len(late),
               "stall p50 ms": percentile(late, 0.5),
               "stall p99 ms": percentile(late, 0.99),
               "longest stall ms": max(late),
               "stalls over 50 ms": sum(1 for x in late if x > 50),
               "figure signals per s": signals["figures"] / LOAD_SECONDS,
               "count signals per s": signals["counts"] / LOAD_SECONDS,
           }, {"longest stall ms": "< 50"})
    assert result["statuses"].get("202", 0) >= RATE * LOAD_SECONDS * 0.99
