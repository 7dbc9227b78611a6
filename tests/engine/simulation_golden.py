"""`waymark simulate` outputs kept as golden files: the guard that a faster simulator
still simulates the same thing, step for step and count for count.

The files in tests/engine/golden/ were made by the simulator as it was before the bulk
stepping change (commit 3ff3b25), with this module run as a script on that tree:

    git -C /work/main archive 3ff3b25 | tar -x -C /tmp/simbase
    PYTHONPATH=/tmp/simbase python3 tests/engine/simulation_golden.py tests/engine/golden

`test_simulation_golden.py` runs the same cases on the current code and compares.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import sqlite3
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from engine.cli import main
from engine.resources import resource
from engine.simulation.audience import AudienceSpec

GOLDEN = Path(__file__).resolve().parent / "golden"
# (the old tree's spec has no `resolution`: it refuses fields it does not know)
TO_THE_SECOND = ({"resolution": "PT1S"} if "resolution" in AudienceSpec.model_fields
                 else {})
SCENARIOS = ("abandoned_cart", "brew_guide", "case_resolved_survey")


def cases(folder: Path) -> dict[str, list[str]]:
    """name -> the `waymark simulate` arguments (before --json/--summary). Specs that are
    not samples are written into `folder`."""
    runs = {stem: [str(resource("samples", f"{stem}.json")), "--scenario",
                   str(resource("samples", f"{stem}.scenario.json"))] for stem in SCENARIOS}
    cart = str(resource("samples", "abandoned_cart.json"))
    # The old tree drew a generated audience's times to the second; today's draw them on
    # the minute unless the spec says otherwise (its `resolution`), so the spec says so.
    sample = {**json.loads(resource("samples", "abandoned_cart.audience.json").read_text()),
              **TO_THE_SECOND}
    (folder / "audience.json").write_text(json.dumps(sample))
    runs["abandoned_cart.audience"] = [cart, "--generate", str(folder / "audience.json")]
    # The same audience arriving all at once: moments shared by hundreds of people, so
    # batches fill up and go again (the runtime's batches are 500).
    crowd = {**sample, "people": 1200, "period": "PT0S"}
    (folder / "crowd.audience.json").write_text(json.dumps(crowd))
    runs["abandoned_cart.crowd"] = [cart, "--generate", str(folder / "crowd.audience.json")]
    return runs


def simulate(arguments: list[str]) -> str:
    """What `waymark simulate` prints: its output, then its notes (stderr) after a line
    `--- stderr`."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["simulate", *arguments])
    assert code == 0, f"waymark simulate {' '.join(arguments)} exited with {code}"
    return f"{out.getvalue()}--- stderr\n{err.getvalue()}"


def kept(folder: Path) -> str:
    """What a kept simulation workspace holds, as lines: the trail (steps in the order
    stored), the counters, the ledger (without payloads: those carry the workspace's
    random identity in their Message-IDs) and the events. JSON columns are written as
    Python's json writes them (the store's text may be spaced otherwise: the values are
    what must not change)."""
    db = sqlite3.connect(folder / "simulation.waymark")
    try:
        lines = [json.dumps([table, *map(_json_as_before, row)])
                 for table, query in KEPT_TABLES
                 for row in db.execute(query)]
    finally:
        db.close()
    # a Message-ID holds the workspace's random identity: the same in every line
    return WORKSPACE_IDENTITY.sub(".<workspace>@", "\n".join(lines) + "\n")


WORKSPACE_IDENTITY = re.compile(r"\.[0-9a-f]{16}@")


def _json_as_before(cell: object) -> object:
    if isinstance(cell, str) and cell[:1] in ("{", "["):
        try:
            return json.dumps(json.loads(cell))
        except ValueError:
            return cell
    return cell


KEPT_TABLES = (
    ("steps", "SELECT * FROM steps ORDER BY id"),
    ("counters", "SELECT * FROM counters ORDER BY journey_id, version, tile_id, metric, "
                 "reason"),
    ("ledger", "SELECT id, run_id, tile_id, contact_id, channel, contact_point, status, "
               "reason, attempts, sent_at, next_attempt_at, created_at FROM ledger ORDER BY id"),
    ("events", "SELECT id, trigger, contact_id, binding_id, processed_at, outcome FROM events "
               "ORDER BY id"),
    ("runs", "SELECT * FROM runs ORDER BY id"),
    ("goals", "SELECT * FROM goals ORDER BY journey_id, contact_id"),
)


def outputs(folder: Path) -> dict[str, str]:
    """File name -> what `waymark simulate` prints, for every case: the steps (--json)
    and the summary (--summary --json); and what its kept workspace holds."""
    made = {}
    for name, arguments in cases(folder).items():
        keep = folder / f"{name}.kept"
        made[f"{name}.jsonl"] = simulate([*arguments, "--json", "--keep", str(keep)])
        made[f"{name}.kept.jsonl"] = kept(keep)
        made[f"{name}.summary.json"] = simulate([*arguments, "--summary", "--json"])
    return made


# Words changed since the files were made, not what was simulated: a wait for a message's
# interaction names the message as the canvas does, not by its tile's id.
REWORDED = {"for email-reminder opened": "for Initial email reminder opened",
            "for guide-email clicked": "for Email the guide clicked"}


def read_golden(name: str) -> str:
    """A golden file, in today's words (`REWORDED`)."""
    with gzip.open(GOLDEN / f"{name}.gz", "rt", encoding="utf-8") as file:
        text = file.read()
    for before, now in REWORDED.items():
        text = text.replace(before, now)
    return text


def write_golden(target: Path, folder: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name, text in outputs(folder).items():
        # mtime 0: the same output makes the same file
        with gzip.GzipFile(target / f"{name}.gz", "wb", mtime=0) as file:
            file.write(text.encode("utf-8"))


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        write_golden(Path(sys.argv[1]), Path(scratch))
