"""Snippets as text: what each language's code carries, and escaping that holds.

Python, curl and JavaScript are run for real in test_snippets_run.py. C#, Swift and
Kotlin have no compiler here: their code is parsed with tree-sitter grammars (when the
grammars are installed), their string literals are decoded by the escape rules each
language documents, and the compile tests skip saying which compiler is missing.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.cli import snippet_cmd
from engine.ingestion.address import DEFAULT_HOST, DEFAULT_PORT
from engine.model import (
    BUILTIN_TRIGGERS,
    AttributeDef,
    AttributeType,
    Catalog,
    RecordTable,
    TriggerDefinition,
    read_bundle,
)
from engine.resources import resource
from engine.snippets import (
    DEFAULT_URL,
    KEY_PLACEHOLDER,
    SnippetError,
    event_fields,
    generate_snippet,
    generator,
    languages,
    literals,
)

CART_BUNDLE = read_bundle(resource("samples", "abandoned_cart.json"))
CART = CART_BUNDLE.triggers[0]
CASE_BUNDLE = read_bundle(resource("samples", "case_resolved_survey.json"))
CASE = CASE_BUNDLE.triggers[0]  # on the case table: fires when a case's status changes
CASE_CATALOG = Catalog.from_bundle(CASE_BUNDLE)
NASTY = ['say "hi"', "back\\slash \\n \\u0041 \\(x) ${x} $x", "*/ /* */", "</script><!--",
         "line\nbreak\r\nand\u2028sep\u2029\x85", "it's 'quoted'", "tab\there\x00nul\x0b\x0c",
         "emoji 😀 and ümlaut", "coding: rot13", "\u202eevil bidi", "-- '; DROP TABLE x; --"]
UNCOMPILED = ("csharp", "swift", "kotlin")


def nasty_trigger(text: str) -> TriggerDefinition:
    """The abandoned-cart trigger with `text` in every title and description."""
    attributes = [a.model_copy(update={"title": text, "description": text})
                  for a in CART.attributes]
    return CART.model_copy(update={"title": text, "description": text,
                                   "attributes": attributes})


def rich_trigger() -> tuple[TriggerDefinition, Catalog]:
    """Every attribute type, a required and optional one, and records nested two deep."""
    store = RecordTable(name="store", title="Store", columns=[
        AttributeDef(name="city", type="text", title="City"),
        AttributeDef(name="region", type="entity", entity="region", title="Region")])
    region = RecordTable(name="region", title="Region", columns=[
        AttributeDef(name="code", type="text", required=True)])
    trigger = TriggerDefinition(name="visit_booked", title="Visit booked", attributes=[
        AttributeDef(name="when", type="datetime", required=True, title="When"),
        AttributeDef(name="guests", type="number", title="Guests"),
        AttributeDef(name="first_visit", type="boolean", title="First visit"),
        AttributeDef(name="note", type="text", title="Note"),
        AttributeDef(name="store", type="entity", entity="store", title="Store")])
    return trigger, Catalog.build(record_tables=[store, region])


# --- what every snippet carries ----------------------------------------------------------

@pytest.mark.parametrize("lang", [language.name for language in languages()])
def test_every_snippet_carries_the_address_the_key_and_every_attribute(lang) -> None:
    trigger, catalog = rich_trigger()
    code = generate_snippet(trigger, lang, url="http://10.0.0.5:9000", key="wk_secret_1",
                            catalog=catalog)
    assert "http://10.0.0.5:9000" in code and "wk_secret_1" in code
    assert "/v1/triggers/visit_booked" in code and "Visit booked" in code
    for name in ("authId", "messageId", "contactpoint_email", "contactpoint_phone",
                 "bindingId", "when", "guests", "first_visit", "note", "store", "city",
                 "region", "code"):
        assert f'"{name}"' in code, f"{lang} snippet lacks {name}"
    assert "(number, optional)" in code and "(date-time, required)" in code
    assert "Region record, optional" in code


def test_placeholders_are_typed_and_records_nest_with_their_columns() -> None:
    trigger, catalog = rich_trigger()
    fields = {f.name: f for f in event_fields(trigger, catalog)}
    attributes = {f.name: f for f in fields["attributes"].children}
    assert [(n, f.kind, f.value) for n, f in attributes.items() if n != "store"] == [
        ("when", "now", None), ("guests", "number", 0), ("first_visit", "boolean", False),
        ("note", "text", "NOTE")]
    store = attributes["store"]
    assert [c.name for c in store.children] == ["city", "region"]
    assert [(c.name, c.note) for c in store.children[1].children] == [
        ("code", "code (text, required)")]
    assert (fields["authId"].value, fields["messageId"].kind) == ("CONTACT_OR_LEAD_ID", "uuid")
    assert fields["bindingId"].kind == "null" and "optional" in fields["bindingId"].note


def test_without_a_key_the_code_says_where_to_get_one() -> None:
    for language in languages():
        code = generate_snippet(CART, language.name)
        assert KEY_PLACEHOLDER in code and "waymark keys create" in code, language.name
        assert DEFAULT_URL in code


def test_the_default_address_is_the_servers() -> None:
    assert f"http://{DEFAULT_HOST}:{DEFAULT_PORT}" == DEFAULT_URL


def test_interaction_triggers_waymark_raises_itself_have_no_snippet() -> None:
    opened = BUILTIN["email_opened"]
    with pytest.raises(SnippetError, match="Waymark raises it itself when one of its "
                                           "messages is sent"):
        generate_snippet(opened, "python")


# --- the triggers a contact's save raises -------------------------------------------------

BUILTIN = {t.name: t for t in BUILTIN_TRIGGERS}
SHOP_CONTACTS = Catalog.build(contact_attributes=[
    AttributeDef(name="loyalty_points", type="number", title="Loyalty points"),
    AttributeDef(name="vip", type="boolean", title="VIP")])


@pytest.mark.parametrize("lang", generator.SERVER_LANGUAGES)
def test_a_contact_triggers_code_saves_the_whole_contact_with_put(lang) -> None:
    # `waymark snippet contact_created` said "a business trigger: Waymark raises it
    # itself": a developer wiring a welcome journey was not told how to save a contact.
    code = generate_snippet(BUILTIN["contact_created"], lang, url="http://10.0.0.5:9000",
                            key="wk_secret_1", catalog=SHOP_CONTACTS)
    assert "http://10.0.0.5:9000" in code and "wk_secret_1" in code
    assert "/v1/contacts/" in code and "PUT" in code
    assert "/v1/triggers" not in code and "messageId" not in code and "PATCH" not in code
    assert "CONTACT_ID" in code  # in the body, or (curl) in the address
    for name in ("kind", "email", "phone", "push_token", "timezone", "attributes",
                 "firstname", "lastname", "city", "loyalty_points", "vip"):
        assert f'"{name}"' in code, f"{lang} snippet lacks {name}"
    assert '"created_at"' not in code  # Waymark keeps when it saw them first
    assert "The trigger fires when a contact is saved and Waymark does not have them yet."\
        in code
    assert "Loyalty points (number, optional)" in code
    assert "the contact's id in your system (required)" in code
    assert re.search(r"send them all|every field and attribute", code)


@pytest.mark.parametrize("name, kind, fires", [
    ("lead_created", "lead", "fires when a lead is saved and Waymark does not have them yet"),
    ("contact_updated", "contact", "fires when a contact is saved with something changed"),
    ("contact_email_updated", "contact", "fires when a contact is saved with a new email."),
    ("contact_phone_updated", "contact", "with a new mobile phone."),
])
def test_each_contact_trigger_says_when_it_fires_and_which_field(name, kind, fires) -> None:
    code = generate_snippet(BUILTIN[name], "python")
    assert fires in code and f'"kind": "{kind}"' in code
    # an update sends the kind as it is: a lead sent as "contact" would become one
    assert ("a lead sent as a contact becomes one" in code) == (name != "lead_created")
    assert f"send_{kind}(" in code and f"{kind.upper()}_ID" in code
    watched = {"contact_email_updated": "email", "contact_phone_updated": "phone"}.get(name)
    for field in ("email", "phone"):
        line = next(line for line in code.splitlines() if line.strip().startswith(
            f'"{field}":'))
        assert ("the trigger fires when it changes" in line) == (field == watched), line


@pytest.mark.parametrize("lang", ["swift", "kotlin"])
def test_phone_apps_get_no_contact_code_and_are_told_why(lang) -> None:
    with pytest.raises(SnippetError, match=r"contacts change in the system that keeps them, "
                                           r"not in a .* app; its snippets are in JavaScript"):
        generate_snippet(BUILTIN["contact_created"], lang)


def test_contact_values_are_checked_against_the_contacts_attributes() -> None:
    with pytest.raises(SnippetError, match="a contact has no field or attribute 'colour'"):
        generate_snippet(BUILTIN["contact_created"], "python", values={"colour": "red"})
    code = generate_snippet(BUILTIN["contact_created"], "python", catalog=SHOP_CONTACTS,
                            values={"id": "c-1", "email": "ann@example.com", "vip": True})
    assert '"id": "c-1"' in code and '"email": "ann@example.com"' in code
    assert '"vip": True' in code


@pytest.mark.parametrize("lang", generator.SERVER_LANGUAGES)
def test_a_record_triggers_code_sends_the_record_with_every_column(lang) -> None:
    code = generate_snippet(CASE, lang, url="http://10.0.0.5:9000", key="wk_secret_1",
                            catalog=CASE_CATALOG)
    assert "http://10.0.0.5:9000" in code and "wk_secret_1" in code
    assert "/v1/records/case" in code and "PATCH" in code and "POST" in code
    assert "/v1/triggers" not in code and "messageId" not in code
    for name in ("id", "customer", "title", "status", "priority", "satisfaction",
                 "resolved_at"):
        assert f'"{name}"' in code, f"{lang} snippet lacks {name}"
    assert "The trigger fires when a case is updated and its Status changes." in code
    assert "Status (text, optional); the trigger fires when it changes" in code
    assert "Customer (text, optional); whose case it is: the contact or lead" in code
    assert "the case's id in your system (required)" in code


@pytest.mark.parametrize("lang", ["swift", "kotlin"])
def test_phone_apps_get_no_record_code_and_are_told_why(lang) -> None:
    with pytest.raises(SnippetError, match=r"records change in the system that keeps them, "
                                           r"not in a .* app; its snippets are in JavaScript"):
        generate_snippet(CASE, lang, catalog=CASE_CATALOG)


@pytest.mark.parametrize("action, fires", [
    ("created", "fires when a case is made (one Waymark does not have yet)."),
    ("either", "fires when a case is made, or updated and its Status changes."),
])
def test_the_code_says_when_the_record_trigger_fires(action, fires) -> None:
    source = CASE.record.model_copy(update={"action": action})
    code = generate_snippet(CASE.model_copy(update={"record": source}), "python",
                            catalog=CASE_CATALOG)
    assert fires in code
    assert ("the trigger fires when it changes" in code) == (action != "created")


def test_record_values_are_checked_against_the_table() -> None:
    with pytest.raises(SnippetError, match="table 'case' has no column 'colour'"):
        generate_snippet(CASE, "python", catalog=CASE_CATALOG, values={"colour": "red"})
    for bad in (None, 1.5, True, {"a": 1}):
        with pytest.raises(SnippetError, match="id: a record's id is text or a whole number"):
            generate_snippet(CASE, "curl", catalog=CASE_CATALOG, values={"id": bad})
    missing = CASE.model_copy(update={"record": CASE.record.model_copy(
        update={"table": "ticket"})})
    with pytest.raises(SnippetError, match="unknown record table 'ticket'"):
        generate_snippet(missing, "python", catalog=CASE_CATALOG)


def test_unknown_languages_values_and_addresses_are_refused_clearly() -> None:
    with pytest.raises(SnippetError, match="choose one of javascript, python"):
        generate_snippet(CART, "cobol")
    with pytest.raises(SnippetError, match="no attribute 'colour'"):
        generate_snippet(CART, "python", values={"colour": "red"})
    with pytest.raises(SnippetError, match="not an http"):
        generate_snippet(CART, "python", url="javascript:alert(1)")
    assert "sendAbandonedCart" in generate_snippet(CART, "JS")  # names are case-blind


# --- the command line ---------------------------------------------------------------------

def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="waymark")
    snippet_cmd.register(parser.add_subparsers())
    args = parser.parse_args(["snippet", *argv])
    return args.handler(args)


@pytest.fixture(scope="module")
def workspace_file(tmp_path_factory) -> str:
    from engine.workspace import Workspace
    path = tmp_path_factory.mktemp("snippet-cli") / "w.waymark"
    with Workspace.open(path) as workspace:
        workspace.import_bundle(CART_BUNDLE)
        workspace.import_bundle(CASE_BUNDLE)
    return str(path)


def test_the_cli_prints_a_record_triggers_code_and_says_why_not_in_swift(workspace_file,
                                                                        capsys) -> None:
    assert run_cli("support_case_status_updated", "--lang", "sh", "--workspace",
                   workspace_file) == 0
    code = capsys.readouterr().out
    assert '--request PATCH "$RECORD_URL"' in code and '"status": "STATUS"' in code
    assert run_cli("support_case_status_updated", "--lang", "swift", "--workspace",
                   workspace_file) == 2
    assert "records change in the system that keeps them" in capsys.readouterr().err


def test_the_cli_prints_a_snippet_for_a_trigger_of_the_workspace(workspace_file,
                                                                 capsys) -> None:
    assert run_cli("abandoned_cart", "--lang", "python", "--workspace", workspace_file,
                   "--key", "wk_1", "--url", "http://shop.internal:8765/") == 0
    code = capsys.readouterr().out
    compile(code, "snippet.py", "exec")
    assert 'INGESTION_KEY = "wk_1"' in code
    assert 'WAYMARK_URL = "http://shop.internal:8765"' in code


def test_the_cli_lists_languages_and_explains_what_it_cannot_do(workspace_file,
                                                                capsys) -> None:
    assert run_cli("--list") == 0
    assert "kotlin" in capsys.readouterr().out
    assert run_cli("email_opened", "--lang", "js", "--workspace", workspace_file) == 2
    assert "Waymark raises it itself" in capsys.readouterr().err
    assert run_cli("nope", "--lang", "js", "--workspace", workspace_file) == 2
    assert "no trigger named 'nope'" in capsys.readouterr().err
    assert run_cli("abandoned_cart", "--workspace", workspace_file) == 2
    assert "--lang LANG" in capsys.readouterr().err


# --- escaping -----------------------------------------------------------------------------

_LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x85\u2028\u2029]")


@given(st.text())
def test_comments_never_break_a_line_in_any_language(text) -> None:
    assert not _LINE_BREAKS.search(literals.comment_text(text))
    assert not re.search(r"(?i)</script|<!--|<script", literals.js_comment_text(text))


@given(st.text())
def test_python_literals_mean_exactly_the_text(text) -> None:
    assert ast.literal_eval(literals.python_string(text)) == text


# What someone may type into a title: any text a document can hold (no NUL, refused there)
TYPED = st.text(st.characters(exclude_characters="\x00"))


@given(TYPED, st.text())
def test_python_snippets_compile_whatever_the_titles_and_values(title, value) -> None:
    code = generate_snippet(nasty_trigger(title or "x"), "python", values={"currency": value})
    compile(code, "snippet.py", "exec")


@given(TYPED, st.text() | st.integers(min_value=-2**53, max_value=2**53))
def test_python_record_snippets_compile_whatever_the_titles_and_ids(title, record_id) -> None:
    """The trigger's and the table's titles and the record's id: typed by someone."""
    case = CASE.model_copy(update={"title": title or "x", "description": title})
    table = CASE_CATALOG.record_tables["case"].model_copy(update={"title": title})
    catalog = Catalog.build(record_tables=[table])
    code = generate_snippet(case, "python", catalog=catalog,
                            values={"id": record_id, "title": title})
    compile(code, "snippet.py", "exec")


