"""The import dialog's last two steps: progress with Cancel, and the report of what went
in and every row refused (row, column, reason), which can be copied."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.docks.tables import feed_table, size_columns
from app.properties.fields import section
from engine.contacts_import import (
    ImportProgress,
    ImportReport,
    RowProblem,
    counted,
    repeated_note,
)


class ProgressView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importProgress")
        self.title = QLabel("Importing…", objectName="pageTitle")
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.counts = QLabel(objectName="hint")
        self.cancel = QPushButton("Cancel")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for widget in (self.title, self.bar, self.counts):
            layout.addWidget(widget)
        layout.addWidget(self.cancel, 0, Qt.AlignmentFlag.AlignRight)
        layout.addStretch(2)

    def started(self, rows: int) -> None:
        self.title.setText("Importing…")
        self.bar.setRange(0, max(rows, 1))
        self.bar.setValue(0)
        self.counts.setText("Reading the file…")
        self.cancel.setEnabled(True)

    def show_progress(self, progress: ImportProgress) -> None:
        self.bar.setMaximum(max(progress.rows, 1))
        self.bar.setValue(min(progress.row, progress.rows))
        self.counts.setText(f"Row {progress.row:,} of about {progress.rows:,}: "
                            f"{progress.imported:,} imported, {progress.refused:,} refused")

    def cancelling(self) -> None:
        self.title.setText("Cancelling after the batch being written…")
        self.cancel.setEnabled(False)


class RefusedRows(QAbstractTableModel):
    HEADERS = ("Row", "Column", "Reason")

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__()
        self.problems = problems

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.problems)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else 3

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        return self.HEADERS[section] if horizontal and role == Qt.ItemDataRole.DisplayRole \
            else None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        problem = self.problems[index.row()]
        return (f"{problem.row:,}", problem.column or "(the row)", problem.reason)[
            index.column()]


class ImportReportView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importReport")
        self.title = QLabel(objectName="pageTitle")
        self.summary = QLabel(objectName="importSummary", wordWrap=True)
        self.table = feed_table("refusedRows")
        self.copy = QPushButton("Copy the refused rows")
        self.copy.clicked.connect(self.copy_refused)
        self.close_button = QPushButton("Close", objectName="primaryButton")
        self.report: ImportReport | None = None
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        self.refused_title = section("Rows refused")
        layout.addWidget(self.refused_title)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def show_report(self, report: ImportReport, failure: str = "") -> None:
        self.report = report
        self.title.setText("Import stopped" if failure else "Import cancelled"
                           if report.cancelled else "Import finished")
        self.summary.setText(describe(report, failure))
        self.table.setModel(RefusedRows(report.refused))
        size_columns(self.table, {0: 80, 1: 140}, 2)
        for widget in (self.refused_title, self.table, self.copy):
            widget.setVisible(bool(report.refused))

    def copy_refused(self) -> None:
        QGuiApplication.clipboard().setText(refused_text(self.report) if self.report else "")


def refused_text(report: ImportReport) -> str:
    """One line a row: "row 17, column email: not an email address"."""
    return "\n".join(str(problem) for problem in report.refused)


def describe(report: ImportReport, failure: str = "") -> str:
    lines = [f"Imported {counted(report.imported, 'contact')} ({report.created:,} new, "
             f"{report.updated:,} updated) in {report.seconds:.1f} s; "
             f"{counted(len(report.refused), 'row')} refused."]
    if failure:
        lines.append(f"Stopped: {failure}.")
    elif report.cancelled:
        lines.append(f"Cancelled: the good rows up to row {report.last_committed_row:,} are "
                     "imported, none after it (each batch is written whole or not at all).")
    if report.repeated:
        lines.append(repeated_note(report))
    if report.events:
        lines.append(f"{report.events:,} contact created / updated events fired.")
    return "\n".join(lines)
