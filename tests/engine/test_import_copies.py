"""An import keeps the workspace's own content.

Found reading the import: a bundle exported before an email was reworded, imported
again (as a copy of its journey), wrote its old wording over the workspace's email, in
every draft that sends it, and said nothing. Now the bundle's differing content comes
in as a copy its journey sends; the same content is used as it is; `--replace` still
writes the bundle's.
"""

from __future__ import annotations

import json

from engine import content_library, segments_admin
from engine.model import ContentStatus, bundle_from_data, read_bundle, to_data
from engine.resources import resource
from engine.workspace import Workspace
from tests.engine.delivery_support import free_port
from tests.engine.serve_support import ServeProcess, cart_workspace, post, run_cli

SAMPLE = resource("samples", "abandoned_cart.json")
EMAIL = "cart-reminder-email"
REWORDED = "Still thinking it over, {{ contact.firstname }}?"


def reworded_workspace(path) -> str:
    """The sample imported, then its email's subject changed (the Content page's save; a
    draft, as this workspace has no sender address to make it Ready); the subject the
    bundle still has."""
    with Workspace.open(path) as workspace:
        workspace.import_bundle(read_bundle(SAMPLE))
        email = workspace.catalog().content[EMAIL]
        content_library.save_content(workspace, email.model_copy(update={
            "subject": REWORDED, "status": ContentStatus.DRAFT}))
        return email.subject


def email_tiles(workspace: Workspace, journey_id: str) -> set[str]:
    return {t.content for t in workspace.load_journey(journey_id).tiles
            if t.kind == "email"}


def test_content_reworded_since_the_export_stays_and_the_import_sends_a_copy(tmp_path):
    path = tmp_path / "shop.waymark"
    old_subject = reworded_workspace(path)
    done = run_cli("import", str(SAMPLE), "--workspace", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1:] == [
        f"  content {EMAIL!r} is defined otherwise in the workspace, which keeps it: the "
        f"journey uses a copy, '{EMAIL}-copy' (Initial email reminder (copy))"]
    with Workspace.open(path) as workspace:
        content = workspace.catalog().content
        assert content[EMAIL].subject == REWORDED  # the workspace's words, kept
        assert content[f"{EMAIL}-copy"].subject == old_subject
        assert content[f"{EMAIL}-copy"].name == "Initial email reminder (copy)"
        assert email_tiles(workspace, "abandoned-cart") == {EMAIL}
        assert email_tiles(workspace, "abandoned-cart-copy") == {f"{EMAIL}-copy"}
        # the text and push it carries are as the workspace's: used, not copied
        assert not any(c.endswith("-copy") for c in content if c != f"{EMAIL}-copy")


def test_an_export_imported_back_uses_the_workspaces_content(tmp_path):
    path = tmp_path / "shop.waymark"
    reworded_workspace(path)
    exported = tmp_path / "cart.json"
    assert run_cli("export", "abandoned-cart", "--out", str(exported),
                   "--workspace", str(path)).returncode == 0
    done = run_cli("import", str(exported), "--workspace", str(path))
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 1, done.stdout
    with Workspace.open(path) as workspace:
        assert sorted(workspace.catalog().content) == sorted(
            c.id for c in read_bundle(SAMPLE).content)
        assert email_tiles(workspace, "abandoned-cart-copy") == {EMAIL}


def test_replace_writes_the_bundles_content_as_asked(tmp_path):
    path = tmp_path / "shop.waymark"
    old_subject = reworded_workspace(path)
    done = run_cli("import", str(SAMPLE), "--replace", "--workspace", str(path))
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 1, done.stdout
    with Workspace.open(path) as workspace:
        assert workspace.catalog().content[EMAIL].subject == old_subject
        assert EMAIL + "-copy" not in workspace.catalog().content


