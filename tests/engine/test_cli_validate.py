"""`waymark validate`: lines per problem and the exit status scripts rely on."""

from __future__ import annotations

import json
import subprocess
import sys

from engine.cli import main
from engine.resources import resource

CART = resource("samples", "abandoned_cart.json")


def write_edited(tmp_path, edit) -> str:
    data = json.loads(CART.read_text())
    edit(data)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(data, indent=2))
    return str(path)


def test_a_clean_bundle_exits_0(capsys) -> None:
    assert main(["validate", str(CART)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "no problems" in err


def test_errors_print_one_line_each_and_exit_1(tmp_path, capsys) -> None:
    def break_it(d):
        d["journey"]["edges"] = [e for e in d["journey"]["edges"] if e["source"] != "wait-1-day"]
        d["content"][0]["status"] = "draft"

    assert main(["validate", write_edited(tmp_path, break_it)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert ("wait-1-day: no-successor: this tile leads nowhere: connect it to the next step "
            "or an exit") in lines
    assert "push-reminder: unreachable: no path from the entry reaches this tile" in lines
    assert any(line.startswith("email-reminder: content-not-ready:") for line in lines)


def test_what_an_import_would_refuse_is_listed_too(tmp_path, capsys) -> None:
    """`validate` said "no problems" of bundles `import` refuses: a table with an `id`
    column, a built-in trigger or contact attribute redefined."""
    def break_it(d):
        d["record_tables"] = [{"name": "ticket", "person_columns": ["who"], "columns": [
            {"name": "who", "type": "text"}, {"name": "id", "type": "text"}]}]
        d["triggers"].append({"name": "email_opened", "title": "Opened"})
        d["contact_attributes"] = [{"name": "email", "type": "number"}]

    assert main(["validate", "--design", write_edited(tmp_path, break_it)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "record_tables[0].columns[1].name: catalog: 'id' is the record's own id (in its "
        "address), not a column: name it otherwise",
        "triggers[2].name: catalog: 'email_opened' is built in (raised by Waymark): a bundle "
        "cannot define it",
        "contact_attributes[0].type: catalog: 'email' is a built-in contact attribute, text: "
        "a bundle cannot redefine it"]
    assert "3 error(s), 0 warning(s)" in err


def test_design_only_skips_publish_checks(tmp_path) -> None:
    path = write_edited(tmp_path, lambda d: d["content"][0].update(status="draft"))
    assert main(["validate", path]) == 1
    assert main(["validate", "--design", path]) == 0


def test_not_json_exits_2_naming_the_line(tmp_path, capsys) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "schema_version": 1,\n  "journey": {\n}}}')
    assert main(["validate", str(path)]) == 2
    assert f"{path}, line 4: not valid JSON" in capsys.readouterr().err


def test_an_invalid_bundle_exits_2_naming_the_json_path(tmp_path, capsys) -> None:
    path = write_edited(tmp_path, lambda d: d["journey"]["tiles"][4].update(kind="carrier-pigeon"))
    assert main(["validate", path]) == 2
    err = capsys.readouterr().err
    assert "at $.journey.tiles[4].kind" in err
    assert "Traceback" not in err


def test_a_missing_file_exits_2(capsys) -> None:
    assert main(["validate", "/nonexistent/journey.json"]) == 2
    assert "cannot read the file" in capsys.readouterr().err


def test_the_installed_command_runs_headless() -> None:
    result = subprocess.run([sys.executable, "-m", "engine", "validate", str(CART)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
