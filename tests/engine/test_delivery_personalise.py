"""Personalisation: what a marketer writes, what a person receives, what never gets out."""

from __future__ import annotations

import json
import threading
import time

import pytest

from engine.cli import main
from engine.delivery import (
    RenderContext,
    RenderError,
    TrackingLinks,
    check_templates,
    html_to_text,
    render,
)
from engine.model import Contact, EmailContent, PushContent, SmsContent, read_bundle
from engine.resources import resource, sample_paths

ADA = RenderContext.of({"firstname": "Ada", "email": "ada@example.com"},
                       {"cart_total": 72.5, "case": {"title": "Grinder jams"}},
                       "abandoned-cart", "Abandoned cart", 3)


def email(html: str = "", subject: str = "Hi", text: str = "") -> EmailContent:
    return EmailContent(id="e", name="E", subject=subject, html=html, text=text)


def html_of(template: str, context: RenderContext = ADA) -> str:
    return render(email(template), context).html


def test_contact_trigger_and_journey_fields_fill_the_message() -> None:
    content = email("<p>{{ contact.firstname }}: {{ trigger.case.title }} "
                    "({{ journey.name }} v{{ journey.version }})</p>",
                    subject="{{ contact.firstname }}, about {{ trigger.case.title }}")
    message = render(content, ADA)
    assert message.subject == "Ada, about Grinder jams"
    assert message.html == "<p>Ada: Grinder jams (Abandoned cart v3)</p>"


def test_conditional_content_follows_the_data() -> None:
    template = "{% if trigger.cart_total > 50 %}Free shipping!{% else %}Add more{% endif %}"
    assert html_of(template) == "Free shipping!"
    assert html_of(template, RenderContext.of({}, {"cart_total": 20})) == "Add more"


def test_a_missing_value_renders_empty_or_the_templates_default() -> None:
    nobody = RenderContext.of({"firstname": None}, {})
    assert html_of("Hi {{ contact.firstname }}!", nobody) == "Hi !"
    assert html_of("Hi {{ contact.firstname | default('there') }}!", nobody) == "Hi there!"
    assert html_of("{{ trigger.case.title | default('your case') }}", nobody) == "your case"
    assert html_of("{{ trigger.cart_total * 1.19 }}|{% if trigger.cart_total > 50 %}big"
                   "{% endif %}|{% for x in trigger.items %}{{ x }}{% endfor %}", nobody) == "||"


def test_a_contact_from_the_model_shows_its_fields_and_attributes() -> None:
    contact = Contact(id="c-1", email="ada@example.com", attributes={"firstname": "Ada"})
    context = RenderContext.of(contact, {}, "j", "J", 1)
    assert html_of("{{ contact.firstname }} ({{ contact.email }}, {{ contact.id }})",
                   context) == "Ada (ada@example.com, c-1)"


def test_attributes_named_like_dictionary_methods_are_still_attributes() -> None:
    context = RenderContext.of({}, {"items": 3, "update": "new", "keys": "k"})
    assert html_of("{{ trigger.items }} {{ trigger.update }} {{ trigger.keys }}", context) \
        == "3 new k"


def test_script_in_an_attribute_is_escaped_in_the_email_html() -> None:
    context = RenderContext.of({"firstname": "<script>alert('x')</script>"}, {})
    message = render(email("<p>Hi {{ contact.firstname }}</p>",
                           subject="Hi {{ contact.firstname }}"), context)
    assert "<script>" not in message.html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in message.html
    assert message.subject == "Hi <script>alert('x')</script>"  # a subject is not HTML


def test_a_link_address_from_data_cannot_break_out_of_its_attribute() -> None:
    context = RenderContext.of({}, {"url": 'https://x.example/" onclick="evil()'})
    html = html_of('<a href="{{ trigger.url }}">go</a>', context)
    assert 'onclick="evil()"' not in html


def test_sms_and_push_are_plain_text() -> None:
    context = RenderContext.of({"firstname": "Tom & Jerry"}, {})
    assert render(SmsContent(id="s", name="S", text="Hi {{ contact.firstname }}"),
                  context).text == "Hi Tom & Jerry"
    push = render(PushContent(id="p", name="P", title="For\n{{ contact.firstname }}",
                              body="{{ contact.firstname }}"), context)
    assert (push.title, push.body) == ("For Tom & Jerry", "Tom & Jerry")


def test_a_line_break_in_data_never_reaches_the_subject_header() -> None:
    context = RenderContext.of({"firstname": "Ada\r\nBcc: everyone@example.com"}, {})
    assert render(email("x", subject="Hi {{ contact.firstname }}"), context).subject == \
        "Hi Ada Bcc: everyone@example.com"