def test_the_same_bundle_imported_twice_sends_the_one_copy(tmp_path):
    """A second import of the old words uses the copy the first made (its ids and names
    free ones: "-copy", then "-copy-2" only for other words)."""
    path = tmp_path / "shop.waymark"
    reworded_workspace(path)
    with Workspace.open(path) as workspace:
        first = workspace.import_bundle_report(read_bundle(SAMPLE))
        second = workspace.import_bundle_report(read_bundle(SAMPLE))
        copy = (f"{EMAIL}-copy", "Initial email reminder (copy)")
        assert [(c.id, c.name) for c in first.copies] == [copy]
        assert [(c.id, c.name) for c in second.copies] == [copy]
        assert second.journey.id == "abandoned-cart-copy-2"
        assert email_tiles(workspace, second.journey.id) == {copy[0]}
        other = read_bundle(SAMPLE)
        other.content[0] = other.content[0].model_copy(update={"subject": "Third words"})
        third = workspace.import_bundle_report(other)
        assert [(c.id, c.name) for c in third.copies] == [
            (f"{EMAIL}-copy-2", "Initial email reminder (copy 2)")]
        assert len(workspace.catalog().content) == 5


def with_segments() -> dict:
    """The cart sample keeping out a dynamic segment, one made of it, and a static list."""
    data = to_data(read_bundle(SAMPLE))
    data["segments"] = [
        {"id": "vip", "name": "VIP", "kind": "dynamic", "condition": {"items": [
            {"source": "contact", "attribute": "email", "op": "contains",
             "value": "@vip.example"}]}},
        {"id": "vip-or-staff", "name": "VIP or staff", "kind": "dynamic", "condition": {
            "join": "or", "items": [
                {"source": "segment", "attribute": "vip", "op": "in_segment"},
                {"source": "contact", "attribute": "email", "op": "contains",
                 "value": "@shop.example"}]}},
        {"id": "testers", "name": "Testers", "kind": "static"}]
    data["journey"]["start"]["exclusions"] = ["vip-or-staff", "testers"]
    return data


def test_a_segment_redefined_since_the_export_stays_and_the_import_uses_a_copy(tmp_path):
    """VIP was narrowed in the workspace; the old bundle's VIP and the segment made of it
    come in as copies its journey keeps out; the static list stays the workspace's with
    its members, and the workspace's journey still reads the narrowed VIP."""
    with Workspace.open(tmp_path / "shop.waymark") as workspace:
        workspace.import_bundle(bundle_from_data(with_segments()))
        narrowed = with_segments()
        narrowed["segments"][0]["condition"]["items"][0]["value"] = "@gold.vip.example"
        narrowed["segments"][2]["name"] = "Our testers"
        for segment in bundle_from_data(narrowed).segments:
            workspace.save_segment(segment)  # as the Segments page saves them
        segments_admin.add_members(workspace, "testers", ["ann"])
        report = workspace.import_bundle_report(bundle_from_data(with_segments()))
        assert [(c.kind, c.wanted, c.id, c.name, c.made_of) for c in report.copies] == [
            ("segment", "vip", "vip-copy", "VIP (copy)", False),
            ("segment", "vip-or-staff", "vip-or-staff-copy", "VIP or staff (copy)", True)]
        segments = workspace.catalog().segments
        assert segments["vip"].condition.items[0].value == "@gold.vip.example"
        assert segments["vip-copy"].condition.items[0].value == "@vip.example"
        made_of = segments["vip-or-staff-copy"].condition.items[0]
        assert made_of.attribute == "vip-copy"  # the copy is made of the copy
        assert segments["vip-or-staff"].condition.items[0].attribute == "vip"
        assert segments["testers"].name == "Our testers"  # the workspace's list, as is
        assert segments_admin.members(workspace, "testers") == (["ann"], 1)
        copy = workspace.load_journey(report.journey.id)
        assert copy.start.exclusions == ["vip-or-staff-copy", "testers"]
        assert workspace.load_journey("abandoned-cart").start.exclusions == [
            "vip-or-staff", "testers"]
        # imported back as exported: nothing copied
        again = workspace.import_bundle_report(workspace.export_bundle("abandoned-cart"))
        assert again.copies == []
        # the same old bundle again: the copies the first import made, no more
        twice = workspace.import_bundle_report(bundle_from_data(with_segments()))
        assert [(c.id, c.earlier) for c in twice.copies] == [
            ("vip-copy", True), ("vip-or-staff-copy", True)]
        assert workspace.load_journey(twice.journey.id).start.exclusions == [
            "vip-or-staff-copy", "testers"]
        assert sorted(workspace.catalog().segments) == [
            "testers", "vip", "vip-copy", "vip-or-staff", "vip-or-staff-copy"]


