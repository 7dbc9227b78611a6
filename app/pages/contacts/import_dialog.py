"""Import contacts from a CSV file: check the file, map its columns, import, see the report.

1. **Columns.** The encoding is found (`detect_encoding`) and can be overridden; the
   first rows are shown as the engine reads them, and what each column becomes —
   changing one asks the engine again (`preview_csv`), so the types shown are the
   engine's. A file that cannot be imported (wrong encoding, no id column) says why,
   naming the row and byte, and Import stays off.
2. **Importing.** `import_contacts_csv` on the worker thread, its progress after each
   batch on a progress bar; Cancel stops it before the next batch.
3. **Report.** What went in, and every refused row by row, column and reason, copyable.
   A cancelled or failed import says up to which row the good rows are in: each batch
   is one transaction, so there is never half a batch.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QSize, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.pages.background import Background
from app.properties.fields import hint, section
from app.window_layout import resize_within_screen
from engine.contacts_csv import CsvEncodingError, CsvFileError
from engine.contacts_import import (
    CsvPreview,
    ImportFailed,
    ImportProgress,
    ImportReport,
    counted,
)

from .data import ContactsData, ImportOptions
from .import_mapping import MappingTable, PreviewTable
from .import_report import ImportReportView, ProgressView

ENCODINGS = ["utf-8", "utf-16", "cp1252", "latin-1", "iso-8859-15", "mac-roman"]
REPREVIEW_MS = 200


class ImportDialog(QDialog):
    imported = Signal(str)  # what went in, for the status bar
    progressed = Signal(object)  # ImportProgress, from the worker thread (queued)

    def __init__(self, data: ContactsData, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle(f"Import contacts — {path.name}")
        self.data, self.path = data, path
        self.overrides: dict[str, str] = {}
        self.preview: CsvPreview | None = None
        self.read_as = ""  # the encoding the shown columns were read with
        self.report: ImportReport | None = None
        self.batch_rows: int | None = None  # None: the engine's batches
        self._cancel = threading.Event()
        self.background = Background("import", self)
        self.progressed.connect(self._progress)
        self._again = QTimer(self, singleShot=True, interval=REPREVIEW_MS)
        self._again.timeout.connect(self._read)
        self.steps = QStackedWidget()
        self.steps.addWidget(self._columns_step())
        self.progress = ProgressView()
        self.progress.cancel.clicked.connect(self.cancel)
        self.steps.addWidget(self.progress)
        self.result = ImportReportView()
        self.result.close_button.clicked.connect(self.accept)
        self.steps.addWidget(self.result)
        layout = QVBoxLayout(self)
        layout.addWidget(self.steps)
        resize_within_screen(self, QSize(1000, 760), parent)
        self.background.run("encoding", lambda: data.guess_encoding(path), self._guessed,
                            self._unreadable)

    # --- step 1: the columns --------------------------------------------------------------

    def _columns_step(self) -> QWidget:
        step = QWidget(objectName="importColumns")
        self.encoding = QComboBox(editable=True)
        self.encoding.addItems(ENCODINGS)
        self.encoding.activated.connect(lambda _i: self._read())
        self.encoding.lineEdit().editingFinished.connect(self._encoding_typed)
        self.found = QLabel(objectName="hint")
        self.rows_table = PreviewTable()
        self.mapping = MappingTable()
        self.mapping.mapped.connect(self._mapped)
        self.fire = QCheckBox("Fire contact created / updated triggers (journeys they start "
                              "will start for every imported contact)")
        self.declare = QCheckBox("Add new attribute columns to the workspace's contact "
                                 "attributes, typed as shown", checked=True)
        self.problem = QLabel(objectName="fieldProblem", wordWrap=True)
        self.problem.hide()
        self.start = QPushButton("Import", objectName="primaryButton", enabled=False)
        self.start.clicked.connect(self.begin)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(QLabel("Encoding"))
        top.addWidget(self.encoding)
        top.addWidget(self.found, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.start)
        layout = QVBoxLayout(step)
        for item in (top, section("First rows"), self.rows_table, section("Columns"),
                     hint("Change what a column becomes, an attribute's name or its type; "
                          "an empty cell changes nothing in an existing contact."),
                     self.mapping, self.fire, self.declare, self.problem, buttons):
            layout.addLayout(item) if isinstance(item, QHBoxLayout) else layout.addWidget(item)
        layout.setStretch(2, 2)
        layout.setStretch(5, 3)
        return step

    def _guessed(self, encoding: str) -> None:
        self.encoding.setCurrentText(encoding)
        self.found.setText(f"found: {encoding} — choose another if the text looks wrong")
        self._read()

    def _encoding_typed(self) -> None:
        """Leaving the field reads the file again only if the encoding changed: the click
        that takes the focus away (on Import) must not disable Import under the mouse."""
        if self.encoding.currentText().strip() != self.read_as:
            self._read()

    def _mapped(self, header: str, spec: str) -> None:
        self.overrides[header] = spec
        self._again.start()

    def _read(self) -> None:
        self._again.stop()
        data, path = self.data, self.path
        mapping, encoding = dict(self.overrides), self.encoding.currentText().strip()
        self.read_as = encoding
        self.start.setEnabled(False)
        self.background.run("preview", lambda: data.preview(path, mapping, encoding),
                            self._previewed, self._unreadable)

    def _previewed(self, preview: CsvPreview) -> None:
        self.preview = preview
        self.problem.hide()
        self.rows_table.show_rows(preview)
        self.mapping.show_columns(preview)
        self.start.setEnabled(True)
        self.found.setText(f"{self.found.text().split(' · ')[0]} · about {preview.rows - 1:,} "
                           "rows")

    def _unreadable(self, error: Exception) -> None:
        """The file cannot be imported as it is: say why (row and byte), import nothing."""
        shown = error.detail if isinstance(error, CsvFileError) else str(error)
        if isinstance(error, CsvEncodingError):  # the engine's advice is for the CLI
            where = f"{error.place} is not" if error.place else "the file is not"
            shown = (f"{where} {error.encoding} text: choose the encoding it was saved in "
                     f"(it looks like {error.likely})")
        self.problem.setText(f"{self.path.name}: {shown}")
        self.problem.show()
        self.start.setEnabled(False)

    # --- step 2: importing -------------------------------------------------------------

    def options(self) -> ImportOptions:
        extra = {"batch_rows": self.batch_rows} if self.batch_rows else {}
        return ImportOptions(dict(self.overrides), self.encoding.currentText().strip(),
                             self.fire.isChecked(), self.declare.isChecked(), **extra)

    def begin(self) -> None:
        self._cancel.clear()
        self.progress.started(self.preview.rows if self.preview else 0)
        self.steps.setCurrentWidget(self.progress)
        data, path, options = self.data, self.path, self.options()
        self.background.run(
            "import", lambda: data.import_csv(path, options, self.progressed.emit,
                                              self._cancel.is_set),
            self._finished, self._failed)

    def cancel(self) -> None:
        """Stop before the next batch; the batches written stay, whole."""
        self._cancel.set()
        self.progress.cancelling()

    def _progress(self, progress: ImportProgress) -> None:
        self.progress.show_progress(progress)

    def _finished(self, report: ImportReport, failure: str = "") -> None:
        self.report = report
        self.result.show_report(report, failure)
        self.steps.setCurrentWidget(self.result)
        if report.imported:
            self.imported.emit(f"Imported {counted(report.imported, 'contact')} from "
                               f"{self.path.name}" + (f"; {counted(len(report.refused), 'row')}"
                                                      " refused" if report.refused else ""))

    def _failed(self, error: Exception) -> None:
        if isinstance(error, ImportFailed):
            self._finished(error.report, str(error))
            return
        self.steps.setCurrentIndex(0)
        self._unreadable(error)

    def reject(self) -> None:
        if self.steps.currentWidget() is self.progress:
            self.cancel()  # closing while importing cancels; the report still comes
            return
        super().reject()
