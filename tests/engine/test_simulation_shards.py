"""A simulation in parts (`engine.simulation.shards`): the people split over processes
leave what one process leaves — the same summary, the same people with the same steps,
the same outbox — and what would make them differ (a split by count, business records,
people sharing an address) keeps them together."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from engine.cli import main
from engine.model import read_bundle
from engine.resources import resource
from engine.simulation import shards
from engine.simulation.audience import generate, load_spec
from engine.simulation.outcome import SimulationOutcome
from engine.simulation.scenario import JourneyItem, Scenario
from engine.simulation.shards import processes_for, split_people, why_one_process
from engine.store.numbering import classified
from engine.workspace import Workspace

CART = resource("samples", "abandoned_cart.json")
AUDIENCE = json.loads(resource("samples", "abandoned_cart.audience.json").read_text())


def spec_file(folder: Path, people: int, **changes) -> Path:
    path = folder / "spec.json"
    path.write_text(json.dumps({**AUDIENCE, "people": people, **changes}), encoding="utf-8")
    return path


def simulate(capsys, *argv: str) -> dict:
    code = main(["simulate", *argv, "--summary", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def timeline(outcome: SimulationOutcome, person: str) -> list[tuple]:
    """A person's steps as they read, without run numbers (each process numbers apart)."""
    return [(s.at, str(s.what), s.tile_id, s.reason, s.branch, s.until, s.channel)
            for s in outcome.steps_of(person)]


def test_two_processes_leave_what_one_process_leaves(tmp_path, capsys) -> None:
    spec = spec_file(tmp_path, 800)
    one = simulate(capsys, str(CART), "--generate", str(spec), "--keep",
                   str(tmp_path / "one"), "--processes", "1")
    stale = tmp_path / "two" / ".part-1"  # what a killed run would leave
    stale.mkdir(parents=True)
    (stale / "simulation.waymark").write_bytes(b"not a workspace")
    two = simulate(capsys, str(CART), "--generate", str(spec), "--keep",
                   str(tmp_path / "two"), "--processes", "2")
    assert two == one
    assert one["summary"]["tiles"][0]["entered"] > 700
    journey = read_bundle(CART).journey.id
    with (SimulationOutcome.read(tmp_path / "one" / "simulation.waymark", journey) as a,
          SimulationOutcome.read(tmp_path / "two" / "simulation.waymark", journey) as b):
        people = sorted(a.people(), key=lambda p: p.person)
        assert sorted(b.people(), key=lambda p: p.person) == people
        assert len(people) == 800
        for person in [p.person for p in people[::37]]:
            assert timeline(b, person) == timeline(a, person), person
        noon = a.start + timedelta(hours=30)
        assert b.counts_at(noon) == a.counts_at(noon)
        assert sum(a.counts_at(noon).values()) > 0
        assert b.summary() == a.summary()
    with closing(sqlite3.connect(tmp_path / "two" / "simulation.waymark")) as conn:
        for table in ("runs", "events", "steps", "ledger"):  # no placeholder rows left
            assert conn.execute(f"SELECT count(*) FROM {table} WHERE id IN (0, 1000000000)"
                                ).fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM runs WHERE id > 1000000000").fetchone()[0]
    # the second process's part was joined in and its folder is gone; the outboxes match
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == [
        "simulation-outbox", "simulation.waymark"]
    assert (sorted(p.name for p in (tmp_path / "two" / "simulation-outbox").iterdir())
            != sorted(p.name for p in (tmp_path / "one" / "simulation-outbox").iterdir()))
    assert (len(list((tmp_path / "two" / "simulation-outbox").iterdir()))
            == len(list((tmp_path / "one" / "simulation-outbox").iterdir())) > 500)


