"""Personalisation: Jinja2 templates rendered in a sandbox.

Templates see ``contact`` (fields and attributes), ``trigger`` (the event's attributes,
nested), ``journey`` (id, name, version) and ``sender`` (the email's sender profile: name,
display_name, from_address, reply_to, postal_address), plus ``unsubscribe_url`` and
``preferences_url``. The HTML part is autoescaped; the subject, preheader, plain text, SMS
and push are not (they are not HTML).

A missing value never stops a journey: it renders empty, or the template's
``default(...)`` (which also covers values that are null), and arithmetic or
comparisons on it quietly stay missing. What does stop a field is a template that
reaches outside the sandbox (``''.__class__``), builds something huge, or breaks
(``1/0``): `render` raises `RenderError` naming the field and the line, and the caller
records the message as failed. Python internals are never shown.
"""

from __future__ import annotations

import re
import time
import traceback
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from jinja2 import ChainableUndefined, Template, TemplateSyntaxError, Undefined, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from engine.model import Channel, Contact, EmailContent, PushContent, SmsContent

from .errors import RenderError, TemplateProblem
from .html_text import html_to_text
from .links import TrustedHosts, secure_links
from .message import RenderedMessage
from .settings import SenderProfile
from .tracking import TrackingLinks, add_open_pixel, add_preheader

Content = EmailContent | SmsContent | PushContent

MAX_OUTPUT_CHARS = 1_000_000   # a rendered field larger than this is refused
MAX_BUILT_VALUE = 100_000      # 'x' * n and [..] * n may build at most this many items
# Loop turns in one field, every loop of it together: two loops over range(100000), one in
# the other, rendered nothing for ten billion turns, and the engine's runtime rendering the
# message stopped with them (as did the content preview and a trial send). A million take
# Jinja about a second.
MAX_LOOP_TURNS = 1_000_000
# And a field's time, looked at each loop turn and each piece of output: a million turns
# each sorting 100,000 letters would take 19 hours within the turns allowed.
MAX_RENDER_SECONDS = 5.0
MAX_NUMBER_BITS = 100_000      # an integer a template computes (** and *): ~30,000 digits
_LOOPS = "_waymark_loop"       # the name every loop's items are counted through
_TEMPLATE_NAME = "<template>"  # the file name Jinja gives templates made from strings


class _Missing(ChainableUndefined):
    """A value that is not there: renders empty, and anything done with it stays missing."""

    __slots__ = ()

    def _stay_missing(self, *_args: Any, **_kwargs: Any) -> _Missing:
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _stay_missing
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = _stay_missing
    __mod__ = __rmod__ = __pow__ = __rpow__ = __pos__ = __neg__ = _stay_missing
    __call__ = __lt__ = __le__ = __gt__ = __ge__ = _stay_missing

    def __int__(self) -> int:
        return 0

    def __float__(self) -> float:
        return 0.0


def _default(value: Any, default_value: Any = "", boolean: bool = False) -> Any:
    """Jinja's `default`, which also treats null (a contact field never filled) as missing."""
    if value is None or isinstance(value, Undefined) or (boolean and not value):
        return default_value
    return value


class _TooLarge(Exception):
    """The template would build more than a message needs (a runaway loop or product)."""


