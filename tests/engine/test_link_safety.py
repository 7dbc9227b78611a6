"""Links in emails: unsafe addresses never go out, and the click redirect only leads to
trusted domains — never to one that trigger or contact data chose."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from engine.delivery import DeliverySettings, RenderContext, TrackingLinks, render
from engine.model import Contact, EmailContent, EmailTile, ExitTile, StartSettings, TriggerTile
from tests.engine.ingestion_support import RunningEngine, running_engine
from tests.engine.journeys import ALL_CONTENT, ALL_TRIGGERS, bundle, trigger
from tests.engine.test_delivery_cli import waymark

TRACKING = TrackingLinks("http://127.0.0.1:8765", "TOKEN")
CLICK = "http://127.0.0.1:8765/t/c/TOKEN/"


def email(html: str) -> EmailContent:
    return EmailContent(id="share", name="Share", status="ready", subject="Hi", html=html)


def rendered(html: str, url: str = "", domains: tuple[str, ...] = (), tracking=TRACKING):
    return render(email(html), RenderContext.of({}, {"url": url}), tracking, domains)


# --- unsafe addresses ------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
    "java\tscript:alert(1)", "java\nscript:alert(1)", "\x01javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "VBScript:msgbox(1)"])
def test_a_script_address_from_data_is_removed_and_the_send_says_so(url) -> None:
    message = rendered('<p><a href="{{ trigger.url }}">Open</a></p>', url)
    assert message.html.startswith("<p><a >Open</a></p>")  # the words stay, the link goes
    scheme = url.strip("\x01 ").split(":")[0].replace("\t", "").replace("\n", "").lower()
    assert message.warnings == [f"removed a {scheme}: address from <a href>"]
    assert message.links == [] and "alert" not in message.text


@pytest.mark.parametrize("html", [
    '<a href="java&#x09;script:alert(1)">x</a>', '<a href="java&Tab;script:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>', '<a href="&#x6A;avascript&colon;alert(1)">x</a>',
    "<a HREF=javascript:alert(1)>x</a>", '<a title=">" href="javascript:alert(1)">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2Zz4=">', '<form action="javascript:alert(1)">',
    '<button formaction=" javascript:alert(1)">x</button>',
    '<img srcset="a.png 1x, javascript:alert(1) 2x">',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>'])
def test_script_addresses_are_found_as_a_mail_client_would_read_them(html) -> None:
    message = rendered(html)
    assert "alert" not in message.html and "base64" not in message.html
    assert len(message.warnings) == 1 and message.warnings[0].startswith("removed a ")


class _Addresses(HTMLParser):
    """The stdlib's parser as a second opinion: every address attribute it finds."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.found += [value or "" for name, value in attrs if name in ("href", "src")]


SCHEMES = st.sampled_from(["javascript", "JaVaScRiPt", "java\tscript", "jav\nascript",
                           "vbscript", "data", "DATA", "http", "mailto", "java script"])


@given(st.sampled_from(["", " ", "\t", "\x01", "\n ", "\x00"]), SCHEMES,
       st.text(max_size=30))
def test_no_data_makes_a_link_that_runs_script(before, scheme, after) -> None:
    url = f"{before}{scheme}:{after}"
    message = rendered('<a href="{{ trigger.url }}">A</a><img src="{{ trigger.url }}">', url)
    parser = _Addresses()
    parser.feed(message.html)
    for address in parser.found:
        cleaned = re.sub("[\t\n\r]", "", address.strip("".join(map(chr, range(33)))))
        assert not re.match(r"(?i)(javascript|vbscript|data):", cleaned), message.html


def test_mail_and_phone_links_and_text_that_only_looks_like_a_link_are_left_alone() -> None:
    html = ('<a href="mailto:help@shop.example">Mail</a> <a href="tel:+3120123">Call</a> '
            '<!-- <a href="javascript:x"> --><script>var a = "<a href=javascript:x>";</script>'
            '<p>type javascript:void(0) to ...</p>')
    message = rendered(html)
    assert message.html.startswith(html) and message.warnings == [] and message.links == []


# --- which links are tracked -----------------------------------------------------------

SHARE = '<a href="{{ trigger.url }}">Yours</a> <a href="https://shop.example/help">Help</a>'


def test_a_link_to_a_domain_from_data_goes_out_untracked_with_a_warning() -> None:
    message = rendered(SHARE, "https://evil.example/phish")
    assert '<a href="https://evil.example/phish">Yours</a>' in message.html
    assert f'<a href="{CLICK}0">Help</a>' in message.html
    assert message.links == ["https://shop.example/help"]
    assert message.warnings == [
        "the link to evil.example is not tracked: its address came from the message's data, "
        "not the template (list the domain in tracking.link_domains to track it)"]


@pytest.mark.parametrize("url", [
    "https://shop.example@evil.example/", "https://shop.example:443@evil.example/",
    "https://evil.example\\@shop.example/", "https://shop.example.evil.example/",
    "https:/\\evil.example/", "https://evil%2Eexample/", "https://ＥＶＩＬ.example/"])
def test_a_host_dressed_up_as_a_trusted_one_is_not_trusted(url) -> None:
    message = rendered(SHARE, url)
    assert message.links == ["https://shop.example/help"]
    assert "is not tracked" in message.warnings[0]


def test_a_data_link_to_a_host_written_in_the_template_is_tracked() -> None:
    message = rendered(SHARE, "https://SHOP.example/cart?id=7")
    assert message.links == ["https://SHOP.example/cart?id=7", "https://shop.example/help"]
    assert message.warnings == []


