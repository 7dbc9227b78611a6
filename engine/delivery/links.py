"""Links in a rendered email: which are safe, and which go through the click redirect.

What counts is what a mail client would do with an address, so addresses are read the
way a browser reads them: the HTML tokenizer's rules for tags, attributes and character
references (`java&#x09;script:` is `java<TAB>script:`), then the URL parser's (spaces and
control characters around it dropped, tabs and line breaks inside it removed, the scheme
before the first colon, any case).

- `javascript:`, `vbscript:` and `data:` addresses are removed from every attribute that
  holds an address: the attribute goes (`<a href="javascript:…">x</a>` becomes
  `<a>x</a>`) and the message records a warning.
- Only `http`/`https` links (`<a href>`, `<area href>`) go through the click redirect, and
  only to a host the workspace trusts (`TrustedHosts`). Any other web link is sent as
  written, untracked, with a warning: the redirect never leads where data chose.
- Everything else (`mailto:`, `tel:`, relative addresses, links to the tracking server
  itself) is left as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape, unescape
from html.entities import html5
from urllib.parse import unquote

from .tracking import TrackingLinks

UNSAFE_SCHEMES = frozenset({"javascript", "vbscript", "data"})
WEB_SCHEMES = frozenset({"http", "https"})
# Attributes whose value a browser or mail client treats as an address (or a list of them).
URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "background", "poster", "data", "cite",
    "longdesc", "lowsrc", "dynsrc", "codebase", "classid", "archive", "usemap", "icon",
    "manifest", "profile", "xlink:href", "srcset", "imagesrcset", "ping"})
_LISTS = frozenset({"srcset", "imagesrcset", "ping", "archive"})
_LINKS = frozenset({"a", "area"})  # the elements whose href is a link a person clicks
# Elements whose content is text, not markup, up to their end tag.
_RAW_TEXT_END = {name: re.compile(rf"</{name}[\t\n\f\r />]", re.IGNORECASE)
                 for name in ("script", "style", "textarea", "title", "xmp", "iframe",
                              "noembed", "noframes")}
MAX_WARNINGS = 20

# The HTML tokenizer's view of markup (WHATWG HTML §13.2.5), as regular expressions: a
# quote only opens a value after "=", an unclosed one runs to the end, "/" between
# attributes is skipped, "=" may start a name.
_VALUE = r"""(?:"[^"]*(?:"|\Z)|'[^']*(?:'|\Z)|[^\t\n\f\r >]*)"""
_NAME = r"[^\t\n\f\r />][^\t\n\f\r />=]*"
_ATTRIBUTE = re.compile(rf"({_NAME})(?:[\t\n\f\r ]*=[\t\n\f\r ]*({_VALUE}))?")
_MARKUP = re.compile(rf"""
      <!--(?:-?>|.*?--!?>|.*\Z)                        # a comment
    | <[!?][^>]*(?:>|\Z)                               # a doctype, a bogus comment
    | </(?![A-Za-z])[^>]*(?:>|\Z)                      # "</" not followed by a name
    | <(/?)([A-Za-z][^\t\n\f\r />]*)                   # a tag: its name,
      ((?:[\t\n\f\r /]+|{_NAME}(?:[\t\n\f\r ]*=[\t\n\f\r ]*{_VALUE})?)*)  # its attributes
      (?:>|\Z)
""", re.DOTALL | re.VERBOSE)
# A cheap look for a URL attribute with a value before parsing a tag's attributes (one
# starts after a space, a slash or a quote that closed the value before it).
_HINT = re.compile(rf"""[\t\n\f\r /"'](?:{"|".join(sorted(URL_ATTRIBUTES))})[\t\n\f\r ]*=""",
                   re.IGNORECASE)
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))
_TAB_OR_NEWLINE = str.maketrans("", "", "\t\n\r")
_CHARACTER_REFERENCE = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z0-9]+;?)")
_ALPHANUMERIC = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_LEGACY_NAMES = frozenset(name for name in html5 if not name.endswith(";"))
_SLASHES = "/\\"
_AUTHORITY = re.compile(r"[^/\\?#]*")
_HOST = re.compile(r"^[a-z0-9_\-]+(?:\.[a-z0-9_\-]+)*$")


# --- reading an address as a browser does --------------------------------------------