class _MessageSandbox(SandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        # The stock sandbox returns an undefined value that only fails when used further;
        # we refuse at once so `{{ ''.__class__ }}` is an error, not a silent blank.
        raise SecurityError(f"access to attribute {attribute!r} of "
                            f"{type(obj).__name__!r} object is unsafe")

    def getattr(self, obj: Any, attribute: str) -> Any:
        # Data first: `trigger.items` or `contact.update` are attributes, not dict methods.
        if isinstance(obj, Mapping):
            return obj[attribute] if attribute in obj else self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """The template, each loop's items counted through `_count_turns`."""
        tree = super()._parse(source, name, filename)
        for taken in tree.find_all(nodes.Name):
            if taken.name == _LOOPS:  # a template of its own would count nothing
                raise TemplateSyntaxError(f"{_LOOPS} is a name Waymark keeps",
                                          taken.lineno, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.Name(_LOOPS, "load"), [loop.iter], [], None, None)
        return tree

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > 1000:
            raise _TooLarge("the template asks for a number too large to compute")
        if operator in ("*", "**") and _whole(left) and _whole(right) and (
                abs(left).bit_length() * right if operator == "**" and right > 0
                else abs(left).bit_length() + abs(right).bit_length()) > MAX_NUMBER_BITS:
            # ((10**1000)**1000)**1000: each power allowed, their result beyond any machine
            raise _TooLarge("the template asks for a number too large to compute")
        if operator == "*":
            for sized, count in ((left, right), (right, left)):
                if (isinstance(sized, str | list | tuple) and isinstance(count, int)
                        and len(sized) * count > MAX_BUILT_VALUE):
                    raise _TooLarge("the template builds a value that is too large")
        return super().call_binop(context, operator, left, right)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Budget:
    """What the field being rendered has left (`_bounded_output` sets it). The clock is
    read every 16th look: a message's dozens of pieces stay cheap."""

    __slots__ = ("looks", "turns", "until")

    def __init__(self) -> None:
        self.turns, self.looks = MAX_LOOP_TURNS, 0
        self.until = time.monotonic() + MAX_RENDER_SECONDS

    def turn(self) -> None:
        self.turns -= 1
        if self.turns < 0:
            raise _TooLarge(f"the template's loops go round more than {MAX_LOOP_TURNS:,} "
                            "times")
        self.looks += 1
        if self.looks & 15 == 0:
            self.clock()

    def clock(self) -> None:
        if time.monotonic() > self.until:
            raise _TooLarge(f"the template takes more than {MAX_RENDER_SECONDS:g} seconds "
                            "to render")


_BUDGET: ContextVar[_Budget | None] = ContextVar("render_budget", default=None)


def _count_turns(items: Any) -> Iterator[Any]:
    budget = _BUDGET.get()
    for item in items:
        if budget is not None:
            budget.turn()
        yield item


def _environment(html: bool) -> _MessageSandbox:
    env = _MessageSandbox(undefined=_Missing, autoescape=html, keep_trailing_newline=True,
                          finalize=lambda value: "" if value is None else value)
    env.filters["default"] = env.filters["d"] = _default
    env.globals[_LOOPS] = _count_turns
    return env


_ENVIRONMENTS = {True: _environment(html=True), False: _environment(html=False)}


@lru_cache(maxsize=512)
def _compile(source: str, html: bool) -> Template:
    return _ENVIRONMENTS[html].from_string(source)


# --- context -----------------------------------------------------------------------

@dataclass(frozen=True)
class RenderContext:
    """What templates can see."""

    contact: Mapping[str, Any] = field(default_factory=dict)
    trigger: Mapping[str, Any] = field(default_factory=dict)
    journey: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, contact: Contact | Mapping[str, Any] | None, trigger: Mapping[str, Any] | None,
           journey_id: str = "", journey_name: str = "", version: int | None = None,
           ) -> RenderContext:
        person = contact.as_condition_data() if isinstance(contact, Contact) else contact
        return cls(contact=dict(person or {}), trigger=dict(trigger or {}),
                   journey={"id": journey_id, "name": journey_name, "version": version})

    def as_data(self) -> dict[str, Any]:
        return {"contact": dict(self.contact), "trigger": dict(self.trigger),
                "journey": dict(self.journey)}


# --- rendering ---------------------------------------------------------------------

def render(content: Content, context: RenderContext,
           tracking: TrackingLinks | None = None,
           link_domains: tuple[str, ...] | list[str] = (),
           sender: SenderProfile | None = None, unread: bool = False) -> RenderedMessage:
    """Personalise every template field of `content`; RenderError if any field fails.

    Unsafe addresses are removed from the HTML (links.py). With `tracking`, its web links
    to trusted hosts (`link_domains`, or those written in the template when there are
    none) point at click URLs and an open pixel is added. `sender` is what
    `{{ sender.… }}` shows (an email's sender profile).

    `unread`: nobody will read the message, only count it (a throw-away simulation):
    every field is rendered, so a template fails as ever, but an email's HTML is left as
    rendered (links neither checked nor tracked, no pixel, no plain text made from it),
    which was a tenth of a simulation's time.
    """
    data = {**context.as_data(), "sender": sender.model_dump() if sender else {},
            "unsubscribe_url": tracking.unsubscribe_url if tracking else "",
            "preferences_url": tracking.preferences_url if tracking else ""}
    rendered: dict[str, str] = {}
    problems: list[TemplateProblem] = []
    for name, source in content.templates().items():
        try:
            rendered[name] = render_template(source, data, html=name == "html")
        except _FieldFailed as failure:
            problems.append(TemplateProblem(name, failure.line, failure.message))
    if problems:
        raise RenderError(problems)
    if unread and isinstance(content, EmailContent):
        return RenderedMessage(channel=Channel.EMAIL, subject=_one_line(rendered["subject"]),
                               html=rendered["html"], text=rendered["text"])
    return _assemble(content, rendered, tracking, link_domains)


def _assemble(content: Content, fields: dict[str, str], tracking: TrackingLinks | None,
              link_domains: tuple[str, ...] | list[str]) -> RenderedMessage:
    if isinstance(content, SmsContent):
        return RenderedMessage(channel=Channel.SMS, text=fields["text"])
    if isinstance(content, PushContent):
        return RenderedMessage(channel=Channel.PUSH, title=_one_line(fields["title"]),
                               body=fields["body"], url=content.url, image=content.image_url)
    trusted = TrustedHosts.for_template(content.html, link_domains)
    secured = secure_links(fields["html"] if fields["html"].strip() else "", trusted, tracking)
    html = secured.html
    if tracking is not None and html:
        html = add_open_pixel(html, tracking.open_pixel_url)
    text = fields["text"] if fields["text"].strip() else (html_to_text(html) if html else "")
    if fields["preheader"].strip():  # after the text part: it is for the inbox list only
        html = add_preheader(html, _one_line(fields["preheader"]))
    return RenderedMessage(channel=Channel.EMAIL, subject=_one_line(fields["subject"]),
                           html=html, text=text, links=secured.links,
                           warnings=secured.warnings)


