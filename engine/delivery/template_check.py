"""What is wrong with a message template, line by line, before anyone gets it.

Read with the renderer's own parser (`personalise.parse_template`), so the editor, the
Ready check and publishing agree with delivery: syntax errors and templates that do not
compile (an unknown filter) are errors; reaching outside the sandbox is an error; a
variable the template names but nobody provides — `trigger.cart_totl`, a contact
attribute the workspace does not have, `{{ firstname }}` without `contact.` — is a
warning: it renders empty, which is rarely what was meant. Each problem has its line
and, where the name can be found on that line, its column and length.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from jinja2 import TemplateSyntaxError, nodes

from engine.model import AttributeType, Catalog, Content

from .errors import TemplateProblem
from .personalise import compile_problem, parse_template, template_globals, unsafe_names

# What every template sees besides contact and trigger (see personalise.render).
CONTACT_FIELDS = ("id", "kind", "email", "phone", "push_token", "timezone")
JOURNEY_FIELDS = ("id", "name", "version")
SENDER_FIELDS = ("name", "display_name", "from_address", "reply_to", "postal_address")
URLS = ("unsubscribe_url", "preferences_url")
# What Jinja itself provides: its globals (range, dict, namespace…) and, in loops and
# macros, loop, caller, varargs and kwargs.
JINJA_NAMES = frozenset({*template_globals(), "loop", "caller", "varargs", "kwargs", "self"})

PathTree = dict[str, "PathTree | None"]  # a name → its columns (a record), or None


@dataclass(frozen=True)
class TemplateNames:
    """The variables templates may use. `trigger` None: the trigger is not known (content
    no journey uses yet), so trigger attributes are not checked."""

    contact: PathTree = field(default_factory=dict)
    trigger: PathTree | None = None

    @classmethod
    def of(cls, catalog: Catalog, triggers: Iterable[str] | None) -> TemplateNames:
        """From the workspace's contact attributes and the named triggers' attributes
        (several: content that journeys with different triggers send)."""
        contact = _tree(catalog.attribute_paths(list(catalog.contact_attributes.values())))
        contact.update({name: None for name in CONTACT_FIELDS})
        if triggers is None:
            return cls(contact, None)
        paths = [p for name in triggers for p in catalog.trigger_attribute_paths(name)]
        return cls(contact, _tree(paths))

    def roots(self) -> dict[str, PathTree | None]:
        """Each top-level variable with the names under it (None: anything, unchecked)."""
        return {"contact": self.contact, "trigger": self.trigger,
                "journey": dict.fromkeys(JOURNEY_FIELDS),
                "sender": dict.fromkeys(SENDER_FIELDS), **dict.fromkeys(URLS)}


def _tree(paths: list[tuple[str, AttributeType]]) -> PathTree:
    tree: PathTree = {}
    for path, kind in paths:
        *parents, last = path.split(".")
        node = tree
        for part in parents:
            if node.get(part) is None:
                node[part] = {}
            node = node[part]
        node[last] = {} if kind == AttributeType.ENTITY else node.get(last)
    return tree


def check_content(content: Content, names: TemplateNames | None = None
                  ) -> list[TemplateProblem]:
    """Every template field of `content` (subject, html…), errors and warnings."""
    return [problem for name, source in content.templates().items()
            for problem in check_template(source, html=name == "html", names=names,
                                          field=name)]


def check_template(source: str, *, html: bool, names: TemplateNames | None = None,
                   field: str = "template") -> list[TemplateProblem]:
    """One template's problems in line order; `names` None checks syntax only."""
    if "{" not in source:
        return []
    read = _read(source, html)
    problems = [_problem(field, line, message, place) for line, message, place in read.errors]
    if names is not None:
        problems += _unknown_variables(read, names, field, source.split("\n"))
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))


@dataclass(frozen=True)
class _Reading:
    """What a template says, whatever names there are: its errors, and the variables it
    reads (root Name node and the attributes after it)."""

    errors: tuple[tuple[int | None, str, tuple[int | None, int]], ...]
    chains: tuple[tuple[str, tuple[str, ...], int], ...] = ()
    undeclared: frozenset[str] = frozenset()


@lru_cache(maxsize=256)
def _read(source: str, html: bool) -> _Reading:
    """Cached: validation checks every message tile after every edit on the canvas."""
    lines = source.split("\n")
    try:
        tree = parse_template(source, html=html)
    except TemplateSyntaxError as error:
        message = f"syntax error: {error.message}"
        place = _word(lines, error.lineno, _quoted(message, last=True))  # "…, got 'b'"
        return _Reading(((error.lineno, message, place),))
    errors = [(line, message, _word(lines, line, _quoted(message)))
              for line, message in unsafe_names(tree)]
    failed = compile_problem(source, html=html) if not errors else None
    if failed is not None:
        line, message = failed
        message = message[:1].lower() + message[1:].rstrip(".")  # "no filter named 'x'"
        errors.append((line, message, _word(lines, line, _quoted(message))))
    found = list(tree.find_all((nodes.Name, nodes.Getattr, nodes.Getitem)))  # one walk
    chains = tuple((root.name, tuple(path), root.lineno) for root, *path in _chains(found))
    return _Reading(tuple(errors), chains, frozenset(_undeclared(found)))


