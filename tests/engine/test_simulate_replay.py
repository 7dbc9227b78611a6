"""`waymark simulate BUNDLE --replay FILE`: a CSV or JSON-lines file of timestamped events
is simulated from its first event to --end past its last; each row that cannot be an
event is reported as FILE:ROW: column X: why and the rest is simulated; a file with no
usable row, or without a person column, is refused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from engine.cli import main
from engine.resources import resource

BUNDLE = str(resource("samples", "abandoned_cart.json"))
SAMPLE = str(resource("samples", "abandoned_cart.replay.csv"))
SAMPLE_MAP = ["--map", "cart_value=cart_total", "--map", "email=person"]


def simulate(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["simulate", BUNDLE, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def summary_of(out: str) -> dict:
    summary = json.loads(out)["summary"]
    summary["tile"] = {t["tile"]: t for t in summary["tiles"]}
    return summary


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_sample_replay_runs_from_its_first_event_to_five_days_after_its_last() -> None:
    run = subprocess.run([sys.executable, "-m", "engine", "simulate", BUNDLE, "--replay",
                          SAMPLE, *SAMPLE_MAP, "--summary"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""  # every row of the sample is good
    assert "Mon 23 Nov 2026 09:12 → Mon 30 Nov 2026 07:30 (UTC)" in run.stdout
    # ten carts, two of them at 50 or less (24.50 and 35.00); two of the people bought
    assert "Abandoned cart                10         8     2" in run.stdout
    assert "goal purchase_completed: 2 of 8" in run.stdout


def test_people_become_contacts_and_end_sets_the_period(capsys) -> None:
    code, out, err = simulate(capsys, "--replay", SAMPLE, *SAMPLE_MAP, "--end", "P1D",
                              "--json")
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[0]["time"] == "2026-11-23T09:12:00Z" and lines[0]["person"] == "ann@example.com"
    assert max(line["time"] for line in lines) <= "2026-11-26T07:30:00Z"
    sms = {line["person"]: line for line in lines if line["tile"] == "sms-reminder"}
    # the person is the email address; the phone column gives the phone
    assert sms["eve@example.com"]["what"] == "sent"
    assert sms["dan@example.com"]["what"] == "blocked"


BAD_CSV = """\
event,email,occurred_at,cart_value,coupon,order_id
abandoned_cart,ann@example.com,2026-11-23T09:00:00Z,120,,
abandoned_kart,bob@example.com,2026-11-23T09:10:00Z,120,,
abandoned_cart,cat@example.com,2026-11-23T09:20:00Z,lots,,
abandoned_cart,dan@example.com,,120,,
abandoned_cart,eve@example.com,yesterday,120,,
abandoned_cart,fay@example.com,2026-11-23T09:50:00,120,,
abandoned_cart,,2026-11-23T10:00:00Z,120,,
abandoned_cart,gus@example.com,2026-11-23T10:10:00Z,120,SAVE10,
abandoned_cart,hal@example.com,2026-11-23T10:20:00Z
purchase_completed,ivy@example.com,2026-11-23T10:30:00Z,,,
abandoned_cart,jon@example.com,2026-11-23T10:40:00Z,99,,
"""


def test_each_bad_row_is_reported_by_row_and_column_and_the_rest_is_simulated(
        tmp_path, capsys) -> None:
    path = write(tmp_path, "carts.csv", BAD_CSV)
    code, out, err = simulate(capsys, "--replay", str(path), *SAMPLE_MAP, "--summary",
                              "--json")
    assert code == 0, err
    refused = err.splitlines()
    expected = [
        "3: column event: no trigger 'abandoned_kart' in the bundle (did you mean "
        "abandoned_cart?)",
        "4: column cart_value: expected a number",
        "5: column occurred_at: empty: every event needs a time",
        "6: column occurred_at: 'yesterday' is not an ISO 8601 date-time",
        "7: column occurred_at: '2026-11-23T09:50:00' has no time zone",
        "8: column email: empty: every event needs a person",
        "9: column coupon: trigger abandoned_cart has no attribute 'coupon'",
        "10: 3 values where the header has 6 columns",
        "11: column order_id: required by trigger purchase_completed, and the row has none",
    ]
    for line, want in zip(refused, expected, strict=False):
        assert line.startswith(f"{path}:{want}"), (line, want)
    assert refused[len(expected)] == f"{path}: 2 events replayed, 9 rows refused"
    assert summary_of(out)["tile"]["start"]["entered"] == 2  # ann and jon


def test_a_bad_phone_is_refused_with_its_value(tmp_path, capsys) -> None:
    path = write(tmp_path, "carts.csv", "event,email,occurred_at,cart_value,phone\n"
                 "abandoned_cart,ann@example.com,2026-11-23T09:00:00Z,120,+31612345001\n"
                 "abandoned_cart,bob@example.com,2026-11-23T09:10:00Z,120,call me\n")
    code, _out, err = simulate(capsys, "--replay", str(path), *SAMPLE_MAP, "--summary",
                               "--json")
    assert code == 0, err
    assert f"{path}:3: column phone: 'call me' is not a phone number" in err
    assert f"{path}: 1 event replayed, 1 row refused" in err


def test_a_time_at_the_calendars_ends_is_refused_by_row_and_an_end_past_9000(
        tmp_path, capsys) -> None:
    """Hostile input: a row on 0001-01-01 became the simulation's start, which ended in a
    traceback; a simulated clock runs from 1970 to 9000, and rows outside are refused."""
    path = write(tmp_path, "carts.csv", "event,email,occurred_at,cart_value\n"
                 "abandoned_cart,ann@example.com,0001-01-01T00:00:00+14:00,120\n"
                 "abandoned_cart,bob@example.com,9999-12-31T00:00:00Z,120\n"
                 "abandoned_cart,cat@example.com,2026-11-23T09:10:00Z,120\n")
    code, out, err = simulate(capsys, "--replay", str(path), *SAMPLE_MAP, "--summary",
                              "--json")
    assert code == 0, err
    for row, text in ((2, "0001-01-01T00:00:00+14:00"), (3, "9999-12-31T00:00:00Z")):
        assert (f"{path}:{row}: column occurred_at: {text!r} is not between 1970-01-01 and "
                "9000-01-01 (UTC), where a simulated clock runs") in err
    assert f"{path}: 1 event replayed, 2 rows refused" in err
    assert summary_of(out)["tile"]["start"]["entered"] == 1
    late = write(tmp_path, "late.csv", "event,email,occurred_at,cart_value\n"
                 "abandoned_cart,ann@example.com,8999-12-31T00:00:00Z,120\n")
    code, out, err = simulate(capsys, "--replay", str(late), *SAMPLE_MAP, "--summary")
    assert (code, out) == (2, "") and "Traceback" not in err
    assert ("--end P5D: the simulation would end after 9000-01-01 (UTC), the latest a "
            "simulated clock runs to") in err


def test_a_json_lines_file_is_replayed_with_fields_named(tmp_path, capsys) -> None:
    lines = [
        {"trigger": "abandoned_cart", "person": "p1", "time": "2026-11-23T09:00:00Z",
         "attributes": {"cart_total": 80, "currency": "€"}},
        {"trigger": "abandoned_cart", "person": "p2", "time": "2026-11-23T09:05:00+01:00",
         "cart_total": "90", "phone": "+31612345678"},  # text read as the type, as in CSV
        {"trigger": "abandoned_cart", "person": "p3", "time": "2026-11-23T09:10:00Z",
         "attributes": {"cart_total": "lots"}},
        {"trigger": "abandoned_cart", "time": "2026-11-23T09:15:00Z", "cart_total": 70},
    ]
    text = "\n".join(json.dumps(line) for line in lines) + "\n{not json\n"
    path = write(tmp_path, "events.jsonl", text)
    code, out, err = simulate(capsys, "--replay", str(path), "--summary", "--json")
    assert code == 0, err
    refused = err.splitlines()
    assert refused[0].startswith(f"{path}:3: field attributes.cart_total: expected a number")
    assert refused[0].endswith("got 'lots'")
    assert refused[1] == f"{path}:4: field person: empty: every event needs a person"
    assert refused[2].startswith(f"{path}:5: not JSON")
    assert summary_of(out)["tile"]["start"]["entered"] == 2


def test_a_file_with_no_usable_row_is_refused_after_its_report(tmp_path, capsys) -> None:
    path = write(tmp_path, "bad.csv", "trigger,person,time,cart_total\n"
                                      "abandoned_kart,p1,2026-11-23T09:00:00Z,80\n"
                                      "abandoned_cart,p2,soon,80\n")
    code, out, err = simulate(capsys, "--replay", str(path))
    assert code == 2 and out == ""
    assert f"{path}:2: column trigger: no trigger 'abandoned_kart'" in err
    assert f"{path}:3: column time: 'soon' is not an ISO 8601 date-time" in err
    assert f"error: {path}: no usable row (2 refused)" in err


def test_a_person_column_that_does_not_exist_is_refused_naming_it(capsys) -> None:
    code, _, err = simulate(capsys, "--replay", SAMPLE, "--map", "customer=person")
    assert code == 2
    assert "--map customer=…: there is no column 'customer' (the columns: event, email" in err
    code, _, err = simulate(capsys, "--replay", SAMPLE)  # email is the contact's, not a person
    assert code == 2 and "no column holds the person: name it with --map COLUMN=person" in err


def test_map_and_end_go_with_replay(capsys) -> None:
    code, _, err = simulate(capsys, "--scenario",
                            str(resource("samples", "abandoned_cart.scenario.json")),
                            "--map", "a=b")
    assert code == 2 and "--map goes with --replay FILE" in err
    code, _, err = simulate(capsys, "--replay", SAMPLE, *SAMPLE_MAP, "--end", "soon")
    assert code == 2 and "--end soon:" in err


def test_no_outbox_goes_with_keep(capsys) -> None:
    """Without --keep nothing is written anyway: the option would say nothing."""
    code, _, err = simulate(capsys, "--replay", SAMPLE, *SAMPLE_MAP, "--no-outbox")
    assert code == 2 and "--no-outbox goes with --keep DIR" in err


CASES_CSV = """\
trigger,person,time,status,satisfaction,mood
support_case_status_updated,carla@example.com,2026-11-23T09:00:00Z,Active,,
support_case_status_updated,dev@example.com,2026-11-23T09:30:00Z,Resolved,5,
support_case_status_updated,carla@example.com,2026-11-23T14:00:00Z,Resolved,2,
support_case_status_updated,eve@example.com,2026-11-23T15:00:00Z,Resolved,4,calm
"""


def test_a_record_triggers_rows_are_changes_to_the_record_about_the_person(tmp_path,
                                                                           capsys) -> None:
    """An export of support cases' status changes replayed through the case survey: each
    row changes the case about its person, which fires the trigger; the columns are the
    case's (a column it does not have is refused naming it). Before, each row was a trigger
    event with no case: everyone stopped at the entry."""
    path = write(tmp_path, "cases.csv", CASES_CSV)
    code = main(["simulate", str(resource("samples", "case_resolved_survey.json")),
                 "--replay", str(path), "--summary", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err.splitlines()[0] == (f"{path}:5: column mood: a case record has no column "
                                   "'mood' (its columns: title, status, priority, "
                                   "satisfaction, resolved_at)")
    tiles = summary_of(out)["tile"]
    start = tiles["start"]
    # carla's case went Active (not resolved: stopped), then Resolved; dev's Resolved
    assert start["entered"] == 3 and start["moved_on"] == 2, start
    assert start["left"] == {"unmet trigger condition": 1}


def test_an_exports_own_names_for_the_time_and_the_person_are_found(capsys, tmp_path) -> None:
    """`when`, `created_at` or `datetime` is the time, `user_id` the person, as `time`
    and `person` are: a shop's export needs no mapping for them."""
    path = write(tmp_path, "export.csv", "when,event,user_id,email,cart_total\n"
                                         "2026-11-23T09:00:00Z,abandoned_cart,u1,u1@x.example,80\n"
                                         "2026-11-23T10:00:00Z,abandoned_cart,u2,u2@x.example,90\n")
    code, out, err = simulate(capsys, "--replay", str(path), "--summary", "--json")
    assert code == 0, err
    assert summary_of(out)["tile"]["start"]["entered"] == 2
    # from the first event to five days past the last (the studio's time slider ends there)
    assert json.loads(out)["period"] == {"start": "2026-11-23T09:00:00Z",
                                         "end": "2026-11-28T10:00:00Z"}


