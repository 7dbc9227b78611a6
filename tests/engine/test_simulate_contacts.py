"""`waymark simulate BUNDLE --contacts [--segment ID] --generate SPEC.json`: the people are
a real workspace's contacts (or a segment's members), copied with their consents into the
throw-away simulation; the live workspace is only read; a segment that does not exist or
an audience of nobody is refused naming the option."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import main
from engine.model import ConsentRecord, Contact, Segment
from engine.resources import resource
from engine.segments_admin import add_members
from engine.workspace import Workspace

BUNDLE = str(resource("samples", "abandoned_cart.json"))
SAMPLE = json.loads(resource("samples", "abandoned_cart.audience.json").read_text())
PEOPLE = [f"c{n}" for n in range(1, 7)]


def fill(location: Path) -> None:
    """Six contacts, all with an email and none with a phone; c2 has opted out of
    commercial email. Segments: vip (static: c1, c3), big (spent 300 or more: c3..c6),
    empty (static, nobody)."""
    with Workspace.open(location) as workspace:
        for n, person in enumerate(PEOPLE, start=1):
            consents = [ConsentRecord(channel="email", status="opted_out")] if n == 2 else []
            workspace.save_contact(Contact(id=person, email=f"{person}@example.com",
                                           attributes={"spent": n * 100}, consents=consents))
        workspace.save_segment(Segment(id="vip", name="VIP", kind="static"))
        workspace.save_segment(Segment(id="empty", name="Nobody yet", kind="static"))
        workspace.save_segment(Segment.model_validate({
            "id": "big", "name": "Big spenders", "condition": {"items": [
                {"source": "contact", "attribute": "spent", "op": "ge", "value": 300}]}}))
        add_members(workspace, "vip", ["c1", "c3"])


@pytest.fixture
def live(tmp_path) -> Path:
    location = tmp_path / "live.waymark"
    fill(location)
    return location


@pytest.fixture
def spec_file(tmp_path) -> Path:
    """Every cart qualifies (100 > 50); the spec's own people (1000) and contact shares
    (everyone with a phone) must not be used."""
    data = copy.deepcopy(SAMPLE)
    data["entry"]["attributes"]["cart_total"] = {"constant": 100}
    data["contacts"] = {"email": 1.0, "phone": 1.0, "push_token": 1.0}
    data["behaviours"] = []
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def steps(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def simulate(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["simulate", BUNDLE, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_workspaces_contacts_are_the_people_and_the_workspace_is_only_read(
        live, spec_file, capsys) -> None:
    before = digest(live)
    code, out, err = simulate(capsys, "--contacts", "--generate", str(spec_file),
                              "--workspace", str(live), "--json")
    assert code == 0, err
    lines = steps(out)
    assert {s["person"] for s in lines if s["what"] == "entered"} == set(PEOPLE)
    email = {s["person"]: s for s in lines if s["tile"] == "email-reminder"}
    assert email["c2"]["what"] == "blocked" and "opted out" in email["c2"]["reason"]
    assert all(email[p]["what"] == "sent" for p in PEOPLE if p != "c2")
    # their own contact points, not the spec's shares: nobody has a phone
    texts = [s for s in lines if s["tile"] == "sms-reminder"]
    assert texts and all(s["what"] == "blocked" and "no phone" in s["reason"] for s in texts)
    assert digest(live) == before
    with Workspace.open(live, create=False) as workspace:
        assert workspace.journeys() == []  # nothing of the simulation reached it


@pytest.mark.parametrize(("segment", "members"), [("vip", {"c1", "c3"}),
                                                  ("big", {"c3", "c4", "c5", "c6"})])
def test_a_segments_members_are_the_people(live, spec_file, capsys, segment,
                                           members) -> None:
    code, out, err = simulate(capsys, "--contacts", "--segment", segment, "--generate",
                              str(spec_file), "--workspace", str(live), "--json")
    assert code == 0, err
    assert {s["person"] for s in steps(out) if s["what"] == "entered"} == members


def test_an_unknown_segment_is_refused_with_the_closest_name(live, spec_file,
                                                             capsys) -> None:
    code, out, err = simulate(capsys, "--contacts", "--segment", "vp", "--generate",
                              str(spec_file), "--workspace", str(live))
    assert code == 2 and out == ""
    assert "--segment vp: no such segment (did you mean vip?)" in err
    assert "big, empty, vip" in err


def test_an_audience_of_nobody_is_refused_naming_the_option(tmp_path, live, spec_file,
                                                            capsys) -> None:
    code, _, err = simulate(capsys, "--contacts", "--segment", "empty", "--generate",
                            str(spec_file), "--workspace", str(live))
    assert code == 2 and "--segment empty: the segment has no members" in err
    empty = tmp_path / "empty.waymark"
    Workspace.open(empty).close()
    code, _, err = simulate(capsys, "--contacts", "--generate", str(spec_file),
                            "--workspace", str(empty))
    assert code == 2 and "--contacts: the workspace has no contacts" in err


def test_contacts_need_a_spec_and_a_workspace_needs_contacts(live, spec_file,
                                                             capsys) -> None:
    code, _, err = simulate(capsys, "--contacts", "--scenario",
                            str(resource("samples", "abandoned_cart.scenario.json")))
    assert code == 2 and "--contacts needs --generate SPEC.json" in err
    code, _, err = simulate(capsys, "--generate", str(spec_file), "--workspace", str(live))
    assert code == 2 and "simulate does not use --workspace" in err


def test_without_workspace_the_default_workspace_is_read(tmp_path, spec_file) -> None:
    data_home = tmp_path / "data"
    (data_home / "waymark").mkdir(parents=True)
    fill(data_home / "waymark" / "default.waymark")
    run = subprocess.run(
        [sys.executable, "-m", "engine", "simulate", BUNDLE, "--contacts", "--segment", "vip",
         "--generate", str(spec_file), "--summary", "--json"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "XDG_DATA_HOME": str(data_home)})
    assert run.returncode == 0, run.stderr
    tiles = json.loads(run.stdout)["summary"]["tiles"]
    assert next(t for t in tiles if t["tile"] == "start")["entered"] == 2


def test_the_bundles_static_segments_keep_their_members_from_the_workspace(
        tmp_path, live, spec_file, capsys) -> None:
    bundle = json.loads(Path(BUNDLE).read_text())
    bundle["segments"] = [{"id": "vip", "name": "VIP", "kind": "static"}]
    bundle["journey"]["start"]["exclusions"] = ["vip"]
    no_vips = tmp_path / "no_vips.json"
    no_vips.write_text(json.dumps(bundle), encoding="utf-8")
    code = main(["simulate", str(no_vips), "--contacts", "--generate", str(spec_file),
                 "--workspace", str(live), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    lines = steps(out)
    assert {s["person"] for s in lines if s["what"] == "entry blocked"} == {"c1", "c3"}
    assert {s["person"] for s in lines if s["what"] == "entered"} == \
        set(PEOPLE) - {"c1", "c3"}


def test_a_scenarios_members_must_be_its_contacts_and_its_segments_the_bundles(
        tmp_path, capsys) -> None:
    scenario = json.loads(resource("samples", "abandoned_cart.scenario.json").read_text())
    path = tmp_path / "members.json"
    path.write_text(json.dumps({**scenario, "members": {"vip": ["nobody"]}}), encoding="utf-8")
    assert main(["simulate", BUNDLE, "--scenario", str(path)]) == 2
    assert "members.vip: no contact 'nobody' in 'contacts'" in capsys.readouterr().err
    person = scenario["contacts"][0]["id"]
    path.write_text(json.dumps({**scenario, "members": {"vip": [person]}}), encoding="utf-8")
    assert main(["simulate", BUNDLE, "--scenario", str(path)]) == 2
    assert "members: no static segment 'vip' in the bundle" in capsys.readouterr().err
