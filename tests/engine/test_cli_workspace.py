"""The CLI on a workspace: import, export, journeys, simulate, serve."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from engine.cli import main
from engine.resources import resource

CART = resource("samples", "abandoned_cart.json")
CART_SCENARIO = resource("samples", "abandoned_cart.scenario.json")


def waymark(*args: str) -> int:
    return main(list(args))


def test_export_import_export_is_byte_identical(tmp_path) -> None:
    first, second = str(tmp_path / "a.waymark"), str(tmp_path / "b.waymark")
    assert waymark("import", str(CART), "--workspace", first) == 0
    assert waymark("export", "abandoned-cart", "--out", str(tmp_path / "1.json"),
                   "--workspace", first) == 0
    assert waymark("import", str(tmp_path / "1.json"), "--workspace", second) == 0
    assert waymark("export", "abandoned-cart", "--out", str(tmp_path / "2.json"),
                   "--workspace", second) == 0
    assert (tmp_path / "1.json").read_bytes() == (tmp_path / "2.json").read_bytes()
    assert (tmp_path / "1.json").read_bytes() == CART.read_bytes()


def test_a_file_that_cannot_be_read_or_written_is_named_without_a_traceback(
        tmp_path, capsys) -> None:
    """`export --out` into a folder that is not there and `contacts import` of a file that
    is not there (or is a folder) printed Python's traceback."""
    workspace = str(tmp_path / "w.waymark")
    assert waymark("import", str(CART), "--workspace", workspace) == 0
    capsys.readouterr()
    for args, said in [
            (["export", "abandoned-cart", "--out", str(tmp_path / "gone" / "x.json")],
             f"error: {tmp_path / 'gone' / 'x.json'}: No such file or directory"),
            (["export", "abandoned-cart", "--out", str(tmp_path)],
             f"error: {tmp_path}: Is a directory"),
            (["contacts", "import", str(tmp_path / "people.csv")],
             f"error: {tmp_path / 'people.csv'}: No such file or directory"),
            (["contacts", "import", str(tmp_path)], f"error: {tmp_path}: Is a directory")]:
        assert waymark(*args, "--workspace", workspace) == 2, args
        assert capsys.readouterr().err.strip() == said


def test_a_bad_bundle_is_refused_and_the_workspace_is_left_as_it_was(tmp_path, capsys) -> None:
    workspace = str(tmp_path / "w.waymark")
    data = json.loads(CART.read_text())
    data["content"][1]["channel"] = "fax"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    assert waymark("import", str(bad), "--workspace", workspace) == 2
    assert "bad.json, at $.content[1].channel" in capsys.readouterr().err
    assert waymark("journeys", "list", "--workspace", workspace) == 0
    assert "no journeys yet" in capsys.readouterr().out


def test_journeys_publish_pause_resume_stop(tmp_path, capsys) -> None:
    workspace = ["--workspace", str(tmp_path / "w.waymark")]
    waymark("import", str(CART), *workspace)
    assert waymark("journeys", "publish", "abandoned-cart", *workspace) == 0
    assert waymark("journeys", "pause", "abandoned-cart", *workspace) == 0
    waymark("journeys", "list", *workspace)
    assert "abandoned-cart  Abandoned cart reminders  paused  1" in capsys.readouterr().out
    assert waymark("journeys", "resume", "abandoned-cart", *workspace) == 0
    assert waymark("journeys", "stop", "abandoned-cart", *workspace) == 0
    assert waymark("journeys", "resume", "abandoned-cart", *workspace) == 2
    assert "has no paused version" in capsys.readouterr().err
    assert waymark("journeys", "publish", "nope", *workspace) == 2
    assert "no journey 'nope'" in capsys.readouterr().err