def test_a_new_name_or_ready_since_the_export_is_the_workspaces_not_a_copy(tmp_path):
    """What an item is called and whether it is Ready are the workspace's: the same
    words renamed, or made Ready, are used as they are (a copy of a Draft the workspace
    made Ready left the imported journey unpublishable)."""
    with Workspace.open(tmp_path / "shop.waymark") as workspace:
        data = with_segments()
        for item in data["content"]:
            item["status"] = "draft"
        workspace.import_bundle(bundle_from_data(data))
        email = workspace.catalog().content[EMAIL]
        workspace.save_content(email.model_copy(update={
            "name": "Reminder 1", "status": ContentStatus.READY}))
        vip = workspace.catalog().segments["vip"]
        workspace.save_segment(vip.model_copy(update={"name": "Gold", "description": "x"}))
        report = workspace.import_bundle_report(bundle_from_data(data))
        assert report.copies == []
        catalog = workspace.catalog()
        assert (catalog.content[EMAIL].name, catalog.content[EMAIL].status) == (
            "Reminder 1", ContentStatus.READY)
        assert catalog.segments["vip"].name == "Gold"
        assert email_tiles(workspace, report.journey.id) == {EMAIL}


def test_a_copys_name_is_one_neither_the_workspace_nor_the_bundle_has(tmp_path):
    with Workspace.open(tmp_path / "shop.waymark") as workspace:
        workspace.import_bundle(read_bundle(SAMPLE))
        data = to_data(read_bundle(SAMPLE))
        data["content"][0]["subject"] = "Other words"
        spare = {**data["content"][1], "id": "spare", "name": "Initial email reminder (copy)"}
        data["content"].append(spare)
        report = workspace.import_bundle_report(bundle_from_data(data))
        assert [(c.id, c.name) for c in report.copies] == [
            (f"{EMAIL}-copy", "Initial email reminder (copy 2)")]
        names = [c.name for c in workspace.catalog().content.values()]
        assert len(names) == len(set(names)), names


def test_replace_of_a_journey_the_workspace_lacks_still_keeps_its_content(tmp_path):
    path = tmp_path / "shop.waymark"
    reworded_workspace(path)
    with Workspace.open(path) as workspace:
        workspace.delete_journey("abandoned-cart")
        report = workspace.import_bundle_report(read_bundle(SAMPLE), replace=True)
        assert [c.id for c in report.copies] == [f"{EMAIL}-copy"]
        assert workspace.catalog().content[EMAIL].subject == REWORDED


def test_an_old_bundle_leaves_the_socket_taking_what_it_took(tmp_path):
    """The shop's integration sends `coupon`, an attribute added to the trigger after the
    bundle was exported, and may leave out `cart_total`, made optional since. Importing
    the old bundle (which has neither change) made the socket refuse both events — 400,
    unknown attribute; required — for an import meant for a journey. Through the real
    `waymark triggers update`, `waymark import` and `serve`'s socket."""
    path, key = cart_workspace(tmp_path)
    trigger = to_data(read_bundle(SAMPLE).triggers[0])
    trigger["attributes"][0]["required"] = False  # cart_total
    trigger["attributes"].append({"name": "coupon", "type": "text", "title": "Coupon"})
    definition = tmp_path / "trigger.json"
    definition.write_text(json.dumps(trigger))
    changed = run_cli("triggers", "update", "abandoned_cart", "--file", str(definition),
                      "--workspace", str(path))
    assert changed.returncode == 0, changed.stderr
    assert run_cli("import", str(SAMPLE), "--workspace", str(path)).returncode == 0
    with Workspace.open(path) as workspace:
        kept = workspace.catalog().triggers["abandoned_cart"]
        assert [(a.name, a.required) for a in kept.attributes][:1] == [("cart_total", False)]
        assert kept.attributes[-1].name == "coupon"
    serve = ServeProcess(path, free_port())
    serve.start()
    try:
        cart = serve.url + "/v1/triggers/abandoned_cart"
        assert post(cart, key, {"authId": "ann", "attributes": {
            "cart_total": 80, "coupon": "SAVE10"}})[0] == 202
        assert post(cart, key, {"authId": "bob", "attributes": {"coupon": "SAVE10"}})[0] \
            == 202
    finally:
        serve.stop()


