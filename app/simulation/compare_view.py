"""The "Compared with …" section of the simulation results: B ran on the same audience
and seed as A (whose results the canvas shows); its differences in words ("+312 reached
Second text reminder", "goal (Purchase completed) 41.0 % → 47.0 %") and per tile and per
message outcome as `A → B (±change)` — the comparison `waymark simulate --compare --json`
printed (`engine.simulation.compare`), never counted a second time."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.simulation.compare import CompareRow, Comparison, cell, goal_name

ROWS_SHOWN = 8  # the table's height in rows; more scroll
MEASURES = {"entered": "entered", "left": "left", "still_there": "still there"}
ONLY = {"a": " (only in A)", "b": " (only in B)"}
KEY_ROLE = Qt.ItemDataRole.UserRole  # (kind, key, measure) of the row


def row_title(row: CompareRow, titles: Mapping[str, str] | None = None) -> str:
    """What the row counts; the goal's trigger by its title in `titles`."""
    if row.kind == "tile":
        return f"{row.name}{ONLY.get(row.side, '')} · {MEASURES.get(row.measure, row.measure)}"
    if row.kind == "message":
        return f"Messages {row.key}"
    return f"Goal {goal_name(row.key, titles)} · share of who entered"


class CompareView(QWidget):
    show_b = Signal(bool)  # "Show B" toggled

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("simCompare")
        self.comparison: Comparison | None = None
        self.title = QLabel(objectName="section", wordWrap=True)
        self.sides = QLabel(objectName="hint", wordWrap=True)
        self.headlines = QLabel(objectName="simHeadlines", wordWrap=True,
                                textFormat=Qt.TextFormat.RichText)
        self.table = QTreeWidget(objectName="simCompareTable", rootIsDecorated=False,
                                 uniformRowHeights=True)
        self.table.setHeaderLabels(["What", "A → B (change)"])
        self.table.header().setStretchLastSection(True)
        self.b_on_canvas = QCheckBox("Show B", objectName="showB")
        self.b_on_canvas.setToolTip("The canvas and the figures, people and steps below "
                                    "show B's simulation instead of A's")
        self.b_on_canvas.toggled.connect(self.show_b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(4)
        for widget in (self.title, self.sides, self.headlines, self.table,
                       self.b_on_canvas):
            layout.addWidget(widget)
        self.clear()

    def show_comparison(self, comparison: Comparison, b_showable: bool = True,
                        titles: Mapping[str, str] | None = None) -> None:
        """`comparison.labels` name A and B as the studio says them; `b_showable` when
        B's tiles are the canvas's (a version of the journey, not another bundle);
        `titles`: the triggers' titles, for the goal ("Purchase completed", as the goal
        line above says it, not the name the engine knows it by)."""
        self.comparison = comparison
        self.title.setText(f"COMPARED WITH {comparison.labels[1].upper()}")
        self.set_shown(False)
        lines = comparison.headlines(titles)
        a, b = comparison.labels
        # which way the differences go: "+7 reached …" is B's, the draft's or the live's
        said = f"With {escape(b)} rather than {escape(a)}:<br>"
        # a share's number and its "%" stay on one line when the line wraps
        self.headlines.setText(said + "<br>".join(f"• {escape(line)}".replace(" %", "&nbsp;%")
                                                  for line in lines)
                               if lines else "No differences: A and B did the same.")
        self._fill(comparison, titles)
        self.b_on_canvas.setChecked(False)
        self.b_on_canvas.setVisible(b_showable)
        self.show()

    def set_shown(self, b: bool) -> None:
        """Says which side the canvas and the panel's figures show."""
        if self.comparison is None:
            return
        a, b_label = self.comparison.labels
        shown = " (shown)"
        self.sides.setText(f"A = {a}{'' if b else shown} · B = {b_label}{shown if b else ''}"
                           " · the same people and seed")

    def clear(self) -> None:
        self.comparison = None
        self.table.clear()
        self.b_on_canvas.setChecked(False)
        self.hide()

    def cells(self) -> dict[tuple[str, str, str], str]:
        """(kind, key, measure) → the "A → B" text of each row shown."""
        items = (self.table.topLevelItem(i) for i in range(self.table.topLevelItemCount()))
        return {item.data(0, KEY_ROLE): item.text(1) for item in items}

    def _fill(self, comparison: Comparison, titles: Mapping[str, str] | None) -> None:
        self.table.clear()
        for row in comparison.rows:
            if not (row.a or row.b or row.side != "both"):
                continue  # nobody on either side: nothing to compare
            item = QTreeWidgetItem([row_title(row, titles), cell(row)])
            item.setData(0, KEY_ROLE, (row.kind, row.key, row.measure))
            item.setToolTip(0, item.text(0))
            if row.change:
                font = item.font(1)
                font.setBold(True)
                item.setFont(1, font)
            self.table.addTopLevelItem(item)
        self.table.resizeColumnToContents(0)
        self.table.setColumnWidth(0, min(self.table.columnWidth(0), 230))
        line = self.table.fontMetrics().lineSpacing() + 6
        shown = min(self.table.topLevelItemCount(), ROWS_SHOWN)
        self.table.setFixedHeight(self.table.header().sizeHint().height()
                                  + shown * line + 6)
