"""The followed person on the canvas: a round token above the tile they are at, with a
label saying what they wait for and until when. It glides to the next tile when
the person moves on."""

from __future__ import annotations

from PySide6.QtCore import QEasingCurve, QPointF, QRectF, Qt, QVariantAnimation
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject

from app import theme
from app.icons import paint_icon

SIZE = 24.0
LABEL_GAP, LABEL_HEIGHT, LABEL_PAD = 6.0, 20.0, 8.0
MAX_LABEL = 440.0
GLIDE_MS = 350


def label_font() -> QFont:
    font = QFont()
    font.setPointSizeF(8.0)
    font.setWeight(QFont.Weight.Medium)
    return font


class PersonToken(QGraphicsObject):
    """Its position is the token's centre, just above the person's tile; the label
    runs to its right."""

    def __init__(self) -> None:
        super().__init__()
        self.person = ""
        self.label = ""
        self.ended = False
        self.label_text = ""
        self._label_width = 0.0
        self._glide = QVariantAnimation(self)  # goes with the token (and its scene)
        self._glide.setDuration(GLIDE_MS)
        self._glide.setEasingCurve(QEasingCurve.Type.OutCubic)
        self._glide.valueChanged.connect(self.setPos)
        self.setZValue(10)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def show_person(self, person: str, label: str, ended: bool) -> None:
        if (person, label, ended) == (self.person, self.label, self.ended):
            return
        self.prepareGeometryChange()
        self.person, self.label, self.ended = person, label, ended
        metrics = QFontMetricsF(label_font())
        self.label_text = metrics.elidedText(label, Qt.TextElideMode.ElideRight, MAX_LABEL)
        self._label_width = metrics.horizontalAdvance(self.label_text) + 2 * LABEL_PAD \
            if label else 0.0
        self.setToolTip(f"{person}: {label}" if label else person)
        self.update()

    def move_to(self, target: QPointF, glide: bool) -> None:
        """To the corner of another tile: gliding there when the person moved on."""
        self._glide.stop()
        if glide and self.isVisible() and self.pos() != target:
            self._glide.setStartValue(self.pos())
            self._glide.setEndValue(target)
            self._glide.start()
        else:
            self.setPos(target)

    @property
    def target(self) -> QPointF:
        """Where the token is going (or is)."""
        if self._glide.state() == QVariantAnimation.State.Running:
            return self._glide.endValue()
        return self.pos()

    def boundingRect(self) -> QRectF:
        half = SIZE / 2 + 2
        width = SIZE / 2 + LABEL_GAP + self._label_width
        return QRectF(-half, -half, half + max(width, half), 2 * half)

    def paint(self, painter: QPainter, _option, _widget=None) -> None:
        current = theme.current()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._label_width:
            self._paint_label(painter, current)
        colour = current.color("muted" if self.ended else "accent")
        painter.setPen(QPen(current.color("canvas"), 2.5))
        painter.setBrush(colour)
        painter.drawEllipse(QPointF(0, 0), SIZE / 2, SIZE / 2)
        inset = SIZE * 0.22
        paint_icon(painter, "person", QRectF(-SIZE / 2, -SIZE / 2, SIZE, SIZE).adjusted(
            inset, inset, -inset, -inset), current.accent_text)

    def _paint_label(self, painter: QPainter, current: theme.Theme) -> None:
        rect = QRectF(SIZE / 2 + LABEL_GAP - 2, -LABEL_HEIGHT / 2, self._label_width,
                      LABEL_HEIGHT)
        painter.setPen(QPen(current.color("accent" if not self.ended else "border"), 1))
        painter.setBrush(current.color("panel"))
        painter.drawRoundedRect(rect, LABEL_HEIGHT / 2, LABEL_HEIGHT / 2)
        painter.setFont(label_font())
        painter.setPen(current.color("text"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.label_text)