def attribute_text(raw: str) -> str:
    """An attribute's value with its character references decoded as inside an attribute:
    `&region=eu` stays as written (a legacy name followed by "=" or a letter is text)."""
    return _CHARACTER_REFERENCE.sub(_decode_reference, raw) if "&" in raw else raw


def _decode_reference(match: re.Match[str]) -> str:
    reference = match.group(1)
    if reference[0] == "#":
        return unescape(match.group(0))
    if reference.endswith(";") and reference in html5:
        return html5[reference]
    for length in range(min(len(reference), 6), 1, -1):  # legacy names are 2-6 letters
        if reference[:length] in _LEGACY_NAMES:
            following = reference[length:length + 1] or match.string[match.end():match.end() + 1]
            if following == "=" or following in _ALPHANUMERIC:
                return match.group(0)
            return html5[reference[:length]] + reference[length:]
    return match.group(0)


def clean_url(text: str) -> str:
    """The address the URL parser reads: no C0 controls or spaces around it, no tabs or
    line breaks in it."""
    text = text.strip(_C0_AND_SPACE)
    if "\t" in text or "\n" in text or "\r" in text:
        text = text.translate(_TAB_OR_NEWLINE)
    return text


def scheme_of(url: str) -> str | None:
    """The scheme, lower case, of a cleaned address; None for a relative one."""
    found = _SCHEME.match(url)
    return found.group(1).lower() if found else None


def web_host(url: str) -> str | None:
    """The host a browser would go to for a cleaned http(s) address, or None when it has
    no plain domain name there (a browser may still map an odd one somewhere: untrusted).

    Follows the URL standard for special schemes: any run of "/" or "\\" after the
    colon, the authority up to "/", "\\", "?" or "#", credentials up to the last "@".
    """
    rest = url.partition(":")[2].lstrip(_SLASHES)
    authority = _AUTHORITY.match(rest).group(0)
    host = authority.rpartition("@")[2].partition(":")[0]
    host = unquote(host) if "%" in host else host
    host = host.lower() if host.isascii() else host
    host = host[:-1] if host.endswith(".") else host
    return host if is_plain_host(host) else None


def is_plain_host(text: str) -> bool:
    """A lower-case ASCII domain name (or IPv4 address): labels of letters, digits, - and _."""
    return _HOST.match(text) is not None


# --- which hosts the click redirect may lead to -----------------------------------------

_WRITTEN_HOST_CHARS = r"A-Za-z0-9._\-\u0080-\U0010FFFF"
_WRITTEN_LINK = re.compile(
    rf"https?://([{_WRITTEN_HOST_CHARS}]+)(?![{_WRITTEN_HOST_CHARS}{{}}@%&\[\]])",
    re.IGNORECASE)


@lru_cache(maxsize=512)
def written_hosts(template: str) -> frozenset[str]:
    """The hosts of web addresses written out in a template, not made from its data:
    `https://shop.example/{{ path }}` names shop.example; `https://{{ host }}/` and
    `https://shop.example{{ rest }}` name none."""
    hosts = (web_host(f"https://{match.group(1)}") for match in _WRITTEN_LINK.finditer(template))
    return frozenset(host for host in hosts if host)


@dataclass(frozen=True)
class TrustedHosts:
    """Where the click redirect may lead.

    `domains` (the setting `tracking.link_domains`): each one and its subdomains
    ("example.com" trusts www.example.com, not badexample.com). When it is empty, the
    hosts written in the content's template (`written`, exact names only) are trusted:
    the marketer wrote those; a host that came from trigger or contact data is not.
    """

    domains: tuple[str, ...] = ()
    written: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def for_template(cls, template: str, domains: tuple[str, ...] | list[str] = ()
                     ) -> TrustedHosts:
        return cls(tuple(domains), frozenset() if domains else written_hosts(template))

    def trusts(self, host: str | None) -> bool:
        if host is None:
            return False
        if self.domains:
            return any(host == d or host.endswith("." + d) for d in self.domains)
        return host in self.written

    def why_not(self, host: str | None) -> str:
        if host is None:
            return "a link without a plain domain name is not tracked"
        if self.domains:
            return f"the link to {host} is not tracked: {host} is not in tracking.link_domains"
        return (f"the link to {host} is not tracked: its address came from the message's "
                "data, not the template (list the domain in tracking.link_domains to track it)")


# --- the email's HTML ---------------------------------------------------------------

@dataclass
class SecuredHtml:
    html: str
    links: list[str] = field(default_factory=list)     # click n goes to links[n]
    warnings: list[str] = field(default_factory=list)

    def warn(self, text: str) -> None:
        if text not in self.warnings and len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(text)


