"""The abandoned cart, for real: `waymark serve`, HTTP events, a real SMTP server."""

from __future__ import annotations

import re
from email.message import EmailMessage

from sqlalchemy import text

from engine.delivery import SmtpSecurity
from engine.model import Contact, read_bundle
from engine.resources import resource
from engine.workspace import Workspace
from tests.engine.delivery_support import SmtpInbox, free_port, smtp_server
from tests.engine.older_workspaces import as_a_newer_waymark_published, cart_workspace_left_by
from tests.engine.serve_support import ServeProcess, get, make_key, post, run_cli, wait_until


def setup_workspace(path, smtp_port: int, serve_port: int) -> str:
    with Workspace.open(path) as workspace:
        workspace.import_bundle(read_bundle(resource("samples", "abandoned_cart.json")))
        assert workspace.publish("abandoned-cart").published
        for name in ("ann", "bob"):
            workspace.save_contact(Contact(id=name, email=f"{name}@example.com",
                                           phone="+31600000000", push_token=f"t-{name}",
                                           attributes={"firstname": name.title()}))
        settings = workspace.delivery_settings()
        settings.email.via = "smtp"
        settings.smtp.host, settings.smtp.port = "127.0.0.1", smtp_port
        settings.smtp.security = SmtpSecurity.NONE
        settings.tracking.base_url = f"http://127.0.0.1:{serve_port}"
        workspace.save_delivery_settings(settings)
    return make_key(path)


def runs(path) -> dict[str, tuple[str, str, str | None]]:
    with Workspace.open(path) as workspace, workspace.db.connect() as conn:
        rows = conn.execute(text("SELECT contact_id, tile_id, status, end_reason FROM runs"))
        return {r.contact_id: (r.tile_id, r.status, r.end_reason) for r in rows}


def mail_to(inbox: SmtpInbox, who: str) -> EmailMessage | None:
    return next((m for m in inbox.messages if m["To"] == who), None)


def test_the_abandoned_cart_end_to_end(tmp_path) -> None:
    inbox = SmtpInbox()
    path = tmp_path / "shop.waymark"
    with smtp_server(inbox) as smtp_port:
        serve = ServeProcess(path, free_port())
        key = setup_workspace(path, smtp_port, serve.port)
        serve.start()
        try:
            cart = serve.url + "/v1/triggers/abandoned_cart"
            status, _ = post(cart, key, {"authId": "ann", "attributes": {
                "cart_total": 80, "currency": "<script>alert('x')</script>"}})
            assert status == 202
            email = wait_until(lambda: mail_to(inbox, "ann@example.com"))
            html = email.get_body(("html",)).get_content()
            assert "<script>" not in html and "&lt;script&gt;" in html
            pixel = re.search(r'src="([^"]+/t/o/[^"]+)"', html).group(1)
            assert get(pixel) == 200
            wait_until(lambda: runs(path).get("ann", ("",))[0] == "exit-opened")

            assert post(cart, key, {"authId": "bob", "attributes": {"cart_total": 95}})[0] == 202
            wait_until(lambda: mail_to(inbox, "bob@example.com"))
            assert post(serve.url + "/v1/triggers/purchase_completed", key,
                        {"authId": "bob", "attributes": {"order_id": "SO-9"}})[0] == 202
            wait_until(lambda: runs(path)["bob"][1] == "exited")
        finally:
            out = serve.stop()
    assert runs(path) == {
        "ann": ("exit-opened", "completed", "reached the end"),
        "bob": ("opened-email", "exited", "exit trigger: Purchase completed")}
    assert key not in out  # keys are never logged


def test_serve_that_cannot_start_says_why_and_ends(tmp_path) -> None:
    """A published version that could not be read (here a tile of a kind this Waymark
    does not know, written by a newer one) failed the engine's start after the socket's
    process had started: serve printed the error and then hung for good, its exit waiting
    on that process. It ends, saying which version and why."""
    location = cart_workspace_left_by(tmp_path / "newer.waymark",
                                      as_a_newer_waymark_published)
    done = run_cli("serve", "--workspace", str(location), "--port", str(free_port()),
                   timeout=60)
    assert done.returncode == 2, done.stderr
    assert ("abandoned-cart v1, at $.journey.tiles[1].kind: Input tag 'teleport' found "
            "using 'kind' does not match any of the expected tags") in done.stderr