def test_the_header_of_a_big_replay_file_is_read_alone(tmp_path) -> None:
    """The studio shows and checks a file's columns while a person maps them: from its
    first line, however big the file (here 30 MB, its rows past the first read never)."""
    from engine.simulation.replay import columns_of, header_of, role_problems

    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as file:
        file.write("created_at,event,customer,email,total\n")
        file.write("2026-11-23T09:00:00Z,abandoned_cart,c1,c1@x.example,80\n" * 600_000)
    assert path.stat().st_size > 30_000_000
    header = header_of(path)
    assert header == ["created_at", "event", "customer", "email", "total"]
    assert role_problems(columns_of(header, {})) == [("person", [])]
    assert role_problems(columns_of(header, {"customer": "person"})) == []
    assert role_problems(columns_of(header, {"customer": "person", "email": "person"})) \
        == [("person", ["customer", "email"])]
    assert header_of(write(tmp_path, "events.jsonl", '{"trigger": "abandoned_cart"}\n')) \
        is None  # each line names its own fields
    # a spreadsheet's UTF-16 export past the first 64 KB read: the cut fell inside a
    # character and the studio refused a file the command reads ("row 747: byte 65,480
    # … is not utf-16 text"); UTF-8 with accents, cut the same way, read as cp1252
    text = "when,event,Größe,customer\n" + "2026-11-23T09:00:00Z,abandoned_cart,é,c1\n" * 3000
    for encoding in ("utf-16", "utf-8"):
        exported = tmp_path / f"export-{encoding}.csv"
        exported.write_bytes(text.encode(encoding))
        assert exported.stat().st_size > 65_536
        assert header_of(exported) == ["when", "event", "Größe", "customer"], encoding