def secure_links(html: str, trusted: TrustedHosts, tracking: TrackingLinks | None = None
                 ) -> SecuredHtml:
    """Remove unsafe addresses; with `tracking`, point trusted web links at click URLs.

    Without `tracking` (a preview) links stay as written; `links` still lists those that
    clicks would be counted for.
    """
    result = SecuredHtml(html)
    edits: list[tuple[int, int, str]] = []
    for tag, start, attributes in _start_tags(html):
        if _HINT.search(attributes):
            edits += _tag_edits(tag, start, attributes, trusted, tracking, result)
    result.html = _apply(html, edits)
    return result


def _start_tags(html: str):
    """(tag name, offset of its attributes, attributes) of each start tag, in order."""
    position = 0
    while (found := _MARKUP.search(html, position)) is not None:
        position = found.end()
        closing, name, attributes = found.group(1, 2, 3)
        if name is None or closing:
            continue
        name = _ascii_lower(name)
        yield name, found.start(3), attributes
        if name in _RAW_TEXT_END:
            end = _RAW_TEXT_END[name].search(html, position)
            position = end.start() if end else len(html)
        elif name == "plaintext":
            return


def _tag_edits(tag: str, offset: int, attributes: str, trusted: TrustedHosts,
               tracking: TrackingLinks | None, result: SecuredHtml
               ) -> list[tuple[int, int, str]]:
    edits, seen = [], set()
    for attribute in _ATTRIBUTE.finditer(attributes):
        name, raw = attribute.group(1, 2)
        name = name.lower()  # (a non-ASCII letter lowered into a URL name: checked, harmless)
        if name not in URL_ATTRIBUTES:
            continue
        first = name not in seen  # a browser keeps the first of repeated attributes
        seen.add(name)
        if raw is None:
            continue
        url = clean_url(attribute_text(_unquote(raw)))
        scheme = _list_scheme(url) if name in _LISTS else scheme_of(url)
        if scheme in UNSAFE_SCHEMES:
            edits.append((offset + attribute.start(), offset + attribute.end(), ""))
            result.warn(f"removed a {scheme}: address from <{tag} {name}>")
        elif first and name == "href" and tag in _LINKS and scheme in WEB_SCHEMES:
            replacement = _web_link(url, trusted, tracking, result)
            if replacement is not None:
                start = offset + attribute.start(2)
                edits.append((start, start + len(raw), f'"{escape(replacement)}"'))
    return edits


def _web_link(url: str, trusted: TrustedHosts, tracking: TrackingLinks | None,
              result: SecuredHtml) -> str | None:
    """The click URL for a trusted link (None: leave the link as written)."""
    if tracking is not None and _is_own(url, tracking.base_url):
        return None  # the unsubscribe link: already ours
    host = web_host(url)
    if not trusted.trusts(host):
        if tracking is not None:
            result.warn(trusted.why_not(host))
        return None
    result.links.append(_absolute(url))
    return tracking.click_url(len(result.links) - 1) if tracking is not None else None


def _absolute(url: str) -> str:
    """`https:shop.example/a` (or with backslashes) as `https://shop.example/a`: the
    redirect's Location must not depend on the address it is resolved against."""
    scheme, _, rest = url.partition(":")
    return scheme.lower() + "://" + rest.lstrip(_SLASHES)


def _list_scheme(urls: str) -> str | None:
    """An unsafe scheme among a list of addresses (srcset, ping), else None."""
    for url in re.split(r"[\s,]+", urls):
        scheme = scheme_of(clean_url(url))
        if scheme in UNSAFE_SCHEMES:
            return scheme
    return None


def _is_own(url: str, base_url: str) -> bool:
    base = base_url.rstrip("/")
    return bool(base) and (url == base or url.startswith(base + "/"))


def _unquote(raw: str) -> str:
    if raw[:1] in ("'", '"'):
        return raw[1:-1] if len(raw) > 1 and raw[-1] == raw[0] else raw[1:]
    return raw


def _ascii_lower(name: str) -> str:
    return name.lower() if name.isascii() else name


def _apply(html: str, edits: list[tuple[int, int, str]]) -> str:
    if not edits:
        return html
    pieces, position = [], 0
    for start, end, replacement in edits:
        pieces += [html[position:start], replacement]
        position = end
    return "".join(pieces) + html[position:]