@pytest.mark.parametrize("processes", ["1", "2"])
def test_kept_without_an_outbox_the_workspace_reads_the_same_and_no_file_is_written(
        tmp_path, capsys, processes) -> None:
    """The studio keeps a simulation's workspace and never opens a message file: for
    20,000 people it wrote 24,000 of them (99 MB), and closing the window waited 1.7 s
    for their removal. `--no-outbox` keeps the workspace alone, reading the same."""
    spec = spec_file(tmp_path, 300)
    full = simulate(capsys, str(CART), "--generate", str(spec), "--keep",
                    str(tmp_path / "full"), "--processes", processes)
    bare = simulate(capsys, str(CART), "--generate", str(spec), "--keep",
                    str(tmp_path / "bare"), "--no-outbox", "--processes", processes)
    assert bare == full and full["summary"]["messages"]["sent"] > 100
    assert len(list((tmp_path / "full" / "simulation-outbox").iterdir())) > 100
    assert sorted(p.name for p in (tmp_path / "bare").iterdir()) == ["simulation.waymark"]
    journey = read_bundle(CART).journey.id
    with (SimulationOutcome.read(tmp_path / "full" / "simulation.waymark", journey) as a,
          SimulationOutcome.read(tmp_path / "bare" / "simulation.waymark", journey) as b):
        assert b.summary() == a.summary() and b.tile_stats() == a.tile_stats()
        assert b.people() == a.people()
        assert b.edges() == a.edges()
        noon = a.start + timedelta(hours=30)
        assert b.counts_at(noon) == a.counts_at(noon)
        for person in [p.person for p in a.people()[::29]]:
            assert timeline(b, person) == timeline(a, person), person


def with_split(folder: Path, mode: str, arms: list[dict]) -> Path:
    """The cart journey with a split tile "fill" before its email."""
    bundle = json.loads(CART.read_text())
    edges = bundle["journey"]["edges"]
    first = next(e for e in edges if e["source"] == "start")
    bundle["journey"]["tiles"].append({"id": "fill", "kind": "split", "mode": mode,
                                       "arms": arms})
    edges += [{"source": "fill", "port": arm["id"], "target": first["target"]}
              for arm in arms]
    first["target"] = "fill"
    path = folder / f"{mode}.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    return path


def test_a_random_split_draws_the_same_arms_in_parts(tmp_path, capsys) -> None:
    """Arms are drawn from the person and their entry time: each process numbers its runs
    differently, and must still send everyone the way one process does."""
    path = with_split(tmp_path, "percent", [{"id": "a", "percent": 30},
                                            {"id": "b", "percent": 70}])
    spec = spec_file(tmp_path, 500)
    one = simulate(capsys, str(path), "--generate", str(spec), "--processes", "1")
    two = simulate(capsys, str(path), "--generate", str(spec), "--processes", "2")
    arms = {e["port"]: e["people"] for e in one["summary"]["edges"] if e["source"] == "fill"}
    assert 100 < arms["a"] < 200 < arms["b"]
    assert two == one


def test_a_summary_in_parts_adds_up_what_only_one_part_saw(tmp_path, capsys) -> None:
    """Without --keep the parts are not joined: each summarises its people and the figures
    are added up. Ann is sent the email, opens it and buys; Bob has no email address, so
    his email is blocked: the block, the goal and the tiles each of them reached are in
    one part only, and the summary must still be the one process's."""
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps({
        "start": "2026-11-23T09:00:00Z", "end": "P5D",
        "contacts": [{"id": "ann", "email": "ann@example.com"}, {"id": "bob"}],
        "events": [
            {"at": "PT1M", "kind": "trigger", "trigger": "abandoned_cart", "person": "ann",
             "attributes": {"cart_total": 80}},
            {"at": "PT2M", "kind": "trigger", "trigger": "abandoned_cart", "person": "bob",
             "attributes": {"cart_total": 90}},
            {"at": "PT3H", "kind": "interaction", "person": "ann", "tile": "email-reminder",
             "interaction": "opened"},
            {"at": "P1D", "kind": "trigger", "trigger": "purchase_completed",
             "person": "ann", "attributes": {"order_id": "SO-1", "order_total": 80}}]}))
    one = simulate(capsys, str(CART), "--scenario", str(scenario), "--processes", "1")
    two = simulate(capsys, str(CART), "--scenario", str(scenario), "--processes", "2")
    assert two == one
    summary = one["summary"]
    assert summary["goal"]["entered"] == 2 and summary["goal"]["met"] == 1
    assert summary["goal"]["share"] == 50.0
    assert [(r["tile"], r["count"]) for r in summary["reasons"]] == [
        ("email-reminder", 1), ("push-reminder", 1), ("sms-reminder", 1)]
    assert summary["messages"]["opened"] == summary["messages"]["sent"] == 1
    tiles = {t["tile"]: t["entered"] for t in summary["tiles"]}
    assert tiles["email-reminder"] == 2 and tiles["sms-reminder"] == 1
    assert {e["target"]: e["people"] for e in summary["edges"]}["sms-reminder"] == 1