SHOP_CSV = """\
when,event,customer,email,total,order
2026-11-23T09:00:00Z,abandoned_cart,c1,c1@x.example,80,
2026-11-23T12:00:00Z,purchase_completed,c1,c1@x.example,79,O-1
2026-11-23T10:00:00Z,abandoned_cart,c2,c2@x.example,90,
"""


def test_one_column_can_be_each_triggers_own_attribute(capsys, tmp_path) -> None:
    """A shop's export has one `total` for carts and purchases: mapped to one attribute,
    each purchase was refused; mapped to both, each row's value goes to the one its
    trigger has, and the purchase reaches the goal."""
    path = write(tmp_path, "shop.csv", SHOP_CSV)
    people = ["--replay", str(path), "--map", "customer=person", "--map", "order=order_id"]
    code, out, err = simulate(capsys, *people, "--map", "total=cart_total", "--summary",
                              "--json")
    assert code == 0, err
    assert err.splitlines()[0] == (
        f"{path}:3: column total: trigger purchase_completed has no attribute 'cart_total' "
        "(if it is order_total on purchase_completed rows, map "
        "total=cart_total/order_total) (its attributes: order_id, order_total, currency)")
    assert summary_of(out)["goal"]["reached"] == 0
    code, out, err = simulate(capsys, *people, "--map", "total=cart_total / order_total",
                              "--summary", "--json")
    assert code == 0, err
    assert err == ""
    summary = summary_of(out)
    assert summary["tile"]["start"]["entered"] == 2 and summary["goal"]["reached"] == 1
    from engine.model import read_bundle
    from engine.simulation.replay import load_replay

    mapping = {"customer": "person", "order": "order_id", "total": "cart_total/order_total"}
    events = load_replay(path, read_bundle(BUNDLE), mapping).scenario.events
    assert [(e.trigger, e.attributes) for e in events] == [
        ("abandoned_cart", {"cart_total": 80}), ("abandoned_cart", {"cart_total": 90}),
        ("purchase_completed", {"order_total": 79, "order_id": "O-1"})]
    # JSON lines nest them too; the names are read as in a CSV's mapping, spaces and all
    lines = write(tmp_path, "shop.jsonl", "".join(json.dumps(line) + "\n" for line in (
        {"time": "2026-11-23T09:00:00Z", "trigger": "abandoned_cart", "person": "c1",
         "attributes": {"total": 80}},
        {"time": "2026-11-23T12:00:00Z", "trigger": "purchase_completed", "person": "c1",
         "attributes": {"total": 79, "order_id": "O-1"}})))
    events = load_replay(lines, read_bundle(BUNDLE),
                         {"total": "cart_total / order_total"}).scenario.events
    assert [e.attributes for e in events] == [{"cart_total": 80},
                                              {"order_total": 79, "order_id": "O-1"}]