def test_a_bundle_without_an_attribute_a_live_journey_reads_imports_keeping_it(tmp_path):
    """It was refused ("live or paused journeys read this attribute, so it cannot …
    go"); the import keeps the attribute anyway, so the bundle goes in."""
    path, _key = cart_workspace(tmp_path)
    data = to_data(read_bundle(SAMPLE))
    data["triggers"][0]["attributes"] = data["triggers"][0]["attributes"][1:]  # cart_total
    with Workspace.open(path) as workspace:
        report = workspace.import_bundle_report(bundle_from_data(data))
        kept = workspace.catalog().triggers["abandoned_cart"]
        assert kept.attributes[-1].name == "cart_total" and kept.attributes[-1].required
        assert report.journey.id == "abandoned-cart-copy"


def test_too_many_attributes_together_refuse_the_import_naming_the_trigger(tmp_path):
    """The workspace's attributes a bundle lacks are kept; past the 29 a trigger may have
    they were cut off silently, and the socket then refused the events carrying them.
    Now `waymark import` refuses the file, naming the trigger, the place and its line,
    and the workspace is left as it was."""
    path = tmp_path / "shop.waymark"
    extra = [{"name": f"shop_{n}", "type": "text", "title": f"Shop {n}"} for n in range(20)]
    with Workspace.open(path) as workspace:
        workspace.import_bundle(read_bundle(SAMPLE))
    trigger = to_data(read_bundle(SAMPLE).triggers[0])
    trigger["attributes"] += extra  # 5 + 20
    definition = tmp_path / "trigger.json"
    definition.write_text(json.dumps(trigger))
    changed = run_cli("triggers", "update", "abandoned_cart", "--file", str(definition),
                      "--workspace", str(path))
    assert changed.returncode == 0, changed.stderr
    data = to_data(read_bundle(SAMPLE))
    data["triggers"][0]["attributes"] += [
        {"name": f"new_{n}", "type": "number", "title": f"New {n}"} for n in range(10)]
    bundle = tmp_path / "bigger.json"
    bundle.write_text(json.dumps(data, indent=2))
    refused = run_cli("import", str(bundle), "--workspace", str(path))
    assert refused.returncode != 0
    assert "$.triggers[0].attributes" in refused.stderr and "line " in refused.stderr
    assert "'abandoned_cart' has 20 attributes this bundle's lacks ('shop_0'" in \
        refused.stderr and "makes 35" in refused.stderr and "at most 29" in refused.stderr
    with Workspace.open(path) as workspace:
        kept = workspace.catalog().triggers["abandoned_cart"]
        assert [a.name for a in kept.attributes][5:] == [f"shop_{n}" for n in range(20)]
        assert [j.id for j in workspace.journeys()] == ["abandoned-cart"]


def test_an_old_bundle_leaves_a_record_table_taking_the_columns_it_took(tmp_path):
    """A record table is written by imports: the shop's `shop_order` gained a `channel`
    column with a later bundle, and importing the first bundle again took the column
    away, so the socket refused every record change carrying it (400, the table has no
    column 'channel'). Now the table keeps the columns (and person columns) the bundle
    lacks. Through the real `waymark import` and `serve`'s socket."""
    path, key = cart_workspace(tmp_path)
    columns = [{"name": "customer", "type": "text", "title": "Customer"},
               {"name": "total", "type": "number", "title": "Total"}]
    old = to_data(read_bundle(SAMPLE))
    old["record_tables"] = [{"name": "shop_order", "title": "Orders",
                             "person_columns": ["customer"], "columns": columns}]
    new = json.loads(json.dumps(old))
    new["record_tables"][0]["columns"].append(
        {"name": "channel", "type": "text", "title": "Channel"})
    new["record_tables"][0]["person_columns"].append("channel")
    for name, data in (("new", new), ("old", old)):
        (tmp_path / f"{name}.json").write_text(json.dumps(data))
        done = run_cli("import", str(tmp_path / f"{name}.json"), "--workspace", str(path))
        assert done.returncode == 0, done.stderr
    with Workspace.open(path) as workspace:
        table = workspace.catalog().record_tables["shop_order"]
        assert [c.name for c in table.columns] == ["customer", "total", "channel"]
        assert table.person_columns == ["customer", "channel"]
    serve = ServeProcess(path, free_port())
    serve.start()
    try:
        status, body = post(serve.url + "/v1/records/shop_order", key, {
            "id": "o-1", "customer": "ann", "total": 80, "channel": "web"})
        assert status == 201, body
    finally:
        serve.stop()