def test_publish_lists_the_problems_and_exits_1(tmp_path, capsys) -> None:
    data = json.loads(CART.read_text())
    data["content"][0]["status"] = "draft"
    path = tmp_path / "draft.json"
    path.write_text(json.dumps(data))
    assert waymark("import", str(path), "--publish", "--workspace",
                   str(tmp_path / "w.waymark")) == 1
    out = capsys.readouterr().out
    assert "email-reminder: content-not-ready: content 'Initial email reminder' is a draft" in out


def test_the_abandoned_cart_scenario_shows_the_documented_paths(capsys) -> None:
    assert waymark("simulate", str(CART), "--scenario", str(CART_SCENARIO), "--json") == 0
    steps = [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    def path(person: str) -> list[str]:
        return [f"{s['what']} {s['tile']}" + (f":{s['branch']}" if "branch" in s else "")
                for s in steps if s["person"] == person]

    assert path("ann") == ["entered start", "sent email-reminder", "waiting opened-email",
                           "branched opened-email:yes", "completed exit-opened"]
    assert path("bob") == ["entered start", "sent email-reminder", "waiting opened-email",
                           "branched opened-email:no", "sent sms-reminder", "waiting wait-1-day",
                           "sent push-reminder", "completed exit-done"]
    assert path("cat") == ["entered start", "sent email-reminder", "waiting opened-email",
                           "branched opened-email:no", "sent sms-reminder", "waiting wait-1-day",
                           "goal met wait-1-day", "exited wait-1-day"]
    assert path("dan") == ["entry blocked start"]
    assert [s["reason"] for s in steps if s["person"] == "dan"] == ["unmet trigger condition"]


def test_the_readable_timeline_groups_steps_by_person(capsys) -> None:
    assert waymark("simulate", str(CART), "--scenario", str(CART_SCENARIO)) == 0
    out = capsys.readouterr().out
    assert "\nbob\n  Mon 23 Nov 09:00  entered       start (Abandoned cart)\n" in out
    assert "Tue 24 Nov 13:00  exited        wait-1-day (Wait a day): exit trigger: " \
           "Purchase completed" in out


def test_a_scenario_with_errors_is_refused_naming_the_place(tmp_path, capsys) -> None:
    scenario = json.loads(CART_SCENARIO.read_text())
    scenario["events"][2]["at"] = "tomorrow"
    path = tmp_path / "bad.scenario.json"
    path.write_text(json.dumps(scenario))
    assert waymark("simulate", str(CART), "--scenario", str(path)) == 2
    assert "bad.scenario.json, at $.events[2].at: 'tomorrow' is neither" in \
        capsys.readouterr().err


def test_serve_stops_cleanly_and_a_second_engine_is_refused(tmp_path) -> None:
    workspace = str(tmp_path / "w.waymark")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # Port 0: the default port 8765 may be taken on the machine running the tests.
    command = [sys.executable, "-m", "engine", "serve", "--workspace", workspace, "--port", "0"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=env)
    try:
        line = first.stdout.readline()
        assert "Press Ctrl+C to stop" in line, line or first.stderr.read()
        second = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
        assert second.returncode == 2
        assert "another Waymark engine" in second.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        out, _err = first.communicate(timeout=30)
    assert first.returncode == 0
    assert "stopped" in out


def test_serve_stops_with_a_clear_error_when_its_socket_process_dies(tmp_path) -> None:
    """The socket runs in a process of its own; if it is killed the engine says so and
    stops, rather than running on deaf."""
    import psutil

    command = [sys.executable, "-m", "engine", "serve", "--workspace",
               str(tmp_path / "w.waymark"), "--port", "0"]
    serve = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert "Press Ctrl+C to stop" in serve.stdout.readline()
        [socket] = [p for p in psutil.Process(serve.pid).children()  # (not delivery's)
                    if any(c.status == psutil.CONN_LISTEN for c in p.net_connections())]
        socket.kill()
        _out, err = serve.communicate(timeout=30)
    finally:
        if serve.poll() is None:
            serve.kill()
    assert serve.returncode == 1
    assert "ingestion socket's process ended unexpectedly" in err
