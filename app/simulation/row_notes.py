"""A replay's refused rows as the studio shows them: grouped by reason, most common
first, each group with its count and first rows ("50 rows (3, 8, 13, … and 42 more):
column total: …"), the file named once. The command prints one line a row
(`FILE:ROW: column X: why`, as a compiler does), which in a window of notes was fifty
lines of the same reason, its advice cut off at the right."""

from __future__ import annotations

import re
from pathlib import Path

ROWS_LISTED = 8  # the rows named in a group's line; its count says how many in all


def grouped(notes: list[str], source: str) -> list[str]:
    """`notes` with the lines about `source`'s rows grouped by reason (after the others,
    such as "shop.csv: 200 events replayed, 50 rows refused", with the file's name for
    its path)."""
    row_line = re.compile(rf"{re.escape(source)}:(\d+): (.*)", re.DOTALL)
    rows_by_reason: dict[str, list[int]] = {}
    others = []
    for note in notes:
        found = row_line.fullmatch(note)
        if found:
            rows_by_reason.setdefault(found[2], []).append(int(found[1]))
        else:
            others.append(Path(source).name + note[len(source):]
                          if note.startswith(f"{source}:") else note)
    groups = sorted(rows_by_reason.items(), key=lambda group: -len(group[1]))
    return others + [_group(rows, reason) for reason, rows in groups]


def _group(rows: list[int], reason: str) -> str:
    # JSON lines are reported by line and field ("field person: …"), CSV by row and column
    word = "line" if reason.startswith("field ") else "row"
    if len(rows) == 1:
        return f"{word.capitalize()} {rows[0]}: {reason}"
    listed = ", ".join(str(row) for row in rows[:ROWS_LISTED])
    if len(rows) > ROWS_LISTED:
        listed += f" and {len(rows) - ROWS_LISTED} more"
    return f"{len(rows)} {word}s ({listed}): {reason}"