def test_the_plain_text_part_is_made_from_the_html_when_left_empty() -> None:
    message = render(email("<h1>Welcome</h1><p>Hi {{ contact.firstname }},</p><ul><li>one</li>"
                           '<li>two</li></ul><p><a href="https://shop.example/">Shop</a></p>'
                           "<style>p { color: red }</style>"), ADA)
    assert message.text == "Welcome\n\nHi Ada,\n\n- one\n- two\n\nShop (https://shop.example/)\n"
    assert render(email("<p>x</p>", text="Own {{ contact.firstname }}"), ADA).text == "Own Ada"
    assert html_to_text("<p>a<br>b</p>") == "a\nb\n"


@pytest.mark.parametrize("html, text", [
    ("<!DOCTYPE html><html><head><title>T</title></head><body><P>x &amp; y &lt;z&gt; "
     "&#233;</P></body></html>", "x & y <z> é\n"),
    ("<script>if (a<b) { go() }</script><p>after</p><!-- <p>gone</p> -->", "after\n"),
    ('<a title="a>b" href=\'https://x.example/?a=1&amp;b=2\'>Go <b>now</b></a> then',
     "Go now (https://x.example/?a=1&b=2) then\n"),
    ("a < b and c > d<br/>next", "a < b and c > d\nnext\n"),
    ('<a href="https://x.example/">https://x.example/</a><a href="mailto:m@x">mail</a>',
     "https://x.example/mail\n"),
])
def test_the_text_part_reads_like_the_html(html, text) -> None:
    assert html_to_text(html) == text


@pytest.mark.parametrize("template", [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ trigger['__class__'] }}",
    "{{ ''|attr('__class__') }}",
    "{{ '{0.__class__}'.format('') }}",
])
def test_a_template_reaching_outside_the_sandbox_fails_that_field_safely(template) -> None:
    with pytest.raises(RenderError) as caught:
        render(email("<p>Hello</p>\n" + template), ADA)
    [problem] = caught.value.problems
    assert (problem.field, problem.line) == ("html", 2)
    assert "outside the sandbox" in problem.message
    assert "Traceback" not in caught.value.reason and "/" not in caught.value.reason


@pytest.mark.parametrize("template, words", [
    ("{{ 'x' * 100000000 }}", "too large"),
    ("{% for i in range(100000) %}{{ 'long line of text ' }}{% endfor %}", "longer than"),
    ("{{ range(10000000) | list }}", "too much"),
    ("{{ 2 ** 100000000 }}", "too large"),
    ("{{ 1 / 0 }}", "ZeroDivisionError: division by zero"),
])
def test_templates_that_would_run_away_or_break_fail_with_a_reason(template, words) -> None:
    with pytest.raises(RenderError, match=words):
        render(email(template), ADA)


@pytest.mark.parametrize("template, words", [
    ("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
     "the template's loops go round more than 1,000,000 times"),
    ("{% for a in 'x' * 100000 %}{% for b in 'x' * 100000 %}{% endfor %}{% endfor %}",
     "the template's loops go round more than 1,000,000 times"),
    ("{{ ((10 ** 1000) ** 1000) ** 1000 }}", "a number too large to compute"),
    # within the turns allowed, 70 ms a turn: 19 hours
    ("{% for a in range(1000) %}{% for b in range(1000) %}"
     "{{ ('x' * 100000)|list|sort|join|length }}{% endfor %}{% endfor %}",
     "the template takes more than 5 seconds to render"),
    ("{% set _waymark_loop = range %}", "is a name Waymark keeps"),
])
def test_templates_that_would_never_end_fail_with_a_reason_at_once(template, words) -> None:
    """Each rendered nothing for hours: the engine's runtime sending the message, the
    content preview and a trial send stopped with it. Run in a thread waited for 20 s: a
    loop that never ends fails here rather than hangs the run (a runaway power would
    not let go of the interpreter)."""
    failed: list[RenderError] = []

    def attempt() -> None:
        try:
            render(email(template), ADA)
        except RenderError as error:
            failed.append(error)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(20)
    assert not worker.is_alive(), "still rendering after 20 s"
    assert failed and words in failed[0].reason, failed


def test_loops_within_the_limit_render_as_jinja_renders_them() -> None:
    text = ("{% for i in range(3) %}{{ loop.index }}/{{ loop.length }}"
            "{% if loop.last %}!{% endif %} {% endfor %}"
            "{% for a in range(998) %}{% for b in range(1000) %}{% endfor %}{% endfor %}"
            "{% for x in [] %}a{% else %}none{% endfor %}")
    assert render(email("<p>x</p>", text=text), ADA).text == "1/3 2/3 3/3! none"


def test_every_failing_field_is_named() -> None:
    content = email("{{ ''.__class__ }}", subject="{{ 1/0 }}")
    with pytest.raises(RenderError) as caught:
        render(content, ADA)
    assert [p.field for p in caught.value.problems] == ["subject", "html"]
    assert caught.value.reason.startswith("subject, line 1: the template could not be rendered")