def _one_line(text: str) -> str:
    """Subjects and titles are headers: no line breaks, whatever the data held."""
    return " ".join(text.split())


class _FieldFailed(Exception):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.message, self.line = message, line


def render_template(source: str, data: Mapping[str, Any], *, html: bool = False) -> str:
    """One template, sandboxed; raises _FieldFailed with a reason a person can read."""
    if "{" not in source and len(source) <= MAX_OUTPUT_CHARS:
        return source  # nothing to personalise: Jinja would give back the very same text
    try:
        template = _compile(source, html)
    except TemplateSyntaxError as error:
        raise _FieldFailed(f"syntax error: {error.message}", error.lineno) from None
    try:
        return _bounded_output(template, data)
    except Exception as error:  # any template failure is reported, not raised
        raise _FieldFailed(_reason(error), _template_line(error)) from None


def render_text(source: str, data: Mapping[str, Any]) -> str:
    """A plain-text template (provider bodies, previews); RenderError when it fails."""
    try:
        return render_template(source, data)
    except _FieldFailed as failure:
        raise RenderError([TemplateProblem("template", failure.line, failure.message)]) from None


def _bounded_output(template: Template, data: Mapping[str, Any]) -> str:
    chunks, size = [], 0
    budget = _Budget()
    token = _BUDGET.set(budget)
    try:
        for chunk in template.generate(data):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise _TooLarge(f"the rendered text is longer than {MAX_OUTPUT_CHARS:,} "
                                "characters")
            chunks.append(chunk)
            if len(chunks) & 15 == 0:  # the clock, now and then
                budget.clock()
    finally:
        _BUDGET.reset(token)
    return "".join(chunks)


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _reason(error: Exception) -> str:
    if isinstance(error, SecurityError):
        return f"the template tried to reach outside the sandbox ({error})"
    if isinstance(error, _TooLarge):
        return str(error)
    if isinstance(error, OverflowError):
        return f"the template asks for too much: {error}"
    detail = _ADDRESS.sub("", str(error))[:200]
    return f"the template could not be rendered: {type(error).__name__}: {detail}"


def _template_line(error: Exception) -> int | None:
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if f.filename == _TEMPLATE_NAME]
    return frames[-1].lineno if frames else None


# --- checking (content marked Ready to send) ---------------------------------------

def check_templates(content: Content) -> list[TemplateProblem]:
    """Syntax errors and reaches outside the sandbox in every template field, with lines.
    (`template_check.check_content` adds unknown filters and variables, with columns.)"""
    problems: list[TemplateProblem] = []
    for name, source in content.templates().items():
        try:
            tree = parse_template(source, html=name == "html")
        except TemplateSyntaxError as error:
            problems.append(TemplateProblem(name, error.lineno, f"syntax error: {error.message}"))
            continue
        problems.extend(TemplateProblem(name, line, message)
                        for line, message in unsafe_names(tree))
    return problems


def parse_template(source: str, *, html: bool) -> nodes.Template:
    """The template's syntax tree, as the renderer reads it; TemplateSyntaxError if it
    cannot be read. Cached (the checks share it): read it, never change it."""
    return _parse(source, html)


@lru_cache(maxsize=64)
def _parse(source: str, html: bool) -> nodes.Template:
    return _ENVIRONMENTS[html].parse(source)


def template_globals() -> list[str]:
    """The names every template has without being given them (range, dict, namespace…)."""
    return list(_ENVIRONMENTS[True].globals)


def compile_problem(source: str, *, html: bool) -> tuple[int | None, str] | None:
    """(line, message) when a template that parses still does not compile (an unknown
    filter or test), else None. Compiled templates are cached for rendering."""
    try:
        _compile(source, html)
    except TemplateSyntaxError as error:  # TemplateAssertionError is one
        return error.lineno, error.message or "the template does not compile"
    return None


def unsafe_names(tree: nodes.Template) -> list[tuple[int, str]]:
    found = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter)):
        name = _accessed_name(node)
        if name is not None and name.startswith("_"):
            found.append((node.lineno, f"{name!r} is not allowed: templates cannot reach "
                                       "outside the sandbox"))
    return found


def _accessed_name(node: nodes.Node) -> str | None:
    if isinstance(node, nodes.Getattr):
        return node.attr
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return node.arg.value if isinstance(node.arg.value, str) else None
    if isinstance(node, nodes.Filter) and node.name == "attr" and node.args:
        first = node.args[0]
        return first.value if isinstance(first, nodes.Const) and isinstance(first.value, str) \
            else None
    return None
