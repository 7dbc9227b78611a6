"""What the law asks of a commercial email before it may be Ready to send.

CAN-SPAM and ePrivacy practice: a visible way to unsubscribe (or to choose what to get)
in the body, and the sender's postal address. Transactional email — a receipt, a
password reset — is exempt, and so are SMS and push, whose consent is handled by the
send rules. The check is one function, used by the studio's Ready button, `waymark
content ready` and publishing (engine.validation), so all three say the same thing.
"""

from __future__ import annotations

import re

from jinja2 import TemplateSyntaxError, nodes

from engine.model import Content, EmailContent, Purpose

from .personalise import parse_template
from .settings import SenderProfile

UNSUBSCRIBE_PLACEHOLDERS = ("unsubscribe_url", "preferences_url")
ADDRESS_PLACEHOLDER = "sender.postal_address"

# The footer the editor inserts: both links and the address, from the sender profile.
STANDARD_FOOTER_HTML = (
    '<p style="font-size:12px;line-height:18px;color:#667085">'
    "You receive this email from {{ sender.display_name }}"
    "{% if sender.postal_address %}, {{ sender.postal_address }}{% endif %}.<br>"
    '<a href="{{ unsubscribe_url }}">Unsubscribe</a> · '
    '<a href="{{ preferences_url }}">Choose what you receive</a></p>')
STANDARD_FOOTER_TEXT = (
    "You receive this email from {{ sender.display_name }}"
    "{% if sender.postal_address %}, {{ sender.postal_address }}{% endif %}.\n"
    "Unsubscribe: {{ unsubscribe_url }}\nChoose what you receive: {{ preferences_url }}")

MISSING_LINK = ("Add an unsubscribe link ({{ unsubscribe_url }}) — commercial email must "
                "carry one")
MISSING_TEXT_LINK = ("Add the unsubscribe link ({{ unsubscribe_url }}) to the plain-text "
                     "part too — it is what some people read")
# ends the problem of a sender profile without an address: the studio offers the settings
IN_SENDER_SETTINGS = "add it in the delivery settings (sender profiles)"
MISSING_ADDRESS = ("Add the sender's postal address ({{ sender.postal_address }}) — "
                   "commercial email must carry it")


def compliance_problems(content: Content, sender: SenderProfile | None) -> list[str]:
    """What keeps `content` from being Ready, in words a person acts on; [] when nothing.

    `sender` is the profile the email goes out with; None when it is not known (a bundle
    checked on its own), and then only the body is checked.
    """
    if not isinstance(content, EmailContent) or content.purpose != Purpose.COMMERCIAL:
        return []
    html_names = _names(content.html, html=True)
    problems = []
    if not html_names & set(UNSUBSCRIBE_PLACEHOLDERS):
        problems.append(MISSING_LINK)
    elif content.text.strip() and not _names(content.text) & set(UNSUBSCRIBE_PLACEHOLDERS):
        problems.append(MISSING_TEXT_LINK)
    if sender is not None:
        problems += _address_problems(content, sender, html_names)
    return problems


def _address_problems(content: EmailContent, sender: SenderProfile, html_names: set[str]
                      ) -> list[str]:
    address = " ".join(sender.postal_address.split())
    problems = []
    if not address:
        problems.append(f"The sender profile {sender.name!r} has no postal address — "
                        f"{IN_SENDER_SETTINGS}")
    written = address and address in " ".join(content.html.split())
    if ADDRESS_PLACEHOLDER not in html_names and not written:
        problems.append(MISSING_ADDRESS)
    return problems


def _names(source: str, html: bool = False) -> set[str]:
    """The variables a template shows: `unsubscribe_url`, `sender.postal_address`…
    A template that does not parse is searched as text (its error is reported apart)."""
    try:
        tree = parse_template(source, html=html)
    except TemplateSyntaxError:
        return set(re.findall(r"[a-z_]+(?:\.[a-z_]+)?", source))
    found = {name.name for name in tree.find_all(nodes.Name)}
    found |= {f"{node.node.name}.{node.attr}" for node in tree.find_all(nodes.Getattr)
              if isinstance(node.node, nodes.Name)}
    return found
