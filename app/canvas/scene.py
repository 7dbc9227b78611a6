"""The canvas scene: follows the journey document, one item per tile and per edge.

The scene never edits the journey itself. Pointer gestures end in a call to the editor
(an undo command); the document then tells the scene what changed, and the scene
updates the items. Positions live in the document: a drag moves items freely and is
written back as one undo step when the mouse is released.
"""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import QPointF, QRectF, QTimer, Signal
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QGraphicsSceneMouseEvent

from app.canvas import geometry as geo
from app.canvas.edge_item import EdgeItem, EdgeKey
from app.canvas.interactions import ConnectInteraction, pending_moves
from app.canvas.live_overlay import LiveOverlay
from app.canvas.port_items import OutputPortItem
from app.canvas.tile_item import TileItem
from app.editor import JourneyEditor
from engine.model import Edge, output_ports
from engine.validation import Severity, Stage, ValidationProblem

SCENE_MARGIN = 1600.0
PORTS_MIN_ZOOM = 0.35


def edge_key(edge: Edge) -> EdgeKey:
    return (edge.source, edge.port, edge.target)


class JourneyScene(QGraphicsScene):
    hint = Signal(str)  # a transient message about the gesture in progress
    count_clicked = Signal(str, str, QPointF)  # tile id, metric, where (scene coordinates)

    def __init__(self, editor: JourneyEditor, parent=None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.tile_items: dict[str, TileItem] = {}
        self.edge_items: dict[EdgeKey, EdgeItem] = {}
        self._edges_of: dict[str, set[EdgeKey]] = defaultdict(set)
        self._ports_used: set[tuple[str, str]] = set()
        self._connect: ConnectInteraction | None = None
        self._drop_edge: EdgeItem | None = None
        self._drop_tile: TileItem | None = None
        self.snapping = True
        self.show_ports = True
        self._rect_timer = QTimer(self, singleShot=True, interval=0)
        self._rect_timer.timeout.connect(self.update_scene_rect)
        self.overlay = LiveOverlay(self)
        self._follow(editor.document)
        editor.read_only_changed.connect(self._apply_read_only)
        editor.catalog_changed.connect(self.refresh_tiles)  # names of content and triggers
        self.rebuild()

    @property
    def document(self):
        return self.editor.document

    @property
    def catalog(self):
        return self.editor.catalog

    @property
    def editable(self) -> bool:
        return not self.editor.read_only

    def _follow(self, doc) -> None:
        doc.tile_added.sub(self._tile_added)
        doc.tile_removed.sub(self._tile_removed)
        doc.tile_changed.sub(self._tile_changed)
        doc.tile_moved.sub(self._tile_moved)
        doc.edge_added.sub(self._edge_added)
        doc.edge_removed.sub(self._edge_removed)
        doc.settings_changed.sub(self.refresh_tiles)
        doc.replaced.sub(self.rebuild)

    # --- following the document ------------------------------------------------------

    def rebuild(self) -> None:
        self._connect = None
        self._drop_edge = self._drop_tile = None
        self.overlay.forget_items()
        self.clear()
        self.tile_items.clear()
        self.edge_items.clear()
        self._edges_of.clear()
        self._ports_used.clear()
        for tile in self.document.journey.tiles:
            self._tile_added(tile.id)
        for edge in self.document.journey.edges:
            self._edge_added(edge)
        self.update_scene_rect()

    def _tile_added(self, tile_id: str) -> None:
        item = TileItem(tile_id)
        self.addItem(item)
        self.tile_items[tile_id] = item
        item.refresh()
        tile = self.document.tile(tile_id)
        item.sync_position(tile.x, tile.y)
        item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable, self.editable)
        item.show_ports(self.show_ports)
        self.overlay.tile_added(tile_id)
        self._rect_timer.start()

    def _tile_removed(self, tile_id: str) -> None:
        item = self.tile_items.pop(tile_id)
        self.removeItem(item)
        self.overlay.tile_removed(tile_id)
        self._rect_timer.start()

    def _tile_changed(self, tile_id: str) -> None:
        self.tile_items[tile_id].refresh()
        self._place_edges_of(tile_id)
        self.overlay.tile_changed(tile_id)

    def _tile_moved(self, tile_id: str) -> None:
        tile = self.document.tile(tile_id)
        self.tile_items[tile_id].sync_position(tile.x, tile.y)
        self._rect_timer.start()

    def _edge_added(self, edge: Edge) -> None:
        key = edge_key(edge)
        if key in self.edge_items:
            return  # a duplicate edge: drawn once, reported by the validator
        item = EdgeItem(key)
        self.addItem(item)
        self.edge_items[key] = item
        self._edges_of[edge.source].add(key)
        self._edges_of[edge.target].add(key)
        self._ports_used.add((edge.source, edge.port))
        self._place_edge(item)
        self._update_port(edge.source, edge.port)
        self.overlay.edge_added(key)

    def _edge_removed(self, edge: Edge) -> None:
        key = edge_key(edge)
        if key not in self.edge_items or edge in self.document.journey.edges:
            return  # the other copy of a duplicate is still there
        self.removeItem(self.edge_items.pop(key))
        self._edges_of[edge.source].discard(key)
        self._edges_of[edge.target].discard(key)
        self._ports_used.discard((edge.source, edge.port))
        self._update_port(edge.source, edge.port)

    def refresh_tiles(self) -> None:
        for item in self.tile_items.values():
            item.refresh()
        for item in self.edge_items.values():
            self._place_edge(item)

    def _update_port(self, tile_id: str, port: str) -> None:
        item = self.tile_items.get(tile_id)
        if item is not None and port in item.output_ports:
            item.output_ports[port].update()

    def port_connected(self, tile_id: str, port: str) -> bool:
        return (tile_id, port) in self._ports_used

    # --- edge geometry --------------------------------------------------------------

    def tile_item_moved(self, tile_id: str) -> None:
        self._place_edges_of(tile_id)
        self.overlay.tile_moved(tile_id)

    def _place_edges_of(self, tile_id: str) -> None:
        for key in self._edges_of.get(tile_id, ()):
            self._place_edge(self.edge_items[key])

    def _place_edge(self, item: EdgeItem) -> None:
        source = self.tile_items[item.source]
        target = self.tile_items[item.target]
        port = source.output_ports.get(item.port)
        start = port.scenePos() if port else source.mapToScene(
            QPointF(geo.TILE_WIDTH, geo.HEADER_HEIGHT / 2))
        item.set_ends(start, target.mapToScene(geo.input_port_pos()))

    def update_scene_rect(self) -> None:
        bounds = QRectF()
        for item in self.tile_items.values():
            bounds = bounds.united(item.sceneBoundingRect())
        bounds = bounds if not bounds.isNull() else QRectF(0, 0, 800, 600)
        m = SCENE_MARGIN
        self.setSceneRect(bounds.adjusted(-m, -m, m, m))

    # --- problems and selection -----------------------------------------------------

    def set_problems(self, problems: list[ValidationProblem]) -> None:
        errors: dict[str, list[str]] = defaultdict(list)
        warnings: dict[str, list[str]] = defaultdict(list)
        for problem in problems:
            if problem.tile_id is None:
                continue
            blocking = problem.severity == Severity.ERROR and problem.stage == Stage.DESIGN
            (errors if blocking else warnings)[problem.tile_id].append(problem.message)
        for tile_id, item in self.tile_items.items():
            item.set_problems(errors.get(tile_id, []), warnings.get(tile_id, []))

    def select_tiles(self, tile_ids: list[str]) -> None:
        self.clearSelection()
        for tile_id in tile_ids:
            if tile_id in self.tile_items:
                self.tile_items[tile_id].setSelected(True)

    def selected_tile_items(self) -> list[TileItem]:
        return [i for i in self.selectedItems() if isinstance(i, TileItem)]

    def selected_tile_ids(self) -> list[str]:
        order = {t.id: n for n, t in enumerate(self.document.journey.tiles)}
        return sorted((i.tile_id for i in self.selected_tile_items()), key=order.get)

    def selected_edges(self) -> list[Edge]:
        return [Edge(source=i.source, port=i.port, target=i.target)
                for i in self.selectedItems() if isinstance(i, EdgeItem)]

    # --- hit testing ----------------------------------------------------------------

    def tile_at(self, pos: QPointF) -> TileItem | None:
        for item in self.items(pos):
            if isinstance(item, TileItem):
                return item
            if isinstance(item.parentItem(), TileItem):
                return item.parentItem()
        return None

    def tile_to_follow(self, pos: QPointF) -> TileItem | None:
        """The tile a tile dropped at `pos` would follow: one with an output (a drop on an
        exit goes beside it, to the nearest free place)."""
        item = self.tile_at(pos)
        if item is None or not output_ports(self.editor.journey.tile(item.tile_id)):
            return None
        return item

    def edge_at(self, pos: QPointF) -> EdgeItem | None:
        if self.tile_at(pos) is not None:
            return None
        return next((i for i in self.items(pos) if isinstance(i, EdgeItem)), None)

    def show_drop_target(self, pos: QPointF | None) -> EdgeItem | TileItem | None:
        """Light up what a tile dropped at `pos` goes to: the edge it would be inserted
        into, or the tile it would follow (joined to its free output)."""
        tile = self.tile_to_follow(pos) if pos is not None else None
        edge = self.edge_at(pos) if pos is not None and tile is None else None
        if self._drop_edge is not None and self._drop_edge is not edge:
            self._drop_edge.set_drop_target(False)
        if self._drop_tile is not None and self._drop_tile is not tile:
            self._drop_tile.set_drop_target(False)
        self._drop_edge, self._drop_tile = edge, tile
        for target in (edge, tile):
            if target is not None:
                target.set_drop_target(True)
        return edge or tile

    # --- gestures -------------------------------------------------------------------

    def begin_connect(self, port: OutputPortItem, pos: QPointF) -> None:
        self._connect = ConnectInteraction(self, port)
        self._connect.move(pos)

    def move_connect(self, pos: QPointF) -> None:
        if self._connect is not None:
            self._connect.move(pos)

    def finish_connect(self, pos: QPointF) -> None:
        interaction, self._connect = self._connect, None
        if interaction is not None:
            interaction.finish(pos)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        moves = pending_moves(self)
        if moves:
            self.editor.move_tiles(moves)

    def set_detail(self, zoom: float) -> None:
        """Below 35 % ports are too small to aim at; hiding them halves the painting."""
        show = zoom >= PORTS_MIN_ZOOM
        if show != self.show_ports:
            self.show_ports = show
            for item in self.tile_items.values():
                item.show_ports(show)

    def _apply_read_only(self, read_only: bool) -> None:
        for item in self.tile_items.values():
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable, not read_only)