def test_syntax_errors_are_found_before_content_is_ready_naming_field_and_line() -> None:
    content = email("<p>Hi</p>\n<p>{% if contact.vip %}VIP</p>",
                    subject="{{ contact.firstname }", text="ok\n\n{{ x.__class__ }}")
    problems = check_templates(content)
    assert [(p.field, p.line) for p in problems] == [("subject", 1), ("html", 2), ("text", 3)]
    assert problems[0].describe().startswith("subject, line 1: syntax error:")
    assert "outside the sandbox" in problems[2].message


def test_the_sample_contents_have_no_template_problems() -> None:
    for path in sample_paths():
        for content in read_bundle(path).content:
            assert check_templates(content) == [], (path.name, content.id)


def test_links_point_at_click_urls_and_an_open_pixel_is_added() -> None:
    links = TrackingLinks("http://127.0.0.1:8765", "TOKEN")
    content = email('<html><body><a href="{{ trigger.url }}">Cart</a>'
                    '<a href="mailto:help@shop.example">Mail us</a>'
                    "<a href='https://shop.example/b?x=1&amp;y=2'>B</a>"
                    '<a href="{{ unsubscribe_url }}">Unsubscribe</a></body></html>')
    message = render(content, RenderContext.of({}, {"url": "https://shop.example/a"}), links)
    assert message.links == ["https://shop.example/a", "https://shop.example/b?x=1&y=2"]
    assert '<a href="http://127.0.0.1:8765/t/c/TOKEN/0">Cart</a>' in message.html
    assert '<a href="http://127.0.0.1:8765/t/c/TOKEN/1">B</a>' in message.html
    assert 'href="mailto:help@shop.example"' in message.html
    assert 'href="http://127.0.0.1:8765/t/u/TOKEN"' in message.html
    assert message.html.endswith(
        '<img src="http://127.0.0.1:8765/t/o/TOKEN.gif" width="1" height="1" alt="" '
        'style="border:0;width:1px;height:1px"></body></html>')


def test_a_preview_without_tracking_keeps_the_original_links() -> None:
    message = render(email('<a href="https://shop.example/a">A</a>'), ADA)
    assert message.html == '<a href="https://shop.example/a">A</a>'
    assert message.links == ["https://shop.example/a"]


def test_a_message_nobody_reads_is_rendered_but_not_finished() -> None:
    """A throw-away simulation's messages are only counted: every field is still rendered
    (a template that fails still fails, so the message is blocked as it would be), but the
    links are neither tracked nor checked and no text part is made from the HTML."""
    links = TrackingLinks("http://127.0.0.1:8765", "TOKEN")
    content = email('<a href="{{ trigger.url }}">Cart, {{ contact.firstname }}</a>',
                    subject="{{ contact.firstname }}, your cart")
    context = RenderContext.of({"firstname": "Ada"}, {"url": "https://shop.example/a"})
    read = render(content, context, links, ["shop.example"])
    unread = render(content, context, links, ["shop.example"], unread=True)
    assert read.text and read.links and "/t/o/TOKEN.gif" in read.html
    assert unread.subject == read.subject == "Ada, your cart"
    assert unread.html == '<a href="https://shop.example/a">Cart, Ada</a>'
    assert (unread.text, unread.links) == ("", [])
    failing = email("{{ trigger.items | sum }}")
    with pytest.raises(RenderError):
        render(failing, RenderContext.of({}, {"items": ["a", 1]}), links, unread=True)
    sms = SmsContent(id="s", name="S", text="Hi {{ contact.firstname }}")
    assert render(sms, context, unread=True) == render(sms, context)


def test_the_runtime_fails_such_a_message_and_the_person_goes_on(tmp_path, capsys) -> None:
    """End to end, the real runtime on a simulated clock: the reminder's template loops
    for ever; it is failed with the reason and everyone goes on to the end."""
    data = json.loads(resource("samples", "abandoned_cart.json").read_text())
    reminder = next(c for c in data["content"] if c["id"] == "cart-reminder-email")
    reminder["html"] = ("{% for a in range(100000) %}{% for b in range(100000) %}"
                        "{% endfor %}{% endfor %}")
    (tmp_path / "cart.json").write_text(json.dumps(data))
    started = time.perf_counter()
    assert main(["simulate", str(tmp_path / "cart.json"), "--scenario",
                 str(resource("samples", "abandoned_cart.scenario.json")), "--json"]) == 0
    steps = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    failed = [s for s in steps if s.get("tile") == "email-reminder" and s["what"] == "blocked"]
    assert failed and all("loops go round more than 1,000,000 times" in s["reason"]
                          for s in failed), steps
    assert time.perf_counter() - started < 60
