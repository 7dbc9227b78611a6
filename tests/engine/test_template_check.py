"""A template's problems are named on their line (and column), as delivery would read it."""

from __future__ import annotations

from engine.delivery.template_check import TemplateNames, check_content, check_template
from engine.model import Catalog, EmailContent, read_bundle
from engine.resources import resource
from engine.validation import Severity, validate

CART = read_bundle(resource("samples", "abandoned_cart.json"))
CASES = read_bundle(resource("samples", "case_resolved_survey.json"))


def names_for(bundle, trigger: str | None) -> TemplateNames:
    return TemplateNames.of(Catalog.from_bundle(bundle), [trigger] if trigger else None)


def spot(source: str, problem) -> str:
    """The text a problem underlines."""
    line = source.split("\n")[problem.line - 1]
    return line[problem.column - 1:problem.column - 1 + problem.length]


def test_a_misspelt_trigger_attribute_is_named_on_its_line_with_a_suggestion() -> None:
    source = "<h1>Your cart</h1>\n<p>Hi {{ contact.firstname }}</p>\n" \
             "<p>Total: {{ trigger.cart_totl }}</p>"
    [problem] = check_template(source, html=True, names=names_for(CART, "abandoned_cart"))
    assert (problem.line, problem.warning) == (3, True)
    assert problem.message == "unknown variable trigger.cart_totl (did you mean cart_total?)"
    assert spot(source, problem) == "cart_totl"


def test_a_syntax_error_is_an_error_on_its_line() -> None:
    source = "Hello\n\n{{ contact.firstname }\nBye"
    [problem] = check_template(source, html=False)
    assert (problem.line, problem.warning) == (3, False)
    assert problem.message == "syntax error: unexpected '}'"
    assert spot(source, problem) == "}"


def test_an_unknown_filter_does_not_compile() -> None:
    source = "{{ trigger.cart_total | money }}"
    [problem] = check_template(source, html=True)
    assert problem.message == "no filter named 'money'"
    assert spot(source, problem) == "money" and not problem.warning


def test_reaching_outside_the_sandbox_is_an_error() -> None:
    [problem] = check_template("{{ contact.__class__ }}", html=True)
    assert "'__class__' is not allowed" in problem.message and not problem.warning


def test_a_contact_attribute_the_workspace_lacks_and_a_bare_name_are_warned() -> None:
    source = "{{ contact.first_name }} {{ firstname }} {{ contact.email }}"
    problems = check_template(source, html=False, names=names_for(CART, "abandoned_cart"))
    assert [p.message for p in problems] == [
        "unknown variable contact.first_name (did you mean firstname?)",
        "unknown variable firstname (did you mean contact.firstname?)"]
    assert [spot(source, p) for p in problems] == ["first_name", "firstname"]


def test_record_columns_are_followed_and_values_are_left_alone() -> None:
    names = names_for(CASES, "support_case_status_updated")
    fine = "{{ trigger.case.title | upper }} {{ contact.firstname.upper() }} " \
           "{{ trigger['case']['status'] }}"
    assert check_template(fine, html=True, names=names) == []
    [problem] = check_template("{{ trigger.case.titel }}", html=True, names=names)
    assert problem.message == "unknown variable trigger.case.titel (did you mean title?)"


def test_names_the_template_sets_or_loops_over_are_its_own() -> None:
    source = "{% set total = trigger.cart_total %}{{ total }}" \
             "{% for word in ['a', 'b'] %}{{ word }}{{ loop.index }}{% endfor %}"
    assert check_template(source, html=True, names=names_for(CART, "abandoned_cart")) == []


def test_without_a_known_trigger_its_attributes_are_not_judged() -> None:
    source = "{{ trigger.anything }} {{ contact.nothing_like_it }}"
    [problem] = check_template(source, html=True, names=names_for(CART, None))
    assert problem.message.startswith("unknown variable contact.nothing_like_it")


def test_the_message_helpers_are_known() -> None:
    source = '<a href="{{ unsubscribe_url }}">x</a> {{ preferences_url }} ' \
             "{{ sender.postal_address }} {{ journey.name }}"
    assert check_template(source, html=True, names=names_for(CART, "abandoned_cart")) == []


def test_every_field_is_checked_and_named() -> None:
    content = EmailContent(id="e", name="E", subject="Hi {{ contact.firstname",
                           preheader="{{ trigger.nope }}", html="<p>fine</p>")
    problems = check_content(content, names_for(CART, "abandoned_cart"))
    assert [(p.field, p.line) for p in problems] == [("subject", 1), ("preheader", 1)]
    assert problems[0].describe().startswith("subject, line 1: syntax error")


def test_publishing_names_the_tile_the_content_and_the_line() -> None:
    bundle = CART.model_copy(deep=True)
    email = next(c for c in bundle.content if c.id == "cart-reminder-email")
    email.html += "\n<p>{{ trigger.cart_totl }}</p>\n<p>{{ contact.firstname | nope }}</p>"
    problems = [p for p in validate(bundle.journey, Catalog.from_bundle(bundle))
                if p.code.startswith("content-")]
    lines = email.html.count("\n")
    assert [(p.tile_id, p.code, p.severity) for p in problems] == [
        ("email-reminder", "content-variable", Severity.WARNING),
        ("email-reminder", "content-template", Severity.ERROR)]
    assert problems[0].message == (
        f"content 'Initial email reminder': html, line {lines}: unknown variable "
        "trigger.cart_totl (did you mean cart_total?)")
    assert problems[1].message.endswith(f"html, line {lines + 1}: no filter named 'nope'")