def test_a_column_mapped_to_several_names_must_map_it_to_attributes(capsys,
                                                                     tmp_path) -> None:
    path = write(tmp_path, "shop.csv", SHOP_CSV)
    for to, what in (("cart_total/person", "the person"), ("cart_total/", "an empty name"),
                     ("cart_total/skip", "skip")):
        code, out, err = simulate(capsys, "--replay", str(path), "--map", "customer=person",
                                  "--map", f"total={to}", "--summary")
        assert code == 2 and out == ""
        assert err.strip() == (
            f"error: {path}: --map total={to}: a column can be one of several attributes "
            f"(total=cart_total/order_total: the one each row's trigger has), not {what}")


def test_problems_says_how_many_refused_rows_are_printed(capsys, tmp_path) -> None:
    """Fifty by default, then how many more; `--problems 0` prints every one (the studio
    asks for them all, to group them by reason)."""
    path = write(tmp_path, "bad.csv", "when,event,customer,total\n" + "".join(
        f"2026-11-23T09:00:00Z,abandoned_cart,c{n},{'lots' if n % 2 else 80}\n"
        for n in range(140)))
    people = ["--replay", str(path), "--map", "customer=person", "--map", "total=cart_total",
              "--summary"]
    for asked, printed in (([], 50), (["--problems", "5"], 5), (["--problems", "0"], 70)):
        code, _, err = simulate(capsys, *people, *asked)
        assert code == 0, err
        rows = [line for line in err.splitlines() if ": column total: " in line]
        assert len(rows) == printed
        more = f"{path}: … and {70 - printed} more rows refused"
        assert (more in err) is (printed < 70)
        assert f"{path}: 70 events replayed, 70 rows refused" in err
    code, _, err = simulate(capsys, *people, "--problems", "-1")
    assert code == 2 and "--problems takes a count of rows: 0 (all of them) or more" in err
    code, _, err = simulate(capsys, "--scenario",
                            str(resource("samples", "abandoned_cart.scenario.json")),
                            "--problems", "0")
    assert code == 2 and "--problems goes with --replay FILE" in err