def test_more_parts_than_processes_add_up_to_what_one_process_leaves(
        tmp_path, monkeypatch) -> None:
    """A throw-away simulation's processes take their people in parts of PART_PEOPLE, one
    after another (a 50,000-person part was 11 % slower per person than a 5,000 one):
    here 900 people in parts of about 100, ten parts over two processes (five each, not
    nine leaving one process idle while the other runs its fifth). The summary, steps
    and notes are one process's; the progress goes forward and reaches the end at the
    end; no part's workspace is left."""
    bundle = read_bundle(CART)
    spec = spec_file(tmp_path, 900)
    scenario = generate(load_spec(spec.read_bytes(), "spec"), bundle, "spec")
    one, alone, _ = shards.simulate_for_summary(bundle, scenario, None, processes=1)
    monkeypatch.setattr(shards, "PART_PEOPLE", 100)
    made: list[int] = []
    split = shards.split_people
    monkeypatch.setattr(shards, "split_people", lambda scenario, parts, bundle: (
        made.append(parts), split(scenario, parts, bundle))[1])
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seen: list[shards.Progress] = []
    summary, result, reason = shards.simulate_for_summary(bundle, scenario, None,
                                                          processes=2,
                                                          on_progress=seen.append)
    assert made == [10] and reason is None
    assert summary == one and summary["tiles"][0]["entered"] == 900
    assert (result.steps, result.notes) == (alone.steps, alone.notes)
    counted = [p for p in seen if p.stage is None]
    assert len(counted) > 1 and all(a.at <= b.at for a, b in pairwise(counted))
    assert counted[0].at < scenario.end_time() and seen[-1].stage == shards.FINISHING
    assert not list(tmp_path.glob("waymark-sim-*"))  # the parts' folders went


def test_a_throw_away_simulation_gives_every_process_as_many_parts() -> None:
    """Parts of about PART_PEOPLE, a whole number for each process: with 30,000 people
    in three parts on two processes, one ran two while the other waited."""
    assert shards.PART_PEOPLE == 10_000
    assert shards.parts_for(30_000, 2) == 4
    assert shards.parts_for(100_000, 2) == 10
    assert shards.parts_for(10_000, 2) == 2 and shards.parts_for(2_000, 2) == 2
    assert shards.parts_for(100_000, 3) == 12 and shards.parts_for(50_000, 1) == 5