def _problem(field: str, line: int | None, message: str,
             place: tuple[int | None, int] = (None, 0), warning: bool = False
             ) -> TemplateProblem:
    column, length = place
    return TemplateProblem(field, line, message, column=column, length=length,
                           warning=warning)


def _word(lines: list[str], line: int | None, word: str | None) -> tuple[int | None, int]:
    """(1-based column, length) of `word` on the line, or (None, 0)."""
    if not word or line is None or not 0 < line <= len(lines):
        return None, 0
    found = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lines[line - 1])
    return (found.start() + 1, len(word)) if found else (None, 0)


def _place(lines: list[str], line: int | None, chain: list[str]) -> tuple[int | None, int]:
    """(1-based column, length) of the chain's last name where the chain stands on the
    line (`trigger.cart_totl`, `trigger["cart_totl"]`); (None, 0) if it is not found."""
    if line is None or not 0 < line <= len(lines):
        return None, 0
    steps = [rf"\s*(?:\.\s*{re.escape(part)}|\[\s*['\"]{re.escape(part)}['\"]\s*\])"
             for part in chain[1:]]
    pattern = rf"(?<![\w.]){re.escape(chain[0])}" + "".join(steps) + r"(?![\w])"
    found = re.search(pattern, lines[line - 1])
    if found is None:
        return None, 0
    start = found.start() if len(chain) == 1 else \
        found.start() + found.group(0).rindex(chain[-1])
    return start + 1, len(chain[-1])


def _quoted(message: str, last: bool = False) -> str | None:
    """The first (or last) 'quoted' name of a message: what it is about."""
    found = re.findall(r"'([^']+)'", message)
    return (found[-1] if last else found[0]) if found else None


# --- variables -------------------------------------------------------------------

def _unknown_variables(read: _Reading, names: TemplateNames, field: str,
                       lines: list[str]) -> list[TemplateProblem]:
    roots = names.roots()
    problems = []
    for root, path, line in read.chains:
        if root not in read.undeclared:
            continue  # set or looped over in the template itself
        message, known = _chain_problem(root, list(path), roots, names)
        if message:
            written = [root, *path][:known + 1]
            problems.append(_problem(field, line, message, _place(lines, line, written),
                                     warning=True))
    return problems


def _undeclared(found: list[nodes.Node]) -> set[str]:
    """The names the template reads but never sets itself (`{% set %}`, a loop's
    variable, a macro's argument). Coarser than jinja2.meta, which follows scopes but
    runs the code generator: most of the time a keystroke's check took."""
    names = [n for n in found if isinstance(n, nodes.Name)]
    stored = {n.name for n in names if n.ctx in ("store", "param")} | JINJA_NAMES
    return {n.name for n in names if n.name not in stored}


def _chains(found: list[nodes.Node]) -> Iterator[list]:
    """Each variable with the attributes read from it: [Name, 'order', 'total'], once per
    place (`trigger.order.total` is one chain, not also `trigger.order`)."""
    inner = {id(node.node) for node in found if not isinstance(node, nodes.Name)}
    for node in found:
        if id(node) in inner or (isinstance(node, nodes.Name) and node.ctx != "load"):
            continue
        path: list[str] = []
        while isinstance(node, nodes.Getattr | nodes.Getitem):
            key = node.attr if isinstance(node, nodes.Getattr) else _constant(node.arg)
            path = [] if key is None else [key, *path]  # trigger[x].y: only what is before
            node = node.node
        if isinstance(node, nodes.Name) and node.ctx == "load":
            yield [node, *path]


def _constant(arg: nodes.Node) -> str | None:
    if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
        return arg.value
    return None


def _chain_problem(root: str, path: list[str], roots: dict[str, PathTree | None],
                   names: TemplateNames) -> tuple[str, int]:
    """("unknown variable …", how many names of the path were known before it), or
    ("", 0) when all is known."""
    if root not in roots:
        return f"unknown variable {root}{_suggest_root(root, names)}", 0
    level = roots[root]
    for index, part in enumerate(path):
        if level is None:
            return "", 0  # a value (text, a number): what follows is its own business
        if part not in level:
            walked = ".".join([root, *path[:index + 1]])
            return f"unknown variable {walked}{_suggest(part, level)}", index + 1
        level = level[part]
    return "", 0


def _suggest(name: str, level: PathTree) -> str:
    close = difflib.get_close_matches(name, list(level), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _suggest_root(name: str, names: TemplateNames) -> str:
    for root, tree in (("contact", names.contact), ("trigger", names.trigger or {})):
        if name in tree:
            return f" (did you mean {root}.{name}?)"
    close = difflib.get_close_matches(name, [*names.roots()], n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""
