"""Every problem the validator can report, with what it means. Codes are stable."""

from __future__ import annotations

CODES: dict[str, str] = {
    # the graph
    "no-entry": "the journey has no entry tile",
    "multiple-entries": "more than one entry tile",
    "edge-into-entry": "a connection leads into the entry",
    "duplicate-edge": "the same connection appears twice",
    "extra-edge": "a single output has more than one connection",
    "unknown-port": "a connection leaves from an output the tile does not have",
    "no-successor": "an output leads nowhere",
    "unreachable": "no path from the entry reaches the tile",
    "cycle": "the tile is on a loop",
    "too-many-branches": "more than 25 branches or arms",
    "no-branches": "an attribute branch with only 'other'",
    "duplicate-branch": "two branches or arms share an id",
    "split-arms": "a split with fewer than two arms",
    "split-total": "split percentages that do not make 100 %",
    "split-count": "a split by count whose arms lack counts",
    "branch-depth": "branches nested more than 8 deep",
    # references and values
    "duration-range": "a duration or time limit outside (0, 90 days]",
    "no-entry-trigger": "a trigger-based journey without its trigger",
    "trigger-with-segments": "a trigger-based journey with segments or a schedule",
    "segment-with-trigger": "a segment-based journey with an entry trigger",
    "no-segment": "a segment-based journey without a segment",
    "no-schedule": "a segment-based journey without a schedule",
    "unknown-trigger": "a trigger that does not exist",
    "unknown-segment": "a segment that does not exist",
    "unknown-attribute": "a condition on an attribute that does not exist",
    "bad-operator": "an operator that does not fit the attribute's type",
    "no-content": "a message tile without content",
    "unknown-content": "content that does not exist",
    "channel-mismatch": "content of another channel than the tile's",
    "bad-contact-point": "a contact point that does not fit the channel",
    "wait-for-nothing": "a wait-for branch that waits for nothing",
    "unknown-message": "a wait-for on a tile that is not a message of this journey",
    "bad-interaction": "an interaction the message's channel does not have",
    "message-not-before": "a wait-for on a message that does not always come first",
    "unknown-link": "a link that is not in the message",
    # publishing
    "content-not-ready": "content still in Draft",
    "content-template": "a message template that does not compile, or reaches outside the "
                        "sandbox (the line is named)",
    "content-variable": "a template variable that nothing provides: it renders empty",
    "content-compliance": "commercial email without an unsubscribe link or the sender's "
                          "postal address",
    "trigger-not-ready": "a trigger still in Draft",
    "trigger-stopped": "a trigger that was stopped",
}