def test_people_who_share_an_address_are_in_the_same_part() -> None:
    cart = read_bundle(CART)
    people = [{"id": f"p{n}", "email": f"p{n}@example.com"} for n in range(40)]
    people[3]["push_token"] = "tok-shared"
    people[9]["consents"] = [{"channel": "email", "status": "opted_out",
                              "contact_point": "p12@example.com"}]
    scenario = Scenario.model_validate({
        "start": "2026-11-23T09:00:00Z", "end": "P2D",
        "contacts": [*people, {"id": "twin", "email": "P7@Example.com"},
                     {"id": "device", "push_token": "tok-shared"}],
        "events": [{"at": f"PT{n}M", "kind": "trigger", "trigger": "abandoned_cart",
                    "person": f"p{n}", "attributes": {"cart_total": 50,
                                                      "order_date": "2026-11-23"}}
                   for n in range(40)]
                  + [{"at": "PT1H", "kind": "trigger", "trigger": "abandoned_cart",
                      "person": "stranger", "attributes": {
                          "cart_total": 50, "contactpoint_phone": "+31 6 1234 5678"}},
                     {"at": "PT2H", "kind": "trigger", "trigger": "abandoned_cart",
                      "person": "p30", "attributes": {
                          "cart_total": 50, "contactpoint_phone": "+31612345678"}}]})
    portions = split_people(scenario, 2, cart)
    assert len(portions) == 2
    assert {len(p.people) for p in portions} <= {20, 21, 22, 23, 24}  # a date joins nobody

    def together(a: str, b: str) -> bool:
        return any(a in p.people and b in p.people for p in portions)

    assert together("p7", "twin")  # the same email, in another case
    assert together("p30", "stranger")  # the same phone number, written differently
    assert together("p3", "device")  # the same push token
    assert together("p9", "p12")  # an opt-out for another person's address
    assert portions == split_people(scenario, 2, cart)  # always split the same way
    assert [p.first_id for p in portions] == [0, 1_000_000_000]
    assert why_one_process(cart, scenario) is None
    paused = scenario.model_copy(update={"events": [
        *scenario.events, JourneyItem.model_validate(
            {"at": "P1D", "kind": "journey", "action": "pause"})]})
    assert "pauses, resumes, stops or publishes" in why_one_process(cart, paused)
    longer = scenario.model_copy(update={"end": "P100D"})
    assert "longer than the trail keeps steps (90 days)" in why_one_process(cart, longer)


def test_more_processes_than_cores_are_not_started(tmp_path, capsys, monkeypatch) -> None:
    """`--processes 64` on this machine: one per core (two on a single core), a note says
    so, the summary is one process's."""
    spec = str(spec_file(tmp_path, 300))
    one = simulate(capsys, str(CART), "--generate", spec, "--processes", "1")
    made: list[int] = []
    split = shards.split_people
    monkeypatch.setattr(shards, "split_people", lambda scenario, parts, bundle: (
        made.append(parts), split(scenario, parts, bundle))[1])
    code = main(["simulate", str(CART), "--generate", spec, "--summary", "--json",
                 "--processes", "64"])
    out, err = capsys.readouterr()
    assert code == 0, err
    most = max(2, len(os.sched_getaffinity(0)))
    assert made == [most] and most < 64
    assert f"note: {most} processes, not 64: the cores this process may use" in err
    assert json.loads(out) == one