def test_a_host_built_from_data_is_not_one_written_in_the_template() -> None:
    html = ('<a href="https://{{ trigger.url }}/x">A</a> <a href="https://shop.example{{ '
            'trigger.url }}">B</a> <a href="https://shop.example/{{ trigger.url }}">C</a>')
    message = rendered(html, "evil.example")
    assert message.links == ["https://shop.example/evil.example"]
    assert len(message.warnings) == 2


def test_the_allow_list_covers_its_domains_and_their_subdomains_only() -> None:
    html = ('<a href="https://www.partner.example/a">1</a> <a href="https://partner.example/b">'
            '2</a> <a href="https://notpartner.example/c">3</a> <a href="https://shop.example/d">'
            '4</a> <a href="{{ trigger.url }}">5</a>')
    message = rendered(html, "https://deals.partner.example/e", domains=("partner.example",))
    assert message.links == ["https://www.partner.example/a", "https://partner.example/b",
                             "https://deals.partner.example/e"]
    assert [w.split(":")[0] for w in message.warnings] == [
        "the link to notpartner.example is not tracked", "the link to shop.example is not tracked"]


def test_a_tracked_link_keeps_its_address_exactly_as_a_browser_reads_it() -> None:
    message = rendered('<a href="https://shop.example/p?id=5&region=eu&amp;x=1&copy;">P</a>')
    assert message.links == ["https://shop.example/p?id=5&region=eu&x=1©"]


def test_a_preview_changes_no_safe_link_but_still_removes_unsafe_ones() -> None:
    message = rendered(SHARE + '<a href="javascript:x">J</a>', "https://evil.example/",
                       tracking=None)
    assert message.html == ('<a href="https://evil.example/">Yours</a> '
                            '<a href="https://shop.example/help">Help</a><a >J</a>')
    assert message.links == ["https://shop.example/help"]
    assert message.warnings == ["removed a javascript: address from <a href>"]


def test_link_domains_are_checked_when_settings_are_saved() -> None:
    settings = DeliverySettings.model_validate(
        {"tracking": {"link_domains": ["Shop.Example.", "partner.example"]}})
    assert settings.tracking.link_domains == ["shop.example", "partner.example"]
    for wrong in ("https://shop.example/", "*.shop.example", "shop example", "bücher.example"):
        with pytest.raises(ValidationError, match="is not a domain name"):
            DeliverySettings.model_validate({"tracking": {"link_domains": [wrong]}})


# --- through the socket -----------------------------------------------------------------

LINK_SHARED = trigger("link_shared", ("url", "text"))
SHARE_EMAIL = EmailContent(
    id="share-email", name="Share", status="ready", subject="Your link",
    html='<p><a href="{{ trigger.url }}">Your link</a> <a href="https://shop.example/help">'
         'Help</a> <a href=" JaVaScRiPt:alert(1)">Surprise</a></p>')
ANA = Contact(id="ana", email="ana@example.com")


def share_journey():
    b = bundle([TriggerTile(id="start"), EmailTile(id="share", content="share-email"),
                ExitTile(id="end")], start=StartSettings(trigger="link_shared",
                                                         reentry={"mode": "always"}))
    return b.model_copy(update={"triggers": [*ALL_TRIGGERS, LINK_SHARED],
                                "content": [*ALL_CONTENT, SHARE_EMAIL]})


def share(engine: RunningEngine, url: str) -> dict:
    answer = engine.post("/v1/triggers/link_shared", {"authId": "ana",
                                                      "attributes": {"url": url}})
    assert answer.status == 202, answer.body
    engine.wait_for(lambda: engine.scalar("SELECT status FROM ledger") == "delivered")
    return json.loads(engine.scalar("SELECT payload FROM ledger"))


def test_a_browser_key_cannot_make_the_click_redirect_lead_to_its_domain(tmp_path, capsys):
    with running_engine(tmp_path, share_journey(), contacts=(ANA,)) as engine:
        payload = share(engine, "https://evil.example/phish")
        html = payload["parts"]["html"]
        assert '<a href="https://evil.example/phish">Your link</a>' in html
        assert "JaVaScRiPt" not in html and "<a >Surprise</a>" in html
        assert payload["parts"]["links"] == ["https://shop.example/help"]
        [eml] = engine.workspace.outbox_dir.glob("*.eml")
        assert "evil.example/phish" in eml.read_text() and "/t/c/" in eml.read_text()
        token = payload["tracking_token"]
        assert engine.request("GET", f"/t/c/{token}/1", key=None).status == 404
        location = engine.request("GET", f"/t/c/{token}/0", key=None).headers["Location"]
        assert location == "https://shop.example/help"
        assert waymark("outbox", "--workspace", str(engine.workspace.location)) == 0
    shown = capsys.readouterr().out
    assert f"warning: {eml.name}: removed a javascript: address from <a href>" in shown
    assert f"warning: {eml.name}: the link to evil.example is not tracked" in shown


def test_a_link_to_an_allow_listed_domain_is_tracked(tmp_path) -> None:
    def allow(settings) -> None:
        settings.tracking.link_domains = ["partner.example"]

    with running_engine(tmp_path, share_journey(), contacts=(ANA,), configure=allow) as engine:
        payload = share(engine, "https://deals.partner.example/spring")
        tracked = re.search(r'<a href="([^"]+)">Your link</a>', payload["parts"]["html"])[1]
        assert "/t/c/" in tracked
        answer = engine.request("GET", re.sub(r"^http://[^/]+", "", tracked), key=None)
        assert (answer.status, answer.headers["Location"]) == (
            302, "https://deals.partner.example/spring")
        assert payload["parts"]["warnings"] == [
            "the link to shop.example is not tracked: shop.example is not in "
            "tracking.link_domains", "removed a javascript: address from <a href>"]
