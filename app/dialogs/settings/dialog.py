"""Edit → Settings…: the workspace's delivery settings as forms, a section at a time.

Nothing is saved until every value is valid: Apply (or OK) reads every field, and a value
refused — by the field or by the engine's settings model — is marked and named by its key
("smtp.port: expected a whole number 1–65535, got 'abc'") with its section chosen. A save
reaches a running engine within 2 s (the engine's heartbeat notices it). Credentials are
never shown: their fields say where the saved one is kept, and a banner warns when they
are kept in the workspace file because this system has no keyring.

Reading and saving run off the GUI thread: both may ask the system's keyring, which can
take its time (Secret Service starting, a locked keyring's prompt waiting for its
password). Meanwhile the footer says so beside a spinner, and the form waits (a save
cannot be taken back half-way, so Cancel waits for it too).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import theme
from app.dialogs.fire_fields import mark_invalid
from app.dialogs.settings.channels import EmailPage, PushPage, SmsPage, WebhookPage
from app.dialogs.settings.data import DeliverySetup, form_edit
from app.dialogs.settings.page import SectionPage
from app.dialogs.settings.rules import CapsPage, ConsentPage, QuietHoursPage, TrackingPage
from app.dialogs.settings.senders import SendersPage
from app.icons import icon
from app.pages.background import Background
from app.prompts import Prompts
from app.spinner import Spinner
from app.store import StudioStore
from engine.delivery.setting_keys import SettingError
from engine.delivery_setup import SettingsEdit, SettingsView, TrialEmail
from engine.store.settings_store import SecretPlaces

SAVED = "Saved. A running engine takes the new settings within 2 s."
READING = "Reading the settings…"
SAVING = "Saving… (the system's keyring may be asking for its password)"


class SettingsDialog(QDialog):
    saved = Signal(str)  # for the status bar, after each save

    def __init__(self, store: StudioStore, prompts: Prompts, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.setup = DeliverySetup(store)
        self.background = Background("settings", self)
        self.view: SettingsView | None = None
        self.saving = False
        self._accept_when_saved = False
        self._focus: tuple[str, str] | None = None  # a field to focus once shown
        self.pages: list[SectionPage] = [
            EmailPage(self._trial), SmsPage(), PushPage(), WebhookPage(),
            SendersPage(prompts, self.setup.emails_using), ConsentPage(), CapsPage(),
            QuietHoursPage(), TrackingPage()]
        self._build()
        self.resize(900, 640)
        self.reload()

    @property
    def ready(self) -> bool:
        """The settings are shown and no save is under way: the form can be used."""
        return self.view is not None and not self.saving

    # --- building --------------------------------------------------------------------

    def _build(self) -> None:
        self.sections = QListWidget()
        self.sections.setObjectName("settingsSections")
        self.sections.setFixedWidth(190)
        self.stack = QStackedWidget()
        for page in self.pages:
            self.sections.addItem(QListWidgetItem(icon(page.icon_name), page.title))
            self.stack.addWidget(page)
            page.go_to.connect(self.show_section)
        self.sections.currentRowChanged.connect(self.stack.setCurrentIndex)
        keeps_place = self.stack.sizePolicy()
        keeps_place.setRetainSizeWhenHidden(True)  # hidden while the settings are read
        self.stack.setSizePolicy(keeps_place)
        self.sections.setCurrentRow(0)
        body = QHBoxLayout()
        body.setSpacing(0)
        body.addWidget(self.sections)
        body.addWidget(self.stack, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._banner())
        layout.addLayout(body, 1)
        layout.addWidget(self._footer())

    def _banner(self) -> QFrame:
        self.banner = QFrame()
        self.banner.setObjectName("settingsBanner")
        self.banner_icon = QLabel()
        self.banner_text = QLabel()
        self.banner_text.setObjectName("bannerText")
        self.banner_text.setWordWrap(True)
        self.banner.hide()  # until the settings are read: it says where they are kept
        row = QHBoxLayout(self.banner)
        row.setContentsMargins(18, 9, 14, 9)
        row.addWidget(self.banner_icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.banner_text, 1)
        return self.banner

    def _footer(self) -> QFrame:
        footer = QFrame()
        footer.setObjectName("settingsFooter")
        self.spinner = Spinner()
        self.problem_icon = QLabel()
        self.problem = QLabel()
        self.problem.setObjectName("settingsProblem")
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel
                                   | QDialogButtonBox.StandardButton.Apply)
        for which, name, slot in (
                (QDialogButtonBox.StandardButton.Ok, "settingsOk", self.ok),
                (QDialogButtonBox.StandardButton.Cancel, "settingsCancel", self.reject),
                (QDialogButtonBox.StandardButton.Apply, "settingsApply", self.apply)):
            button = buttons.button(which)
            button.setObjectName(name)
            button.setIcon(QIcon())  # the desktop theme's icons clash with the studio's
            button.setAutoDefault(False)  # Enter in a field is not OK
            button.clicked.connect(slot)
        self.buttons = buttons
        row = QHBoxLayout(footer)
        row.setContentsMargins(18, 10, 18, 12)
        row.addWidget(self.spinner, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.problem_icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.problem, 1)
        row.addWidget(buttons, 0, Qt.AlignmentFlag.AlignBottom)
        return footer

    # --- what it shows ---------------------------------------------------------------

    def reload(self) -> None:
        """Read the workspace's settings (off the GUI thread), then show them."""
        self._clear_marks()  # (also lays the sections out as styled)
        self._busy(READING)
        if self.view is None:
            self.stack.hide()  # no values to show yet (the sections are listed)
        self.background.run("view", self.setup.view, self._show, self._unreadable)

    def _show(self, view: SettingsView, places: SecretPlaces | None = None) -> None:
        self.view = view
        self.stack.show()
        for page in self.pages:
            page.load(view)
        self._idle()
        self._clear_marks()
        self._show_banner(view, places)
        if self._focus is not None:
            self._focus_now(*self._focus)
            self._focus = None

    def _unreadable(self, error: Exception) -> None:
        self._idle(form=False)  # nothing to edit: only Cancel
        self._say("error", f"The settings could not be read: {error}")

    def _busy(self, text: str) -> None:
        """A spinner and `text` in the footer; the form and its buttons wait (Cancel
        too while saving)."""
        self.stack.setEnabled(False)
        self._buttons(form=False, cancel=not self.saving)
        self._say("", text)
        self.spinner.start()

    def _idle(self, form: bool = True) -> None:
        self.spinner.stop()
        self.stack.setEnabled(form)
        self._buttons(form=form, cancel=True)

    def _buttons(self, form: bool, cancel: bool) -> None:
        kinds = QDialogButtonBox.StandardButton
        for which, enabled in ((kinds.Ok, form), (kinds.Apply, form), (kinds.Cancel, cancel)):
            self.buttons.button(which).setEnabled(enabled)

    def _show_banner(self, view: SettingsView, places: SecretPlaces | None) -> None:
        lines = list(places.problems) if places else []
        exposed = view.in_workspace
        if exposed and view.keyring == "none":
            lines.append(f"No keyring on this system: {', '.join(exposed)} "
                         f"{'is' if len(exposed) == 1 else 'are'} kept in the workspace file, "
                         "readable by anyone who can read that file.")
        elif exposed:
            lines.append(f"{', '.join(exposed)} {'is' if len(exposed) == 1 else 'are'} kept "
                         "in the workspace file (saved before the keyring was used): type "
                         "them again to keep them in the keyring.")
        elif view.keyring == "none":
            lines.append("No keyring on this system: passwords and tokens you enter are kept "
                         "in the workspace file, readable by anyone who can read that file.")
        self.banner_icon.setPixmap(icon("warning", theme.current().warning).pixmap(16, 16))
        self.banner_text.setText("\n".join(lines))
        self.banner.setVisible(bool(lines))

    def show_section(self, title: str) -> None:
        titles = [page.title for page in self.pages]
        if title in titles:
            self.sections.setCurrentRow(titles.index(title))

    def focus_field(self, section: str, name: str) -> None:
        """The section shown and, once the settings are read (the form waits for them),
        its field named `name` (an object name) in view and focused."""
        self.show_section(section)
        if self.view is None:
            self._focus = (section, name)
        else:
            self._focus_now(section, name)

    def _focus_now(self, section: str, name: str) -> None:
        page = self.page(section)
        field = page.findChild(QWidget, name)
        if field is not None:
            field.setFocus(Qt.FocusReason.OtherFocusReason)
            # in view once the page just shown is laid out (before, its geometry is old)
            QTimer.singleShot(0, page, lambda: self._into_view(page, field))

    def _into_view(self, page: SectionPage, field: QWidget, tries: int = 50) -> None:
        """Scrolled to the field once the page shows (the dialog may still be opening:
        a page not shown has no geometry to scroll by)."""
        if not page.isVisible() and tries:
            QTimer.singleShot(20, page, lambda: self._into_view(page, field, tries - 1))
            return
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)  # laid out now
        # the whole field, not its text cursor (which ensureWidgetVisible keeps in view:
        # the top line of a postal address box at the page's bottom edge)
        centre = field.mapTo(page.widget(), field.rect().center())
        page.ensureVisible(centre.x(), centre.y(), 50, field.height() // 2 + 12)

    def page(self, title: str) -> SectionPage:
        return next(page for page in self.pages if page.title == title)

    # --- saving ----------------------------------------------------------------------

    def edit(self) -> tuple[SettingsEdit, list[SettingError]]:
        """The form's values as one edit, and every value refused."""
        settings = [field for page in self.pages for field in page.settings]
        secrets = [secret for page in self.pages for secret in page.secrets]
        return form_edit(self.view, settings, secrets)

    def apply(self) -> bool:
        """Save every value, or none (marking those refused). True when the values are
        accepted and the save has begun: `saved` is emitted when it is done."""
        if not self.ready:
            return False
        self._clear_marks()
        edit, problems = self.edit()
        if problems:
            self._refuse(problems)
            self._accept_when_saved = False
            return False
        self.saving = True
        self._busy(SAVING)
        self.background.run("save", lambda: self._save(edit), self._saved, self._not_saved)
        return True

    def _save(self, edit: SettingsEdit) -> tuple[SecretPlaces, SettingsView]:
        """Off the GUI thread: the save, then the settings as saved."""
        return self.setup.save(edit), self.setup.view()

    def _saved(self, answer: tuple[SecretPlaces, SettingsView]) -> None:
        self.saving = False
        places, view = answer
        self._show(view, places)
        self._say("ok", SAVED)
        self.saved.emit(SAVED)
        if self._accept_when_saved:
            self.accept()

    def _not_saved(self, error: Exception) -> None:
        self.saving, self._accept_when_saved = False, False
        self._idle()
        if isinstance(error, SettingError):
            self._refuse([error])
        else:
            self._say("error", f"Not saved: {error}")

    def ok(self) -> None:
        self._accept_when_saved = True
        if not self.apply():
            self._accept_when_saved = False

    def keyPressEvent(self, event) -> None:
        """Enter in a field is not OK: the button box makes OK the default button, and
        Enter after the test email's address sent the email and also saved and closed
        the form. OK and Apply are clicked (or reached with Tab); Esc still cancels."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        """Cancel, Esc or the window's close: not while a save is under way (it cannot be
        taken back half-way; the footer says what it waits for)."""
        if not self.saving:
            super().reject()

    def _trial(self) -> Callable[[], TrialEmail] | None:
        """What prepares a test email through the form's values (run off the GUI thread:
        it reads the saved credentials, maybe from the keyring), or None when the form's
        values are refused (then marked)."""
        if not self.ready:
            return None
        self._clear_marks()
        edit, problems = self.edit()
        if problems:
            self._refuse(problems)
            return None
        return lambda: self.setup.trial(edit)

    # --- problems --------------------------------------------------------------------

    def _refuse(self, problems: list[SettingError]) -> None:
        first_page = None
        for problem in problems:
            found = self._field_for(problem.source)
            if found is None:
                continue
            page, field = found
            field.mark(problem.source, True)
            self.sections.item(self.pages.index(page)).setIcon(
                icon("error", theme.current().error))
            first_page = first_page or (page, field.target(problem.source))
        if first_page is not None:
            self.show_section(first_page[0].title)
            first_page[1].setFocus(Qt.FocusReason.OtherFocusReason)
        words = "\n".join(f"• {problem}" for problem in problems)
        self._say("error", f"Not saved: fix the values marked.\n{words}")

    def _field_for(self, key: str):
        """The page and field a problem's key names (`email.quiet_hours.start` is the
        quiet hours field's, `senders.1.from_address` the senders')."""
        for page in self.pages:
            for field in page.settings:
                if key == field.key or key.startswith(field.key + "."):
                    return page, field
        return None

    def _clear_marks(self) -> None:
        for index, page in enumerate(self.pages):
            self.sections.item(index).setIcon(icon(page.icon_name))
            for widget in page.findChildren(QWidget):
                if widget.property("invalid"):
                    mark_invalid(widget, False)
        self._say("", "")

    def _say(self, kind: str, text: str) -> None:
        current = theme.current()
        colour = {"ok": current.ok, "error": current.error}.get(kind, current.muted)
        if kind:
            self.problem_icon.setPixmap(icon(kind, colour).pixmap(18, 18))
        self.problem_icon.setVisible(bool(kind))
        self.problem.setText(text)
        self.problem.setProperty("kind", kind)
        self.problem.style().polish(self.problem)  # the colour follows the kind
        # A wrapped label's height is not passed up through the footer's row: ask for it.
        width = max(self.problem.width(), 400)
        self.problem.setMinimumHeight(self.problem.heightForWidth(width) if text else 0)