def test_a_split_by_count_keeps_the_simulation_in_one_process(tmp_path, capsys) -> None:
    path = with_split(tmp_path, "count", [{"id": "a", "count": 100},
                                          {"id": "b", "count": 100}])
    code = main(["simulate", str(path), "--generate", str(spec_file(tmp_path, 300)),
                 "--summary", "--json", "--processes", "2"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "note: one process: tile fill splits by count" in err
    fill = next(t for t in json.loads(out)["summary"]["tiles"] if t["tile"] == "fill")
    assert fill["entered"] > 200
    assert fill["moved_on"] == 200  # the arms filled with everyone's entries


def test_every_table_of_a_workspace_says_how_parts_join(tmp_path) -> None:
    """A table added to the workspace must be classified in engine/store/numbering.py,
    or a simulation in parts would leave its rows out."""
    with Workspace.open(tmp_path / "w.waymark"):
        pass
    with sqlite3.connect(tmp_path / "w.waymark") as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%'")]
    assert len(tables) > 15
    assert [t for t in tables if not classified(t)] == []


def test_a_part_that_fails_fails_the_simulation_with_its_reason(tmp_path, capsys) -> None:
    people = [f"p{n}" for n in range(2400)]
    scenario = {
        "start": "2026-11-23T09:00:00Z", "end": "P2D",
        "contacts": [{"id": p, "email": f"{p}@example.com", "phone": f"+316{n:08d}"}
                     for n, p in enumerate(people)],
        "events": [{"at": f"PT{n}S", "kind": "trigger", "trigger": "abandoned_cart",
                    "person": p, "attributes": {"cart_total": 50}}
                   for n, p in enumerate(people)]
                  + [{"at": "PT3H", "kind": "segment", "person": "p1",
                      "segment": "no-such-segment", "change": "join"}]}
    path = tmp_path / "broken.scenario.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    code = main(["simulate", str(CART), "--scenario", str(path), "--summary",
                 "--processes", "2"])
    _, err = capsys.readouterr()
    assert code != 0
    assert "no segment 'no-such-segment' in the bundle" in err
    assert not list(tmp_path.glob("**/.part-*"))


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _first_steps(process: subprocess.Popen) -> dict:
    """The first progress line with steps (the parts run): after the stage lines."""
    while True:
        line = process.stderr.readline()
        assert line.startswith('{"progress"'), line
        progress = json.loads(line)["progress"]
        if "steps" in progress:
            return progress


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parts are forked on Linux")
def test_killing_the_simulation_ends_its_parts(tmp_path) -> None:
    """The studio's Cancel kills `waymark simulate`: its parts must not run on."""
    spec = spec_file(tmp_path, 30_000)
    process = subprocess.Popen(
        [sys.executable, "-m", "engine", "simulate", str(CART), "--generate", str(spec),
         "--summary", "--json", "--keep", str(tmp_path / "kept"), "--processes", "2",
         "--progress"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        _first_steps(process)
        parts = _children(process.pid)
        assert len(parts) == 2
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
        deadline = time.monotonic() + 10
        while any(Path(f"/proc/{pid}").exists() and "Z" not in
                  Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
                  for pid in parts) and time.monotonic() < deadline:
            time.sleep(0.1)
        alive = [pid for pid in parts if Path(f"/proc/{pid}").exists()
                 and "Z" not in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1]
                 .split()[0]]
        assert alive == []
    finally:
        if process.poll() is None:
            process.kill()
        process.stderr.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parts are forked on Linux")
def test_a_part_that_dies_fails_the_simulation_and_says_so(tmp_path) -> None:
    """A part killed (out of memory, by hand) ends the simulation with a clear error, not
    a traceback or a wait for ever; the other part is stopped."""
    spec = spec_file(tmp_path, 30_000)
    process = subprocess.Popen(
        [sys.executable, "-m", "engine", "simulate", str(CART), "--generate", str(spec),
         "--summary", "--json", "--processes", "2", "--progress"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        _first_steps(process)
        parts = sorted(_children(process.pid))  # the second part started second
        assert len(parts) == 2
        os.kill(parts[1], signal.SIGKILL)
        _, err = process.communicate(timeout=60)
        assert process.returncode == 2  # as any simulation that fails
        assert "simulation process 2 of 2 ended without an answer (exit code -9)" in err
        assert "Traceback" not in err
        assert not [pid for pid in parts if Path(f"/proc/{pid}").exists()]
    finally:
        if process.poll() is None:
            process.kill()


def test_elsewhere_than_linux_a_simulation_runs_in_one_process(monkeypatch) -> None:
    """Parts are forked; another system runs one process, and says why when asked for
    more (`--processes 2`)."""
    cart = read_bundle(CART)
    scenario = Scenario.model_validate({"start": "2026-11-23T09:00:00Z", "end": "P1D"})
    monkeypatch.setattr(sys, "platform", "darwin")
    assert processes_for(100_000) == 1
    assert why_one_process(cart, scenario) == "parts are forked processes, on Linux only"