@given(TYPED, st.text())
def test_python_contact_snippets_compile_whatever_the_titles_and_values(title, value) -> None:
    """A contact attribute's title and description, and the values: typed by someone."""
    catalog = Catalog.build(contact_attributes=[AttributeDef(
        name="nickname", type="text", title=title, description=title)])
    code = generate_snippet(BUILTIN["contact_email_updated"], "python", catalog=catalog,
                            values={"id": value, "nickname": value})
    compile(code, "snippet.py", "exec")


def test_javascript_literals_mean_exactly_the_text_under_node(tmp_path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: JavaScript literals cannot be evaluated")
    texts = [*NASTY, *(chr(c) for c in range(0, 0x250)), "\U0001f600\ud7ff\ue000"]
    script = tmp_path / "literals.js"
    script.write_text("process.stdout.write(JSON.stringify([" +
                      ",".join(literals.javascript_string(t) for t in texts) + "]));")
    out = subprocess.run([node, str(script)], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == texts


def test_nasty_titles_leave_javascript_that_node_parses(tmp_path) -> None:
    """Events', records' and contacts' code."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the JavaScript snippets cannot be parsed")
    paths = []
    for number, text in enumerate(NASTY):
        paths.append(tmp_path / f"snippet{number}.js")
        paths[-1].write_text(generate_snippet(nasty_trigger(text), "javascript",
                                              values={"currency": text}))
        paths.append(tmp_path / f"record{number}.js")
        case = CASE.model_copy(update={"title": text, "description": text})
        paths[-1].write_text(generate_snippet(case, "javascript", catalog=CASE_CATALOG,
                                              values={"id": text, "title": text}))
        paths.append(tmp_path / f"contact{number}.js")
        paths[-1].write_text(generate_snippet(BUILTIN["contact_created"], "javascript",
                                              values={"id": text, "firstname": text}))
    # `node --check` for each file, in one process: vm.Script compiles without running.
    check = ("const fs = require('fs'), vm = require('vm');"
             "for (const f of process.argv.slice(1)) new vm.Script(fs.readFileSync(f, 'utf8'),"
             " {filename: f});")
    subprocess.run([node, "-e", check, *map(str, paths)], check=True, capture_output=True)


# The escape rules each language documents, as decoders: a literal round-trips when the
# decoder gives back the text and meets nothing the language would refuse.

def decode_csharp(literal: str) -> str:
    single = {"'": "'", '"': '"', "\\": "\\", "0": "\0", "a": "\a", "b": "\b", "f": "\f",
              "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
    return _decode(literal, r'\\(?:u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{1,4}|.)',
                   single, forbidden='"\\\n\r\x85\u2028\u2029', utf16=True)


def decode_kotlin(literal: str) -> str:
    single = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "'": "'", '"': '"', "\\": "\\",
              "$": "$"}
    return _decode(literal, r"\\(?:u[0-9a-fA-F]{4}|.)", single, forbidden='"\\\n\r$',
                   utf16=True)


def decode_swift(literal: str) -> str:
    single = {"0": "\0", "\\": "\\", "t": "\t", "n": "\n", "r": "\r", '"': '"', "'": "'"}
    return _decode(literal, r"\\(?:u\{[0-9a-fA-F]{1,8}\}|.)", single,
                   forbidden='"\\\n\r', utf16=False)


def _decode(literal: str, escape: str, single: dict[str, str], forbidden: str,
            utf16: bool) -> str:
    assert literal[0] == literal[-1] == '"'
    units: list[str] = []
    for token in re.findall(escape + r"|[\s\S]", literal[1:-1]):
        if len(token) == 1:
            assert token not in forbidden, f"raw {token!r} in {literal!r}"
            units.append(token)
        elif token[1] in single and len(token) == 2:
            units.append(single[token[1]])
        else:
            assert token[1] in "uUx", f"no such escape {token!r} in {literal!r}"
            units.append(chr(int(token[2:].strip("{}"), 16)))
    text = "".join(units)
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le") if utf16 else text


@pytest.mark.parametrize("quote, decode", [
    (literals.csharp_string, decode_csharp), (literals.kotlin_string, decode_kotlin),
    (literals.swift_string, decode_swift)], ids=["csharp", "kotlin", "swift"])
@given(text=st.text())
def test_string_literals_follow_each_languages_escape_rules(quote, decode, text) -> None:
    assert decode(quote(text)) == text


# --- C#, Swift, Kotlin: parsed, and compiled when a compiler is here ------------------------

GRAMMARS = {"csharp": "tree_sitter_c_sharp", "swift": "tree_sitter_swift",
            "kotlin": "tree_sitter_kotlin"}


def syntax_errors(lang: str, code: str) -> list[str]:
    """ERROR and MISSING nodes of a tree-sitter parse, with their lines."""
    tree_sitter = pytest.importorskip(
        "tree_sitter", reason="tree-sitter is not installed (pip install tree-sitter "
                              "tree-sitter-c-sharp tree-sitter-swift tree-sitter-kotlin)")
    grammar = pytest.importorskip(GRAMMARS[lang], reason=f"the {lang} grammar is not "
                                  f"installed (pip install {GRAMMARS[lang].replace('_', '-')})")
    tree = tree_sitter.Parser(tree_sitter.Language(grammar.language())).parse(code.encode())
    found, stack = [], [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            found.append(f"line {node.start_point[0] + 1}: {node.type}")
        stack.extend(node.children)
    return found


@pytest.mark.parametrize("lang", UNCOMPILED)
def test_csharp_swift_and_kotlin_snippets_parse_whatever_the_titles(lang) -> None:
    trigger, catalog = rich_trigger()
    errors = {}
    for text in ["Abandoned cart", *NASTY]:
        nasty = trigger.model_copy(update={"title": text, "description": text})
        code = generate_snippet(nasty, lang, catalog=catalog, values={"note": text})
        errors[text] = syntax_errors(lang, code)
    assert errors == {text: [] for text in errors}


def test_the_csharp_record_snippet_parses_whatever_the_titles_and_ids() -> None:
    errors = {}
    for text in ["Support case", *NASTY]:
        case = CASE.model_copy(update={"title": text, "description": text})
        code = generate_snippet(case, "csharp", catalog=CASE_CATALOG,
                                values={"id": text, "title": text})
        errors[text] = syntax_errors("csharp", code)
    assert errors == {text: [] for text in errors}


def test_the_csharp_contact_snippet_parses_whatever_the_values() -> None:
    errors = {}
    for text in ["Ann", *NASTY]:
        for name in ("contact_created", "lead_created"):
            code = generate_snippet(BUILTIN[name], "csharp", catalog=SHOP_CONTACTS,
                                    values={"id": text, "firstname": text})
            errors[text, name] = syntax_errors("csharp", code)
    assert errors == {key: [] for key in errors}


@pytest.mark.parametrize("lang", UNCOMPILED)
def test_a_trigger_without_attributes_still_makes_valid_code(lang) -> None:
    bare = CART.model_copy(update={"attributes": []})
    assert syntax_errors(lang, generate_snippet(bare, lang)) == []


@pytest.mark.parametrize("lang", UNCOMPILED)
def test_the_syntax_check_catches_a_badly_quoted_title(lang, monkeypatch) -> None:
    naive = dataclasses.replace(generator.LANGUAGES[lang], quote=lambda s: f'"{s}"')
    monkeypatch.setitem(generator.LANGUAGES, lang, naive)
    code = generate_snippet(CART, lang, values={"currency": 'a"b\nc'})
    assert syntax_errors(lang, code) != []


COMPILERS = {"csharp": ("dotnet", "C#"), "swift": ("swiftc", "Swift"),
             "kotlin": ("kotlinc", "Kotlin")}


@pytest.mark.parametrize("lang", UNCOMPILED)
def test_the_snippet_compiles_when_the_compiler_is_here(lang, tmp_path) -> None:
    tool, title = COMPILERS[lang]
    if shutil.which(tool) is None:
        parsed = importlib.util.find_spec(GRAMMARS[lang]) is not None
        pytest.skip(f"`{tool}` is not installed, so the {title} snippet is not compiled: "
                    + ("it is parsed with tree-sitter" if parsed else "tree-sitter is not "
                       "installed either, so it is not parsed") +
                    f" and its string literals are checked against {title}'s escape rules")
    code = generate_snippet(nasty_trigger('say "hi" */ \\'), lang)
    {"csharp": _compile_csharp, "swift": _compile_swift, "kotlin": _compile_kotlin}[lang](
        code, tmp_path)


def _compile_csharp(code: str, folder: Path) -> None:
    major = subprocess.run(["dotnet", "--version"], capture_output=True, text=True,
                           check=True).stdout.split(".")[0]
    (folder / "Snippet.csproj").write_text(
        '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><OutputType>Exe</OutputType>'
        f"<TargetFramework>net{major}.0</TargetFramework><Nullable>enable</Nullable>"
        "</PropertyGroup></Project>")
    (folder / "Program.cs").write_text(code)
    subprocess.run(["dotnet", "build", str(folder)], check=True, capture_output=True,
                   timeout=300)


def _compile_swift(code: str, folder: Path) -> None:
    # Syntax only: URLSession lives in FoundationNetworking off Apple platforms.
    (folder / "snippet.swift").write_text(code)
    subprocess.run(["swiftc", "-parse", str(folder / "snippet.swift")], check=True,
                   capture_output=True, timeout=300)


def _compile_kotlin(code: str, folder: Path) -> None:
    android_jar = os.environ.get("ANDROID_JAR")
    if not android_jar:
        pytest.skip("kotlinc is here but ANDROID_JAR is not set: the snippet needs the "
                    "Android SDK's android.jar (android.util.Log, org.json) to compile")
    (folder / "Snippet.kt").write_text(code)
    subprocess.run(["kotlinc", "-cp", android_jar, str(folder / "Snippet.kt"), "-d",
                    str(folder / "out")], check=True, capture_output=True, timeout=600)


@pytest.mark.parametrize("dated", [True, False])
def test_a_snippet_imports_and_sets_the_time_only_when_it_sends_one(dated) -> None:
    """Pasted into a project, the Python snippet of a trigger with no date-time attribute
    had `from datetime import …` unused (a linter's F401), the Kotlin one
    `import java.time.Instant`, the curl one a NOW variable set and never read."""
    trigger = CART if dated else CART.model_copy(update={"attributes": [
        a for a in CART.attributes if a.type != AttributeType.DATETIME]})
    code = {lang: generate_snippet(trigger, lang) for lang in ("python", "kotlin", "curl")}
    assert ("from datetime import datetime, timezone" in code["python"]) is dated
    assert ("datetime.now(timezone.utc)" in code["python"]) is dated
    assert ("import java.time.Instant" in code["kotlin"]) is dated
    assert ("Instant.now()" in code["kotlin"]) is dated
    assert ('NOW="$(date -u' in code["curl"]) is dated
    assert ('"$NOW"' in code["curl"]) is dated
    unused = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "F",
         "--stdin-filename", "send_event.py", "-"],
        input=code["python"], capture_output=True, text=True, timeout=60)
    assert unused.returncode == 0, unused.stdout
