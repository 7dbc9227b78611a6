"""What an import keeps of the workspace's own content.

Content is shared by id: a journey's tile names the email, text or push it sends, and
the Content page edits it for every draft that uses it. A bundle exported last month
carries its content as it was then; imported as it stood, it wrote that old wording over
what was edited since, in every draft using it, without a word. Now a bundle's content
item that the workspace has under the same id *with other words* comes in as a copy
("initial-email-copy", "Initial email reminder (copy)") and the imported journey's tiles
send the copy; the workspace's own stays as it is. The same content (an export imported
back) is simply used, and so is a copy an earlier import made of the same words.
`--replace` (the journey's draft updated in place, as asked) and a scenario's publish
(`engine.simulation.lifecycle_items`) write a bundle's content as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.model import Bundle, Catalog
from engine.model.naming import copy_name, free_id
from engine.model.tiles import MESSAGE_KINDS


@dataclass(frozen=True)
class Copied:
    """A bundle's item imported as a copy beside the workspace's own."""

    kind: str  # "content"
    wanted: str  # its id in the bundle (the workspace's item keeps it)
    wanted_name: str  # its name in the bundle
    id: str  # the copy's
    name: str  # the copy's

    def __str__(self) -> str:
        return (f"{self.kind} {self.wanted!r} is different in the workspace, which keeps "
                f"it: the bundle's came in as {self.id!r} ({self.name})")


def keep_workspace_content(bundle: Bundle, before: Catalog) -> tuple[Bundle, list[Copied]]:
    """The bundle with each content item the workspace has otherwise renamed to a copy
    (its journey's tiles pointing at the copy), and the copies made."""
    ids, names = set(before.content), {item.name for item in before.content.values()}
    ids |= {item.id for item in bundle.content}  # a copy takes no id the bundle uses
    copies: list[Copied] = []
    content = []
    for item in bundle.content:
        own = before.content.get(item.id)
        if own is None or own == item:
            content.append(item)
            continue
        base = f"{item.id[:55]}-copy"
        earlier = next((c for c in before.content.values()
                        if c.id.startswith(base) and _same_words(c, item)), None)
        if earlier is not None:  # imported before: that copy, not one more
            copies.append(Copied("content", item.id, item.name, earlier.id, earlier.name))
            continue
        copy = item.model_copy(update={"id": free_id(base, ids),
                                       "name": copy_name(item.name, names)})
        ids.add(copy.id)
        names.add(copy.name)
        content.append(copy)
        copies.append(Copied("content", item.id, item.name, copy.id, copy.name))
    if not copies:
        return bundle, []
    renamed = {c.wanted: c.id for c in copies}
    tiles = [tile.model_copy(update={"content": renamed[tile.content]})
             if tile.kind in MESSAGE_KINDS and tile.content in renamed else tile
             for tile in bundle.journey.tiles]
    journey = bundle.journey.model_copy(update={"tiles": tiles})
    return bundle.model_copy(update={"journey": journey, "content": content}), copies


def _same_words(a, b) -> bool:
    """The same content but for its id and name."""
    return a.model_copy(update={"id": b.id, "name": b.name}) == b
